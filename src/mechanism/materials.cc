#include "mechanism/materials.h"

#include <algorithm>
#include <initializer_list>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/checked.h"
#include "base/ids.h"
#include "base/time.h"
#include "mechanism/body.h"

namespace aidtrace::mechanism {
namespace {

using Quantities = MaterialsBook::Quantities;

using body::Add;
using body::At;
using body::Bad;
using body::Err;
using body::Get;
using body::GetOpt;
using body::Hash;
using body::Id;
using body::Int;
using body::Member;
using body::Money;
using body::MoneyOf;
using body::Name;
using body::OnlyMembers;
using body::Quantity;
using body::Text;

Result<std::string> Digits(const json::Value& v, const std::string& path, size_t min, size_t max) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s.size() >= min && s.size() <= max &&
        std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return s;
    }
  }
  return Bad(path, min == max ? fmt::format("must be {} digits", min)
                              : fmt::format("must be {}..{} digits", min, max));
}

Result<std::string> OneOf(const json::Value& v, const std::string& path,
                          std::initializer_list<std::string_view> options) {
  if (v.is_string() &&
      std::find(options.begin(), options.end(), v.get<std::string>()) != options.end()) {
    return v.get<std::string>();
  }
  return Bad(path, fmt::format("must be one of {}", fmt::join(options, ", ")));
}

Result<MaterialsBook::Location> LocationOf(const json::Value& v, const std::string& path) {
  RETURN_IF_ERROR(OnlyMembers(v, path, {"lat_e6", "lon_e6"}));
  ASSIGN_OR_RETURN(const json::Value* lat, Member(v, path, "lat_e6"));
  ASSIGN_OR_RETURN(const json::Value* lon, Member(v, path, "lon_e6"));
  MaterialsBook::Location l;
  ASSIGN_OR_RETURN(l.lat_e6, Int(*lat, At(path, "lat_e6"), -90000000, 90000000));
  ASSIGN_OR_RETURN(l.lon_e6, Int(*lon, At(path, "lon_e6"), -180000000, 180000000));
  return l;
}

struct Line {
  std::string item;
  int64_t quantity = 0;
  std::string for_;  // consignment lines only
  std::string path;  // the line's pointer
};
struct LineRules {
  size_t min = 1;
  size_t max = 256;
  bool zero_ok = false;
  bool with_for = false;
};
Result<std::vector<Line>> LinesOf(const json::Value& v, const std::string& path,
                                  LineRules rules = {}) {
  if (!v.is_array()) return Bad(path, "must be an array of lines");
  if (v.size() > rules.max) {
    return Status(ErrorCode::kLimit, fmt::format("at most {} lines", rules.max), path);
  }
  if (v.size() < rules.min) return Bad(path, fmt::format("at least {} line", rules.min));
  std::vector<Line> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    Line l;
    l.path = fmt::format("{}/{}", path, i);
    const json::Value& e = v[i];
    if (rules.with_for) {
      RETURN_IF_ERROR(OnlyMembers(e, l.path, {"item", "quantity", "for"}));
    } else {
      RETURN_IF_ERROR(OnlyMembers(e, l.path, {"item", "quantity"}));
    }
    ASSIGN_OR_RETURN(const json::Value* item, Member(e, l.path, "item"));
    ASSIGN_OR_RETURN(l.item, Id(*item, At(l.path, "item")));
    ASSIGN_OR_RETURN(const json::Value* q, Member(e, l.path, "quantity"));
    ASSIGN_OR_RETURN(l.quantity, Quantity(*q, At(l.path, "quantity"), rules.zero_ok));
    if (rules.with_for) {
      ASSIGN_OR_RETURN(const json::Value* f, Member(e, l.path, "for"));
      ASSIGN_OR_RETURN(l.for_, Id(*f, At(l.path, "for")));
    }
    if (!seen.emplace(l.item, l.for_).second) {
      return Bad(l.path, rules.with_for
                             ? fmt::format("item \"{}\" for \"{}\" is listed twice", l.item, l.for_)
                             : fmt::format("item \"{}\" is listed twice", l.item));
    }
    out.push_back(std::move(l));
  }
  return out;
}

int64_t Of(const Quantities& q, std::string_view item) {
  const auto it = q.find(item);
  return it == q.end() ? 0 : it->second;
}

std::string Deadline(const EventContext& ctx) { return body::Deadline(ctx.logged, ctx.policy); }
using body::EventId;

std::string ActorPath(const event::Envelope& env, std::string_view signer) {
  for (size_t i = 0; i < env.sigs.size(); ++i) {
    if (env.sigs[i].signer == signer) return i == 0 ? "/actor" : fmt::format("/sigs/{}/signer", i);
  }
  return "/sigs";
}

// ---- Snapshot helpers ----

json::Value QJson(const Quantities& q) {
  json::Value o = json::Value::object();
  for (const auto& [k, v] : q) o[k] = v;
  return o;
}
json::Value LocJson(const MaterialsBook::Location& l) {
  return {{"lat_e6", l.lat_e6}, {"lon_e6", l.lon_e6}};
}
template <typename S>
json::Value SetJson(const S& s) {
  json::Value a = json::Value::array();
  for (const auto& x : s) a.push_back(x);
  return a;
}

json::Value RoundJson(const std::optional<MaterialsBook::Round>& round) {
  if (!round.has_value()) return json::Value(nullptr);
  const MaterialsBook::Round& r = *round;
  return {{"kind", r.kind},
          {"boq_add", QJson(r.boq_add)},
          {"budget_add", r.budget_add},
          {"approvals", SetJson(r.approvals)},
          {"rejections", SetJson(r.rejections)},
          {"opened", r.opened},
          {"deadline", r.deadline}};
}

// Restore reads with exceptions caught at the top (a malformed snapshot is corrupt).
Quantities QFrom(const json::Value& v) {
  Quantities q;
  for (const auto& [k, n] : v.items()) q.emplace(k, n.get<int64_t>());
  return q;
}
MaterialsBook::Location LocFrom(const json::Value& v) {
  return {v.at("lat_e6").get<int64_t>(), v.at("lon_e6").get<int64_t>()};
}
std::set<std::string, std::less<>> SetFrom(const json::Value& v) {
  std::set<std::string, std::less<>> s;
  for (const auto& x : v) s.insert(x.get<std::string>());
  return s;
}
std::optional<MaterialsBook::Round> RoundFrom(const json::Value& r) {
  if (r.is_null()) return std::nullopt;
  MaterialsBook::Round round;
  round.kind = r.at("kind").get<std::string>();
  round.boq_add = QFrom(r.at("boq_add"));
  round.budget_add = r.at("budget_add").get<int64_t>();
  round.approvals = SetFrom(r.at("approvals"));
  round.rejections = SetFrom(r.at("rejections"));
  round.opened = r.at("opened").get<std::string>();
  round.deadline = r.at("deadline").get<std::string>();
  return round;
}

}  // namespace

// ---- appealable decisions ----

