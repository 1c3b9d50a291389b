#include "ledger/ledger.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "base/parallel.h"
#include "log/checkpoint.h"

namespace aidtrace::ledger {
namespace {

constexpr size_t kReplayChunk = 4096;

struct HashHasher {
  size_t operator()(const crypto::Hash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};

// Timestamps in the log are whole seconds and never go backwards.
std::string NextLogged(Env& env, const std::string& last) {
  Timestamp now = env.Now();
  now.nanos = 0;
  if (!last.empty()) {
    auto prev = ParseRfc3339(last);
    if (prev.ok() && prev->seconds > now.seconds) now.seconds = prev->seconds;
  }
  return FormatRfc3339(now);
}

// The leaf's own "logged" member is its last occurrence of this text: inside the event,
// a quote is always escaped, and after the member only the time and seq follow.
std::string LoggedOfLeaf(std::string_view leaf) {
  constexpr std::string_view kKey = R"(,"logged":")";
  const size_t at = leaf.rfind(kKey);
  if (at == std::string_view::npos) return {};
  const size_t start = at + kKey.size();
  const size_t end = leaf.find('"', start);
  return std::string(leaf.substr(start, end - start));
}

}  // namespace

// Subtree hashes at levels >= cache_level, in memory (loaded lazily on the first proof),
// in front of the store for everything below. A proof then reads at most cache_level
// hashes from the store.
class Ledger::HashCache final : public log::HashReader {
 public:
  HashCache(store::Store& store, uint32_t level) : store_(store), level_(level) {}

  Status ReadHashes(std::span<const log::NodeId> ids, std::span<crypto::Hash> out) override {
    RETURN_IF_ERROR(EnsureLoaded());
    std::vector<log::NodeId> miss_ids;
    std::vector<size_t> miss_pos;
    {
      std::shared_lock lock(mu_);
      for (size_t i = 0; i < ids.size(); ++i) {
        const auto& id = ids[i];
        if (id.level >= level_ && id.level - level_ < levels_.size() &&
            id.index < levels_[id.level - level_].size()) {
          out[i] = levels_[id.level - level_][id.index];
        } else {
          miss_ids.push_back(id);
          miss_pos.push_back(i);
        }
      }
    }
    if (miss_ids.empty()) return Status::Ok();
    std::vector<crypto::Hash> got(miss_ids.size());
    RETURN_IF_ERROR(store_.ReadHashes(miss_ids, got));
    for (size_t k = 0; k < miss_pos.size(); ++k) out[miss_pos[k]] = got[k];
    return Status::Ok();
  }

  // Records nodes completed by a durable append (idempotent, in index order per level).
  void Add(std::span<const std::pair<log::NodeId, crypto::Hash>> nodes) {
    std::unique_lock lock(mu_);
    if (!loaded_) return;  // the lazy load will read them from the store
    for (const auto& [id, h] : nodes) {
      if (id.level < level_) continue;
      const size_t l = id.level - level_;
      if (levels_.size() <= l) levels_.resize(l + 1);
      if (id.index == levels_[l].size()) levels_[l].push_back(h);
    }
  }

 private:
  Status EnsureLoaded() {
    {
      std::shared_lock lock(mu_);
      if (loaded_) return Status::Ok();
    }
    std::unique_lock lock(mu_);
    if (loaded_) return Status::Ok();
    for (uint32_t level = level_; level < 64; ++level) {
      std::vector<crypto::Hash> row;
      RETURN_IF_ERROR(
          store_.ScanHashes(level, 0, UINT64_MAX, [&](uint64_t idx, const crypto::Hash& h) {
            if (idx != row.size()) {
              return Status(
                  ErrorCode::kCorrupt,
                  fmt::format("stored hashes at level {} skip index {}", level, row.size()));
            }
            row.push_back(h);
            return Status::Ok();
          }));
      if (row.empty()) break;
      levels_.push_back(std::move(row));
    }
    loaded_ = true;
    return Status::Ok();
  }

