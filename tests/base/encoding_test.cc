#include "base/encoding.h"

#include <gtest/gtest.h>

namespace aidtrace {
namespace {

TEST(EncodingTest, Hex) {
  const Bytes b = {0x00, 0x5f, 0xff};
  EXPECT_EQ(HexEncode(b), "005fff");
  EXPECT_EQ(*HexDecode("005fff"), b);
  EXPECT_EQ(*HexDecode("005FFF"), b);
  EXPECT_FALSE(HexDecode("005ff").ok());
  EXPECT_FALSE(HexDecode("00 5f").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
  EXPECT_TRUE(HexDecode("")->empty());
}

TEST(EncodingTest, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, enc] : vectors) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), enc);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.ok()) << enc;
    EXPECT_EQ(AsChars(*dec), plain);
  }
}

TEST(EncodingTest, Base64IsStrict) {
  for (const char* bad :
       {"Zg", "Zg=", "Zh==", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v", "====", "Zg==Zg=="}) {
    EXPECT_FALSE(Base64Decode(bad).ok()) << bad;
  }
}

TEST(EncodingTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("محمد"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace aidtrace
