#include "mechanism/roles.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace aidtrace::mechanism {
namespace {

enum class Who : uint8_t {
  kRoles,         // the actor holds one of `roles`
  kQuorum,        // the governors' quorum
  kAdmit,         // party.admit: a monitor for vendors/implementers/inspectors, else quorum
  kSelfOrQuorum,  // key.add / key.revoke: the party itself, or the quorum
  kAnyParty,      // condition.attest, appeal.file: who exactly is the rules' business
};

struct Row {
  std::string_view type;
  Who who;
  std::array<std::string_view, 2> roles;  // for kRoles: one or two roles ("" = none)
  bool detector;                          // the detector key may sign it too
};

constexpr std::array<Row, 39> kTable = {{
    {"policy.set", Who::kQuorum, {}, false},
    {"party.admit", Who::kAdmit, {}, false},
    {"party.suspend", Who::kRoles, {"monitor", "authority"}, false},
    {"party.reinstate", Who::kRoles, {"monitor", "authority"}, false},
    {"key.add", Who::kSelfOrQuorum, {}, false},
    {"key.revoke", Who::kSelfOrQuorum, {}, false},
    {"item.define", Who::kQuorum, {}, false},
    {"warehouse.register", Who::kRoles, {"monitor", ""}, false},
    {"project.propose", Who::kRoles, {"implementer", ""}, false},
    {"project.approve", Who::kRoles, {"authority", ""}, false},
    {"project.reject", Who::kRoles, {"authority", ""}, false},
    {"project.amend", Who::kRoles, {"implementer", ""}, false},
    {"project.suspend", Who::kRoles, {"monitor", ""}, false},
    {"project.resume", Who::kRoles, {"monitor", ""}, false},
    {"project.complete", Who::kRoles, {"implementer", ""}, false},
    {"project.close", Who::kRoles, {"monitor", ""}, false},
    {"beneficiary.register", Who::kRoles, {"monitor", ""}, false},
    {"consignment.request", Who::kRoles, {"vendor", ""}, false},
    {"consignment.approve", Who::kRoles, {"authority", ""}, false},
    {"consignment.enter", Who::kRoles, {"authority", "monitor"}, false},
    {"stock.transfer", Who::kRoles, {"vendor", ""}, false},
    {"material.release", Who::kRoles, {"vendor", ""}, false},
    {"material.verify", Who::kRoles, {"inspector", ""}, false},
    {"stock.count", Who::kRoles, {"inspector", ""}, false},
    {"funds.pledge", Who::kRoles, {"donor", ""}, false},
    {"funds.commit", Who::kRoles, {"donor", ""}, false},
    {"condition.attest", Who::kAnyParty, {}, false},
    {"funds.disburse", Who::kRoles, {"donor", ""}, false},
    {"funds.pay", Who::kRoles, {"implementer", ""}, false},
    {"watchlist.load", Who::kRoles, {"monitor", ""}, false},
    {"screening.hit", Who::kRoles, {"monitor", ""}, true},
    {"screening.clear", Who::kRoles, {"monitor", ""}, false},
    {"screening.confirm", Who::kRoles, {"monitor", ""}, false},
    {"alert.raise", Who::kRoles, {"monitor", ""}, true},
    {"case.open", Who::kRoles, {"monitor", ""}, false},
    {"case.note", Who::kRoles, {"monitor", ""}, false},
    {"case.close", Who::kRoles, {"monitor", ""}, false},
    {"appeal.file", Who::kAnyParty, {}, false},
    {"appeal.decide", Who::kQuorum, {}, false},
}};

const Row* Find(std::string_view type) {
  for (const Row& r : kTable) {
    if (r.type == type) return &r;
  }
  return nullptr;
}

bool Has(const std::vector<std::string>* roles, std::string_view role) {
  return roles != nullptr && std::find(roles->begin(), roles->end(), role) != roles->end();
}

// Distinct signers who are governors named in the governance quorum.
Status CheckQuorum(const event::Envelope& env, const Policy& policy, const RolesOf& roles_of) {
  std::vector<std::string_view> counted;
  for (const auto& s : env.sigs) {
    if (policy.governance.Contains(s.signer) && Has(roles_of(s.signer), "governor")) {
      counted.push_back(s.signer);
    }
  }
  if (static_cast<int64_t>(counted.size()) < policy.governance.k) {
    return Status(ErrorCode::kQuorumNotMet,
                  fmt::format("{} needs {} of the governors {}; signed by {} of them ({})",
                              env.type, policy.governance.k, fmt::join(policy.governance.of, ", "),
                              counted.size(), fmt::join(counted, ", ")),
                  "/sigs");
  }
  return Status::Ok();
}

Status NotPermitted(const event::Envelope& env, const std::vector<std::string>* roles,
                    std::string_view needs) {
  return Status(ErrorCode::kNotPermitted,
                fmt::format("\"{}\" (roles: {}) may not sign {}: it needs {}", env.actor,
                            roles == nullptr ? std::string("none")
                                             : fmt::format("{}", fmt::join(*roles, ", ")),
                            env.type, needs),
                "/actor");
}

}  // namespace

