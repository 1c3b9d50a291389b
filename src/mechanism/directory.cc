#include "mechanism/directory.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/encoding.h"
#include "base/ids.h"
#include "crypto/note.h"
#include "mechanism/body.h"
#include "mechanism/roles.h"

namespace aidtrace::mechanism {
namespace {

// EVENTS.md key.add: at most this many keys a party, revoked ones included.
constexpr size_t kMaxKeysPerParty = 16;

constexpr std::array<std::string_view, 40> kEventTypes = {
    "mechanism.genesis",   "policy.set",          "party.admit",
    "party.suspend",       "party.reinstate",     "key.add",
    "key.revoke",          "item.define",         "warehouse.register",
    "project.propose",     "project.approve",     "project.reject",
    "project.amend",       "project.suspend",     "project.resume",
    "project.complete",    "project.close",       "beneficiary.register",
    "consignment.request", "consignment.approve", "consignment.enter",
    "stock.transfer",      "material.release",    "material.verify",
    "stock.count",         "funds.pledge",        "funds.commit",
    "condition.attest",    "funds.disburse",      "funds.pay",
    "watchlist.load",      "screening.hit",       "screening.clear",
    "screening.confirm",   "alert.raise",         "case.open",
    "case.note",           "case.close",          "appeal.file",
    "appeal.decide"};

constexpr std::array<std::string_view, 8> kRoles = {
    "governor", "authority", "monitor", "inspector", "donor", "implementer", "vendor", "auditor"};

Status Bad(std::string path, std::string msg) {
  return Status(ErrorCode::kBadEnvelope, std::move(msg), std::move(path));
}

// obj.<key> as a string, or a bad_envelope naming it (`at` is obj's JSON pointer).
Result<std::string> BodyString(const json::Value& obj, std::string_view key,
                               std::string_view at = "/body") {
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    return Bad(fmt::format("{}/{}", at, key), fmt::format("\"{}\" must be a string", key));
  }
  return it->get<std::string>();
}

Result<std::string> BodyId(const json::Value& obj, std::string_view key,
                           std::string_view at = "/body") {
  ASSIGN_OR_RETURN(std::string id, BodyString(obj, key, at));
  if (!IsValidId(id)) {
    return Bad(fmt::format("{}/{}", at, key),
               fmt::format("\"{}\" is not a valid id ([a-z0-9][a-z0-9._-]{{0,63}})", key));
  }
  return id;
}

// Parses `keys` (array of verifier keys named after `party`) into `out`.
Status ParseKeys(const json::Value& keys, const std::string& party, const std::string& path,
                 std::map<uint32_t, Directory::Key>& out) {
  if (!keys.is_array() || keys.empty()) {
    return Bad(path, "keys must be a non-empty array of verifier keys");
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string p = fmt::format("{}/{}", path, i);
    if (!keys[i].is_string()) return Bad(p, "a key must be a verifier key string");
    auto vk = crypto::ParseVerifierKey(keys[i].get<std::string>());
    if (!vk.ok()) return Bad(p, vk.status().message());
    if (vk->name != party) {
      return Bad(p,
                 fmt::format("key is named \"{}\" but belongs to party \"{}\"", vk->name, party));
    }
    if (!out.emplace(vk->id, Directory::Key{vk->key, false}).second) {
      return Bad(p, "two keys with the same key id");
    }
  }
  return Status::Ok();
}

Status ParseRoles(const json::Value& roles, const std::string& path,
                  std::vector<std::string>& out) {
  if (!roles.is_array() || roles.empty()) return Bad(path, "roles must be a non-empty array");
  for (size_t i = 0; i < roles.size(); ++i) {
    if (!roles[i].is_string() || !IsKnownRole(roles[i].get<std::string>())) {
      return Bad(fmt::format("{}/{}", path, i),
                 "unknown role (governor, authority, monitor, inspector, donor, implementer, "
                 "vendor, auditor)");
    }
    out.push_back(roles[i].get<std::string>());
  }
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    return Bad(path, "a role is listed twice");
  }
  return Status::Ok();
}

// A registry over a genesis body's own keys.
class MapRegistry final : public event::KeyRegistry {
 public:
  explicit MapRegistry(const std::map<std::string, Directory::Party, std::less<>>& parties)
      : parties_(parties) {}
  event::KeyLookup FindKey(std::string_view party, uint32_t key_id) const override {
    const auto p = parties_.find(party);
    if (p == parties_.end()) return {event::KeyState::kUnknownParty, {}};
    const auto k = p->second.keys.find(key_id);
    if (k == p->second.keys.end()) return {event::KeyState::kUnknownKey, {}};
    return {k->second.revoked ? event::KeyState::kRevoked : event::KeyState::kActive,
            k->second.pub};
  }