  store::Store& store_;
  const uint32_t level_;
  std::shared_mutex mu_;
  bool loaded_ = false;
  std::vector<std::vector<crypto::Hash>> levels_;
};

struct Ledger::Writer {
  std::vector<Prepared>* items;
  std::vector<Result<event::Receipt>>* results;
  bool done = false;
  std::condition_variable cv;
};

Ledger::Ledger(Env& env, std::unique_ptr<store::Store> store, std::unique_ptr<StateMachine> state,
               std::optional<crypto::SignerKey> log_key, const LedgerOptions& options)
    : env_(env),
      store_(std::move(store)),
      state_(std::move(state)),
      log_key_(std::move(log_key)),
      options_(options),
      cache_(std::make_unique<HashCache>(*store_, options.hash_cache_level)) {}

Ledger::~Ledger() {
  // A clean close leaves a snapshot of the final state, so the next open replays nothing.
  if (!options_.read_only && stopped_.ok() && options_.snapshot_every > 0 && store_ != nullptr) {
    const uint64_t size = frontier_.size();
    if (size > last_snapshot_) (void)store_->PutSnapshot(size, state_->Snapshot());
  }
}

Status Ledger::Create(Env& env, const std::string& path, const std::string& origin,
                      const crypto::SignerKey& log_key, const std::string& log_key_file) {
  if (log_key.name != origin) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("the log key is named \"{}\" but the origin is \"{}\"; a checkpoint "
                              "key's name must equal the origin (keygen --name {})",
                              log_key.name, origin, origin));
  }
  if (env.FileExists(path)) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("{} already exists", path));
  }
  store::OpenOptions opts;
  opts.create_if_missing = true;
  opts.reader_connections = 1;
  ASSIGN_OR_RETURN(auto store, store::Store::Open(env, path, opts));
  store::LogMeta meta;
  meta.origin = origin;
  meta.log_vkey = crypto::FormatVerifierKey(crypto::VerifierOf(log_key));
  meta.created = FormatRfc3339(env.Now());
  meta.log_key_file = log_key_file;
  RETURN_IF_ERROR(store->Initialize(meta));
  store::AppendBatch empty;
  empty.checkpoint_size = 0;
  const crypto::SignerKey* keys[] = {&log_key};
  ASSIGN_OR_RETURN(
      empty.checkpoint,
      crypto::SignNote(log::FormatCheckpointBody({origin, 0, log::EmptyRoot(), {}}), keys));
  return store->Append(empty);
}

Result<std::unique_ptr<Ledger>> Ledger::Open(Env& env, const std::string& path,
                                             std::unique_ptr<StateMachine> state,
                                             std::optional<crypto::SignerKey> log_key,
                                             const LedgerOptions& options,
                                             const ProgressFn& progress) {
  ASSIGN_OR_RETURN(auto store, store::Store::Open(env, path));
  std::unique_ptr<Ledger> ledger(
      new Ledger(env, std::move(store), std::move(state), std::move(log_key), options));
  RETURN_IF_ERROR(ledger->Load(progress));
  return ledger;
}

