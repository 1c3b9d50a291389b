#include "mechanism/enforcement.h"

#include <array>
#include <set>

#include <fmt/format.h>

#include "base/checked.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "mechanism/body.h"
#include "mechanism/materials.h"

namespace aidtrace::mechanism {
namespace {

constexpr int64_t kMaxInt = kMaxJsonInt;

using body::Bad;

// The members of one body object, checked against its field table.
class Fields {
 public:
  Fields(const json::Value& obj, std::string at) : obj_(obj), at_(std::move(at)) {}

  // Fails unless obj is an object with no member outside `allowed`.
  Status Only(std::initializer_list<std::string_view> allowed) const {
    if (!obj_.is_object()) return Bad(at_.empty() ? "/" : at_, "must be an object");
    for (const auto& [k, v] : obj_.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        return Bad(body::At(at_, k), fmt::format("unknown member \"{}\"", k));
      }
    }
    return Status::Ok();
  }
  bool Has(std::string_view key) const { return obj_.find(key) != obj_.end(); }
  std::string Path(std::string_view key) const { return body::At(at_, key); }

  const json::Value* Get(std::string_view key) const {
    const auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }

  // A string of min..max bytes (longer: limit).
  Result<std::string> String(std::string_view key, size_t min, size_t max,
                             std::string_view what) const {
    const json::Value* v = Get(key);
    if (v == nullptr) return Bad(Path(key), fmt::format("missing \"{}\" ({})", key, what));
    if (!v->is_string()) return Bad(Path(key), fmt::format("\"{}\" must be a string", key));
    std::string s = v->get<std::string>();
    if (s.size() > max) {
      return Status(ErrorCode::kLimit,
                    fmt::format("\"{}\" is {} bytes; at most {}", key, s.size(), max), Path(key));
    }
    if (s.size() < min) return Bad(Path(key), fmt::format("\"{}\" must not be empty", key));
    return s;
  }
  Result<std::string> Text(std::string_view key) const { return String(key, 1, 4096, "text"); }
  Result<std::string> Id(std::string_view key) const {
    ASSIGN_OR_RETURN(std::string s, String(key, 0, 1 << 20, "an id"));
    if (!IsValidId(s)) {
      return Bad(Path(key),
                 fmt::format("\"{}\" is not a valid id ([a-z0-9][a-z0-9._-]{{0,63}})", key));
    }
    return s;
  }
  Result<std::string> Enum(std::string_view key, std::initializer_list<std::string_view> values,
                           std::string_view listed) const {
    ASSIGN_OR_RETURN(std::string s, String(key, 0, 1 << 20, listed));
    if (std::find(values.begin(), values.end(), s) == values.end()) {
      return Bad(Path(key), fmt::format("\"{}\" must be one of {}", key, listed));
    }
    return s;
  }
  Result<int64_t> Integer(std::string_view key, int64_t min, int64_t max) const {
    const json::Value* v = Get(key);
    if (v == nullptr) return Bad(Path(key), fmt::format("missing \"{}\"", key));
    if (!v->is_number_integer()) {
      return Bad(Path(key), fmt::format("\"{}\" must be an integer", key));
    }
    bool in_range = false;
    int64_t n = 0;
    if (v->is_number_unsigned()) {
      const uint64_t u = v->get<uint64_t>();
      in_range = u <= static_cast<uint64_t>(max);
      n = in_range ? static_cast<int64_t>(u) : 0;
    } else {
      n = v->get<int64_t>();
      in_range = true;
    }
    if (!in_range || n < min || n > max) {
      return Bad(Path(key), fmt::format("\"{}\" must be an integer in {}..{}", key, min, max));
    }
    return n;
  }
  // An array of at most `max` entries (more: limit).
  Result<const json::Value*> Array(std::string_view key, size_t max) const {
    const json::Value* v = Get(key);
    if (v == nullptr) return Bad(Path(key), fmt::format("missing \"{}\"", key));
    if (!v->is_array()) return Bad(Path(key), fmt::format("\"{}\" must be an array", key));
    if (v->size() > max) {
      return Status(ErrorCode::kLimit,
                    fmt::format("\"{}\" has {} entries; at most {}", key, v->size(), max),
                    Path(key));
    }
    return v;
  }

