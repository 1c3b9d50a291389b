// Small helpers the books share for reading event bodies: errors with a JSON pointer,
// the set of allowed members, required and optional members, event ids and decision
// deadlines. Pure; thread-safe.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/status.h"
#include "base/time.h"
#include "event/envelope.h"
#include "json/json.h"
#include "mechanism/policy.h"

namespace aidtrace::mechanism::body {

inline Status Bad(std::string path, std::string msg) {
  return Status(ErrorCode::kBadEnvelope, std::move(msg), std::move(path));
}
inline Status Err(ErrorCode code, std::string path, std::string msg) {
  return Status(code, std::move(msg), std::move(path));
}
// The pointer of member `key` of the object at `at` (`key` escaped per RFC 6901).
inline std::string At(std::string_view at, std::string_view key) {
  return fmt::format("{}/{}", at, json::PointerToken(key));
}

// bad_envelope unless `o` is an object whose members are all in `allowed`.
inline Status OnlyMembers(const json::Value& o, std::string_view at,
                          std::initializer_list<std::string_view> allowed) {
  if (!o.is_object()) return Bad(std::string(at), "must be an object");
  for (const auto& [k, v] : o.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Bad(At(at, k), fmt::format("unknown member \"{}\"", k));
    }
  }
  return Status::Ok();
}

// The member, or nullptr when optional and absent.
inline Result<const json::Value*> Member(const json::Value& o, std::string_view at,
                                         std::string_view key, bool required = true) {
  const auto it = o.find(key);
  if (it == o.end()) {
    if (required) return Bad(At(at, key), fmt::format("missing member \"{}\"", key));
    return static_cast<const json::Value*>(nullptr);
  }
  return &*it;
}

// The event id of `env` as bodies spell it: "sha256:" and 64 lower-case hex digits.
inline std::string EventId(const event::Envelope& env) { return "sha256:" + HexEncode(env.id); }

// The deadline of a decision opened by the event being applied: the log's time plus the
// policy's decision_sla_days.
inline std::string Deadline(std::string_view logged, const Policy& policy) {
  auto t = ParseRfc3339(logged);
  if (!t.ok()) return std::string(logged);
  Timestamp d = *t;
  d.seconds += policy.decision_sla_days * 86400;
  return FormatRfc3339(d);
}

}  // namespace aidtrace::mechanism::body