std::optional<Decision> MaterialsBook::FindDecision(std::string_view event_id) const {
  const auto it = decisions_.find(event_id);
  if (it == decisions_.end()) return std::nullopt;
  const DecisionRecord& d = it->second;
  Decision out{d.type, "", false, ""};
  if (d.type == "consignment.approve") {
    const Consignment& c = consignments_.find(d.target)->second;
    out.affected = c.vendor;
    out.stands = !d.lines.empty() && std::all_of(d.lines.begin(), d.lines.end(), [&](size_t i) {
      return c.lines[i].status == "refused";
    });
    if (!out.stands) {
      out.why = d.lines.empty()
                    ? fmt::format("it refused no line of \"{}\"", d.target)
                    : fmt::format("its refused lines of \"{}\" were requested again", d.target);
    }
    return out;
  }
  const Project& p = projects_.find(d.target)->second;
  out.affected = p.implementer;
  if (d.type == "project.suspend") {
    out.stands = p.status == "suspended" && p.suspended_by == it->first;
    if (!out.stands) out.why = fmt::format("project \"{}\" is {} now", d.target, p.status);
    return out;
  }
  // project.reject: the round it decided failed and nothing has happened since.
  out.stands = p.failed_round.has_value() && p.failed_round->opened == d.round_opened &&
               !p.round.has_value() && p.status != "closed";
  if (!out.stands) {
    out.why = p.failed_round.has_value() || p.round.has_value() || p.status == "closed"
                  ? fmt::format(
                        "the approval round of \"{}\" it decided is no longer the last "
                        "one rejected",
                        d.target)
                  : fmt::format("the approval round of \"{}\" it took part in was not rejected",
                                d.target);
  }
  return out;
}

Status MaterialsBook::Overturn(std::string_view event_id, const EventContext& ctx) {
  const auto d = FindDecision(event_id);
  if (!d.has_value() || !d->stands) {
    return Err(ErrorCode::kBadState, "/body/appeal",
               fmt::format("the decision appealed no longer stands{}",
                           d.has_value() ? ": " + d->why : ""));
  }
  const DecisionRecord& rec = decisions_.find(event_id)->second;
  if (rec.type == "project.suspend") {
    Project& p = projects_.find(rec.target)->second;
    p.status = "approved";
    p.suspended_by.clear();
    return Status::Ok();
  }
  if (rec.type == "project.reject") {
    Project& p = projects_.find(rec.target)->second;
    Round r = *p.failed_round;
    r.approvals.clear();
    r.rejections.clear();
    r.opened = std::string(ctx.logged);
    r.deadline = Deadline(ctx);
    if (r.kind == "proposal") p.status = "proposed";
    p.round = std::move(r);
    p.failed_round.reset();
    return Status::Ok();
  }
  // consignment.approve: the refused lines are requested again, within the allowance.
  Consignment& c = consignments_.find(rec.target)->second;
  Quantities pool_add;
  std::map<std::string, Quantities, std::less<>> project_add;
  for (size_t i : rec.lines) {
    const ConsignmentLine& cl = c.lines[i];
    const std::string path = "/body/appeal";
    if (cl.for_ == "households") {
      const int64_t pool = Of(households_pool_, cl.item) + Of(pool_add, cl.item);
      const int64_t open = UnreleasedEntitlement(cl.item);
      if (cl.requested > open - pool) {
        return Err(ErrorCode::kExceedsAllocation, path,
                   fmt::format("the refused {} of \"{}\" for households no longer fit the "
                               "registered entitlements not yet released ({} of {} held)",
                               cl.requested, cl.item, pool, open));
      }
      pool_add[cl.item] += cl.requested;
    } else {
      const Project& p = projects_.find(cl.for_)->second;
      if (p.status != "approved") {
        return Err(ErrorCode::kBadState, path,
                   fmt::format("project \"{}\" is {}, not active", cl.for_, p.status));
      }
      const int64_t held = Of(p.allocated, cl.item) + Of(project_add[cl.for_], cl.item);
      if (cl.requested > Of(p.boq, cl.item) - held) {
        return Err(ErrorCode::kExceedsAllocation, path,
                   fmt::format("the refused {} of \"{}\" for \"{}\" no longer fit its bill of "
                               "quantities ({} held of {})",
                               cl.requested, cl.item, cl.for_, held, Of(p.boq, cl.item)));
      }
      project_add[cl.for_][cl.item] += cl.requested;
    }
  }
  for (const auto& [item, q] : pool_add) households_pool_[item] += q;
  for (const auto& [project, add] : project_add) {
    Project& p = projects_.find(project)->second;
    for (const auto& [item, q] : add) p.allocated[item] += q;
  }
  for (size_t i : rec.lines) {
    c.lines[i].status = "requested";
    c.lines[i].approved = 0;
  }
  c.deadline = Deadline(ctx);
  return Status::Ok();
}

std::optional<Status> MaterialsBook::Apply(const EventContext& ctx) {
  const std::string& t = ctx.env.type;
  if (t == "item.define") return ItemDefine(ctx);
  if (t == "warehouse.register") return WarehouseRegister(ctx);
  if (t == "project.propose") return ProjectPropose(ctx);
  if (t == "project.approve") return ProjectDecide(ctx, true);
  if (t == "project.reject") return ProjectDecide(ctx, false);
  if (t == "project.amend") return ProjectAmend(ctx);
  if (t == "project.suspend" || t == "project.resume" || t == "project.complete" ||
      t == "project.close") {
    return ProjectStatus(ctx);
  }
  if (t == "beneficiary.register") return BeneficiaryRegister(ctx);
  if (t == "consignment.request") return ConsignmentRequest(ctx);
  if (t == "consignment.approve") return ConsignmentApprove(ctx);
  if (t == "consignment.enter") return ConsignmentEnter(ctx);
  if (t == "stock.transfer") return StockTransfer(ctx);
  if (t == "material.release") return MaterialRelease(ctx);
  if (t == "material.verify") return MaterialVerify(ctx);
  if (t == "stock.count") return StockCount(ctx);
  return std::nullopt;
}

int64_t MaterialsBook::Book(std::string_view warehouse, std::string_view item) const {
  const auto w = stock_.find(warehouse);
  if (w == stock_.end()) return 0;
  const auto i = w->second.find(item);
  return i == w->second.end() ? 0 : i->second.book;
}

int64_t MaterialsBook::UnreleasedEntitlement(std::string_view item) const {
  return Of(unreleased_, item);
}

void MaterialsBook::RecomputeUnreleased() {
  unreleased_.clear();
  for (const auto& [id, b] : beneficiaries_) {
    for (const auto& [item, q] : b.entitlement) {
      const int64_t left = q - Of(b.released, item);
      if (left > 0) unreleased_[item] += left;  // bounded at registration
    }
  }
}

// ---- item.define, warehouse.register ----

