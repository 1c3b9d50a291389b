#include "mechanism/funds.h"

#include <algorithm>
#include <initializer_list>

#include <fmt/format.h>

#include "base/checked.h"
#include "base/ids.h"
#include "mechanism/body.h"
#include "mechanism/enforcement.h"
#include "mechanism/materials.h"

namespace aidtrace::mechanism {
namespace {

constexpr size_t kMaxConditions = 16;
constexpr size_t kMaxAttesters = 256;  // our choice: like every other array of ids

using body::Add;
using body::At;
using body::Bad;
using body::Err;
using body::Get;
using body::Id;
using body::Int;
using body::Member;
using body::Money;
using body::MoneyOf;
using body::OnlyMembers;
using body::Text;

Result<std::string> Invoice(const json::Value& v, const std::string& path) {
  return body::String(v, path, 1, 128);
}

// a - b where a >= b >= 0 is an invariant of the book.
int64_t Left(int64_t a, int64_t b) { return CheckedSub(a, b).value_or(0); }

struct ParsedCondition {
  FundsBook::Condition c;
  std::string path;
  std::vector<std::string> of_paths;  // the pointer of each attester, in `of` order
  std::vector<std::string> of_order;  // the attesters as listed
};

Result<ParsedCondition> ConditionOf(const json::Value& v, const std::string& path) {
  ParsedCondition p;
  p.path = path;
  RETURN_IF_ERROR(OnlyMembers(v, path, {"condition", "text", "attesters"}));
  ASSIGN_OR_RETURN(p.c.condition, Get(v, "condition", Id, path));
  ASSIGN_OR_RETURN(p.c.text, Get(v, "text", Text, path));
  const std::string qp = At(path, "attesters");
  ASSIGN_OR_RETURN(const json::Value* q, Member(v, path, "attesters"));
  RETURN_IF_ERROR(OnlyMembers(*q, qp, {"of", "k"}));
  ASSIGN_OR_RETURN(const json::Value* of, Member(*q, qp, "of"));
  const std::string op = At(qp, "of");
  if (!of->is_array()) return Bad(op, "must be an array of party ids");
  if (of->size() > kMaxAttesters) {
    return Status(ErrorCode::kLimit, fmt::format("at most {} attesters", kMaxAttesters), op);
  }
  if (of->empty()) return Bad(op, "must name at least one attester");
  for (size_t i = 0; i < of->size(); ++i) {
    const std::string ip = fmt::format("{}/{}", op, i);
    ASSIGN_OR_RETURN(std::string party, Id((*of)[i], ip));
    if (std::find(p.of_order.begin(), p.of_order.end(), party) != p.of_order.end()) {
      return Bad(ip, fmt::format("attester \"{}\" is listed twice", party));
    }
    p.of_order.push_back(party);
    p.of_paths.push_back(ip);
  }
  ASSIGN_OR_RETURN(const json::Value* k, Member(*q, qp, "k"));
  ASSIGN_OR_RETURN(p.c.k, Int(*k, At(qp, "k"), 1, static_cast<int64_t>(of->size())));
  p.c.of = p.of_order;
  std::sort(p.c.of.begin(), p.c.of.end());
  return p;
}

bool Active(const MaterialsBook::Project& p) { return p.status == "approved"; }
bool Payable(const MaterialsBook::Project& p) {
  return p.status == "approved" || p.status == "completed";
}

const MaterialsBook::Project* FindProject(const EventContext& ctx, std::string_view id) {
  if (ctx.materials == nullptr) return nullptr;
  const auto it = ctx.materials->projects().find(id);
  return it == ctx.materials->projects().end() ? nullptr : &it->second;
}

}  // namespace

std::optional<Status> FundsBook::Apply(const EventContext& ctx) {
  const std::string& type = ctx.env.type;
  if (type == "funds.pledge") return FundsPledge(ctx);
  if (type == "funds.commit") return FundsCommit(ctx);
  if (type == "condition.attest") return ConditionAttest(ctx);
  if (type == "funds.disburse") return FundsDisburse(ctx);
  if (type == "funds.pay") return FundsPay(ctx);
  return std::nullopt;
}

int64_t FundsBook::Held(std::string_view implementer, std::string_view project,
                        std::string_view currency) const {
  const auto i = holdings_.find(implementer);
  if (i == holdings_.end()) return 0;
  const auto p = i->second.find(project);
  if (p == i->second.end()) return 0;
  const auto c = p->second.find(currency);
  return c == p->second.end() ? 0 : c->second;
}

Status FundsBook::FundsPledge(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"pledge", "amount", "purpose"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "pledge", Id));
  ASSIGN_OR_RETURN(const Money amount, Get(b, "amount", MoneyOf));
  ASSIGN_OR_RETURN(std::string purpose, Get(b, "purpose", Text));
  if (pledges_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/pledge",
               fmt::format("pledge \"{}\" already exists: a pledge id is used once", id));
  }
  const std::string& donor = ctx.env.actor;
  int64_t pledged = 0;
  if (const auto d = donors_.find(donor); d != donors_.end()) {
    if (const auto c = d->second.find(amount.currency); c != d->second.end()) {
      pledged = c->second.pledged;
    }
  }
  ASSIGN_OR_RETURN(const int64_t total,
                   Add(pledged, amount.amount, "/body/amount/amount",
                       fmt::format("donor \"{}\"'s pledges in {}", donor, amount.currency)));
  // Mutate.
  donors_[donor][amount.currency].pledged = total;
  pledges_.emplace(id, Pledge{donor, amount.currency, amount.amount, std::move(purpose)});
  return Status::Ok();
}

