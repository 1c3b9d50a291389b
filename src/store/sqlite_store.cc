// The SQLite backend of Store. One writer connection (the ledger's sequencer is the
// only writer) and a small pool of reader connections; WAL mode so readers never block
// the writer; synchronous=FULL so a commit returns only after the WAL is fsynced.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "store/internal/sqlite_vfs.h"
#include "store/store.h"

namespace aidtrace::store {
namespace {

constexpr std::string_view kFormat = "aidtrace-sqlite-1";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leaves(seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS nonces(actor TEXT NOT NULL, nonce TEXT NOT NULL, seq INTEGER NOT NULL,
                                  id BLOB NOT NULL, PRIMARY KEY(actor, nonce)) WITHOUT ROWID;
-- Subtree hashes of level >= 1 (level 0, the leaf hashes, live in leaves.hash).
CREATE TABLE IF NOT EXISTS hashes(level INTEGER NOT NULL, idx INTEGER NOT NULL,
                                  hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS private(seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots(size INTEGER PRIMARY KEY, data BLOB NOT NULL);
)sql";

// Added after the first format: created on every open, so older stores gain it.
constexpr const char* kTokensSchema = R"sql(
CREATE TABLE IF NOT EXISTS tokens(hash BLOB PRIMARY KEY, party TEXT NOT NULL, role TEXT NOT NULL,
                                  created TEXT NOT NULL, revoked TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_files(sha256 TEXT PRIMARY KEY, list TEXT NOT NULL,
                                      format TEXT NOT NULL, entries INTEGER NOT NULL,
                                      added TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID;
)sql";

Status SqlError(sqlite3* db, std::string_view what) {
  const int rc = sqlite3_extended_errcode(db);
  const ErrorCode code = (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB
                             ? ErrorCode::kCorrupt
                             : ErrorCode::kIoError;
  return Status(code, fmt::format("{}: {} (SQLite {})", what, sqlite3_errmsg(db), rc));
}

// A connection with its cached prepared statements.
class Conn {
 public:
  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    for (auto& [sql, st] : stmts_) sqlite3_finalize(st);
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  Status Open(const std::string& path, const std::string& vfs, int flags, size_t cache_kib) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, vfs.c_str()) !=
        SQLITE_OK) {
      Status s = db_ != nullptr ? SqlError(db_, fmt::format("cannot open {}", path))
                                : Status(ErrorCode::kIoError, fmt::format("cannot open {}", path));
      if ((sqlite3_errcode(db_) & 0xff) == SQLITE_CANTOPEN) {
        s = Status(ErrorCode::kNotFound,
                   fmt::format("no store at {} (create one with `aidtrace init`)", path));
      }
      return s;
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 10000);
    RETURN_IF_ERROR(Exec(fmt::format("PRAGMA cache_size=-{}", cache_kib)));
    // Readers map the file: a page that is in the OS cache costs no read() call.
    RETURN_IF_ERROR(Exec("PRAGMA mmap_size=68719476736"));
    return Status::Ok();
  }

  Status Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      Status s = SqlError(db_, sql.substr(0, 40));
      sqlite3_free(err);
      return s;
    }
    return Status::Ok();
  }

  // Returns a reset prepared statement for `sql` (cached).
  Result<sqlite3_stmt*> Prepare(const char* sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
      return SqlError(db_, "prepare");
    }
    stmts_.emplace(sql, st);
    return st;
  }