Status MaterialsBook::ItemDefine(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"item", "name", "unit", "hs", "controlled"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "item", Id));
  Item item;
  ASSIGN_OR_RETURN(item.name, Get(b, "name", Name));
  ASSIGN_OR_RETURN(item.unit, Get(b, "unit", [](const json::Value& v, const std::string& p) {
                     return OneOf(v, p, {"kg", "m", "m2", "m3", "l", "piece"});
                   }));
  ASSIGN_OR_RETURN(item.hs, Get(b, "hs", [](const json::Value& v, const std::string& p) {
                     return Digits(v, p, 6, 10);
                   }));
  ASSIGN_OR_RETURN(const json::Value* c, Member(b, "/body", "controlled"));
  if (!c->is_boolean()) return Bad("/body/controlled", "must be a boolean");
  item.controlled = c->get<bool>();
  if (items_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/item",
               fmt::format("item \"{}\" is already defined (items are never redefined)", id));
  }
  items_.emplace(id, std::move(item));
  return Status::Ok();
}

Status MaterialsBook::WarehouseRegister(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"warehouse", "vendor", "area", "location"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "warehouse", Id));
  Warehouse w;
  ASSIGN_OR_RETURN(w.vendor, Get(b, "vendor", Id));
  ASSIGN_OR_RETURN(w.area, Get(b, "area", Id));
  ASSIGN_OR_RETURN(w.location, Get(b, "location", LocationOf));
  const PartyView vendor = ctx.party(w.vendor);
  if (!vendor.admitted) {
    return Err(ErrorCode::kUnknownRef, "/body/vendor",
               fmt::format("no admitted party \"{}\"", w.vendor));
  }
  if (warehouses_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/warehouse",
               fmt::format("warehouse \"{}\" is already registered", id));
  }
  if (!vendor.Has("vendor")) {
    return Err(ErrorCode::kBadState, "/body/vendor",
               fmt::format("party \"{}\" does not hold the vendor role", w.vendor));
  }
  if (vendor.suspended) {
    return Err(ErrorCode::kPartySuspended, "/body/vendor",
               fmt::format("vendor \"{}\" is suspended", w.vendor));
  }
  if (SubjectBlocked(ctx, w.vendor)) return BlockedError(w.vendor, "/body/vendor", "vendor");
  warehouses_.emplace(id, std::move(w));
  return Status::Ok();
}

// ---- projects ----

Status MaterialsBook::ProjectPropose(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(
      b, "/body", {"project", "title", "category", "sector", "area", "location", "budget", "boq"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "project", Id));
  Project p;
  p.implementer = ctx.env.actor;
  ASSIGN_OR_RETURN(p.title, Get(b, "title", Name));
  ASSIGN_OR_RETURN(p.category, Get(b, "category", Id));
  ASSIGN_OR_RETURN(p.sector, Get(b, "sector", [](const json::Value& v, const std::string& path) {
                     return Digits(v, path, 5, 5);
                   }));
  ASSIGN_OR_RETURN(p.area, Get(b, "area", Id));
  ASSIGN_OR_RETURN(p.location, Get(b, "location", LocationOf));
  ASSIGN_OR_RETURN(const Money budget, Get(b, "budget", MoneyOf));
  ASSIGN_OR_RETURN(const std::vector<Line> boq,
                   Get(b, "boq", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path);
                   }));
  for (const Line& l : boq) {
    if (!items_.contains(l.item)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/item",
                 fmt::format("item \"{}\" is not defined", l.item));
    }
  }
  if (projects_.contains(id) || beneficiaries_.contains(id) || ctx.party(id).admitted) {
    return Err(ErrorCode::kBadState, "/body/project",
               fmt::format("id \"{}\" is already used by a party, project or beneficiary", id));
  }
  if (SubjectBlocked(ctx, p.implementer)) {
    return BlockedError(p.implementer, "/actor", "the implementer");
  }
  p.status = "proposed";
  p.currency = budget.currency;
  p.proposed_budget = budget.amount;
  for (const Line& l : boq) p.proposed_boq[l.item] = l.quantity;
  Round r;
  r.kind = "proposal";
  r.boq_add = p.proposed_boq;
  r.budget_add = budget.amount;
  r.opened = std::string(ctx.logged);
  r.deadline = Deadline(ctx);
  p.round = std::move(r);
  projects_.emplace(id, std::move(p));
  return Status::Ok();
}

Status MaterialsBook::ProjectDecide(const EventContext& ctx, bool approve) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"project", "reason"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "project", Id));
  if (approve) {
    ASSIGN_OR_RETURN(auto reason, GetOpt(b, "reason", Text));
    (void)reason;
  } else {
    RETURN_IF_ERROR(Get(b, "reason", Text).status());
  }
  const auto it = projects_.find(id);
  if (it == projects_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/project", fmt::format("no project \"{}\"", id));
  }
  Project& p = it->second;
  const Quorum& q = ctx.policy.ProjectApproval(p.category);
  const std::string& actor = ctx.env.actor;
  if (!q.Contains(actor)) {
    return Err(ErrorCode::kNotPermitted, "/actor",
               fmt::format("\"{}\" is not in the approval quorum of category \"{}\" ({})", actor,
                           p.category, fmt::join(q.of, ", ")));
  }
  if (!p.round.has_value()) {
    return Err(ErrorCode::kBadState, "/body/project",
               fmt::format("project \"{}\" has no open approval round (status {})", id, p.status));
  }
  Round& r = *p.round;
  const std::string r_opened = r.opened;
  if (r.approvals.contains(actor) || r.rejections.contains(actor)) {
    return Err(ErrorCode::kBadState, "/actor",
               fmt::format("\"{}\" has already decided in this round of \"{}\"", actor, id));
  }
  // Count the decisions of members of the current quorum entitled to decide.
  auto counts = [&](const std::string& who) {
    if (!q.Contains(who)) return false;
    const PartyView v = ctx.party(who);
    return v.admitted && !v.suspended && v.Has("authority");
  };
  Round next = r;
  (approve ? next.approvals : next.rejections).insert(actor);
  int64_t approvals = 0, rejections = 0;
  for (const auto& a : next.approvals) approvals += counts(a) ? 1 : 0;
  for (const auto& a : next.rejections) rejections += counts(a) ? 1 : 0;
  const bool approved = approvals >= q.k;
  const bool failed = !approved && static_cast<int64_t>(q.of.size()) - rejections < q.k;
  if (approved) {
    // Totals are checked when the round opens; recheck so nothing can wrap.
    Quantities boq = p.boq;
    for (const auto& [item, qty] : r.boq_add) {
      ASSIGN_OR_RETURN(
          boq[item], Add(Of(boq, item), qty, "/body/project", "the bill of quantities of " + item));
    }
    ASSIGN_OR_RETURN(const int64_t budget,
                     Add(p.budget, r.budget_add, "/body/project", "the budget"));
    p.boq = std::move(boq);
    p.budget = budget;
    if (r.kind == "proposal") p.status = "approved";
    p.round.reset();
    p.failed_round.reset();
  } else if (failed) {
    if (r.kind == "proposal") p.status = "rejected";
    p.failed_round = std::move(next);
    p.round.reset();
  } else {
    r = std::move(next);
  }
  if (!approve)
    decisions_.emplace(EventId(ctx.env), DecisionRecord{ctx.env.type, id, r_opened, {}});
  return Status::Ok();
}

