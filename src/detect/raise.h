// Raising findings: each becomes an alert.raise event signed by the policy's detector key
// and submitted to the ledger like any other event (the rules check it). Raising is
// idempotent: the alert id and the nonce derive from the finding's key, so a finding
// raised before is recognised and skipped.
#pragma once

#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "crypto/note.h"
#include "detect/detect.h"
#include "ledger/ledger.h"

namespace aidtrace::detect {

struct RaiseReport {
  size_t raised = 0;   // new alert.raise events logged
  size_t already = 0;  // raised before (same alert id)
  size_t refused = 0;  // refused by the rules (the first refusal is kept)
  Status first_refusal;
};

// The signed submission line that raises `f`, at `time`.
Result<std::string> AlertLine(const Finding& f, const crypto::SignerKey& detector, Timestamp time);

// Submits one alert.raise per finding. A finding the rules refuse is counted and skipped
// (the first refusal is reported); fails only when the ledger cannot take events (I/O, a
// stopped or read-only ledger) or an alert cannot be built.
Result<RaiseReport> RaiseAlerts(ledger::Ledger& ledger, const crypto::SignerKey& detector,
                                const std::vector<Finding>& findings, Timestamp time);

}  // namespace aidtrace::detect
