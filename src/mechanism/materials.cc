#include "mechanism/materials.h"

namespace aidtrace::mechanism {

std::optional<Status> MaterialsBook::Apply(const EventContext&) { return std::nullopt; }

json::Value MaterialsBook::Snapshot() const { return json::Value::object(); }

Status MaterialsBook::Restore(const json::Value& snapshot) {
  if (!snapshot.is_object()) return Status(ErrorCode::kCorrupt, "state snapshot: malformed book");
  return Status::Ok();
}

}  // namespace aidtrace::mechanism