 private:
  const std::map<std::string, Directory::Party, std::less<>>& parties_;
};

}  // namespace

bool IsKnownEventType(std::string_view type) {
  return std::find(kEventTypes.begin(), kEventTypes.end(), type) != kEventTypes.end();
}

bool IsKnownRole(std::string_view role) {
  return std::find(kRoles.begin(), kRoles.end(), role) != kRoles.end();
}

event::KeyLookup Directory::FindKey(std::string_view party, uint32_t key_id) const {
  std::shared_lock lock(mu_);
  if (policy_.detector_key.has_value() && party == policy_.detector_key->name) {
    if (key_id != policy_.detector_key->id) return {event::KeyState::kUnknownKey, {}};
    return {event::KeyState::kActive, policy_.detector_key->key};
  }
  return MapRegistry(parties_).FindKey(party, key_id);
}

std::optional<Directory::Party> Directory::FindParty(std::string_view party) const {
  std::shared_lock lock(mu_);
  const auto it = parties_.find(party);
  if (it == parties_.end()) return std::nullopt;
  return it->second;
}

size_t Directory::party_count() const {
  std::shared_lock lock(mu_);
  return parties_.size();
}

Status Directory::Authenticate(const event::Submission& sub,
                               std::span<const std::optional<crypto::PublicKey>> preverified,
                               const ledger::ApplyContext& ctx) const {
  const event::Envelope& env = sub.envelope;
  if (!IsKnownEventType(env.type)) {
    return Bad("/type", fmt::format("unknown event type \"{}\"", env.type));
  }
  if (env.type == "mechanism.genesis") {
    {
      std::shared_lock lock(mu_);
      if (has_genesis_ || ctx.seq != 0) {
        return Status(ErrorCode::kBadState, "mechanism.genesis must be the first event of the log",
                      "/type");
      }
    }
    // Founders' keys come from the genesis body itself; every founder signs.
    ASSIGN_OR_RETURN(const Genesis genesis, ParseGenesis(env));
    const auto& founders = genesis.founders;
    if (!founders.contains(env.actor)) {
      return Status(ErrorCode::kUnknownParty, "the genesis actor must be a founding party",
                    "/actor");
    }
    RETURN_IF_ERROR(event::VerifySignatures(env, MapRegistry(founders)));
    std::set<std::string_view> signed_by;
    for (const auto& s : env.sigs) signed_by.insert(s.signer);
    std::vector<std::string> missing;
    for (const auto& [id, p] : founders) {
      if (!signed_by.contains(id)) missing.push_back(id);
    }
    if (!missing.empty()) {
      return Status(ErrorCode::kQuorumNotMet,
                    fmt::format("genesis must be signed by every founder; missing: {}",
                                fmt::join(missing, ", ")),
                    "/sigs");
    }
    return Status::Ok();
  }
  {
    std::shared_lock lock(mu_);
    if (!has_genesis_) {
      return Status(ErrorCode::kUnknownParty,
                    fmt::format("no admitted party \"{}\": the log has no genesis yet, and the "
                                "first event must be mechanism.genesis",
                                env.actor),
                    "/actor");
    }
    const bool detector =
        policy_.detector_key.has_value() && env.actor == policy_.detector_key->name;
    const auto actor = parties_.find(env.actor);
    if (actor == parties_.end() && !detector) {
      return Status(ErrorCode::kUnknownParty, fmt::format("no admitted party \"{}\"", env.actor),
                    "/actor");
    }
    for (size_t i = 0; i < env.sigs.size(); ++i) {
      const auto p = parties_.find(env.sigs[i].signer);
      // A suspended party may file, alone, an appeal (of the decision that suspended it:
      // the enforcement book checks which).
      if (i == 0 && env.type == "appeal.file" && env.sigs.size() == 1) continue;
      if (p != parties_.end() && p->second.suspended) {
        return Status(ErrorCode::kPartySuspended,
                      fmt::format("party \"{}\" is suspended", env.sigs[i].signer),
                      i == 0 ? "/actor" : fmt::format("/sigs/{}/signer", i));
      }
    }
    const RolesOf roles_of = [&](std::string_view party) -> const std::vector<std::string>* {
      const auto p = parties_.find(party);
      return p == parties_.end() ? nullptr : &p->second.roles;
    };
    RETURN_IF_ERROR(CheckPermission(env, policy_, roles_of,
                                    policy_.detector_key.has_value()
                                        ? std::string_view(policy_.detector_key->name)
                                        : std::string_view()));
  }
  return event::VerifySignatures(env, *this, preverified);
}