 private:
  const json::Value& obj_;
  std::string at_;
};

bool IsHash(std::string_view s) {
  constexpr std::string_view kPrefix = "sha256:";
  if (s.size() != kPrefix.size() + 64 || s.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char c : s.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> HashField(const Fields& f, std::string_view key) {
  ASSIGN_OR_RETURN(std::string s, f.String(key, 0, 1 << 20, "a hash"));
  if (!IsHash(s)) {
    return Bad(f.Path(key),
               fmt::format("\"{}\" must be sha256: and 64 lower-case hex digits", key));
  }
  return s;
}

std::string Deadline(const EventContext& ctx) { return body::Deadline(ctx.logged, ctx.policy); }
using body::EventId;

Status Unknown(std::string path, std::string msg) {
  return Status(ErrorCode::kUnknownRef, std::move(msg), std::move(path));
}
Status BadState(std::string path, std::string msg) {
  return Status(ErrorCode::kBadState, std::move(msg), std::move(path));
}

}  // namespace

std::optional<Status> EnforcementBook::Apply(const EventContext& ctx) {
  const std::string& type = ctx.env.type;
  Status s;
  if (type == "watchlist.load") {
    s = WatchlistLoad(ctx);
  } else if (type == "screening.hit") {
    s = ScreeningHit(ctx);
  } else if (type == "screening.clear") {
    s = ScreeningDecide(ctx, false);
  } else if (type == "screening.confirm") {
    s = ScreeningDecide(ctx, true);
  } else if (type == "alert.raise") {
    s = AlertRaise(ctx);
  } else if (type == "case.open") {
    s = CaseOpen(ctx);
  } else if (type == "case.note") {
    s = CaseNote(ctx);
  } else if (type == "case.close") {
    s = CaseClose(ctx);
  } else if (type == "appeal.file") {
    s = AppealFile(ctx);
  } else if (type == "appeal.decide") {
    s = AppealDecide(ctx);
  } else {
    return std::nullopt;
  }
  if (s.ok()) events_.emplace(EventId(ctx.env), type);
  return s;
}

Status EnforcementBook::WatchlistLoad(const EventContext& ctx) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"list", "version", "sha256", "entries"}));
  ASSIGN_OR_RETURN(std::string list, f.Id("list"));
  ASSIGN_OR_RETURN(std::string version, f.String("version", 1, 64, "1..64 bytes"));
  ASSIGN_OR_RETURN(std::string sha, HashField(f, "sha256"));
  ASSIGN_OR_RETURN(int64_t entries, f.Integer("entries", 0, kMaxInt));
  if (const auto it = lists_.find(list); it != lists_.end()) {
    for (const auto& v : it->second.versions) {
      if (v.version == version) {
        return BadState("/body/version", fmt::format("version \"{}\" of list \"{}\" is already "
                                                     "loaded",
                                                     version, list));
      }
    }
  }
  lists_[list].versions.push_back(ListVersion{version, sha, entries, ctx.seq});
  return Status::Ok();
}

