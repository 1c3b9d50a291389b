// Randomised invariants (seeded, so reproducible): Parse never throws or crashes on any
// bytes; whatever it accepts canonicalises, reparses to the same document and is a fixed
// point; its UTF-8 verdict agrees with base's validator; key order agrees with a
// reference UTF-16 comparison.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "json/json.h"

namespace aidtrace::json {
namespace {

constexpr uint32_t kSeed = 20261123;

const char* const kEnvelope = R"({"v":1,"type":"material.release","actor":"vendor-al-amal",
  "time":"2026-11-23T10:00:00Z","nonce":"r-000193",
  "body":{"release":"rel-1","warehouse":"w-gaza-1","to":"prj-7","note":"\u00e9\ud83d\ude00\n",
          "lines":[{"item":"cement-50kg","quantity":120},{"item":"rebar","quantity":-40}]},
  "sigs":[{"signer":"vendor-al-amal","key":"5f1c0a2e","sig":"AAAA"}], "x":[true,false,null]})";

// Everything Parse accepts must satisfy the canonical-form invariants.
void CheckInvariants(const std::string& input) {
  Result<Value> v = Status(ErrorCode::kInternal, "not run");
  ASSERT_NO_THROW(v = Parse(input)) << testing::PrintToString(input);
  if (!v.ok()) {
    EXPECT_EQ(v.status().code(), ErrorCode::kBadJson);
    EXPECT_TRUE(IsValidUtf8(v.status().message()));
    EXPECT_TRUE(IsValidUtf8(v.status().path()));
    return;
  }
  auto c = Canonical(*v);
  ASSERT_TRUE(c.ok()) << c.status().ToString() << " for " << testing::PrintToString(input);
  std::string fast;
  AppendCanonical(*v, fast);
  EXPECT_EQ(fast, *c);
  auto again = Parse(*c);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *v);
  EXPECT_EQ(*Canonical(*again), *c);
}

TEST(JsonFuzzTest, RandomBytesNeverCrash) {
  std::mt19937 rng(kSeed);
  // Biased towards JSON's own alphabet so that some inputs get deep into the grammar.
  using namespace std::string_literals;
  const std::string alphabet =
      "{}[]\":,\\ \t\n01-+.eEtruefalsnu/\x00\x1f\x7f\x80\xbf\xc3\xed\xf0\xff"s;
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string s(std::uniform_int_distribution<size_t>(0, 48)(rng), '\0');
    for (char& ch : s) {
      ch = (rng() % 4 == 0) ? static_cast<char>(rng() & 0xFF) : alphabet[rng() % alphabet.size()];
    }
    CheckInvariants(s);
    if (Parse(s).ok()) ++accepted;
  }
  EXPECT_GT(accepted, 0);
}

TEST(JsonFuzzTest, MutatedEnvelopesNeverCrash) {
  std::mt19937 rng(kSeed + 1);
  const std::string base = kEnvelope;
  ASSERT_TRUE(Parse(base).ok());
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string s = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng() % s.size();
      switch (rng() % 5) {
        case 0:
          s[at] = static_cast<char>(rng() & 0xFF);
          break;  // replace
        case 1:
          s.insert(at, 1, static_cast<char>(rng() & 0xFF));
          break;  // insert
        case 2:
          s.erase(at, 1 + rng() % 8);
          break;  // delete
        case 3:
          s.insert(at, s.substr(rng() % s.size(), rng() % 16));
          break;  // duplicate
        default:
          s.resize(at);
          break;  // truncate
      }
    }
    CheckInvariants(s);
    if (Parse(s).ok()) ++accepted;
  }
  EXPECT_GT(accepted, 10);  // some mutations (inside strings, digits) stay valid
}

// Strings of random bytes, mostly in the multi-byte ranges: the parser accepts exactly
// the well-formed UTF-8 that needs no escaping, and keeps it byte for byte.
TEST(JsonFuzzTest, Utf8VerdictMatchesValidator) {
  std::mt19937 rng(kSeed + 2);
  const unsigned char interesting[] = {0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                       0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
                                       0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF};
  int valid = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string s(1 + rng() % 6, '\0');
    for (char& ch : s) {
      ch = static_cast<char>(rng() % 2 ? interesting[rng() % sizeof interesting]
                                       : 0x80 + rng() % 0x40);
    }
    const bool want = IsValidUtf8(s);
    auto v = Parse("\"" + s + "\"");
    ASSERT_EQ(v.ok(), want) << testing::PrintToString(s) << " " << v.status().ToString();
    if (want) {
      ++valid;
      EXPECT_EQ(*v, s);
      EXPECT_EQ(*Canonical(*v), "\"" + s + "\"");
    }
  }
  EXPECT_GT(valid, 100);
}