Status MaterialsBook::ProjectAmend(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"project", "boq_add", "budget_add", "reason"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "project", Id));
  ASSIGN_OR_RETURN(const auto boq_add,
                   GetOpt(b, "boq_add", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path);
                   }));
  ASSIGN_OR_RETURN(const auto budget_add, GetOpt(b, "budget_add", MoneyOf));
  RETURN_IF_ERROR(GetOpt(b, "reason", Text).status());
  if (!boq_add.has_value() && !budget_add.has_value()) {
    return Bad("/body", "an amendment needs boq_add or budget_add");
  }
  const auto it = projects_.find(id);
  if (it == projects_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/project", fmt::format("no project \"{}\"", id));
  }
  if (boq_add.has_value()) {
    for (const Line& l : *boq_add) {
      if (!items_.contains(l.item)) {
        return Err(ErrorCode::kUnknownRef, l.path + "/item",
                   fmt::format("item \"{}\" is not defined", l.item));
      }
    }
  }
  Project& p = it->second;
  if (p.implementer != ctx.env.actor) {
    return Err(ErrorCode::kNotPermitted, "/actor",
               fmt::format("\"{}\" is not the implementer of \"{}\" ({})", ctx.env.actor, id,
                           p.implementer));
  }
  if (p.status != "approved") {
    return Err(ErrorCode::kBadState, "/body/project",
               fmt::format("project \"{}\" is {}, not approved", id, p.status));
  }
  if (p.round.has_value()) {
    return Err(ErrorCode::kBadState, "/body/project",
               fmt::format("project \"{}\" already has a pending amendment", id));
  }
  if (budget_add.has_value() && budget_add->currency != p.currency) {
    return Err(ErrorCode::kExceedsAllocation, "/body/budget_add/currency",
               fmt::format("the project's budget is in {}; there is no budget in {}", p.currency,
                           budget_add->currency));
  }
  Round r;
  r.kind = "amendment";
  if (boq_add.has_value()) {
    for (const Line& l : *boq_add) {
      RETURN_IF_ERROR(Add(Of(p.boq, l.item), l.quantity, l.path + "/quantity",
                          "the bill of quantities of " + l.item)
                          .status());
      r.boq_add[l.item] = l.quantity;
    }
  }
  if (budget_add.has_value()) {
    RETURN_IF_ERROR(
        Add(p.budget, budget_add->amount, "/body/budget_add/amount", "the budget").status());
    r.budget_add = budget_add->amount;
  }
  r.opened = std::string(ctx.logged);
  r.deadline = Deadline(ctx);
  p.round = std::move(r);
  return Status::Ok();
}

Status MaterialsBook::ProjectStatus(const EventContext& ctx) {
  const std::string& t = ctx.env.type;
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"project", "reason"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "project", Id));
  if (t == "project.suspend") {
    RETURN_IF_ERROR(Get(b, "reason", Text).status());
  } else {
    RETURN_IF_ERROR(GetOpt(b, "reason", Text).status());
  }
  const auto it = projects_.find(id);
  if (it == projects_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/project", fmt::format("no project \"{}\"", id));
  }
  Project& p = it->second;
  if (t == "project.complete" && p.implementer != ctx.env.actor) {
    return Err(ErrorCode::kNotPermitted, "/actor",
               fmt::format("\"{}\" is not the implementer of \"{}\" ({})", ctx.env.actor, id,
                           p.implementer));
  }
  std::string_view from, to;
  if (t == "project.suspend") {
    from = "approved", to = "suspended";
  } else if (t == "project.resume") {
    from = "suspended", to = "approved";
  } else if (t == "project.complete") {
    from = "approved", to = "completed";
  } else {
    to = "closed";
    if (p.status != "completed" && p.status != "rejected") {
      return Err(ErrorCode::kBadState, "/body/project",
                 fmt::format("project \"{}\" is {}, not completed or rejected", id, p.status));
    }
  }
  if (!from.empty() && p.status != from) {
    return Err(ErrorCode::kBadState, "/body/project",
               fmt::format("project \"{}\" is {}, not {}", id, p.status, from));
  }
  p.status = std::string(to);
  if (to == "completed" || to == "closed") p.round.reset();
  if (t == "project.suspend") {
    p.suspended_by = EventId(ctx.env);
    decisions_.emplace(p.suspended_by, DecisionRecord{t, id, "", {}});
  } else {
    p.suspended_by.clear();
  }
  return Status::Ok();
}

// ---- beneficiaries ----

Status MaterialsBook::BeneficiaryRegister(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(
      b, "/body", {"beneficiary", "area", "household_size", "damage", "entitlement", "pii"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "beneficiary", Id));
  Beneficiary ben;
  ASSIGN_OR_RETURN(ben.area, Get(b, "area", Id));
  ASSIGN_OR_RETURN(ben.household_size,
                   Get(b, "household_size", [](const json::Value& v, const std::string& p) {
                     return Int(v, p, 1, 100);
                   }));
  ASSIGN_OR_RETURN(ben.damage, Get(b, "damage", [](const json::Value& v, const std::string& p) {
                     return OneOf(v, p, {"minor", "major", "destroyed"});
                   }));
  ASSIGN_OR_RETURN(const std::vector<Line> ent,
                   Get(b, "entitlement", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path);
                   }));
  ASSIGN_OR_RETURN(ben.pii, Get(b, "pii", Hash));
  ben.seq = ctx.seq;
  for (const Line& l : ent) {
    if (!items_.contains(l.item)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/item",
                 fmt::format("item \"{}\" is not defined", l.item));
    }
  }
  if (projects_.contains(id) || beneficiaries_.contains(id) || ctx.party(id).admitted) {
    return Err(ErrorCode::kBadState, "/body/beneficiary",
               fmt::format("id \"{}\" is already used by a party, project or beneficiary", id));
  }
  if (SubjectBlocked(ctx, id)) return BlockedError(id, "/body/beneficiary", "beneficiary");
  for (const Line& l : ent) {
    RETURN_IF_ERROR(Add(Of(unreleased_, l.item), l.quantity, l.path + "/quantity",
                        "the open entitlements of " + l.item)
                        .status());
  }
  for (const Line& l : ent) {
    ben.entitlement[l.item] = l.quantity;
    unreleased_[l.item] += l.quantity;
  }
  beneficiaries_.emplace(id, std::move(ben));
  return Status::Ok();
}

// ---- consignments ----

