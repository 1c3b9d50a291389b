// The Directory state machine on its own: genesis, admissions, keys, suspensions, the
// digest. (The ledger tests drive it through sequencing and replay.)
#include "mechanism/directory.h"

#include <gtest/gtest.h>

#include "testing/events.h"

namespace aidtrace::mechanism {
namespace {

using testing::Actor;
using testing::MakeActor;

class DirectoryTest : public ::testing::Test {
 protected:
  // Authenticates then applies one line as the sequencer would.
  Status Run(const std::string& line) {
    auto sub = event::DecodeSubmission(line);
    if (!sub.ok()) return sub.status();
    const ledger::ApplyContext ctx{seq_, "2026-11-23T10:00:00Z"};
    RETURN_IF_ERROR(dir_.Authenticate(*sub, {}, ctx));
    RETURN_IF_ERROR(dir_.Apply(*sub, ctx));
    ++seq_;
    return Status::Ok();
  }
  Directory dir_;
  uint64_t seq_ = 0;
  Actor a_ = MakeActor("un-mmu", 1), b_ = MakeActor("cogat", 2), v_ = MakeActor("vendor-1", 3);
};

TEST_F(DirectoryTest, GenesisRegistersFoundersAndTheirKeys) {
  EXPECT_EQ(dir_.FindKey(a_.id, a_.key.id).state, event::KeyState::kUnknownParty);
  ASSERT_TRUE(Run(testing::GenesisLine({&a_, &b_})).ok());
  auto k = dir_.FindKey(a_.id, a_.key.id);
  EXPECT_EQ(k.state, event::KeyState::kActive);
  EXPECT_EQ(k.key, a_.key.pair.public_key);
  EXPECT_EQ(dir_.FindKey(a_.id, a_.key.id + 1).state, event::KeyState::kUnknownKey);
  auto p = dir_.FindParty(b_.id);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->roles, (std::vector<std::string>{"governor", "monitor"}));
  EXPECT_EQ(dir_.party_count(), 2u);
}

TEST_F(DirectoryTest, GenesisShapeErrorsNameTheMember) {
  json::Value g = json::Parse(testing::GenesisLine({&a_})).value();
  g.erase("sigs");
  g["body"]["parties"][0]["roles"] = {"emperor"};
  Status s = Run(testing::SignedLine(g, {&a_}));
  EXPECT_EQ(s.code(), ErrorCode::kBadEnvelope);
  EXPECT_EQ(s.path(), "/body/parties/0/roles/0");
  g["body"]["parties"][0]["roles"] = {"governor"};
  g["body"]["parties"][0]["keys"] = {b_.vkey};
  s = Run(testing::SignedLine(g, {&a_}));
  EXPECT_EQ(s.code(), ErrorCode::kBadEnvelope);
  EXPECT_EQ(s.path(), "/body/parties/0/keys/0");
  g["body"]["parties"][0]["keys"] = {a_.vkey};
  g["body"].erase("policy");
  EXPECT_EQ(Run(testing::SignedLine(g, {&a_})).path(), "/body/policy");
}

TEST_F(DirectoryTest, AdmissionsKeysAndSuspensions) {
  ASSERT_TRUE(Run(testing::GenesisLine({&a_})).ok());
  ASSERT_TRUE(Run(testing::AdmitLine(a_, v_, "vendor", "n1")).ok());
  EXPECT_EQ(Run(testing::AdmitLine(a_, v_, "vendor", "n2")).code(), ErrorCode::kBadState);
  const crypto::Hash before = dir_.Digest();
  Status unknown = Run(testing::SignedLine(
      testing::MakeEnvelope("party.suspend", a_.id, "s0",
                            {{"party", "nobody"}, {"reason", "x"}, {"case", "c"}}),
      {&a_}));
  EXPECT_EQ(unknown.code(), ErrorCode::kUnknownRef);
  EXPECT_EQ(dir_.Digest(), before);
  ASSERT_TRUE(Run(testing::SignedLine(
                      testing::MakeEnvelope("party.suspend", a_.id, "s1",
                                            {{"party", v_.id}, {"reason", "x"}, {"case", "c"}}),
                      {&a_}))
                  .ok());
  EXPECT_TRUE(dir_.FindParty(v_.id)->suspended);
  EXPECT_NE(dir_.Digest(), before);
  Status again = Run(
      testing::SignedLine(testing::MakeEnvelope("party.suspend", a_.id, "s2",
                                                {{"party", v_.id}, {"reason", "x"}, {"case", "c"}}),
                          {&a_}));
  EXPECT_EQ(again.code(), ErrorCode::kBadState);
}

TEST_F(DirectoryTest, DigestIsAPureFunctionOfTheEvents) {
  const std::vector<std::string> lines = {testing::GenesisLine({&a_, &b_}),
                                          testing::AdmitLine(a_, v_, "vendor", "n1")};
  for (const auto& l : lines) ASSERT_TRUE(Run(l).ok());
  const crypto::Hash first = dir_.Digest();
  Directory other;
  uint64_t seq = 0;
  for (const auto& l : lines) {
    auto sub = event::DecodeSubmission(l);
    ASSERT_TRUE(sub.ok());
    const ledger::ApplyContext ctx{seq++, "2030-01-01T00:00:00Z"};
    ASSERT_TRUE(other.Authenticate(*sub, {}, ctx).ok());
    ASSERT_TRUE(other.Apply(*sub, ctx).ok());
  }
  EXPECT_EQ(other.Digest(), first);
}

TEST(EventTypesTest, TheFirstVersionsTypesAreKnown) {
  for (const char* t : {"mechanism.genesis", "material.release", "funds.pay", "appeal.decide",
                        "condition.attest", "project.resume"}) {
    EXPECT_TRUE(IsKnownEventType(t)) << t;
  }
  EXPECT_FALSE(IsKnownEventType("material.teleport"));
  EXPECT_TRUE(IsKnownRole("auditor"));
  EXPECT_FALSE(IsKnownRole("admin"));
}

}  // namespace
}  // namespace aidtrace::mechanism
