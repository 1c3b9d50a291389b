#include "cli/screen_cmd.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/env.h"
#include "base/parallel.h"
#include "cli/commands.h"
#include "cli/lists_cmd.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "screening/evaluate.h"
#include "screening/importers.h"
#include "screening/index.h"

namespace aidtrace::cli {
namespace {

namespace fs = std::filesystem;
using namespace aidtrace::screening;

constexpr const char* kWikidataRel =
    "data/names/netransliteration_wikidata_arabic/wd_arabic.normalized.aligned.tokens";

// The shared folder: --shared, else $AIDTRACE_SHARED_DIR, else ../shared.
std::string SharedDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* e = std::getenv("AIDTRACE_SHARED_DIR"); e != nullptr && *e != '\0') return e;
  return "../shared";
}

// Name data: the curated list, plus the Wikidata tokens when the file is there.
Result<std::shared_ptr<const NameData>> LoadNameData(const std::string& names_file,
                                                     const std::string& shared) {
  std::string path = names_file;
  if (path.empty()) {
    fs::path p = fs::path(SharedDir(shared)) / kWikidataRel;
    if (!fs::exists(p)) return NameData::Builtin();
    path = p.string();
  }
  return NameData::LoadWithWikidata(path);
}

struct ScreenArgs {
  std::vector<std::string> lists;
  std::string dob, country, name, names_file, shared, schema, db;
  std::vector<std::string> ids;
  bool json = false;
  int min_score = kReviewLevel;
  size_t limit = 10;
};