Status EnforcementBook::ScreeningHit(const EventContext& ctx) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"hit", "subject", "list", "entry", "score", "algorithm", "explanation",
                          "entry_hash", "subject_hash", "reopens"}));
  ASSIGN_OR_RETURN(std::string id, f.Id("hit"));
  ASSIGN_OR_RETURN(std::string subject, f.Id("subject"));
  ASSIGN_OR_RETURN(std::string list, f.Id("list"));
  ASSIGN_OR_RETURN(std::string entry, f.String("entry", 1, 128, "1..128 bytes"));
  ASSIGN_OR_RETURN(int64_t score, f.Integer("score", 0, 1000));
  ASSIGN_OR_RETURN(std::string algorithm, f.Id("algorithm"));
  RETURN_IF_ERROR(f.Text("explanation").status());
  std::string entry_hash, subject_hash, reopens;
  if (f.Has("entry_hash")) {
    ASSIGN_OR_RETURN(entry_hash, HashField(f, "entry_hash"));
  }
  if (f.Has("subject_hash")) {
    ASSIGN_OR_RETURN(subject_hash, HashField(f, "subject_hash"));
  }
  if (f.Has("reopens")) {
    ASSIGN_OR_RETURN(reopens, f.Id("reopens"));
  }
  if (!lists_.contains(list)) {
    return Unknown("/body/list", fmt::format("no watch list \"{}\" is loaded", list));
  }
  if (hits_.contains(id)) return BadState("/body/hit", fmt::format("hit \"{}\" exists", id));
  if (!reopens.empty()) {
    // A cleared hit reopens when the entry or the subject changed since it was cleared.
    const auto old = hits_.find(reopens);
    if (old == hits_.end()) {
      return Unknown("/body/reopens", fmt::format("no hit \"{}\"", reopens));
    }
    const Hit& o = old->second;
    if (o.subject != subject || o.list != list || o.entry != entry) {
      return BadState("/body/reopens",
                      fmt::format("hit \"{}\" is about another subject or entry", reopens));
    }
    if (o.status != "cleared") {
      return BadState("/body/reopens",
                      fmt::format("hit \"{}\" is {}, not cleared", reopens, o.status));
    }
    if (o.entry_hash == entry_hash && o.subject_hash == subject_hash) {
      return BadState("/body/reopens",
                      fmt::format("neither the entry nor the subject changed since hit \"{}\" "
                                  "was cleared",
                                  reopens));
    }
  }
  Hit hit{subject, list, entry, algorithm, score, "below_review", "", "", "", "", ""};
  hit.entry_hash = std::move(entry_hash);
  hit.subject_hash = std::move(subject_hash);
  hit.reopens = std::move(reopens);
  if (score >= ctx.policy.review_at) {
    hit.status = "open";
    hit.deadline = Deadline(ctx);
  }
  hits_.emplace(id, std::move(hit));
  hits_by_subject_[subject].push_back(id);
  return Status::Ok();
}

Status EnforcementBook::ScreeningDecide(const EventContext& ctx, bool confirm) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"hit", "reason"}));
  ASSIGN_OR_RETURN(std::string id, f.Id("hit"));
  RETURN_IF_ERROR(f.Text("reason").status());
  const auto it = hits_.find(id);
  if (it == hits_.end()) return Unknown("/body/hit", fmt::format("no hit \"{}\"", id));
  Hit& hit = it->second;
  const auto& sigs = ctx.env.sigs;
  for (size_t i = 0; i < sigs.size(); ++i) {
    if (!ctx.party(sigs[i].signer).Has("monitor")) {
      return Status(ErrorCode::kNotPermitted,
                    fmt::format("\"{}\" is not a monitor: only monitors sign {}", sigs[i].signer,
                                ctx.env.type),
                    i == 0 ? "/actor" : fmt::format("/sigs/{}/signer", i));
    }
  }
  // A party signs an envelope at most once, so the signers are distinct.
  if (hit.score >= ctx.policy.four_eyes_at && sigs.size() < 2) {
    return Status(ErrorCode::kQuorumNotMet,
                  fmt::format("hit \"{}\" scores {} >= four_eyes_at {}: two distinct monitors "
                              "must sign; signed by {}",
                              id, hit.score, ctx.policy.four_eyes_at, sigs.size()),
                  "/sigs");
  }
  if (hit.status == "cleared" || hit.status == "confirmed") {
    return BadState("/body/hit", fmt::format("hit \"{}\" is already {}", id, hit.status));
  }
  const std::string event_id = EventId(ctx.env);
  hit.status = confirm ? "confirmed" : "cleared";
  hit.deadline.clear();
  hit.decision = event_id;
  if (confirm) {
    confirms_.emplace(event_id, id);
    const PartyView p = ctx.party(hit.subject);
    if (p.admitted && !p.suspended) ctx.set_suspended(hit.subject, true);
  }
  return Status::Ok();
}

bool EnforcementBook::KnownSubject(const EventContext& ctx, std::string_view id) const {
  if (ctx.party(id).admitted || hits_.contains(id) || alerts_.contains(id) || cases_.contains(id) ||
      appeals_.contains(id)) {
    return true;
  }
  const MaterialsBook* m = ctx.materials;
  return m != nullptr && (m->projects().contains(id) || m->warehouses().contains(id) ||
                          m->beneficiaries().contains(id) || m->consignments().contains(id) ||
                          m->items().contains(id));
}