  // A read transaction over several statements (one snapshot, one lock round-trip),
  // through cached prepared statements. End it with EndRead on every path.
  Status BeginRead() {
    ASSIGN_OR_RETURN(sqlite3_stmt * st, Prepare("BEGIN"));
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? Status::Ok() : SqlError(db_, "begin read");
  }
  void EndRead() {
    auto st = Prepare("COMMIT");
    if (st.ok()) {
      sqlite3_step(*st);
      sqlite3_reset(*st);
    }
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  sqlite3* db() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

// Resets a statement when leaving scope so it holds no read snapshot.
struct ResetOnExit {
  sqlite3_stmt* st;
  ~ResetOnExit() { sqlite3_reset(st); }
};

std::string_view ColText(sqlite3_stmt* st, int i) {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
  return {p == nullptr ? "" : p, static_cast<size_t>(sqlite3_column_bytes(st, i))};
}

// SQLite integers are signed: clamp unsigned bounds (UINT64_MAX means "no bound").
int64_t Bound(uint64_t v) {
  return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
}

bool ColHash(sqlite3_stmt* st, int i, crypto::Hash& out) {
  if (sqlite3_column_bytes(st, i) != static_cast<int>(out.size())) return false;
  std::memcpy(out.data(), sqlite3_column_blob(st, i), out.size());
  return true;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(Env& env, std::string path, std::string vfs)
      : env_(env), path_(std::move(path)), vfs_(std::move(vfs)) {}
  ~SqliteStore() override {
    writer_.reset();
    readers_.clear();
    internal::ReleaseEnvVfs(env_);
  }

  Status Open(const OpenOptions& options) {
    int flags = SQLITE_OPEN_READWRITE;
    if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
    writer_ = std::make_unique<Conn>();
    RETURN_IF_ERROR(writer_->Open(path_, vfs_, flags, options.cache_kib));
    // Is this an aidtrace store (or an empty file we may initialise)?
    RETURN_IF_ERROR(CheckFormat(options.create_if_missing));
    RETURN_IF_ERROR(writer_->Exec("PRAGMA journal_mode=WAL"));
    RETURN_IF_ERROR(writer_->Exec("PRAGMA synchronous=FULL"));
    if (options.create_if_missing) {
      RETURN_IF_ERROR(writer_->Exec(
          std::string("BEGIN IMMEDIATE;") + kSchema +
          fmt::format("INSERT OR IGNORE INTO meta VALUES('format','{}');", kFormat) + "COMMIT;"));
    }
    RETURN_IF_ERROR(writer_->Exec(kTokensSchema));
    for (size_t i = 0; i < std::max<size_t>(1, options.reader_connections); ++i) {
      auto c = std::make_unique<Conn>();
      RETURN_IF_ERROR(c->Open(path_, vfs_, SQLITE_OPEN_READWRITE, options.cache_kib / 4 + 1));
      idle_.push_back(c.get());
      readers_.push_back(std::move(c));
    }
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     writer_->Prepare("SELECT COALESCE(MAX(seq) + 1, 0) FROM leaves"));
    ResetOnExit r{st};
    if (sqlite3_step(st) != SQLITE_ROW) return SqlError(writer_->db(), "read size");
    size_ = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
    return Status::Ok();
  }

  Status Initialize(const LogMeta& meta) override {
    std::lock_guard lock(write_mu_);
    auto existing = MetaLocked(*writer_);
    if (existing.ok()) {
      return Status(ErrorCode::kInvalidArgument, "the store is already initialised");
    }
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = [&]() -> Status {
      for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"origin", &meta.origin},
                                 {"log_vkey", &meta.log_vkey},
                                 {"created", &meta.created},
                                 {"log_key_file", &meta.log_key_file}}) {
        ASSIGN_OR_RETURN(sqlite3_stmt * st, writer_->Prepare("INSERT INTO meta VALUES(?, ?)"));
        ResetOnExit r{st};
        sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, v->data(), static_cast<int>(v->size()), SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) return SqlError(writer_->db(), "write meta");
      }
      return writer_->Exec("COMMIT");
    }();
    if (!s.ok()) Rollback();
    return s;
  }

  Result<LogMeta> Meta() override {
    auto lease = Lease();
    return MetaLocked(*lease.conn);
  }

  Result<uint64_t> Size() override { return size_.load(); }

  Status Append(const AppendBatch& b) override {
    std::lock_guard lock(write_mu_);
    if (b.first_seq != size_.load()) {
      return Status(
          ErrorCode::kInvalidArgument,
          fmt::format("append at {} but the log has {} leaves", b.first_seq, size_.load()));
    }
    if (b.checkpoint_size != b.first_seq + b.leaves.size()) {
      return Status(ErrorCode::kInvalidArgument, "checkpoint size does not match the batch");
    }
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = WriteBatch(b);
    if (s.ok()) s = writer_->Exec("COMMIT");
    if (!s.ok()) {
      Rollback();
      return s.WithContext("append failed, nothing was written");
    }
    size_.store(b.checkpoint_size);
    return Status::Ok();
  }

  Result<std::string> ReadLeaf(uint64_t seq) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     lease.conn->Prepare("SELECT data FROM leaves WHERE seq = ?"));
    ResetOnExit r{st};
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(seq));
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return std::string(ColText(st, 0));
    if (rc == SQLITE_DONE) {
      return Status(ErrorCode::kNotFound,
                    fmt::format("no leaf {} (the log has {})", seq, size_.load()));
    }
    return SqlError(lease.conn->db(), "read leaf");
  }

  Status ScanLeaves(uint64_t from, uint64_t to,
                    const std::function<Status(uint64_t, std::string_view)>& fn) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     lease.conn->Prepare("SELECT seq, data FROM leaves WHERE seq >= ? AND seq < ? "
                                         "ORDER BY seq"));
    ResetOnExit r{st};
    sqlite3_bind_int64(st, 1, Bound(from));
    sqlite3_bind_int64(st, 2, Bound(to));
    for (;;) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return SqlError(lease.conn->db(), "scan leaves");
      RETURN_IF_ERROR(fn(static_cast<uint64_t>(sqlite3_column_int64(st, 0)), ColText(st, 1)));
    }
  }

  Status ScanHashes(uint32_t level, uint64_t from, uint64_t to,
                    const std::function<Status(uint64_t, const crypto::Hash&)>& fn) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     lease.conn->Prepare(
                         level == 0 ? "SELECT seq, hash FROM leaves WHERE ?1 = 0 AND seq >= ?2 "
                                      "AND seq < ?3 ORDER BY seq"
                                    : "SELECT idx, hash FROM hashes WHERE level = ?1 AND idx >= ?2 "
                                      "AND idx < ?3 ORDER BY idx"));
    ResetOnExit r{st};
    sqlite3_bind_int64(st, 1, level);
    sqlite3_bind_int64(st, 2, Bound(from));
    sqlite3_bind_int64(st, 3, Bound(to));
    crypto::Hash h;
    for (;;) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return SqlError(lease.conn->db(), "scan hashes");
      const auto idx = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
      if (!ColHash(st, 1, h)) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("stored hash at level {} index {} is not 32 bytes", level, idx));
      }
      RETURN_IF_ERROR(fn(idx, h));
    }
  }

  Result<std::optional<NonceRecord>> FindNonce(std::string_view actor,
                                               std::string_view nonce) override {
    const NonceKey key{actor, nonce};
    std::vector<std::optional<NonceRecord>> out;
    RETURN_IF_ERROR(FindNonces(std::span(&key, 1), out));
    return out[0];
  }

  Status FindNonces(std::span<const NonceKey> keys,
                    std::vector<std::optional<NonceRecord>>& out) override {
    out.assign(keys.size(), std::nullopt);
    if (keys.empty()) return Status::Ok();
    auto lease = Lease();
    RETURN_IF_ERROR(lease.conn->BeginRead());
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(
          sqlite3_stmt * st,
          lease.conn->Prepare("SELECT seq, id FROM nonces WHERE actor = ? AND nonce = ?"));
      ResetOnExit r{st};
      for (size_t i = 0; i < keys.size(); ++i) {
        sqlite3_reset(st);
        const auto& [actor, nonce] = keys[i];
        sqlite3_bind_text(st, 1, actor.data(), static_cast<int>(actor.size()), SQLITE_STATIC);
        sqlite3_bind_text(st, 2, nonce.data(), static_cast<int>(nonce.size()), SQLITE_STATIC);
        const int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
          NonceRecord n;
          n.seq = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
          if (!ColHash(st, 1, n.event_id)) {
            return Status(ErrorCode::kCorrupt, "stored event id is not 32 bytes");
          }
          out[i] = n;
        } else if (rc != SQLITE_DONE) {
          return SqlError(lease.conn->db(), "find nonces");
        }
      }
      return Status::Ok();
    }();
    lease.conn->EndRead();
    return s;
  }

  Result<std::string> CheckpointCovering(uint64_t seq) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     lease.conn->Prepare("SELECT note FROM checkpoints WHERE size > ? "
                                         "ORDER BY size LIMIT 1"));
    ResetOnExit r{st};
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(seq));
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return std::string(ColText(st, 0));
    if (rc == SQLITE_DONE) {
      return Status(ErrorCode::kNotFound, fmt::format("no checkpoint covers leaf {}", seq));
    }
    return SqlError(lease.conn->db(), "read checkpoint");
  }

  Result<std::optional<std::string>> CheckpointAt(uint64_t size) override {
    return ReadOptionalText("SELECT note FROM checkpoints WHERE size = ?", size, "read checkpoint");
  }

  Status ScanCheckpoints(const std::function<Status(uint64_t, std::string_view)>& fn) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     lease.conn->Prepare("SELECT size, note FROM checkpoints ORDER BY size"));
    ResetOnExit r{st};
    for (;;) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return SqlError(lease.conn->db(), "scan checkpoints");
      RETURN_IF_ERROR(fn(static_cast<uint64_t>(sqlite3_column_int64(st, 0)), ColText(st, 1)));
    }
  }

  Result<std::optional<std::string>> ReadPrivate(uint64_t seq) override {
    return ReadOptionalText("SELECT data FROM private WHERE seq = ?", seq, "read private record");
  }

  Status ErasePrivate(uint64_t seq) override {
    std::lock_guard lock(write_mu_);
    ASSIGN_OR_RETURN(sqlite3_stmt * st, writer_->Prepare("DELETE FROM private WHERE seq = ?"));
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(seq));
    RETURN_IF_ERROR(Step(st, "erase private record"));
    if (sqlite3_changes(writer_->db()) == 0) {
      return Status(ErrorCode::kNotFound, fmt::format("event {} has no private record", seq));
    }
    return Status::Ok();
  }

  Status PutSnapshot(uint64_t size, std::string_view data) override {
    std::lock_guard lock(write_mu_);
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(
          sqlite3_stmt * put,
          writer_->Prepare("INSERT OR REPLACE INTO snapshots(size, data) VALUES(?, ?)"));
      sqlite3_bind_int64(put, 1, static_cast<int64_t>(size));
      sqlite3_bind_blob(put, 2, data.data(), static_cast<int>(data.size()), SQLITE_STATIC);
      RETURN_IF_ERROR(Step(put, "write snapshot"));
      ASSIGN_OR_RETURN(sqlite3_stmt * prune,
                       writer_->Prepare("DELETE FROM snapshots WHERE size NOT IN (SELECT size FROM "
                                        "snapshots ORDER BY size DESC LIMIT 2)"));
      RETURN_IF_ERROR(Step(prune, "prune snapshots"));
      return writer_->Exec("COMMIT");
    }();
    if (!s.ok()) Rollback();
    return s;
  }

  Result<std::optional<std::pair<uint64_t, std::string>>> LatestSnapshot(
      uint64_t max_size) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(
        sqlite3_stmt * st,
        lease.conn->Prepare("SELECT size, data FROM snapshots WHERE size <= ? ORDER BY "
                            "size DESC LIMIT 1"));
    ResetOnExit r{st};
    sqlite3_bind_int64(st, 1, Bound(max_size));
    const int rc = sqlite3_step(st);
    using Out = std::optional<std::pair<uint64_t, std::string>>;
    if (rc == SQLITE_ROW) {
      return Out(std::in_place, static_cast<uint64_t>(sqlite3_column_int64(st, 0)),
                 std::string(ColText(st, 1)));
    }
    if (rc == SQLITE_DONE) return Out();
    return SqlError(lease.conn->db(), "read snapshot");
  }

  Status PutToken(const ApiToken& t) override {
    std::lock_guard lock(write_mu_);
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     writer_->Prepare("INSERT OR IGNORE INTO tokens(hash, party, role, created, "
                                      "revoked) VALUES(?, ?, ?, ?, NULLIF(?, ''))"));
    sqlite3_bind_blob(st, 1, t.hash.data(), static_cast<int>(t.hash.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t.party.data(), static_cast<int>(t.party.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, t.role.data(), static_cast<int>(t.role.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 4, t.created.data(), static_cast<int>(t.created.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 5, t.revoked.data(), static_cast<int>(t.revoked.size()), SQLITE_STATIC);
    RETURN_IF_ERROR(Step(st, "write token"));
    if (sqlite3_changes(writer_->db()) == 0) {
      return Status(ErrorCode::kInvalidArgument, "a token with this hash already exists");
    }
    return Status::Ok();
  }

  Result<std::optional<ApiToken>> FindToken(const crypto::Hash& hash) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     lease.conn->Prepare("SELECT hash, party, role, created, COALESCE(revoked, '') "
                                         "FROM tokens WHERE hash = ?"));
    ResetOnExit r{st};
    sqlite3_bind_blob(st, 1, hash.data(), static_cast<int>(hash.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return std::optional<ApiToken>();
    if (rc != SQLITE_ROW) return SqlError(lease.conn->db(), "read token");
    return std::optional<ApiToken>(TokenRow(st));
  }

  Status RevokeToken(const crypto::Hash& hash, std::string_view when) override {
    std::lock_guard lock(write_mu_);
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     writer_->Prepare("UPDATE tokens SET revoked = COALESCE(revoked, ?) "
                                      "WHERE hash = ?"));
    sqlite3_bind_text(st, 1, when.data(), static_cast<int>(when.size()), SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash.data(), static_cast<int>(hash.size()), SQLITE_STATIC);
    RETURN_IF_ERROR(Step(st, "revoke token"));
    if (sqlite3_changes(writer_->db()) == 0) {
      return Status(ErrorCode::kNotFound, "no such token");
    }
    return Status::Ok();
  }

  Status ScanTokens(const std::function<Status(const ApiToken&)>& fn) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     lease.conn->Prepare("SELECT hash, party, role, created, COALESCE(revoked, '') "
                                         "FROM tokens ORDER BY hash"));
    ResetOnExit r{st};
    for (;;) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return SqlError(lease.conn->db(), "scan tokens");
      RETURN_IF_ERROR(fn(TokenRow(st)));
    }
  }

  Status PutListFile(const ListFile& f) override {
    std::lock_guard lock(write_mu_);
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     writer_->Prepare("INSERT OR IGNORE INTO list_files(sha256, list, format, "
                                      "entries, added, data) VALUES(?, ?, ?, ?, ?, ?)"));
    sqlite3_bind_text(st, 1, f.sha256.data(), static_cast<int>(f.sha256.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f.list.data(), static_cast<int>(f.list.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f.format.data(), static_cast<int>(f.format.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, f.entries);
    sqlite3_bind_text(st, 5, f.added.data(), static_cast<int>(f.added.size()), SQLITE_STATIC);
    sqlite3_bind_blob64(st, 6, f.data.data(), f.data.size(), SQLITE_STATIC);
    return Step(st, "write list file");
  }

  Result<std::optional<ListFile>> FindListFile(std::string_view sha256) override {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     lease.conn->Prepare("SELECT sha256, list, format, entries, added, data "
                                         "FROM list_files WHERE sha256 = ?"));
    ResetOnExit r{st};
    sqlite3_bind_text(st, 1, sha256.data(), static_cast<int>(sha256.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return std::optional<ListFile>();
    if (rc != SQLITE_ROW) return SqlError(lease.conn->db(), "read list file");
    ListFile f;
    f.sha256 = std::string(ColText(st, 0));
    f.list = std::string(ColText(st, 1));
    f.format = std::string(ColText(st, 2));
    f.entries = sqlite3_column_int64(st, 3);
    f.added = std::string(ColText(st, 4));
    f.data = std::string(ColText(st, 5));
    return std::optional<ListFile>(std::move(f));
  }

  Status ReadHashes(std::span<const log::NodeId> ids, std::span<crypto::Hash> out) override {
    auto lease = Lease();
    if (ids.size() > 1) {
      RETURN_IF_ERROR(lease.conn->BeginRead());
      Status s = ReadHashesIn(*lease.conn, ids, out);
      lease.conn->EndRead();
      return s;
    }
    return ReadHashesIn(*lease.conn, ids, out);
  }

 private:
  Status ReadHashesIn(Conn& conn, std::span<const log::NodeId> ids, std::span<crypto::Hash> out) {
    auto* lease_conn = &conn;
    struct {
      Conn* conn;
    } lease{lease_conn};
    ASSIGN_OR_RETURN(sqlite3_stmt * node,
                     lease.conn->Prepare("SELECT hash FROM hashes WHERE level = ?1 AND idx = ?2"));
    ResetOnExit r1{node};
    ASSIGN_OR_RETURN(sqlite3_stmt * leaf,
                     lease.conn->Prepare("SELECT hash FROM leaves WHERE ?1 = 0 AND seq = ?2"));
    ResetOnExit r2{leaf};
    for (size_t i = 0; i < ids.size(); ++i) {
      sqlite3_stmt* st = ids[i].level == 0 ? leaf : node;
      sqlite3_reset(st);
      sqlite3_bind_int64(st, 1, ids[i].level);
      sqlite3_bind_int64(st, 2, static_cast<int64_t>(ids[i].index));
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) {
        return Status(ErrorCode::kCorrupt, fmt::format("stored hash missing at level {} index {}",
                                                       ids[i].level, ids[i].index));
      }
      if (rc != SQLITE_ROW) return SqlError(lease.conn->db(), "read hash");
      if (!ColHash(st, 0, out[i])) {
        return Status(ErrorCode::kCorrupt, fmt::format("stored hash at level {} index {} is not "
                                                       "32 bytes",
                                                       ids[i].level, ids[i].index));
      }
    }
    return Status::Ok();
  }

  // Runs a one-key query on a reader connection: the first column of its row, if any.
  Result<std::optional<std::string>> ReadOptionalText(const char* sql, uint64_t key,
                                                      std::string_view what) {
    auto lease = Lease();
    ASSIGN_OR_RETURN(sqlite3_stmt * st, lease.conn->Prepare(sql));
    ResetOnExit r{st};
    sqlite3_bind_int64(st, 1, Bound(key));
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return std::optional<std::string>(std::string(ColText(st, 0)));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return SqlError(lease.conn->db(), what);
  }

  // A reader connection checked out of the pool for one call.
  struct ReaderLease {
    SqliteStore* store;
    Conn* conn;
    ReaderLease(SqliteStore* s, Conn* c) : store(s), conn(c) {}
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    ~ReaderLease() {
      {
        std::lock_guard lock(store->pool_mu_);
        store->idle_.push_back(conn);
      }
      store->pool_cv_.notify_one();
    }
  };

  ReaderLease Lease() {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_.empty(); });
    Conn* c = idle_.back();
    idle_.pop_back();
    return ReaderLease(this, c);
  }

  Status CheckFormat(bool may_create) {
    ASSIGN_OR_RETURN(sqlite3_stmt * st,
                     writer_->Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'"));
    int64_t tables = 0;
    {
      ResetOnExit r{st};
      if (sqlite3_step(st) != SQLITE_ROW) {
        return Status(ErrorCode::kCorrupt, fmt::format("{} is not an aidtrace store", path_));
      }
      tables = sqlite3_column_int64(st, 0);
    }
    if (tables == 0) {
      if (may_create) return Status::Ok();
      return Status(ErrorCode::kCorrupt, fmt::format("{} is empty, not an aidtrace store", path_));
    }
    auto format = GetMeta(*writer_, "format");
    if (!format.ok() || *format != kFormat) {
      return Status(ErrorCode::kCorrupt,
                    fmt::format("{} is not an aidtrace store (format {})", path_, kFormat));
    }
    return Status::Ok();
  }

  Result<std::string> GetMeta(Conn& c, const char* key) {
    ASSIGN_OR_RETURN(sqlite3_stmt * st, c.Prepare("SELECT value FROM meta WHERE key = ?"));
    ResetOnExit r{st};
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return std::string(ColText(st, 0));
    if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound, fmt::format("meta {} not set", key));
    return SqlError(c.db(), "read meta");
  }

  Result<LogMeta> MetaLocked(Conn& c) {
    LogMeta m;
    auto origin = GetMeta(c, "origin");
    if (!origin.ok()) {
      return Status(ErrorCode::kNotFound, "the store is not initialised (run `aidtrace init`)");
    }
    m.origin = *origin;
    ASSIGN_OR_RETURN(m.log_vkey, GetMeta(c, "log_vkey"));
    ASSIGN_OR_RETURN(m.created, GetMeta(c, "created"));
    ASSIGN_OR_RETURN(m.log_key_file, GetMeta(c, "log_key_file"));
    return m;
  }

  Status Step(sqlite3_stmt* st, std::string_view what) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return SqlError(writer_->db(), what);
    return Status::Ok();
  }

  Status WriteBatch(const AppendBatch& b) {
    // Level-0 nodes (leaf hashes) are stored in the leaf's row; one per leaf, required.
    std::vector<const crypto::Hash*> leaf_hash(b.leaves.size(), nullptr);
    for (const auto& [id, h] : b.nodes) {
      if (id.level != 0) continue;
      if (id.index < b.first_seq || id.index - b.first_seq >= b.leaves.size()) {
        return Status(ErrorCode::kInvalidArgument,
                      fmt::format("leaf hash {} is outside the batch", id.index));
      }
      leaf_hash[id.index - b.first_seq] = &h;
    }
    ASSIGN_OR_RETURN(sqlite3_stmt * leaf,
                     writer_->Prepare("INSERT INTO leaves(seq, hash, data) VALUES(?, ?, ?)"));
    ASSIGN_OR_RETURN(
        sqlite3_stmt * nonce,
        writer_->Prepare("INSERT INTO nonces(actor, nonce, seq, id) VALUES(?, ?, ?, ?)"));
    for (size_t i = 0; i < b.leaves.size(); ++i) {
      const LeafRecord& l = b.leaves[i];
      const auto seq = static_cast<int64_t>(b.first_seq + i);
      if (leaf_hash[i] == nullptr) {
        return Status(ErrorCode::kInvalidArgument, fmt::format("no leaf hash for leaf {}", seq));
      }
      sqlite3_bind_int64(leaf, 1, seq);
      sqlite3_bind_blob(leaf, 2, leaf_hash[i]->data(), 32, SQLITE_STATIC);
      sqlite3_bind_blob(leaf, 3, l.data.data(), static_cast<int>(l.data.size()), SQLITE_STATIC);
      RETURN_IF_ERROR(Step(leaf, "insert leaf"));
      sqlite3_bind_text(nonce, 1, l.actor.data(), static_cast<int>(l.actor.size()), SQLITE_STATIC);
      sqlite3_bind_text(nonce, 2, l.nonce.data(), static_cast<int>(l.nonce.size()), SQLITE_STATIC);
      sqlite3_bind_int64(nonce, 3, seq);
      sqlite3_bind_blob(nonce, 4, l.event_id.data(), static_cast<int>(l.event_id.size()),
                        SQLITE_STATIC);
      RETURN_IF_ERROR(Step(nonce, "insert nonce"));
    }
    ASSIGN_OR_RETURN(sqlite3_stmt * hash,
                     writer_->Prepare("INSERT INTO hashes(level, idx, hash) VALUES(?, ?, ?)"));
    for (const auto& [id, h] : b.nodes) {
      if (id.level == 0) continue;
      sqlite3_bind_int64(hash, 1, id.level);
      sqlite3_bind_int64(hash, 2, static_cast<int64_t>(id.index));
      sqlite3_bind_blob(hash, 3, h.data(), static_cast<int>(h.size()), SQLITE_STATIC);
      RETURN_IF_ERROR(Step(hash, "insert hash"));
    }
    ASSIGN_OR_RETURN(sqlite3_stmt * cp,
                     writer_->Prepare("INSERT INTO checkpoints(size, note) VALUES(?, ?)"));
    sqlite3_bind_int64(cp, 1, static_cast<int64_t>(b.checkpoint_size));
    sqlite3_bind_text(cp, 2, b.checkpoint.data(), static_cast<int>(b.checkpoint.size()),
                      SQLITE_STATIC);
    RETURN_IF_ERROR(Step(cp, "insert checkpoint"));
    ASSIGN_OR_RETURN(sqlite3_stmt * priv,
                     writer_->Prepare("INSERT INTO private(seq, data) VALUES(?, ?)"));
    for (const PrivateRecord& p : b.privates) {
      sqlite3_bind_int64(priv, 1, static_cast<int64_t>(p.seq));
      sqlite3_bind_blob(priv, 2, p.data.data(), static_cast<int>(p.data.size()), SQLITE_STATIC);
      RETURN_IF_ERROR(Step(priv, "insert private record"));
    }
    return Status::Ok();
  }

  static ApiToken TokenRow(sqlite3_stmt* st) {
    ApiToken t;
    if (!ColHash(st, 0, t.hash)) t.hash = {};
    t.party = std::string(ColText(st, 1));
    t.role = std::string(ColText(st, 2));
    t.created = std::string(ColText(st, 3));
    t.revoked = std::string(ColText(st, 4));
    return t;
  }

  void Rollback() {
    if (sqlite3_get_autocommit(writer_->db()) == 0) {
      sqlite3_exec(writer_->db(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }

  Env& env_;
  const std::string path_;
  const std::string vfs_;
  std::mutex write_mu_;
  std::unique_ptr<Conn> writer_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Conn>> readers_;
  std::vector<Conn*> idle_;
  std::atomic<uint64_t> size_{0};
};

}  // namespace

Result<std::unique_ptr<Store>> Store::OpenSqlite(Env& env, const std::string& path,
                                                 const OpenOptions& options) {
  ASSIGN_OR_RETURN(std::string vfs, internal::AcquireEnvVfs(env));
  auto store = std::make_unique<SqliteStore>(env, path, std::move(vfs));
  RETURN_IF_ERROR(store->Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace aidtrace::store