Result<Directory::Genesis> Directory::ParseGenesis(const event::Envelope& env) {
  const json::Value& body = env.body();
  RETURN_IF_ERROR(BodyId(body, "mechanism").status());
  RETURN_IF_ERROR(BodyString(body, "name").status());
  const auto policy = body.find("policy");
  if (policy == body.end() || !policy->is_object()) {
    return Bad("/body/policy", "body.policy must be an object");
  }
  const auto parties = body.find("parties");
  if (parties == body.end() || !parties->is_array() || parties->empty()) {
    return Bad("/body/parties", "body.parties must list the founding parties");
  }
  std::map<std::string, Party, std::less<>> founders;
  for (size_t i = 0; i < parties->size(); ++i) {
    const json::Value& p = (*parties)[i];
    const std::string path = fmt::format("/body/parties/{}", i);
    if (!p.is_object()) return Bad(path, "a founding party must be an object");
    ASSIGN_OR_RETURN(const std::string id, BodyId(p, "party", path));
    Party party;
    ASSIGN_OR_RETURN(party.name, BodyString(p, "name", path));
    const auto roles = p.find("roles");
    if (roles == p.end()) return Bad(path + "/roles", "missing roles");
    RETURN_IF_ERROR(ParseRoles(*roles, path + "/roles", party.roles));
    const auto keys = p.find("keys");
    if (keys == p.end()) return Bad(path + "/keys", "missing keys");
    RETURN_IF_ERROR(ParseKeys(*keys, id, path + "/keys", party.keys));
    if (!founders.emplace(id, std::move(party)).second) {
      return Bad(path + "/party", fmt::format("founder \"{}\" is listed twice", id));
    }
  }
  auto parsed = ParsePolicy(*policy);
  if (!parsed.ok()) return parsed.status().WithPathPrefix("/body/policy");
  // The governors named by the policy are founders holding the governor role.
  for (const auto& g : parsed->governance.of) {
    const auto f = founders.find(g);
    if (f == founders.end() || std::find(f->second.roles.begin(), f->second.roles.end(),
                                         "governor") == f->second.roles.end()) {
      return Bad("/body/policy/governance/of",
                 fmt::format("\"{}\" is not a founder with the governor role", g));
    }
  }
  return Genesis{std::move(founders), std::move(parsed).value()};
}

Result<Policy> Directory::ParsePolicySet(const event::Envelope& env) const {
  const auto policy = env.body().find("policy");
  if (policy == env.body().end()) {
    return Bad("/body/policy", "body.policy must be the whole new policy");
  }
  auto parsed = ParsePolicy(*policy);
  if (!parsed.ok()) return parsed.status().WithPathPrefix("/body/policy");
  std::shared_lock lock(mu_);
  for (const auto& g : parsed->governance.of) {
    const auto p = parties_.find(g);
    if (p == parties_.end()) {
      return Status(ErrorCode::kUnknownRef, fmt::format("no admitted party \"{}\"", g),
                    "/body/policy/governance/of");
    }
    if (std::find(p->second.roles.begin(), p->second.roles.end(), "governor") ==
        p->second.roles.end()) {
      return Status(ErrorCode::kBadState, fmt::format("\"{}\" does not hold the governor role", g),
                    "/body/policy/governance/of");
    }
  }
  return parsed;
}

Policy Directory::policy() const {
  std::shared_lock lock(mu_);
  return policy_;
}

EventContext Directory::Context(const event::Envelope& env, const ledger::ApplyContext& ctx) {
  return EventContext{
      env,
      env.body(),
      ctx.seq,
      ctx.logged,
      policy_,
      [this](std::string_view party) {
        std::shared_lock lock(mu_);
        const auto p = parties_.find(party);
        if (p == parties_.end()) return PartyView{};
        return PartyView{true, p->second.suspended, &p->second.roles};
      },
      [this, &env](std::string_view party, bool suspended) {
        std::unique_lock lock(mu_);
        const auto p = parties_.find(party);
        if (p == parties_.end()) return;
        p->second.suspended = suspended;
        p->second.suspended_by = suspended ? body::EventId(env) : std::string();
      },
      &materials_,
      &enforcement_,
      [this](std::string_view event_id) { return FindDecision(event_id); },
      [this](std::string_view event_id, const EventContext& c) { return Overturn(event_id, c); }};
}