namespace {

// Replays leaves [from, to) of `store` into `state`, decoding and hashing in parallel and
// applying in order. `on_leaf` sees each leaf after it was applied. With `trust`, the
// signatures are not re-verified (our own store, opened for use); without it every
// signature and rule is checked again.
using LeafFn =
    std::function<Status(uint64_t seq, std::string_view data, const crypto::Hash& leaf_hash)>;

Status Replay(store::Store& store, StateMachine& state, uint64_t start, uint64_t to, bool trust,
              const LeafFn& on_leaf, const ProgressFn& progress) {
  std::vector<std::string> datas;
  std::vector<Result<event::Leaf>> leaves;
  std::vector<crypto::Hash> hashes;
  std::vector<Result<std::vector<std::optional<crypto::PublicKey>>>> pre;
  // Chunks start small and double: keys that the first events add (genesis, admissions)
  // are known sooner, so fewer signatures wait for the serial stage.
  uint64_t chunk = 64;
  for (uint64_t from = start; from < to;
       from += chunk, chunk = std::min<uint64_t>(chunk * 2, kReplayChunk)) {
    const uint64_t end = std::min<uint64_t>(to, from + chunk);
    datas.clear();
    RETURN_IF_ERROR(store.ScanLeaves(from, end, [&](uint64_t seq, std::string_view d) {
      if (seq != from + datas.size()) {
        return Status(
            ErrorCode::kCorrupt,
            fmt::format("leaf {}: missing (the next stored leaf is {})", from + datas.size(), seq));
      }
      datas.emplace_back(d);
      return Status::Ok();
    }));
    if (datas.size() != end - from) {
      return Status(ErrorCode::kCorrupt, fmt::format("leaf {}: missing", from + datas.size()));
    }
    const size_t n = datas.size();
    leaves.assign(n, Status(ErrorCode::kInternal, "not decoded"));
    hashes.assign(n, {});
    pre.assign(n, Status(ErrorCode::kInternal, "not verified"));
    ParallelFor(n, DefaultThreads(), [&](size_t i) {
      hashes[i] = log::HashLeaf(AsBytes(datas[i]));
      leaves[i] = event::ParseLeaf(datas[i]);
      if (!trust && leaves[i].ok() && leaves[i]->envelope.type != "mechanism.genesis") {
        pre[i] = event::PreverifySignatures(leaves[i]->envelope, state);
      }
    });
    for (size_t i = 0; i < n; ++i) {
      const uint64_t seq = from + i;
      if (!leaves[i].ok()) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("leaf {}: {}", seq, leaves[i].status().message()));
      }
      event::Leaf& leaf = *leaves[i];
      if (leaf.seq != seq) {
        return Status(ErrorCode::kCorrupt, fmt::format("leaf {}: carries seq {}", seq, leaf.seq));
      }
      event::Submission sub;
      sub.envelope = std::move(leaf.envelope);
      std::vector<std::optional<crypto::PublicKey>> verified;
      if (trust) {
        verified.resize(sub.envelope.sigs.size());
        for (size_t k = 0; k < sub.envelope.sigs.size(); ++k) {
          const auto key = state.FindKey(sub.envelope.sigs[k].signer, sub.envelope.sigs[k].key_id);
          if (key.state == event::KeyState::kActive) verified[k] = key.key;
        }
      } else if (pre[i].ok()) {
        verified = std::move(*pre[i]);
      } else if (pre[i].status().code() != ErrorCode::kInternal) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("leaf {}: {}", seq, pre[i].status().ToString()));
      }
      const ApplyContext ctx{seq, leaf.logged};
      Status s = state.Authenticate(sub, verified, ctx);
      if (s.ok()) s = state.Apply(sub, ctx);
      if (!s.ok()) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("leaf {}: the logged event fails the rules on replay: {}", seq,
                                  s.ToString()));
      }
      if (on_leaf) RETURN_IF_ERROR(on_leaf(seq, datas[i], hashes[i]));
    }
    if (progress) progress(end, to);
  }
  return Status::Ok();
}

}  // namespace

Status Ledger::Load(const ProgressFn& progress) {
  ASSIGN_OR_RETURN(meta_, store_->Meta());
  ASSIGN_OR_RETURN(log_verifier_, crypto::ParseVerifierKey(meta_.log_vkey));
  if (log_key_.has_value() &&
      crypto::FormatVerifierKey(crypto::VerifierOf(*log_key_)) != meta_.log_vkey) {
    return Status(ErrorCode::kInvalidArgument,
                  "the log key given does not match the key this log was created with");
  }
  ASSIGN_OR_RETURN(const uint64_t size, store_->Size());
  ASSIGN_OR_RETURN(frontier_, log::Frontier::Load(size, *store_));
  ASSIGN_OR_RETURN(auto note, store_->CheckpointAt(size));
  if (!note.has_value()) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("no checkpoint stored at the log size {}", size));
  }
  latest_ = {size, std::move(*note)};
  if (options_.read_only) {
    stopped_ = Status(ErrorCode::kInvalidArgument, "the ledger was opened read-only");
    health_ = stopped_;
    return Status::Ok();
  }
  // Start from the newest snapshot, if any and usable, then replay what follows it.
  uint64_t start = 0;
  if (options_.use_snapshots) {
    ASSIGN_OR_RETURN(auto snap, store_->LatestSnapshot(size));
    if (snap.has_value() && state_->Restore(snap->second).ok()) {
      start = snap->first;
      last_snapshot_ = start;
    }
  }
  RETURN_IF_ERROR(Replay(*store_, *state_, start, size, /*trust=*/true, {}, progress));
  replayed_from_ = start;
  if (size > 0) {
    ASSIGN_OR_RETURN(std::string last, store_->ReadLeaf(size - 1));
    last_logged_ = LoggedOfLeaf(last);
  }
  return Status::Ok();
}

