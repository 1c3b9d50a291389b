// StateMachine: the deterministic state that decides whether an event is accepted.
//
// The ledger owns sequencing, durability and proofs; what an event *means* lives
// behind this interface (the mechanism layer implements it), so the ledger never
// depends on the rules and the same rules drive live ingest, replay and verify.
// State is a pure function of the log: applying the same leaves in the same order
// gives the same Digest() on any machine.
//
// Thread safety: FindKey may be called from any thread at any time (decode threads
// pre-verify signatures with it). Apply and Digest are called by one thread at a time
// (the sequencer).
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "base/status.h"
#include "crypto/sha256.h"
#include "event/envelope.h"

namespace aidtrace::ledger {

// Where the event would sit in the log if accepted.
struct ApplyContext {
  uint64_t seq = 0;
  std::string_view logged;  // the log's time of sequencing (RFC 3339)
};

class StateMachine : public event::KeyRegistry {
 public:
  ~StateMachine() override = default;

  // Rule 1 of MECHANISM.md: every signature verifies with an active key of its signer
  // (use event::VerifySignatures with `preverified`), the actor and signers are admitted
  // and not suspended. Changes nothing. The ledger calls it before its nonce check (rule
  // 2) and then Apply, all on the sequencer thread with no state change in between.
  virtual Status Authenticate(const event::Submission& sub,
                              std::span<const std::optional<crypto::PublicKey>> preverified,
                              const ApplyContext& ctx) const = 0;

  // Checks every other rule for an authenticated `sub` against the state after all
  // earlier events and applies it when it passes. On a non-OK return nothing changed.
  // During replay `sub` carries no private record (the log never holds one).
  virtual Status Apply(const event::Submission& sub, const ApplyContext& ctx) = 0;

  // A digest of the whole state in a canonical order.
  virtual crypto::Hash Digest() const = 0;

  // The whole state, serialised deterministically (equal states give equal bytes), and
  // its inverse. Restore replaces the state; on error the state is unchanged.
  virtual std::string Snapshot() const = 0;
  virtual Status Restore(std::string_view snapshot) = 0;
};

}  // namespace aidtrace::ledger
