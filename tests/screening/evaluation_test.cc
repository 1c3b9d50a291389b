// The evaluation figures on the shared data, with floors (not exact values). Sampled to
// keep the test quick; `aidtrace screen evaluate` runs the full sets.
#include <gtest/gtest.h>

#include <cstdio>

#include "screening/evaluate.h"
#include "screening/importers.h"
#include "testing/shared.h"

namespace aidtrace::screening {
namespace {

constexpr const char* kWikidata =
    "data/names/netransliteration_wikidata_arabic/wd_arabic.normalized.aligned.tokens";
constexpr const char* kUn = "data/lists/un_consolidated/UN_consolidated.xml";

Normalizer SharedNormalizer() {
  auto d = NameData::LoadWithWikidata((testing::SharedDir() / kWikidata).string());
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? Normalizer(*d) : Normalizer();
}

TEST(Evaluation, NomenklaturaBeatsLogicV2AndStrongCasesRight) {
  AIDTRACE_REQUIRE_SHARED(kWikidata);
  AIDTRACE_REQUIRE_SHARED("data/names/nomenklatura_name_bench/cases.csv");
  Normalizer n = SharedNormalizer();
  auto r = EvaluateNomenklatura(
      (testing::SharedDir() / "data/names/nomenklatura_name_bench").string(), n);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::printf("nomenklatura: ours P %.3f R %.3f F1 %.3f; persons F1 %.3f; logic-v2 F1 %.3f\n",
              r->all.Precision(), r->all.Recall(), r->all.F1(), r->persons.F1(), r->logic_all.F1());
  EXPECT_EQ(r->logic_all.tp, 345);  // the recorded run as the README states it
  EXPECT_EQ(r->logic_all.fp, 108);
  EXPECT_GT(r->all.F1(), r->logic_all.F1());
  EXPECT_GT(r->persons.F1(), r->logic_persons.F1());
  EXPECT_GT(r->all.Precision(), 0.80);
  EXPECT_GT(r->all.Recall(), 0.75);
  EXPECT_GE(r->strong_cases, 40);
  EXPECT_TRUE(r->strong_failures.empty()) << r->strong_failures.front();
}

TEST(Evaluation, CandidateRecallNegativesAndArabicScript) {
  AIDTRACE_REQUIRE_SHARED(kWikidata);
  AIDTRACE_REQUIRE_SHARED(kUn);
  AIDTRACE_REQUIRE_SHARED("data/names/yente_candidate_generation_benchmark");
  Normalizer n = SharedNormalizer();
  auto un = LoadListFile((testing::SharedDir() / kUn).string());
  ASSERT_TRUE(un.ok()) << un.status().ToString();
  auto ix = Index::Build(un->entities, n);
  const auto yente = testing::SharedDir() / "data/names/yente_candidate_generation_benchmark";
  auto recall =
      EvaluateCandidateRecall(*ix, (yente / "positives_un_treated.csv").string(),
                              (yente / "positives_un_untreated.csv").string(), 10, /*step=*/7);
  ASSERT_TRUE(recall.ok()) << recall.status().ToString();
  std::printf("Recall@10 %.3f (%zu of %zu)\n", recall->Recall(), recall->found, recall->with_truth);
  EXPECT_GT(recall->with_truth, 80u);
  EXPECT_GE(recall->Recall(), 0.95);

  auto neg = EvaluateNegatives(*ix, (yente / "negatives_global.csv").string(), kReviewLevel, 2,
                               /*step=*/250);
  ASSERT_TRUE(neg.ok()) << neg.status().ToString();
  std::printf("negatives: %.4f hits/query over %zu queries\n", neg->HitsPerQuery(), neg->queries);
  EXPECT_EQ(neg->queries, 200u);
  EXPECT_LT(neg->HitsPerQuery(), 0.05);

  // Arabic script, on a sample of entities (every 4th) to keep the debug run short.
  std::vector<Entity> sample;
  for (size_t i = 0; i < un->entities.size(); i += 4) sample.push_back(un->entities[i]);
  ScriptReport s = EvaluateOriginalScript(sample, n);
  std::printf("Arabic script: %zu names, top-1 %zu, cross-script top-10 %zu\n", s.queries,
              s.found_top1, s.cross_found_top10);
  EXPECT_GT(s.queries, 50u);
  EXPECT_GE(s.found_top10, s.queries * 98 / 100);
  EXPECT_GE(s.cross_found_top10, s.queries * 75 / 100);
}

}  // namespace
}  // namespace aidtrace::screening
