// Strict parsing: what is accepted, and every rejection with its exact code and path.
#include "json/json.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"

namespace aidtrace::json {
namespace {

using namespace std::string_literals;

// Concatenation by append (GCC 12 at -O3 warns falsely about "literal" + temporary).
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

// Nested arrays "[[...]]" of the given depth, and the pointer of the innermost one.
std::string NestedArrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string NestedObjects(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  for (int i = 0; i < depth; ++i) s += "}";
  return s;
}
std::string Repeat(std::string_view token, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += token;
  return s;
}

TEST(ParseTest, AcceptsTheStrictSubset) {
  auto v = Parse(R"({"s":"x","i":-5,"u":7,"t":true,"f":false,"n":null,"a":[],"o":{}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)["s"], "x");
  EXPECT_EQ((*v)["i"], -5);
  EXPECT_TRUE((*v)["i"].is_number_integer());
  EXPECT_TRUE((*v)["u"].is_number_unsigned());
  EXPECT_EQ((*v)["u"], 7);
  EXPECT_EQ((*v)["t"], true);
  EXPECT_EQ((*v)["f"], false);
  EXPECT_TRUE((*v)["n"].is_null());
  EXPECT_TRUE((*v)["a"].is_array());
  EXPECT_TRUE((*v)["o"].is_object());
  EXPECT_EQ(v->size(), 8u);
}

TEST(ParseTest, AcceptsScalarsAtTopLevel) {
  EXPECT_EQ(*Parse("0"), 0);
  EXPECT_EQ(*Parse("\"\""), "");
  EXPECT_EQ(*Parse("null"), nullptr);
  EXPECT_EQ(*Parse("true"), true);
}

TEST(ParseTest, AllowsLeadingAndTrailingWhitespace) {
  auto v = Parse(" \t\n\r{ \"a\" : [ 1 , 2 ] }\r\n\t ");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)["a"], Value::array({1, 2}));
}

TEST(ParseTest, MinusZeroIsTheIntegerZero) {
  auto v = Parse("-0");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->is_number_integer());
  EXPECT_EQ(*v, 0);
  EXPECT_EQ(*Canonical(*v), "0");
}

TEST(ParseTest, DecodesEscapesToUtf8) {
  auto v = Parse(R"(["\u00e9\ud83d\ude00\u0000\/\"", "ok\u2028"])");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)[0], "\xC3\xA9\xF0\x9F\x98\x80\0/\""s);
  EXPECT_EQ((*v)[1], "ok\xE2\x80\xA8");
}

TEST(ParseTest, IntegerBoundaries) {
  EXPECT_EQ(*Parse("9007199254740991"), kMaxSafeInteger);
  EXPECT_EQ(*Parse("-9007199254740991"), -kMaxSafeInteger);
  EXPECT_EQ(*Parse("[9007199254740991,-9007199254740991]"),
            Value::array({kMaxSafeInteger, -kMaxSafeInteger}));
  for (const char* bad :
       {"9007199254740992", "-9007199254740992", "18446744073709551615", "18446744073709551616",
        "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890"}) {
    auto r = Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kBadJson) << bad;
    EXPECT_EQ(r.status().path(), "") << bad;
    EXPECT_NE(r.status().message().find("out of range"), std::string::npos)
        << bad << ": " << r.status().message();
  }
}

TEST(ParseTest, DepthLimitIsExactly32) {
  EXPECT_TRUE(Parse(NestedArrays(32)).ok());
  EXPECT_TRUE(Parse(NestedObjects(32)).ok());
  EXPECT_TRUE(Parse(Cat("[", NestedObjects(31), "]")).ok());

  auto arrays = Parse(NestedArrays(33));
  ASSERT_FALSE(arrays.ok());
  EXPECT_EQ(arrays.status().code(), ErrorCode::kBadJson);
  EXPECT_EQ(arrays.status().path(), Repeat("/0", 32));  // the 33rd array

  auto objects = Parse(NestedObjects(33));
  ASSERT_FALSE(objects.ok());
  EXPECT_EQ(objects.status().code(), ErrorCode::kBadJson);
  EXPECT_EQ(objects.status().path(), Repeat("/a", 32));
  EXPECT_NE(objects.status().message().find(
                "object at depth 33 is nested too deeply: the limit is 32 levels"),
            std::string::npos);

  // The offending container is found even after earlier siblings.
  auto deep = Parse(Cat("{\"x\":[0,1,", NestedArrays(31), "]}"));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().path(), Cat("/x/2", Repeat("/0", 30)));
}

