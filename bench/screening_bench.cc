// screening_bench: speed of the screening index, beside brute force in the same run.
//
//  1. All lists loaded (UN, OFAC SDN, OFAC non-SDN, FtM samples): build time; query
//     latency p50/p99 for yente's mangled UN persons and synthetic negatives.
//  2. A synthetic index of 10^6 names (tokens drawn from the Wikidata name tokens): build
//     time, query p50/p99 for mangled names of the index, Recall@1 of the mangled names.
//  3. Batch re-screen of 200,000 synthetic subjects against all lists on N threads
//     (ParallelFor), as the mechanism does after a list update.
//  4. Brute force (every list name scored by the same MatchNames) on samples of the same
//     queries: the speed ratio, and the recall the index gives up (hits >= the review
//     level that brute force finds and the index misses).
//
// Usage: screening_bench [--shared DIR] [--threads N] [--synthetic N] [--batch N]
//                        [--brute-step N]
// --brute-step: every N-th all-lists query is also run by brute force (default 8; 1 = all).
// With SCREENING_BENCH_MISSES set in the environment, the brute-force hits the index
// misses are printed with their explanations.
// Prints figures; docs/SCREENING.md records them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <time.h>
#include <string>
#include <vector>

#include "base/parallel.h"
#include "screening/importers.h"
#include "screening/index.h"
#include "screening/internal/csv.h"

using namespace aidtrace;
using namespace aidtrace::screening;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of the calling thread / of the process, seconds: latencies are reported in
// thread CPU time too, because on a shared machine wall time includes preemption.
double ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double ProcessCpu() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Latency {
  std::vector<double> us;
  void Add(double v) { us.push_back(v); }
  double Pct(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    size_t i = std::min(us.size() - 1, static_cast<size_t>(p * static_cast<double>(us.size())));
    return us[i];
  }
  double Mean() const {
    double s = 0;
    for (double v : us) s += v;
    return us.empty() ? 0 : s / static_cast<double>(us.size());
  }
};

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "screening_bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

std::vector<std::string> CsvColumn(const fs::path& p, const char* col, size_t limit) {
  auto text = screening::internal::ReadWholeFile(p.string());
  if (!text.ok()) Die(text.status());
  auto rows = screening::internal::ParseCsv(*text);
  if (!rows.ok()) Die(rows.status());
  size_t c = 0;
  while (c < (*rows)[0].size() && (*rows)[0][c] != col) ++c;
  std::vector<std::string> out;
  for (size_t i = 1; i < rows->size() && out.size() < limit; ++i) {
    if (c < (*rows)[i].size()) out.push_back((*rows)[i][c]);
  }
  return out;
}