Status FundsBook::FundsCommit(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"commitment", "project", "amount", "conditions"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "commitment", Id));
  ASSIGN_OR_RETURN(const std::string project_id, Get(b, "project", Id));
  ASSIGN_OR_RETURN(const Money amount, Get(b, "amount", MoneyOf));
  std::vector<ParsedCondition> conditions;
  ASSIGN_OR_RETURN(const json::Value* cs, Member(b, "/body", "conditions", false));
  if (cs != nullptr) {
    if (!cs->is_array()) return Bad("/body/conditions", "must be an array of conditions");
    if (cs->size() > kMaxConditions) {
      return Status(ErrorCode::kLimit, fmt::format("at most {} conditions", kMaxConditions),
                    "/body/conditions");
    }
    for (size_t i = 0; i < cs->size(); ++i) {
      ASSIGN_OR_RETURN(ParsedCondition c,
                       ConditionOf((*cs)[i], fmt::format("/body/conditions/{}", i)));
      for (const ParsedCondition& prev : conditions) {
        if (prev.c.condition == c.c.condition) {
          return Bad(At(c.path, "condition"),
                     fmt::format("condition \"{}\" is listed twice", c.c.condition));
        }
      }
      conditions.push_back(std::move(c));
    }
  }
  if (commitments_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/commitment",
               fmt::format("commitment \"{}\" already exists: a commitment id is used once", id));
  }
  // References.
  const MaterialsBook::Project* project = FindProject(ctx, project_id);
  if (project == nullptr) {
    return Err(ErrorCode::kUnknownRef, "/body/project",
               fmt::format("no project \"{}\" to commit funds to", project_id));
  }
  for (const ParsedCondition& c : conditions) {
    for (size_t i = 0; i < c.of_order.size(); ++i) {
      if (!ctx.party(c.of_order[i]).admitted) {
        return Err(ErrorCode::kUnknownRef, c.of_paths[i],
                   fmt::format("attester \"{}\" of condition \"{}\" is not an admitted party",
                               c.of_order[i], c.c.condition));
      }
    }
  }
  // States.
  if (!Active(*project)) {
    return Err(ErrorCode::kBadState, "/body/project",
               fmt::format("project \"{}\" is {}: funds are committed only to an approved project",
                           project_id, project->status));
  }
  for (const ParsedCondition& c : conditions) {
    for (size_t i = 0; i < c.of_order.size(); ++i) {
      const PartyView v = ctx.party(c.of_order[i]);
      if (v.roles != nullptr && std::all_of(v.roles->begin(), v.roles->end(),
                                            [](const std::string& r) { return r == "auditor"; })) {
        return Err(ErrorCode::kBadState, c.of_paths[i],
                   fmt::format("attester \"{}\" holds only the auditor role, which writes nothing "
                               "of the programme",
                               c.of_order[i]));
      }
    }
  }
  // Amounts: the donor's uncommitted pledges, then the project's budget.
  const std::string& donor = ctx.env.actor;
  DonorTotals totals;
  if (const auto d = donors_.find(donor); d != donors_.end()) {
    if (const auto c = d->second.find(amount.currency); c != d->second.end()) totals = c->second;
  }
  const int64_t uncommitted = Left(totals.pledged, totals.committed);
  if (amount.amount > uncommitted) {
    return Err(ErrorCode::kExceedsBalance, "/body/amount/amount",
               fmt::format("{} {} exceeds the {} {} that donor \"{}\" pledged and has not "
                           "committed",
                           amount.amount, amount.currency, uncommitted, amount.currency, donor));
  }
  if (amount.currency != project->currency) {
    return Err(ErrorCode::kExceedsAllocation, "/body/amount/currency",
               fmt::format("project \"{}\" is budgeted in {}, not {}: it has no budget in {}",
                           project_id, project->currency, amount.currency, amount.currency));
  }
  ProjectFunds pf;
  if (const auto p = project_funds_.find(project_id); p != project_funds_.end()) {
    if (const auto c = p->second.find(amount.currency); c != p->second.end()) pf = c->second;
  }
  const int64_t room = Left(project->budget, std::min(pf.committed, project->budget));
  if (amount.amount > room) {
    return Err(ErrorCode::kExceedsAllocation, "/body/amount/amount",
               fmt::format("{} {} would take project \"{}\"'s commitments past its budget of {} "
                           "({} {} already committed)",
                           amount.amount, amount.currency, project_id, project->budget,
                           pf.committed, amount.currency));
  }
  ASSIGN_OR_RETURN(const int64_t donor_committed,
                   Add(totals.committed, amount.amount, "/body/amount/amount", "commitments"));
  ASSIGN_OR_RETURN(const int64_t project_committed,
                   Add(pf.committed, amount.amount, "/body/amount/amount", "commitments"));
  // Mutate.
  Commitment cm;
  cm.donor = donor;
  cm.project = project_id;
  cm.currency = amount.currency;
  cm.amount = amount.amount;
  for (ParsedCondition& c : conditions) cm.conditions.push_back(std::move(c.c));
  commitments_.emplace(id, std::move(cm));
  donors_[donor][amount.currency].committed = donor_committed;
  project_funds_[project_id][amount.currency].committed = project_committed;
  return Status::Ok();
}

