#include "crypto/note.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "testing/fault_env.h"
#include "testing/shared.h"

namespace aidtrace::crypto {
namespace {

constexpr const char* kVectors = "testdata/signed-note/signed-note-vectors.json";
constexpr std::string_view kDash = "\xE2\x80\x94";  // U+2014

nlohmann::json LoadVectors() {
  return nlohmann::json::parse(
      ::aidtrace::testing::ReadFileOrDie(::aidtrace::testing::SharedDir() / kVectors));
}

const nlohmann::json& VectorById(const nlohmann::json& doc, std::string_view id) {
  for (const auto& v : doc.at("vectors")) {
    if (v.at("id") == id) return v;
  }
  throw std::runtime_error("no vector " + std::string(id));
}

std::vector<VerifierKey> ParseKeys(const nlohmann::json& list) {
  std::vector<VerifierKey> out;
  for (const auto& k : list) {
    auto key = ParseVerifierKey(k.get<std::string>());
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    if (key.ok()) out.push_back(*key);
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// What a vector's free-text "expect" asks for. Unknown phrasings fail the test rather
// than being skipped, so a vector added to the file cannot go untested.
enum class Expect { kVerifies, kSignExactly, kMalformed, kNoKnownKey, kBadSig, kBadVkey };

Expect Classify(const std::string& expect) {
  if (StartsWith(expect, "verifies")) return Expect::kVerifies;
  if (StartsWith(expect, "Sign(text, skey) must produce exactly")) return Expect::kSignExactly;
  if (StartsWith(expect, "reject: malformed")) return Expect::kMalformed;
  if (StartsWith(expect, "reject: note has no verifiable signatures")) {
    return Expect::kNoKnownKey;
  }
  if (StartsWith(expect, "reject: invalid signature")) return Expect::kBadSig;
  if (StartsWith(expect, "reject: wrong key length") ||
      StartsWith(expect, "reject: unknown algorithm")) {
    return Expect::kBadVkey;
  }
  throw std::runtime_error("unrecognised expect: " + expect);
}

// Checks a vector's vkey fields against our parser and formatter.
void CheckVkeyFields(const nlohmann::json& v) {
  const std::string vkey = v.at("vkey").get<std::string>();
  auto key = ParseVerifierKey(vkey);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->name, v.at("key_name").get<std::string>());
  EXPECT_EQ(KeyIdHex(key->id), v.at("key_id_hex").get<std::string>());
  EXPECT_EQ(static_cast<int>(key->type), v.at("sig_type").get<int>());
  EXPECT_EQ(HexEncode(key->key), v.at("pubkey_hex").get<std::string>());
  EXPECT_EQ(KeyId(key->name, key->key), key->id);
  EXPECT_EQ(FormatVerifierKey(*key), vkey);
}

// Every vector of signed-note-vectors.json, each per its "expect".
TEST(SignedNoteVectorsTest, EveryVector) {
  AIDTRACE_REQUIRE_SHARED(kVectors);
  const auto doc = LoadVectors();
  const auto& peter = VectorById(doc, "go-note-peter-sign");
  std::map<Expect, int> counts;
  size_t seen = 0;
  for (const auto& v : doc.at("vectors")) {
    ++seen;
    const std::string id = v.at("id").get<std::string>();
    SCOPED_TRACE("vector " + id);
    const Expect expect = Classify(v.at("expect").get<std::string>());
    ++counts[expect];

    if (expect == Expect::kBadVkey) {
      auto key = ParseVerifierKey(v.at("vkey").get<std::string>());
      EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
      continue;
    }

    std::string note;
    if (v.contains("note")) {
      note = v.at("note").get<std::string>();
    } else {
      // The only construction in the file: text + '\n' + one signature line x 101.
      ASSERT_EQ(v.at("note_construction").get<std::string>(),
                "text + '\\n' + peter_sig repeated 101 times");
      const std::string peter_note = peter.at("note").get<std::string>();
      const std::string text = peter.at("text").get<std::string>();
      const std::string sig_line = peter_note.substr(text.size() + 1);
      note = text + "\n";
      for (int i = 0; i < 101; ++i) note += sig_line;
    }

    std::vector<VerifierKey> known;
    if (v.contains("known_vkeys")) {
      known = ParseKeys(v.at("known_vkeys"));
    } else if (v.contains("vkey")) {
      known = ParseKeys(nlohmann::json::array({v.at("vkey")}));
    } else {
      known = ParseKeys(nlohmann::json::array({peter.at("vkey")}));
    }
    if (v.contains("key_name")) {
      CheckVkeyFields(v);
    }

    auto parsed = ParseNote(note);
    auto opened = OpenNote(note, known);
    switch (expect) {
      case Expect::kSignExactly: {
        const std::string text = v.at("text").get<std::string>();
        auto skey = ParseSignerKey(v.at("skey").get<std::string>());
        ASSERT_TRUE(skey.ok()) << skey.status().ToString();
        EXPECT_EQ(FormatSignerKey(*skey), v.at("skey").get<std::string>());
        EXPECT_EQ(VerifierOf(*skey), known.at(0));
        const SignerKey* keys[] = {&*skey};
        auto signed_note = SignNote(text, keys);
        ASSERT_TRUE(signed_note.ok()) << signed_note.status().ToString();
        EXPECT_EQ(*signed_note, note);
        [[fallthrough]];
      }
      case Expect::kVerifies: {
        ASSERT_TRUE(opened.ok()) << opened.status().ToString();
        if (v.contains("text")) {
          EXPECT_EQ(opened->text, v.at("text").get<std::string>());
        }
        ASSERT_EQ(opened->verified_by.size(), 1u);
        EXPECT_EQ(opened->verified_by[0], known.at(0));
        // "1 unverified (EnochRoot) ignored" for the two-signature vector, else none.
        EXPECT_EQ(opened->unverified, parsed->signatures.size() - 1);
        EXPECT_EQ(opened->cosignature_times, std::vector<uint64_t>{0});
        break;
      }
      case Expect::kMalformed:
        EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
        EXPECT_EQ(opened.status().code(), ErrorCode::kInvalidArgument);
        break;
      case Expect::kNoKnownKey:
        EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
        EXPECT_EQ(opened.status().code(), ErrorCode::kBadSignature);
        EXPECT_NE(opened.status().message().find("no verifiable signature"), std::string::npos);
        break;
      case Expect::kBadSig:
        EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
        EXPECT_EQ(opened.status().code(), ErrorCode::kBadSignature);
        EXPECT_NE(opened.status().message().find("PeterNeumann+c74f20a3"), std::string::npos)
            << opened.status().message();
        break;
      case Expect::kBadVkey:
        break;
    }
  }
  EXPECT_EQ(seen, doc.at("vectors").size());
  EXPECT_EQ(counts[Expect::kVerifies], 3);
  EXPECT_EQ(counts[Expect::kSignExactly], 1);
  EXPECT_EQ(counts[Expect::kMalformed], 7);  // 6 from badMsgs + 101 signatures
  EXPECT_EQ(counts[Expect::kNoKnownKey], 1);
  EXPECT_EQ(counts[Expect::kBadSig], 1);
  EXPECT_EQ(counts[Expect::kBadVkey], 2);
}

// The C2SP-mandated lower bound (16) and our upper bound (100) on signature lines.
TEST(SignedNoteVectorsTest, SignatureCountLimits) {
  AIDTRACE_REQUIRE_SHARED(kVectors);
  const auto doc = LoadVectors();
  const auto& peter = VectorById(doc, "go-note-peter-sign");
  const std::string text = peter.at("text").get<std::string>();
  const std::string sig_line = peter.at("note").get<std::string>().substr(text.size() + 1);
  const auto known = ParseKeys(nlohmann::json::array({peter.at("vkey")}));
  for (int n : {1, 16, 100, 101}) {
    std::string note = text + "\n";
    for (int i = 0; i < n; ++i) note += sig_line;
    auto opened = OpenNote(note, known);
    if (n <= 100) {
      ASSERT_TRUE(opened.ok()) << n << ": " << opened.status().ToString();
      EXPECT_EQ(opened->verified_by.size(), 1u);  // one key, however many lines
    } else {
      EXPECT_EQ(opened.status().code(), ErrorCode::kInvalidArgument);
    }
  }
}

// The C2SP spec examples whose keys are unpublished: structure only.
TEST(SignedNoteVectorsTest, UnverifiableFormatExamples) {
  AIDTRACE_REQUIRE_SHARED(kVectors);
  const auto doc = LoadVectors();
  const auto& ex = doc.at("format_examples_unverifiable");
  const std::string checkpoint = ex.at("tlog_checkpoint").get<std::string>();
  const std::string body =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  size_t seen = 0;
  for (const auto& [name, value] : ex.items()) {
    SCOPED_TRACE(name);
    if (name == "_note") continue;
    ++seen;
    const std::string s = value.get<std::string>();
    if (name == "tlog_checkpoint") {
      auto note = ParseNote(s);
      ASSERT_TRUE(note.ok()) << note.status().ToString();
      EXPECT_EQ(note->text, body);
      ASSERT_EQ(note->signatures.size(), 1u);
      EXPECT_EQ(note->signatures[0].name, "example.com/behind-the-sofa");
      EXPECT_EQ(note->signatures[0].sig.size(), 64u);
      EXPECT_EQ(OpenNote(s, {}).status().code(), ErrorCode::kBadSignature);
    } else if (name == "tlog_checkpoint_with_cosignature") {
      auto note = ParseNote(s);
      ASSERT_TRUE(note.ok()) << note.status().ToString();
      EXPECT_EQ(note->text, body);
      ASSERT_EQ(note->signatures.size(), 2u);
      EXPECT_EQ(s.substr(0, checkpoint.size()), checkpoint);  // the log line comes first
      const NoteSignature& cosig = note->signatures[1];
      EXPECT_EQ(cosig.name, "witness.example.com/w1");
      ASSERT_EQ(cosig.sig.size(), 8u + 64u);  // timestamp || Ed25519 signature
      uint64_t time = 0;
      for (int i = 0; i < 8; ++i) time = (time << 8) | cosig.sig[static_cast<size_t>(i)];
      EXPECT_EQ(time, 1679315147u);
      // Our message for the same body and time is the spec's example message.
      auto msg = CosignatureMessage(note->text, time);
      ASSERT_TRUE(msg.ok()) << msg.status().ToString();
      EXPECT_EQ(*msg, ex.at("cosignature_v1_signed_message_example").get<std::string>());
    } else if (name == "cosignature_v1_signed_message_example") {
      auto msg = CosignatureMessage(body, 1679315147);
      ASSERT_TRUE(msg.ok());
      EXPECT_EQ(*msg, s);
    } else if (name == "tlog_witness_add_checkpoint_request_body") {
      // "old N", consistency proof hashes, blank line, then the checkpoint note.
      const size_t blank = s.find("\n\n");
      ASSERT_NE(blank, std::string::npos);
      EXPECT_EQ(s.substr(0, 13), "old 20852014\n");
      auto note = ParseNote(s.substr(blank + 2));
      ASSERT_TRUE(note.ok()) << note.status().ToString();
      EXPECT_EQ(note->text, body);
      ASSERT_EQ(note->signatures.size(), 2u);
      for (const auto& sig : note->signatures) {
        EXPECT_EQ(sig.name, "example.com/behind-the-sofa");
        EXPECT_EQ(sig.sig.size(), 64u);
      }
    } else {
      ADD_FAILURE() << "unhandled format example " << name;
    }
  }
  EXPECT_EQ(seen, 4u);
}

// --- keys ---

TEST(NoteKeyTest, KeyNames) {
  for (std::string_view ok : {"a", "example.com/foo", "PeterNeumann", "h\xC3\xA9llo",
                              "\xE6\x97\xA5\xE6\x9C\xAC", "a-b_c.d/e:f", "x\x7F"}) {
    EXPECT_TRUE(IsValidKeyName(ok)) << ok;
  }
  for (std::string_view bad : {"", "a+b", "+", "a b", "a\tb", "a\nb", "a\rb", "a\vb", "a\fb",
                               "a\u0085z",        // U+0085 NEL
                               "a\xC2\xA0z",      // U+00A0 NBSP
                               "a\xE1\x9A\x80z",  // U+1680
                               "a\xE2\x80\x83z",  // U+2003 EM SPACE
                               "a\xE2\x80\xA8z",  // U+2028
                               "a\xE2\x80\xAFz",  // U+202F
                               "a\xE3\x80\x80z",  // U+3000
                               "\xFF", "a\xC0\xAF", "\xED\xA0\x80"}) {
    EXPECT_FALSE(IsValidKeyName(bad)) << HexEncode(AsBytes(bad));
  }
  // Not white space: zero-width space U+200B and the em dash itself.
  EXPECT_TRUE(IsValidKeyName("a\xE2\x80\x8Bz"));
  EXPECT_TRUE(IsValidKeyName("\xE2\x80\x94"));
}

TEST(NoteKeyTest, KeyIdAndHex) {
  EXPECT_EQ(KeyIdHex(0), "00000000");
  EXPECT_EQ(KeyIdHex(0xC74F20A3), "c74f20a3");
  EXPECT_EQ(KeyIdHex(0xFFFFFFFF), "ffffffff");
  const KeyPair pair = KeyPairFromSeed(Seed{7});
  EXPECT_EQ(KeyId("n", pair.public_key), KeyId("n", pair.public_key, KeyType::kEd25519));
  EXPECT_EQ(CosignatureKeyId("n", pair.public_key),
            KeyId("n", pair.public_key, KeyType::kCosignatureV1));
  EXPECT_NE(KeyId("n", pair.public_key), CosignatureKeyId("n", pair.public_key));
  EXPECT_NE(KeyId("n", pair.public_key), KeyId("m", pair.public_key));
}

TEST(NoteKeyTest, GenerateFormatParseRoundTrip) {
  ::aidtrace::testing::FaultEnv env;
  env.SeedRandom(7);
  for (KeyType type : {KeyType::kEd25519, KeyType::kCosignatureV1}) {
    for (std::string_view name : {"vendor-al-amal", "example.com/log", "\xC3\xA9t\xC3\xA9"}) {
      auto skey = GenerateSignerKey(name, env, type);
      ASSERT_TRUE(skey.ok()) << skey.status().ToString();
      EXPECT_EQ(skey->name, name);
      EXPECT_EQ(skey->type, type);
      EXPECT_EQ(skey->id, KeyId(name, skey->pair.public_key, type));

      const std::string stext = FormatSignerKey(*skey);
      EXPECT_TRUE(
          StartsWith(stext, "PRIVATE+KEY+" + std::string(name) + "+" + KeyIdHex(skey->id) + "+"));
      auto sback = ParseSignerKey(stext, type);
      ASSERT_TRUE(sback.ok()) << sback.status().ToString();
      EXPECT_EQ(sback->name, skey->name);
      EXPECT_EQ(sback->id, skey->id);
      EXPECT_EQ(sback->pair, skey->pair);
      EXPECT_EQ(FormatSignerKey(*sback), stext);

      const VerifierKey vkey = VerifierOf(*skey);
      const std::string vtext = FormatVerifierKey(vkey);
      EXPECT_TRUE(StartsWith(vtext, std::string(name) + "+" + KeyIdHex(skey->id) + "+"));
      auto vback = ParseVerifierKey(vtext, type);
      ASSERT_TRUE(vback.ok()) << vback.status().ToString();
      EXPECT_EQ(*vback, vkey);
      // base64(type || 32 bytes) is 44 characters and starts with the type.
      const std::string b64 = vtext.substr(vtext.rfind('+', vtext.size() - 45) + 1);
      EXPECT_EQ(b64.size(), 44u);
      auto raw = Base64Decode(b64);
      ASSERT_TRUE(raw.ok());
      EXPECT_EQ((*raw)[0], static_cast<uint8_t>(type));

      // A key of the other type is refused, with a message naming both types.
      const KeyType other = type == KeyType::kEd25519 ? KeyType::kCosignatureV1 : KeyType::kEd25519;
      auto wrong = ParseVerifierKey(vtext, other);
      EXPECT_EQ(wrong.status().code(), ErrorCode::kInvalidArgument);
      EXPECT_EQ(ParseSignerKey(stext, other).status().code(), ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_EQ(GenerateSignerKey("bad name", env).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(GenerateSignerKey("", env).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(GenerateSignerKey("a+b", env).status().code(), ErrorCode::kInvalidArgument);
}

TEST(NoteKeyTest, AsCosignatureKeyRecomputesId) {
  const SignerKey s{"witness.example/w",
                    KeyId("witness.example/w", KeyPairFromSeed({5}).public_key),
                    KeyPairFromSeed({5}), KeyType::kEd25519};
  const SignerKey c = AsCosignatureKey(s);
  EXPECT_EQ(c.type, KeyType::kCosignatureV1);
  EXPECT_EQ(c.id, CosignatureKeyId(s.name, s.pair.public_key));
  EXPECT_EQ(AsCosignatureKey(VerifierOf(s)), VerifierOf(c));
  EXPECT_EQ(AsCosignatureKey(c).id, c.id);
}

TEST(NoteKeyTest, ParseVerifierKeyErrors) {
  const std::string good = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  ASSERT_TRUE(ParseVerifierKey(good).ok());
  // Uppercase hex is accepted (as Go's ParseUint does); formatting is lowercase.
  auto upper =
      ParseVerifierKey("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(FormatVerifierKey(*upper), good);

  struct Case {
    std::string text;
    std::string fragment;  // expected in the message
  };
  const Case cases[] = {
      {"", "expected <name>"},
      {"PeterNeumann", "expected <name>"},
      {"PeterNeumann+c74f20a3", "expected <name>"},
      {"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"},
      {"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"},
      {"PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex"},
      {"PeterNeumann+c74f20a3a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex"},
      {"PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex"},
      {"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"},
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "base64"},
      {"PeterNeumann+c74f20a3+", "key data"},  // empty
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n", "base64"},
      {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q=", "bytes"},
      {"PeterNeumann+c74f20a3+AhpjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3", "unknown key type"},
  };
  for (const Case& c : cases) {
    auto r = ParseVerifierKey(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.status().message().find(c.fragment), std::string::npos)
        << c.text << " -> " << r.status().message();
  }
}

TEST(NoteKeyTest, ParseSignerKeyErrors) {
  const std::string good =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  ASSERT_TRUE(ParseSignerKey(good).ok());
  for (const std::string& bad : {
           std::string("PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
           std::string(
               "PRIVATE+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
           std::string(
               "private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
           std::string(
               "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
           std::string(
               "PRIVATE+KEY+EnochRoot+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
           std::string(
               "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF"),
           std::string("PRIVATE+KEY+PeterNeumann+c74f20a3+"),
           std::string("PRIVATE+KEY+"),
       }) {
    auto r = ParseSignerKey(bad);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << bad;
    // The secret never appears in an error message.
    EXPECT_EQ(r.status().message().find("AYEKFALVFGyNhPJEMzD1"), std::string::npos);
  }
}

// --- notes ---

struct Fixture {
  Fixture() {
    env.SeedRandom(1);
    a = *GenerateSignerKey("example.com/a", env);
    b = *GenerateSignerKey("example.com/b", env);
  }
  ::aidtrace::testing::FaultEnv env;
  SignerKey a, b;
};

std::string MustSign(std::string_view text, std::vector<const SignerKey*> keys) {
  auto r = SignNote(text, keys);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

TEST(NoteTest, SignAndOpenWithSeveralKeys) {
  Fixture f;
  const std::string text = "line one\n\nline three after a blank line\n";
  const std::string note = MustSign(text, {&f.a, &f.b});
  auto parsed = ParseNote(note);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->text, text);
  ASSERT_EQ(parsed->signatures.size(), 2u);
  EXPECT_EQ(parsed->signatures[0].name, "example.com/a");
  EXPECT_EQ(parsed->signatures[0].id, f.a.id);
  EXPECT_EQ(parsed->signatures[0].sig.size(), 64u);
  EXPECT_EQ(note, text + "\n" + std::string(kDash) + " example.com/a " + Base64Encode([&] {
                    Bytes raw = {static_cast<uint8_t>(f.a.id >> 24),
                                 static_cast<uint8_t>(f.a.id >> 16),
                                 static_cast<uint8_t>(f.a.id >> 8), static_cast<uint8_t>(f.a.id)};
                    const Signature s = Sign(f.a.pair, AsBytes(text));
                    raw.insert(raw.end(), s.begin(), s.end());
                    return raw;
                  }()) +
                      "\n" + note.substr(note.rfind(std::string(kDash) + " example.com/b")));

  const VerifierKey va = VerifierOf(f.a), vb = VerifierOf(f.b);
  {
    const VerifierKey known[] = {vb, va};
    auto opened = OpenNote(note, known);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->text, text);
    EXPECT_EQ(opened->verified_by, (std::vector<VerifierKey>{va, vb}));  // note order
    EXPECT_EQ(opened->unverified, 0u);
  }
  {
    const VerifierKey known[] = {vb};
    auto opened = OpenNote(note, known);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->verified_by, std::vector<VerifierKey>{vb});
    EXPECT_EQ(opened->unverified, 1u);
  }
  {
    auto opened = OpenNote(note, {});
    EXPECT_EQ(opened.status().code(), ErrorCode::kBadSignature);
  }
}

TEST(NoteTest, EdgeTexts) {
  Fixture f;
  const VerifierKey known[] = {VerifierOf(f.a)};
  for (const std::string& text :
       {std::string("\n"), std::string("a\n\n"), std::string("\n\n\n"),
        std::string(kDash) + " example.com/a AAAA\n", std::string("tab-free \x7F del is allowed\n"),
        std::string("\xE2\x80\x94\xE2\x80\x94\n")}) {
    const std::string note = MustSign(text, {&f.a});
    auto opened = OpenNote(note, known);
    ASSERT_TRUE(opened.ok()) << HexEncode(AsBytes(text)) << ": " << opened.status().ToString();
    EXPECT_EQ(opened->text, text);
  }
}

TEST(NoteTest, SignRejectsBadInput) {
  Fixture f;
  auto code = [&](std::string_view text, std::vector<const SignerKey*> keys) {
    return SignNote(text, keys).status().code();
  };
  EXPECT_EQ(code("no newline", {&f.a}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("", {&f.a}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("tab\there\n", {&f.a}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("cr\r\n", {&f.a}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("bad utf8 \xFF\n", {&f.a}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(std::string_view("nul \0\n", 6), {&f.a}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("ok\n", {}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("ok\n", {nullptr}), ErrorCode::kInvalidArgument);
  const SignerKey cosigner = AsCosignatureKey(f.a);
  EXPECT_EQ(code("ok\n", {&cosigner}), ErrorCode::kInvalidArgument);
  SignerKey bad_name = f.a;
  bad_name.name = "has space";
  EXPECT_EQ(code("ok\n", {&bad_name}), ErrorCode::kInvalidArgument);
  SignerKey bad_id = f.a;
  bad_id.id ^= 1;
  EXPECT_EQ(code("ok\n", {&bad_id}), ErrorCode::kInvalidArgument);
  std::vector<const SignerKey*> many(101, &f.a);
  EXPECT_EQ(code("ok\n", many), ErrorCode::kInvalidArgument);
  many.resize(100);
  EXPECT_TRUE(SignNote("ok\n", many).ok());
}

TEST(NoteTest, ParseRejectsMalformed) {
  Fixture f;
  const std::string text = "hello\n";
  const std::string note = MustSign(text, {&f.a});
  const std::string line = note.substr(text.size() + 1);  // "— example.com/a <b64>\n"
  const std::string b64 = line.substr(line.rfind(' ') + 1, line.size() - line.rfind(' ') - 2);
  const std::string dash(kDash);
  const std::string cases[] = {
      "",
      "\n",
      "hello\n",                                             // no blank line, no signature
      "hello\n\n",                                           // no signature lines
      text + "\n" + line + "\n",                             // trailing blank line
      text + "\n" + line + "trailing",                       // text after the signatures
      text + "\n" + line.substr(0, line.size() - 1),         // no final newline
      text + line,                                           // no blank line
      text + "\n" + "- example.com/a " + b64 + "\n",         // ASCII hyphen, not em dash
      text + "\n" + dash + "example.com/a " + b64 + "\n",    // no space after the dash
      text + "\n" + dash + " example.com/a\n",               // no signature
      text + "\n" + dash + " example.com/a \n",              // empty signature
      text + "\n" + dash + "  example.com/a " + b64 + "\n",  // empty name
      text + "\n" + dash + " example.com/a  " + b64 + "\n",  // two spaces
      text + "\n" + dash + " example.com/a " + b64 + " \n",  // trailing space
      text + "\n" + dash + " a+b " + b64 + "\n",             // '+' in name
      text + "\n" + dash + " example.com/a AAAAAA==\n",      // 4 bytes: id but no signature
      text + "\n" + dash + " example.com/a " + b64.substr(1) + "\n",  // not base64
      "hel\tlo\n\n" + line,  // control character in the text
      "hel\rlo\n\n" + line,
      "h\xC3llo\n\n" + line,                                   // invalid UTF-8 in the text
      text + "\n" + dash + " example.com/\xFF " + b64 + "\n",  // invalid UTF-8 in a name
  };
  for (const std::string& c : cases) {
    auto parsed = ParseNote(c);
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument) << c;
    const VerifierKey known[] = {VerifierOf(f.a)};
    EXPECT_EQ(OpenNote(c, known).status().code(), ErrorCode::kInvalidArgument) << c;
  }
  // A single-byte signature after the id is structurally fine (5 bytes) but cannot
  // verify: a bad signature from a known key.
  const std::string tiny =
      text + "\n" + dash + " example.com/a " +
      Base64Encode(Bytes{static_cast<uint8_t>(f.a.id >> 24), static_cast<uint8_t>(f.a.id >> 16),
                         static_cast<uint8_t>(f.a.id >> 8), static_cast<uint8_t>(f.a.id), 0}) +
      "\n";
  ASSERT_TRUE(ParseNote(tiny).ok());
  const VerifierKey known[] = {VerifierOf(f.a)};
  EXPECT_EQ(OpenNote(tiny, known).status().code(), ErrorCode::kBadSignature);
}

TEST(NoteTest, UnknownKeysAreIgnoredEvenIfNameOrIdMatches) {
  Fixture f;
  const std::string text = "t\n";
  const std::string note_a = MustSign(text, {&f.a});
  // Same name as a, different key (hence id): unknown, ignored.
  ::aidtrace::testing::FaultEnv env2;
  env2.SeedRandom(99);
  const SignerKey impostor = *GenerateSignerKey("example.com/a", env2);
  ASSERT_NE(impostor.id, f.a.id);
  const std::string note_imp = MustSign(text, {&impostor});
  const std::string imp_line = note_imp.substr(text.size() + 1);
  // Same id as a, different name: a's own line, renamed.
  std::string renamed_line = note_a.substr(text.size() + 1);
  renamed_line.replace(renamed_line.find("example.com/a"), 13, "example.com/z");

  const VerifierKey known[] = {VerifierOf(f.a)};
  const std::string both = note_a + imp_line + renamed_line;
  auto opened = OpenNote(both, known);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->verified_by.size(), 1u);
  EXPECT_EQ(opened->unverified, 2u);

  // Only unknown keys: rejected.
  EXPECT_EQ(OpenNote(note_imp, known).status().code(), ErrorCode::kBadSignature);
}

TEST(NoteTest, BadSignatureFromKnownKeyRejectsWholeNote) {
  Fixture f;
  const std::string text = "t\n";
  const std::string good = MustSign(text, {&f.a, &f.b});
  // b's line replaced by b's signature of another text: a still verifies, b does not.
  const std::string other = MustSign("u\n", {&f.b});
  const std::string b_bad_line = other.substr(3);
  const std::string a_line = good.substr(3, good.find('\n', 3) - 2);
  const std::string note = text + "\n" + a_line + b_bad_line;
  ASSERT_TRUE(ParseNote(note).ok());
  const VerifierKey only_a[] = {VerifierOf(f.a)};
  EXPECT_TRUE(OpenNote(note, only_a).ok());  // b unknown: ignored
  const VerifierKey both[] = {VerifierOf(f.a), VerifierOf(f.b)};
  auto opened = OpenNote(note, both);
  EXPECT_EQ(opened.status().code(), ErrorCode::kBadSignature);
  EXPECT_NE(opened.status().message().find("example.com/b+" + KeyIdHex(f.b.id)), std::string::npos);
  // A duplicate line from a known key is verified too, not skipped.
  const std::string dup = text + "\n" + a_line + a_line;
  auto dup_opened = OpenNote(dup, only_a);
  ASSERT_TRUE(dup_opened.ok());
  EXPECT_EQ(dup_opened->verified_by.size(), 1u);
}

TEST(NoteTest, KnownKeyListChecks) {
  Fixture f;
  const std::string note = MustSign("t\n", {&f.a});
  VerifierKey va = VerifierOf(f.a);
  // The same key twice is fine.
  {
    const VerifierKey known[] = {va, va};
    EXPECT_TRUE(OpenNote(note, known).ok());
  }
  // A known key whose id does not match its material: caller bug.
  {
    VerifierKey bad = va;
    bad.key = VerifierOf(f.b).key;
    const VerifierKey known[] = {bad};
    EXPECT_EQ(OpenNote(note, known).status().code(), ErrorCode::kInvalidArgument);
  }
  {
    VerifierKey bad = va;
    bad.name = "bad name";
    const VerifierKey known[] = {va, bad};
    EXPECT_EQ(OpenNote(note, known).status().code(), ErrorCode::kInvalidArgument);
  }
}

// Flipping any bit of a note signed by one key makes it unopenable; truncating or
// extending it too.
TEST(NoteTest, EveryTamperedByteIsRejected) {
  Fixture f;
  const std::string text = "example.com/log\n42\nqL1x0pSJkYQG1aZWRi8XDsqmz7zRpnazAnDr5h4VpAs=\n";
  const std::string note = MustSign(text, {&f.a});
  const VerifierKey known[] = {VerifierOf(f.a)};
  ASSERT_TRUE(OpenNote(note, known).ok());
  size_t rejected = 0;
  for (size_t i = 0; i < note.size(); ++i) {
    for (uint8_t mask : {0x01, 0x02, 0x20, 0x80}) {
      std::string bad = note;
      bad[i] = static_cast<char>(static_cast<uint8_t>(bad[i]) ^ mask);
      auto opened = OpenNote(bad, known);
      ASSERT_FALSE(opened.ok()) << "byte " << i << " mask " << int{mask} << " still opens";
      EXPECT_TRUE(opened.status().code() == ErrorCode::kBadSignature ||
                  opened.status().code() == ErrorCode::kInvalidArgument)
          << opened.status().ToString();
      ++rejected;
    }
  }
  EXPECT_EQ(rejected, note.size() * 4);
  for (size_t n = 0; n < note.size(); ++n) {
    EXPECT_FALSE(OpenNote(std::string_view(note).substr(0, n), known).ok()) << n;
  }
  EXPECT_FALSE(OpenNote(note + "x", known).ok());
  EXPECT_FALSE(OpenNote(note + "\n", known).ok());
  EXPECT_FALSE(OpenNote("x" + note, known).ok());
}

// With two signers, a flipped bit may turn one line into an unknown key's line (which
// C2SP says to ignore), but never leaves both keys verified.
TEST(NoteTest, TamperingNeverKeepsEverySigner) {
  Fixture f;
  const std::string text = "two\nsigners\n";
  const std::string note = MustSign(text, {&f.a, &f.b});
  const VerifierKey known[] = {VerifierOf(f.a), VerifierOf(f.b)};
  ASSERT_EQ(OpenNote(note, known)->verified_by.size(), 2u);
  for (size_t i = 0; i < note.size(); ++i) {
    for (uint8_t mask : {0x01, 0x20, 0x80}) {
      std::string bad = note;
      bad[i] = static_cast<char>(static_cast<uint8_t>(bad[i]) ^ mask);
      auto opened = OpenNote(bad, known);
      EXPECT_TRUE(!opened.ok() || opened->verified_by.size() < 2)
          << "byte " << i << " mask " << int{mask};
    }
  }
}

}  // namespace
}  // namespace aidtrace::crypto