// A mangled copy of a Latin name: a typo in one word, words swapped, or a word dropped.
std::string Mangle(const std::string& name, std::mt19937_64& rng) {
  std::vector<std::string> w;
  std::string cur;
  for (char c : name) {
    if (c == ' ') {
      if (!cur.empty()) w.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) w.push_back(cur);
  if (w.empty()) return name;
  switch (rng() % 4) {
    case 0: {  // a typo: one letter replaced in the longest word
      auto& x = *std::max_element(w.begin(), w.end(),
                                  [](auto& a, auto& b) { return a.size() < b.size(); });
      if (x.size() >= 5) x[1 + rng() % (x.size() - 2)] = static_cast<char>('a' + rng() % 26);
      break;
    }
    case 1:
      std::reverse(w.begin(), w.end());
      break;
    case 2:
      if (w.size() >= 3) w.erase(w.begin() + 1);
      break;
    default:
      break;
  }
  std::string out;
  for (const auto& x : w) out += (out.empty() ? "" : " ") + x;
  return out;
}

struct Compare {
  size_t queries = 0, brute_hits = 0, index_found = 0;
  double brute_s = 0, index_s = 0;
};

// Brute force against the index on the same subjects.
Compare BruteVsIndex(const Index& ix, const std::vector<Subject>& subjects) {
  Compare c;
  ScreenOptions fast, brute;
  brute.exhaustive = true;
  fast.limit = brute.limit = 1000;
  for (const auto& s : subjects) {
    auto t0 = Clock::now();
    auto a = ix.Screen(s, fast);
    auto t1 = Clock::now();
    auto b = ix.Screen(s, brute);
    auto t2 = Clock::now();
    c.index_s += Seconds(t0, t1);
    c.brute_s += Seconds(t1, t2);
    std::set<std::string> got;
    for (const auto& h : a) got.insert(h.list + "/" + h.entry);
    for (const auto& h : b) {
      ++c.brute_hits;
      const bool found = got.contains(h.list + "/" + h.entry);
      c.index_found += found ? 1 : 0;
      if (!found && std::getenv("SCREENING_BENCH_MISSES") != nullptr) {
        std::printf("    missed: %s\n", h.explanation.c_str());
      }
    }
    ++c.queries;
  }
  return c;
}

void PrintCompare(const char* what, const Compare& c) {
  double ratio = c.index_s > 0 ? c.brute_s / c.index_s : 0;
  double lost = c.brute_hits ? 1.0 - static_cast<double>(c.index_found) / c.brute_hits : 0;
  std::printf(
      "  %s: %zu queries; brute force %.2f ms/query, index %.3f ms/query -> %.0fx faster; "
      "brute-force hits >= %d: %zu, index found %zu (recall lost %.2f%%)\n",
      what, c.queries, 1e3 * c.brute_s / c.queries, 1e3 * c.index_s / c.queries, ratio,
      kReviewLevel, c.brute_hits, c.index_found, 100.0 * lost);
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared;
  size_t threads = 2, synthetic = 1000000, batch = 200000, brute_step = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--shared")) shared = argv[i + 1];
    if (!std::strcmp(argv[i], "--threads")) threads = std::strtoul(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--synthetic")) synthetic = std::strtoul(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--batch")) batch = std::strtoul(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--brute-step")) {
      brute_step = std::max<size_t>(1, std::strtoul(argv[i + 1], nullptr, 10));
    }
  }
  if (shared.empty()) {
    const char* e = std::getenv("AIDTRACE_SHARED_DIR");
    shared = e ? e : AIDTRACE_SHARED_DIR;
  }
  const fs::path sh(shared);
  std::printf("screening_bench: shared=%s threads=%zu (hardware %u)\n", shared.c_str(), threads,
              std::thread::hardware_concurrency());
  const fs::path wd =
      sh / "data/names/netransliteration_wikidata_arabic/wd_arabic.normalized.aligned.tokens";
  auto data = NameData::LoadWithWikidata(wd.string());
  if (!data.ok()) Die(data.status());
  Normalizer norm(*data);
  std::mt19937_64 rng(20260223);

  // 1. All lists.
  auto t0 = Clock::now();
  std::vector<Entity> all;
  for (const char* f :
       {"data/lists/un_consolidated/UN_consolidated.xml", "data/lists/ofac_sdn_csv/sdn.csv",
        "data/lists/ofac_consolidated_nonsdn_csv/cons_prim.csv",
        "data/lists/opensanctions_ftm_samples/zala_entities.ftm.json",
        "data/lists/opensanctions_ftm_samples/t1_entities.ftm.json"}) {
    auto l = LoadListFile((sh / f).string());
    if (!l.ok()) Die(l.status());
    for (auto& e : l->entities) all.push_back(std::move(e));
  }
  auto t1 = Clock::now();
  auto ix = Index::Build(all, norm);
  auto t2 = Clock::now();
  std::printf("\n[1] all lists: %zu entities, %zu names; import %.2f s, index build %.2f s\n",
              ix->entities().size(), ix->name_count(), Seconds(t0, t1), Seconds(t1, t2));
  const fs::path yente = sh / "data/names/yente_candidate_generation_benchmark";
  std::vector<Subject> queries;
  for (const auto& n : CsvColumn(yente / "positives_un_treated.csv", "full_name", 100000)) {
    Subject s;
    s.names.push_back(n);
    queries.push_back(std::move(s));
  }
  for (const auto& n : CsvColumn(yente / "negatives_global.csv", "full_name", 2000)) {
    Subject s;
    s.names.push_back(n);
    queries.push_back(std::move(s));
  }
  Latency lat, cpu;
  size_t with_hits = 0;
  for (int round = 0; round < 2; ++round) {  // the first round warms caches
    for (const auto& q : queries) {
      double c0 = ThreadCpu();
      auto a = Clock::now();
      auto h = ix->Screen(q);
      auto b = Clock::now();
      double c1 = ThreadCpu();
      if (round == 1) {
        lat.Add(1e6 * Seconds(a, b));
        cpu.Add(1e6 * (c1 - c0));
        with_hits += h.empty() ? 0 : 1;
      }
    }
  }
  std::printf(
      "  query latency (%zu queries: 683 mangled UN persons + 2000 negatives):\n"
      "    wall p50 %.0f us, p99 %.0f us, mean %.0f us; thread CPU p50 %.0f us, "
      "p99 %.0f us; %zu with hits\n",
      lat.us.size(), lat.Pct(0.50), lat.Pct(0.99), lat.Mean(), cpu.Pct(0.50), cpu.Pct(0.99),
      with_hits);

  // 4a. Brute force on the same data (sampled).
  std::vector<Subject> sample;
  for (size_t i = 0; i < queries.size(); i += brute_step) sample.push_back(queries[i]);
  std::printf("\n[4] brute force (every name scored) vs index, same scorer, same run\n");
  PrintCompare("all lists", BruteVsIndex(*ix, sample));

  // 3. Batch re-screen of synthetic subjects.
  std::vector<std::string> vocab;
  {
    auto text = screening::internal::ReadWholeFile(wd.string());
    if (!text.ok()) Die(text.status());
    std::set<std::string> seen;
    size_t pos = 0;
    while (pos < text->size()) {
      size_t nl = text->find('\n', pos);
      if (nl == std::string::npos) nl = text->size();
      std::string tok = text->substr(pos, text->find('\t', pos) - pos);
      pos = nl + 1;
      bool ascii = tok.size() >= 3 &&
                   std::all_of(tok.begin(), tok.end(), [](char c) { return c >= 'a' && c <= 'z'; });
      if (ascii && seen.insert(tok).second) vocab.push_back(tok);
    }
  }
  // Zipf-like draws: common names are common.
  auto draw = [&]() -> const std::string& {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    size_t i = static_cast<size_t>(std::pow(u, 2.5) * static_cast<double>(vocab.size()));
    return vocab[std::min(i, vocab.size() - 1)];
  };
  auto synth_name = [&] {
    size_t n = 2 + rng() % 2;
    std::string s;
    for (size_t k = 0; k < n; ++k) s += (k ? " " : "") + draw();
    return s;
  };
  std::vector<Subject> subjects(batch);
  for (auto& s : subjects) {
    s.names.push_back(synth_name());
    BirthDate d;
    d.year = d.year_from = d.year_to = 1940 + static_cast<int>(rng() % 60);
    d.month = 1 + static_cast<int>(rng() % 12);
    d.day = 1 + static_cast<int>(rng() % 28);
    s.dob = d;
  }
  double pc0 = ProcessCpu();
  auto b0 = Clock::now();
  auto results = ScreenBatch(*ix, subjects, {}, threads);
  auto b1 = Clock::now();
  double pc1 = ProcessCpu();
  size_t bhits = 0;
  for (const auto& r : results) bhits += r.size();
  std::printf(
      "\n[3] batch re-screen: %zu synthetic subjects on %zu threads in %.1f s wall "
      "(%.0f subjects/s), %.1f s CPU (%.1f s per thread); %zu hits >= %d\n",
      subjects.size(), threads, Seconds(b0, b1),
      static_cast<double>(subjects.size()) / Seconds(b0, b1), pc1 - pc0,
      (pc1 - pc0) / static_cast<double>(threads), bhits, kReviewLevel);
  std::vector<Subject> bsample(subjects.begin(), subjects.begin() + std::min<size_t>(200, batch));
  PrintCompare("batch subjects (sample)", BruteVsIndex(*ix, bsample));

  // 2. Synthetic 10^6-name index.
  if (synthetic > 0) {
    std::vector<Entity> synth(synthetic);
    for (size_t i = 0; i < synthetic; ++i) {
      synth[i].list = "synthetic";
      synth[i].id = std::to_string(i);
      synth[i].schema = Schema::kPerson;
      synth[i].names.push_back({synth_name(), NameStrength::kPrimary, false, {}});
    }
    std::vector<std::pair<std::string, std::string>> probes;  // mangled name, truth id
    for (size_t i = 0; i < 2000; ++i) {
      size_t k = rng() % synthetic;
      probes.emplace_back(Mangle(synth[k].names[0].full, rng), synth[k].id);
    }
    auto s0 = Clock::now();
    auto big = Index::Build(std::move(synth), norm);
    auto s1 = Clock::now();
    std::printf("\n[2] synthetic index: %zu names (vocabulary %zu tokens), build %.1f s\n",
                big->name_count(), vocab.size(), Seconds(s0, s1));
    Latency bl, bcpu;
    size_t top1 = 0, top10 = 0;
    ScreenOptions opt;
    opt.min_score = 0;
    for (const auto& [q, truth] : probes) {
      Subject s;
      s.names.push_back(q);
      double c0 = ThreadCpu();
      auto a = Clock::now();
      auto h = big->Screen(s, opt);
      auto b = Clock::now();
      bcpu.Add(1e6 * (ThreadCpu() - c0));
      bl.Add(1e6 * Seconds(a, b));
      for (size_t i = 0; i < h.size(); ++i) {
        if (h[i].entry == truth) {
          top1 += i == 0 || h[i].score == h[0].score ? 1 : 0;
          top10 += 1;
          break;
        }
      }
    }
    std::printf(
        "  query latency (%zu mangled names of the index): wall p50 %.0f us, p99 %.0f us, "
        "mean %.0f us; thread CPU p50 %.0f us, p99 %.0f us\n"
        "  truth in top 10: %zu, at the top score: %zu\n",
        bl.us.size(), bl.Pct(0.50), bl.Pct(0.99), bl.Mean(), bcpu.Pct(0.50), bcpu.Pct(0.99), top10,
        top1);
    std::vector<Subject> bigsample;
    for (size_t i = 0; i < 10; ++i) {
      Subject s;
      s.names.push_back(probes[i].first);
      bigsample.push_back(std::move(s));
    }
    PrintCompare("synthetic index (10 queries)", BruteVsIndex(*big, bigsample));
  }
  return 0;
}
