// Api: the HTTP API without the network. It routes a request (method, path, query,
// headers, body) to its handler and returns the response: the public log (checkpoint,
// leaves, proofs), submissions (POST /v1/events), the state queries behind a bearer
// token with the access matrix of docs/API.md, /metrics, /healthz, the OpenAPI document
// and the static web root. http_server.cc carries requests to it over Beast.
//
// One table maps each error code to an HTTP status (HttpStatusFor); docs/API.md copies it.
//
// Thread safety: every method may be called from any thread. Handle never blocks on
// the ledger's sequencer for long (state reads take its shared lock briefly); Submit
// blocks until the submissions are durable, so the server runs it off the network threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "guard/guard.h"
#include "ledger/ledger.h"
#include "server/config.h"
#include "server/log_index.h"
#include "server/metrics.h"
#include "store/store.h"

namespace aidtrace::server {

// The HTTP status of an error code (the one table; docs/API.md "Status codes").
unsigned HttpStatusFor(ErrorCode code);

struct Request {
  std::string_view method;
  std::string_view target;  // path and query, as received
  std::string_view authorization;
  std::string_view content_type;
  std::string_view body;
  std::string_view client;  // the peer's address (rate limits without a token)
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is this shared string instead (no copy: cached checkpoint).
  std::shared_ptr<const std::string> shared;
  std::vector<std::pair<std::string, std::string>> headers;
  int route = -1;  // index into Api::Routes(), -1 when unrouted
  std::string_view Body() const { return shared ? std::string_view(*shared) : body; }
};

// The caller behind a bearer token.
struct Viewer {
  std::string party;
  std::string role;
  bool personal_data = false;  // the role is in Policy::personal_data_roles
};

class Api {
 public:
  struct Route {
    std::string method;   // GET, POST
    std::string pattern;  // e.g. /v1/events/{seq}
    bool needs_token = false;
    bool submit = false;  // POST /v1/events: run with Submit, off the network threads
  };

  // `tokens` is where API tokens are looked up (the same database); may be null (then
  // every token is unknown). The index must be caught up with the ledger by the caller.
  // `guard`, when given, screens submissions and serves POST /v1/screen (src/guard).
  Api(ledger::Ledger& ledger, store::Store* tokens, LogIndex& index, const ServerConfig& config,
      guard::Guard* guard = nullptr);

  static const std::vector<Route>& Routes();
  // The route of (method, path): its index, or -1 (404), or -2 (path known, method not: 405).
  static int Match(std::string_view method, std::string_view path);

  // Serves every route but POST /v1/events.
  Response Handle(const Request& req);
  // POST /v1/events: decodes, checks and durably appends; blocks until durable.
  Response Submit(const Request& req);

  server::Metrics& metrics() { return metrics_; }
  // Refreshes the cached checkpoint from the ledger (after appends).
  void RefreshCheckpoint();
  // Makes /healthz report shutting down and POST refuse new work (503).
  void SetDraining() { draining_.store(true); }

 private:
  struct Query;
  using Params = std::vector<std::pair<std::string, std::string>>;

  Response Dispatch(int route, const Request& req, std::string_view path, const Params& params);
  // Who is calling: the viewer, or the 401/403/429 to return.
  Result<Viewer> Authenticate(const Request& req);
  Status RateLimit(std::string_view key, uint32_t per_second);

  Response Checkpoint();
  Response EventAt(std::string_view seq_text);
  Response Events(const Params& params);
  Response ProveInclusion(const Params& params);
  Response ProveConsistency(const Params& params);
  Response MetricsText();
  Response Health();
  Response Static(std::string_view path);
  Response Screen(const Request& req);

  std::shared_ptr<const std::string> CachedCheckpoint();

  ledger::Ledger& ledger_;
  store::Store* tokens_;
  LogIndex& index_;
  guard::Guard* guard_;
  const ServerConfig config_;
  server::Metrics metrics_;
  std::atomic<bool> draining_{false};

  std::mutex checkpoint_mu_;
  std::shared_ptr<const std::string> checkpoint_;

  struct CachedToken {
    std::optional<store::ApiToken> token;
    std::chrono::steady_clock::time_point expires;
  };
  std::shared_mutex token_mu_;
  std::unordered_map<std::string, CachedToken> token_cache_;  // key: raw hash bytes

  struct Bucket {
    int64_t micro_tokens = 0;  // tokens x 10^6
    std::chrono::steady_clock::time_point last;
  };
  std::mutex rate_mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// The OpenAPI document (docs/openapi.yaml, embedded at build time).
std::string_view OpenApiYaml();

}  // namespace aidtrace::server
