// Small helpers the books share for reading event bodies: errors with a JSON pointer,
// the set of allowed members, required and optional members, typed readers (strings, ids,
// integers, hashes, money) and checked sums, event ids and decision deadlines. Pure; thread-safe.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "base/checked.h"
#include "base/encoding.h"
#include "base/ids.h"
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

// ---- typed readers: each reads one JSON value at `path` or says why it cannot ----

// A string of min..max bytes (longer: limit; shorter: bad_envelope).
inline Result<std::string> String(const json::Value& v, const std::string& path, size_t min,
                                  size_t max) {
  if (!v.is_string()) return Bad(path, "must be a string");
  std::string s = v.get<std::string>();
  if (s.size() > max) {
    return Status(ErrorCode::kLimit, fmt::format("must be at most {} bytes, not {}", max, s.size()),
                  path);
  }
  if (s.size() < min) return Bad(path, fmt::format("must be at least {} bytes", min));
  return s;
}
inline Result<std::string> Id(const json::Value& v, const std::string& path) {
  if (!v.is_string() || !IsValidId(v.get<std::string>())) {
    return Bad(path, "must be an id ([a-z0-9][a-z0-9._-]{0,63})");
  }
  return v.get<std::string>();
}
inline Result<std::string> Name(const json::Value& v, const std::string& path) {
  return String(v, path, 1, 256);
}
inline Result<std::string> Text(const json::Value& v, const std::string& path) {
  return String(v, path, 1, 4096);
}
// An integer in min..max (an unsigned value beyond max is out of range, not wrapped).
inline Result<int64_t> Int(const json::Value& v, const std::string& path, int64_t min,
                           int64_t max) {
  if (!v.is_number_integer()) return Bad(path, "must be an integer");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(max)) {
    return Bad(path, fmt::format("must be in {}..{}", min, max));
  }
  const int64_t n = v.get<int64_t>();
  if (n < min || n > max) return Bad(path, fmt::format("must be in {}..{}", min, max));
  return n;
}
inline Result<int64_t> Quantity(const json::Value& v, const std::string& path,
                                bool zero_ok = false) {
  return Int(v, path, zero_ok ? 0 : 1, kMaxJsonInt);
}
// "sha256:" and 64 lower-case hex digits.
inline Result<std::string> Hash(const json::Value& v, const std::string& path) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s.size() == 71 && s.starts_with("sha256:") &&
        std::all_of(s.begin() + 7, s.end(),
                    [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
      return s;
    }
  }
  return Bad(path, "must be a hash: sha256: and 64 lower-case hex digits");
}

struct Money {
  std::string currency;
  int64_t amount = 0;
};
// {"currency": ISO 4217, "amount": 1..2^53-1 minor units}.
inline Result<Money> MoneyOf(const json::Value& v, const std::string& path) {
  RETURN_IF_ERROR(OnlyMembers(v, path, {"currency", "amount"}));
  ASSIGN_OR_RETURN(const json::Value* c, Member(v, path, "currency"));
  ASSIGN_OR_RETURN(const json::Value* a, Member(v, path, "amount"));
  Money m;
  if (c->is_string()) m.currency = c->get<std::string>();
  if (!c->is_string() || m.currency.size() != 3 ||
      !std::all_of(m.currency.begin(), m.currency.end(),
                   [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    return Bad(At(path, "currency"), "must be 3 upper-case letters (ISO 4217)");
  }
  ASSIGN_OR_RETURN(m.amount, Int(*a, At(path, "amount"), 1, kMaxJsonInt));
  return m;
}

// Reads member `key` of `o` with `parse`, e.g. Get(body, "project", Id).
template <typename F>
auto Get(const json::Value& o, std::string_view key, F parse, std::string_view at = "/body")
    -> decltype(parse(o, std::string())) {
  auto m = Member(o, at, key);
  if (!m.ok()) return m.status();
  return parse(**m, At(at, key));
}
// The same for an optional member: nullopt when absent.
template <typename F>
auto GetOpt(const json::Value& o, std::string_view key, F parse, std::string_view at = "/body")
    -> Result<std::optional<
        typename std::remove_reference_t<decltype(parse(o, std::string()).value())>>> {
  using T = std::remove_cvref_t<decltype(parse(o, std::string()).value())>;
  auto m = Member(o, at, key, false);
  if (!m.ok()) return m.status();
  if (*m == nullptr) return std::optional<T>();
  auto r = parse(**m, At(at, key));
  if (!r.ok()) return r.status();
  return std::optional<T>(std::move(*r));
}

// a + b, or limit when the sum would pass 2^53-1 (`what` names the total).
inline Result<int64_t> Add(int64_t a, int64_t b, const std::string& path, std::string_view what) {
  const auto r = CheckedAdd(a, b);
  if (!r.has_value() || *r > kMaxJsonInt) {
    return Status(ErrorCode::kLimit, fmt::format("{} would pass 2^53-1", what), path);
  }
  return *r;
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