Status EnforcementBook::AlertRaise(const EventContext& ctx) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"alert", "kind", "subject", "severity", "evidence", "detail"}));
  ASSIGN_OR_RETURN(std::string id, f.Id("alert"));
  ASSIGN_OR_RETURN(
      std::string kind,
      f.Enum("kind",
             {"stock_mismatch", "release_unverified", "verified_short", "duplicate_household",
              "entitlement_spread", "structuring", "volume_jump", "payment_without_delivery",
              "watchlist_match", "decision_overdue", "other"},
             "stock_mismatch, release_unverified, verified_short, "
             "duplicate_household, entitlement_spread, structuring, volume_jump, "
             "payment_without_delivery, watchlist_match, decision_overdue, other"));
  ASSIGN_OR_RETURN(std::string subject, f.Id("subject"));
  ASSIGN_OR_RETURN(std::string severity, f.Enum("severity", {"low", "medium", "high", "critical"},
                                                "low, medium, high, critical"));
  ASSIGN_OR_RETURN(const json::Value* evidence, f.Array("evidence", 64));
  ASSIGN_OR_RETURN(std::string detail, f.Text("detail"));
  std::vector<std::string> ev;
  for (size_t i = 0; i < evidence->size(); ++i) {
    const json::Value& e = (*evidence)[i];
    if (!e.is_string() || !IsHash(e.get<std::string>())) {
      return Bad(fmt::format("/body/evidence/{}", i),
                 "evidence must be event ids (sha256: and 64 lower-case hex digits)");
    }
    ev.push_back(e.get<std::string>());
  }
  if (!KnownSubject(ctx, subject)) {
    return Unknown("/body/subject",
                   fmt::format("\"{}\" is no party, project, warehouse, beneficiary, "
                               "consignment, item, hit, alert, case or appeal of the state",
                               subject));
  }
  if (alerts_.contains(id)) return BadState("/body/alert", fmt::format("alert \"{}\" exists", id));
  alerts_.emplace(id, Alert{kind, subject, severity, detail, std::move(ev), "open", ""});
  return Status::Ok();
}

Status EnforcementBook::CaseOpen(const EventContext& ctx) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"case", "alerts"}));
  ASSIGN_OR_RETURN(std::string id, f.Id("case"));
  ASSIGN_OR_RETURN(const json::Value* list, f.Array("alerts", 256));
  std::vector<std::string> alerts;
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const json::Value& a = (*list)[i];
    const std::string p = fmt::format("/body/alerts/{}", i);
    if (!a.is_string() || !IsValidId(a.get<std::string>())) return Bad(p, "not an alert id");
    if (!seen.insert(a.get<std::string>()).second) return Bad(p, "alert listed twice");
    alerts.push_back(a.get<std::string>());
  }
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (!alerts_.contains(alerts[i])) {
      return Unknown(fmt::format("/body/alerts/{}", i), fmt::format("no alert \"{}\"", alerts[i]));
    }
  }
  for (size_t i = 0; i < alerts.size(); ++i) {
    const Alert& a = alerts_.find(alerts[i])->second;
    if (a.status != "open") {
      return BadState(fmt::format("/body/alerts/{}", i),
                      fmt::format("alert \"{}\" is {}{}", alerts[i], a.status,
                                  a.case_id.empty() ? "" : " (case " + a.case_id + ")"));
    }
  }
  if (cases_.contains(id)) return BadState("/body/case", fmt::format("case \"{}\" exists", id));
  for (const auto& a : alerts) {
    Alert& alert = alerts_.find(a)->second;
    alert.status = "in_case";
    alert.case_id = id;
  }
  cases_.emplace(id, Case{std::move(alerts), {}, "open", "", {}, Deadline(ctx)});
  return Status::Ok();
}

Status EnforcementBook::CaseNote(const EventContext& ctx) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"case", "text"}));
  ASSIGN_OR_RETURN(std::string id, f.Id("case"));
  ASSIGN_OR_RETURN(std::string text, f.Text("text"));
  const auto it = cases_.find(id);
  if (it == cases_.end()) return Unknown("/body/case", fmt::format("no case \"{}\"", id));
  if (it->second.status == "closed") {
    return BadState("/body/case", fmt::format("case \"{}\" is closed", id));
  }
  it->second.notes.push_back(Note{ctx.env.actor, std::string(ctx.logged), std::move(text)});
  return Status::Ok();
}

