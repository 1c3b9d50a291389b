#include "server/queries.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/time.h"
#include "server/api.h"

namespace aidtrace::server {
namespace {

using mechanism::Directory;
using mechanism::EnforcementBook;
using mechanism::FundsBook;
using mechanism::MaterialsBook;

enum class Access : uint8_t { kNone, kOwn, kAll };

constexpr std::array<std::string_view, 8> kRoles = {
    "governor", "authority", "monitor", "auditor", "inspector", "donor", "implementer", "vendor"};

// The access matrix of docs/API.md: per endpoint, one letter per role of kRoles
// (A: everything, O: only what concerns the viewer's party, N: 403).
struct Rule {
  std::string_view pattern;
  std::string_view access;
};
constexpr std::array<Rule, 18> kMatrix = {{
    {"/v1/whoami", "AAAAAAAA"},
    {"/v1/parties", "AAAAAAAA"},
    {"/v1/parties/{id}", "AAAAAAAA"},
    {"/v1/projects", "AAAAAAAA"},
    {"/v1/projects/{id}", "AAAAAAAA"},
    {"/v1/beneficiaries", "AAAAANNN"},
    {"/v1/beneficiaries/{id}", "AAAAANNN"},
    {"/v1/warehouses", "AAAAANNO"},
    {"/v1/consignments", "AAAAANOO"},
    {"/v1/releases", "AAAAANOO"},
    {"/v1/funds/flows", "AAAANOOO"},
    {"/v1/funds/commitments", "AAAANOON"},
    {"/v1/screening/hits", "ANAANNNN"},
    {"/v1/alerts", "ANAANNNN"},
    {"/v1/cases", "ANAANNNN"},
    {"/v1/appeals", "AOAAOOOO"},
    {"/v1/pending", "AAAAOOOO"},
    {"/v1/dashboard", "AAAAAAAA"},
}};

Access AccessFor(std::string_view pattern, std::string_view role) {
  const auto r = std::find(kRoles.begin(), kRoles.end(), role);
  if (r == kRoles.end()) return Access::kNone;
  for (const Rule& rule : kMatrix) {
    if (rule.pattern != pattern) continue;
    switch (rule.access[static_cast<size_t>(r - kRoles.begin())]) {
      case 'A':
        return Access::kAll;
      case 'O':
        return Access::kOwn;
      default:
        return Access::kNone;
    }
  }
  return Access::kNone;
}

Status Invalid(std::string msg) { return Status(ErrorCode::kInvalidArgument, std::move(msg)); }

json::Value QuantitiesJson(const MaterialsBook::Quantities& q) {
  json::Value o = json::Value::object();
  for (const auto& [item, n] : q) o[item] = n;
  return o;
}

int64_t Get(const MaterialsBook::Quantities& q, std::string_view item) {
  auto it = q.find(item);
  return it == q.end() ? 0 : it->second;
}

json::Value LocationJson(const MaterialsBook::Location& l) {
  return {{"lat_e6", l.lat_e6}, {"lon_e6", l.lon_e6}};
}

json::Value QuorumJson(const mechanism::Quorum& q) { return {{"of", q.of}, {"k", q.k}}; }

// Filters (equality on a string member, or membership in an array member), sort
// ("field" or "-field") and paging over `rows`.
Result<json::Value> Page(std::vector<json::Value> rows, const QueryInput& in,
                         std::initializer_list<std::string_view> filters,
                         std::string_view default_sort) {
  size_t offset = 0, limit = in.default_page;
  std::string sort(default_sort);
  for (const auto& param : in.params) {
    const std::string& k = param.first;  // not structured bindings: captured below
    const std::string& v = param.second;
    auto number = [&](size_t& out) -> Status {
      if (v.empty() || v.size() > 9 ||
          !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Invalid(fmt::format("\"{}\" must be a non-negative integer", k));
      }
      out = std::stoul(v);
      return Status::Ok();
    };
    if (k == "offset") {
      RETURN_IF_ERROR(number(offset));
    } else if (k == "limit") {
      RETURN_IF_ERROR(number(limit));
      if (limit == 0 || limit > in.max_page) {
        return Invalid(fmt::format("limit must be 1..{}", in.max_page));
      }
    } else if (k == "sort") {
      sort = v;
    } else if (std::find(filters.begin(), filters.end(), k) != filters.end()) {
      std::erase_if(rows, [&](const json::Value& row) {
        auto it = row.find(k);
        if (it == row.end()) return true;
        if (it->is_array()) return std::find(it->begin(), it->end(), v) == it->end();
        if (it->is_string()) return it->get<std::string>() != v;
        if (it->is_number_integer()) return std::to_string(it->get<int64_t>()) != v;
        return true;
      });
    } else if (k != "by") {
      std::string known;
      for (auto f : filters) known += fmt::format(" {}", f);
      return Invalid(
          fmt::format("unknown parameter \"{}\" (filters:{}; offset, limit, sort)", k, known));
    }
  }
  if (!sort.empty()) {
    const bool desc = sort[0] == '-';
    const std::string field = desc ? sort.substr(1) : sort;
    if (!rows.empty() && !rows.front().contains(field)) {
      return Invalid(fmt::format("cannot sort by \"{}\": rows have no such member", field));
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const json::Value& a, const json::Value& b) {
      const json::Value& x = a.contains(field) ? a.at(field) : json::Value();
      const json::Value& y = b.contains(field) ? b.at(field) : json::Value();
      return desc ? y < x : x < y;
    });
  }
  json::Value out = {{"total", rows.size()}, {"offset", offset}, {"limit", limit}};
  json::Value items = json::Value::array();
  for (size_t i = offset; i < rows.size() && i < offset + limit; ++i) {
    items.push_back(std::move(rows[i]));
  }
  out["items"] = std::move(items);
  return out;
}

json::Value PartyJson(std::string_view id, const Directory::Party& p) {
  json::Value keys = json::Value::array();
  for (const auto& [key_id, k] : p.keys) {
    keys.push_back({{"key_id", fmt::format("{:08x}", key_id)}, {"revoked", k.revoked}});
  }
  return {{"party", id},
          {"name", p.name},
          {"roles", p.roles},
          {"status", p.suspended ? "suspended" : "active"},
          {"keys", std::move(keys)}};
}

json::Value ProjectRow(std::string_view id, const MaterialsBook::Project& p) {
  return {{"project", id},
          {"title", p.title},
          {"category", p.category},
          {"sector", p.sector},
          {"area", p.area},
          {"implementer", p.implementer},
          {"status", p.status},
          {"currency", p.currency},
          {"budget", p.budget},
          {"proposed_budget", p.proposed_budget},
          {"location", LocationJson(p.location)},
          {"pending_round", p.round.has_value()}};
}

// The Monday (UTC) of the week of an RFC 3339 time, as YYYY-MM-DD.
std::string WeekOf(std::string_view logged) {
  auto t = ParseRfc3339(logged);
  if (!t.ok()) return "unknown";
  int64_t days = t->seconds / 86400;
  if (t->seconds < 0 && t->seconds % 86400 != 0) --days;
  const int64_t monday = days - ((days % 7 + 7 + 3) % 7);  // 1970-01-01 was a Thursday
  Timestamp m{monday * 86400, 0};
  return FormatRfc3339(m).substr(0, 10);
}

bool IsImplementerOf(const MaterialsBook& mb, std::string_view project, std::string_view party) {
  auto it = mb.projects().find(project);
  return it != mb.projects().end() && it->second.implementer == party;
}

// --- materials ---

Result<json::Value> Beneficiaries(const QueryInput& in, bool one) {
  const MaterialsBook& mb = in.dir.materials();
  std::vector<json::Value> rows;
  auto row = [&](const std::string& id, const MaterialsBook::Beneficiary& b) {
    json::Value r = {{"beneficiary", id},
                     {"area", b.area},
                     {"household_size", b.household_size},
                     {"damage", b.damage},
                     {"entitlement", QuantitiesJson(b.entitlement)},
                     {"released", QuantitiesJson(b.released)},
                     {"verified", QuantitiesJson(b.verified)},
                     {"pii", b.pii}};
    if (auto seq = in.index.BeneficiarySeq(id)) r["registered_seq"] = *seq;
    return r;
  };
  if (one) {
    auto it = mb.beneficiaries().find(in.id);
    if (it == mb.beneficiaries().end()) {
      return Status(ErrorCode::kNotFound, fmt::format("no beneficiary \"{}\"", in.id));
    }
    return row(it->first, it->second);
  }
  for (const auto& [id, b] : mb.beneficiaries()) rows.push_back(row(id, b));
  return Page(std::move(rows), in, {"area", "damage"}, "beneficiary");
}

Result<json::Value> Warehouses(const QueryInput& in, Access access) {
  const MaterialsBook& mb = in.dir.materials();
  std::vector<json::Value> rows;
  for (const auto& [id, w] : mb.warehouses()) {
    if (access == Access::kOwn && w.vendor != in.viewer.party) continue;
    json::Value stock = json::Value::array();
    if (auto s = mb.stock().find(id); s != mb.stock().end()) {
      for (const auto& [item, st] : s->second) {
        json::Value line = {{"item", item}, {"book", st.book}};
        if (st.last_count.has_value()) {
          line["last_count"] = {{"count", st.last_count->count},
                                {"quantity", st.last_count->quantity},
                                {"book", st.last_count->book},
                                {"logged", st.last_count->logged}};
        }
        stock.push_back(std::move(line));
      }
    }
    rows.push_back({{"warehouse", id},
                    {"vendor", w.vendor},
                    {"area", w.area},
                    {"location", LocationJson(w.location)},
                    {"stock", std::move(stock)}});
  }
  return Page(std::move(rows), in, {"vendor", "area"}, "warehouse");
}

Result<json::Value> Consignments(const QueryInput& in, Access access) {
  const MaterialsBook& mb = in.dir.materials();
  std::vector<json::Value> rows;
  for (const auto& [id, c] : mb.consignments()) {
    bool mine = c.vendor == in.viewer.party;
    json::Value lines = json::Value::array();
    json::Value projects = json::Value::array();
    for (const auto& l : c.lines) {
      lines.push_back({{"item", l.item},
                       {"for", l.for_},
                       {"requested", l.requested},
                       {"status", l.status},
                       {"approved", l.approved}});
      if (std::find(projects.begin(), projects.end(), l.for_) == projects.end()) {
        projects.push_back(l.for_);
      }
      if (in.viewer.role == "implementer" && IsImplementerOf(mb, l.for_, in.viewer.party)) {
        mine = true;
      }
    }
    if (access == Access::kOwn && !mine) continue;
    rows.push_back({{"consignment", id},
                    {"vendor", c.vendor},
                    {"warehouse", c.warehouse},
                    {"opened", c.opened},
                    {"deadline", c.deadline},
                    {"status", c.deadline.empty() ? "decided" : "pending"},
                    {"projects", std::move(projects)},
                    {"lines", std::move(lines)},
                    {"entered", QuantitiesJson(c.entered)}});
  }
  return Page(std::move(rows), in, {"vendor", "warehouse", "status", "projects"}, "consignment");
}

Result<json::Value> Releases(const QueryInput& in, Access access) {
  const MaterialsBook& mb = in.dir.materials();
  std::vector<json::Value> rows;
  for (const auto& [id, r] : mb.releases()) {
    auto w = mb.warehouses().find(r.warehouse);
    const std::string vendor = w == mb.warehouses().end() ? std::string() : w->second.vendor;
    if (access == Access::kOwn) {
      const bool mine =
          (in.viewer.role == "vendor" && vendor == in.viewer.party) ||
          (in.viewer.role == "implementer" && IsImplementerOf(mb, r.to, in.viewer.party));
      if (!mine) continue;
    }
    rows.push_back({{"release", id},
                    {"warehouse", r.warehouse},
                    {"vendor", vendor},
                    {"to", r.to},
                    {"logged", r.logged},
                    {"week", WeekOf(r.logged)},
                    {"lines", QuantitiesJson(r.lines)}});
  }
  return Page(std::move(rows), in, {"warehouse", "vendor", "to", "week"}, "logged");
}

// --- funds ---

struct FundsView {
  const QueryInput& in;
  Access access;