std::vector<std::string_view> RolesFor(std::string_view type) {
  std::vector<std::string_view> out;
  const Row* r = Find(type);
  if (r == nullptr || r->who != Who::kRoles) return out;
  for (auto role : r->roles) {
    if (!role.empty()) out.push_back(role);
  }
  return out;
}

Status CheckPermission(const event::Envelope& env, const Policy& policy, const RolesOf& roles_of,
                       std::string_view detector) {
  const Row* row = Find(env.type);
  if (row == nullptr) {
    return Status(ErrorCode::kBadEnvelope, fmt::format("no signing rule for \"{}\"", env.type),
                  "/type");
  }
  if (!detector.empty() && env.actor == detector) {
    if (row->detector) return Status::Ok();
    return Status(
        ErrorCode::kNotPermitted,
        fmt::format("the detector key may sign only alert.raise and screening.hit, not {}",
                    env.type),
        "/actor");
  }
  const std::vector<std::string>* roles = roles_of(env.actor);
  switch (row->who) {
    case Who::kRoles: {
      for (auto role : row->roles) {
        if (!role.empty() && Has(roles, role)) return Status::Ok();
      }
      std::string needs(row->roles[0]);
      if (!row->roles[1].empty()) needs += fmt::format(" or {}", row->roles[1]);
      return NotPermitted(env, roles, "the role " + needs);
    }
    case Who::kQuorum:
      if (!policy.governance.Contains(env.actor) || !Has(roles, "governor")) {
        return NotPermitted(env, roles, "a governor of the policy's governance quorum");
      }
      return CheckQuorum(env, policy, roles_of);
    case Who::kAdmit: {
      const json::Value& body = env.body();
      const auto admitted = body.find("roles");
      bool operational = admitted != body.end() && admitted->is_array() && !admitted->empty();
      if (operational) {
        for (const auto& r : *admitted) {
          if (!r.is_string() || (r != "vendor" && r != "implementer" && r != "inspector")) {
            operational = false;
          }
        }
      }
      if (operational && Has(roles, "monitor")) return Status::Ok();
      if (!policy.governance.Contains(env.actor) || !Has(roles, "governor")) {
        return NotPermitted(env, roles,
                            operational ? "the role monitor, or a governors' quorum"
                                        : "a governors' quorum (roles other than vendor, "
                                          "implementer and inspector)");
      }
      return CheckQuorum(env, policy, roles_of);
    }
    case Who::kSelfOrQuorum: {
      const auto party = env.body().find("party");
      if (party != env.body().end() && party->is_string() && *party == env.actor) {
        return Status::Ok();
      }
      if (!policy.governance.Contains(env.actor) || !Has(roles, "governor")) {
        return NotPermitted(env, roles, "to be the party itself, or a governors' quorum");
      }
      return CheckQuorum(env, policy, roles_of);
    }
    case Who::kAnyParty:
      return Status::Ok();
  }
  return Status(ErrorCode::kInternal, "unreachable");
}

}  // namespace aidtrace::mechanism