Status FundsBook::ConditionAttest(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"commitment", "condition"}));
  ASSIGN_OR_RETURN(const std::string commitment_id, Get(b, "commitment", Id));
  ASSIGN_OR_RETURN(const std::string condition_id, Get(b, "condition", Id));
  const auto cm = commitments_.find(commitment_id);
  if (cm == commitments_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/commitment",
               fmt::format("no commitment \"{}\"", commitment_id));
  }
  auto& conds = cm->second.conditions;
  const auto c = std::find_if(conds.begin(), conds.end(),
                              [&](const Condition& x) { return x.condition == condition_id; });
  if (c == conds.end()) {
    return Err(
        ErrorCode::kUnknownRef, "/body/condition",
        fmt::format("commitment \"{}\" has no condition \"{}\"", commitment_id, condition_id));
  }
  const std::string& actor = ctx.env.actor;
  if (!std::binary_search(c->of.begin(), c->of.end(), actor)) {
    return Err(ErrorCode::kNotPermitted, "/actor",
               fmt::format("\"{}\" is not among the attesters of condition \"{}\" of commitment "
                           "\"{}\"",
                           actor, condition_id, commitment_id));
  }
  if (c->attested.contains(actor)) {
    return Err(ErrorCode::kBadState, "/actor",
               fmt::format("\"{}\" has already attested condition \"{}\" of commitment \"{}\"",
                           actor, condition_id, commitment_id));
  }
  // Mutate.
  c->attested.insert(actor);
  if (static_cast<int64_t>(c->attested.size()) >= c->k) c->met = true;
  return Status::Ok();
}

