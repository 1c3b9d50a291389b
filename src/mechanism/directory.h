// Directory: the parties of the mechanism and their keys, as the log establishes them
// (genesis founders, party.admit, key.add, key.revoke, party.suspend, party.reinstate).
//
// It is the StateMachine the ledger runs today: it enforces the envelope-level rules
// that need state (rule 1 of MECHANISM.md: every signature verifies with an active key
// of its signer; the actor is admitted and not suspended; the actor's role may sign the
// type (roles.h); governance types carry the policy's quorum of governors; genesis is
// signed by every founder; rule 2's nonces are the ledger's), keeps the policy in force
// (genesis, policy.set) and the key registry that signatures are checked against,
// including the policy's detector key. The rest of the rules (items, projects, materials,
// funds, screening) are the mechanism issue's and build on this class.
//
// Thread safety: FindKey is safe from any thread concurrently with Apply (a shared
// mutex guards the registry); Apply and Digest are called by one thread at a time.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include "ledger/state_machine.h"
#include "mechanism/enforcement.h"
#include "mechanism/funds.h"
#include "mechanism/materials.h"
#include "mechanism/policy.h"

namespace aidtrace::mechanism {

class Directory final : public ledger::StateMachine {
 public:
  struct Key {
    crypto::PublicKey pub{};
    bool revoked = false;
  };
  struct Party {
    std::string name;
    std::vector<std::string> roles;
    std::map<uint32_t, Key> keys;
    bool suspended = false;
    std::string suspended_by;  // event id of the party.suspend or screening.confirm in force
    uint64_t seq = 0;          // the genesis or party.admit that admitted it
  };

  event::KeyLookup FindKey(std::string_view party, uint32_t key_id) const override;
  Status Authenticate(const event::Submission& sub,
                      std::span<const std::optional<crypto::PublicKey>> preverified,
                      const ledger::ApplyContext& ctx) const override;
  Status Apply(const event::Submission& sub, const ledger::ApplyContext& ctx) override;
  crypto::Hash Digest() const override;
  std::string Snapshot() const override;
  Status Restore(std::string_view snapshot) override;

  // A copy of one party's record (for `show` and tests); nullopt when unknown.
  std::optional<Party> FindParty(std::string_view party) const;
  size_t party_count() const;
  // A copy of the policy in force.
  Policy policy() const;
  // The books (read them only while nothing is being sequenced).
  const MaterialsBook& materials() const { return materials_; }
  const EnforcementBook& enforcement() const { return enforcement_; }
  const FundsBook& funds() const { return funds_; }

 private:
  struct Genesis {
    std::map<std::string, Party, std::less<>> founders;
    Policy policy;
  };
  // The founders and policy a genesis body declares (shape-checked, consistent).
  static Result<Genesis> ParseGenesis(const event::Envelope& env);
  // A policy.set body's policy, checked against the admitted parties.
  Result<Policy> ParsePolicySet(const event::Envelope& env) const;
  Status ApplyOther(const event::Envelope& env, const ledger::ApplyContext& ctx);
  // Appealable decisions of the directory (party.suspend) and the materials book.
  std::optional<Decision> FindDecision(std::string_view event_id) const;
  Status Overturn(std::string_view event_id, const EventContext& ctx);
  // The context a book applies an event in.
  EventContext Context(const event::Envelope& env, const ledger::ApplyContext& ctx);

  mutable std::shared_mutex mu_;
  std::map<std::string, Party, std::less<>> parties_;
  bool has_genesis_ = false;
  Policy policy_;
  // party.suspend events by event id -> the party (appealable decisions).
  std::map<std::string, std::string, std::less<>> suspensions_;
  // Books: touched by the sequencer only (see book.h).
  MaterialsBook materials_;
  EnforcementBook enforcement_;
  FundsBook funds_;
};

// The event types of EVENTS.md's first version.
bool IsKnownEventType(std::string_view type);

}  // namespace aidtrace::mechanism
