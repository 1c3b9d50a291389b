#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "base/encoding.h"

namespace aidtrace::crypto {
namespace {

TEST(Sha256Test, KnownAnswers) {
  // FIPS 180-2 examples.
  EXPECT_EQ(HexEncode(Sha256(std::string_view(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256(std::string_view("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256(
                std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, HasherMatchesOneShotAndResets) {
  Sha256Hasher h;
  h.Update(std::string_view("ab")).Update(std::string_view("c"));
  EXPECT_EQ(h.Final(), Sha256(std::string_view("abc")));
  // After Final the hasher starts over.
  h.Update(std::string_view(""));
  EXPECT_EQ(h.Final(), Sha256(std::string_view("")));
  std::string million(1000000, 'a');
  h.Update(std::string_view(million).substr(0, 123457))
      .Update(std::string_view(million).substr(123457));
  EXPECT_EQ(HexEncode(h.Final()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, TaggedHashRoundTripAndStrictness) {
  const Hash h = Sha256(std::string_view("abc"));
  const std::string tagged = FormatTaggedHash(h);
  EXPECT_EQ(tagged, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto back = ParseTaggedHash(tagged);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, h);

  std::string upper = tagged;
  upper[10] = 'F';  // uppercase hex is not the canonical form
  EXPECT_EQ(ParseTaggedHash(upper).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseTaggedHash(tagged.substr(0, tagged.size() - 1)).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseTaggedHash("sha512:" + tagged.substr(7)).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseTaggedHash(tagged + "0").status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace aidtrace::crypto