Result<Prepared> Ledger::Prepare(std::string_view submission) const {
  Prepared p;
  ASSIGN_OR_RETURN(p.sub, event::DecodeSubmission(submission, options_.decode));
  if (p.sub.envelope.type != "mechanism.genesis") {
    auto pre = event::PreverifySignatures(p.sub.envelope, *state_);
    if (!pre.ok()) {
      return pre.status().WithPathPrefix(p.sub.wrapped ? "/envelope" : "");
    }
    p.preverified = std::move(*pre);
  }
  return p;
}

std::vector<Result<event::Receipt>> Ledger::Submit(std::vector<Prepared> items,
                                                   const std::function<void()>& on_queued) {
  std::vector<Result<event::Receipt>> results(items.size(),
                                              Status(ErrorCode::kInternal, "not processed"));
  if (items.empty()) {
    if (on_queued) on_queued();
    return results;
  }
  Writer w;
  w.items = &items;
  w.results = &results;
  std::unique_lock lock(queue_mu_);
  writers_.push_back(&w);
  if (on_queued) on_queued();
  w.cv.wait(lock, [&] { return w.done || writers_.front() == &w; });
  if (w.done) return results;
  // This caller leads: it takes every queued group up to max_batch events.
  std::vector<Writer*> group;
  size_t n = 0;
  for (Writer* x : writers_) {
    if (!group.empty() && n + x->items->size() > options_.max_batch) break;
    group.push_back(x);
    n += x->items->size();
  }
  lock.unlock();
  ProcessGroup(group);
  lock.lock();
  for (Writer* x : group) {
    writers_.pop_front();
    x->done = true;
    if (x != &w) x->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return results;
}

Result<std::string> Ledger::SignCheckpoint(uint64_t size, const crypto::Hash& root) const {
  if (!log_key_.has_value()) {
    return Status(ErrorCode::kInvalidArgument, "no log key: this ledger is read-only");
  }
  const crypto::SignerKey* keys[] = {&*log_key_};
  return crypto::SignNote(log::FormatCheckpointBody({meta_.origin, size, root, {}}), keys);
}

void Ledger::ProcessGroup(std::vector<Writer*>& group) {
  Status refuse = stopped_;
  if (refuse.ok() && !log_key_.has_value()) {
    refuse = Status(ErrorCode::kInvalidArgument,
                    "no log key: this ledger is read-only (init records the key file; pass "
                    "--log-key if it moved)");
  }
  if (!refuse.ok()) {
    for (Writer* w : group) {
      for (auto& r : *w->results) r = refuse;
    }
    return;
  }

  const uint64_t base = frontier_.size();
  const std::string logged = NextLogged(env_, last_logged_);
  store::AppendBatch batch;
  batch.first_seq = base;
  struct Accepted {
    Result<event::Receipt>* result;
    uint64_t seq;
    crypto::Hash id;
    crypto::Hash leaf_hash;
  };
  std::vector<Accepted> accepted;
  std::vector<std::pair<Result<event::Receipt>*, size_t>> duplicates;  // -> index in accepted
  std::unordered_map<crypto::Hash, size_t, HashHasher> batch_ids;
  std::unordered_map<std::string, crypto::Hash> batch_nonces;

  // One read transaction for every (actor, nonce) of the group: a resubmission is found
  // by its nonce (an identical envelope has the same actor and nonce) and its id.
  std::vector<store::Store::NonceKey> keys;
  for (Writer* w : group) {
    for (const Prepared& item : *w->items) {
      keys.emplace_back(item.sub.envelope.actor, item.sub.envelope.nonce);
    }
  }
  std::vector<std::optional<store::NonceRecord>> stored;
  if (Status s = store_->FindNonces(keys, stored); !s.ok()) {
    for (Writer* w : group) {
      for (auto& r : *w->results) r = s;
    }
    return;
  }
  size_t key_index = 0;

  for (Writer* w : group) {
    for (size_t i = 0; i < w->items->size(); ++i) {
      Prepared& item = (*w->items)[i];
      Result<event::Receipt>& result = (*w->results)[i];
      const event::Envelope& env = item.sub.envelope;
      const std::optional<store::NonceRecord>& used = stored[key_index++];
      const std::string_view prefix = item.sub.wrapped ? "/envelope" : "";
      if (auto it = batch_ids.find(env.id); it != batch_ids.end()) {
        duplicates.emplace_back(&result, it->second);
        continue;
      }
      if (used.has_value() && used->event_id == env.id) {
        result = ExistingReceipt(used->seq);
        continue;
      }
      const uint64_t seq = base + batch.leaves.size();
      const ApplyContext ctx{seq, logged};
      // Readers (ReadState) see the state between two events, never inside one.
      std::unique_lock state_lock(state_mu_);
      if (Status s = state_->Authenticate(item.sub, item.preverified, ctx); !s.ok()) {
        result = s.WithPathPrefix(prefix);
        continue;
      }
      std::string nonce_key = env.actor;
      nonce_key.push_back('\0');
      nonce_key += env.nonce;
      if (used.has_value() || batch_nonces.contains(nonce_key)) {
        result = Status(ErrorCode::kReplayedNonce,
                        fmt::format("nonce \"{}\" of \"{}\" was already used by another event",
                                    env.nonce, env.actor),
                        std::string(prefix) + "/nonce");
        continue;
      }
      Status s = state_->Apply(item.sub, ctx);
      state_lock.unlock();
      if (!s.ok()) {
        result = s.WithPathPrefix(prefix);
        continue;
      }
      store::LeafRecord rec;
      rec.data = event::BuildLeaf(seq, logged, env.canonical);
      rec.event_id = env.id;
      rec.actor = env.actor;
      rec.nonce = env.nonce;
      const crypto::Hash leaf_hash = log::HashLeaf(AsBytes(rec.data));
      frontier_.Append(leaf_hash, batch.nodes);
      batch.leaves.push_back(std::move(rec));
      if (item.sub.private_record.has_value()) {
        batch.privates.push_back({seq, item.sub.private_canonical});
      }
      batch_ids.emplace(env.id, accepted.size());
      batch_nonces.emplace(std::move(nonce_key), env.id);
      accepted.push_back({&result, seq, env.id, leaf_hash});
    }
  }
  if (batch.leaves.empty()) return;

  batch.checkpoint_size = frontier_.size();
  Status s;
  auto note = SignCheckpoint(batch.checkpoint_size, frontier_.Root());
  if (note.ok()) {
    batch.checkpoint = std::move(*note);
    s = store_->Append(batch);
  } else {
    s = note.status();
  }
  if (!s.ok()) {
    // State and frontier are now ahead of the store: stop until reopened.
    stopped_ = Status(s.code(), s.message() + "; the ledger stopped: reopen the store");
    {
      std::lock_guard lock(latest_mu_);
      health_ = stopped_;
    }
    for (auto& a : accepted) *a.result = stopped_;
    for (auto& [r, k] : duplicates) *r = stopped_;
    return;
  }
  cache_->Add(batch.nodes);
  last_logged_ = logged;
  if (options_.snapshot_every > 0 &&
      batch.checkpoint_size / options_.snapshot_every > last_snapshot_ / options_.snapshot_every) {
    // Best effort: the log is already durable; a failed snapshot only means a longer replay.
    if (store_->PutSnapshot(batch.checkpoint_size, state_->Snapshot()).ok()) {
      last_snapshot_ = batch.checkpoint_size;
    }
  }
  {
    std::lock_guard lock(latest_mu_);
    latest_ = {batch.checkpoint_size, batch.checkpoint};
  }
  for (auto& a : accepted) {
    event::Receipt r;
    r.seq = a.seq;
    r.id = a.id;
    r.leaf_hash = a.leaf_hash;
    r.logged = logged;
    r.checkpoint = batch.checkpoint;
    *a.result = std::move(r);
  }
  for (auto& [r, k] : duplicates) *r = *accepted[k].result;
}

Result<event::Receipt> Ledger::ExistingReceipt(uint64_t seq) const {
  ASSIGN_OR_RETURN(std::string leaf, store_->ReadLeaf(seq));
  event::Receipt r;
  r.seq = seq;
  r.id = crypto::Sha256("");  // replaced below
  r.leaf_hash = log::HashLeaf(AsBytes(leaf));
  r.logged = LoggedOfLeaf(leaf);
  ASSIGN_OR_RETURN(r.checkpoint, store_->CheckpointCovering(seq));
  ASSIGN_OR_RETURN(event::Leaf parsed, event::ParseLeaf(leaf));
  r.id = parsed.envelope.id;
  return r;
}

uint64_t Ledger::Size() const {
  auto s = store_->Size();
  return s.ok() ? *s : 0;
}

Result<std::string> Ledger::Checkpoint() const {
  std::lock_guard lock(latest_mu_);
  return latest_.second;
}

Result<std::string> Ledger::Leaf(uint64_t index) const { return store_->ReadLeaf(index); }

Result<std::string> Ledger::ProveInclusion(uint64_t index, std::optional<uint64_t> size) const {
  ASSIGN_OR_RETURN(const uint64_t current, store_->Size());
  const uint64_t n = size.value_or(current);
  if (n > current) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("size {} is beyond the log's {} leaves", n, current));
  }
  if (index >= n) {
    return Status(ErrorCode::kNotFound, fmt::format("index {} is not below size {}", index, n));
  }
  log::TlogProof proof;
  proof.index = index;
  ASSIGN_OR_RETURN(proof.hashes, log::InclusionProof(index, n, *cache_));
  std::optional<std::string> stored;
  {
    std::lock_guard lock(latest_mu_);
    if (latest_.first == n) stored = latest_.second;
  }
  if (!stored.has_value()) {
    ASSIGN_OR_RETURN(stored, store_->CheckpointAt(n));
  }
  if (stored.has_value()) {
    proof.checkpoint = std::move(*stored);
  } else {
    ASSIGN_OR_RETURN(const crypto::Hash root, log::RootAt(n, *cache_));
    ASSIGN_OR_RETURN(proof.checkpoint, SignCheckpoint(n, root));
  }
  return log::FormatTlogProof(proof);
}