Status MaterialsBook::ConsignmentRequest(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"consignment", "warehouse", "lines"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "consignment", Id));
  ASSIGN_OR_RETURN(const std::string wh, Get(b, "warehouse", Id));
  ASSIGN_OR_RETURN(const std::vector<Line> lines,
                   Get(b, "lines", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path, {.with_for = true});
                   }));
  const auto w = warehouses_.find(wh);
  if (w == warehouses_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/warehouse", fmt::format("no warehouse \"{}\"", wh));
  }
  for (const Line& l : lines) {
    if (!items_.contains(l.item)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/item",
                 fmt::format("item \"{}\" is not defined", l.item));
    }
    if (l.for_ != "households" && !projects_.contains(l.for_)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/for",
                 fmt::format("no project \"{}\" (nor \"households\")", l.for_));
    }
  }
  if (w->second.vendor != ctx.env.actor) {
    return Err(ErrorCode::kNotPermitted, "/body/warehouse",
               fmt::format("warehouse \"{}\" is vendor \"{}\"'s, not \"{}\"'s", wh,
                           w->second.vendor, ctx.env.actor));
  }
  if (consignments_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/consignment",
               fmt::format("consignment \"{}\" already exists", id));
  }
  if (SubjectBlocked(ctx, ctx.env.actor)) return BlockedError(ctx.env.actor, "/actor", "vendor");
  for (const Line& l : lines) {
    if (l.for_ == "households") continue;
    const Project& p = projects_.find(l.for_)->second;
    if (p.status != "approved") {
      return Err(ErrorCode::kBadState, l.path + "/for",
                 fmt::format("project \"{}\" is {}, not active (approved)", l.for_, p.status));
    }
  }
  for (const Line& l : lines) {
    if (l.for_ == "households") {
      const int64_t pool = Of(households_pool_, l.item);
      const int64_t open = UnreleasedEntitlement(l.item);
      if (l.quantity > open - pool) {
        return Err(ErrorCode::kExceedsAllocation, l.path + "/quantity",
                   fmt::format("{} of \"{}\" for households, with {} already in consignments, "
                               "exceeds the {} of registered entitlements not yet released",
                               l.quantity, l.item, pool, open));
      }
    } else {
      const Project& p = projects_.find(l.for_)->second;
      const int64_t held = Of(p.allocated, l.item);
      const int64_t boq = Of(p.boq, l.item);
      if (l.quantity > boq - held) {
        return Err(ErrorCode::kExceedsAllocation, l.path + "/quantity",
                   fmt::format("{} of \"{}\" for \"{}\", with {} already in consignments, "
                               "exceeds its approved bill of quantities ({})",
                               l.quantity, l.item, l.for_, held, boq));
      }
    }
  }
  Consignment c;
  c.vendor = ctx.env.actor;
  c.warehouse = wh;
  c.opened = std::string(ctx.logged);
  bool pending = false;
  for (const Line& l : lines) {
    ConsignmentLine cl{l.item, l.for_, l.quantity, "requested", 0};
    if (!items_.find(l.item)->second.controlled) {
      cl.status = "approved";
      cl.approved = l.quantity;
    } else {
      pending = true;
    }
    c.lines.push_back(std::move(cl));
    if (l.for_ == "households") {
      households_pool_[l.item] += l.quantity;
    } else {
      projects_.find(l.for_)->second.allocated[l.item] += l.quantity;
    }
  }
  if (pending) c.deadline = Deadline(ctx);
  consignments_.emplace(id, std::move(c));
  return Status::Ok();
}

Status MaterialsBook::ConsignmentApprove(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"consignment", "lines"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "consignment", Id));
  ASSIGN_OR_RETURN(const auto decided,
                   GetOpt(b, "lines", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path, {.min = 0, .with_for = true});
                   }));
  const auto it = consignments_.find(id);
  if (it == consignments_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/consignment",
               fmt::format("no consignment \"{}\"", id));
  }
  if (decided.has_value()) {
    for (const Line& l : *decided) {
      if (!items_.contains(l.item)) {
        return Err(ErrorCode::kUnknownRef, l.path + "/item",
                   fmt::format("item \"{}\" is not defined", l.item));
      }
    }
  }
  // consignment_approval: every signer an authority of the set; k of them.
  const Quorum& q = ctx.policy.consignment_approval;
  std::set<std::string> counted;
  for (const auto& s : ctx.env.sigs) {
    const PartyView v = ctx.party(s.signer);
    if (!q.Contains(s.signer) || !v.Has("authority")) {
      return Err(ErrorCode::kNotPermitted, ActorPath(ctx.env, s.signer),
                 fmt::format("\"{}\" is not an authority of consignment_approval ({})", s.signer,
                             fmt::join(q.of, ", ")));
    }
    if (v.admitted && !v.suspended) counted.insert(s.signer);
  }
  if (static_cast<int64_t>(counted.size()) < q.k) {
    return Err(ErrorCode::kQuorumNotMet, "/sigs",
               fmt::format("consignment.approve needs {} of {}; signed by {}", q.k,
                           fmt::join(q.of, ", "), counted.size()));
  }
  Consignment& c = it->second;
  std::vector<size_t> requested;
  for (size_t i = 0; i < c.lines.size(); ++i) {
    if (c.lines[i].status == "requested") requested.push_back(i);
  }
  if (requested.empty()) {
    return Err(ErrorCode::kBadState, "/body/consignment",
               fmt::format("consignment \"{}\" has no requested line", id));
  }
  // The decision: line index -> approved quantity (absent: refused).
  std::map<size_t, int64_t> approve;
  std::vector<std::pair<size_t, std::string>> approve_path;
  if (!decided.has_value()) {
    for (size_t i : requested) {
      approve[i] = c.lines[i].requested;
      approve_path.emplace_back(i, "/body/consignment");
    }
  } else {
    for (const Line& l : *decided) {
      const auto m = std::find_if(requested.begin(), requested.end(), [&](size_t i) {
        return c.lines[i].item == l.item && c.lines[i].for_ == l.for_;
      });
      if (m != requested.end()) {
        approve[*m] = l.quantity;
        approve_path.emplace_back(*m, l.path + "/for");
      }
    }
  }
  for (const auto& [i, path] : approve_path) {
    const ConsignmentLine& cl = c.lines[i];
    if (cl.for_ == "households") continue;
    const Project& p = projects_.find(cl.for_)->second;
    if (p.status != "approved") {
      return Err(ErrorCode::kBadState, path,
                 fmt::format("project \"{}\" is {}, no longer active", cl.for_, p.status));
    }
  }
  if (decided.has_value()) {
    for (const Line& l : *decided) {
      const auto m = std::find_if(requested.begin(), requested.end(), [&](size_t i) {
        return c.lines[i].item == l.item && c.lines[i].for_ == l.for_;
      });
      if (m == requested.end()) {
        return Err(
            ErrorCode::kExceedsAllocation, l.path,
            fmt::format("no requested line of \"{}\" for \"{}\" in \"{}\"", l.item, l.for_, id));
      }
      if (l.quantity > c.lines[*m].requested) {
        return Err(
            ErrorCode::kExceedsAllocation, l.path + "/quantity",
            fmt::format("{} approved exceeds the {} requested", l.quantity, c.lines[*m].requested));
      }
    }
  }
  std::vector<size_t> refused;
  for (size_t i : requested) {
    if (!approve.contains(i)) refused.push_back(i);
  }
  decisions_.emplace(EventId(ctx.env), DecisionRecord{ctx.env.type, id, "", std::move(refused)});
  for (size_t i : requested) {
    ConsignmentLine& cl = c.lines[i];
    const auto a = approve.find(i);
    const int64_t kept = a == approve.end() ? 0 : a->second;
    const int64_t released = cl.requested - kept;
    cl.status = a == approve.end() ? "refused" : "approved";
    cl.approved = kept;
    if (cl.for_ == "households") {
      households_pool_[cl.item] = std::max<int64_t>(0, Of(households_pool_, cl.item) - released);
    } else {
      auto& held = projects_.find(cl.for_)->second.allocated[cl.item];
      held = std::max<int64_t>(0, held - released);
    }
  }
  c.deadline.clear();
  return Status::Ok();
}

