#include "detect/evaluate.h"

#include <set>

#include <fmt/format.h>

namespace aidtrace::detect {

Result<std::map<std::string, Score>> Evaluate(const std::vector<Finding>& findings,
                                              const json::Value& truth) {
  if (!truth.is_object() || !truth.contains("schemes") || !truth["schemes"].is_object()) {
    return Status(ErrorCode::kInvalidArgument,
                  "the truth file has no \"schemes\" object (is it a scenario's truth.json?)");
  }
  struct Instance {
    std::set<std::string> events, ids;
    bool found = false;
  };
  std::map<std::string, std::vector<Instance>> planted;
  for (const auto& kind : Engine::Kinds()) planted[kind];
  for (const auto& [scheme, records] : truth["schemes"].items()) {
    if (!records.is_array()) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("truth: schemes.{} is not an array", scheme));
    }
    auto& list = planted[scheme];
    for (const auto& r : records) {
      Instance in;
      if (!r.is_object()) continue;
      for (const auto& [key, v] : r.items()) {
        if (v.is_string()) in.ids.insert(v.get<std::string>());
      }
      if (const auto ev = r.find("events"); ev != r.end() && ev->is_array()) {
        for (const auto& e : *ev) {
          if (e.is_object() && e.contains("id") && e["id"].is_string()) {
            in.events.insert(e["id"].get<std::string>());
          }
        }
      }
      list.push_back(std::move(in));
    }
  }
  std::map<std::string, Score> scores;
  for (const auto& f : findings) {
    Score& s = scores[f.kind];
    auto& list = planted[f.kind];
    bool matched = false;
    for (auto& in : list) {
      bool hit = in.ids.contains(f.subject);
      for (size_t i = 0; i < f.evidence.size() && !hit; ++i)
        hit = in.events.contains(f.evidence[i]);
      if (hit) {
        in.found = true;
        matched = true;
      }
    }
    ++(matched ? s.tp : s.fp);
  }
  for (const auto& [kind, list] : planted) {
    Score& s = scores[kind];
    s.planted = static_cast<int64_t>(list.size());
    for (const auto& in : list) s.fn += in.found ? 0 : 1;
  }
  return scores;
}

}  // namespace aidtrace::detect
