#include "testing/events.h"

#include <stdexcept>

#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/sha256.h"
#include "event/envelope.h"

namespace aidtrace::testing {

Actor MakeActor(const std::string& id, uint64_t seed) {
  crypto::Seed s{};
  for (size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<uint8_t>((seed >> (8 * (i % 8))) + i * 31);
  Actor a;
  a.id = id;
  a.key.name = id;
  a.key.pair = crypto::KeyPairFromSeed(s);
  a.key.id = crypto::KeyId(id, a.key.pair.public_key);
  a.vkey = crypto::FormatVerifierKey(crypto::VerifierOf(a.key));
  return a;
}

json::Value MakeEnvelope(const std::string& type, const std::string& actor,
                         const std::string& nonce, json::Value body, const std::string& time) {
  return {{"v", 1},       {"type", type},   {"actor", actor},
          {"time", time}, {"nonce", nonce}, {"body", std::move(body)}};
}

std::string SignedLine(json::Value envelope, const std::vector<const Actor*>& signers,
                       const json::Value* private_record) {
  std::vector<crypto::SignerKey> keys;
  for (const Actor* a : signers) keys.push_back(a->key);
  auto env = event::SignEnvelope(std::move(envelope), keys);
  if (!env.ok()) throw std::runtime_error("test envelope: " + env.status().ToString());
  json::Value doc = private_record != nullptr
                        ? json::Value{{"envelope", std::move(*env)}, {"private", *private_record}}
                        : std::move(*env);
  std::string out;
  json::AppendCanonical(doc, out);
  return out;
}

std::string GenesisLine(const std::vector<const Actor*>& founders) {
  json::Value parties = json::Value::array();
  json::Value of = json::Value::array();
  for (const Actor* a : founders) {
    parties.push_back({{"party", a->id},
                       {"name", "Founder " + a->id},
                       {"roles", {"governor", "monitor"}},
                       {"keys", {a->vkey}}});
    of.push_back(a->id);
  }
  json::Value policy = {{"governance", {{"of", of}, {"k", founders.size() / 2 + 1}}}};
  json::Value body = {{"mechanism", "test-mechanism"},
                      {"name", "Test mechanism"},
                      {"parties", parties},
                      {"policy", policy}};
  return SignedLine(MakeEnvelope("mechanism.genesis", founders[0]->id, "genesis", body), founders);
}

std::string GenesisLine(const std::vector<Founder>& founders, const json::Value& policy) {
  json::Value parties = json::Value::array();
  std::vector<const Actor*> signers;
  for (const Founder& f : founders) {
    parties.push_back({{"party", f.actor->id},
                       {"name", "Founder " + f.actor->id},
                       {"roles", f.roles},
                       {"keys", {f.actor->vkey}}});
    signers.push_back(f.actor);
  }
  json::Value body = {{"mechanism", "test-mechanism"},
                      {"name", "Test mechanism"},
                      {"parties", parties},
                      {"policy", policy}};
  return SignedLine(MakeEnvelope("mechanism.genesis", signers.at(0)->id, "genesis", body), signers);
}

json::Value BeneficiaryPrivate(uint64_t seed) {
  Bytes salt(18);
  for (size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<uint8_t>((seed >> (i % 8)) + i);
  return {{"salt", Base64Encode(salt)},
          {"names",
           {{"given", fmt::format("Given{}", seed)},
            {"father", "Khalil"},
            {"grandfather", ""},
            {"family", "Abu Taha"},
            {"arabic", "\u0645\u062d\u0645\u0648\u062f"}}},
          {"id_number", fmt::format("{:09}", seed % 1000000000)},
          {"birth_date", "1979-04-12"}};
}

std::string PiiOf(const json::Value& private_record) {
  return crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(private_record).value()));
}

std::string AdmitLine(const Actor& by, const Actor& party, const std::string& role,
                      const std::string& nonce) {
  json::Value body = {{"party", party.id}, {"name", "Party " + party.id},
                      {"roles", {role}},   {"keys", {party.vkey}},
                      {"country", "ps"},   {"registration", "r-" + party.id}};
  return SignedLine(MakeEnvelope("party.admit", by.id, nonce, body), {&by});
}

}  // namespace aidtrace::testing
