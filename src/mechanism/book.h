// Books: the parts of the mechanism's state beyond the directory of parties and keys,
// one class per family of events (materials and projects, enforcement, funds next).
// Each book validates an event completely before it changes anything, so a rejected
// event leaves every book as it was; each serialises itself deterministically for
// snapshots and the state digest.
//
// Thread safety: books are touched only by the sequencer thread (through
// Directory::Apply), and read by others only when no sequencing runs (show, tests).
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "event/envelope.h"
#include "json/json.h"
#include "mechanism/policy.h"

namespace aidtrace::mechanism {

// What a book may ask of the directory about a party.
struct PartyView {
  bool admitted = false;
  bool suspended = false;
  const std::vector<std::string>* roles = nullptr;  // sorted; null when not admitted

  bool Has(std::string_view role) const {
    return roles != nullptr && std::find(roles->begin(), roles->end(), role) != roles->end();
  }
};

// An appealable decision (EVENTS.md, appeal.file), as the book that made it sees it now.
struct Decision {
  std::string type;      // the event type of the decision
  std::string affected;  // the party that may appeal it
  bool stands = false;   // whether it still has effect (and so can be appealed)
  std::string why;       // when it does not stand: why, for the error message
};

// Everything a book needs to apply one authenticated event.
class MaterialsBook;
class EnforcementBook;
struct EventContext;
using FindDecisionFn = std::function<std::optional<Decision>(std::string_view event_id)>;
using OverturnFn = std::function<Status(std::string_view event_id, const EventContext& ctx)>;

struct EventContext {
  const event::Envelope& env;
  const json::Value& body;
  uint64_t seq;
  std::string_view logged;  // RFC 3339, the log's time
  const Policy& policy;
  std::function<PartyView(std::string_view party)> party;
  // Suspends or reinstates a party in the directory (screening.confirm, appeal.decide).
  // Only to be called once the event is known to pass.
  std::function<void(std::string_view party, bool suspended)> set_suspended;
  // The other books, read-only (a book reads another, never writes it).
  const MaterialsBook* materials = nullptr;
  const EnforcementBook* enforcement = nullptr;
  // Appeals: the decisions of the directory and the materials book by event id, and the
  // effect of overturning one (appeal.decide; called last, changes nothing on error).
  FindDecisionFn find_decision;
  OverturnFn overturn;
};

// Rule 6: whether `subject` (a party, beneficiary or prospective id) has an unresolved
// screening hit that blocks it (a confirmed hit, or an open one at or above the policy's
// block_at). Defined with the enforcement book.
bool SubjectBlocked(const EventContext& ctx, std::string_view subject);

// The screening_blocked rejection for `subject`, at `path`.
Status BlockedError(std::string_view subject, std::string path, std::string_view what);

}  // namespace aidtrace::mechanism
