// The detectors on a small programme run through a real ledger: each signal of
// MECHANISM.md planted once, next to the honest events that must not raise it; then the
// findings raised as alert.raise events that the rules accept, once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "detect/observer.h"
#include "detect/raise.h"
#include "ledger/ledger.h"
#include "testing/events.h"
#include "testing/fault_env.h"

namespace aidtrace::detect {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay = 86400;
constexpr int64_t kStart = 1780000000;  // 2026-05-28

class DetectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.FreezeClock({1795428000, 0});
    dir_ = (fs::temp_directory_path() / fmt::format("aidtrace-detect-{}", getpid())).string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    log_key_ = testing::MakeActor("log.example.org", 1000).key;
    ASSERT_TRUE(ledger::Ledger::Create(env_, dir_ + "/log.db", "log.example.org", log_key_,
                                       dir_ + "/log.key")
                    .ok());
    auto state = std::make_unique<ObservingState>();
    state_ = state.get();
    auto l = ledger::Ledger::Open(env_, dir_ + "/log.db", std::move(state), log_key_);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(*l);
    for (const char* id :
         {"un-mmu", "cogat", "vendor-1", "vendor-2", "undp", "insp-1", "donor-1", "mmu-detector"}) {
      actors_.emplace(id, testing::MakeActor(id, std::hash<std::string>{}(id) % 100000));
    }
  }
  void TearDown() override {
    ledger_.reset();
    fs::remove_all(dir_);
  }

  const testing::Actor& A(const std::string& id) { return actors_.at(id); }

  // Submits one event at day `day` of the programme; it must be accepted.
  void Do(const std::string& type, const std::string& by, json::Value body, int64_t day,
          const json::Value* priv = nullptr, std::vector<std::string> cosigners = {}) {
    std::vector<const testing::Actor*> signers{&A(by)};
    for (const auto& c : cosigners) signers.push_back(&A(c));
    if (priv != nullptr) body["pii"] = testing::PiiOf(*priv);
    const std::string time = FormatRfc3339({kStart + day * kDay, 0});
    const std::string line = testing::SignedLine(
        testing::MakeEnvelope(type, by, fmt::format("n{}", ++nonce_), std::move(body), time),
        signers, priv);
    auto p = ledger_->Prepare(line);
    ASSERT_TRUE(p.ok()) << type << ": " << p.status().ToString();
    std::vector<ledger::Prepared> items;
    items.push_back(std::move(*p));
    auto r = ledger_->Submit(std::move(items));
    ASSERT_TRUE(r[0].ok()) << type << " " << nonce_ << ": " << r[0].status().ToString();
  }

  std::set<std::string> Kinds(const std::vector<Finding>& fs) {
    std::set<std::string> out;
    for (const auto& f : fs) out.insert(f.kind + ":" + f.subject);
    return out;
  }

  testing::FaultEnv env_;
  std::string dir_;
  crypto::SignerKey log_key_;
  std::map<std::string, testing::Actor> actors_;
  std::unique_ptr<ledger::Ledger> ledger_;
  ObservingState* state_ = nullptr;
  int nonce_ = 0;
};

json::Value Loc() { return {{"lat_e6", 31300000}, {"lon_e6", 34250000}}; }
json::Value Lines(const std::string& item, int64_t q) {
  return json::Value::array({{{"item", item}, {"quantity", q}}});
}
json::Value Usd(int64_t amount) { return {{"currency", "USD"}, {"amount", amount}}; }

