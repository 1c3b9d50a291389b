#include "cli/scenario_cmd.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "scenario/scenario.h"

namespace aidtrace::cli {
namespace {

struct ScenarioArgs {
  scenario::Options options;
  std::string out;
  bool quiet = false;
};

int RunScenario(const ScenarioArgs& a) {
  const auto t0 = std::chrono::steady_clock::now();
  auto g = scenario::WriteScenario(a.options, a.out);
  if (!g.ok()) return Fail(g.status());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!a.quiet) {
    std::printf("%s\n", scenario::SummaryLine(*g).c_str());
    std::printf(
        "wrote %s/events.jsonl, %s/truth.json, %zu keys in %s/keys in %.1f s (%.0f events/s)\n",
        a.out.c_str(), a.out.c_str(), g->key_files.size(), a.out.c_str(), secs,
        secs > 0 ? static_cast<double>(g->events) / secs : 0.0);
  }
  return 0;
}

}  // namespace

void AddScenarioCommands(CLI::App& app, int& rc) {
  static ScenarioArgs sa;
  scenario::Options& o = sa.options;
  auto* cmd = app.add_subcommand(
      "scenario", "Generate a synthetic programme: keys, signed events, planted schemes' truth");
  cmd->add_option("--households", o.households, "Households registered")->capture_default_str();
  cmd->add_option("--projects", o.projects, "Projects proposed")->capture_default_str();
  cmd->add_option("--vendors", o.vendors, "Vendors (each with one or two warehouses)")
      ->capture_default_str();
  cmd->add_option("--days", o.days, "Length of the programme in days (>= 14)")
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed: the same options give byte-identical files")
      ->capture_default_str();
  cmd->add_option("--out", sa.out, "Directory to create (must be new or empty)")->required();
  cmd->add_option("--start", o.start, "Day 0 of the programme, YYYY-MM-DD")->capture_default_str();
  cmd->add_option("--mechanism", o.mechanism, "The programme's id in the genesis")
      ->capture_default_str();
  cmd->add_option("--origin", o.origin, "Name of the log key written to keys/log.key")
      ->capture_default_str();
  cmd->add_option("--verify-window-days", o.verify_window_days,
                  "Policy: days within which a release must be verified")
      ->capture_default_str();
  cmd->add_option("--decision-sla-days", o.decision_sla_days,
                  "Policy: deadline of every pending decision, in days")
      ->capture_default_str();
  cmd->add_option("--stock-tolerance", o.stock_tolerance,
                  "Policy: count vs book tolerance, permille")
      ->capture_default_str();
  cmd->add_option("--payment-threshold", o.payment_threshold,
                  "Approval threshold structuring stays under, US cents")
      ->capture_default_str();
  scenario::Rates& r = o.rates;
  cmd->add_option("--rate-stock-short", r.stock_short, "Per stock count: counted short")
      ->capture_default_str();
  cmd->add_option("--rate-unverified", r.release_unverified, "Per release: never verified")
      ->capture_default_str();
  cmd->add_option("--rate-verified-short", r.verified_short, "Per release: verified short")
      ->capture_default_str();
  cmd->add_option("--rate-duplicate-household", r.duplicate_household,
                  "Per household: registered again under a variant spelling")
      ->capture_default_str();
  cmd->add_option("--rate-entitlement-spread", r.entitlement_spread,
                  "Per household: entitlement drawn through three vendors")
      ->capture_default_str();
  cmd->add_option("--rate-structuring", r.structuring,
                  "Per project: works paid in many payments just under the threshold")
      ->capture_default_str();
  cmd->add_option("--rate-volume-jump", r.volume_jump,
                  "Per vendor: six weeks of releases in one week")
      ->capture_default_str();
  cmd->add_option("--rate-payment-without-delivery", r.payment_without_delivery,
                  "Per project: a vendor paid that delivered nothing")
      ->capture_default_str();
  cmd->add_option("--rate-listed-contractor", r.listed_contractor,
                  "Per contractor: a watch-listed person under a variant spelling")
      ->capture_default_str();
  cmd->add_option("--rate-decision-overdue", r.decision_overdue,
                  "Per proposal and consignment request: decided after the deadline")
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Signing threads (0: every core)")->capture_default_str();
  cmd->add_flag("--quiet", sa.quiet, "Print nothing on success");
  cmd->callback([&rc] { rc = RunScenario(sa); });
}

}  // namespace aidtrace::cli
