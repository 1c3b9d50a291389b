// Status and Result<T>: how every layer reports an expected failure.
//
// A Status is either OK or carries a stable ErrorCode (the names of EVENTS.md
// "Rejections", plus a few of our own for I/O and corruption), a human message that
// says what went wrong and why, and a JSON pointer (`path`) saying where inside the
// submitted document, or empty. Codes are part of the wire contract: extend, never
// rename. Exceptions are reserved for bugs and impossible states.
//
// Thread safety: Status and Result are values; distinct objects may be used from
// distinct threads freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace aidtrace {

enum class ErrorCode : uint8_t {
  kOk = 0,
  // EVENTS.md codes, in the order listed there.
  kBadJson,
  kBadEnvelope,
  kBadSignature,
  kUnknownParty,
  kUnknownKey,
  kKeyRevoked,
  kPartySuspended,
  kNotPermitted,
  kQuorumNotMet,
  kReplayedNonce,
  kUnknownRef,
  kBadState,
  kExceedsStock,
  kExceedsAllocation,
  kExceedsCommitment,
  kExceedsBalance,
  kScreeningBlocked,
  kConditionUnmet,
  kPiiMismatch,
  kLimit,
  // aidtrace extensions (not rejections of an event's content).
  kInvalidArgument,  // a command-line or API argument is malformed
  kNotFound,         // the thing asked for does not exist (index past the end...)
  kIoError,          // the store or a file could not be read or written
  kCorrupt,          // stored data fails verification
  kInternal,         // an invariant of our own code broke
  // HTTP API (src/server): failures of a request, not of an event's content.
  kUnauthorized,     // no bearer token, or an unknown or revoked one
  kForbidden,        // the token's role may not read this
  kRateLimited,      // the token (or client) sent more requests than its limit allows
  kPayloadTooLarge,  // the request body exceeds the configured limit
  kUnavailable,      // the server is shutting down or the ledger stopped
};

// The stable wire name of a code, e.g. "exceeds_stock".
std::string_view CodeName(ErrorCode code);
// Inverse of CodeName; nullopt for an unknown name.
std::optional<ErrorCode> CodeFromName(std::string_view name);
// Process exit status used by the CLI for a code (one table; docs/CLI.md lists it).
int ExitCodeFor(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message, std::string path = {})
      : code_(code), message_(std::move(message)), path_(std::move(path)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  std::string_view code_name() const { return CodeName(code_); }
  const std::string& message() const { return message_; }
  // JSON pointer into the offending document, or empty.
  const std::string& path() const { return path_; }

  // Returns a copy whose path is `prefix` + path (for nested documents).
  Status WithPathPrefix(std::string_view prefix) const;
  // Returns a copy whose message is `context: message`.
  Status WithContext(std::string_view context) const;

  // "code: message (at path)".
  std::string ToString() const;
  // The EVENTS.md error object: {"error":{"code":..,"message":..,"path":..}} (JCS form).
  std::string ToJson() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ && a.path_ == b.path_;
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string path_;
};

// Result<T> holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) {
      v_ = Status(ErrorCode::kInternal, "Result constructed from an OK status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace aidtrace

#define AIDTRACE_CONCAT_INNER(a, b) a##b
#define AIDTRACE_CONCAT(a, b) AIDTRACE_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status or Result) is not OK.
#define RETURN_IF_ERROR(expr)                                     \
  do {                                                            \
    auto aidtrace_status_ = ::aidtrace::internal::AsStatus(expr); \
    if (!aidtrace_status_.ok()) return aidtrace_status_;          \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F())`: evaluates F(), returns its Status on failure,
// otherwise move-assigns the value to the declaration.
// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration, not an expression
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(AIDTRACE_CONCAT(aidtrace_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