Status FundsBook::FundsDisburse(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"disbursement", "commitment", "to", "amount"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "disbursement", Id));
  ASSIGN_OR_RETURN(const std::string commitment_id, Get(b, "commitment", Id));
  ASSIGN_OR_RETURN(const std::string to, Get(b, "to", Id));
  ASSIGN_OR_RETURN(const Money amount, Get(b, "amount", MoneyOf));
  if (disbursements_.contains(id)) {
    return Err(
        ErrorCode::kBadState, "/body/disbursement",
        fmt::format("disbursement \"{}\" already exists: a disbursement id is used once", id));
  }
  // References.
  const auto cm_it = commitments_.find(commitment_id);
  if (cm_it == commitments_.end()) {
    return Err(ErrorCode::kUnknownRef, "/body/commitment",
               fmt::format("no commitment \"{}\"", commitment_id));
  }
  const Commitment& cm = cm_it->second;
  const PartyView recipient = ctx.party(to);
  if (!recipient.admitted) {
    return Err(ErrorCode::kUnknownRef, "/body/to",
               fmt::format("\"{}\" is not an admitted party", to));
  }
  // Permission.
  if (ctx.env.actor != cm.donor) {
    return Err(ErrorCode::kNotPermitted, "/actor",
               fmt::format("\"{}\" is not the donor of commitment \"{}\" (\"{}\" is)",
                           ctx.env.actor, commitment_id, cm.donor));
  }
  // States.
  const MaterialsBook::Project* project = FindProject(ctx, cm.project);
  if (project == nullptr) {
    return Err(ErrorCode::kUnknownRef, "/body/commitment",
               fmt::format("the project \"{}\" of commitment \"{}\" is unknown", cm.project,
                           commitment_id));
  }
  if (to != project->implementer) {
    return Err(ErrorCode::kBadState, "/body/to",
               fmt::format("\"{}\" is not the implementer of project \"{}\" (\"{}\" is)", to,
                           cm.project, project->implementer));
  }
  if (!Payable(*project)) {
    return Err(ErrorCode::kBadState, "/body/commitment",
               fmt::format("project \"{}\" is {}: funds are disbursed only to an approved or "
                           "completed project",
                           cm.project, project->status));
  }
  if (recipient.suspended) {
    return Err(
        ErrorCode::kPartySuspended, "/body/to",
        fmt::format("\"{}\" is suspended: nothing is disbursed to a suspended party (rule 5)", to));
  }
  // Amounts.
  const int64_t undisbursed = amount.currency == cm.currency ? Left(cm.amount, cm.disbursed) : 0;
  if (amount.amount > undisbursed) {
    return Err(
        ErrorCode::kExceedsCommitment,
        amount.currency == cm.currency ? "/body/amount/amount" : "/body/amount/currency",
        fmt::format("{} {} exceeds the {} {} committed by \"{}\" and not yet disbursed "
                    "(rule 5)",
                    amount.amount, amount.currency, undisbursed, amount.currency, commitment_id));
  }
  // Screening.
  if (SubjectBlocked(ctx, to)) {
    return Err(ErrorCode::kScreeningBlocked, "/body/to",
               fmt::format("\"{}\" is blocked by a screening hit: nothing is disbursed to it "
                           "(rule 6)",
                           to));
  }
  // Conditions.
  for (const Condition& c : cm.conditions) {
    if (!c.met) {
      return Err(ErrorCode::kConditionUnmet, "/body/commitment",
                 fmt::format("condition \"{}\" of commitment \"{}\" is not met: {} of {} "
                             "attesters have attested, {} must",
                             c.condition, commitment_id, c.attested.size(), c.of.size(), c.k));
    }
  }
  ProjectFunds pf;
  if (const auto p = project_funds_.find(cm.project); p != project_funds_.end()) {
    if (const auto c = p->second.find(amount.currency); c != p->second.end()) pf = c->second;
  }
  const int64_t held = Held(to, cm.project, amount.currency);
  ASSIGN_OR_RETURN(const int64_t cm_disbursed,
                   Add(cm.disbursed, amount.amount, "/body/amount/amount", "disbursements"));
  ASSIGN_OR_RETURN(const int64_t project_disbursed,
                   Add(pf.disbursed, amount.amount, "/body/amount/amount", "disbursements"));
  ASSIGN_OR_RETURN(const int64_t new_held,
                   Add(held, amount.amount, "/body/amount/amount", "the holding"));
  // Mutate.
  cm_it->second.disbursed = cm_disbursed;
  project_funds_[cm.project][amount.currency].disbursed = project_disbursed;
  holdings_[to][cm.project][amount.currency] = new_held;
  disbursements_.emplace(id, Disbursement{commitment_id, to, amount.currency, amount.amount});
  return Status::Ok();
}