Status EnforcementBook::CaseClose(const EventContext& ctx) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"case", "finding", "actions"}));
  ASSIGN_OR_RETURN(std::string id, f.Id("case"));
  ASSIGN_OR_RETURN(std::string finding,
                   f.Enum("finding", {"substantiated", "unfounded"}, "substantiated, unfounded"));
  ASSIGN_OR_RETURN(const json::Value* list, f.Array("actions", 32));
  std::vector<Action> actions;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string at = fmt::format("/body/actions/{}", i);
    const Fields a((*list)[i], at);
    RETURN_IF_ERROR(a.Only({"action", "party", "amount", "note"}));
    Action act;
    ASSIGN_OR_RETURN(act.action, a.Enum("action", {"suspend", "recover", "refer", "warn"},
                                        "suspend, recover, refer, warn"));
    ASSIGN_OR_RETURN(act.party, a.Id("party"));
    if (a.Has("amount")) {
      const Fields m(*a.Get("amount"), at + "/amount");
      RETURN_IF_ERROR(m.Only({"currency", "amount"}));
      ASSIGN_OR_RETURN(std::string cur, m.String("currency", 0, 1 << 20, "3 upper-case letters"));
      if (cur.size() != 3 ||
          !std::all_of(cur.begin(), cur.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        return Bad(at + "/amount/currency", "currency must be 3 upper-case letters");
      }
      ASSIGN_OR_RETURN(act.amount, m.Integer("amount", 1, kMaxInt));
      act.currency = cur;
    } else if (act.action == "recover") {
      return Bad(at + "/amount", "a recover action needs an amount");
    }
    if (a.Has("note")) {
      ASSIGN_OR_RETURN(act.note, a.Text("note"));
    }
    actions.push_back(std::move(act));
  }
  if (finding == "unfounded" && !actions.empty()) {
    return Bad("/body/actions", "an unfounded finding decides no actions");
  }
  const auto it = cases_.find(id);
  if (it == cases_.end()) return Unknown("/body/case", fmt::format("no case \"{}\"", id));
  for (size_t i = 0; i < actions.size(); ++i) {
    if (!ctx.party(actions[i].party).admitted) {
      return Unknown(fmt::format("/body/actions/{}/party", i),
                     fmt::format("no party \"{}\"", actions[i].party));
    }
  }
  Case& c = it->second;
  if (c.status == "closed") return BadState("/body/case", fmt::format("case \"{}\" is closed", id));
  c.status = "closed";
  c.deadline.clear();
  c.finding = std::move(finding);
  c.actions = std::move(actions);
  for (const auto& a : c.alerts) {
    if (auto al = alerts_.find(a); al != alerts_.end()) al->second.status = "closed";
  }
  return Status::Ok();
}

