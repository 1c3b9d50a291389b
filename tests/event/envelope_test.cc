#include "event/envelope.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "base/encoding.h"
#include "testing/events.h"

namespace aidtrace::event {
namespace {

using testing::Actor;
using testing::MakeActor;
using testing::MakeEnvelope;
using testing::SignedLine;

class MapKeys : public KeyRegistry {
 public:
  void Add(const Actor& a, KeyState state = KeyState::kActive) {
    keys_[{a.id, a.key.id}] = {state, a.key.pair.public_key};
    parties_.insert(a.id);
  }
  KeyLookup FindKey(std::string_view party, uint32_t id) const override {
    auto it = keys_.find({std::string(party), id});
    if (it != keys_.end()) return it->second;
    if (parties_.contains(std::string(party))) return {KeyState::kUnknownKey, {}};
    return {KeyState::kUnknownParty, {}};
  }

 private:
  std::map<std::pair<std::string, uint32_t>, KeyLookup> keys_;
  std::set<std::string> parties_;
};

class EnvelopeTest : public ::testing::Test {
 protected:
  Actor vendor_ = MakeActor("vendor-al-amal", 1);
  Actor monitor_ = MakeActor("un-mmu", 2);

  json::Value Release() {
    return MakeEnvelope("material.release", vendor_.id, "r-000193",
                        {{"release", "rel-1"},
                         {"warehouse", "w1"},
                         {"to", "school-7"},
                         {"lines", {{{"item", "cement"}, {"quantity", 5000}}}}});
  }
  Status Code(const std::string& line) { return DecodeSubmission(line).status(); }
};

TEST_F(EnvelopeTest, DecodesASignedEnvelope) {
  const std::string line = SignedLine(Release(), {&vendor_});
  auto sub = DecodeSubmission(line);
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  const Envelope& env = sub->envelope;
  EXPECT_EQ(env.type, "material.release");
  EXPECT_EQ(env.actor, vendor_.id);
  EXPECT_EQ(env.nonce, "r-000193");
  ASSERT_EQ(env.sigs.size(), 1u);
  EXPECT_EQ(env.sigs[0].key_id, vendor_.key.id);
  // The canonical form is the line itself (SignedLine emits JCS); the id hashes it.
  EXPECT_EQ(env.canonical, line);
  EXPECT_EQ(env.id, crypto::Sha256(line));
  // The signed message is the envelope without sigs.
  json::Value no_sigs = json::Parse(line).value();
  no_sigs.erase("sigs");
  EXPECT_EQ(env.signed_message, json::Canonical(no_sigs).value());
  EXPECT_FALSE(sub->wrapped);
  EXPECT_FALSE(sub->private_record.has_value());
}

TEST_F(EnvelopeTest, IdDoesNotDependOnInputFormatting) {
  const std::string line = SignedLine(Release(), {&vendor_});
  json::Value doc = json::Parse(line).value();
  const std::string pretty = doc.dump(2);
  auto a = DecodeSubmission(line);
  auto b = DecodeSubmission(pretty);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->envelope.id, b->envelope.id);
}

TEST_F(EnvelopeTest, ShapeErrorsNameTheMember) {
  struct Case {
    std::string member;
    json::Value value;  // null = remove
    std::string path;
  };
  const std::vector<Case> cases = {
      {"v", nullptr, "/v"},
      {"v", 2, "/v"},
      {"type", nullptr, "/type"},
      {"type", "Material.Release", "/type"},
      {"type", 7, "/type"},
      {"actor", "Vendor", "/actor"},
      {"time", "2026-11-23 10:00", "/time"},
      {"time", nullptr, "/time"},
      {"nonce", "", "/nonce"},
      {"nonce", std::string(129, 'n'), "/nonce"},
      {"nonce", "a\nb", "/nonce"},
      {"body", "x", "/body"},
      {"body", nullptr, "/body"},
      {"extra", 1, "/extra"},
  };
  for (const auto& c : cases) {
    json::Value env = Release();
    if (c.value.is_null()) {
      env.erase(c.member);
    } else {
      env[c.member] = c.value;
    }
    env["sigs"] = {{{"signer", vendor_.id}, {"key", "00000000"}, {"sig", Base64Encode(Bytes(64))}}};
    const Status s = Code(json::Canonical(env).value());
    EXPECT_EQ(s.code(), ErrorCode::kBadEnvelope) << c.member << " " << s.ToString();
    EXPECT_EQ(s.path(), c.path) << c.member;
  }
}

TEST_F(EnvelopeTest, SignatureEntryErrors) {
  auto with_sigs = [&](json::Value sigs) {
    json::Value env = Release();
    env["sigs"] = std::move(sigs);
    return Code(json::Canonical(env).value());
  };
  const std::string good_sig = Base64Encode(Bytes(64));
  EXPECT_EQ(with_sigs(json::Value::array()).path(), "/sigs");
  EXPECT_EQ(with_sigs(nullptr).path(), "/sigs");
  EXPECT_EQ(with_sigs({{{"signer", monitor_.id}, {"key", "00000000"}, {"sig", good_sig}}}).path(),
            "/sigs/0/signer");
  EXPECT_EQ(with_sigs({{{"signer", vendor_.id}, {"key", "0000000"}, {"sig", good_sig}}}).path(),
            "/sigs/0/key");
  EXPECT_EQ(with_sigs({{{"signer", vendor_.id}, {"key", "0000000G"}, {"sig", good_sig}}}).path(),
            "/sigs/0/key");
  EXPECT_EQ(
      with_sigs({{{"signer", vendor_.id}, {"key", "00000000"}, {"sig", Base64Encode(Bytes(63))}}})
          .path(),
      "/sigs/0/sig");
  EXPECT_EQ(
      with_sigs({{{"signer", vendor_.id}, {"key", "00000000"}, {"sig", "not base64"}}}).path(),
      "/sigs/0/sig");
  EXPECT_EQ(with_sigs({{{"signer", vendor_.id}, {"key", "00000000"}, {"sig", good_sig}, {"x", 1}}})
                .path(),
            "/sigs/0/x");
  EXPECT_EQ(with_sigs({{{"signer", vendor_.id}, {"key", "00000000"}, {"sig", good_sig}},
                       {{"signer", vendor_.id}, {"key", "00000001"}, {"sig", good_sig}}})
                .path(),
            "/sigs/1/signer");
}

TEST_F(EnvelopeTest, StrictJsonViolationsAreBadJson) {
  std::string line = SignedLine(Release(), {&vendor_});
  const size_t at = line.find("5000");
  std::string frac = line;
  frac.replace(at, 4, "5000.0");
  Status s = Code(frac);
  EXPECT_EQ(s.code(), ErrorCode::kBadJson);
  EXPECT_EQ(s.path(), "/body/lines/0/quantity");
  EXPECT_EQ(Code("{").code(), ErrorCode::kBadJson);
  EXPECT_EQ(Code("").code(), ErrorCode::kBadJson);
  EXPECT_EQ(Code("[]").code(), ErrorCode::kBadEnvelope);
}

TEST_F(EnvelopeTest, PrivateRecordMustMatchPii) {
  json::Value priv = {{"salt", Base64Encode(Bytes(16, 7))},
                      {"names", {{"given", "Mohammed"}, {"family", "Haddad"}}}};
  json::Value env = MakeEnvelope(
      "beneficiary.register", monitor_.id, "b-1",
      {{"beneficiary", "hh-1"},
       {"pii", crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(priv).value()))}});
  auto ok = DecodeSubmission(SignedLine(env, {&monitor_}, &priv));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->wrapped);
  EXPECT_EQ(ok->private_canonical, json::Canonical(priv).value());
  // The envelope (and so the leaf) never contains the names.
  EXPECT_EQ(ok->envelope.canonical.find("Haddad"), std::string::npos);

  json::Value other = priv;
  other["names"]["family"] = "Hadad";
  Status s = DecodeSubmission(SignedLine(env, {&monitor_}, &other)).status();
  EXPECT_EQ(s.code(), ErrorCode::kPiiMismatch);
  EXPECT_EQ(s.path(), "/envelope/body/pii");

  // pii without a private record.
  s = DecodeSubmission(SignedLine(env, {&monitor_})).status();
  EXPECT_EQ(s.code(), ErrorCode::kPiiMismatch);
  EXPECT_EQ(s.path(), "/body/pii");

  // A private record without pii.
  json::Value no_pii = env;
  no_pii["body"].erase("pii");
  s = DecodeSubmission(SignedLine(no_pii, {&monitor_}, &priv)).status();
  EXPECT_EQ(s.code(), ErrorCode::kPiiMismatch);
  EXPECT_EQ(s.path(), "/private");

  // A salt shorter than 16 bytes.
  json::Value short_salt = priv;
  short_salt["salt"] = Base64Encode(Bytes(15, 7));
  json::Value env2 = env;
  env2["body"]["pii"] =
      crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(short_salt).value()));
  s = DecodeSubmission(SignedLine(env2, {&monitor_}, &short_salt)).status();
  EXPECT_EQ(s.code(), ErrorCode::kBadEnvelope);
  EXPECT_EQ(s.path(), "/private/salt");

  // Unknown wrapper member.
  json::Value wrapper = {{"envelope", json::Parse(SignedLine(env, {&monitor_})).value()},
                         {"private", priv},
                         {"extra", 1}};
  s = DecodeSubmission(json::Canonical(wrapper).value()).status();
  EXPECT_EQ(s.code(), ErrorCode::kBadEnvelope);
  EXPECT_EQ(s.path(), "/extra");
}

