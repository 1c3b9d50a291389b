// Builders for signed test events: deterministic parties (keys from a seed), envelopes,
// signed submission lines, a genesis. Used by tests and benchmarks (no GoogleTest here).
#pragma once

#include <string>
#include <vector>

#include "crypto/note.h"
#include "json/json.h"

namespace aidtrace::testing {

struct Actor {
  std::string id;
  crypto::SignerKey key;
  std::string vkey;  // verifier key text
};

// A party whose key is derived from `seed` (the same seed gives the same key).
Actor MakeActor(const std::string& id, uint64_t seed);

// An unsigned envelope.
json::Value MakeEnvelope(const std::string& type, const std::string& actor,
                         const std::string& nonce, json::Value body,
                         const std::string& time = "2026-11-23T10:00:00Z");

// Signs `envelope` with the signers' keys (the actor first) and returns the canonical
// line; with `private_record`, the line is {"envelope":..,"private":..}.
std::string SignedLine(json::Value envelope, const std::vector<const Actor*>& signers,
                       const json::Value* private_record = nullptr);

// mechanism.genesis founded and signed by `founders` (each a governor and a monitor;
// the governance quorum is a majority of them).
std::string GenesisLine(const std::vector<const Actor*>& founders);

// A founding party of a genesis and the roles it holds.
struct Founder {
  const Actor* actor;
  std::vector<std::string> roles;
};

// mechanism.genesis of `founders` (each with its own roles) under `policy`, signed by all.
std::string GenesisLine(const std::vector<Founder>& founders, const json::Value& policy);

// A beneficiary's private record (deterministic from `seed`; salt of 18 bytes) and the
// "sha256:..." hash that its envelope's body.pii must carry.
json::Value BeneficiaryPrivate(uint64_t seed);
std::string PiiOf(const json::Value& private_record);

// party.admit of `party` signed by `by`.
std::string AdmitLine(const Actor& by, const Actor& party, const std::string& role,
                      const std::string& nonce);

}  // namespace aidtrace::testing