Status MaterialsBook::ConsignmentEnter(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"consignment", "crossing", "lines"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "consignment", Id));
  RETURN_IF_ERROR(Get(b, "crossing", Id).status());
  ASSIGN_OR_RETURN(const std::vector<Line> lines,
                   Get(b, "lines", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path);
                   }));
  const auto it = consignments_.find(id);
  if (it == consignments_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/consignment",
               fmt::format("no consignment \"{}\"", id));
  }
  for (const Line& l : lines) {
    if (!items_.contains(l.item)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/item",
                 fmt::format("item \"{}\" is not defined", l.item));
    }
  }
  Consignment& c = it->second;
  Quantities approved;
  for (const auto& cl : c.lines) {
    if (cl.status == "approved") approved[cl.item] += cl.approved;
  }
  if (approved.empty()) {
    return Err(ErrorCode::kBadState, "/body/consignment",
               fmt::format("consignment \"{}\" has no approved line", id));
  }
  const PartyView vendor = ctx.party(c.vendor);
  if (vendor.suspended) {
    return Err(ErrorCode::kPartySuspended, "/body/consignment",
               fmt::format("the consignment's vendor \"{}\" is suspended", c.vendor));
  }
  if (SubjectBlocked(ctx, c.vendor)) {
    return BlockedError(c.vendor, "/body/consignment", "the consignment's vendor");
  }
  for (const Line& l : lines) {
    const int64_t left = Of(approved, l.item) - Of(c.entered, l.item);
    if (l.quantity > left) {
      return Err(ErrorCode::kExceedsAllocation, l.path + "/quantity",
                 fmt::format("{} of \"{}\" exceeds the {} approved and not yet entered", l.quantity,
                             l.item, left));
    }
  }
  std::vector<int64_t> next;
  for (const Line& l : lines) {
    ASSIGN_OR_RETURN(const int64_t n, Add(Book(c.warehouse, l.item), l.quantity,
                                          l.path + "/quantity", "the warehouse's book"));
    next.push_back(n);
  }
  auto& books = stock_[c.warehouse];
  for (size_t i = 0; i < lines.size(); ++i) {
    books[lines[i].item].book = next[i];
    c.entered[lines[i].item] += lines[i].quantity;
  }
  return Status::Ok();
}

// ---- stock ----

Status MaterialsBook::StockTransfer(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"transfer", "from", "to", "lines"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "transfer", Id));
  ASSIGN_OR_RETURN(const std::string from, Get(b, "from", Id));
  ASSIGN_OR_RETURN(const std::string to, Get(b, "to", Id));
  if (to == from) return Bad("/body/to", "a transfer's \"to\" must differ from \"from\"");
  ASSIGN_OR_RETURN(const std::vector<Line> lines,
                   Get(b, "lines", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path);
                   }));
  const auto wf = warehouses_.find(from);
  if (wf == warehouses_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/from", fmt::format("no warehouse \"{}\"", from));
  }
  const auto wt = warehouses_.find(to);
  if (wt == warehouses_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/to", fmt::format("no warehouse \"{}\"", to));
  }
  for (const Line& l : lines) {
    if (!items_.contains(l.item)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/item",
                 fmt::format("item \"{}\" is not defined", l.item));
    }
  }
  if (wf->second.vendor != ctx.env.actor) {
    return Err(ErrorCode::kNotPermitted, "/body/from",
               fmt::format("warehouse \"{}\" is vendor \"{}\"'s, not \"{}\"'s", from,
                           wf->second.vendor, ctx.env.actor));
  }
  if (transfers_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/transfer",
               fmt::format("transfer \"{}\" already exists", id));
  }
  if (ctx.party(wt->second.vendor).suspended) {
    return Err(ErrorCode::kPartySuspended, "/body/to",
               fmt::format("the receiving vendor \"{}\" is suspended", wt->second.vendor));
  }
  if (SubjectBlocked(ctx, wt->second.vendor)) {
    return BlockedError(wt->second.vendor, "/body/to", "the receiving vendor");
  }
  std::vector<int64_t> next_to;
  for (const Line& l : lines) {
    const int64_t book = Book(from, l.item);
    if (l.quantity > book) {
      return Err(ErrorCode::kExceedsStock, l.path + "/quantity",
                 fmt::format("{} of \"{}\" exceeds the book of \"{}\" ({})", l.quantity, l.item,
                             from, book));
    }
    ASSIGN_OR_RETURN(const int64_t n, Add(Book(to, l.item), l.quantity, l.path + "/quantity",
                                          "the receiving warehouse's book"));
    next_to.push_back(n);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    stock_[from][lines[i].item].book -= lines[i].quantity;
    stock_[to][lines[i].item].book = next_to[i];
  }
  transfers_.insert(id);
  return Status::Ok();
}

Status MaterialsBook::MaterialRelease(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"release", "warehouse", "to", "lines"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "release", Id));
  ASSIGN_OR_RETURN(const std::string wh, Get(b, "warehouse", Id));
  ASSIGN_OR_RETURN(const std::string to, Get(b, "to", Id));
  ASSIGN_OR_RETURN(const std::vector<Line> lines,
                   Get(b, "lines", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path);
                   }));
  const auto w = warehouses_.find(wh);
  if (w == warehouses_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/warehouse", fmt::format("no warehouse \"{}\"", wh));
  }
  const auto pit = projects_.find(to);
  const auto bit = beneficiaries_.find(to);
  if (pit == projects_.end() && bit == beneficiaries_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/to",
               fmt::format("no project or beneficiary \"{}\"", to));
  }
  for (const Line& l : lines) {
    if (!items_.contains(l.item)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/item",
                 fmt::format("item \"{}\" is not defined", l.item));
    }
  }
  if (w->second.vendor != ctx.env.actor) {
    return Err(ErrorCode::kNotPermitted, "/body/warehouse",
               fmt::format("warehouse \"{}\" is vendor \"{}\"'s, not \"{}\"'s", wh,
                           w->second.vendor, ctx.env.actor));
  }
  if (releases_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/release",
               fmt::format("release \"{}\" already exists", id));
  }
  const bool project = pit != projects_.end();
  if (project) {
    if (pit->second.status != "approved") {
      return Err(
          ErrorCode::kBadState, "/body/to",
          fmt::format("project \"{}\" is {}, not active (approved)", to, pit->second.status));
    }
    if (ctx.party(pit->second.implementer).suspended) {
      return Err(
          ErrorCode::kPartySuspended, "/body/to",
          fmt::format("the project's implementer \"{}\" is suspended", pit->second.implementer));
    }
    if (SubjectBlocked(ctx, pit->second.implementer)) {
      return BlockedError(pit->second.implementer, "/body/to", "the project's implementer");
    }
  } else if (SubjectBlocked(ctx, to)) {
    return BlockedError(to, "/body/to", "beneficiary");
  }
  for (const Line& l : lines) {
    const int64_t book = Book(wh, l.item);
    if (l.quantity > book) {
      return Err(ErrorCode::kExceedsStock, l.path + "/quantity",
                 fmt::format("{} of \"{}\" exceeds the book of \"{}\" ({})", l.quantity, l.item, wh,
                             book));
    }
  }
  const Quantities& allowed = project ? pit->second.boq : bit->second.entitlement;
  const Quantities& received = project ? pit->second.released : bit->second.released;
  for (const Line& l : lines) {
    const int64_t cap = Of(allowed, l.item);
    const int64_t got = Of(received, l.item);
    if (l.quantity > cap - got) {
      return Err(ErrorCode::kExceedsAllocation, l.path + "/quantity",
                 fmt::format("{} of \"{}\" to \"{}\", which has received {}, exceeds its {} ({})",
                             l.quantity, l.item, to, got,
                             project ? "approved bill of quantities" : "entitlement", cap));
    }
  }
  Release rel{wh, to, std::string(ctx.logged), {}};
  Quantities& rec = project ? pit->second.released : bit->second.released;
  for (const Line& l : lines) {
    stock_[wh][l.item].book -= l.quantity;
    rec[l.item] += l.quantity;  // bounded by the bill of quantities or entitlement
    if (!project) {
      households_pool_[l.item] = std::max<int64_t>(0, Of(households_pool_, l.item) - l.quantity);
      unreleased_[l.item] -= l.quantity;  // within the entitlement, so it stays >= 0
    }
    rel.lines[l.item] = l.quantity;
  }
  releases_.emplace(id, std::move(rel));
  return Status::Ok();
}

