// RFC 8785 canonical form: the RFC's own examples, escaping, key order, and the checks
// Canonical() makes on documents built by code.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "json/json.h"

namespace aidtrace::json {
namespace {

using namespace std::string_literals;

std::string CanonicalOf(std::string_view text) {
  auto v = Parse(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  if (!v.ok()) return "";
  auto c = Canonical(*v);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : "";
}

// RFC 8785 §3.2.3: members sorted by UTF-16 code units.
TEST(CanonicalTest, Rfc8785SortingExample) {
  const char* input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  const std::string expected =
      "{\"\\r\":\"Carriage Return\","
      "\"1\":\"One\","
      "\"\xC2\x80\":\"Control\","
      "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\","
      "\"\xE2\x82\xAC\":\"Euro Sign\","
      "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  EXPECT_EQ(CanonicalOf(input), expected);
}

// RFC 8785 §3.2.2.2 string example (the float part of that example is not our subset).
TEST(CanonicalTest, Rfc8785StringExample) {
  const char* input = R"({"string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                          "literals": [null, true, false]})";
  EXPECT_EQ(CanonicalOf(input),
            "{\"literals\":[null,true,false],\"string\":\"\xE2\x82\xAC$\\u000f\\nA'"
            "B\\\"\\\\\\\\\\\"/\"}");
}

TEST(CanonicalTest, EscapesOnlyWhatJsonRequires) {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls.push_back(static_cast<char>(c));
  EXPECT_EQ(*Canonical(Value(all_controls)),
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
            "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
            "\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
  // DEL, '/', non-ASCII, U+2028 and U+FEFF stay literal.
  EXPECT_EQ(*Canonical(Value("\x7F/\xC3\xA9\xE2\x80\xA8\xEF\xBB\xBF")),
            "\"\x7F/\xC3\xA9\xE2\x80\xA8\xEF\xBB\xBF\"");
  EXPECT_EQ(*Canonical(Value("q\"b\\s")), R"("q\"b\\s")");
  EXPECT_EQ(CanonicalOf(R"("\u0041\u00E9\uD83D\uDE00")"), "\"A\xC3\xA9\xF0\x9F\x98\x80\"");
  // Escapes in keys too.
  EXPECT_EQ(*Canonical(Value{{"a\nb", 1}}), "{\"a\\nb\":1}");
}

TEST(CanonicalTest, NoWhitespaceAndDecimalIntegers) {
  EXPECT_EQ(CanonicalOf(" { \"b\" : [ 1 , -2 , 0 ] , \"a\" : { } , \"c\" : [ ] } "),
            R"({"a":{},"b":[1,-2,0],"c":[]})");
  EXPECT_EQ(CanonicalOf("[9007199254740991,-9007199254740991,-0]"),
            "[9007199254740991,-9007199254740991,0]");
  EXPECT_EQ(*Canonical(Value(int64_t{-42})), "-42");
  EXPECT_EQ(*Canonical(Value(uint64_t{42})), "42");
  EXPECT_EQ(*Canonical(Value(nullptr)), "null");
  EXPECT_EQ(*Canonical(Value::object()), "{}");
  EXPECT_EQ(*Canonical(Value::array()), "[]");
}

TEST(CanonicalTest, ReadmeExample) {
  EXPECT_EQ(CanonicalOf(R"({ "b": [1, -0], "a": "\u00e9\n" })"),
            "{\"a\":\"\xC3\xA9\\n\",\"b\":[1,0]}");
}

TEST(CanonicalTest, ArraysKeepTheirOrder) {
  EXPECT_EQ(CanonicalOf(R"(["b","a",{"z":1,"y":[3,2,1]}])"), R"(["b","a",{"y":[3,2,1],"z":1}])");
}

// Byte order and UTF-16 order disagree only between U+E000..U+FFFF and supplementary
// characters; check each class boundary on both sides.
TEST(CanonicalTest, KeyOrderIsUtf16NotUtf8) {
  const std::string d7ff = "\xED\x9F\xBF";           // U+D7FF
  const std::string e000 = "\xEE\x80\x80";           // U+E000
  const std::string ffff = "\xEF\xBF\xBF";           // U+FFFF
  const std::string sup_first = "\xF0\x90\x80\x80";  // U+10000
  const std::string sup_last = "\xF4\x8F\xBF\xBF";   // U+10FFFF
  Value v = Value::object();
  for (const auto& k : {ffff, sup_last, e000, d7ff, sup_first, std::string("z")}) v[k] = 0;
  const std::string expected = "{\"z\":0,\"" + d7ff + "\":0,\"" + sup_first + "\":0,\"" + sup_last +
                               "\":0,\"" + e000 + "\":0,\"" + ffff + "\":0}";
  EXPECT_EQ(*Canonical(v), expected);
  std::string appended = "prefix:";
  AppendCanonical(v, appended);
  EXPECT_EQ(appended, "prefix:" + expected);

  // Shared prefixes and prefix keys.
  Value w = Value::object();
  for (const std::string& k : {"a" + ffff, "a" + sup_first, "a"s, "a" + sup_first + "b", "ab"s}) {
    w[k] = 1;
  }
  EXPECT_EQ(*Canonical(w), "{\"a\":1,\"ab\":1,\"a" + sup_first + "\":1,\"a" + sup_first +
                               "b\":1,\"a" + ffff + "\":1}");
}

TEST(CanonicalTest, CompareUtf16) {
  EXPECT_EQ(CompareUtf16("", ""), 0);
  EXPECT_LT(CompareUtf16("", "a"), 0);
  EXPECT_GT(CompareUtf16("b", "a"), 0);
  EXPECT_LT(CompareUtf16("a", "ab"), 0);
  EXPECT_LT(CompareUtf16("\xF0\x9F\x98\x80", "\xEF\xAC\xB3"), 0);  // U+1F600 < U+FB33
  EXPECT_GT(CompareUtf16("\xF0\x9F\x98\x80", "\xE2\x82\xAC"), 0);  // U+1F600 > U+20AC
  EXPECT_EQ(CompareUtf16("x\xF0\x9F\x98\x80", "x\xF0\x9F\x98\x80"), 0);
  EXPECT_LT(CompareUtf16("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x81"), 0);
}

TEST(CanonicalTest, AppendCanonicalAppends) {
  std::string out = "x";
  AppendCanonical(Value::array({1, "a"}), out);
  AppendCanonical(Value(true), out);
  EXPECT_EQ(out, R"(x[1,"a"]true)");
}

TEST(CanonicalTest, CanonicalizeText) {
  EXPECT_EQ(*CanonicalizeText(R"( {"b":1, "a":"\u00e9"} )"), "{\"a\":\"\xC3\xA9\",\"b\":1}");
  EXPECT_EQ(CanonicalizeText("[1.5]").status().path(), "/0");
}

struct Bad {
  Value value;
  std::string path;
  std::string message_part;
};

TEST(CanonicalTest, RejectsWhatParseWouldHaveRejected) {
  Value deep = Value::array();
  Value* p = &deep;
  for (int i = 1; i < kMaxDepthLimit + 1; ++i) p = &p->emplace_back(Value::array());
  std::string deep_path;
  for (int i = 0; i < kMaxDepthLimit; ++i) deep_path += "/0";

  const std::vector<Bad> cases = {
      {Value(1.0), "", "floating-point"},
      {Value(-0.0), "", "floating-point"},
      {Value{{"a", Value::array({1, 2.5})}}, "/a/1", "floating-point"},
      {Value(uint64_t{1} << 53), "", "integer 9007199254740992 is out of range"},
      {Value(-(int64_t{1} << 53)), "", "out of range"},
      {Value{{"x/y", Value::array({Value(INT64_MIN)})}}, "/x~1y/0", "out of range"},
      {Value("\xFF"), "", "not valid UTF-8"},
      {Value{{"k", Value::array({"ok", "\xED\xA0\x80"})}}, "/k/1", "not valid UTF-8"},
      {Value{{"a\xC3", 1}}, "/a\xEF\xBF\xBD", "object key is not valid UTF-8"},
      {Value::binary({1, 2}), "", "binary"},
      {Value(Value::value_t::discarded), "", "discarded"},
      {deep, deep_path, "nested deeper than 512"},
  };
  for (const Bad& c : cases) {
    auto r = Canonical(c.value);
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_EQ(r.status().code(), ErrorCode::kBadJson);
    EXPECT_EQ(r.status().path(), c.path);
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos) << r.status().message();
  }
  // The same depth minus one level is fine.
  Value ok_deep = Value::array();
  p = &ok_deep;
  for (int i = 1; i < kMaxDepthLimit; ++i) p = &p->emplace_back(Value::array());
  EXPECT_TRUE(Canonical(ok_deep).ok());
  // Integers at the limits built by code pass.
  EXPECT_EQ(*Canonical(Value::array({kMaxSafeInteger, -kMaxSafeInteger})),
            "[9007199254740991,-9007199254740991]");
}

TEST(CanonicalTest, RoundTripIsIdempotent) {
  const char* docs[] = {
      R"({"v":1,"type":"material.release","actor":"vendor-al-amal",
          "time":"2026-11-23T10:00:00Z","nonce":"r-000193",
          "body":{"release":"rel-1","warehouse":"w-gaza-1","to":"prj-7",
                  "lines":[{"item":"cement-50kg","quantity":120},{"item":"rebar-12mm","quantity":40}]},
          "sigs":[{"signer":"vendor-al-amal","key":"5f1c0a2e","sig":"AAAA"}]})",
      R"({"names":{"given":"محمد","family":"\u0627\u0644\u0639\u0644\u064a"},"salt":"c2FsdA=="})",
      R"([[],[[]],{},{"":{"":""}},"\u0000\u001f\u007f\ud83d\ude00",-0,0,1,-1])",
      R"({"\uffff":1,"\ud800\udc00":2,"\ue000":3,"\ud7ff":4})",
  };
  for (const char* d : docs) {
    auto v1 = Parse(d);
    ASSERT_TRUE(v1.ok()) << v1.status().ToString();
    const std::string c1 = *Canonical(*v1);
    auto v2 = Parse(c1);
    ASSERT_TRUE(v2.ok()) << c1;
    EXPECT_EQ(*v1, *v2);
    EXPECT_EQ(*Canonical(*v2), c1);
    std::string fast;
    AppendCanonical(*v1, fast);
    EXPECT_EQ(fast, c1);
  }
}

}  // namespace
}  // namespace aidtrace::json
