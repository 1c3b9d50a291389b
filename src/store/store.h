// Store: durable storage of the log (leaves, stored subtree hashes, signed
// checkpoints) and of what is kept beside it (private records).
//
// The interface is written for two backends: SQLite (embedded, now) and PostgreSQL
// (server, next), so nothing engine-specific appears here: no SQL, no file paths beyond
// Open, no transactions exposed. A backend is judged by tests/store's conformance suite.
//
// Guarantees every backend gives:
//  * Append writes one batch (leaves, their index entries, every newly completed
//    subtree hash, the checkpoint, private records) atomically, and when it returns OK
//    the batch is on stable storage (fsync). On failure nothing of the batch is visible.
//  * Reads see only whole batches.
// Thread safety: a Store may be used from many threads at once; Append calls are
// serialised by the caller (the ledger's sequencer is the only writer).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "crypto/sha256.h"
#include "log/merkle.h"

namespace aidtrace::store {

// What identifies a log; written once by Create.
struct LogMeta {
  std::string origin;    // checkpoint origin line, also the log key's name
  std::string log_vkey;  // verifier key of the log (C2SP form)
  std::string created;   // RFC 3339
  // Where the log's signer key lives (absolute path). The key itself never enters the
  // store; commands that sign checkpoints read it from here unless told otherwise.
  std::string log_key_file;
};

struct LeafRecord {
  std::string data;  // leaf bytes as logged
  crypto::Hash event_id{};
  std::string actor;
  std::string nonce;
};

struct PrivateRecord {
  uint64_t seq = 0;
  std::string data;  // canonical JSON of the private record
};

// One atomic, durable write.
struct AppendBatch {
  uint64_t first_seq = 0;  // == Size() before the write
  std::vector<LeafRecord> leaves;
  std::vector<std::pair<log::NodeId, crypto::Hash>>
      nodes;                     // newly complete subtrees, level 0 = leaf hashes
  uint64_t checkpoint_size = 0;  // == first_seq + leaves.size()
  std::string checkpoint;        // signed note
  std::vector<PrivateRecord> privates;
};

struct NonceRecord {
  uint64_t seq = 0;
  crypto::Hash event_id{};
};

// An API token of the HTTP server (src/server). Only the SHA-256 of the token's text
// is stored: the text itself is shown once, when it is created.
struct ApiToken {
  crypto::Hash hash{};  // SHA-256 of the token text
  std::string party;    // the party the token reads for
  std::string role;     // the role it reads as (one of the party's roles)
  std::string created;  // RFC 3339
  std::string revoked;  // RFC 3339 when revoked; empty while valid
};

// A stored version of a sanctions list (`aidtrace lists import`, POST /v1/watchlists):
// the entities the importer read from the publisher's file, kept so the screening index
// can be rebuilt after a restart and a new version diffed against the old one. Keyed by
// the SHA-256 of the published file, which the watchlist.load event records.
struct ListFile {
  std::string sha256;   // "sha256:<hex>" of the file as published
  std::string list;     // the list id (watchlist.load's `list`)
  std::string format;   // the importer's format name ("un-xml", "ofac-csv", "ftm-jsonl"...)
  int64_t entries = 0;  // number of entities
  std::string added;    // RFC 3339
  std::string data;     // the entities, one canonical JSON document per line
};

struct OpenOptions {
  bool create_if_missing = false;
  size_t reader_connections = 4;
  // Page cache per connection, in KiB (SQLite); a backend may ignore it.
  size_t cache_kib = size_t{64} * 1024;
};

class Store : public log::HashReader {
 public:
  ~Store() override = default;

  // Opens (or with create_if_missing, creates) the SQLite store at `path`. Every write
  // and fsync goes through `env`. kIoError when the file cannot be opened, kCorrupt when
  // it is not an aidtrace store.
  static Result<std::unique_ptr<Store>> OpenSqlite(Env& env, const std::string& path,
                                                   const OpenOptions& options = {});

  // Opens the store at `location`, choosing the backend from its form: a file path is an
  // SQLite store (the embedded default). Server stores (postgresql://…) join here with
  // their backend; until then such a location is kInvalidArgument, named as unsupported.
  static Result<std::unique_ptr<Store>> Open(Env& env, const std::string& location,
                                             const OpenOptions& options = {});

