// Evaluation of the screening engine against the shared name-matching data
// (shared/data/names, shared/data/lists): the nomenklatura pair benchmark beside
// logic-v2's recorded run, Recall@k of candidate generation for yente's mangled UN
// persons, false hits per query on synthetic negatives, and UN names queried in their
// original (Arabic) script. `aidtrace screen evaluate` prints these; tests assert floors.
//
// Thread safety: functions are pure apart from reading files; the index is shared
// read-only.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/json.h"
#include "screening/index.h"

namespace aidtrace::screening {

struct Confusion {
  int tp = 0, fp = 0, tn = 0, fn = 0;
  double Precision() const;
  double Recall() const;
  double F1() const;
  json::Value ToJson() const;  // counts plus precision/recall/F1 in permille
};

// Pair score as used by the benchmark: names split on '/' and ';' into alternatives, the
// best MatchNames score over the alternatives.
int PairScore(const Normalizer& normalizer, std::string_view a, std::string_view b);

struct NomenklaturaReport {
  int threshold = kReviewLevel;
  Confusion all, persons;              // ours, every case of cases.csv
  Confusion logic_all, logic_persons;  // logic-v2's recorded run (logicv2-frozen.csv)
  int strong_cases = 0;
  std::vector<std::string> strong_failures;  // "name1 | name2 | expected | score"
  json::Value ToJson() const;
};
// `dir` holds cases.csv and logicv2-frozen.csv.
Result<NomenklaturaReport> EvaluateNomenklatura(const std::string& dir,
                                                const Normalizer& normalizer,
                                                int threshold = kReviewLevel);

struct RecallReport {
  size_t k = 10;
  size_t rows = 0;        // query rows read
  size_t with_truth = 0;  // rows whose clean name identifies UN entries
  size_t found = 0;       // mangled query found them in the top k
  double Recall() const { return with_truth ? static_cast<double>(found) / with_truth : 0.0; }
  json::Value ToJson() const;
};
// Row i of `treated_csv` is row i of `untreated_csv` mangled; the truth for a row is every
// entity of `index` that has a name equal (as a normalised token set) to the clean name.
// Every `step`-th row is used (1 = all).
Result<RecallReport> EvaluateCandidateRecall(const Index& index, const std::string& treated_csv,
                                             const std::string& untreated_csv, size_t k,
                                             size_t step = 1);

struct NegativesReport {
  size_t queries = 0;
  size_t hits = 0;               // hits at or above min_score, all queries together
  size_t queries_with_hits = 0;  // queries with at least one
  int min_score = kReviewLevel;
  double HitsPerQuery() const { return queries ? static_cast<double>(hits) / queries : 0.0; }
  json::Value ToJson() const;
};
// Screens every `step`-th negative record (name, birth date, nationality) of `csv`.
Result<NegativesReport> EvaluateNegatives(const Index& index, const std::string& csv, int min_score,
                                          size_t threads, size_t step = 1);

struct ScriptReport {
  size_t queries = 0;     // UN names in Arabic script
  size_t found_top1 = 0;  // against the full UN index (original-script names included)
  size_t found_top10 = 0;
  size_t cross_found_top1 = 0;  // against the UN index without original-script names
  size_t cross_found_top10 = 0;
  json::Value ToJson() const;
};
ScriptReport EvaluateOriginalScript(const std::vector<Entity>& un, const Normalizer& normalizer);

}  // namespace aidtrace::screening
