#include "mechanism/enforcement.h"

namespace aidtrace::mechanism {

std::optional<Status> EnforcementBook::Apply(const EventContext&) { return std::nullopt; }

json::Value EnforcementBook::Snapshot() const { return json::Value::object(); }

Status EnforcementBook::Restore(const json::Value& snapshot) {
  if (!snapshot.is_object()) return Status(ErrorCode::kCorrupt, "state snapshot: malformed book");
  return Status::Ok();
}

}  // namespace aidtrace::mechanism