std::optional<Decision> Directory::FindDecision(std::string_view event_id) const {
  if (auto d = materials_.FindDecision(event_id)) return d;
  const auto it = suspensions_.find(event_id);
  if (it == suspensions_.end()) return std::nullopt;
  std::shared_lock lock(mu_);
  const Party& p = parties_.find(it->second)->second;
  Decision d{"party.suspend", it->second, p.suspended && p.suspended_by == it->first, ""};
  if (!d.stands) {
    d.why = p.suspended ? fmt::format("\"{}\" is suspended by a later decision", it->second)
                        : fmt::format("\"{}\" has been reinstated", it->second);
  }
  return d;
}

Status Directory::Overturn(std::string_view event_id, const EventContext& ctx) {
  if (materials_.FindDecision(event_id).has_value()) return materials_.Overturn(event_id, ctx);
  const auto d = FindDecision(event_id);
  if (!d.has_value() || !d->stands) {
    return Status(
        ErrorCode::kBadState,
        fmt::format("the decision appealed no longer stands{}", d.has_value() ? ": " + d->why : ""),
        "/body/appeal");
  }
  std::unique_lock lock(mu_);
  Party& p = parties_.find(d->affected)->second;
  p.suspended = false;
  p.suspended_by.clear();
  return Status::Ok();
}

Status Directory::Apply(const event::Submission& sub, const ledger::ApplyContext& ctx) {
  const event::Envelope& env = sub.envelope;
  if (env.type == "mechanism.genesis") {
    ASSIGN_OR_RETURN(Genesis genesis, ParseGenesis(env));
    std::unique_lock lock(mu_);
    parties_ = std::move(genesis.founders);
    policy_ = std::move(genesis.policy);
    has_genesis_ = true;
    return Status::Ok();
  }
  if (env.type == "policy.set") {
    ASSIGN_OR_RETURN(Policy p, ParsePolicySet(env));
    std::unique_lock lock(mu_);
    policy_ = std::move(p);
    return Status::Ok();
  }
  return ApplyOther(env, ctx);
}

