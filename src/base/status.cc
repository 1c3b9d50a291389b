#include "base/status.h"

#include <array>

#include <fmt/format.h>

#include "base/encoding.h"

namespace aidtrace {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  int exit_code;
};

// The one table of codes: wire name and CLI exit status. Exit 1 is a rejected event,
// 2 a usage error, 3 an I/O failure, 4 corruption found by verify, 5 an internal bug.
constexpr std::array<CodeInfo, 31> kCodes = {{
    {ErrorCode::kOk, "ok", 0},
    {ErrorCode::kBadJson, "bad_json", 1},
    {ErrorCode::kBadEnvelope, "bad_envelope", 1},
    {ErrorCode::kBadSignature, "bad_signature", 1},
    {ErrorCode::kUnknownParty, "unknown_party", 1},
    {ErrorCode::kUnknownKey, "unknown_key", 1},
    {ErrorCode::kKeyRevoked, "key_revoked", 1},
    {ErrorCode::kPartySuspended, "party_suspended", 1},
    {ErrorCode::kNotPermitted, "not_permitted", 1},
    {ErrorCode::kQuorumNotMet, "quorum_not_met", 1},
    {ErrorCode::kReplayedNonce, "replayed_nonce", 1},
    {ErrorCode::kUnknownRef, "unknown_ref", 1},
    {ErrorCode::kBadState, "bad_state", 1},
    {ErrorCode::kExceedsStock, "exceeds_stock", 1},
    {ErrorCode::kExceedsAllocation, "exceeds_allocation", 1},
    {ErrorCode::kExceedsCommitment, "exceeds_commitment", 1},
    {ErrorCode::kExceedsBalance, "exceeds_balance", 1},
    {ErrorCode::kScreeningBlocked, "screening_blocked", 1},
    {ErrorCode::kConditionUnmet, "condition_unmet", 1},
    {ErrorCode::kPiiMismatch, "pii_mismatch", 1},
    {ErrorCode::kLimit, "limit", 1},
    {ErrorCode::kInvalidArgument, "invalid_argument", 2},
    {ErrorCode::kNotFound, "not_found", 2},
    {ErrorCode::kIoError, "io_error", 3},
    {ErrorCode::kCorrupt, "corrupt", 4},
    {ErrorCode::kInternal, "internal", 5},
    {ErrorCode::kUnauthorized, "unauthorized", 2},
    {ErrorCode::kForbidden, "forbidden", 2},
    {ErrorCode::kRateLimited, "rate_limited", 3},
    {ErrorCode::kPayloadTooLarge, "payload_too_large", 2},
    {ErrorCode::kUnavailable, "unavailable", 3},
}};

const CodeInfo& Info(ErrorCode code) {
  const auto i = static_cast<size_t>(code);
  if (i >= kCodes.size() || kCodes[i].code != code) {
    return kCodes[static_cast<size_t>(ErrorCode::kInternal)];
  }
  return kCodes[i];
}

void AppendJsonString(std::string& out, std::string_view raw) {
  // RFC 8785 string form; messages may quote untrusted input, so sanitise first.
  const std::string s = SanitizeUtf8(raw);
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

std::string_view CodeName(ErrorCode code) { return Info(code).name; }

std::optional<ErrorCode> CodeFromName(std::string_view name) {
  for (const auto& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

int ExitCodeFor(ErrorCode code) { return Info(code).exit_code; }

Status Status::WithPathPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  return Status(code_, message_, std::string(prefix) + path_);
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, fmt::format("{}: {}", context, message_), path_);
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  if (path_.empty()) return fmt::format("{}: {}", CodeName(code_), message_);
  return fmt::format("{}: {} (at {})", CodeName(code_), message_, path_);
}

std::string Status::ToJson() const {
  std::string out = R"({"error":{"code":)";
  AppendJsonString(out, CodeName(code_));
  out += R"(,"message":)";
  AppendJsonString(out, message_);
  out += R"(,"path":)";
  AppendJsonString(out, path_);
  out += "}}";
  return out;
}

}  // namespace aidtrace