TEST_F(DetectTest, FindsEachPlantedSignalOnceAndRaisesAlertsTheRulesAccept) {
  const json::Value policy = {{"governance", {{"of", {"cogat", "un-mmu"}}, {"k", 2}}},
                              {"project_approval", {{"default", {{"of", {"cogat"}}, {"k", 1}}}}},
                              {"consignment_approval", {{"of", {"cogat"}}, {"k", 1}}},
                              {"detection",
                               {{"stock_tolerance", 20},
                                {"verify_window_days", 30},
                                {"decision_sla_days", 45},
                                {"payment_threshold", 1'000'000}}},
                              {"detector_key", A("mmu-detector").vkey}};
  {
    const std::string genesis = testing::GenesisLine(
        {{&A("un-mmu"), {"governor", "monitor"}}, {&A("cogat"), {"governor", "authority"}}},
        policy);
    auto p = ledger_->Prepare(genesis);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    std::vector<ledger::Prepared> items;
    items.push_back(std::move(*p));
    ASSERT_TRUE(ledger_->Submit(std::move(items))[0].ok());
  }
  auto admit = [&](const std::string& id, const std::string& role) {
    Do("party.admit", "un-mmu",
       {{"party", id},
        {"name", id},
        {"roles", {role}},
        {"keys", {A(id).vkey}},
        {"country", "ps"},
        {"registration", "r-" + id}},
       0);
  };
  admit("vendor-1", "vendor");
  admit("vendor-2", "vendor");
  admit("undp", "implementer");
  admit("insp-1", "inspector");
  Do("party.admit", "un-mmu",
     {{"party", "donor-1"},
      {"name", "Donor"},
      {"roles", {"donor"}},
      {"keys", {A("donor-1").vkey}},
      {"country", "no"},
      {"registration", "r-d"}},
     0, nullptr, {"cogat"});
  Do("item.define", "un-mmu",
     {{"item", "cement"},
      {"name", "Cement"},
      {"unit", "kg"},
      {"hs", "252329"},
      {"controlled", false}},
     0, nullptr, {"cogat"});
  for (const char* v : {"vendor-1", "vendor-2"}) {
    Do("warehouse.register", "un-mmu",
       {{"warehouse", std::string("wh-") + v},
        {"vendor", v},
        {"area", "ps01"},
        {"location", Loc()}},
       0);
  }
  for (const char* p : {"school-1", "clinic-2"}) {
    Do("project.propose", "undp",
       {{"project", p},
        {"title", p},
        {"category", "education"},
        {"sector", "11220"},
        {"area", "ps01"},
        {"location", Loc()},
        {"budget", Usd(10'000'000)},
        {"boq", Lines("cement", 1'000'000)}},
       1);
    Do("project.approve", "cogat", {{"project", p}}, 2);
  }
  // A project left without a decision past the SLA (decision_overdue).
  Do("project.propose", "undp",
     {{"project", "road-3"},
      {"title", "Road"},
      {"category", "roads"},
      {"sector", "21020"},
      {"area", "ps01"},
      {"location", Loc()},
      {"budget", Usd(1'000'000)},
      {"boq", Lines("cement", 1000)}},
     2);
  // Households: hh-2 is hh-1 again under another spelling.
  json::Value p1 = testing::BeneficiaryPrivate(1);
  p1["names"] = {{"given", "Mohammed"},
                 {"father", "Khalil"},
                 {"grandfather", "Ibrahim"},
                 {"family", "Abu Taha"},
                 {"arabic", "محمد خليل أبو طه"}};
  p1["birth_date"] = "1979-04-12";
  json::Value p2 = testing::BeneficiaryPrivate(2);
  p2["names"] = {{"given", "Muhammad"},
                 {"father", "Khaleel"},
                 {"grandfather", "Ibraheem"},
                 {"family", "Abu Taha"},
                 {"arabic", "محمد خليل ابو طه"}};
  p2["birth_date"] = "1979-04-12";
  json::Value p3 = testing::BeneficiaryPrivate(3);
  p3["names"] = {{"given", "Yousef"},
                 {"father", "Salem"},
                 {"grandfather", "Omar"},
                 {"family", "Najjar"},
                 {"arabic", "يوسف سالم النجار"}};
  p3["birth_date"] = "1968-09-30";
  int n = 0;
  for (const json::Value* p : {&p1, &p2, &p3}) {
    Do("beneficiary.register", "un-mmu",
       {{"beneficiary", fmt::format("hh-{}", ++n)},
        {"area", "ps01"},
        {"household_size", 6},
        {"damage", "major"},
        {"entitlement", Lines("cement", 5000)}},
       3, p);
  }
  // Stock in: each vendor brings cement for the school and for households.
  for (const char* v : {"vendor-1", "vendor-2"}) {
    const std::string c = std::string("c-") + v;
    Do("consignment.request", v,
       {{"consignment", c},
        {"warehouse", std::string("wh-") + v},
        {"lines",
         json::Value::array({{{"item", "cement"}, {"quantity", 400'000}, {"for", "school-1"}},
                             {{"item", "cement"}, {"quantity", 4000}, {"for", "households"}}})}},
       4);
    Do("consignment.enter", "cogat",
       {{"consignment", c}, {"crossing", "ks"}, {"lines", Lines("cement", 404'000)}}, 5);
  }
  // Weekly releases by vendor-1 for five weeks, then ten in one week (volume_jump).
  for (int w = 0; w < 5; ++w) {
    Do("material.release", "vendor-1",
       {{"release", fmt::format("r-w{}", w)},
        {"warehouse", "wh-vendor-1"},
        {"to", "school-1"},
        {"lines", Lines("cement", 10'000)}},
       7 + 7 * w);
  }
  for (int i = 0; i < 10; ++i) {
    Do("material.release", "vendor-1",
       {{"release", fmt::format("r-big{}", i)},
        {"warehouse", "wh-vendor-1"},
        {"to", "school-1"},
        {"lines", Lines("cement", 10'000)}},
       7 + 7 * 5);
  }
  // Each release inspected within the window, except r-w0 (release_unverified); the last
  // of the busy week is seen half installed (verified_short).
  auto inspect = [&](const std::string& id, const std::string& to, int64_t q,
                     const std::string& result, int64_t day) {
    Do("material.verify", "insp-1",
       {{"inspection", id},
        {"recipient", to},
        {"lines", Lines("cement", q)},
        {"result", result},
        {"photos", json::Value::array()},
        {"location", Loc()}},
       day);
  };
  for (int w = 1; w < 5; ++w)
    inspect(fmt::format("ins-w{}", w), "school-1", 10'000, "installed", 12 + 7 * w);
  for (int i = 0; i < 9; ++i)
    inspect(fmt::format("ins-b{}", i), "school-1", 10'000, "installed", 50);
  inspect("ins-b9", "school-1", 5'000, "partial", 50);
  // hh-1 draws cement through both vendors (entitlement_spread); hh-3 from one only.
  Do("material.release", "vendor-1",
     {{"release", "r-h1a"},
      {"warehouse", "wh-vendor-1"},
      {"to", "hh-1"},
      {"lines", Lines("cement", 1000)}},
     44);
  Do("material.release", "vendor-2",
     {{"release", "r-h1b"},
      {"warehouse", "wh-vendor-2"},
      {"to", "hh-1"},
      {"lines", Lines("cement", 1000)}},
     45);
  Do("material.release", "vendor-2",
     {{"release", "r-h3"},
      {"warehouse", "wh-vendor-2"},
      {"to", "hh-3"},
      {"lines", Lines("cement", 1000)}},
     45);
  // The households' deliveries are seen installed, one inspection a release.
  inspect("ins-h1a", "hh-1", 1000, "installed", 50);
  inspect("ins-h1b", "hh-1", 1000, "installed", 51);
  inspect("ins-h3", "hh-3", 1000, "installed", 50);
  // Counts: vendor-2's book matches; vendor-1's is 10% short (stock_mismatch).
  Do("stock.count", "insp-1",
     {{"count", "k-1"}, {"warehouse", "wh-vendor-2"}, {"lines", Lines("cement", 402'000)}}, 46);
  Do("stock.count", "insp-1",
     {{"count", "k-2"}, {"warehouse", "wh-vendor-1"}, {"lines", Lines("cement", 200'000)}}, 46);
  // Funds: payments to vendor-1 (delivered) are fine; to vendor-2 for the school (it
  // delivered nothing there) and four just under 10,000.00 to vendor-1 (structuring).
  Do("funds.pledge", "donor-1",
     {{"pledge", "pl-1"}, {"amount", Usd(100'000'000)}, {"purpose", "schools"}}, 10);
  Do("funds.commit", "donor-1",
     {{"commitment", "cm-1"},
      {"project", "school-1"},
      {"amount", Usd(10'000'000)},
      {"conditions", json::Value::array()}},
     10);
  Do("funds.disburse", "donor-1",
     {{"disbursement", "d-1"}, {"commitment", "cm-1"}, {"to", "undp"}, {"amount", Usd(10'000'000)}},
     11);
  Do("funds.pay", "undp",
     {{"payment", "pay-1"},
      {"project", "school-1"},
      {"payee", "vendor-1"},
      {"amount", Usd(2'000'000)},
      {"invoice", "inv-1"}},
     12);
  Do("funds.pay", "undp",
     {{"payment", "pay-2"},
      {"project", "school-1"},
      {"payee", "vendor-2"},
      {"amount", Usd(500'000)},
      {"invoice", "inv-2"}},
     12);
  for (int i = 0; i < 5; ++i) {
    Do("funds.pay", "undp",
       {{"payment", fmt::format("pay-s{}", i)},
        {"project", "school-1"},
        {"payee", "vendor-1"},
        {"amount", Usd(995'000 - i * 1000)},
        {"invoice", fmt::format("inv-s{}", i)}},
       20 + i);
  }
  state_->Finish(Timestamp{kStart + 100 * kDay, 0});
  const std::vector<Finding> found = state_->TakeFindings();
  const std::set<std::string> kinds = Kinds(found);
  const std::set<std::string> expected = {
      "decision_overdue:road-3",    "duplicate_household:hh-2",
      "entitlement_spread:hh-1",    "volume_jump:vendor-1",
      "verified_short:school-1",    "release_unverified:school-1",
      "stock_mismatch:wh-vendor-1", "payment_without_delivery:school-1",
      "structuring:vendor-1"};
  EXPECT_EQ(kinds, expected);
  // Each signal once, about the planted thing.
  std::set<std::string> keys;
  for (const auto& f : found) EXPECT_TRUE(keys.insert(f.key).second) << f.key;
  EXPECT_TRUE(keys.contains("release_unverified/r-w0"));
  EXPECT_TRUE(keys.contains("verified_short/ins-b9"));
  EXPECT_TRUE(keys.contains("stock_mismatch/wh-vendor-1/cement/k-2"));
  EXPECT_TRUE(keys.contains("duplicate_household/hh-1/hh-2"));
  for (const auto& f : found) EXPECT_FALSE(f.evidence.empty()) << f.key;

  // Raised as alert.raise events, signed by the detector key; raising again adds nothing.
  auto first = RaiseAlerts(*ledger_, A("mmu-detector").key, found, {kStart + 100 * kDay, 0});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->raised, found.size());
  auto again = RaiseAlerts(*ledger_, A("mmu-detector").key, found, {kStart + 101 * kDay, 0});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->raised, 0u);
  EXPECT_EQ(again->already, found.size());
  for (const auto& f : found) {
    const auto* alert = state_->directory().enforcement().FindAlert(f.AlertId());
    ASSERT_NE(alert, nullptr) << f.key;
    EXPECT_EQ(alert->kind, f.kind);
    EXPECT_EQ(alert->status, "open");
  }

  // A case opened on an alert is a pending decision with a deadline: left open past the
  // SLA it is overdue too.
  Do("case.open", "un-mmu", {{"case", "case-1"}, {"alerts", {found.front().AlertId()}}}, 102);
  const auto* c = state_->directory().enforcement().FindCase("case-1");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->deadline.empty());
  state_->Finish(Timestamp{kStart + 102 * kDay + 46 * kDay + 1, 0});
  bool overdue = false;
  for (const auto& f : state_->TakeFindings()) {
    overdue = overdue || (f.kind == "decision_overdue" && f.subject == "case-1");
  }
  EXPECT_TRUE(overdue);
}

}  // namespace
}  // namespace aidtrace::detect
