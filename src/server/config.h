// ServerConfig: everything `aidtrace serve` can be told, from its command line and an
// optional JSON config file (docs/API.md lists every member). Parsing is strict: an
// unknown member or a value of the wrong type is an invalid_argument naming it.
//
// Thread safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace aidtrace::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port (port 0: any free port)
  size_t threads = 0;                     // network threads; 0: one per core
  size_t ingest_threads = 0;  // threads that decode and submit POSTed events; 0: 2 per core
  size_t max_body_bytes = size_t{64} << 20;  // request body (413 beyond)
  size_t max_header_bytes = size_t{16} << 10;
  size_t max_batch = 10000;             // submissions in one POST (413 beyond)
  uint32_t request_timeout_ms = 30000;  // to read one request, or idle keep-alive
  uint32_t shutdown_grace_ms = 30000;   // in-flight requests finish within this
  uint32_t rate_per_token = 50;         // requests per second per token (0: no limit)
  uint32_t rate_burst = 200;            // bucket size per token
  uint32_t rate_per_client = 0;         // requests per second per client address
                                        // without a token (0: no limit)
  uint32_t token_cache_ms = 1000;       // a revocation takes effect within this
  size_t default_page = 100;            // rows per page of a state query
  size_t max_page = 1000;
  std::string web_root;    // static files served at / (empty: a small page)
  bool access_log = true;  // one JSON line per request on stderr
  // Subtree hashes at this level and above stay in memory for proofs (the ledger's
  // LedgerOptions::hash_cache_level; 0: every hash, 64 bytes a leaf, no store read).
  uint32_t hash_cache_level = 3;
};

// Parses a config file's text over `base` (members absent keep base's value).
Result<ServerConfig> ParseConfig(std::string_view json_text, const ServerConfig& base = {});

// Splits "host:port"; kInvalidArgument when malformed.
Status SplitHostPort(std::string_view listen, std::string& host, uint16_t& port);

}  // namespace aidtrace::server