// Reference: UTF-8 -> UTF-16 code units, compared as such.
std::u16string ToUtf16(const std::string& s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = n == 1 ? c : c & (0x3Fu >> (n - 1));
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    if (cp >= 0x10000) {
      out.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

std::string RandomKey(std::mt19937& rng) {
  // Code points drawn from each class whose relative order matters.
  static const std::pair<uint32_t, uint32_t> kRanges[] = {
      {0x00, 0x7F},        {0x80, 0x7FF},    {0x800, 0xD7FF},    {0xE000, 0xFFFF},
      {0x10000, 0x10FFFF}, {0xFFF0, 0xFFFF}, {0x10000, 0x1000F}, {0x61, 0x63}};
  std::string k;
  const size_t len = rng() % 4;
  for (size_t i = 0; i < len; ++i) {
    const auto& [lo, hi] = kRanges[rng() % std::size(kRanges)];
    k += Utf8(lo + rng() % (hi - lo + 1));
  }
  return k;
}

Value RandomValue(std::mt19937& rng, int depth) {
  switch (rng() % (depth > 4 ? 5 : 8)) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2:
      return static_cast<int64_t>(rng() % 2000001) - 1000000;
    case 3:
      return kMaxSafeInteger - static_cast<int64_t>(rng() % 3);
    case 4:
      return RandomKey(rng);
    case 5:
    case 6: {
      Value o = Value::object();
      for (size_t n = rng() % 6; n > 0; --n) o[RandomKey(rng)] = RandomValue(rng, depth + 1);
      return o;
    }
    default: {
      Value a = Value::array();
      for (size_t n = rng() % 4; n > 0; --n) a.push_back(RandomValue(rng, depth + 1));
      return a;
    }
  }
}

// Walks the canonical text of a generated document and checks each object's key order
// against the reference, by reparsing the members in the order they were written.
struct OrderChecker {
  bool null() { return true; }
  bool boolean(bool /*unused*/) { return true; }
  bool number_integer(Value::number_integer_t /*unused*/) { return true; }
  bool number_unsigned(Value::number_unsigned_t /*unused*/) { return true; }
  bool number_float(Value::number_float_t /*unused*/, const std::string& /*unused*/) {
    return false;
  }
  bool string(std::string& /*unused*/) { return true; }
  bool binary(Value::binary_t& /*unused*/) { return false; }
  bool start_object(std::size_t /*unused*/) {
    last_key.emplace_back();
    first.push_back(true);
    return true;
  }
  bool key(std::string& k) {
    const std::u16string k16 = ToUtf16(k);
    if (!first.back() && !(last_key.back() < k16)) ++misordered;
    first.back() = false;
    last_key.back() = k16;
    return true;
  }
  bool end_object() {
    last_key.pop_back();
    first.pop_back();
    return true;
  }
  bool start_array(std::size_t /*unused*/) { return true; }
  bool end_array() { return true; }
  bool parse_error(std::size_t /*unused*/, const std::string& /*unused*/,
                   const nlohmann::detail::exception& /*unused*/) {
    return false;
  }
  std::vector<std::u16string> last_key;
  std::vector<bool> first;
  int misordered = 0;
};

TEST(JsonFuzzTest, GeneratedDocumentsSortByUtf16) {
  std::mt19937 rng(kSeed + 3);
  for (int i = 0; i < 2000; ++i) {
    const Value v = RandomValue(rng, 0);
    auto c = Canonical(v);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    OrderChecker checker;
    ASSERT_TRUE(Value::sax_parse(*c, &checker)) << *c;
    EXPECT_EQ(checker.misordered, 0) << *c;
    auto back = Parse(*c);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, v);
    EXPECT_EQ(*Canonical(*back), *c);
  }
}

TEST(JsonFuzzTest, CompareUtf16MatchesReference) {
  std::mt19937 rng(kSeed + 4);
  for (int i = 0; i < 20000; ++i) {
    const std::string a = RandomKey(rng);
    const std::string b = rng() % 8 == 0 ? a + RandomKey(rng) : RandomKey(rng);
    const std::u16string a16 = ToUtf16(a);
    const std::u16string b16 = ToUtf16(b);
    const int want = a16 < b16 ? -1 : (b16 < a16 ? 1 : 0);
    const int got = CompareUtf16(a, b);
    ASSERT_EQ((got > 0) - (got < 0), want)
        << testing::PrintToString(a) << " vs " << testing::PrintToString(b);
  }
}

// AppendCanonical's precondition may be violated by a buggy caller; it must still be
// memory-safe (the sort comparator stays a strict weak order on ill-formed keys).
TEST(JsonFuzzTest, AppendCanonicalSurvivesIllFormedKeys) {
  std::mt19937 rng(kSeed + 5);
  for (int i = 0; i < 500; ++i) {
    Value o = Value::object();
    for (int n = 0; n < 40; ++n) {
      std::string k(rng() % 5, '\0');
      for (char& ch : k) ch = static_cast<char>(0xE0 + rng() % 0x20);
      o[k] = n;
    }
    std::string out;
    AppendCanonical(o, out);
    EXPECT_EQ(out.front(), '{');
    EXPECT_EQ(out.back(), '}');
    // Every non-empty key here is ill-formed (no continuation bytes), so Canonical objects.
    const bool any_ill_formed = o.size() > 1 || !o.begin().key().empty();
    EXPECT_EQ(Canonical(o).status().code(), any_ill_formed ? ErrorCode::kBadJson : ErrorCode::kOk);
  }
}

}  // namespace
}  // namespace aidtrace::json