TEST_F(EnvelopeTest, SignatureChecksAgainstTheRegistry) {
  MapKeys keys;
  auto sub = DecodeSubmission(SignedLine(Release(), {&vendor_}));
  ASSERT_TRUE(sub.ok());
  Status s = VerifySignatures(sub->envelope, keys);
  EXPECT_EQ(s.code(), ErrorCode::kUnknownParty);
  EXPECT_EQ(s.path(), "/sigs/0/signer");

  Actor vendor_other_key = MakeActor(vendor_.id, 99);
  keys.Add(vendor_other_key);
  s = VerifySignatures(sub->envelope, keys);
  EXPECT_EQ(s.code(), ErrorCode::kUnknownKey);
  EXPECT_EQ(s.path(), "/sigs/0/key");

  MapKeys revoked;
  revoked.Add(vendor_, KeyState::kRevoked);
  EXPECT_EQ(VerifySignatures(sub->envelope, revoked).code(), ErrorCode::kKeyRevoked);

  MapKeys good;
  good.Add(vendor_);
  EXPECT_TRUE(VerifySignatures(sub->envelope, good).ok());

  // Any change to the signed content breaks the signature.
  json::Value tampered = json::Parse(SignedLine(Release(), {&vendor_})).value();
  tampered["body"]["lines"][0]["quantity"] = 5001;
  auto t = DecodeSubmission(json::Canonical(tampered).value());
  ASSERT_TRUE(t.ok());
  s = VerifySignatures(t->envelope, good);
  EXPECT_EQ(s.code(), ErrorCode::kBadSignature);
  EXPECT_EQ(s.path(), "/sigs/0/sig");
  EXPECT_EQ(PreverifySignatures(t->envelope, good).status().code(), ErrorCode::kBadSignature);
}