Status FundsBook::FundsPay(const EventContext& ctx) {
  const json::Value& b = ctx.body;
  RETURN_IF_ERROR(OnlyMembers(b, "/body", {"payment", "project", "payee", "amount", "invoice"}));
  ASSIGN_OR_RETURN(const std::string id, Get(b, "payment", Id));
  ASSIGN_OR_RETURN(const std::string project_id, Get(b, "project", Id));
  ASSIGN_OR_RETURN(const std::string payee, Get(b, "payee", Id));
  ASSIGN_OR_RETURN(const Money amount, Get(b, "amount", MoneyOf));
  ASSIGN_OR_RETURN(std::string invoice, Get(b, "invoice", Invoice));
  if (payments_.contains(id)) {
    return Err(ErrorCode::kBadState, "/body/payment",
               fmt::format("payment \"{}\" already exists: a payment id is used once", id));
  }
  // References.
  const MaterialsBook::Project* project = FindProject(ctx, project_id);
  if (project == nullptr) {
    return Err(ErrorCode::kUnknownRef, "/body/project",
               fmt::format("no project \"{}\"", project_id));
  }
  const PartyView p = ctx.party(payee);
  if (!p.admitted) {
    return Err(ErrorCode::kUnknownRef, "/body/payee",
               fmt::format("payee \"{}\" is not an admitted party", payee));
  }
  // Permission.
  const std::string& actor = ctx.env.actor;
  if (actor != project->implementer) {
    return Err(ErrorCode::kNotPermitted, "/actor",
               fmt::format("\"{}\" is not the implementer of project \"{}\" (\"{}\" is)", actor,
                           project_id, project->implementer));
  }
  // States.
  if (!Payable(*project)) {
    return Err(ErrorCode::kBadState, "/body/project",
               fmt::format("project \"{}\" is {}: payments are made only for an approved or "
                           "completed project",
                           project_id, project->status));
  }
  if (!p.Has("vendor") && !p.Has("implementer")) {
    return Err(ErrorCode::kBadState, "/body/payee",
               fmt::format("payee \"{}\" is neither a vendor nor an implementer", payee));
  }
  if (p.suspended) {
    return Err(ErrorCode::kPartySuspended, "/body/payee",
               fmt::format("payee \"{}\" is suspended: nothing is paid to a suspended party "
                           "(rule 5)",
                           payee));
  }
  // Amounts.
  const int64_t held = Held(actor, project_id, amount.currency);
  if (amount.amount > held) {
    return Err(
        ErrorCode::kExceedsBalance, "/body/amount/amount",
        fmt::format("{} {} exceeds the {} {} that \"{}\" holds for project \"{}\" "
                    "(disbursed minus paid; rule 5)",
                    amount.amount, amount.currency, held, amount.currency, actor, project_id));
  }
  // Screening.
  if (SubjectBlocked(ctx, payee)) {
    return Err(ErrorCode::kScreeningBlocked, "/body/payee",
               fmt::format("payee \"{}\" is blocked by a screening hit: nothing is paid to it "
                           "(rules 5, 6)",
                           payee));
  }
  int64_t paid = 0;
  if (const auto pf = project_funds_.find(project_id); pf != project_funds_.end()) {
    if (const auto c = pf->second.find(amount.currency); c != pf->second.end()) {
      paid = c->second.paid;
    }
  }
  int64_t got = 0;
  if (const auto r = received_.find(payee); r != received_.end()) {
    if (const auto c = r->second.find(amount.currency); c != r->second.end()) got = c->second;
  }
  ASSIGN_OR_RETURN(const int64_t new_paid,
                   Add(paid, amount.amount, "/body/amount/amount", "the project's payments"));
  ASSIGN_OR_RETURN(const int64_t new_got,
                   Add(got, amount.amount, "/body/amount/amount", "the payee's receipts"));
  // Mutate.
  holdings_[actor][project_id][amount.currency] = held - amount.amount;
  project_funds_[project_id][amount.currency].paid = new_paid;
  received_[payee][amount.currency] = new_got;
  payments_.emplace(id,
                    Payment{project_id, payee, amount.currency, amount.amount, std::move(invoice)});
  return Status::Ok();
}