Status EnforcementBook::AppealFile(const EventContext& ctx) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"appeal", "subject", "text"}));
  ASSIGN_OR_RETURN(std::string id, f.Id("appeal"));
  ASSIGN_OR_RETURN(std::string subject, HashField(f, "subject"));
  RETURN_IF_ERROR(f.Text("text").status());
  // The decision appealed, as it stands: a confirmed screening hit (this book), or a
  // decision of the directory or the materials book.
  std::optional<Decision> d;
  std::string hit_id;
  if (const auto confirm = confirms_.find(subject); confirm != confirms_.end()) {
    const Hit& hit = hits_.find(confirm->second)->second;
    hit_id = confirm->second;
    d = Decision{"screening.confirm", hit.subject,
                 hit.status == "confirmed" && hit.decision == subject,
                 fmt::format("the confirmation of hit \"{}\" no longer stands", hit_id)};
  } else if (ctx.find_decision) {
    d = ctx.find_decision(subject);
  }
  if (!d.has_value()) {
    if (const auto ev = events_.find(subject); ev != events_.end()) {
      return BadState("/body/subject",
                      fmt::format("{} is a {}, not an appealable decision", subject, ev->second));
    }
    return Unknown("/body/subject",
                   fmt::format("{} is not an appealable decision of the log (appealable: "
                               "project.reject, project.suspend, consignment.approve that "
                               "refused lines, party.suspend, screening.confirm)",
                               subject));
  }
  if (ctx.env.actor != d->affected) {
    return Status(
        ErrorCode::kNotPermitted,
        fmt::format("only the affected party \"{}\" may appeal this {}", d->affected, d->type),
        "/actor");
  }
  // A suspended party may appeal only what suspended it.
  if (ctx.party(ctx.env.actor).suspended && d->type != "party.suspend" &&
      d->type != "screening.confirm") {
    return Status(
        ErrorCode::kPartySuspended,
        fmt::format("party \"{}\" is suspended: it may appeal only its suspension", ctx.env.actor),
        "/actor");
  }
  if (!d->stands) {
    return BadState("/body/subject",
                    fmt::format("the {} {} no longer stands: {}", d->type, subject, d->why));
  }
  for (const auto& [aid, a] : appeals_) {
    if (a.subject == subject) {
      return BadState("/body/subject",
                      fmt::format("{} has been appealed before (appeal \"{}\")", subject, aid));
    }
  }
  if (appeals_.contains(id)) {
    return BadState("/body/appeal", fmt::format("appeal \"{}\" exists", id));
  }
  appeals_.emplace(id, Appeal{subject, ctx.env.actor, hit_id, "pending", Deadline(ctx), d->type});
  return Status::Ok();
}

Status EnforcementBook::AppealDecide(const EventContext& ctx) {
  const Fields f(ctx.body, "/body");
  RETURN_IF_ERROR(f.Only({"appeal", "decision", "reason"}));
  ASSIGN_OR_RETURN(std::string id, f.Id("appeal"));
  ASSIGN_OR_RETURN(std::string decision,
                   f.Enum("decision", {"upheld", "overturned"}, "upheld, overturned"));
  if (f.Has("reason")) RETURN_IF_ERROR(f.Text("reason").status());
  const auto it = appeals_.find(id);
  if (it == appeals_.end()) return Unknown("/body/appeal", fmt::format("no appeal \"{}\"", id));
  Appeal& appeal = it->second;
  if (appeal.status != "pending") {
    return BadState("/body/appeal", fmt::format("appeal \"{}\" is already {}", id, appeal.status));
  }
  if (decision == "overturned") {
    if (!appeal.hit.empty()) {
      Hit& hit = hits_.find(appeal.hit)->second;
      if (hit.status != "confirmed" || hit.decision != appeal.subject) {
        return BadState("/body/appeal",
                        fmt::format("the confirmation of hit \"{}\" no longer stands", appeal.hit));
      }
      hit.status = "cleared";
      hit.decision = EventId(ctx.env);
      const PartyView p = ctx.party(hit.subject);
      if (p.admitted && p.suspended) ctx.set_suspended(hit.subject, false);
    } else {
      if (!ctx.overturn) {
        return BadState("/body/appeal", "no book can overturn this decision");
      }
      // The other book checks and applies the effect last; on error nothing changed.
      RETURN_IF_ERROR(ctx.overturn(appeal.subject, ctx));
    }
  }
  appeal.status = decision;
  appeal.deadline.clear();
  return Status::Ok();
}

bool EnforcementBook::Blocked(std::string_view subject, const Policy& policy) const {
  const auto it = hits_by_subject_.find(subject);
  if (it == hits_by_subject_.end()) return false;
  for (const auto& id : it->second) {
    const Hit& h = hits_.find(id)->second;
    if (h.status == "confirmed" || (h.status == "open" && h.score >= policy.block_at)) return true;
  }
  return false;
}

bool SubjectBlocked(const EventContext& ctx, std::string_view subject) {
  return ctx.enforcement != nullptr && ctx.enforcement->Blocked(subject, ctx.policy);
}

Status BlockedError(std::string_view subject, std::string path, std::string_view what) {
  return Status(ErrorCode::kScreeningBlocked,
                fmt::format("{} \"{}\" has an unresolved screening hit at or above the block "
                            "level (rule 6)",
                            what, subject),
                std::move(path));
}

namespace {
template <typename M>
const typename M::mapped_type* FindIn(const M& m, std::string_view key) {
  const auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}
}  // namespace

