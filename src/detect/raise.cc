#include "detect/raise.h"

#include <fmt/format.h>

namespace aidtrace::detect {

Result<std::string> AlertLine(const Finding& f, const crypto::SignerKey& detector, Timestamp time) {
  json::Value env = {{"v", 1},
                     {"type", "alert.raise"},
                     {"actor", detector.name},
                     {"time", FormatRfc3339({time.seconds, 0})},
                     {"nonce", f.AlertId()},
                     {"body", AlertBody(f)}};
  ASSIGN_OR_RETURN(json::Value signed_env, event::SignEnvelope(std::move(env), {&detector, 1}));
  return json::Canonical(signed_env);
}

Result<RaiseReport> RaiseAlerts(ledger::Ledger& ledger, const crypto::SignerKey& detector,
                                const std::vector<Finding>& findings, Timestamp time) {
  RaiseReport report;
  constexpr size_t kBatch = 512;
  for (size_t from = 0; from < findings.size(); from += kBatch) {
    const size_t to = std::min(findings.size(), from + kBatch);
    std::vector<ledger::Prepared> items;
    for (size_t i = from; i < to; ++i) {
      ASSIGN_OR_RETURN(std::string line, AlertLine(findings[i], detector, time));
      ASSIGN_OR_RETURN(ledger::Prepared p, ledger.Prepare(line));
      items.push_back(std::move(p));
    }
    auto results = ledger.Submit(std::move(items));
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].ok()) {
        ++report.raised;
        continue;
      }
      const ErrorCode code = results[i].status().code();
      if (code == ErrorCode::kReplayedNonce ||
          (code == ErrorCode::kBadState && results[i].status().path() == "/body/alert")) {
        ++report.already;
        continue;
      }
      if (code == ErrorCode::kIoError || code == ErrorCode::kInvalidArgument ||
          code == ErrorCode::kInternal || code == ErrorCode::kCorrupt) {
        return results[i].status().WithContext("raising alerts");
      }
      if (report.refused++ == 0) {
        report.first_refusal = results[i].status().WithContext(
            fmt::format("raising {} ({})", findings[from + i].AlertId(), findings[from + i].key));
      }
    }
  }
  return report;
}

}  // namespace aidtrace::detect
