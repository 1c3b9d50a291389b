// Detectors: the signals of diversion of MECHANISM.md, computed from the events of the log
// and the mechanism's state after each of them.
//
// An Engine observes accepted events in log order (live, right after the ledger applied
// them, or in a batch replay of the whole log) and produces Findings: an alert kind of
// EVENTS.md, its subject, a severity, the event ids that prove it and a readable detail.
// Each finding has a stable key, so the same signal is reported once however often it is
// seen; an alert id derived from the key makes raising it idempotent too.
//
// Time: the signals that depend on time (unverified releases, overdue decisions, volume
// per week) use the envelopes' `time` (when the signer says it happened), so a replay at
// any speed finds the same signals. The clock is the time of the event being observed
// (never the latest seen, so one event stamped far ahead cannot close every window);
// `Finish(now)` closes the windows at `now`.
//
// Thread safety: an Engine is used by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/time.h"
#include "event/envelope.h"
#include "json/json.h"
#include "mechanism/directory.h"

namespace aidtrace::detect {

struct Finding {
  std::string key;       // stable: kind and what it is about
  std::string kind;      // alert kind (EVENTS.md alert.raise)
  std::string subject;   // a party, project, warehouse, beneficiary, consignment, hit...
  std::string severity;  // low, medium, high, critical
  std::vector<std::string> evidence;  // event ids ("sha256:...")
  std::string detail;

  // "al-" and 16 hex digits of SHA-256(key): the id of the alert that reports it.
  std::string AlertId() const;
};

// Thresholds not in the policy (the policy's stock_tolerance, verify_window_days,
// decision_sla_days and payment_threshold are read from the state).
struct Options {
  int64_t spread_vendors = 2;  // distinct vendors for one household's item
  // volume_jump: a vendor's kg to a project in 7 days at least this many times the most it
  // delivered to that project in any 7 days before, after this many releases to it before.
  int64_t volume_factor = 3;
  int64_t volume_min_releases = 1;
  int64_t structuring_count = 5;   // payments just under the threshold, per payer, payee, project
  int64_t structuring_days = 14;   // ... within this many days
  int64_t structuring_band = 100;  // permille under the threshold that counts as "just"
};

// One event as the engine sees it: the envelope, where it sits, and the state after it.
struct Observed {
  const event::Envelope& env;
  uint64_t seq;
  const mechanism::Directory& state;
  // The private record beside it (beneficiary.register), when the caller may read it.
  const json::Value* private_record = nullptr;
};

class Engine {
 public:
  explicit Engine(Options options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Observes one accepted event; appends the new findings to `out`.
  void Observe(const Observed& ev, std::vector<Finding>& out);
  // Closes the time windows at `now` (e.g. the time of the last event, or the clock).
  void Finish(Timestamp now, const mechanism::Directory& state, std::vector<Finding>& out);

  // The kinds this engine can report, for evaluation tables.
  static const std::vector<std::string>& Kinds();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The alert.raise body that reports `f` (EVENTS.md): {"alert","kind","subject","severity",
// "evidence","detail"}.
json::Value AlertBody(const Finding& f);

}  // namespace aidtrace::detect