const EnforcementBook::WatchList* EnforcementBook::FindList(std::string_view list) const {
  return FindIn(lists_, list);
}
const EnforcementBook::Hit* EnforcementBook::FindHit(std::string_view hit) const {
  return FindIn(hits_, hit);
}
const EnforcementBook::Alert* EnforcementBook::FindAlert(std::string_view alert) const {
  return FindIn(alerts_, alert);
}
const EnforcementBook::Case* EnforcementBook::FindCase(std::string_view case_id) const {
  return FindIn(cases_, case_id);
}
const EnforcementBook::Appeal* EnforcementBook::FindAppeal(std::string_view appeal) const {
  return FindIn(appeals_, appeal);
}

// The book as JSON: {"lists", "hits", "alerts", "cases", "appeals", "events", "confirms"},
// each an object keyed by id (maps serialise in key order, so the form is deterministic).
json::Value EnforcementBook::Snapshot() const {
  json::Value out = json::Value::object();
  json::Value lists = json::Value::object();
  for (const auto& [id, l] : lists_) {
    json::Value versions = json::Value::array();
    for (const auto& v : l.versions) {
      versions.push_back(
          {{"version", v.version}, {"sha256", v.sha256}, {"entries", v.entries}, {"seq", v.seq}});
    }
    lists[id] = std::move(versions);
  }
  json::Value hits = json::Value::object();
  for (const auto& [id, h] : hits_) {
    hits[id] = {{"subject", h.subject},     {"list", h.list},        {"entry", h.entry},
                {"algorithm", h.algorithm}, {"score", h.score},      {"status", h.status},
                {"deadline", h.deadline},   {"decision", h.decision}};
    // Members added later are written only when set (older snapshots stay identical).
    if (!h.entry_hash.empty()) hits[id]["entry_hash"] = h.entry_hash;
    if (!h.subject_hash.empty()) hits[id]["subject_hash"] = h.subject_hash;
    if (!h.reopens.empty()) hits[id]["reopens"] = h.reopens;
  }
  json::Value alerts = json::Value::object();
  for (const auto& [id, a] : alerts_) {
    alerts[id] = {{"kind", a.kind},     {"subject", a.subject},   {"severity", a.severity},
                  {"detail", a.detail}, {"evidence", a.evidence}, {"status", a.status},
                  {"case", a.case_id}};
  }
  json::Value cases = json::Value::object();
  for (const auto& [id, c] : cases_) {
    json::Value notes = json::Value::array();
    for (const auto& n : c.notes) {
      notes.push_back({{"actor", n.actor}, {"logged", n.logged}, {"text", n.text}});
    }
    json::Value actions = json::Value::array();
    for (const auto& a : c.actions) {
      json::Value act = {{"action", a.action}, {"party", a.party}, {"note", a.note}};
      act["amount"] = a.currency.has_value()
                          ? json::Value{{"currency", *a.currency}, {"amount", a.amount}}
                          : json::Value(nullptr);
      actions.push_back(std::move(act));
    }
    cases[id] = {{"alerts", c.alerts},
                 {"notes", std::move(notes)},
                 {"status", c.status},
                 {"finding", c.finding},
                 {"actions", std::move(actions)}};
    if (!c.deadline.empty()) cases[id]["deadline"] = c.deadline;  // written only when set
  }
  json::Value appeals = json::Value::object();
  for (const auto& [id, a] : appeals_) {
    appeals[id] = {{"subject", a.subject}, {"appellant", a.appellant}, {"hit", a.hit},
                   {"status", a.status},   {"deadline", a.deadline},   {"type", a.type}};
  }
  json::Value events = json::Value::object();
  for (const auto& [id, t] : events_) events[id] = t;
  json::Value confirms = json::Value::object();
  for (const auto& [id, h] : confirms_) confirms[id] = h;
  out["lists"] = std::move(lists);
  out["hits"] = std::move(hits);
  out["alerts"] = std::move(alerts);
  out["cases"] = std::move(cases);
  out["appeals"] = std::move(appeals);
  out["events"] = std::move(events);
  out["confirms"] = std::move(confirms);
  return out;
}