Status Directory::ApplyOther(const event::Envelope& env, const ledger::ApplyContext& ctx) {
  const EventContext context = Context(env, ctx);
  if (auto verdict = materials_.Apply(context)) return *verdict;
  if (auto verdict = enforcement_.Apply(context)) return *verdict;
  if (auto verdict = funds_.Apply(context)) return *verdict;
  const json::Value& body = env.body();
  if (env.type == "party.admit") {
    ASSIGN_OR_RETURN(std::string id, BodyId(body, "party"));
    Party party;
    ASSIGN_OR_RETURN(party.name, BodyString(body, "name"));
    const auto roles = body.find("roles");
    if (roles == body.end()) return Bad("/body/roles", "missing roles");
    RETURN_IF_ERROR(ParseRoles(*roles, "/body/roles", party.roles));
    const auto keys = body.find("keys");
    if (keys == body.end()) return Bad("/body/keys", "missing keys");
    RETURN_IF_ERROR(ParseKeys(*keys, id, "/body/keys", party.keys));
    std::unique_lock lock(mu_);
    if (parties_.contains(id)) {
      return Status(ErrorCode::kBadState, fmt::format("party \"{}\" is already admitted", id),
                    "/body/party");
    }
    if (materials_.projects().contains(id) || materials_.beneficiaries().contains(id) ||
        (policy_.detector_key.has_value() && policy_.detector_key->name == id)) {
      return Status(ErrorCode::kBadState,
                    fmt::format("id \"{}\" is already used by a project, a beneficiary or the "
                                "detector",
                                id),
                    "/body/party");
    }
    if (enforcement_.Blocked(id, policy_)) return BlockedError(id, "/body/party", "party");
    party.seq = ctx.seq;
    parties_.emplace(std::move(id), std::move(party));
  } else if (env.type == "key.add" || env.type == "key.revoke" || env.type == "party.suspend" ||
             env.type == "party.reinstate") {
    ASSIGN_OR_RETURN(std::string id, BodyId(body, "party"));
    std::unique_lock lock(mu_);
    const auto p = parties_.find(id);
    if (p == parties_.end()) {
      return Status(ErrorCode::kUnknownRef, fmt::format("no party \"{}\"", id), "/body/party");
    }
    Party& party = p->second;
    if (env.type == "key.add") {
      std::map<uint32_t, Key> added;
      const auto key = body.find("key");
      if (key == body.end() || !key->is_string()) {
        return Bad("/body/key", "body.key must be a verifier key");
      }
      RETURN_IF_ERROR(ParseKeys(json::Value::array({*key}), id, "/body/key", added));
      const auto& [kid, k] = *added.begin();
      if (party.keys.contains(kid)) {
        return Status(ErrorCode::kBadState, "the party already has a key with this id",
                      "/body/key");
      }
      if (party.keys.size() >= kMaxKeysPerParty) {
        return Status(ErrorCode::kLimit,
                      fmt::format("party \"{}\" holds {} keys (revoked ones included); at most {}",
                                  id, party.keys.size(), kMaxKeysPerParty),
                      "/body/key");
      }
      party.keys.emplace(kid, k);
    } else if (env.type == "key.revoke") {
      const auto kid = body.find("key_id");
      auto bytes = kid != body.end() && kid->is_string()
                       ? HexDecode(kid->get<std::string>())
                       : Result<Bytes>(Status(ErrorCode::kInvalidArgument, ""));
      if (!bytes.ok() || bytes->size() != 4) {
        return Bad("/body/key_id", "key_id must be 8 hex digits");
      }
      const uint32_t id32 = (uint32_t{(*bytes)[0]} << 24) | (uint32_t{(*bytes)[1]} << 16) |
                            (uint32_t{(*bytes)[2]} << 8) | uint32_t{(*bytes)[3]};
      const auto k = party.keys.find(id32);
      if (k == party.keys.end()) {
        return Status(ErrorCode::kUnknownKey, "the party has no such key", "/body/key_id");
      }
      if (k->second.revoked) {
        return Status(ErrorCode::kBadState, "the key is already revoked", "/body/key_id");
      }
      const size_t active = static_cast<size_t>(std::count_if(
          party.keys.begin(), party.keys.end(), [](const auto& e) { return !e.second.revoked; }));
      if (env.actor == id && active == 1) {
        return Status(ErrorCode::kBadState,
                      "a party may not revoke its own last active key (the governors may)",
                      "/body/key_id");
      }
      k->second.revoked = true;
    } else {
      const bool suspend = env.type == "party.suspend";
      if (party.suspended == suspend) {
        return Status(
            ErrorCode::kBadState,
            fmt::format("party \"{}\" is {}", id, suspend ? "already suspended" : "not suspended"),
            "/body/party");
      }
      party.suspended = suspend;
      if (suspend) {
        party.suspended_by = body::EventId(env);
        suspensions_.emplace(party.suspended_by, id);
      } else {
        party.suspended_by.clear();
      }
    }
  }
  return Status::Ok();
}

// The state as canonical JSON: {"genesis", "policy", "parties": {id: {"name", "roles",
// "suspended", "keys": {key id hex: {"key": hex, "revoked"}}}}}.
std::string Directory::Snapshot() const {
  std::shared_lock lock(mu_);
  json::Value state = json::Value::object();
  state["genesis"] = has_genesis_;
  state["policy"] = has_genesis_ ? PolicyToJson(policy_) : json::Value(nullptr);
  json::Value parties = json::Value::object();
  for (const auto& [id, p] : parties_) {
    json::Value keys = json::Value::object();
    for (const auto& [kid, k] : p.keys) {
      keys[crypto::KeyIdHex(kid)] = {{"key", HexEncode(k.pub)}, {"revoked", k.revoked}};
    }
    parties[id] = {{"name", p.name},
                   {"roles", p.roles},
                   {"suspended", p.suspended},
                   {"suspended_by", p.suspended_by},
                   {"seq", p.seq},
                   {"keys", keys}};
  }
  state["parties"] = std::move(parties);
  state["suspensions"] = suspensions_;
  state["materials"] = materials_.Snapshot();
  state["enforcement"] = enforcement_.Snapshot();
  state["funds"] = funds_.Snapshot();
  std::string canon;
  json::AppendCanonical(state, canon);
  return canon;
}

crypto::Hash Directory::Digest() const { return crypto::Sha256(Snapshot()); }