Status MaterialsBook::MaterialVerify(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(
      b, "/body", {"inspection", "recipient", "lines", "result", "photos", "location"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "inspection", Id));
  ASSIGN_OR_RETURN(const std::string to, Get(b, "recipient", Id));
  ASSIGN_OR_RETURN(const std::vector<Line> lines,
                   Get(b, "lines", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path, {.min = 0});
                   }));
  ASSIGN_OR_RETURN(const std::string result,
                   Get(b, "result", [](const json::Value& v, const std::string& p) {
                     return OneOf(v, p, {"installed", "partial", "not_found"});
                   }));
  if (lines.empty() && result != "not_found") {
    return Bad("/body/lines", "lines may be empty only when the result is not_found");
  }
  ASSIGN_OR_RETURN(const json::Value* photos, Member(b, "/body", "photos"));
  if (!photos->is_array()) return Bad("/body/photos", "must be an array of hashes");
  if (photos->size() > 32) return Err(ErrorCode::kLimit, "/body/photos", "at most 32 photos");
  for (size_t i = 0; i < photos->size(); ++i) {
    RETURN_IF_ERROR(Hash((*photos)[i], fmt::format("/body/photos/{}", i)).status());
  }
  RETURN_IF_ERROR(Get(b, "location", LocationOf).status());
  const auto pit = projects_.find(to);
  const auto bit = beneficiaries_.find(to);
  if (pit == projects_.end() && bit == beneficiaries_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/recipient",
               fmt::format("no project or beneficiary \"{}\"", to));
  }
  for (const Line& l : lines) {
    if (!items_.contains(l.item)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/item",
                 fmt::format("item \"{}\" is not defined", l.item));
    }
  }
  if (inspections_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/inspection",
               fmt::format("inspection \"{}\" already exists", id));
  }
  const bool project = pit != projects_.end();
  if (project) {
    const std::string& s = pit->second.status;
    if (s == "proposed" || s == "rejected" || s == "closed") {
      return Err(ErrorCode::kBadState, "/body/recipient",
                 fmt::format("project \"{}\" is {}: nothing to verify", to, s));
    }
  }
  Quantities& verified = project ? pit->second.verified : bit->second.verified;
  std::vector<int64_t> next;
  for (const Line& l : lines) {
    ASSIGN_OR_RETURN(const int64_t n, Add(Of(verified, l.item), l.quantity, l.path + "/quantity",
                                          "the verified total"));
    next.push_back(n);
  }
  for (size_t i = 0; i < lines.size(); ++i) verified[lines[i].item] = next[i];
  inspections_.insert(id);
  return Status::Ok();
}

Status MaterialsBook::StockCount(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"count", "warehouse", "lines"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "count", Id));
  ASSIGN_OR_RETURN(const std::string wh, Get(b, "warehouse", Id));
  ASSIGN_OR_RETURN(const std::vector<Line> lines,
                   Get(b, "lines", [](const json::Value& v, const std::string& path) {
                     return LinesOf(v, path, {.zero_ok = true});
                   }));
  if (!warehouses_.contains(wh)) {
    return Err(ErrorCode::kUnknownRef, "/body/warehouse", fmt::format("no warehouse \"{}\"", wh));
  }
  for (const Line& l : lines) {
    if (!items_.contains(l.item)) {
      return Err(ErrorCode::kUnknownRef, l.path + "/item",
                 fmt::format("item \"{}\" is not defined", l.item));
    }
  }
  if (counts_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/count", fmt::format("count \"{}\" already exists", id));
  }
  auto& books = stock_[wh];
  for (const Line& l : lines) {
    Stock& s = books[l.item];
    s.last_count = Count{id, l.quantity, s.book, std::string(ctx.logged)};
  }
  counts_.insert(id);
  return Status::Ok();
}

// ---- snapshot ----

json::Value MaterialsBook::Snapshot() const {
  json::Value s = json::Value::object();
  json::Value items = json::Value::object();
  for (const auto& [id, i] : items_) {
    items[id] = {{"name", i.name}, {"unit", i.unit}, {"hs", i.hs}, {"controlled", i.controlled}};
  }
  json::Value whs = json::Value::object();
  for (const auto& [id, w] : warehouses_) {
    whs[id] = {{"vendor", w.vendor}, {"area", w.area}, {"location", LocJson(w.location)}};
  }
  json::Value projects = json::Value::object();
  for (const auto& [id, p] : projects_) {
    const json::Value round = RoundJson(p.round);
    projects[id] = {{"implementer", p.implementer},
                    {"title", p.title},
                    {"category", p.category},
                    {"sector", p.sector},
                    {"area", p.area},
                    {"location", LocJson(p.location)},
                    {"status", p.status},
                    {"currency", p.currency},
                    {"proposed_budget", p.proposed_budget},
                    {"proposed_boq", QJson(p.proposed_boq)},
                    {"budget", p.budget},
                    {"boq", QJson(p.boq)},
                    {"round", round},
                    {"failed_round", RoundJson(p.failed_round)},
                    {"suspended_by", p.suspended_by},
                    {"allocated", QJson(p.allocated)},
                    {"released", QJson(p.released)},
                    {"verified", QJson(p.verified)}};
  }
  json::Value bens = json::Value::object();
  for (const auto& [id, x] : beneficiaries_) {
    bens[id] = {{"area", x.area},
                {"household_size", x.household_size},
                {"damage", x.damage},
                {"entitlement", QJson(x.entitlement)},
                {"released", QJson(x.released)},
                {"verified", QJson(x.verified)},
                {"pii", x.pii},
                {"seq", x.seq}};
  }
  json::Value cons = json::Value::object();
  for (const auto& [id, c] : consignments_) {
    json::Value lines = json::Value::array();
    for (const auto& l : c.lines) {
      lines.push_back({{"item", l.item},
                       {"for", l.for_},
                       {"requested", l.requested},
                       {"status", l.status},
                       {"approved", l.approved}});
    }
    cons[id] = {{"vendor", c.vendor}, {"warehouse", c.warehouse},
                {"lines", lines},     {"entered", QJson(c.entered)},
                {"opened", c.opened}, {"deadline", c.deadline}};
  }
  json::Value stock = json::Value::object();
  for (const auto& [wh, books] : stock_) {
    json::Value w = json::Value::object();
    for (const auto& [item, st] : books) {
      json::Value count(nullptr);
      if (st.last_count.has_value()) {
        const Count& c = *st.last_count;
        count = {
            {"count", c.count}, {"quantity", c.quantity}, {"book", c.book}, {"logged", c.logged}};
      }
      w[item] = {{"book", st.book}, {"last_count", count}};
    }
    stock[wh] = std::move(w);
  }
  json::Value rels = json::Value::object();
  for (const auto& [id, r] : releases_) {
    rels[id] = {
        {"warehouse", r.warehouse}, {"to", r.to}, {"logged", r.logged}, {"lines", QJson(r.lines)}};
  }
  s["items"] = std::move(items);
  s["warehouses"] = std::move(whs);
  s["projects"] = std::move(projects);
  s["beneficiaries"] = std::move(bens);
  s["consignments"] = std::move(cons);
  s["stock"] = std::move(stock);
  s["households_pool"] = QJson(households_pool_);
  s["releases"] = std::move(rels);
  s["transfers"] = SetJson(transfers_);
  s["inspections"] = SetJson(inspections_);
  s["counts"] = SetJson(counts_);
  json::Value decisions = json::Value::object();
  for (const auto& [id, d] : decisions_) {
    decisions[id] = {{"type", d.type},
                     {"target", d.target},
                     {"round_opened", d.round_opened},
                     {"lines", d.lines}};
  }
  s["decisions"] = std::move(decisions);
  return s;
}