Status EnforcementBook::Restore(const json::Value& snapshot) {
  auto corrupt = [](std::string why) {
    return Status(ErrorCode::kCorrupt, "state snapshot: enforcement book: " + std::move(why));
  };
  if (!snapshot.is_object()) return corrupt("malformed book");
  EnforcementBook b;
  // An empty object is the book of a log without any of its events (older snapshots).
  if (snapshot.empty()) {
    *this = std::move(b);
    return Status::Ok();
  }
  try {
    for (const auto& [id, versions] : snapshot.at("lists").items()) {
      WatchList& l = b.lists_[id];
      for (const auto& v : versions) {
        l.versions.push_back(
            ListVersion{v.at("version").get<std::string>(), v.at("sha256").get<std::string>(),
                        v.at("entries").get<int64_t>(), v.at("seq").get<uint64_t>()});
      }
    }
    for (const auto& [id, h] : snapshot.at("hits").items()) {
      Hit hit{h.at("subject").get<std::string>(),
              h.at("list").get<std::string>(),
              h.at("entry").get<std::string>(),
              h.at("algorithm").get<std::string>(),
              h.at("score").get<int64_t>(),
              h.at("status").get<std::string>(),
              h.at("deadline").get<std::string>(),
              h.at("decision").get<std::string>(),
              "",
              "",
              ""};
      hit.entry_hash = h.value("entry_hash", "");
      hit.subject_hash = h.value("subject_hash", "");
      hit.reopens = h.value("reopens", "");
      b.hits_.emplace(id, std::move(hit));
      b.hits_by_subject_[h.at("subject").get<std::string>()].push_back(id);
    }
    for (const auto& [id, a] : snapshot.at("alerts").items()) {
      b.alerts_.emplace(
          id, Alert{a.at("kind").get<std::string>(), a.at("subject").get<std::string>(),
                    a.at("severity").get<std::string>(), a.at("detail").get<std::string>(),
                    a.at("evidence").get<std::vector<std::string>>(),
                    a.at("status").get<std::string>(), a.at("case").get<std::string>()});
    }
    for (const auto& [id, c] : snapshot.at("cases").items()) {
      Case cs;
      cs.alerts = c.at("alerts").get<std::vector<std::string>>();
      for (const auto& n : c.at("notes")) {
        cs.notes.push_back(Note{n.at("actor").get<std::string>(), n.at("logged").get<std::string>(),
                                n.at("text").get<std::string>()});
      }
      cs.status = c.at("status").get<std::string>();
      cs.finding = c.at("finding").get<std::string>();
      cs.deadline = c.value("deadline", "");
      for (const auto& a : c.at("actions")) {
        Action act{a.at("action").get<std::string>(), a.at("party").get<std::string>(),
                   a.at("note").get<std::string>(), std::nullopt, 0};
        const json::Value& m = a.at("amount");
        if (!m.is_null()) {
          act.currency = m.at("currency").get<std::string>();
          act.amount = m.at("amount").get<int64_t>();
        }
        cs.actions.push_back(std::move(act));
      }
      b.cases_.emplace(id, std::move(cs));
    }
    for (const auto& [id, a] : snapshot.at("appeals").items()) {
      b.appeals_.emplace(
          id, Appeal{a.at("subject").get<std::string>(), a.at("appellant").get<std::string>(),
                     a.at("hit").get<std::string>(), a.at("status").get<std::string>(),
                     a.at("deadline").get<std::string>(),
                     a.contains("type") ? a.at("type").get<std::string>() : "screening.confirm"});
    }
    for (const auto& [id, t] : snapshot.at("events").items()) {
      b.events_.emplace(id, t.get<std::string>());
    }
    for (const auto& [id, h] : snapshot.at("confirms").items()) {
      if (!b.hits_.contains(h.get<std::string>())) return corrupt("confirm of an unknown hit");
      b.confirms_.emplace(id, h.get<std::string>());
    }
    for (const auto& [id, a] : b.appeals_) {
      if (!a.hit.empty() && !b.hits_.contains(a.hit)) return corrupt("appeal of an unknown hit");
    }
  } catch (const json::Value::exception& e) {
    return corrupt(e.what());
  }
  *this = std::move(b);
  return Status::Ok();
}

}  // namespace aidtrace::mechanism
