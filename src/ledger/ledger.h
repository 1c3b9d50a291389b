// Ledger: the sequencer in front of the store. It turns verified submissions into log
// leaves, in order, with group commit: concurrent submitters queue up, one of them (the
// leader) sequences everything queued, writes one atomic batch with one checkpoint and
// one fsync, and hands every submitter its receipt. No receipt is returned before its
// batch is durable.
//
// Flow of one submission:
//   Prepare (any thread, parallel): decode the envelope (event/), pre-verify the
//     signatures whose keys are known;
//   Submit (group commit): idempotency and nonce checks, the StateMachine's rules,
//     leaf, Merkle hashes, signed checkpoint, Store::Append, receipts.
//
// A failed Store::Append leaves the in-memory state ahead of the store, so the ledger
// turns read-only ("stopped") and every later Submit fails with that error until it is
// reopened; reopening replays nothing that was not durable.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/parallel.h"
#include "base/status.h"
#include "crypto/note.h"
#include "event/envelope.h"
#include "ledger/state_machine.h"
#include "log/merkle.h"
#include "store/store.h"

namespace aidtrace::ledger {

// A decoded submission ready for sequencing.
struct Prepared {
  event::Submission sub;
  std::vector<std::optional<crypto::PublicKey>> preverified;
};

struct LedgerOptions {
  size_t max_batch = 8192;        // events per group commit
  uint32_t hash_cache_level = 3;  // subtree hashes at this level and above stay in memory
  event::DecodeOptions decode;
  // Open for reading only: the state is not rebuilt (no replay) and Submit is refused.
  // For commands that only read the log (checkpoint, leaf, proofs).
  bool read_only = false;
  // Write a state snapshot every this many events (and at a clean close); 0: never.
  uint64_t snapshot_every = 100000;
  // Start from the newest snapshot when opening (false: replay the whole log).
  bool use_snapshots = true;
};

// Progress of a long operation (verify, replay): done out of total.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct VerifyReport {
  uint64_t leaves = 0;
  uint64_t hashes = 0;
  uint64_t checkpoints = 0;
  crypto::Hash state_digest{};
};

class Ledger {
 public:
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Creates a new, empty log at `path` signed by `log_key` (whose name must equal
  // `origin`); `log_key_file` is recorded so later commands find the key.
  static Status Create(Env& env, const std::string& path, const std::string& origin,
                       const crypto::SignerKey& log_key, const std::string& log_key_file);

  // Opens an existing log and rebuilds `state` by replaying it. `log_key` is needed only
  // to append or to sign checkpoints at sizes that have none; without it the ledger is
  // read-only (Submit fails with kInvalidArgument).
  static Result<std::unique_ptr<Ledger>> Open(Env& env, const std::string& path,
                                              std::unique_ptr<StateMachine> state,
                                              std::optional<crypto::SignerKey> log_key,
                                              const LedgerOptions& options = {},
                                              const ProgressFn& progress = {});

  // Decodes one submission line and pre-verifies its signatures. Thread-safe, parallel.
  Result<Prepared> Prepare(std::string_view submission) const;

  // Sequences and durably appends `items` (as one group, possibly merged with other
  // callers' groups). Returns one result per item, in order: a receipt, the original
  // receipt for a resubmitted identical envelope, or the rejection. Groups are sequenced
  // in the order they join the queue; `on_queued`, if given, runs right after this group
  // joined it (so a caller can start the next Submit from another thread in order).
  std::vector<Result<event::Receipt>> Submit(std::vector<Prepared> items,
                                             const std::function<void()>& on_queued = {});

  uint64_t Size() const;
  const store::LogMeta& meta() const { return meta_; }
  const crypto::VerifierKey& log_verifier() const { return log_verifier_; }

  // The latest checkpoint note (an empty log has a signed checkpoint of size 0 from Create).
  Result<std::string> Checkpoint() const;
  Result<std::string> Leaf(uint64_t index) const;
  // C2SP tlog-proof text for leaf `index` in the tree of `size` (default: current), with
  // the checkpoint at that size (stored, or freshly signed when none was stored).
  Result<std::string> ProveInclusion(uint64_t index, std::optional<uint64_t> size) const;
  Result<std::vector<crypto::Hash>> ProveConsistency(uint64_t old_size,
                                                     std::optional<uint64_t> new_size) const;
  // The private record stored beside event `seq`, if any.
  Result<std::optional<std::string>> PrivateRecord(uint64_t seq) const;
  // Erases that record (the log keeps only its salted hash). kNotFound if none.
  Status ErasePrivate(uint64_t seq);

  // Re-hashes every leaf, re-checks every signature and rule by replaying into a fresh
  // `state`, rebuilds every stored hash, checks every stored checkpoint and the newest
  // state snapshot. The first problem found is returned as kCorrupt naming its index.
  static Result<VerifyReport> Verify(Env& env, const std::string& path,
                                     std::unique_ptr<StateMachine> state,
                                     const ProgressFn& progress = {});

  crypto::Hash StateDigest() const;

  // Runs `f(const StateMachine&)` with the state frozen: the sequencer applies no event
  // while `f` runs (it holds the state lock exclusively only while applying one event, so
  // `f` sees the state after a whole number of events). The state may already include
  // events of a group whose commit is in flight (receipts not yet handed out); if that
  // commit fails the ledger stops. Keep `f` short: it delays the sequencer.
  template <class F>
  auto ReadState(F&& f) const {
    std::shared_lock lock(state_mu_);
    return std::forward<F>(f)(static_cast<const StateMachine&>(*state_));
  }
  // Calls `fn` for each leaf in [from, to) in order (the store's scan; any thread).
  Status ScanLeaves(uint64_t from, uint64_t to,
                    const std::function<Status(uint64_t, std::string_view)>& fn) const;
  // OK while the ledger accepts submissions; otherwise why it does not (read-only, or a
  // failed commit stopped it). Any thread.
  Status Health() const;
  // The log size the state was restored from at open (0: replayed from the start).
  uint64_t replayed_from() const { return replayed_from_; }

 private:
  struct Writer;
  class HashCache;

  Ledger(Env& env, std::unique_ptr<store::Store> store, std::unique_ptr<StateMachine> state,
         std::optional<crypto::SignerKey> log_key, const LedgerOptions& options);

  Status Load(const ProgressFn& progress);
  void ProcessGroup(std::vector<Writer*>& group);
  Result<event::Receipt> ExistingReceipt(uint64_t seq) const;
  Result<std::string> SignCheckpoint(uint64_t size, const crypto::Hash& root) const;

  Env& env_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StateMachine> state_;
  std::optional<crypto::SignerKey> log_key_;
  LedgerOptions options_;
  store::LogMeta meta_;
  crypto::VerifierKey log_verifier_;
  std::unique_ptr<HashCache> cache_;

  // Writer queue (group commit).
  std::mutex queue_mu_;
  std::deque<Writer*> writers_;

  // The newest checkpoint (size, note), kept in memory for receipts of reads and proofs.
  mutable std::mutex latest_mu_;
  std::pair<uint64_t, std::string> latest_;

  // Held exclusively by the leader while it applies one event; shared by ReadState.
  mutable std::shared_mutex state_mu_;
  Status health_;  // guarded by latest_mu_: a copy of stopped_ for other threads

  // Sequencer state: touched only by the current leader.
  log::Frontier frontier_;
  std::string last_logged_;
  uint64_t last_snapshot_ = 0;
  uint64_t replayed_from_ = 0;
  Status stopped_;
};

}  // namespace aidtrace::ledger
