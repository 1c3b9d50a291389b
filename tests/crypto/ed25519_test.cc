#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "testing/fault_env.h"
#include "testing/shared.h"

namespace aidtrace::crypto {
namespace {

constexpr const char* kWycheproof = "testdata/ed25519/wycheproof-ed25519_test.json";

Bytes Hex(std::string_view hex) {
  if (hex.empty()) return {};  // (HexDecode("") hands libsodium a null buffer)
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes{};
}

template <size_t N>
std::array<uint8_t, N> HexArray(std::string_view hex) {
  const Bytes b = Hex(hex);
  std::array<uint8_t, N> out{};
  EXPECT_EQ(b.size(), N) << hex;
  std::copy_n(b.begin(), std::min(N, b.size()), out.begin());
  return out;
}

// Every case of the Wycheproof Ed25519 verification suite, none skipped.
TEST(Ed25519Test, WycheproofAllVectors) {
  AIDTRACE_REQUIRE_SHARED(kWycheproof);
  const auto doc = nlohmann::json::parse(
      ::aidtrace::testing::ReadFileOrDie(::aidtrace::testing::SharedDir() / kWycheproof));
  ASSERT_EQ(doc.at("algorithm"), "EDDSA");

  size_t seen = 0, valid = 0, invalid = 0;
  std::set<int> ids;
  for (const auto& group : doc.at("testGroups")) {
    ASSERT_EQ(group.at("type"), "EddsaVerify");
    const Bytes pk_bytes = Hex(group.at("publicKey").at("pk").get<std::string>());
    for (const auto& t : group.at("tests")) {
      ++seen;
      const int tc = t.at("tcId").get<int>();
      ids.insert(tc);
      const std::string result = t.at("result").get<std::string>();
      const Bytes msg = Hex(t.at("msg").get<std::string>());
      const Bytes sig = Hex(t.at("sig").get<std::string>());
      bool got = false;
      if (pk_bytes.size() == kPublicKeySize) {
        PublicKey pk;
        std::copy(pk_bytes.begin(), pk_bytes.end(), pk.begin());
        got = Verify(pk, msg, sig);
      }
      if (result == "valid") {
        ++valid;
        EXPECT_TRUE(got) << "tcId " << tc << " (" << t.at("comment") << ") should verify";
      } else {
        ASSERT_EQ(result, "invalid") << "tcId " << tc << ": unexpected result " << result;
        ++invalid;
        EXPECT_FALSE(got) << "tcId " << tc << " (" << t.at("comment") << ", flags " << t.at("flags")
                          << ") must not verify";
      }
    }
  }
  EXPECT_EQ(seen, doc.at("numberOfTests").get<size_t>());
  EXPECT_EQ(ids.size(), seen) << "duplicate tcIds";
  EXPECT_EQ(valid + invalid, seen);
  EXPECT_GT(valid, 0u);
  EXPECT_GT(invalid, 0u);
}

// RFC 8032 §7.1 TEST 1 and TEST 2: seed -> public key -> signature, byte for byte.
TEST(Ed25519Test, Rfc8032KnownAnswers) {
  struct Case {
    const char* seed;
    const char* pk;
    const char* msg;
    const char* sig;
  };
  const Case cases[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
       "1cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
       "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const Case& c : cases) {
    const KeyPair pair = KeyPairFromSeed(HexArray<32>(c.seed));
    EXPECT_EQ(HexEncode(pair.public_key), c.pk);
    EXPECT_EQ(HexEncode(pair.seed), c.seed);
    const Bytes msg = Hex(c.msg);
    const Signature sig = Sign(pair, msg);
    EXPECT_EQ(HexEncode(sig), c.sig);
    EXPECT_TRUE(Verify(pair.public_key, msg, sig));
  }
}

TEST(Ed25519Test, RejectsWrongSizesAndTampering) {
  const KeyPair pair = KeyPairFromSeed(Seed{1, 2, 3});
  const Bytes msg = {'h', 'e', 'l', 'l', 'o'};
  const Signature sig = Sign(pair, msg);
  ASSERT_TRUE(Verify(pair.public_key, msg, sig));

  const std::span<const uint8_t> s(sig);
  EXPECT_FALSE(Verify(pair.public_key, msg, s.first(0)));
  EXPECT_FALSE(Verify(pair.public_key, msg, s.first(63)));
  Bytes longer(sig.begin(), sig.end());
  longer.push_back(0);
  EXPECT_FALSE(Verify(pair.public_key, msg, longer));

  for (size_t i = 0; i < sig.size(); ++i) {
    Signature bad = sig;
    bad[i] ^= 0x01;
    EXPECT_FALSE(Verify(pair.public_key, msg, bad)) << "flipped signature byte " << i;
  }
  for (size_t i = 0; i < msg.size(); ++i) {
    Bytes bad = msg;
    bad[i] ^= 0x80;
    EXPECT_FALSE(Verify(pair.public_key, bad, sig)) << "flipped message byte " << i;
  }
  PublicKey other = pair.public_key;
  other[0] ^= 0x01;
  EXPECT_FALSE(Verify(other, msg, sig));
  EXPECT_FALSE(Verify(PublicKey{}, msg, sig));
}

// The identity point as public key and R with s = 0 satisfies the cofactorless
// equation [s]B = R + [k]A for every message; a strict verifier refuses the
// small-order key and R, and the non-canonical encoding of the identity (y = p + 1).
TEST(Ed25519Test, RejectsSmallOrderAndNonCanonicalPoints) {
  PublicKey identity{};
  identity[0] = 0x01;
  PublicKey identity_noncanonical;
  identity_noncanonical.fill(0xff);
  identity_noncanonical[0] = 0xee;
  identity_noncanonical[31] = 0x7f;
  Signature sig{};
  sig[0] = 0x01;  // R = identity, s = 0
  const Bytes msg = {'a', 'n', 'y'};
  EXPECT_FALSE(Verify(identity, msg, sig));
  EXPECT_FALSE(Verify(identity_noncanonical, msg, sig));
  const Signature zero{};
  EXPECT_FALSE(Verify(identity, msg, zero));
}

TEST(Ed25519Test, GenerateUsesEnvRandomness) {
  ::aidtrace::testing::FaultEnv env;
  env.SeedRandom(42);
  const KeyPair a = GenerateKeyPair(env);
  env.SeedRandom(42);
  const KeyPair b = GenerateKeyPair(env);
  EXPECT_EQ(a, b);  // same randomness, same key
  const KeyPair c = GenerateKeyPair(env);
  EXPECT_NE(a.public_key, c.public_key);
  EXPECT_EQ(KeyPairFromSeed(a.seed), a);

  const Bytes msg = {1, 2, 3};
  EXPECT_TRUE(Verify(a.public_key, msg, Sign(a, msg)));
  EXPECT_FALSE(Verify(c.public_key, msg, Sign(a, msg)));
}

TEST(Ed25519Test, SigningIsDeterministicAndSafeAcrossThreads) {
  const KeyPair pair = KeyPairFromSeed(Seed{9});
  const Bytes msg = {'x'};
  const Signature expected = Sign(pair, msg);
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (Sign(pair, msg) != expected || !Verify(pair.public_key, msg, expected)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace aidtrace::crypto