int RunScreen(const ScreenArgs& a) {
  if (a.name.empty()) {
    return Fail(Status(ErrorCode::kInvalidArgument, "screen: a NAME to screen is required"));
  }
  Subject subject;
  subject.names.push_back(a.name);
  if (!a.dob.empty()) {
    auto d = ParseIsoDate(a.dob);
    if (!d.ok()) return Fail(d.status().WithContext("--dob"));
    subject.dob = *d;
  }
  if (!a.country.empty()) {
    subject.country = CountryCode(a.country);
    if (subject.country.empty()) {
      return Fail(Status(ErrorCode::kInvalidArgument,
                         "--country: \"" + a.country + "\" is not a known country code or name"));
    }
  }
  subject.identifiers = a.ids;
  if (!a.schema.empty()) {
    subject.schema = SchemaFromName(a.schema);
    if (subject.schema == Schema::kUnknown) {
      return Fail(
          Status(ErrorCode::kInvalidArgument, "--schema: \"" + a.schema +
                                                  "\" is not person, organization, company, "
                                                  "vessel or aircraft"));
    }
  }
  auto data = LoadNameData(a.names_file, a.shared);
  if (!data.ok()) return Fail(data.status());
  std::vector<Entity> all;
  for (const auto& f : a.lists) {
    auto l = LoadListFile(f);
    if (!l.ok()) return Fail(l.status());
    for (auto& e : l->entities) all.push_back(std::move(e));
  }
  if (!a.db.empty()) {
    // The current version of every list loaded in the store's log.
    ledger::LedgerOptions lo;
    lo.snapshot_every = 0;
    auto ledger = ledger::Ledger::Open(*Env::Default(), a.db,
                                       std::make_unique<mechanism::Directory>(), std::nullopt, lo);
    if (!ledger.ok()) return Fail(ledger.status());
    auto handles = OpenGuard(**ledger, a.db, std::nullopt, /*read_subjects=*/false);
    if (!handles.ok()) return Fail(handles.status());
    for (auto& e : handles->guard->Entities()) all.push_back(std::move(e));
  }
  auto index = Index::Build(std::move(all), Normalizer(*data));
  ScreenOptions opt;
  opt.min_score = a.min_score;
  opt.limit = a.limit;
  auto hits = index->Screen(subject, opt);
  if (a.json) {
    nlohmann::ordered_json out;
    out["hits"] = nlohmann::ordered_json::array();
    for (const auto& h : hits) {
      nlohmann::ordered_json j;
      j["list"] = h.list;
      j["entry"] = h.entry;
      j["name"] = h.name;
      j["score"] = h.score;
      j["explanation"] = h.explanation;
      out["hits"].push_back(std::move(j));
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  if (hits.empty()) {
    std::printf("no hits at or above %d\n", a.min_score);
    return 0;
  }
  for (const auto& h : hits) {
    std::printf("%4d  %s %s  %s\n      %s\n", h.score, h.list.c_str(), h.entry.c_str(),
                h.name.c_str(), h.explanation.c_str());
  }
  return 0;
}

struct EvalArgs {
  std::string shared;
  bool json = false;
  size_t step = 1;
  size_t threads = 0;
};

int RunEvaluate(const EvalArgs& a) {
  const fs::path shared = SharedDir(a.shared);
  const size_t threads = a.threads ? a.threads : DefaultThreads();
  auto data = NameData::LoadWithWikidata((shared / kWikidataRel).string());
  if (!data.ok()) return Fail(data.status());
  Normalizer norm(*data);
  auto t0 = std::chrono::steady_clock::now();
  auto nk = EvaluateNomenklatura((shared / "data/names/nomenklatura_name_bench").string(), norm);
  if (!nk.ok()) return Fail(nk.status());
  auto un = LoadListFile((shared / "data/lists/un_consolidated/UN_consolidated.xml").string());
  if (!un.ok()) return Fail(un.status());
  auto un_index = Index::Build(un->entities, norm);
  const fs::path yente = shared / "data/names/yente_candidate_generation_benchmark";
  auto recall =
      EvaluateCandidateRecall(*un_index, (yente / "positives_un_treated.csv").string(),
                              (yente / "positives_un_untreated.csv").string(), 10, a.step);
  if (!recall.ok()) return Fail(recall.status());
  // False hits: every list loaded, as in production.
  std::vector<Entity> all = un->entities;
  for (const char* f :
       {"data/lists/ofac_sdn_csv/sdn.csv", "data/lists/ofac_consolidated_nonsdn_csv/cons_prim.csv",
        "data/lists/opensanctions_ftm_samples/zala_entities.ftm.json",
        "data/lists/opensanctions_ftm_samples/t1_entities.ftm.json"}) {
    auto l = LoadListFile((shared / f).string());
    if (!l.ok()) return Fail(l.status());
    for (auto& e : l->entities) all.push_back(std::move(e));
  }
  auto all_index = Index::Build(std::move(all), norm);
  json::Value neg = json::Value::object();
  std::vector<std::pair<std::string, NegativesReport>> negs;
  for (const char* f : {"negatives_global.csv", "negatives_us.csv"}) {
    auto r = EvaluateNegatives(*all_index, (yente / f).string(), kReviewLevel, threads, a.step);
    if (!r.ok()) return Fail(r.status());
    negs.emplace_back(f, *r);
    neg[f] = r->ToJson();
  }
  ScriptReport script = EvaluateOriginalScript(un->entities, norm);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (a.json) {
    json::Value out = {{"nomenklatura", nk->ToJson()},
                       {"candidate_recall_un", recall->ToJson()},
                       {"negatives", neg},
                       {"original_script_un", script.ToJson()},
                       {"sample_step", a.step},
                       {"wikidata_groups", (*data)->group_count()}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  auto line = [](const char* what, const Confusion& c) {
    std::printf("  %-22s P %.3f  R %.3f  F1 %.3f  (TP %d FP %d TN %d FN %d)\n", what, c.Precision(),
                c.Recall(), c.F1(), c.tp, c.fp, c.tn, c.fn);
  };
  std::printf("nomenklatura name benchmark (match at >= %d permille)\n", nk->threshold);
  line("ours, all", nk->all);
  line("ours, persons", nk->persons);
  line("logic-v2 run, all", nk->logic_all);
  line("logic-v2 run, persons", nk->logic_persons);
  std::printf("  STRONG cases right: %d of %d\n",
              nk->strong_cases - static_cast<int>(nk->strong_failures.size()), nk->strong_cases);
  for (const auto& f : nk->strong_failures) std::printf("    wrong: %s\n", f.c_str());
  std::printf("candidate generation, yente mangled UN persons vs UN list\n");
  std::printf("  Recall@%zu %.3f  (%zu of %zu rows with a clean-name truth; %zu rows)\n", recall->k,
              recall->Recall(), recall->found, recall->with_truth, recall->rows);
  std::printf("false hits at the review level (%d), all lists loaded\n", kReviewLevel);
  for (const auto& [f, r] : negs) {
    std::printf("  %-22s %.4f hits/query  (%zu hits, %zu of %zu queries with a hit)\n", f.c_str(),
                r.HitsPerQuery(), r.hits, r.queries_with_hits, r.queries);
  }
  std::printf("UN names queried in Arabic script (%zu names)\n", script.queries);
  std::printf("  with original-script names indexed: top-1 %zu, top-10 %zu\n", script.found_top1,
              script.found_top10);
  std::printf("  Latin names only indexed (cross-script): top-1 %zu, top-10 %zu\n",
              script.cross_found_top1, script.cross_found_top10);
  std::printf("(sample step %zu, %zu threads, %.1f s)\n", a.step, threads, secs);
  return 0;
}

}  // namespace

void AddScreenCommands(CLI::App& app, int& rc) {
  static ScreenArgs sa;
  static EvalArgs ea;
  auto* screen = app.add_subcommand(
      "screen", "Screen a name against sanctions list files (UN XML, OFAC CSV, FtM JSON lines)");
  // One value per --list / --id, so that NAME stays the positional argument.
  screen
      ->add_option("--list", sa.lists,
                   "List file; repeat (format detected; OFAC alt/add/comments read beside it)")
      ->allow_extra_args(false);
  screen->add_option("--db", sa.db, "Store: screen against the lists loaded in its log");
  screen->add_option("--dob", sa.dob, "Birth date YYYY, YYYY-MM or YYYY-MM-DD");
  screen->add_option("--country", sa.country, "Nationality or country (ISO code or name)");
  screen->add_option("--id", sa.ids, "Identifier (passport, registration...); repeat")
      ->allow_extra_args(false);
  screen->add_option("--schema", sa.schema, "person, organization, company, vessel, aircraft");
  screen->add_flag("--json", sa.json, "Print {\"hits\": [...]} as JSON");
  screen->add_option("--min-score", sa.min_score, "Lowest score shown, permille")
      ->check(CLI::Range(0, 1000));
  screen->add_option("--limit", sa.limit, "Most hits shown")->check(CLI::Range(1, 10000));
  screen->add_option("--names-data", sa.names_file,
                     "Wikidata English-Arabic token file (default: under --shared, if present)");
  screen->add_option("--shared", sa.shared, "The shared/ folder (default $AIDTRACE_SHARED_DIR)");
  screen->add_option("name", sa.name, "The name to screen (quote it)");
  screen->callback([&rc, screen] {
    if (!screen->get_subcommands().empty()) return;  // `screen evaluate` ran instead
    if (sa.lists.empty() && sa.db.empty()) {
      rc = Fail(Status(ErrorCode::kInvalidArgument,
                       "screen: give --db PATH (the lists loaded there) or at least one --list "
                       "FILE"));
      return;
    }
    rc = RunScreen(sa);
  });
  auto* eval = screen->add_subcommand(
      "evaluate", "Print the evaluation figures (nomenklatura, Recall@10, negatives, Arabic)");
  eval->add_option("--shared", ea.shared, "The shared/ folder (default $AIDTRACE_SHARED_DIR)");
  eval->add_flag("--json", ea.json, "Print JSON");
  eval->add_option("--sample", ea.step, "Use every N-th query row (default 1: all)")
      ->check(CLI::Range(1, 100000));
  eval->add_option("--threads", ea.threads, "Threads for the negatives (default: all cores)");
  eval->callback([&rc] { rc = RunEvaluate(ea); });
}

}  // namespace aidtrace::cli
