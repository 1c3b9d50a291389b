#include "screening/evaluate.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/parallel.h"
#include "screening/internal/csv.h"

namespace aidtrace::screening {

namespace {

json::Value Permille(double x) { return static_cast<int64_t>(x * 1000.0 + 0.5); }

Result<std::vector<internal::CsvRow>> ReadCsv(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  auto rows = internal::ParseCsv(text, /*allow_comments=*/true);
  if (!rows.ok()) return rows.status().WithContext(path);
  if (rows->empty()) return Status(ErrorCode::kInvalidArgument, path + ": no header row");
  return rows;
}

size_t Column(const internal::CsvRow& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return header.size();
}

std::string Field(const internal::CsvRow& row, size_t i) { return i < row.size() ? row[i] : ""; }

std::vector<std::string> Alternatives(std::string_view s) {
  std::vector<std::string> out{std::string(s)};
  std::string cur;
  for (char c : s) {
    if (c == '/' || c == ';') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (out.size() > 1 && !cur.empty()) out.push_back(cur);
  return out;
}

std::string TokenSet(const NormalizedName& n) {
  std::vector<std::string> t;
  for (const auto& tok : n.tokens) t.push_back(tok.text);
  std::sort(t.begin(), t.end());
  std::string out;
  for (const auto& s : t) out += s + " ";
  return out;
}

}  // namespace

double Confusion::Precision() const { return tp + fp ? static_cast<double>(tp) / (tp + fp) : 0; }
double Confusion::Recall() const { return tp + fn ? static_cast<double>(tp) / (tp + fn) : 0; }
double Confusion::F1() const {
  double p = Precision(), r = Recall();
  return p + r > 0 ? 2 * p * r / (p + r) : 0;
}
json::Value Confusion::ToJson() const {
  return {{"tp", tp},
          {"fp", fp},
          {"tn", tn},
          {"fn", fn},
          {"precision_permille", Permille(Precision())},
          {"recall_permille", Permille(Recall())},
          {"f1_permille", Permille(F1())}};
}

int PairScore(const Normalizer& normalizer, std::string_view a, std::string_view b) {
  int best = 0;
  for (const auto& x : Alternatives(a)) {
    NormalizedName nx = normalizer.Normalize(x);
    for (const auto& y : Alternatives(b)) {
      best = std::max(best, MatchNames(nx, normalizer.Normalize(y)).score);
    }
  }
  return best;
}

json::Value NomenklaturaReport::ToJson() const {
  json::Value fails = json::Value::array();
  for (const auto& f : strong_failures) fails.push_back(f);
  return {{"threshold_permille", threshold},
          {"ours", {{"all", all.ToJson()}, {"persons", persons.ToJson()}}},
          {"logic_v2", {{"all", logic_all.ToJson()}, {"persons", logic_persons.ToJson()}}},
          {"strong_cases", strong_cases},
          {"strong_failures", fails}};
}

Result<NomenklaturaReport> EvaluateNomenklatura(const std::string& dir,
                                                const Normalizer& normalizer, int threshold) {
  NomenklaturaReport r;
  r.threshold = threshold;
  ASSIGN_OR_RETURN(auto cases, ReadCsv(dir + "/cases.csv"));
  const auto& h = cases[0];
  size_t c_schema = Column(h, "schema"), c1 = Column(h, "name1"), c2 = Column(h, "name2"),
         c_match = Column(h, "is_match"), c_quality = Column(h, "quality");
  if (c2 >= h.size() || c_match >= h.size()) {
    return Status(ErrorCode::kInvalidArgument, dir + "/cases.csv: missing name1/name2/is_match");
  }
  for (size_t i = 1; i < cases.size(); ++i) {
    const auto& row = cases[i];
    bool expected = Field(row, c_match) == "true";
    int score = PairScore(normalizer, Field(row, c1), Field(row, c2));
    bool predicted = score >= threshold;
    auto count = [&](Confusion& c) {
      if (expected && predicted) ++c.tp;
      if (!expected && predicted) ++c.fp;
      if (!expected && !predicted) ++c.tn;
      if (expected && !predicted) ++c.fn;
    };
    count(r.all);
    if (Field(row, c_schema) == "Person") count(r.persons);
    if (Field(row, c_quality) == "STRONG") {
      ++r.strong_cases;
      if (expected != predicted) {
        r.strong_failures.push_back(Field(row, c1) + " | " + Field(row, c2) + " | " +
                                    (expected ? "match" : "no match") + " | " +
                                    std::to_string(score));
      }
    }
  }
  ASSIGN_OR_RETURN(auto frozen, ReadCsv(dir + "/logicv2-frozen.csv"));
  const auto& fh = frozen[0];
  size_t f_schema = Column(fh, "schema"), f_out = Column(fh, "outcome");
  for (size_t i = 1; i < frozen.size(); ++i) {
    std::string o = Field(frozen[i], f_out);
    for (Confusion* c :
         {&r.logic_all, Field(frozen[i], f_schema) == "Person" ? &r.logic_persons : nullptr}) {
      if (c == nullptr) continue;
      if (o == "TP") ++c->tp;
      if (o == "FP") ++c->fp;
      if (o == "TN") ++c->tn;
      if (o == "FN") ++c->fn;
    }
  }
  return r;
}

json::Value RecallReport::ToJson() const {
  return {{"k", k},
          {"rows", rows},
          {"with_truth", with_truth},
          {"found", found},
          {"recall_permille", Permille(Recall())}};
}

Result<RecallReport> EvaluateCandidateRecall(const Index& index, const std::string& treated_csv,
                                             const std::string& untreated_csv, size_t k,
                                             size_t step) {
  RecallReport r;
  r.k = k;
  ASSIGN_OR_RETURN(auto treated, ReadCsv(treated_csv));
  ASSIGN_OR_RETURN(auto clean, ReadCsv(untreated_csv));
  size_t ct = Column(treated[0], "full_name"), cc = Column(clean[0], "full_name");
  // Normalised token set -> entities having such a name.
  std::map<std::string, std::set<uint32_t>> by_name;
  const auto& ents = index.entities();
  for (uint32_t e = 0; e < ents.size(); ++e) {
    for (const auto& n : ents[e].names) {
      by_name[TokenSet(index.normalizer().Normalize(n.full))].insert(e);
    }
  }
  step = std::max<size_t>(1, step);
  for (size_t i = 1; i < treated.size() && i < clean.size(); i += step) {
    ++r.rows;
    auto it = by_name.find(TokenSet(index.normalizer().Normalize(Field(clean[i], cc))));
    if (it == by_name.end()) continue;
    ++r.with_truth;
    for (uint32_t e : index.TopCandidates(Field(treated[i], ct), k)) {
      if (it->second.contains(e)) {
        ++r.found;
        break;
      }
    }
  }
  return r;
}

json::Value NegativesReport::ToJson() const {
  return {{"queries", queries},
          {"hits", hits},
          {"queries_with_hits", queries_with_hits},
          {"min_score", min_score},
          {"hits_per_query_permille", Permille(HitsPerQuery())}};
}

Result<NegativesReport> EvaluateNegatives(const Index& index, const std::string& csv, int min_score,
                                          size_t threads, size_t step) {
  NegativesReport r;
  r.min_score = min_score;
  ASSIGN_OR_RETURN(auto rows, ReadCsv(csv));
  const auto& h = rows[0];
  size_t cn = Column(h, "full_name"), cd = Column(h, "date_of_birth"),
         cnat = Column(h, "nationality");
  std::vector<Subject> subjects;
  step = std::max<size_t>(1, step);
  for (size_t i = 1; i < rows.size(); i += step) {
    Subject s;
    s.names.push_back(Field(rows[i], cn));
    auto d = ParseIsoDate(Field(rows[i], cd));
    if (d.ok()) s.dob = *d;
    s.country = Field(rows[i], cnat);
    s.schema = Schema::kPerson;
    subjects.push_back(std::move(s));
  }
  ScreenOptions opt;
  opt.min_score = min_score;
  opt.limit = 100;
  auto all = ScreenBatch(index, subjects, opt, threads);
  r.queries = subjects.size();
  for (const auto& hits : all) {
    r.hits += hits.size();
    r.queries_with_hits += hits.empty() ? 0 : 1;
  }
  return r;
}

json::Value ScriptReport::ToJson() const {
  return {{"queries", queries},
          {"found_top1", found_top1},
          {"found_top10", found_top10},
          {"cross_script_found_top1", cross_found_top1},
          {"cross_script_found_top10", cross_found_top10}};
}

ScriptReport EvaluateOriginalScript(const std::vector<Entity>& un, const Normalizer& normalizer) {
  ScriptReport r;
  auto full = Index::Build(un, normalizer);
  std::vector<Entity> latin_only = un;
  for (auto& e : latin_only) {
    std::erase_if(e.names, [](const EntityName& n) { return n.original_script; });
  }
  auto latin = Index::Build(std::move(latin_only), normalizer);
  ScreenOptions opt;
  opt.min_score = 0;
  opt.limit = 10;
  for (const auto& e : un) {
    for (const auto& n : e.names) {
      if (!n.original_script) continue;
      // Arabic script: a lead byte of U+0600..U+06FF is 0xD8..0xDB.
      bool arabic = std::any_of(n.full.begin(), n.full.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u >= 0xD8 && u <= 0xDB;
      });
      if (!arabic) continue;
      ++r.queries;
      Subject s;
      s.names.push_back(n.full);
      auto pos = [&](const std::vector<Hit>& hits) {
        for (size_t i = 0; i < hits.size(); ++i) {
          if (hits[i].entry == e.id) return static_cast<int>(i);
        }
        return -1;
      };
      int p = pos(full->Screen(s, opt));
      r.found_top1 += p == 0 ? 1 : 0;
      r.found_top10 += p >= 0 ? 1 : 0;
      int q = pos(latin->Screen(s, opt));
      r.cross_found_top1 += q == 0 ? 1 : 0;
      r.cross_found_top10 += q >= 0 ? 1 : 0;
    }
  }
  return r;
}

}  // namespace aidtrace::screening
