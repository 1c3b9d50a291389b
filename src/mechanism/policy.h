// Policy: the thresholds, quorums and windows the governors set (in mechanism.genesis
// and policy.set). Which role may sign which type is fixed (roles.h); the policy says
// how many of whom. Parsing is strict: every violation is a bad_envelope naming the
// member (paths relative to the policy object). Pure values; thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/note.h"
#include "json/json.h"

namespace aidtrace::mechanism {

// "k of these parties".
struct Quorum {
  std::vector<std::string> of;  // sorted, distinct party ids
  int64_t k = 0;

  bool Contains(std::string_view party) const;
};

struct Policy {
  Quorum governance;
  Quorum project_approval_default;
  std::map<std::string, Quorum, std::less<>> project_approval_categories;
  Quorum consignment_approval;
  // Screening scores, permille.
  int64_t review_at = 700;
  int64_t block_at = 850;
  int64_t four_eyes_at = 850;
  // Detection.
  int64_t stock_tolerance = 20;  // permille
  int64_t verify_window_days = 60;
  int64_t decision_sla_days = 45;
  // The approval threshold of a payment, in minor units: structuring is many payments
  // just under it.
  int64_t payment_threshold = 2'500'000;
  // The mechanism's own key, for the events the system raises (alerts, screening hits).
  std::optional<crypto::VerifierKey> detector_key;
  // The roles that may read personal data (private records) through the API; sorted.
  std::vector<std::string> personal_data_roles = {"auditor", "monitor"};

  // The quorum that approves projects of `category`.
  const Quorum& ProjectApproval(std::string_view category) const;
};

// Whether `role` is one of MECHANISM.md's roles.
bool IsKnownRole(std::string_view role);

// Parses a policy object. Only `governance` is required; the rest default as above
// (project and consignment approval default to the governance quorum).
Result<Policy> ParsePolicy(const json::Value& policy);

// The canonical JSON of a policy (for the state digest).
json::Value PolicyToJson(const Policy& policy);

}  // namespace aidtrace::mechanism