  bool All() const { return access == Access::kAll; }
  bool Commitment(const FundsBook::Commitment& c) const {
    if (All()) return true;
    const auto& v = in.viewer;
    if (v.role == "donor") return c.donor == v.party;
    if (v.role == "implementer") return IsImplementerOf(in.dir.materials(), c.project, v.party);
    return false;
  }
  bool DonorFunds(std::string_view project) const {
    for (const auto& [id, c] : in.dir.funds().commitments()) {
      if (c.project == project && c.donor == in.viewer.party) return true;
    }
    return false;
  }
  bool Payment(const FundsBook::Payment& p) const {
    if (All()) return true;
    const auto& v = in.viewer;
    if (v.role == "vendor" || v.role == "implementer") {
      if (p.payee == v.party) return true;
    }
    if (v.role == "implementer") return IsImplementerOf(in.dir.materials(), p.project, v.party);
    if (v.role == "donor") return DonorFunds(p.project);
    return false;
  }
};

json::Value Money(std::string_view currency, int64_t amount) {
  return {{"currency", currency}, {"amount", amount}};
}

Result<json::Value> Commitments(const QueryInput& in, Access access) {
  const FundsBook& fb = in.dir.funds();
  const FundsView view{in, access};
  std::vector<json::Value> rows;
  for (const auto& [id, c] : fb.commitments()) {
    if (!view.Commitment(c)) continue;
    json::Value conditions = json::Value::array();
    for (const auto& cond : c.conditions) {
      conditions.push_back({{"condition", cond.condition},
                            {"text", cond.text},
                            {"attesters", {{"of", cond.of}, {"k", cond.k}}},
                            {"attested", json::Value(std::vector<std::string>(
                                             cond.attested.begin(), cond.attested.end()))},
                            {"met", cond.met}});
    }
    json::Value disbursements = json::Value::array();
    for (const auto& [did, d] : fb.disbursements()) {
      if (d.commitment != id) continue;
      disbursements.push_back(
          {{"disbursement", did}, {"to", d.to}, {"amount", Money(d.currency, d.amount)}});
    }
    json::Value payments = json::Value::array();
    for (const auto& [pid, p] : fb.payments()) {
      if (p.project != c.project) continue;
      payments.push_back({{"payment", pid},
                          {"payee", p.payee},
                          {"amount", Money(p.currency, p.amount)},
                          {"invoice", p.invoice}});
    }
    rows.push_back({{"commitment", id},
                    {"donor", c.donor},
                    {"project", c.project},
                    {"currency", c.currency},
                    {"amount", c.amount},
                    {"disbursed", c.disbursed},
                    {"conditions", std::move(conditions)},
                    {"disbursements", std::move(disbursements)},
                    {"project_payments", std::move(payments)}});
  }
  return Page(std::move(rows), in, {"donor", "project", "currency"}, "commitment");
}

Result<json::Value> Flows(const QueryInput& in, Access access) {
  std::string by = "project";
  for (const auto& [k, v] : in.params) {
    if (k == "by") by = v;
  }
  if (by != "donor" && by != "project" && by != "payee" && by != "currency") {
    return Invalid("by must be donor, project, payee or currency");
  }
  const FundsBook& fb = in.dir.funds();
  const FundsView view{in, access};
  struct Totals {
    int64_t pledged = 0, committed = 0, disbursed = 0, paid = 0;
  };
  std::map<std::pair<std::string, std::string>, Totals> groups;  // (key, currency)
  auto key_of = [&](std::string_view donor, std::string_view project, std::string_view payee) {
    if (by == "donor") return std::string(donor);
    if (by == "project") return std::string(project);
    if (by == "payee") return std::string(payee);
    return std::string();
  };
  // Sums are display values; inputs are each < 2^53 and counts are bounded by the log.
  if (by != "payee" && by != "project") {
    for (const auto& [id, p] : fb.pledges()) {
      if (!view.All() && !(in.viewer.role == "donor" && p.donor == in.viewer.party)) continue;
      groups[{key_of(p.donor, "", ""), p.currency}].pledged += p.amount;
    }
  }
  if (by != "payee") {
    for (const auto& [id, c] : fb.commitments()) {
      if (!view.Commitment(c)) continue;
      Totals& t = groups[{key_of(c.donor, c.project, ""), c.currency}];
      t.committed += c.amount;
      t.disbursed += c.disbursed;
    }
  }
  if (by != "donor") {
    for (const auto& [id, p] : fb.payments()) {
      if (!view.Payment(p)) continue;
      groups[{key_of("", p.project, p.payee), p.currency}].paid += p.amount;
    }
  }
  std::vector<json::Value> rows;
  for (const auto& [k, t] : groups) {
    json::Value row = {{"currency", k.second},
                       {"pledged", t.pledged},
                       {"committed", t.committed},
                       {"disbursed", t.disbursed},
                       {"paid", t.paid}};
    if (by != "currency") row[by] = k.first;
    rows.push_back(std::move(row));
  }
  return Page(std::move(rows), in, {"currency", "donor", "project", "payee"},
              by == "currency" ? "currency" : by);
}

// --- projects ---

Result<json::Value> ProjectDetail(const QueryInput& in) {
  const MaterialsBook& mb = in.dir.materials();
  auto it = mb.projects().find(in.id);
  if (it == mb.projects().end()) {
    return Status(ErrorCode::kNotFound, fmt::format("no project \"{}\"", in.id));
  }
  const MaterialsBook::Project& p = it->second;
  json::Value out = ProjectRow(it->first, p);
  json::Value boq = json::Value::array();
  std::set<std::string, std::less<>> items;
  for (const auto* q : {&p.boq, &p.proposed_boq, &p.allocated, &p.released, &p.verified}) {
    for (const auto& [item, n] : *q) items.insert(item);
  }
  for (const auto& item : items) {
    const int64_t approved = Get(p.boq, item), verified = Get(p.verified, item);
    boq.push_back(
        {{"item", item},
         {"proposed", Get(p.proposed_boq, item)},
         {"approved", approved},
         {"allocated", Get(p.allocated, item)},
         {"released", Get(p.released, item)},
         {"verified", verified},
         // permille of the approved quantity verified installed
         {"progress_permille",
          approved > 0 ? std::min<int64_t>(1000, verified / approved * 1000 +
                                                     verified % approved * 1000 / approved)
                       : 0}});
  }
  out["boq"] = std::move(boq);
  const mechanism::Policy policy = in.dir.policy();
  if (p.round.has_value()) {
    const auto& r = *p.round;
    const mechanism::Quorum& q = policy.ProjectApproval(p.category);
    json::Value waiting = json::Value::array();
    for (const auto& who : q.of) {
      if (!r.approvals.contains(who) && !r.rejections.contains(who)) waiting.push_back(who);
    }
    out["approval"] = {
        {"kind", r.kind},
        {"opened", r.opened},
        {"deadline", r.deadline},
        {"quorum", QuorumJson(q)},
        {"approvals", std::vector<std::string>(r.approvals.begin(), r.approvals.end())},
        {"rejections", std::vector<std::string>(r.rejections.begin(), r.rejections.end())},
        {"waiting_for", std::move(waiting)},
        {"budget_add", r.budget_add},
        {"boq_add", QuantitiesJson(r.boq_add)}};
  } else {
    out["approval"] = nullptr;
  }
  json::Value funds = json::Value::array();
  if (auto f = in.dir.funds().project_funds().find(it->first);
      f != in.dir.funds().project_funds().end()) {
    for (const auto& [currency, pf] : f->second) {
      funds.push_back({{"currency", currency},
                       {"committed", pf.committed},
                       {"disbursed", pf.disbursed},
                       {"paid", pf.paid}});
    }
  }
  out["funds"] = std::move(funds);
  json::Value commitments = json::Value::array();
  const FundsView view{in, SeesAll(in.viewer.role) ? Access::kAll : Access::kOwn};
  for (const auto& [cid, c] : in.dir.funds().commitments()) {
    if (c.project != it->first) continue;
    // A donor sees its own commitments; everyone else sees who committed what.
    if (in.viewer.role == "donor" && !view.Commitment(c)) continue;
    commitments.push_back({{"commitment", cid},
                           {"donor", c.donor},
                           {"amount", Money(c.currency, c.amount)},
                           {"disbursed", c.disbursed}});
  }
  out["commitments"] = std::move(commitments);
  json::Value timeline = json::Value::array();
  for (uint64_t seq : in.index.ProjectEvents(it->first)) timeline.push_back({{"seq", seq}});
  out["timeline"] = std::move(timeline);
  return out;
}

// --- enforcement ---

Result<json::Value> Hits(const QueryInput& in) {
  const EnforcementBook& eb = in.dir.enforcement();
  std::vector<json::Value> rows;
  for (const auto& id : in.index.Ids(LogIndex::Kind::kHit)) {
    const auto* h = eb.FindHit(id);
    if (h == nullptr) continue;
    rows.push_back({{"hit", id},
                    {"subject", h->subject},
                    {"list", h->list},
                    {"entry", h->entry},
                    {"score", h->score},
                    {"algorithm", h->algorithm},
                    {"status", h->status},
                    {"deadline", h->deadline},
                    {"decision", h->decision}});
  }
  return Page(std::move(rows), in, {"status", "subject", "list"}, "");
}

Result<json::Value> Alerts(const QueryInput& in) {
  const EnforcementBook& eb = in.dir.enforcement();
  std::vector<json::Value> rows;
  for (const auto& id : in.index.Ids(LogIndex::Kind::kAlert)) {
    const auto* a = eb.FindAlert(id);
    if (a == nullptr) continue;
    rows.push_back({{"alert", id},
                    {"kind", a->kind},
                    {"subject", a->subject},
                    {"severity", a->severity},
                    {"detail", a->detail},
                    {"evidence", a->evidence},
                    {"status", a->status},
                    {"case", a->case_id}});
  }
  return Page(std::move(rows), in, {"status", "kind", "severity", "subject", "case"}, "");
}

Result<json::Value> Cases(const QueryInput& in) {
  const EnforcementBook& eb = in.dir.enforcement();
  std::vector<json::Value> rows;
  for (const auto& id : in.index.Ids(LogIndex::Kind::kCase)) {
    const auto* c = eb.FindCase(id);
    if (c == nullptr) continue;
    json::Value notes = json::Value::array();
    for (const auto& n : c->notes) {
      notes.push_back({{"actor", n.actor}, {"logged", n.logged}, {"text", n.text}});
    }
    json::Value actions = json::Value::array();
    for (const auto& a : c->actions) {
      json::Value x = {{"action", a.action}, {"party", a.party}, {"note", a.note}};
      if (a.currency.has_value()) x["amount"] = Money(*a.currency, a.amount);
      actions.push_back(std::move(x));
    }
    rows.push_back({{"case", id},
                    {"alerts", c->alerts},
                    {"notes", std::move(notes)},
                    {"status", c->status},
                    {"finding", c->finding},
                    {"actions", std::move(actions)},
                    {"deadline", c->deadline}});
  }
  return Page(std::move(rows), in, {"status", "finding", "alerts"}, "");
}

Result<json::Value> Appeals(const QueryInput& in, Access access) {
  const EnforcementBook& eb = in.dir.enforcement();
  std::vector<json::Value> rows;
  for (const auto& id : in.index.Ids(LogIndex::Kind::kAppeal)) {
    const auto* a = eb.FindAppeal(id);
    if (a == nullptr) continue;
    if (access == Access::kOwn && a->appellant != in.viewer.party) continue;
    rows.push_back({{"appeal", id},
                    {"subject", a->subject},
                    {"appellant", a->appellant},
                    {"hit", a->hit},
                    {"status", a->status},
                    {"deadline", a->deadline}});
  }
  return Page(std::move(rows), in, {"status", "appellant"}, "");
}

// Decisions someone owes, each with its deadline and who may take it.
Result<json::Value> Pending(const QueryInput& in, Access access) {
  const MaterialsBook& mb = in.dir.materials();
  const EnforcementBook& eb = in.dir.enforcement();
  const mechanism::Policy policy = in.dir.policy();
  const std::string& me = in.viewer.party;
  std::vector<json::Value> rows;
  auto add = [&](std::string kind, std::string id, std::string deadline, std::string subject_party,
                 const mechanism::Quorum& q, const std::set<std::string, std::less<>>& done) {
    json::Value waiting = json::Value::array();
    bool mine = subject_party == me;
    for (const auto& who : q.of) {
      if (done.contains(who)) continue;
      waiting.push_back(who);
      if (who == me) mine = true;
    }
    if (access == Access::kOwn && !mine) return;
    rows.push_back({{"kind", std::move(kind)},
                    {"id", std::move(id)},
                    {"deadline", std::move(deadline)},
                    {"party", std::move(subject_party)},
                    {"quorum", QuorumJson(q)},
                    {"waiting_for", std::move(waiting)}});
  };
  for (const auto& [id, p] : mb.projects()) {
    if (!p.round.has_value()) continue;
    std::set<std::string, std::less<>> done = p.round->approvals;
    done.insert(p.round->rejections.begin(), p.round->rejections.end());
    add("project_approval", id, p.round->deadline, p.implementer,
        policy.ProjectApproval(p.category), done);
  }
  for (const auto& [id, c] : mb.consignments()) {
    if (c.deadline.empty()) continue;
    add("consignment_approval", id, c.deadline, c.vendor, policy.consignment_approval, {});
  }
  const bool enforcement =
      in.viewer.role == "monitor" || in.viewer.role == "auditor" || in.viewer.role == "governor";
  if (enforcement) {
    for (const auto& id : in.index.Ids(LogIndex::Kind::kHit)) {
      const auto* h = eb.FindHit(id);
      if (h == nullptr || h->status != "open") continue;
      rows.push_back({{"kind", "screening_review"},
                      {"id", id},
                      {"deadline", h->deadline},
                      {"party", h->subject},
                      {"quorum", nullptr},
                      {"waiting_for", json::Value::array({"monitor"})}});
    }
  }
  if (enforcement) {
    std::set<std::string, std::less<>> seen;
    for (const auto& id : in.index.Ids(LogIndex::Kind::kCase)) {
      const auto* c = eb.FindCase(id);
      if (c == nullptr || c->status != "open" || !seen.insert(id).second) continue;
      rows.push_back({{"kind", "case_decision"},
                      {"id", id},
                      {"deadline", c->deadline},
                      {"party", ""},
                      {"quorum", nullptr},
                      {"waiting_for", json::Value::array({"monitor"})}});
    }
  }
  for (const auto& id : in.index.Ids(LogIndex::Kind::kAppeal)) {
    const auto* a = eb.FindAppeal(id);
    if (a == nullptr || a->status != "pending") continue;
    add("appeal_decision", id, a->deadline, a->appellant, policy.governance, {});
  }
  return Page(std::move(rows), in, {"kind", "party", "waiting_for"}, "deadline");
}

// --- dashboard ---

json::Value Dashboard(const QueryInput& in) {
  const MaterialsBook& mb = in.dir.materials();
  std::map<std::string, std::map<std::string, int64_t>> item_totals;  // item -> measure -> n
  std::map<std::string, std::map<std::string, int64_t>> area_released;
  std::map<std::string, std::map<std::string, int64_t>> week_released;
  std::map<std::string, int64_t> projects_by_status, projects_by_area, households_by_area;
  for (const auto& [id, p] : mb.projects()) {
    ++projects_by_status[p.status];
    ++projects_by_area[p.area];
    for (const auto& [item, n] : p.boq) item_totals[item]["approved"] += n;
    for (const auto& [item, n] : p.verified) item_totals[item]["verified"] += n;
  }
  for (const auto& [id, b] : mb.beneficiaries()) {
    ++households_by_area[b.area];
    for (const auto& [item, n] : b.verified) item_totals[item]["verified"] += n;
  }
  for (const auto& [id, c] : mb.consignments()) {
    for (const auto& [item, n] : c.entered) item_totals[item]["entered"] += n;
  }
  for (const auto& [wh, items] : mb.stock()) {
    for (const auto& [item, s] : items) item_totals[item]["in_stock"] += s.book;
  }
  for (const auto& [id, r] : mb.releases()) {
    std::string area;
    if (auto p = mb.projects().find(r.to); p != mb.projects().end()) {
      area = p->second.area;
    } else if (auto b = mb.beneficiaries().find(r.to); b != mb.beneficiaries().end()) {
      area = b->second.area;
    } else if (auto w = mb.warehouses().find(r.warehouse); w != mb.warehouses().end()) {
      area = w->second.area;
    }
    const std::string week = WeekOf(r.logged);
    for (const auto& [item, n] : r.lines) {
      item_totals[item]["released"] += n;
      area_released[area][item] += n;
      week_released[week][item] += n;
    }
  }
  json::Value items = json::Value::array();
  for (const auto& [item, m] : item_totals) {
    json::Value row = {{"item", item}};
    for (const char* k : {"approved", "entered", "in_stock", "released", "verified"}) {
      auto it = m.find(k);
      row[k] = it == m.end() ? 0 : it->second;
    }
    if (auto def = mb.items().find(item); def != mb.items().end()) row["unit"] = def->second.unit;
    items.push_back(std::move(row));
  }
  std::set<std::string> areas;
  for (const auto* m : {&projects_by_area, &households_by_area}) {
    for (const auto& [a, n] : *m) areas.insert(a);
  }
  for (const auto& [a, m] : area_released) areas.insert(a);
  json::Value by_area = json::Value::array();
  for (const auto& a : areas) {
    auto count = [&](const std::map<std::string, int64_t>& m) {
      auto it = m.find(a);
      return it == m.end() ? int64_t{0} : it->second;
    };
    json::Value released = json::Value::object();
    if (auto it = area_released.find(a); it != area_released.end()) {
      for (const auto& [item, n] : it->second) released[item] = n;
    }
    by_area.push_back({{"area", a},
                       {"projects", count(projects_by_area)},
                       {"households", count(households_by_area)},
                       {"released", std::move(released)}});
  }
  json::Value by_week = json::Value::array();
  for (const auto& [week, m] : week_released) {
    json::Value released = json::Value::object();
    for (const auto& [item, n] : m) released[item] = n;
    by_week.push_back({{"week", week}, {"released", std::move(released)}});
  }
  json::Value status = json::Value::object();
  for (const auto& [s, n] : projects_by_status) status[s] = n;
  return {{"totals",
           {{"parties", in.dir.party_count()},
            {"projects", mb.projects().size()},
            {"households", mb.beneficiaries().size()},
            {"warehouses", mb.warehouses().size()},
            {"consignments", mb.consignments().size()},
            {"releases", mb.releases().size()}}},
          {"projects_by_status", std::move(status)},
          {"by_item", std::move(items)},
          {"by_area", std::move(by_area)},
          {"by_week", std::move(by_week)}};
}

}  // namespace

