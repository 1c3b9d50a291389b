#include "event/envelope.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/encoding.h"
#include "base/ids.h"

namespace aidtrace::event {
namespace {

Status BadEnvelope(std::string path, std::string message) {
  return Status(ErrorCode::kBadEnvelope, std::move(message), std::move(path));
}

// The members of a v1 envelope, in JCS order.
constexpr std::string_view kEnvelopeKeys[] = {"actor", "body", "nonce", "sigs",
                                              "time",  "type", "v"};
constexpr size_t kMaxNonceBytes = 128;
constexpr size_t kMinSaltBytes = 16;

Status RequireString(const json::Value& obj, std::string_view key, const std::string& base,
                     std::string& out) {
  const auto it = obj.find(key);
  const std::string path = base + "/" + std::string(key);
  if (it == obj.end()) return BadEnvelope(path, fmt::format("missing member \"{}\"", key));
  if (!it->is_string()) return BadEnvelope(path, fmt::format("\"{}\" must be a string", key));
  out = it->get_ref<const std::string&>();
  return Status::Ok();
}

Result<SignatureEntry> DecodeSig(const json::Value& s, const std::string& path) {
  if (!s.is_object()) return BadEnvelope(path, "signature entry must be an object");
  for (const auto& [k, v] : s.items()) {
    if (k != "signer" && k != "key" && k != "sig") {
      return BadEnvelope(
          path + "/" + json::PointerToken(k),
          fmt::format("unknown member \"{}\" in a signature entry", SanitizeUtf8(k)));
    }
  }
  SignatureEntry e;
  RETURN_IF_ERROR(RequireString(s, "signer", path, e.signer));
  if (!IsValidId(e.signer)) return BadEnvelope(path + "/signer", "signer is not a valid party id");
  std::string key, sig;
  RETURN_IF_ERROR(RequireString(s, "key", path, key));
  if (key.size() != 8 || !std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return BadEnvelope(path + "/key", "key must be the 8 lowercase hex digits of a key id");
  }
  e.key_id = static_cast<uint32_t>(std::stoul(key, nullptr, 16));
  RETURN_IF_ERROR(RequireString(s, "sig", path, sig));
  auto raw = Base64Decode(sig);
  if (!raw.ok() || raw->size() != e.sig.size()) {
    return BadEnvelope(path + "/sig", "sig must be the standard base64 of 64 bytes");
  }
  std::copy(raw->begin(), raw->end(), e.sig.begin());
  return e;
}

// Shape checks and canonical forms. `checked` re-validates values for JCS (needed when
// the DOM was built by code rather than by json::Parse).
Result<Envelope> Decode(json::Value doc, bool checked) {
  if (!doc.is_object()) return BadEnvelope("", "an envelope must be a JSON object");
  for (const auto& [k, v] : doc.items()) {
    if (std::find(std::begin(kEnvelopeKeys), std::end(kEnvelopeKeys), k) ==
        std::end(kEnvelopeKeys)) {
      return BadEnvelope("/" + json::PointerToken(k),
                         fmt::format("unknown envelope member \"{}\"", SanitizeUtf8(k)));
    }
  }
  Envelope env;
  const auto v = doc.find("v");
  if (v == doc.end()) return BadEnvelope("/v", "missing member \"v\"");
  if (!v->is_number_integer() || v->get<int64_t>() != 1) {
    return BadEnvelope("/v", "unsupported envelope version (expected 1)");
  }
  RETURN_IF_ERROR(RequireString(doc, "type", "", env.type));
  if (!IsValidTypeName(env.type)) {
    return BadEnvelope("/type", "type must be dot-separated lowercase words");
  }
  RETURN_IF_ERROR(RequireString(doc, "actor", "", env.actor));
  if (!IsValidId(env.actor)) {
    return BadEnvelope("/actor", "actor is not a valid party id ([a-z0-9][a-z0-9._-]{0,63})");
  }
  RETURN_IF_ERROR(RequireString(doc, "time", "", env.time_text));
  auto t = ParseRfc3339(env.time_text);
  if (!t.ok()) return BadEnvelope("/time", t.status().message());
  env.time = *t;
  RETURN_IF_ERROR(RequireString(doc, "nonce", "", env.nonce));
  if (env.nonce.empty() || env.nonce.size() > kMaxNonceBytes ||
      std::any_of(env.nonce.begin(), env.nonce.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return BadEnvelope("/nonce", "nonce must be 1..128 bytes without control characters");
  }
  const auto body = doc.find("body");
  if (body == doc.end()) return BadEnvelope("/body", "missing member \"body\"");
  if (!body->is_object()) return BadEnvelope("/body", "body must be an object");
  const auto sigs = doc.find("sigs");
  if (sigs == doc.end()) return BadEnvelope("/sigs", "missing member \"sigs\"");
  if (!sigs->is_array() || sigs->empty()) {
    return BadEnvelope("/sigs", "sigs must be a non-empty array");
  }
  std::set<std::string_view> signers;
  for (size_t i = 0; i < sigs->size(); ++i) {
    ASSIGN_OR_RETURN(SignatureEntry e, DecodeSig((*sigs)[i], fmt::format("/sigs/{}", i)));
    env.sigs.push_back(std::move(e));
  }
  for (size_t i = 0; i < env.sigs.size(); ++i) {
    if (!signers.insert(env.sigs[i].signer).second) {
      return BadEnvelope(fmt::format("/sigs/{}/signer", i),
                         "a party signs an envelope at most once");
    }
  }
  if (env.sigs[0].signer != env.actor) {
    return BadEnvelope("/sigs/0/signer", "the first signature must be the actor's");
  }

  // Canonical forms. The top-level keys are ASCII, so the DOM's (byte-ordered)
  // iteration is already JCS order; each member value is serialised once.
  env.canonical.reserve(1024);
  env.signed_message.reserve(1024);
  env.canonical.push_back('{');
  env.signed_message.push_back('{');
  std::string piece;
  for (const auto& [k, val] : doc.items()) {
    piece.clear();
    piece += '"';
    piece += k;
    piece += "\":";
    if (checked) {
      auto c = json::Canonical(val);
      if (!c.ok()) return c.status().WithPathPrefix("/" + k);
      piece += *c;
    } else {
      json::AppendCanonical(val, piece);
    }
    if (env.canonical.size() > 1) env.canonical.push_back(',');
    env.canonical += piece;
    if (k != "sigs") {
      if (env.signed_message.size() > 1) env.signed_message.push_back(',');
      env.signed_message += piece;
    }
  }
  env.canonical.push_back('}');
  env.signed_message.push_back('}');
  env.id = crypto::Sha256(env.canonical);
  env.doc = std::move(doc);
  return env;
}

Status CheckPrivate(Submission& sub, const std::string& envelope_prefix) {
  const json::Value& body = sub.envelope.body();
  const auto pii = body.find("pii");
  const std::string pii_path = envelope_prefix + "/body/pii";
  if (!sub.private_record.has_value()) {
    if (pii != body.end()) {
      return Status(ErrorCode::kPiiMismatch,
                    "body.pii names a private record but none was submitted beside the "
                    "envelope",
                    pii_path);
    }
    return Status::Ok();
  }
  const json::Value& priv = *sub.private_record;
  if (!priv.is_object()) {
    return BadEnvelope("/private", "private must be an object");
  }
  const auto salt = priv.find("salt");
  if (salt == priv.end() || !salt->is_string()) {
    return BadEnvelope("/private/salt", "private must carry a random base64 \"salt\"");
  }
  auto salt_bytes = Base64Decode(salt->get_ref<const std::string&>());
  if (!salt_bytes.ok() || salt_bytes->size() < kMinSaltBytes) {
    return BadEnvelope("/private/salt", "salt must be the base64 of at least 16 random bytes");
  }
  if (pii == body.end()) {
    return Status(ErrorCode::kPiiMismatch, "a private record was submitted but body.pii is missing",
                  "/private");
  }
  if (!pii->is_string()) {
    return Status(ErrorCode::kPiiMismatch, "body.pii must be sha256:<hex>", pii_path);
  }
  auto want = crypto::ParseTaggedHash(pii->get_ref<const std::string&>());
  if (!want.ok()) {
    return Status(ErrorCode::kPiiMismatch, "body.pii must be sha256:<64 lowercase hex>", pii_path);
  }
  json::AppendCanonical(priv, sub.private_canonical);
  if (crypto::Sha256(sub.private_canonical) != *want) {
    return Status(ErrorCode::kPiiMismatch,
                  "body.pii is not the SHA-256 of the canonical private record", pii_path);
  }
  return Status::Ok();
}

}  // namespace

Result<Envelope> DecodeEnvelope(json::Value doc) { return Decode(std::move(doc), true); }

Result<Submission> DecodeSubmission(std::string_view text, const DecodeOptions& options) {
  json::ParseOptions popts;
  popts.max_bytes = options.max_bytes;
  ASSIGN_OR_RETURN(json::Value doc, json::Parse(text, popts));
  if (!doc.is_object()) return BadEnvelope("", "a submission must be a JSON object");
  Submission sub;
  std::string prefix;
  json::Value envelope;
  if (doc.contains("envelope")) {
    sub.wrapped = true;
    prefix = "/envelope";
    for (auto& [k, v] : doc.items()) {
      if (k != "envelope" && k != "private") {
        return BadEnvelope("/" + json::PointerToken(k),
                           fmt::format("unknown submission member \"{}\" (expected "
                                       "\"envelope\" and \"private\")",
                                       SanitizeUtf8(k)));
      }
    }
    envelope = std::move(doc["envelope"]);
    if (auto p = doc.find("private"); p != doc.end()) sub.private_record = std::move(*p);
  } else {
    envelope = std::move(doc);
  }
  auto env = Decode(std::move(envelope), false);
  if (!env.ok()) return env.status().WithPathPrefix(prefix);
  if (env->sigs.size() > options.max_sigs) {
    return Status(ErrorCode::kLimit, fmt::format("more than {} signatures", options.max_sigs),
                  prefix + "/sigs");
  }
  sub.envelope = std::move(env).value();
  RETURN_IF_ERROR(CheckPrivate(sub, prefix));
  return sub;
}

namespace {
Status CheckOne(const Envelope& env, size_t i, const KeyLookup& k) {
  const SignatureEntry& s = env.sigs[i];
  const std::string path = fmt::format("/sigs/{}", i);
  switch (k.state) {
    case KeyState::kUnknownParty:
      return Status(ErrorCode::kUnknownParty, fmt::format("no admitted party \"{}\"", s.signer),
                    path + "/signer");
    case KeyState::kUnknownKey:
      return Status(ErrorCode::kUnknownKey,
                    fmt::format("party \"{}\" has no key {}", s.signer, crypto::KeyIdHex(s.key_id)),
                    path + "/key");
    case KeyState::kRevoked:
      return Status(
          ErrorCode::kKeyRevoked,
          fmt::format("key {} of \"{}\" is revoked", crypto::KeyIdHex(s.key_id), s.signer),
          path + "/key");
    case KeyState::kActive:
      break;
  }
  return Status::Ok();
}

Status BadSig(const Envelope& env, size_t i) {
  return Status(ErrorCode::kBadSignature,
                fmt::format("signature of \"{}\" with key {} does not verify", env.sigs[i].signer,
                            crypto::KeyIdHex(env.sigs[i].key_id)),
                fmt::format("/sigs/{}/sig", i));
}
}  // namespace

Status VerifySignatures(const Envelope& env, const KeyRegistry& registry,
                        std::span<const std::optional<crypto::PublicKey>> preverified) {
  for (size_t i = 0; i < env.sigs.size(); ++i) {
    const KeyLookup k = registry.FindKey(env.sigs[i].signer, env.sigs[i].key_id);
    RETURN_IF_ERROR(CheckOne(env, i, k));
    if (i < preverified.size() && preverified[i].has_value() && *preverified[i] == k.key) {
      continue;
    }
    if (!crypto::Verify(k.key, AsBytes(env.signed_message), env.sigs[i].sig)) {
      return BadSig(env, i);
    }
  }
  return Status::Ok();
}

Result<std::vector<std::optional<crypto::PublicKey>>> PreverifySignatures(
    const Envelope& env, const KeyRegistry& registry) {
  std::vector<std::optional<crypto::PublicKey>> out(env.sigs.size());
  for (size_t i = 0; i < env.sigs.size(); ++i) {
    const KeyLookup k = registry.FindKey(env.sigs[i].signer, env.sigs[i].key_id);
    if (k.state != KeyState::kActive && k.state != KeyState::kRevoked) continue;
    if (!crypto::Verify(k.key, AsBytes(env.signed_message), env.sigs[i].sig)) {
      return BadSig(env, i);
    }
    out[i] = k.key;
  }
  return out;
}

Result<json::Value> SignEnvelope(json::Value env, std::span<const crypto::SignerKey> keys) {
  if (!env.is_object()) return BadEnvelope("", "an envelope must be a JSON object");
  if (keys.empty()) return Status(ErrorCode::kInvalidArgument, "no signer key given");
  env.erase("sigs");
  const auto actor = env.find("actor");
  if (actor == env.end() || !actor->is_string() ||
      actor->get_ref<const std::string&>() != keys[0].name) {
    return BadEnvelope(
        "/actor", fmt::format("the first signer key (\"{}\") must be the actor's", keys[0].name));
  }
  ASSIGN_OR_RETURN(const std::string message, json::Canonical(env));
  json::Value sigs = json::Value::array();
  for (const crypto::SignerKey& k : keys) {
    const crypto::Signature sig = crypto::Sign(k.pair, AsBytes(message));
    sigs.push_back(
        {{"signer", k.name}, {"key", crypto::KeyIdHex(k.id)}, {"sig", Base64Encode(sig)}});
  }
  env["sigs"] = std::move(sigs);
  return env;
}

std::string BuildLeaf(uint64_t seq, std::string_view logged, std::string_view canonical_envelope) {
  std::string leaf;
  leaf.reserve(canonical_envelope.size() + logged.size() + 48);
  leaf += R"({"event":)";
  leaf += canonical_envelope;
  leaf += R"(,"logged":")";
  leaf += logged;  // RFC 3339 text: no character needs escaping
  leaf += R"(","seq":)";
  leaf += fmt::format("{}", seq);
  leaf += '}';
  return leaf;
}