Result<std::vector<crypto::Hash>> Ledger::ProveConsistency(uint64_t old_size,
                                                           std::optional<uint64_t> new_size) const {
  ASSIGN_OR_RETURN(const uint64_t current, store_->Size());
  const uint64_t n = new_size.value_or(current);
  if (n > current) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("size {} is beyond the log's {} leaves", n, current));
  }
  if (old_size == 0 || old_size > n) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("need 0 < old ({}) <= new ({})", old_size, n));
  }
  return log::ConsistencyProof(old_size, n, *cache_);
}

Result<std::optional<std::string>> Ledger::PrivateRecord(uint64_t seq) const {
  return store_->ReadPrivate(seq);
}

Status Ledger::ErasePrivate(uint64_t seq) { return store_->ErasePrivate(seq); }

crypto::Hash Ledger::StateDigest() const {
  std::shared_lock lock(state_mu_);
  return state_->Digest();
}

Status Ledger::ScanLeaves(uint64_t from, uint64_t to,
                          const std::function<Status(uint64_t, std::string_view)>& fn) const {
  return store_->ScanLeaves(from, to, fn);
}

Status Ledger::Health() const {
  std::lock_guard lock(latest_mu_);
  if (health_.ok() && !log_key_.has_value()) {
    return Status(ErrorCode::kInvalidArgument, "no log key: this ledger is read-only");
  }
  return health_;
}