Status MaterialsBook::Restore(const json::Value& snapshot) {
  if (!snapshot.is_object()) return Status(ErrorCode::kCorrupt, "state snapshot: malformed book");
  MaterialsBook m;
  if (snapshot.empty()) {  // a book that has never held anything
    *this = std::move(m);
    return Status::Ok();
  }
  try {
    const json::Value& s = snapshot;
    for (const auto& [id, i] : s.at("items").items()) {
      m.items_.emplace(id, Item{i.at("name").get<std::string>(), i.at("unit").get<std::string>(),
                                i.at("hs").get<std::string>(), i.at("controlled").get<bool>()});
    }
    for (const auto& [id, w] : s.at("warehouses").items()) {
      m.warehouses_.emplace(
          id, Warehouse{w.at("vendor").get<std::string>(), w.at("area").get<std::string>(),
                        LocFrom(w.at("location"))});
    }
    for (const auto& [id, x] : s.at("projects").items()) {
      Project p;
      p.implementer = x.at("implementer").get<std::string>();
      p.title = x.at("title").get<std::string>();
      p.category = x.at("category").get<std::string>();
      p.sector = x.at("sector").get<std::string>();
      p.area = x.at("area").get<std::string>();
      p.location = LocFrom(x.at("location"));
      p.status = x.at("status").get<std::string>();
      p.currency = x.at("currency").get<std::string>();
      p.proposed_budget = x.at("proposed_budget").get<int64_t>();
      p.proposed_boq = QFrom(x.at("proposed_boq"));
      p.budget = x.at("budget").get<int64_t>();
      p.boq = QFrom(x.at("boq"));
      p.round = RoundFrom(x.at("round"));
      if (x.contains("failed_round")) p.failed_round = RoundFrom(x.at("failed_round"));
      if (x.contains("suspended_by")) p.suspended_by = x.at("suspended_by").get<std::string>();
      p.allocated = QFrom(x.at("allocated"));
      p.released = QFrom(x.at("released"));
      p.verified = QFrom(x.at("verified"));
      m.projects_.emplace(id, std::move(p));
    }
    for (const auto& [id, x] : s.at("beneficiaries").items()) {
      Beneficiary ben;
      ben.area = x.at("area").get<std::string>();
      ben.household_size = x.at("household_size").get<int64_t>();
      ben.damage = x.at("damage").get<std::string>();
      ben.entitlement = QFrom(x.at("entitlement"));
      ben.released = QFrom(x.at("released"));
      ben.verified = QFrom(x.at("verified"));
      ben.pii = x.at("pii").get<std::string>();
      if (x.contains("seq")) ben.seq = x.at("seq").get<uint64_t>();
      m.beneficiaries_.emplace(id, std::move(ben));
    }
    for (const auto& [id, x] : s.at("consignments").items()) {
      Consignment c;
      c.vendor = x.at("vendor").get<std::string>();
      c.warehouse = x.at("warehouse").get<std::string>();
      for (const auto& l : x.at("lines")) {
        c.lines.push_back(
            ConsignmentLine{l.at("item").get<std::string>(), l.at("for").get<std::string>(),
                            l.at("requested").get<int64_t>(), l.at("status").get<std::string>(),
                            l.at("approved").get<int64_t>()});
      }
      c.entered = QFrom(x.at("entered"));
      c.opened = x.at("opened").get<std::string>();
      c.deadline = x.at("deadline").get<std::string>();
      m.consignments_.emplace(id, std::move(c));
    }
    for (const auto& [wh, books] : s.at("stock").items()) {
      auto& w = m.stock_[wh];
      for (const auto& [item, st] : books.items()) {
        Stock k;
        k.book = st.at("book").get<int64_t>();
        const json::Value& c = st.at("last_count");
        if (!c.is_null()) {
          k.last_count = Count{c.at("count").get<std::string>(), c.at("quantity").get<int64_t>(),
                               c.at("book").get<int64_t>(), c.at("logged").get<std::string>()};
        }
        w.emplace(item, std::move(k));
      }
    }
    m.households_pool_ = QFrom(s.at("households_pool"));
    for (const auto& [id, r] : s.at("releases").items()) {
      m.releases_.emplace(
          id, Release{r.at("warehouse").get<std::string>(), r.at("to").get<std::string>(),
                      r.at("logged").get<std::string>(), QFrom(r.at("lines"))});
    }
    m.transfers_ = SetFrom(s.at("transfers"));
    if (s.contains("decisions")) {
      for (const auto& [id, d] : s.at("decisions").items()) {
        m.decisions_.emplace(
            id, DecisionRecord{d.at("type").get<std::string>(), d.at("target").get<std::string>(),
                               d.at("round_opened").get<std::string>(),
                               d.at("lines").get<std::vector<size_t>>()});
      }
    }
    m.inspections_ = SetFrom(s.at("inspections"));
    m.counts_ = SetFrom(s.at("counts"));
    m.RecomputeUnreleased();
  } catch (const json::Value::exception& e) {
    return Status(ErrorCode::kCorrupt,
                  std::string("state snapshot: malformed materials book: ") + e.what());
  }
  *this = std::move(m);
  return Status::Ok();
}

}  // namespace aidtrace::mechanism