Result<Leaf> ParseLeaf(std::string_view leaf_data) {
  auto corrupt = [](std::string why) { return Status(ErrorCode::kCorrupt, std::move(why)); };
  json::ParseOptions popts;
  popts.max_bytes = leaf_data.size() + 1;
  popts.max_depth = json::kDefaultMaxDepth + 1;  // the leaf wraps the envelope one level down
  auto doc = json::Parse(leaf_data, popts);
  if (!doc.ok()) return corrupt("leaf is not strict JSON: " + doc.status().ToString());
  if (!doc->is_object() || doc->size() != 3 || !doc->contains("event") ||
      !doc->contains("logged") || !doc->contains("seq")) {
    return corrupt("leaf must be an object with exactly event, logged and seq");
  }
  Leaf leaf;
  const json::Value& seq = (*doc)["seq"];
  if (!seq.is_number_integer() || seq.get<int64_t>() < 0) return corrupt("leaf seq is not a count");
  leaf.seq = seq.get<uint64_t>();
  if (!(*doc)["logged"].is_string()) return corrupt("leaf logged is not a string");
  leaf.logged = (*doc)["logged"].get<std::string>();
  if (!ParseRfc3339(leaf.logged).ok()) return corrupt("leaf logged is not an RFC 3339 time");
  auto env = Decode(std::move((*doc)["event"]), false);
  if (!env.ok()) return corrupt("leaf event is not a valid envelope: " + env.status().ToString());
  leaf.envelope = std::move(env).value();
  if (BuildLeaf(leaf.seq, leaf.logged, leaf.envelope.canonical) != leaf_data) {
    return corrupt("leaf is not in canonical form");
  }
  return leaf;
}

std::string ReceiptJson(const Receipt& r) {
  json::Value v = {{"checkpoint", r.checkpoint},
                   {"id", crypto::FormatTaggedHash(r.id)},
                   {"leaf_hash", crypto::FormatTaggedHash(r.leaf_hash)},
                   {"logged", r.logged},
                   {"seq", r.seq}};
  std::string out;
  json::AppendCanonical(v, out);
  return out;
}

}  // namespace aidtrace::event