bool SeesAll(std::string_view role) {
  return role == "governor" || role == "authority" || role == "monitor" || role == "auditor" ||
         role == "inspector";
}

Result<json::Value> RunQuery(std::string_view pattern, const QueryInput& in) {
  const Access access = AccessFor(pattern, in.viewer.role);
  if (access == Access::kNone) {
    return Status(ErrorCode::kForbidden,
                  fmt::format("the role \"{}\" may not read {}", in.viewer.role, pattern));
  }
  if (pattern == "/v1/whoami") {
    auto p = in.dir.FindParty(in.viewer.party);
    return json::Value{{"party", in.viewer.party},
                       {"role", in.viewer.role},
                       {"personal_data", in.viewer.personal_data},
                       {"name", p.has_value() ? p->name : std::string()}};
  }
  if (pattern == "/v1/parties" || pattern == "/v1/parties/{id}") {
    if (pattern == "/v1/parties/{id}") {
      auto p = in.dir.FindParty(in.id);
      if (!p.has_value())
        return Status(ErrorCode::kNotFound, fmt::format("no party \"{}\"", in.id));
      return PartyJson(in.id, *p);
    }
    std::vector<json::Value> rows;
    for (const auto& id : in.index.Ids(LogIndex::Kind::kParty)) {
      if (auto p = in.dir.FindParty(id)) rows.push_back(PartyJson(id, *p));
    }
    return Page(std::move(rows), in, {"roles", "status"}, "party");
  }
  if (pattern == "/v1/projects") {
    std::vector<json::Value> rows;
    for (const auto& [id, p] : in.dir.materials().projects()) rows.push_back(ProjectRow(id, p));
    return Page(std::move(rows), in, {"status", "area", "sector", "implementer", "category"},
                "project");
  }
  if (pattern == "/v1/projects/{id}") return ProjectDetail(in);
  if (pattern == "/v1/beneficiaries") return Beneficiaries(in, false);
  if (pattern == "/v1/beneficiaries/{id}") return Beneficiaries(in, true);
  if (pattern == "/v1/warehouses") return Warehouses(in, access);
  if (pattern == "/v1/consignments") return Consignments(in, access);
  if (pattern == "/v1/releases") return Releases(in, access);
  if (pattern == "/v1/funds/flows") return Flows(in, access);
  if (pattern == "/v1/funds/commitments") return Commitments(in, access);
  if (pattern == "/v1/screening/hits") return Hits(in);
  if (pattern == "/v1/alerts") return Alerts(in);
  if (pattern == "/v1/cases") return Cases(in);
  if (pattern == "/v1/appeals") return Appeals(in, access);
  if (pattern == "/v1/pending") return Pending(in, access);
  if (pattern == "/v1/dashboard") return Dashboard(in);
  return Status(ErrorCode::kInternal, fmt::format("no query for {}", pattern));
}

}  // namespace aidtrace::server
