// Evaluation of the detectors against the truth of a generated programme (`aidtrace
// scenario`'s truth.json, format aidtrace-scenario-truth/1): precision and recall per
// detector.
//
// A finding of kind K matches a planted instance of scheme K when one of its evidence
// events is one of the instance's events, or its subject is one of the ids the instance
// records (its top-level string members). A finding matching no instance is a false
// positive; an instance no finding matches is a false negative.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "detect/detect.h"
#include "json/json.h"

namespace aidtrace::detect {

struct Score {
  int64_t tp = 0;  // findings that match an instance
  int64_t fp = 0;  // findings that match none
  int64_t fn = 0;  // instances no finding matches
  int64_t planted = 0;
  // Permille (integers, like every figure we compute); 1000 when there is nothing to
  // measure (no findings: precision; nothing planted: recall).
  int64_t precision_permille() const { return tp + fp == 0 ? 1000 : tp * 1000 / (tp + fp); }
  int64_t recall_permille() const { return planted == 0 ? 1000 : (planted - fn) * 1000 / planted; }
};

// Scores per kind: every kind of Engine::Kinds(), plus any other scheme of the truth.
Result<std::map<std::string, Score>> Evaluate(const std::vector<Finding>& findings,
                                              const json::Value& truth);

}  // namespace aidtrace::detect