// ---- Snapshot ----

json::Value FundsBook::Snapshot() const {
  json::Value out = json::Value::object();
  json::Value pledges = json::Value::object();
  for (const auto& [id, p] : pledges_) {
    pledges[id] = {
        {"donor", p.donor}, {"currency", p.currency}, {"amount", p.amount}, {"purpose", p.purpose}};
  }
  json::Value donors = json::Value::object();
  for (const auto& [donor, by] : donors_) {
    json::Value d = json::Value::object();
    for (const auto& [cur, t] : by) d[cur] = {{"pledged", t.pledged}, {"committed", t.committed}};
    donors[donor] = std::move(d);
  }
  json::Value commitments = json::Value::object();
  for (const auto& [id, c] : commitments_) {
    json::Value conds = json::Value::array();
    for (const auto& x : c.conditions) {
      conds.push_back({{"condition", x.condition},
                       {"text", x.text},
                       {"of", x.of},
                       {"k", x.k},
                       {"attested", std::vector<std::string>(x.attested.begin(), x.attested.end())},
                       {"met", x.met}});
    }
    commitments[id] = {{"donor", c.donor},         {"project", c.project},
                       {"currency", c.currency},   {"amount", c.amount},
                       {"disbursed", c.disbursed}, {"conditions", std::move(conds)}};
  }
  json::Value projects = json::Value::object();
  for (const auto& [project, by] : project_funds_) {
    json::Value p = json::Value::object();
    for (const auto& [cur, f] : by) {
      p[cur] = {{"committed", f.committed}, {"disbursed", f.disbursed}, {"paid", f.paid}};
    }
    projects[project] = std::move(p);
  }
  json::Value holdings = json::Value::object();
  for (const auto& [impl, by_project] : holdings_) {
    json::Value h = json::Value::object();
    for (const auto& [project, amounts] : by_project) {
      json::Value a = json::Value::object();
      for (const auto& [cur, n] : amounts) a[cur] = n;
      h[project] = std::move(a);
    }
    holdings[impl] = std::move(h);
  }
  json::Value received = json::Value::object();
  for (const auto& [payee, amounts] : received_) {
    json::Value a = json::Value::object();
    for (const auto& [cur, n] : amounts) a[cur] = n;
    received[payee] = std::move(a);
  }
  json::Value disbursements = json::Value::object();
  for (const auto& [id, d] : disbursements_) {
    disbursements[id] = {
        {"commitment", d.commitment}, {"to", d.to}, {"currency", d.currency}, {"amount", d.amount}};
  }
  json::Value payments = json::Value::object();
  for (const auto& [id, p] : payments_) {
    payments[id] = {{"project", p.project},
                    {"payee", p.payee},
                    {"currency", p.currency},
                    {"amount", p.amount},
                    {"invoice", p.invoice}};
  }
  out["pledges"] = std::move(pledges);
  out["donors"] = std::move(donors);
  out["commitments"] = std::move(commitments);
  out["projects"] = std::move(projects);
  out["holdings"] = std::move(holdings);
  out["received"] = std::move(received);
  out["disbursements"] = std::move(disbursements);
  out["payments"] = std::move(payments);
  return out;
}

