// The EVENTS.md envelope: decoding a submission, the signed message, the event id,
// signature checks against a key registry, the private record beside the envelope, and
// the log leaf and receipt built around an accepted envelope.
//
// Decoding is pure and depends on no log state, so it runs on any thread in parallel;
// everything that depends on state (which keys are live, which nonces are used) is the
// sequencer's job (ledger/), through the KeyRegistry interface declared here.
//
// Thread safety: all free functions are thread-safe; the structs are plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "crypto/ed25519.h"
#include "crypto/note.h"
#include "crypto/sha256.h"
#include "json/json.h"

namespace aidtrace::event {

// One entry of `sigs`.
struct SignatureEntry {
  std::string signer;  // party id
  uint32_t key_id = 0;
  crypto::Signature sig{};
};

// A decoded, shape-checked envelope. `doc` holds the whole envelope; the other fields
// are views of it in decoded form.
struct Envelope {
  json::Value doc;
  std::string type;
  std::string actor;
  std::string nonce;
  std::string time_text;
  Timestamp time;
  std::vector<SignatureEntry> sigs;
  std::string signed_message;  // JCS(envelope without "sigs"): what every signature signs
  std::string canonical;       // JCS(envelope with "sigs"): what the leaf embeds
  crypto::Hash id{};           // SHA-256(canonical): the event id

  const json::Value& body() const { return doc.at("body"); }
};

// A submission: the envelope and, beside it, the private record (personal data) that
// never enters the log.
struct Submission {
  Envelope envelope;
  std::optional<json::Value> private_record;
  std::string private_canonical;  // JCS(private) when present
  bool wrapped = false;           // submitted as {"envelope":..,"private":..}
};

struct DecodeOptions {
  size_t max_bytes = size_t{256} * 1024;  // one submission line
  size_t max_sigs = 32;
};

// Decodes one submission: a bare envelope or {"envelope": {...}, "private": {...}}.
// Errors carry the EVENTS.md code and a JSON pointer into the submitted document:
// bad_json (not strict JSON), bad_envelope (shape: missing or unknown member, wrong type,
// bad id, time, key id or signature encoding; sigs[0].signer != actor), pii_mismatch
// (body.pii and the private record disagree, or one is missing).
Result<Submission> DecodeSubmission(std::string_view text, const DecodeOptions& options = {});
// Same for an already-parsed envelope object (paths are relative to it).
Result<Envelope> DecodeEnvelope(json::Value doc);

// What a registry knows of (party, key id).
enum class KeyState : uint8_t { kUnknownParty, kUnknownKey, kRevoked, kActive };
struct KeyLookup {
  KeyState state = KeyState::kUnknownParty;
  crypto::PublicKey key{};
};

// The registry of parties' keys that signatures are checked against. The mechanism's
// state implements it; tests use a map.
class KeyRegistry {
 public:
  virtual ~KeyRegistry() = default;
  virtual KeyLookup FindKey(std::string_view party, uint32_t key_id) const = 0;
};

// Checks every signature of `env` against `registry`: unknown_party, unknown_key,
// key_revoked or bad_signature, with the path of the offending `sigs` entry. When
// `preverified` has an entry for signature i holding the key that entry was already
// verified with (by PreverifySignatures), the Ed25519 check is not repeated.
Status VerifySignatures(const Envelope& env, const KeyRegistry& registry,
                        std::span<const std::optional<crypto::PublicKey>> preverified = {});

// Verifies, ahead of sequencing, every signature whose key `registry` already knows
// (whatever the key's state), so the serial stage only checks states. Returns
// bad_signature when a known key's signature fails; entries for keys not known yet stay
// nullopt and are verified by VerifySignatures later.
Result<std::vector<std::optional<crypto::PublicKey>>> PreverifySignatures(
    const Envelope& env, const KeyRegistry& registry);

// Fills the `sigs` of `envelope` (replacing any): every key signs JCS(envelope without
// sigs); keys[0] must be the actor's. kBadEnvelope when the actor is missing or is not
// keys[0]'s name, kBadJson when the envelope holds a value JSON may not carry.
Result<json::Value> SignEnvelope(json::Value envelope, std::span<const crypto::SignerKey> keys);

// The leaf data: JCS({"event": <envelope>, "logged": <time>, "seq": n}), built by
// concatenation from the canonical envelope (the keys are already in JCS order).
std::string BuildLeaf(uint64_t seq, std::string_view logged, std::string_view canonical_envelope);

// A parsed leaf (for replay and verify). Fails with kCorrupt when the leaf is not the
// canonical form of a valid leaf.
struct Leaf {
  uint64_t seq = 0;
  std::string logged;
  Envelope envelope;
};
Result<Leaf> ParseLeaf(std::string_view leaf_data);

// The receipt of an accepted event.
struct Receipt {
  uint64_t seq = 0;
  crypto::Hash id{};
  crypto::Hash leaf_hash{};
  std::string logged;
  std::string checkpoint;  // signed note text covering the event
};
// {"checkpoint":..,"id":..,"leaf_hash":..,"logged":..,"seq":..} in JCS form.
std::string ReceiptJson(const Receipt& receipt);

}  // namespace aidtrace::event
