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
};

// The signed submission line that raises `f`, at `time`.
Result<std::string> AlertLine(const Finding& f, const crypto::SignerKey& detector, Timestamp time);

// Submits one alert.raise per finding. Fails on the first rejection other than "raised
// before" (bad_state on the alert id, replayed_nonce).
Result<RaiseReport> RaiseAlerts(ledger::Ledger& ledger, const crypto::SignerKey& detector,
                                const std::vector<Finding>& findings, Timestamp time);

}  // namespace aidtrace::detect
