// Checkpoint bodies, tlog-proof texts and proof-hash lines: round trips, the examples
// of the C2SP specs, and strict rejections (each with the exact code).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/encoding.h"
#include "log/checkpoint.h"
#include "log/memory_hashes.h"

namespace aidtrace::log {
namespace {

Hash HashOf(std::string_view s) { return HashLeaf(AsBytes(s)); }

void ExpectInvalid(const Result<Checkpoint>& r, std::string_view why) {
  EXPECT_FALSE(r.ok()) << why;
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << why << ": " << r.status().ToString();
}

// ---- Checkpoint body -------------------------------------------------------------

TEST(Checkpoint, SpecExampleParses) {
  // The example of c2sp.org/tlog-checkpoint.
  const std::string body =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  auto c = ParseCheckpointBody(body);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(c->size, 20852163u);
  EXPECT_EQ(Base64Encode(c->root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_TRUE(c->extensions.empty());
  EXPECT_EQ(FormatCheckpointBody(*c), body);
}

TEST(Checkpoint, RoundTrips) {
  std::vector<Checkpoint> cases = {
      {"log.example/aid", 0, EmptyRoot(), {}},
      {"log.example/aid", 1, HashOf("a"), {}},
      {"log.example/aid", UINT64_MAX, HashOf("b"), {"ext one", "ext-two \xC3\xA9"}},
      {"origin with spaces", 1234567, HashOf("c"), {"x"}},
  };
  for (const Checkpoint& c : cases) {
    ASSERT_TRUE(ValidateCheckpoint(c).ok());
    const std::string body = FormatCheckpointBody(c);
    auto parsed = ParseCheckpointBody(body);
    ASSERT_TRUE(parsed.ok()) << body << parsed.status().ToString();
    EXPECT_EQ(*parsed, c);
    EXPECT_EQ(FormatCheckpointBody(*parsed), body);
  }
  EXPECT_EQ(FormatCheckpointBody({"o", 18446744073709551615u, EmptyRoot(), {"e"}}),
            "o\n18446744073709551615\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ne\n");
}

TEST(Checkpoint, StrictRejections) {
  const std::string root = Base64Encode(HashOf("r"));
  auto body = [&](std::string origin, std::string size, std::string r, std::string tail = "") {
    return origin + "\n" + size + "\n" + r + "\n" + tail;
  };
  ASSERT_TRUE(ParseCheckpointBody(body("o", "5", root)).ok());
  ExpectInvalid(ParseCheckpointBody(""), "empty");
  ExpectInvalid(ParseCheckpointBody("o\n5\n" + root), "no final newline");
  ExpectInvalid(ParseCheckpointBody("o\n5\n"), "two lines");
  ExpectInvalid(ParseCheckpointBody(body("", "5", root)), "empty origin");
  ExpectInvalid(ParseCheckpointBody(body("o", "", root)), "empty size");
  ExpectInvalid(ParseCheckpointBody(body("o", "05", root)), "leading zero");
  ExpectInvalid(ParseCheckpointBody(body("o", "00", root)), "double zero");
  ExpectInvalid(ParseCheckpointBody(body("o", "+5", root)), "plus sign");
  ExpectInvalid(ParseCheckpointBody(body("o", "-5", root)), "negative");
  ExpectInvalid(ParseCheckpointBody(body("o", " 5", root)), "space");
  ExpectInvalid(ParseCheckpointBody(body("o", "5 ", root)), "trailing space");
  ExpectInvalid(ParseCheckpointBody(body("o", "0x5", root)), "hex");
  ExpectInvalid(ParseCheckpointBody(body("o", "18446744073709551616", root)), "2^64");
  ExpectInvalid(ParseCheckpointBody(body("o", "99999999999999999999", root)), "overflow");
  ExpectInvalid(ParseCheckpointBody(body("o", "5", "")), "empty root");
  ExpectInvalid(ParseCheckpointBody(body("o", "5", Base64Encode(Bytes(31)))), "31-byte root");
  ExpectInvalid(ParseCheckpointBody(body("o", "5", Base64Encode(Bytes(33)))), "33-byte root");
  ExpectInvalid(ParseCheckpointBody(body("o", "5", root.substr(0, 43))), "unpadded root");
  std::string url_safe = Base64Encode(Bytes(32, 0xfb));
  ASSERT_NE(url_safe.find_first_of("+/"), std::string::npos);
  for (char& ch : url_safe) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  ExpectInvalid(ParseCheckpointBody(body("o", "5", url_safe)), "url-safe base64");
  // 'F' + "=" at the end of a 32-byte encoding leaves non-zero padding bits.
  std::string noncanonical = Base64Encode(Bytes(32));
  noncanonical[42] = 'B';
  ExpectInvalid(ParseCheckpointBody(body("o", "5", noncanonical)), "non-canonical base64");
  ExpectInvalid(ParseCheckpointBody(body("o", "5", root, "\n")), "empty extension line");
  ExpectInvalid(ParseCheckpointBody(body("o", "5", root, "ext\n\n")), "blank line at end");
  ExpectInvalid(ParseCheckpointBody(body("o", "5", root, "ext")), "unterminated extension");
  ExpectInvalid(ParseCheckpointBody("o\r\n5\n" + root + "\n"), "CRLF");
  ExpectInvalid(ParseCheckpointBody(body("o\tx", "5", root)), "tab");
  ExpectInvalid(ParseCheckpointBody(body("o\xff", "5", root)), "invalid UTF-8");
  ExpectInvalid(ParseCheckpointBody(std::string("o\0x\n5\n", 6) + root + "\n"), "NUL");
}

TEST(Checkpoint, Validate) {
  EXPECT_TRUE(ValidateCheckpoint({"o", 1, EmptyRoot(), {}}).ok());
  EXPECT_EQ(ValidateCheckpoint({"", 1, EmptyRoot(), {}}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateCheckpoint({"a\nb", 1, EmptyRoot(), {}}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateCheckpoint({"o", 1, EmptyRoot(), {""}}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateCheckpoint({"o", 1, EmptyRoot(), {"a\nb"}}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateCheckpoint({"o\x01", 1, EmptyRoot(), {}}).code(), ErrorCode::kInvalidArgument);
}

// ---- Signed checkpoint notes and tlog-proof ---------------------------------------

// A note with a syntactically plausible signature line (not a real signature: the
// log layer never checks signatures).
std::string Note(const Checkpoint& c) {
  return FormatCheckpointBody(c) + "\n\xE2\x80\x94 " + c.origin + " AAAAAAAAAAAA\n";
}

TEST(CheckpointNote, ParsesBodyBeforeLastBlankLine) {
  const Checkpoint c{"log.example/aid", 42, HashOf("x"), {"ext"}};
  auto parsed = ParseCheckpointNote(Note(c) + "\xE2\x80\x94 witness.example BBBB\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, c);
  const std::string body = FormatCheckpointBody(c);
  EXPECT_EQ(ParseCheckpointNote(body).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseCheckpointNote(body + "\n").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseCheckpointNote(body + "\n- log sig\n").status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseCheckpointNote(body + "\n\xE2\x80\x94 log sig").status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(TlogProof, SpecExampleParses) {
  // The example of c2sp.org/tlog-proof (its signatures are elided as "[...]", which
  // this layer does not look into).
  const std::string text =
      "c2sp.org/tlog-proof@v1\n"
      "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
      "index 73894\n"
      "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
      "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
      "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
      "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
      "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
      "\n"
      "example.com/fancylog\n"
      "109482\n"
      "sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
      "\n"
      "\xE2\x80\x94 example.com/fancylog hI2DJw[...]1roloI=\n"
      "\xE2\x80\x94 witness1.example mJirIklj[...]qY9v2B/5bg==\n"
      "\xE2\x80\x94 witness2.example TnKKVHLX[...]xwYwrSjgow==\n"
      "\xE2\x80\x94 witness3.example S4X82uH5[...]3oEcROGLFQ==\n";
  auto p = ParseTlogProof(text);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->index, 73894u);
  EXPECT_EQ(p->hashes.size(), 5u);
  ASSERT_TRUE(p->extra.has_value());
  EXPECT_EQ(AsChars(*p->extra).substr(0, 30), "age-v1.2.1-darwin-arm64.tar.gz");
  auto c = ParseCheckpointNote(p->checkpoint);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->origin, "example.com/fancylog");
  EXPECT_EQ(c->size, 109482u);
  EXPECT_EQ(FormatTlogProof(*p), text);
}

TEST(TlogProof, RoundTripsAndVerifies) {
  MemoryHashes store;
  for (int i = 0; i < 37; ++i) store.Append(HashOf(std::to_string(i)));
  const Checkpoint c{"log.example/aid", store.size(), store.Root(), {}};
  for (uint64_t index : {0u, 1u, 17u, 36u}) {
    auto hashes = InclusionProof(index, store.size(), store);
    ASSERT_TRUE(hashes.ok());
    for (bool with_extra : {false, true}) {
      TlogProof p{index, *hashes, Note(c), std::nullopt};
      if (with_extra) p.extra = Bytes{1, 2, 3};
      const std::string text = FormatTlogProof(p);
      auto parsed = ParseTlogProof(text);
      ASSERT_TRUE(parsed.ok()) << text << parsed.status().ToString();
      EXPECT_EQ(*parsed, p);
      EXPECT_EQ(FormatTlogProof(*parsed), text);
      EXPECT_TRUE(VerifyTlogProofInclusion(*parsed, HashOf(std::to_string(index))).ok());
      EXPECT_EQ(VerifyTlogProofInclusion(*parsed, HashOf("other")).code(), ErrorCode::kCorrupt);
    }
  }
  // Exact text for a small case.
  TlogProof p{3, {EmptyRoot()}, Note({"o", 4, EmptyRoot(), {}}), Bytes{}};
  EXPECT_EQ(FormatTlogProof(p),
            "c2sp.org/tlog-proof@v1\nextra \nindex 3\n"
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n"
            "o\n4\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xE2\x80\x94 o AAAAAAAAAAAA\n");
  auto parsed = ParseTlogProof(FormatTlogProof(p));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, p);
  // A one-leaf tree has an empty proof.
  TlogProof single{0, {}, Note({"o", 1, HashOf("x"), {}}), std::nullopt};
  parsed = ParseTlogProof(FormatTlogProof(single));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->hashes.empty());
  EXPECT_TRUE(VerifyTlogProofInclusion(*parsed, HashOf("x")).ok());
}

TEST(TlogProof, StrictRejections) {
  const std::string note = Note({"o", 4, EmptyRoot(), {}});
  const std::string h = Base64Encode(EmptyRoot());
  const std::string header = "c2sp.org/tlog-proof@v1\n";
  ASSERT_TRUE(ParseTlogProof(header + "index 3\n" + h + "\n\n" + note).ok());
  auto expect_invalid = [](const std::string& text, std::string_view why) {
    auto r = ParseTlogProof(text);
    EXPECT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << why;
  };
  expect_invalid("", "empty");
  expect_invalid("c2sp.org/tlog-proof@v2\nindex 3\n\n" + note, "wrong version");
  expect_invalid("c2sp.org/tlog-proof@v1", "header only");
  expect_invalid(header, "no index");
  expect_invalid(header + "\n" + note, "missing index");
  expect_invalid(header + "index\n\n" + note, "index without number");
  expect_invalid(header + "index 03\n\n" + note, "leading zero");
  expect_invalid(header + "index -3\n\n" + note, "negative");
  expect_invalid(header + "index  3\n\n" + note, "two spaces");
  expect_invalid(header + "Index 3\n\n" + note, "capitalised");
  expect_invalid(header + "index 18446744073709551616\n\n" + note, "2^64");
  expect_invalid(header + "index 3\n" + h, "unterminated hash");
  expect_invalid(header + "index 3\n" + h + "\n", "no blank line");
  expect_invalid(header + "index 3\n" + h + "\n\n", "no checkpoint");
  expect_invalid(header + "index 3\n" + Base64Encode(Bytes(31)) + "\n\n" + note, "short hash");
  expect_invalid(header + "index 3\n" + h.substr(0, 43) + "\n\n" + note, "unpadded hash");
  expect_invalid(header + "index 3\n" + h + " \n\n" + note, "trailing space");
  expect_invalid(header + "extra !!!!\nindex 3\n\n" + note, "bad extra");
  expect_invalid(header + "extra AQ\nindex 3\n\n" + note, "unpadded extra");
  expect_invalid(header + "index 3\nextra AQID\n\n" + note, "extra after index");
  expect_invalid(header + "extra AQID\nextra AQID\nindex 3\n\n" + note, "two extra lines");
  expect_invalid("c2sp.org/tlog-proof@v1\r\nindex 3\r\n\r\n" + note, "CRLF");
  expect_invalid(header + "index 3\n\n" + FormatCheckpointBody({"o", 4, EmptyRoot(), {}}),
                 "checkpoint without signatures");
  expect_invalid(header + "index 3\n\no\n04\n" + h + "\n\n\xE2\x80\x94 o AAAA\n",
                 "bad checkpoint body");
  std::string many;
  for (int i = 0; i < 65; ++i) many += h + "\n";
  expect_invalid(header + "index 3\n" + many + "\n" + note, "65 hashes");
}

// ---- Proof hash lines ------------------------------------------------------------

TEST(ProofHashes, RoundTripAndRejections) {
  const std::vector<Hash> hashes = {HashOf("a"), HashOf("b"), EmptyRoot()};
  const std::string text = FormatProofHashes(hashes);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  auto parsed = ParseProofHashes(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, hashes);
  EXPECT_EQ(FormatProofHashes({}), "");
  auto empty = ParseProofHashes("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  const std::string h = Base64Encode(EmptyRoot());
  EXPECT_EQ(ParseProofHashes(h).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseProofHashes("\n").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseProofHashes(h + "\n\n").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseProofHashes(h + "\r\n").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseProofHashes(Base64Encode(Bytes(16)) + "\n").status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace aidtrace::log