  // Writes the log's identity into an empty store. kInvalidArgument if already set.
  virtual Status Initialize(const LogMeta& meta) = 0;
  // kNotFound when the store was never initialised.
  virtual Result<LogMeta> Meta() = 0;

  // Number of leaves.
  virtual Result<uint64_t> Size() = 0;
  // Atomic and durable; see the guarantees above. kInvalidArgument when first_seq is not
  // the current size; kIoError when the engine fails (nothing written).
  virtual Status Append(const AppendBatch& batch) = 0;

  virtual Result<std::string> ReadLeaf(uint64_t seq) = 0;
  // Calls `fn` for each leaf in [from, to) in order; stops at the first non-OK status.
  virtual Status ScanLeaves(uint64_t from, uint64_t to,
                            const std::function<Status(uint64_t, std::string_view)>& fn) = 0;
  // Calls `fn` for each stored hash of `level` with index in [from, to), in order.
  virtual Status ScanHashes(uint32_t level, uint64_t from, uint64_t to,
                            const std::function<Status(uint64_t, const crypto::Hash&)>& fn) = 0;

  // The event that used (actor, nonce), if any.
  virtual Result<std::optional<NonceRecord>> FindNonce(std::string_view actor,
                                                       std::string_view nonce) = 0;
  // FindNonce for many pairs in one read transaction (the sequencer's hot path: one
  // lock round-trip per group commit instead of one per event). out[i] answers keys[i].
  using NonceKey = std::pair<std::string_view, std::string_view>;  // (actor, nonce)
  virtual Status FindNonces(std::span<const NonceKey> keys,
                            std::vector<std::optional<NonceRecord>>& out) = 0;

  // The first checkpoint whose size is > seq (the one a receipt for seq carries).
  virtual Result<std::string> CheckpointCovering(uint64_t seq) = 0;
  // The checkpoint at exactly `size`, if one was stored.
  virtual Result<std::optional<std::string>> CheckpointAt(uint64_t size) = 0;
  virtual Status ScanCheckpoints(const std::function<Status(uint64_t, std::string_view)>& fn) = 0;

  virtual Result<std::optional<std::string>> ReadPrivate(uint64_t seq) = 0;
  // Deletes the private record of event `seq` (a person's right to erasure). The log
  // keeps only the record's salted hash, so it stays verifiable. kNotFound if none.
  virtual Status ErasePrivate(uint64_t seq) = 0;

  // State snapshots: the state machine's serialised state after the first `size`
  // leaves, so a restart replays only what came after. Durable on OK; the store keeps
  // the two newest.
  virtual Status PutSnapshot(uint64_t size, std::string_view data) = 0;
  // The newest snapshot at or below `max_size`, if any: (size, data).
  virtual Result<std::optional<std::pair<uint64_t, std::string>>> LatestSnapshot(
      uint64_t max_size) = 0;

  // API tokens (the server's bearer tokens). Durable on OK. PutToken: kInvalidArgument
  // when a token with this hash exists. RevokeToken: records `when` (RFC 3339);
  // kNotFound when no such token; revoking twice keeps the first time.
  virtual Status PutToken(const ApiToken& token) = 0;
  virtual Result<std::optional<ApiToken>> FindToken(const crypto::Hash& hash) = 0;
  virtual Status RevokeToken(const crypto::Hash& hash, std::string_view when) = 0;
  // Every token, in the order of their hashes.
  virtual Status ScanTokens(const std::function<Status(const ApiToken&)>& fn) = 0;

  // Sanctions list versions. PutListFile keeps the first file stored under a hash (a
  // second put of the same hash is OK and changes nothing). Durable on OK.
  virtual Status PutListFile(const ListFile& file) = 0;
  virtual Result<std::optional<ListFile>> FindListFile(std::string_view sha256) = 0;

  // log::HashReader: stored perfect-subtree hashes.
  Status ReadHashes(std::span<const log::NodeId> ids, std::span<crypto::Hash> out) override = 0;
};

}  // namespace aidtrace::store