Status Directory::Restore(std::string_view snapshot) {
  auto corrupt = [](std::string why) {
    return Status(ErrorCode::kCorrupt, "state snapshot: " + std::move(why));
  };
  json::ParseOptions opts;
  opts.max_bytes = snapshot.size() + 1;
  auto doc = json::Parse(snapshot, opts);
  if (!doc.ok()) return corrupt(doc.status().ToString());
  const json::Value& s = *doc;
  if (!s.is_object() || !s.contains("genesis") || !s["genesis"].is_boolean() ||
      !s.contains("parties") || !s["parties"].is_object() || !s.contains("policy")) {
    return corrupt("not a directory snapshot");
  }
  Policy policy;
  if (s["genesis"].get<bool>()) {
    auto p = ParsePolicy(s["policy"]);
    if (!p.ok()) return corrupt(p.status().ToString());
    policy = std::move(*p);
  }
  std::map<std::string, Party, std::less<>> parties;
  for (const auto& [id, p] : s["parties"].items()) {
    if (!p.is_object() || !p.contains("name") || !p["name"].is_string() || !p.contains("roles") ||
        !p["roles"].is_array() || !p.contains("suspended") || !p["suspended"].is_boolean() ||
        !p.contains("keys") || !p["keys"].is_object()) {
      return corrupt("malformed party " + id);
    }
    Party party;
    party.name = p["name"].get<std::string>();
    for (const auto& r : p["roles"]) {
      if (!r.is_string()) return corrupt("malformed roles of " + id);
      party.roles.push_back(r.get<std::string>());
    }
    party.suspended = p["suspended"].get<bool>();
    if (p.contains("seq")) {
      if (!p["seq"].is_number_unsigned()) return corrupt("malformed seq of " + id);
      party.seq = p["seq"].get<uint64_t>();
    }
    if (p.contains("suspended_by")) {
      if (!p["suspended_by"].is_string()) return corrupt("malformed suspension of " + id);
      party.suspended_by = p["suspended_by"].get<std::string>();
    }
    for (const auto& [kid, k] : p["keys"].items()) {
      auto id_bytes = HexDecode(kid);
      if (!id_bytes.ok() || id_bytes->size() != 4 || !k.is_object() || !k.contains("key") ||
          !k["key"].is_string() || !k.contains("revoked") || !k["revoked"].is_boolean()) {
        return corrupt("malformed key of " + id);
      }
      auto pub = HexDecode(k["key"].get<std::string>());
      if (!pub.ok() || pub->size() != 32) return corrupt("malformed key of " + id);
      Key key;
      std::copy(pub->begin(), pub->end(), key.pub.begin());
      key.revoked = k["revoked"].get<bool>();
      const uint32_t id32 = (uint32_t{(*id_bytes)[0]} << 24) | (uint32_t{(*id_bytes)[1]} << 16) |
                            (uint32_t{(*id_bytes)[2]} << 8) | uint32_t{(*id_bytes)[3]};
      party.keys.emplace(id32, key);
    }
    parties.emplace(id, std::move(party));
  }
  for (const char* book : {"materials", "enforcement"}) {
    if (!s.contains(book)) return corrupt(std::string("no ") + book + " book");
  }
  std::map<std::string, std::string, std::less<>> suspensions;
  if (s.contains("suspensions")) {
    if (!s["suspensions"].is_object()) return corrupt("malformed suspensions");
    for (const auto& [ev, party] : s["suspensions"].items()) {
      if (!party.is_string() || !parties.contains(party.get<std::string>())) {
        return corrupt("suspension of an unknown party");
      }
      suspensions.emplace(ev, party.get<std::string>());
    }
  }
  MaterialsBook materials;
  RETURN_IF_ERROR(materials.Restore(s["materials"]));
  EnforcementBook enforcement;
  RETURN_IF_ERROR(enforcement.Restore(s["enforcement"]));
  FundsBook funds;
  RETURN_IF_ERROR(funds.Restore(s.contains("funds") ? s["funds"] : json::Value::object()));
  std::unique_lock lock(mu_);
  materials_ = std::move(materials);
  enforcement_ = std::move(enforcement);
  funds_ = std::move(funds);
  has_genesis_ = s["genesis"].get<bool>();
  policy_ = std::move(policy);
  parties_ = std::move(parties);
  suspensions_ = std::move(suspensions);
  return Status::Ok();
}

}  // namespace aidtrace::mechanism