Status FundsBook::Restore(const json::Value& snapshot) {
  auto corrupt = [](std::string why) {
    return Status(ErrorCode::kCorrupt, "state snapshot: funds book: " + std::move(why));
  };
  if (!snapshot.is_object()) return corrupt("malformed book");
  FundsBook b;
  // An empty object is the book of a log without any of its events.
  if (snapshot.empty()) {
    *this = std::move(b);
    return Status::Ok();
  }
  try {
    for (const auto& [id, p] : snapshot.at("pledges").items()) {
      b.pledges_.emplace(
          id, Pledge{p.at("donor").get<std::string>(), p.at("currency").get<std::string>(),
                     p.at("amount").get<int64_t>(), p.at("purpose").get<std::string>()});
    }
    for (const auto& [donor, by] : snapshot.at("donors").items()) {
      auto& d = b.donors_[donor];
      for (const auto& [cur, t] : by.items()) {
        d[cur] = DonorTotals{t.at("pledged").get<int64_t>(), t.at("committed").get<int64_t>()};
      }
    }
    for (const auto& [id, c] : snapshot.at("commitments").items()) {
      Commitment cm;
      cm.donor = c.at("donor").get<std::string>();
      cm.project = c.at("project").get<std::string>();
      cm.currency = c.at("currency").get<std::string>();
      cm.amount = c.at("amount").get<int64_t>();
      cm.disbursed = c.at("disbursed").get<int64_t>();
      for (const auto& x : c.at("conditions")) {
        Condition cond;
        cond.condition = x.at("condition").get<std::string>();
        cond.text = x.at("text").get<std::string>();
        cond.of = x.at("of").get<std::vector<std::string>>();
        cond.k = x.at("k").get<int64_t>();
        for (const auto& a : x.at("attested")) cond.attested.insert(a.get<std::string>());
        cond.met = x.at("met").get<bool>();
        cm.conditions.push_back(std::move(cond));
      }
      b.commitments_.emplace(id, std::move(cm));
    }
    for (const auto& [project, by] : snapshot.at("projects").items()) {
      auto& p = b.project_funds_[project];
      for (const auto& [cur, f] : by.items()) {
        p[cur] = ProjectFunds{f.at("committed").get<int64_t>(), f.at("disbursed").get<int64_t>(),
                              f.at("paid").get<int64_t>()};
      }
    }
    for (const auto& [impl, by_project] : snapshot.at("holdings").items()) {
      auto& h = b.holdings_[impl];
      for (const auto& [project, amounts] : by_project.items()) {
        auto& a = h[project];
        for (const auto& [cur, n] : amounts.items()) a[cur] = n.get<int64_t>();
      }
    }
    for (const auto& [payee, amounts] : snapshot.at("received").items()) {
      auto& a = b.received_[payee];
      for (const auto& [cur, n] : amounts.items()) a[cur] = n.get<int64_t>();
    }
    for (const auto& [id, d] : snapshot.at("disbursements").items()) {
      b.disbursements_.emplace(
          id, Disbursement{d.at("commitment").get<std::string>(), d.at("to").get<std::string>(),
                           d.at("currency").get<std::string>(), d.at("amount").get<int64_t>()});
    }
    for (const auto& [id, p] : snapshot.at("payments").items()) {
      b.payments_.emplace(
          id, Payment{p.at("project").get<std::string>(), p.at("payee").get<std::string>(),
                      p.at("currency").get<std::string>(), p.at("amount").get<int64_t>(),
                      p.at("invoice").get<std::string>()});
    }
    for (const auto& [id, d] : b.disbursements_) {
      if (!b.commitments_.contains(d.commitment)) {
        return corrupt("disbursement " + id + " of an unknown commitment");
      }
    }
  } catch (const json::Value::exception& e) {
    return corrupt(e.what());
  }
  *this = std::move(b);
  return Status::Ok();
}

}  // namespace aidtrace::mechanism
