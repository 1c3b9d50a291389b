// Who may sign which event type: the fixed role table of EVENTS.md ("signed by"),
// enforced as part of rule 1. The policy (policy.h) says how many governors make a
// quorum; this table says which types need one.
//
// Pure functions over their arguments; thread-safe.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "event/envelope.h"
#include "mechanism/policy.h"

namespace aidtrace::mechanism {

// The roles of a party, or nullptr when the signer is not an admitted party.
using RolesOf = std::function<const std::vector<std::string>*(std::string_view party)>;

// Checks that `env` may be signed as it is: the actor holds a role that may sign its
// type (not_permitted otherwise), and types that need the governors' quorum carry
// signatures of at least k distinct governors named in the policy (quorum_not_met).
// `detector` is the name of the policy's detector key, if any: it may sign only
// alert.raise and screening.hit. Signatures themselves are checked elsewhere.
Status CheckPermission(const event::Envelope& env, const Policy& policy, const RolesOf& roles_of,
                       std::string_view detector);

// The roles that may sign `type` alone (for documentation and the case coverage test);
// empty for types that need a governors' quorum or may be signed by any party.
std::vector<std::string_view> RolesFor(std::string_view type);

}  // namespace aidtrace::mechanism