TEST_F(EnvelopeTest, QuorumSignaturesAreEachChecked) {
  MapKeys keys;
  keys.Add(vendor_);
  keys.Add(monitor_);
  auto sub = DecodeSubmission(SignedLine(Release(), {&vendor_, &monitor_}));
  ASSERT_TRUE(sub.ok());
  EXPECT_TRUE(VerifySignatures(sub->envelope, keys).ok());
  // Swap the second signature for the first one's bytes.
  json::Value doc = json::Parse(sub->envelope.canonical).value();
  doc["sigs"][1]["sig"] = doc["sigs"][0]["sig"];
  auto bad = DecodeSubmission(json::Canonical(doc).value());
  ASSERT_TRUE(bad.ok());
  Status s = VerifySignatures(bad->envelope, keys);
  EXPECT_EQ(s.code(), ErrorCode::kBadSignature);
  EXPECT_EQ(s.path(), "/sigs/1/sig");
}

TEST_F(EnvelopeTest, PreverifiedSignaturesAreNotCheckedTwice) {
  MapKeys keys;
  keys.Add(vendor_);
  auto sub = DecodeSubmission(SignedLine(Release(), {&vendor_}));
  ASSERT_TRUE(sub.ok());
  auto pre = PreverifySignatures(sub->envelope, keys);
  ASSERT_TRUE(pre.ok());
  ASSERT_TRUE((*pre)[0].has_value());
  // Corrupt the signature after pre-verification: VerifySignatures trusts the
  // pre-verified key (same public key) and does not recheck the bytes.
  sub->envelope.sigs[0].sig[0] ^= 1;
  EXPECT_TRUE(VerifySignatures(sub->envelope, keys, *pre).ok());
  EXPECT_EQ(VerifySignatures(sub->envelope, keys).code(), ErrorCode::kBadSignature);
  // Unknown keys are left for later.
  MapKeys empty;
  auto none = PreverifySignatures(sub->envelope, empty);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE((*none)[0].has_value());
}