TEST(ParseTest, DepthOption) {
  ParseOptions scalars_only;
  scalars_only.max_depth = 0;
  EXPECT_TRUE(Parse("1", scalars_only).ok());
  EXPECT_EQ(Parse("[]", scalars_only).status().path(), "");
  EXPECT_EQ(Parse("{}", scalars_only).status().code(), ErrorCode::kBadJson);

  ParseOptions two;
  two.max_depth = 2;
  EXPECT_TRUE(Parse("[[]]", two).ok());
  EXPECT_EQ(Parse("[[{}]]", two).status().path(), "/0/0");

  ParseOptions deep;
  deep.max_depth = kMaxDepthLimit;
  EXPECT_TRUE(Parse(NestedArrays(kMaxDepthLimit), deep).ok());
  EXPECT_FALSE(Parse(NestedArrays(kMaxDepthLimit + 1), deep).ok());

  for (int bad : {-1, kMaxDepthLimit + 1}) {
    ParseOptions o;
    o.max_depth = bad;
    EXPECT_EQ(Parse("1", o).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(ParseTest, SizeLimit) {
  ParseOptions o;
  o.max_bytes = 10;
  EXPECT_TRUE(Parse("[1,2,3,45]", o).ok());  // exactly 10 bytes
  auto r = Parse("[1,2,3,456]", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kBadJson);
  EXPECT_EQ(r.status().path(), "");
  EXPECT_EQ(r.status().message(), "input is 11 bytes, more than the limit of 10");

  // The default is 1 MiB.
  const std::string big = Cat("\"", std::string((1 << 20) - 2, 'x'), "\"");
  EXPECT_TRUE(Parse(big).ok());
  EXPECT_EQ(Parse(big + " ").status().code(), ErrorCode::kBadJson);
}

struct Rejection {
  std::string input;
  std::string path;
  std::string message_part;  // a substring the message must contain
};

void ExpectRejections(const std::vector<Rejection>& cases) {
  for (const Rejection& c : cases) {
    auto r = Parse(c.input);
    ASSERT_FALSE(r.ok()) << "accepted: " << c.input;
    EXPECT_EQ(r.status().code(), ErrorCode::kBadJson) << c.input;
    EXPECT_EQ(r.status().path(), c.path) << c.input << " -> " << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
        << c.input << " -> " << r.status().message();
  }
}

TEST(ParseTest, RejectsFractionsAndExponents) {
  ExpectRejections({
      {"1.0", "", "fraction or exponent"},
      {"1e2", "", "fraction or exponent"},
      {"1E2", "", "fraction or exponent"},
      {"1e+2", "", "fraction or exponent"},
      {"-0.0", "", "fraction or exponent"},
      {"0.5", "", "number 0.5 has a fraction or exponent"},
      {"[1,2.5]", "/1", "fraction or exponent"},
      {R"({"a":{"b":1E5}})", "/a/b", "fraction or exponent"},
      {R"({"a":[{"b/c~":[3.25]}]})", "/a/0/b~1c~0/0", "fraction or exponent"},
      {"1e999", "", "fraction or exponent"},  // overflows a double
      {"[-1.5e-999999]", "/0", "fraction or exponent"},
  });
}

TEST(ParseTest, RejectsOutOfRangeIntegersWithPath) {
  ExpectRejections({
      {"[0,9007199254740992]", "/1", "integer 9007199254740992 is out of range"},
      {R"({"q":-9007199254740992})", "/q", "integer -9007199254740992 is out of range"},
      {Cat(R"({"q":[)", std::string(400, '9'), "]}"), "/q/0", "out of range"},
  });
}

TEST(ParseTest, RejectsDuplicateKeys) {
  ExpectRejections({
      {R"({"a":1,"a":2})", "/a", "duplicate object key"},
      {R"({"a":1,"b":2,"a":1})", "/a", "duplicate object key"},
      {R"({"x":{"a/b":1,"a/b":2}})", "/x/a~1b", "duplicate"},
      {R"([0,{"k":{},"":1,"":2}])", "/1/", "duplicate"},
      {R"({"\u00e9":1,"é":2})", "/\xC3\xA9", "duplicate"},  // same key, spelt differently
  });
  // Different keys that differ only in case are fine.
  EXPECT_TRUE(Parse(R"({"a":1,"A":2})").ok());
}

TEST(ParseTest, RejectsInvalidUtf8) {
  ExpectRejections({
      {"\"\xFF\"", "", "ill-formed UTF-8"},
      {"\"\xC0\xAF\"", "", "ill-formed UTF-8"},                     // overlong '/'
      {"\"\xE0\x80\xAF\"", "", "ill-formed UTF-8"},                 // overlong
      {"{\"k\":\"\xED\xA0\x80\"}", "/k", "ill-formed UTF-8"},       // encoded surrogate
      {"[\"ok\",\"\xF4\x90\x80\x80\"]", "/1", "ill-formed UTF-8"},  // > U+10FFFF
      {"[\"\xE2\x82\"]", "/0", "ill-formed UTF-8"},                 // truncated
      {"[\"\x80\"]", "/0", "ill-formed UTF-8"},                     // lone continuation
      {"{\"\xFF\":1}", "", "ill-formed UTF-8"},                     // in a key
      {"{\"a\":{\"b\xC3\":1}}", "/a", "ill-formed UTF-8"},
      {"[\xC3\xA9]", "/0", "invalid literal"},  // outside a string
  });
}

TEST(ParseTest, RejectsLoneSurrogateEscapes) {
  ExpectRejections({
      {R"("\ud800")", "", "surrogate"},
      {R"("\udc00")", "", "surrogate"},
      {R"("\ud83d\u0041")", "", "surrogate"},
      {R"("\ud83d\ud83d")", "", "surrogate"},
      {R"(["\ude00\ud83d"])", "/0", "surrogate"},
      {R"({"s":"abc\udbff"})", "/s", "surrogate"},
      {R"({"\udfff":1})", "", "surrogate"},
  });
}

TEST(ParseTest, RejectsSyntaxErrorsWithByteOffset) {
  ExpectRejections({
      {"", "", "syntax error at byte 0: empty input"},
      {" \n\t", "", "syntax error at byte 3: empty input"},
      {"\xEF\xBB\xBF{}", "", "syntax error at byte 0: a byte order mark"},
      {"{} x", "", "syntax error at byte 3"},
      {"[1] [2]", "", "syntax error at byte 4"},
      {"{}}", "", "syntax error at byte 2"},
      {"1 2", "", "syntax error at byte 2"},
      {"{}\0x"s, "", "syntax error at byte 2: NUL byte"},
      {"[1]\n\0"s, "", "syntax error at byte 4: NUL byte"},
      {"[1\0]"s, "/1", "syntax error at byte 2"},
      {"[1,]", "/1", "syntax error at byte 3"},
      {"[1 2]", "/1", "syntax error at byte 3"},
      {"[1,2", "/2", "syntax error at byte 4"},
      {R"({"a":1,})", "", "syntax error at byte 7"},
      {R"({"a" 1})", "/a", "syntax error at byte 5"},
      {R"({"a":})", "/a", "syntax error at byte 5"},
      {R"({a:1})", "", "syntax error at byte 1"},
      {R"({'a':1})", "", "syntax error at byte 1"},
      {"[01]", "/1", "syntax error at byte 2"},  // the lexer reads 0, then 1
      {"[+1]", "/0", "syntax error"},
      {"-", "", "syntax error"},
      {"[NaN]", "/0", "syntax error"},
      {"Infinity", "", "syntax error"},
      {"tru", "", "syntax error at byte 3"},
      {"nul", "", "syntax error"},
      {"/* comment */ 1", "", "syntax error at byte 0"},
      {"1 // comment", "", "syntax error at byte 2"},
      {"\"a\tb\"", "", "control character"},
      {"{\"k\":\"a\nb\"}", "/k", "control character"},
      {R"("\x41")", "", "syntax error"},
      {R"("\u12")", "", "syntax error"},
      {"\"abc", "", "syntax error at byte 4"},
      {"[", "/0", "syntax error at byte 1"},
      {"\f1", "", "syntax error at byte 0"},  // form feed is not JSON whitespace
  });
}

TEST(ParseTest, SyntaxErrorMessagesDoNotEchoLongInput) {
  const std::string long_string = Cat("\"", std::string(100000, 'x'), "\xFF\"");
  auto r = Parse(long_string);
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.status().message().size(), 200u) << r.status().message();
  EXPECT_EQ(r.status().message(),
            "syntax error at byte 100001 while parsing value: invalid "
            "string: ill-formed UTF-8 byte");
}

TEST(ParseTest, RejectionMessagesAreValidUtf8) {
  for (std::string bad : {"\"\xFF\"", "[\xFE]", "{\"\xC3\":1}", "\xF0\x9F\x98"}) {
    auto r = Parse(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(IsValidUtf8(r.status().message())) << r.status().message();
    EXPECT_TRUE(IsValidUtf8(r.status().path()));
  }
}

TEST(PointerTokenTest, EscapesPerRfc6901) {
  EXPECT_EQ(PointerToken(""), "");
  EXPECT_EQ(PointerToken("abc"), "abc");
  EXPECT_EQ(PointerToken("a/b"), "a~1b");
  EXPECT_EQ(PointerToken("m~n"), "m~0n");
  EXPECT_EQ(PointerToken("~1"), "~01");
  EXPECT_EQ(PointerToken("/~/"), "~1~0~1");
  EXPECT_EQ(PointerToken("ö"), "ö");
}

TEST(PointerTokenTest, PathsResolveWithNlohmannPointers) {
  // The path of a rejection names the offending value in the document as written.
  const std::string key = "we/ird~key";
  auto r = Parse(R"({"we/ird~key":[true,1.5]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().path(), Cat("/", PointerToken(key), "/1"));
  Value doc = {{key, Value::array({true, 15})}};
  EXPECT_EQ(doc.at(nlohmann::json::json_pointer(r.status().path())), 15);
}

}  // namespace
}  // namespace aidtrace::json
