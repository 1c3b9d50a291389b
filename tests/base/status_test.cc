#include "base/status.h"

#include <gtest/gtest.h>

#include "base/checked.h"
#include "base/ids.h"

namespace aidtrace {
namespace {

TEST(StatusTest, EveryEventsMdCodeHasItsWireName) {
  // The codes of EVENTS.md "Rejections", in order: names are a contract.
  const char* names[] = {
      "bad_json",          "bad_envelope",       "bad_signature",      "unknown_party",
      "unknown_key",       "key_revoked",        "party_suspended",    "not_permitted",
      "quorum_not_met",    "replayed_nonce",     "unknown_ref",        "bad_state",
      "exceeds_stock",     "exceeds_allocation", "exceeds_commitment", "exceeds_balance",
      "screening_blocked", "condition_unmet",    "pii_mismatch",       "limit"};
  for (const char* n : names) {
    auto code = CodeFromName(n);
    ASSERT_TRUE(code.has_value()) << n;
    EXPECT_EQ(CodeName(*code), n);
    EXPECT_EQ(ExitCodeFor(*code), 1) << n;
  }
  EXPECT_FALSE(CodeFromName("no_such_code").has_value());
}

TEST(StatusTest, ToJsonIsTheEventsMdErrorObject) {
  Status s(ErrorCode::kExceedsStock, "warehouse w1 holds 5 \"kg\"\n", "/body/lines/0");
  EXPECT_EQ(
      s.ToJson(),
      R"({"error":{"code":"exceeds_stock","message":"warehouse w1 holds 5 \"kg\"\n","path":"/body/lines/0"}})");
  EXPECT_EQ(s.ToString(), "exceeds_stock: warehouse w1 holds 5 \"kg\"\n (at /body/lines/0)");
}

TEST(StatusTest, ToJsonSanitisesInvalidUtf8) {
  Status s(ErrorCode::kBadJson, std::string("bad \xff byte"), "");
  EXPECT_EQ(
      s.ToJson(),
      "{\"error\":{\"code\":\"bad_json\",\"message\":\"bad \xEF\xBF\xBD byte\",\"path\":\"\"}}");
}

TEST(StatusTest, PathPrefixAndContext) {
  Status s(ErrorCode::kBadEnvelope, "missing", "/actor");
  EXPECT_EQ(s.WithPathPrefix("/envelope").path(), "/envelope/actor");
  EXPECT_EQ(s.WithContext("line 3").message(), "line 3: missing");
  EXPECT_TRUE(Status::Ok().WithPathPrefix("/x").ok());
}

Result<int> Half(int v) {
  if (v % 2 != 0) return Status(ErrorCode::kInvalidArgument, "odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  ASSIGN_OR_RETURN(int h, Half(v));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, ResultAndMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), ErrorCode::kInvalidArgument);
  Result<int> from_ok_status = Status::Ok();
  EXPECT_EQ(from_ok_status.status().code(), ErrorCode::kInternal);
}

TEST(CheckedTest, OverflowIsAnErrorNotAWrap) {
  EXPECT_EQ(*CheckedAdd(2, 3), 5);
  EXPECT_FALSE(CheckedAdd(INT64_MAX, 1).has_value());
  EXPECT_FALSE(CheckedSub(INT64_MIN, 1).has_value());
  EXPECT_FALSE(CheckedMul(INT64_MAX / 2 + 1, 2).has_value());
  EXPECT_EQ(*CheckedMul(-4, 5), -20);
  EXPECT_FALSE(CheckedAddU(UINT64_MAX, 1).has_value());
  EXPECT_TRUE(InJsonRange(kMaxJsonInt));
  EXPECT_FALSE(InJsonRange(kMaxJsonInt + 1));
  EXPECT_TRUE(InJsonRange(kMinJsonInt));
  EXPECT_FALSE(InJsonRange(kMinJsonInt - 1));
}

TEST(IdsTest, SubmitterIds) {
  EXPECT_TRUE(IsValidId("vendor-al-amal"));
  EXPECT_TRUE(IsValidId("0"));
  EXPECT_TRUE(IsValidId("a.b_c-d"));
  EXPECT_TRUE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("-a"));
  EXPECT_FALSE(IsValidId(".a"));
  EXPECT_FALSE(IsValidId("Vendor"));
  EXPECT_FALSE(IsValidId("a b"));
  EXPECT_FALSE(IsValidId("a/b"));
}

TEST(IdsTest, TypeNames) {
  EXPECT_TRUE(IsValidTypeName("material.release"));
  EXPECT_TRUE(IsValidTypeName("genesis"));
  EXPECT_FALSE(IsValidTypeName("material..release"));
  EXPECT_FALSE(IsValidTypeName(".release"));
  EXPECT_FALSE(IsValidTypeName("release."));
  EXPECT_FALSE(IsValidTypeName("Material.release"));
  EXPECT_FALSE(IsValidTypeName(""));
}

}  // namespace
}  // namespace aidtrace
