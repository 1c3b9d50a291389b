// The scenario generator: a synthetic, plausible reconstruction programme written as the
// signed submissions its parties would send (docs/SCENARIO.md), with diversion schemes
// planted at configurable rates and a record of what was planted where (the "truth") so
// detectors can be measured against it.
//
// The programme is simulated day by day: governance on day 0 (genesis, items, parties,
// warehouses, pledges, a watch list), then households registered, projects proposed and
// approved, consignments requested, approved and entered at crossings, stock moved,
// released, inspected and counted, funds committed, attested, disbursed and paid. Every
// event is built so that the rules of docs/EVENTS.md accept it; the generator keeps its
// own mirror of the books it needs for that (stock, allocations, entitlements, funds).
//
// Determinism: the output is a pure function of the Options (all randomness comes from one
// std::mt19937_64 seeded with Options::seed, keys and salts included; Ed25519 signatures
// are deterministic); the number of signing threads does not change a byte.
//
// Thread safety: Generate and WriteScenario may run concurrently on distinct options; each
// uses up to Options::threads threads internally.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "json/json.h"

namespace aidtrace::scenario {

// How often each scheme is planted. Each is a probability per opportunity (see
// docs/SCENARIO.md for what an opportunity is); when a rate is above 0 and the programme
// leaves room for the scheme, at least one instance is planted.
struct Rates {
  double stock_short = 0.05;               // per stock count
  double release_unverified = 0.03;        // per release old enough to be overdue
  double verified_short = 0.03;            // per release
  double duplicate_household = 0.01;       // per household
  double entitlement_spread = 0.01;        // per household
  double structuring = 0.03;               // per project
  double volume_jump = 0.05;               // per vendor
  double payment_without_delivery = 0.03;  // per project
  double listed_contractor = 0.05;         // per contractor
  double decision_overdue = 0.03;          // per project proposal and per consignment request
};

struct Options {
  int64_t households = 300;
  int64_t projects = 20;
  int64_t vendors = 8;
  int64_t days = 60;
  uint64_t seed = 1;
  std::string start = "2026-03-02";  // day 0, YYYY-MM-DD
  std::string mechanism = "gaza-reconstruction";
  std::string origin = "scenario.aidtrace.example/log";  // the log key's name
  // The policy the genesis sets (docs/EVENTS.md "The policy").
  int64_t verify_window_days = 30;
  int64_t decision_sla_days = 45;
  int64_t stock_tolerance = 20;  // permille
  // Structuring: payments just under this amount (US cents) are the "approval threshold"
  // the planted scheme stays under (the policy's detection.payment_threshold; also
  // recorded in truth.json).
  int64_t payment_threshold = 2500000;
  Rates rates;
  size_t threads = 0;  // signing threads; 0: every core
};

// Checks ranges: counts >= 1 (days >= 14), rates in [0, 1], a valid start date, mechanism
// id and origin. kInvalidArgument saying which option is wrong.
Status ValidateOptions(const Options& options);

// What a run produced besides the submission lines.
struct Generated {
  // File name under keys/ -> contents (a signer key in `aidtrace keygen` format).
  std::map<std::string, std::string> key_files;
  // File name -> contents of the synthetic watch list versions (FtM JSON lines).
  std::map<std::string, std::string> watchlists;
  json::Value truth;                              // docs/SCENARIO.md "truth.json"
  std::map<std::string, int64_t> events_by_type;  // accepted-by-design submissions
  std::map<std::string, int64_t> planted;         // scheme -> instances
  int64_t events = 0;
};

// Runs the programme and hands every submission line (canonical JSON, no newline) to
// `sink` in order; stops at the first error `sink` returns.
Result<Generated> Generate(const Options& options,
                           const std::function<Status(std::string_view line)>& sink);

// Generate() into a directory: `dir`/keys/*.key (mode 0600), `dir`/events.jsonl,
// `dir`/truth.json and `dir`/watchlist/*.ftm.jsonl. The directory is created; kInvalidArgument
// when it exists and is not empty, kIoError when a file cannot be written.
Result<Generated> WriteScenario(const Options& options, const std::string& dir);

// One line: events by type and planted counts.
std::string SummaryLine(const Generated& generated);

}  // namespace aidtrace::scenario
