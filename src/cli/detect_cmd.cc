#include "cli/detect_cmd.h"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "base/env.h"
#include "cli/commands.h"
#include "detect/evaluate.h"
#include "detect/observer.h"
#include "detect/raise.h"
#include "ledger/ledger.h"

namespace aidtrace::cli {
namespace {

struct RunOptions {
  std::string db;
  bool json = false;
  bool raise = false;
  std::string detector_key;
};

// Replays the whole log through the detectors; the findings, in the order found.
Result<std::vector<detect::Finding>> Detect(const std::string& db, uint64_t* events,
                                            double* seconds) {
  Env& env = *Env::Default();
  // Private records (for duplicate households) come from a second, read-only handle.
  ledger::LedgerOptions ro;
  ro.read_only = true;
  ASSIGN_OR_RETURN(
      auto reader,
      ledger::Ledger::Open(env, db, std::make_unique<mechanism::Directory>(), std::nullopt, ro));
  ledger::Ledger* r = reader.get();
  auto state = std::make_unique<detect::ObservingState>(
      detect::Options{}, [r](uint64_t seq) -> std::optional<json::Value> {
        auto rec = r->PrivateRecord(seq);
        if (!rec.ok() || !rec->has_value()) return std::nullopt;
        auto parsed = json::Parse(**rec);
        if (!parsed.ok()) return std::nullopt;
        return std::move(*parsed);
      });
  detect::ObservingState* observer = state.get();
  ledger::LedgerOptions all;
  all.use_snapshots = false;
  all.snapshot_every = 0;
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(auto ledger, ledger::Ledger::Open(env, db, std::move(state), std::nullopt, all));
  observer->Finish();
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  *events = observer->observed();
  return observer->TakeFindings();
}

int Run(const RunOptions& o) {
  uint64_t events = 0;
  double seconds = 0;
  auto findings = Detect(o.db, &events, &seconds);
  if (!findings.ok()) return Fail(findings.status());
  if (o.json) {
    json::Value list = json::Value::array();
    for (const auto& f : *findings) {
      json::Value a = detect::AlertBody(f);
      a["key"] = f.key;
      list.push_back(std::move(a));
    }
    std::printf(
        "%s\n",
        json::Canonical(json::Value{{"findings", list}, {"events", events}}).value().c_str());
  } else {
    std::map<std::string, size_t> by_kind;
    for (const auto& f : *findings) {
      ++by_kind[f.kind];
      std::printf("%-24s %-9s %-20s %s\n", f.kind.c_str(), f.severity.c_str(), f.subject.c_str(),
                  f.detail.c_str());
    }
    std::fprintf(stderr, "detect: %llu events in %.2f s (%.0f events/s); %zu findings\n",
                 static_cast<unsigned long long>(events), seconds,
                 seconds > 0 ? static_cast<double>(events) / seconds : 0.0, findings->size());
    for (const auto& [kind, n] : by_kind) std::fprintf(stderr, "  %-24s %zu\n", kind.c_str(), n);
  }
  if (!o.raise) return 0;
  auto key = ReadSignerKey(o.detector_key);
  if (!key.ok()) return Fail(key.status());
  auto log_key = ReadLogKey(o.db);
  if (!log_key.ok()) return Fail(log_key.status());
  auto ledger = ledger::Ledger::Open(*Env::Default(), o.db,
                                     std::make_unique<mechanism::Directory>(), *log_key);
  if (!ledger.ok()) return Fail(ledger.status());
  auto report = detect::RaiseAlerts(**ledger, *key, *findings, Env::Default()->Now());
  if (!report.ok()) return Fail(report.status());
  std::fprintf(stderr, "detect: raised %zu alerts (%zu raised before, %zu refused)\n",
               report->raised, report->already, report->refused);
  if (report->refused > 0) {
    std::fprintf(stderr, "detect: first refusal: %s\n", report->first_refusal.ToString().c_str());
  }
  return 0;
}

struct EvaluateOptions {
  std::string db, truth;
  bool json = false;
};

int Evaluate(const EvaluateOptions& o) {
  auto text = Env::Default()->ReadFile(o.truth);
  if (!text.ok()) return Fail(text.status());
  json::ParseOptions po;
  po.max_bytes = text->size() + 1;
  auto truth = json::Parse(*text, po);
  if (!truth.ok()) return Fail(truth.status().WithContext(o.truth));
  uint64_t events = 0;
  double seconds = 0;
  auto findings = Detect(o.db, &events, &seconds);
  if (!findings.ok()) return Fail(findings.status());
  auto scores = detect::Evaluate(*findings, *truth);
  if (!scores.ok()) return Fail(scores.status());
  auto ratio = [](int64_t permille) { return static_cast<double>(permille) / 1000.0; };
  if (o.json) {
    json::Value out = json::Value::object();
    for (const auto& [kind, s] : *scores) {
      // Precision and recall as JSON numbers with three decimals (computed in permille).
      out[kind] = {{"precision", ratio(s.precision_permille())},
                   {"recall", ratio(s.recall_permille())},
                   {"tp", s.tp},
                   {"fp", s.fp},
                   {"fn", s.fn},
                   {"planted", s.planted}};
    }
    std::printf("%s\n", json::Value{{"detectors", out}, {"events", events}}.dump().c_str());
    return 0;
  }
  std::printf("%-26s %9s %7s %5s %5s %5s %8s\n", "detector", "precision", "recall", "tp", "fp",
              "fn", "planted");
  for (const auto& [kind, s] : *scores) {
    std::printf("%-26s %9.3f %7.3f %5lld %5lld %5lld %8lld\n", kind.c_str(),
                ratio(s.precision_permille()), ratio(s.recall_permille()),
                static_cast<long long>(s.tp), static_cast<long long>(s.fp),
                static_cast<long long>(s.fn), static_cast<long long>(s.planted));
  }
  std::printf("(%llu events in %.2f s)\n", static_cast<unsigned long long>(events), seconds);
  return 0;
}

}  // namespace

void AddDetectCommands(CLI::App& app, int& rc) {
  auto* detect = app.add_subcommand("detect", "Signals of diversion over the whole log");
  detect->require_subcommand(1);
  static RunOptions run;
  auto* r = detect->add_subcommand("run", "Replay the log through every detector");
  r->add_option("--db", run.db, "Store")->required();
  r->add_flag("--json", run.json, "Print {\"events\", \"findings\": [alert bodies + key]}");
  r->add_flag("--raise", run.raise,
              "Log each new finding as an alert.raise signed by the detector key");
  r->add_option("--detector-key", run.detector_key, "Signer key file of the policy's detector");
  r->callback([&rc] {
    if (run.raise && run.detector_key.empty()) {
      rc = Fail(Status(ErrorCode::kInvalidArgument, "--raise needs --detector-key"));
      return;
    }
    rc = Run(run);
  });
  static EvaluateOptions eval;
  auto* e = detect->add_subcommand(
      "evaluate", "Precision and recall of each detector against a scenario's truth.json");
  e->add_option("--db", eval.db, "Store holding the programme")->required();
  e->add_option("--truth", eval.truth, "The scenario's truth.json")->required();
  e->add_flag("--json", eval.json,
              "Print {\"detectors\": {NAME: {\"precision\", \"recall\", \"tp\", \"fp\", "
              "\"fn\", \"planted\"}}, \"events\"}");
  e->callback([&rc] { rc = Evaluate(eval); });
}

}  // namespace aidtrace::cli