TEST_F(EnvelopeTest, LeafIsCanonicalAndRoundTrips) {
  auto sub = DecodeSubmission(SignedLine(Release(), {&vendor_}));
  ASSERT_TRUE(sub.ok());
  const std::string leaf = BuildLeaf(42, "2026-11-23T10:00:01Z", sub->envelope.canonical);
  json::Value doc = json::Parse(leaf).value();
  EXPECT_EQ(json::Canonical(doc).value(), leaf);
  EXPECT_EQ(doc["seq"], 42);
  auto parsed = ParseLeaf(leaf);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->seq, 42u);
  EXPECT_EQ(parsed->logged, "2026-11-23T10:00:01Z");
  EXPECT_EQ(parsed->envelope.id, sub->envelope.id);
  // Not canonical: whitespace.
  std::string spaced = leaf;
  spaced.insert(1, " ");
  EXPECT_EQ(ParseLeaf(spaced).status().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(ParseLeaf("{}").status().code(), ErrorCode::kCorrupt);
}

TEST_F(EnvelopeTest, ReceiptJsonShape) {
  Receipt r;
  r.seq = 7;
  r.id = crypto::Sha256("a");
  r.leaf_hash = crypto::Sha256("b");
  r.logged = "2026-11-23T10:00:01Z";
  r.checkpoint = "origin\n8\nroot=\n\n\xE2\x80\x94 origin sig\n";
  json::Value v = json::Parse(ReceiptJson(r)).value();
  EXPECT_EQ(v["seq"], 7);
  EXPECT_EQ(v["id"], crypto::FormatTaggedHash(r.id));
  EXPECT_EQ(v["leaf_hash"], crypto::FormatTaggedHash(r.leaf_hash));
  EXPECT_EQ(v["logged"], r.logged);
  EXPECT_EQ(v["checkpoint"], r.checkpoint);
  EXPECT_EQ(v.size(), 5u);
}

TEST_F(EnvelopeTest, MutatedInputNeverCrashes) {
  const std::string line = SignedLine(Release(), {&vendor_});
  std::mt19937_64 rng(20261123);
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string m = line;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % m.size();
      switch (rng() % 3) {
        case 0:
          m[pos] = static_cast<char>(rng() & 0xff);
          break;
        case 1:
          m.erase(pos, 1 + rng() % 8);
          break;
        default:
          m.insert(pos, 1, "{}[]\",:0\\"[rng() % 9]);
          break;
      }
      if (m.empty()) m = "x";
    }
    auto r = DecodeSubmission(m);
    if (r.ok()) {
      ++accepted;
    } else {
      EXPECT_NE(r.status().code(), ErrorCode::kInternal) << r.status().ToString();
    }
  }
  EXPECT_LT(accepted, 3000);
}

}  // namespace
}  // namespace aidtrace::event