Result<VerifyReport> Ledger::Verify(Env& env, const std::string& path,
                                    std::unique_ptr<StateMachine> state,
                                    const ProgressFn& progress) {
  ASSIGN_OR_RETURN(auto store, store::Store::Open(env, path));
  ASSIGN_OR_RETURN(const store::LogMeta meta, store->Meta());
  auto vkey = crypto::ParseVerifierKey(meta.log_vkey);
  if (!vkey.ok()) {
    return Status(ErrorCode::kCorrupt, "stored log key is malformed: " + vkey.status().message());
  }
  ASSIGN_OR_RETURN(const uint64_t size, store->Size());
  VerifyReport report;

  // Every checkpoint: signature by the log key, well-formed body, our origin.
  std::map<uint64_t, crypto::Hash> checkpoint_roots;
  RETURN_IF_ERROR(store->ScanCheckpoints([&](uint64_t cp_size, std::string_view note) -> Status {
    auto bad = [&](std::string why) {
      return Status(ErrorCode::kCorrupt, fmt::format("checkpoint at size {}: {}", cp_size, why));
    };
    auto opened = crypto::OpenNote(note, std::span(&*vkey, 1));
    if (!opened.ok()) return bad(opened.status().message());
    auto body = log::ParseCheckpointBody(opened->text);
    if (!body.ok()) return bad(body.status().message());
    if (body->origin != meta.origin) return bad("origin \"" + body->origin + "\" is not the log's");
    if (body->size != cp_size) return bad(fmt::format("note says size {}", body->size));
    if (cp_size > size) return bad(fmt::format("beyond the log's {} leaves", size));
    checkpoint_roots.emplace(cp_size, body->root);
    ++report.checkpoints;
    return Status::Ok();
  }));
  if (!checkpoint_roots.contains(size)) {
    return Status(ErrorCode::kCorrupt, fmt::format("no checkpoint at the log's size {}", size));
  }
  if (checkpoint_roots.begin()->first == 0 &&
      checkpoint_roots.begin()->second != log::EmptyRoot()) {
    return Status(ErrorCode::kCorrupt, "checkpoint at size 0: root is not the empty tree's");
  }

  // Leaves in order: canonical form, hashes, signatures and rules (replay), and every
  // stored subtree hash rebuilt and compared level by level, one chunk at a time.
  log::Frontier frontier;
  std::vector<std::pair<log::NodeId, crypto::Hash>> completed;
  auto compare_nodes = [&]() -> Status {
    std::sort(completed.begin(), completed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t i = 0;
    while (i < completed.size()) {
      const uint32_t level = completed[i].first.level;
      size_t j = i;
      while (j < completed.size() && completed[j].first.level == level) ++j;
      const uint64_t first = completed[i].first.index;
      const uint64_t last = completed[j - 1].first.index;
      size_t k = i;
      RETURN_IF_ERROR(
          store->ScanHashes(level, first, last + 1, [&](uint64_t idx, const crypto::Hash& h) {
            if (completed[k].first.index != idx) {
              return Status(
                  ErrorCode::kCorrupt,
                  fmt::format("stored hash missing at level {} index {} (leaves {}..{})", level,
                              completed[k].first.index, completed[k].first.index << level,
                              ((completed[k].first.index + 1) << level) - 1));
            }
            if (completed[k].second != h) {
              return Status(
                  ErrorCode::kCorrupt,
                  fmt::format("stored hash at level {} index {} (leaves {}..{}) differs from "
                              "the one rebuilt from the leaves",
                              level, idx, idx << level, ((idx + 1) << level) - 1));
            }
            ++k;
            ++report.hashes;
            return Status::Ok();
          }));
      if (k != j) {
        return Status(ErrorCode::kCorrupt, fmt::format("stored hash missing at level {} index {}",
                                                       level, completed[k].first.index));
      }
      i = j;
    }
    completed.clear();
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(auto snapshot, store->LatestSnapshot(size));
  if (snapshot.has_value() && snapshot->first == 0 && snapshot->second != state->Snapshot()) {
    return Status(ErrorCode::kCorrupt, "state snapshot at size 0 differs from the empty state");
  }
  auto on_leaf = [&](uint64_t seq, std::string_view, const crypto::Hash& leaf_hash) -> Status {
    frontier.Append(leaf_hash, completed);
    ++report.leaves;
    if (snapshot.has_value() && frontier.size() == snapshot->first &&
        state->Snapshot() != snapshot->second) {
      return Status(ErrorCode::kCorrupt,
                    fmt::format("state snapshot at size {}: differs from the state replayed from "
                                "leaves 0..{}",
                                snapshot->first, seq));
    }
    if (auto it = checkpoint_roots.find(frontier.size()); it != checkpoint_roots.end()) {
      if (it->second != frontier.Root()) {
        // Either the checkpoint or a leaf/hash before it is wrong; the hash comparison of
        // this chunk tells which when it fails first.
        RETURN_IF_ERROR(compare_nodes());
        return Status(ErrorCode::kCorrupt,
                      fmt::format("checkpoint at size {}: root differs from the tree rebuilt from "
                                  "leaves 0..{}",
                                  it->first, seq));
      }
    }
    if (completed.size() >= 2 * kReplayChunk) return compare_nodes();
    return Status::Ok();
  };
  RETURN_IF_ERROR(Replay(*store, *state, 0, size, /*trust=*/false, on_leaf, progress));
  RETURN_IF_ERROR(compare_nodes());
  // Nothing stored beyond the tree.
  for (uint32_t level = 0; level < 64; ++level) {
    const uint64_t expect = size >> level;
    RETURN_IF_ERROR(
        store->ScanHashes(level, expect, UINT64_MAX, [&](uint64_t idx, const crypto::Hash&) {
          return Status(
              ErrorCode::kCorrupt,
              fmt::format("stored hash at level {} index {} lies outside a tree of {} leaves",
                          level, idx, size));
        }));
    if (expect == 0) break;
  }
  report.state_digest = state->Digest();
  return report;
}

}  // namespace aidtrace::ledger
