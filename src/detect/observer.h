// ObservingState: the mechanism's state with the detectors attached. It is the
// StateMachine the ledger runs (live ingest, or a replay of the whole log for a batch
// run): every event the rules accept is shown to the Engine with the state after it, and
// the findings wait in a queue for the caller (to print them, or to raise alert.raise
// events signed by the detector key).
//
// The detectors' own memory is not in the state snapshot: a ledger opened from a snapshot
// observes only the events after it (open with use_snapshots = false to see them all).
//
// Thread safety: as StateMachine; TakeFindings may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "detect/detect.h"
#include "ledger/state_machine.h"
#include "mechanism/directory.h"

namespace aidtrace::detect {

class ObservingState final : public ledger::StateMachine {
 public:
  // The private record of event `seq` when the submission does not carry it (a replay).
  using PrivateFn = std::function<std::optional<json::Value>(uint64_t seq)>;

  explicit ObservingState(Options options = {}, PrivateFn private_of = {});

  event::KeyLookup FindKey(std::string_view party, uint32_t key_id) const override {
    return directory_.FindKey(party, key_id);
  }
  Status Authenticate(const event::Submission& sub,
                      std::span<const std::optional<crypto::PublicKey>> preverified,
                      const ledger::ApplyContext& ctx) const override {
    return directory_.Authenticate(sub, preverified, ctx);
  }
  Status Apply(const event::Submission& sub, const ledger::ApplyContext& ctx) override;
  crypto::Hash Digest() const override { return directory_.Digest(); }
  std::string Snapshot() const override { return directory_.Snapshot(); }
  Status Restore(std::string_view snapshot) override { return directory_.Restore(snapshot); }

  const mechanism::Directory& directory() const { return directory_; }
  // Closes the time windows at `now` (the latest event time when absent).
  void Finish(std::optional<Timestamp> now = std::nullopt);
  // The findings so far, oldest first; the queue is emptied.
  std::vector<Finding> TakeFindings();
  // Events observed and their latest time.
  uint64_t observed() const { return observed_; }

 private:
  mechanism::Directory directory_;
  Engine engine_;
  PrivateFn private_of_;
  uint64_t observed_ = 0;
  Timestamp latest_{};
  std::vector<Finding> pending_;  // filled by the sequencer
  std::mutex mu_;                 // guards found_
  std::vector<Finding> found_;
};

// The mechanism's state inside `sm`: a Directory, or the one an ObservingState wraps;
// nullptr for any other state machine.
const mechanism::Directory* DirectoryOf(const ledger::StateMachine& sm);

}  // namespace aidtrace::detect
