#include "mechanism/views.h"

#include <map>
#include <set>

#include "crypto/note.h"

namespace aidtrace::mechanism {
namespace {

using Quantities = MaterialsBook::Quantities;

int64_t Of(const Quantities& q, std::string_view item) {
  const auto it = q.find(item);
  return it == q.end() ? 0 : it->second;
}

json::Value LocationJson(const MaterialsBook::Location& l) {
  return {{"lat_e6", l.lat_e6}, {"lon_e6", l.lon_e6}};
}

json::Value RoundJson(const MaterialsBook::Round& r) {
  json::Value boq = json::Value::object();
  for (const auto& [item, q] : r.boq_add) boq[item] = q;
  return {{"kind", r.kind},
          {"boq_add", boq},
          {"budget_add", r.budget_add},
          {"approvals", std::vector<std::string>(r.approvals.begin(), r.approvals.end())},
          {"rejections", std::vector<std::string>(r.rejections.begin(), r.rejections.end())},
          {"opened", r.opened},
          {"deadline", r.deadline}};
}

// Per item: the allowance and how far the material has come against it.
json::Value ProgressJson(const Quantities& allowed, const Quantities& allocated,
                         const Quantities& released, const Quantities& verified) {
  std::set<std::string_view> items;
  for (const auto* q : {&allowed, &allocated, &released, &verified}) {
    for (const auto& [item, n] : *q) items.insert(item);
  }
  json::Value out = json::Value::array();
  for (const auto item : items) {
    out.push_back({{"item", item},
                   {"allowed", Of(allowed, item)},
                   {"in_consignments", Of(allocated, item)},
                   {"released", Of(released, item)},
                   {"verified", Of(verified, item)}});
  }
  return out;
}

json::Value CommitmentJson(std::string_view id, const FundsBook::Commitment& c) {
  json::Value conditions = json::Value::array();
  for (const auto& k : c.conditions) {
    conditions.push_back(
        {{"condition", k.condition},
         {"text", k.text},
         {"of", k.of},
         {"k", k.k},
         {"attested", std::vector<std::string>(k.attested.begin(), k.attested.end())},
         {"met", k.met}});
  }
  return {{"commitment", id},        {"donor", c.donor},   {"project", c.project},
          {"currency", c.currency},  {"amount", c.amount}, {"disbursed", c.disbursed},
          {"conditions", conditions}};
}

}  // namespace

std::optional<json::Value> PartyJson(const Directory& d, std::string_view id) {
  const auto party = d.FindParty(id);
  if (!party.has_value()) return std::nullopt;
  json::Value keys = json::Value::array();
  for (const auto& [kid, k] : party->keys) {
    keys.push_back({{"key_id", crypto::KeyIdHex(kid)},
                    {"vkey", crypto::FormatVerifierKey({std::string(id), kid, k.pub})},
                    {"revoked", k.revoked}});
  }
  json::Value v = {{"party", id},           {"name", party->name},
                   {"roles", party->roles}, {"status", party->suspended ? "suspended" : "active"},
                   {"keys", keys},          {"private_seq", party->seq}};
  if (party->suspended) v["suspended_by"] = party->suspended_by;
  json::Value warehouses = json::Value::array();
  for (const auto& [wid, w] : d.materials().warehouses()) {
    if (w.vendor == id) warehouses.push_back(wid);
  }
  if (!warehouses.empty()) v["warehouses"] = warehouses;
  json::Value projects = json::Value::array();
  for (const auto& [pid, p] : d.materials().projects()) {
    if (p.implementer == id) projects.push_back(pid);
  }
  if (!projects.empty()) v["projects"] = projects;
  return v;
}

std::optional<json::Value> ProjectJson(const Directory& d, std::string_view id) {
  const auto& projects = d.materials().projects();
  const auto it = projects.find(id);
  if (it == projects.end()) return std::nullopt;
  const MaterialsBook::Project& p = it->second;
  json::Value v = {{"project", id},
                   {"title", p.title},
                   {"implementer", p.implementer},
                   {"category", p.category},
                   {"sector", p.sector},
                   {"area", p.area},
                   {"location", LocationJson(p.location)},
                   {"status", p.status},
                   {"budget", {{"currency", p.currency}, {"approved", p.budget}}},
                   {"boq", ProgressJson(p.boq, p.allocated, p.released, p.verified)}};
  if (p.round.has_value()) v["pending_round"] = RoundJson(*p.round);
  if (p.failed_round.has_value()) v["rejected_round"] = RoundJson(*p.failed_round);
  if (p.status == "suspended") v["suspended_by"] = p.suspended_by;
  if (auto funds = FundsJson(d, id)) v["funds"] = std::move(*funds);
  json::Value releases = json::Value::array();
  for (const auto& [rid, r] : d.materials().releases()) {
    if (r.to != id) continue;
    json::Value lines = json::Value::object();
    for (const auto& [item, q] : r.lines) lines[item] = q;
    releases.push_back(
        {{"release", rid}, {"warehouse", r.warehouse}, {"logged", r.logged}, {"lines", lines}});
  }
  v["releases"] = releases;
  return v;
}

std::optional<json::Value> WarehouseJson(const Directory& d, std::string_view id) {
  const auto& whs = d.materials().warehouses();
  const auto it = whs.find(id);
  if (it == whs.end()) return std::nullopt;
  json::Value stock = json::Value::array();
  if (const auto s = d.materials().stock().find(id); s != d.materials().stock().end()) {
    for (const auto& [item, st] : s->second) {
      json::Value line = {{"item", item}, {"book", st.book}};
      if (st.last_count.has_value()) {
        const auto& c = *st.last_count;
        line["last_count"] = {{"count", c.count},
                              {"counted", c.quantity},
                              {"book_then", c.book},
                              {"logged", c.logged}};
      }
      stock.push_back(std::move(line));
    }
  }
  return json::Value{{"warehouse", id},
                     {"vendor", it->second.vendor},
                     {"area", it->second.area},
                     {"location", LocationJson(it->second.location)},
                     {"stock", stock}};
}

std::optional<json::Value> BeneficiaryJson(const Directory& d, std::string_view id) {
  const auto& bens = d.materials().beneficiaries();
  const auto it = bens.find(id);
  if (it == bens.end()) return std::nullopt;
  const MaterialsBook::Beneficiary& b = it->second;
  return json::Value{{"beneficiary", id},
                     {"area", b.area},
                     {"household_size", b.household_size},
                     {"damage", b.damage},
                     {"entitlement", ProgressJson(b.entitlement, {}, b.released, b.verified)},
                     {"pii", b.pii},
                     {"private_seq", b.seq}};
}

std::optional<json::Value> FundsJson(const Directory& d, std::string_view id) {
  const FundsBook& f = d.funds();
  const bool is_project = d.materials().projects().contains(id);
  const bool is_party = d.FindParty(id).has_value();
  if (!is_project && !is_party) return std::nullopt;
  json::Value v = json::Value::object();
  if (is_project) {
    json::Value totals = json::Value::object();
    if (const auto pf = f.project_funds().find(id); pf != f.project_funds().end()) {
      for (const auto& [cur, t] : pf->second) {
        totals[cur] = {{"committed", t.committed}, {"disbursed", t.disbursed}, {"paid", t.paid}};
      }
    }
    json::Value commitments = json::Value::array();
    for (const auto& [cid, c] : f.commitments()) {
      if (c.project == id) commitments.push_back(CommitmentJson(cid, c));
    }
    json::Value payments = json::Value::array();
    for (const auto& [pid, p] : f.payments()) {
      if (p.project != id) continue;
      payments.push_back({{"payment", pid},
                          {"payee", p.payee},
                          {"currency", p.currency},
                          {"amount", p.amount},
                          {"invoice", p.invoice}});
    }
    v = {{"project", id}, {"totals", totals}, {"commitments", commitments}, {"payments", payments}};
    return v;
  }
  v["party"] = id;
  if (const auto dt = f.donors().find(id); dt != f.donors().end()) {
    json::Value totals = json::Value::object();
    for (const auto& [cur, t] : dt->second) {
      totals[cur] = {{"pledged", t.pledged}, {"committed", t.committed}};
    }
    v["as_donor"] = totals;
    json::Value commitments = json::Value::array();
    for (const auto& [cid, c] : f.commitments()) {
      if (c.donor == id) commitments.push_back(CommitmentJson(cid, c));
    }
    v["commitments"] = commitments;
  }
  if (const auto h = f.holdings().find(id); h != f.holdings().end()) {
    json::Value held = json::Value::object();
    for (const auto& [project, amounts] : h->second) held[project] = amounts;
    v["holds"] = held;
  }
  if (const auto r = f.received().find(id); r != f.received().end()) v["received"] = r->second;
  return v;
}

json::Value SummaryJson(const Directory& d) {
  const MaterialsBook& m = d.materials();
  std::map<std::string, std::map<std::string, int64_t>> items;  // item -> stage -> quantity
  for (const auto& [id, item] : m.items()) items[id];
  for (const auto& [id, p] : m.projects()) {
    for (const auto& [item, q] : p.boq) items[item]["approved"] += q;
    for (const auto& [item, q] : p.released) items[item]["released"] += q;
    for (const auto& [item, q] : p.verified) items[item]["verified"] += q;
  }
  for (const auto& [id, b] : m.beneficiaries()) {
    for (const auto& [item, q] : b.entitlement) items[item]["approved"] += q;
    for (const auto& [item, q] : b.released) items[item]["released"] += q;
    for (const auto& [item, q] : b.verified) items[item]["verified"] += q;
  }
  for (const auto& [id, c] : m.consignments()) {
    for (const auto& [item, q] : c.entered) items[item]["entered"] += q;
  }
  for (const auto& [wh, books] : m.stock()) {
    for (const auto& [item, st] : books) items[item]["in_stock"] += st.book;
  }
  json::Value materials = json::Value::array();
  for (const auto& [item, stages] : items) {
    const auto it = m.items().find(item);
    json::Value row = {{"item", item}, {"unit", it == m.items().end() ? "" : it->second.unit}};
    for (const char* stage : {"approved", "entered", "in_stock", "released", "verified"}) {
      const auto s = stages.find(stage);
      row[stage] = s == stages.end() ? 0 : s->second;
    }
    materials.push_back(std::move(row));
  }
  const FundsBook& f = d.funds();
  std::map<std::string, std::map<std::string, int64_t>> funds;  // currency -> stage -> amount
  for (const auto& [donor, by] : f.donors()) {
    for (const auto& [cur, t] : by) {
      funds[cur]["pledged"] += t.pledged;
      funds[cur]["committed"] += t.committed;
    }
  }
  for (const auto& [project, by] : f.project_funds()) {
    for (const auto& [cur, t] : by) {
      funds[cur]["disbursed"] += t.disbursed;
      funds[cur]["paid"] += t.paid;
    }
  }
  json::Value money = json::Value::object();
  for (const auto& [cur, stages] : funds) {
    json::Value row = json::Value::object();
    for (const char* stage : {"pledged", "committed", "disbursed", "paid"}) {
      const auto s = stages.find(stage);
      row[stage] = s == stages.end() ? 0 : s->second;
    }
    money[cur] = std::move(row);
  }
  const EnforcementBook& e = d.enforcement();
  json::Value alerts = json::Value::object();
  for (const auto& [id, a] : e.alerts()) {
    json::Value& row = alerts[a.kind];
    if (row.is_null()) row = {{"open", 0}, {"in_case", 0}, {"closed", 0}};
    row[a.status] = row[a.status].get<int64_t>() + 1;
  }
  json::Value hits = json::Value::object();
  for (const auto& [id, h] : e.hits()) {
    hits[h.status] = hits.contains(h.status) ? hits[h.status].get<int64_t>() + 1 : 1;
  }
  json::Value cases = json::Value::object();
  for (const auto& [id, c] : e.cases()) {
    cases[c.status] = cases.contains(c.status) ? cases[c.status].get<int64_t>() + 1 : 1;
  }
  return {{"parties", d.party_count()},
          {"projects", m.projects().size()},
          {"beneficiaries", m.beneficiaries().size()},
          {"warehouses", m.warehouses().size()},
          {"consignments", m.consignments().size()},
          {"releases", m.releases().size()},
          {"materials", materials},
          {"funds", money},
          {"alerts", alerts},
          {"screening_hits", hits},
          {"cases", cases}};
}

}  // namespace aidtrace::mechanism
