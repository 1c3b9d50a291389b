// Evaluation against a scenario's truth: the matching rule on a hand-made truth, then the
// detectors on generated programmes (several seeds), each planted scheme found.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "detect/evaluate.h"
#include "detect/observer.h"
#include "ledger/ledger.h"
#include "scenario/scenario.h"
#include "testing/events.h"
#include "testing/fault_env.h"

namespace aidtrace::detect {
namespace {

namespace fs = std::filesystem;

TEST(Evaluate, MatchesByEvidenceOrSubjectAndCountsEachSide) {
  const json::Value truth = json::Value::parse(R"({
    "schemes": {
      "stock_mismatch": [
        {"warehouse": "wh-1", "events": [{"id": "sha256:aa"}]},
        {"warehouse": "wh-2", "events": [{"id": "sha256:bb"}]}],
      "structuring": []}})");
  std::vector<Finding> findings = {
      {"k1", "stock_mismatch", "wh-1", "high", {"sha256:zz"}, ""},  // by subject
      {"k2", "stock_mismatch", "wh-9", "high", {"sha256:bb"}, ""},  // by evidence
      {"k3", "stock_mismatch", "wh-7", "high", {"sha256:cc"}, ""},  // neither
      {"k4", "structuring", "vendor-1", "high", {"sha256:dd"}, ""},
  };
  auto scores = Evaluate(findings, truth);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  const Score& sm = scores->at("stock_mismatch");
  EXPECT_EQ(sm.tp, 2);
  EXPECT_EQ(sm.fp, 1);
  EXPECT_EQ(sm.fn, 0);
  EXPECT_EQ(sm.precision_permille(), 666);
  EXPECT_EQ(sm.recall_permille(), 1000);
  const Score& st = scores->at("structuring");
  EXPECT_EQ(st.fp, 1);
  EXPECT_EQ(st.planted, 0);
  EXPECT_EQ(st.recall_permille(), 1000);
  // Every kind the engine knows has a row, planted or not.
  for (const auto& kind : Engine::Kinds()) EXPECT_TRUE(scores->contains(kind)) << kind;

  EXPECT_FALSE(Evaluate(findings, json::Value::parse(R"({"schemes": 1})")).ok());
  EXPECT_FALSE(Evaluate(findings, json::Value::parse("[]")).ok());
}

class ScenarioEvaluation : public ::testing::TestWithParam<uint64_t> {};

// A generated programme through a real ledger with the detectors attached: every scheme
// the detectors cover is found (recall >= 0.95), with few false alarms (precision >= 0.9).
// watchlist_match belongs to screening.
TEST_P(ScenarioEvaluation, FindsThePlantedSchemes) {
  testing::FaultEnv env;
  env.FreezeClock({1795428000, 0});
  const std::string dir =
      (fs::temp_directory_path() / fmt::format("aidtrace-eval-{}-{}", getpid(), GetParam()))
          .string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  scenario::Options o;
  o.seed = GetParam();
  std::vector<std::string> lines;
  auto generated = scenario::Generate(o, [&](std::string_view line) {
    lines.emplace_back(line);
    return Status::Ok();
  });
  ASSERT_TRUE(generated.ok()) << generated.status().ToString();
  std::string key_text = generated->key_files.at("log.key");
  while (!key_text.empty() && key_text.back() == '\n') key_text.pop_back();
  auto log_key = crypto::ParseSignerKey(key_text);
  ASSERT_TRUE(log_key.ok()) << log_key.status().ToString();
  ASSERT_TRUE(ledger::Ledger::Create(env, dir + "/log.db", o.origin, *log_key, "log.key").ok());
  auto state = std::make_unique<ObservingState>();
  ObservingState* observer = state.get();
  auto ledger = ledger::Ledger::Open(env, dir + "/log.db", std::move(state), *log_key);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  for (size_t from = 0; from < lines.size(); from += 500) {
    std::vector<ledger::Prepared> items;
    for (size_t i = from; i < std::min(lines.size(), from + 500); ++i) {
      auto p = (*ledger)->Prepare(lines[i]);
      ASSERT_TRUE(p.ok()) << "line " << i + 1 << ": " << p.status().ToString();
      items.push_back(std::move(*p));
    }
    auto results = (*ledger)->Submit(std::move(items));
    for (size_t i = 0; i < results.size(); ++i) {
      ASSERT_TRUE(results[i].ok())
          << "line " << from + i + 1 << ": " << results[i].status().ToString();
    }
  }
  observer->Finish();
  // Without screening (tests/guard runs the same programmes through it) no screening hit
  // is logged: the overdue hits of the truth are not expected here.
  json::Value truth = generated->truth;
  auto& overdue = truth["schemes"]["decision_overdue"];
  overdue.erase(std::remove_if(overdue.begin(), overdue.end(),
                               [](const json::Value& r) { return r.value("kind", "") == "hit"; }),
                overdue.end());
  auto scores = Evaluate(observer->TakeFindings(), truth);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  for (const auto& [kind, s] : *scores) {
    if (kind == "watchlist_match") continue;
    SCOPED_TRACE(
        fmt::format("{}: tp {} fp {} fn {} planted {}", kind, s.tp, s.fp, s.fn, s.planted));
    if (kind == "volume_jump") {
      EXPECT_GT(s.planted, 0);
    }
    EXPECT_GE(s.recall_permille(), 950);
    EXPECT_GE(s.precision_permille(), 900);
  }
  ledger->reset();
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ScenarioEvaluation, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace aidtrace::detect
