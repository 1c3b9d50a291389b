// Property test of the mechanism (issue 3): seeded random streams of valid and invalid
// events of every family, submitted through a real Ledger on a fresh SQLite store, never
// break an invariant of the books, and the replay digest equals the incremental one.
//
// The ledger runs a CheckedDirectory: a Directory wrapped so that, at the exact point of
// every event in the sequence (inside the sequencer), the test
//  - keeps its own model of who is admitted, suspended and screening-blocked, updated only
//    from events the ledger accepted, and asserts that every event signed by a suspended
//    party, and every release, supply, disbursement or payment to a suspended or blocked
//    party, was refused (party_suspended / screening_blocked);
//  - predicts the exact verdict of material.release, funds.disburse and funds.pay from the
//    state before the event (the money and material paths the invariants are about);
//  - checks that a rejected event changed nothing (a fingerprint of every field the books
//    expose, at every refusal; the full state digest around every single-event batch and,
//    through the final replay, for the whole stream), and that after every accepted event
//    the books' invariants hold: no negative stock, stock conserved (what
//    entered minus what was released), nothing released beyond a bill of quantities or an
//    entitlement, nothing entered beyond what was approved, nothing committed beyond what
//    was pledged, disbursed beyond what was committed or paid beyond what was held.
// After every batch the log grew by exactly the accepted events and the model agrees with
// the directory; at the end, a full replay and a restart from the snapshot give the same
// digest as the incremental state.
//
// AIDTRACE_PROPERTY_SEEDS=N runs seeds 1..N (default 20); AIDTRACE_PROPERTY_EVENTS=M sets
// the events per seed (default 1500). A failure names its seed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/encoding.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "testing/events.h"
#include "testing/fault_env.h"

namespace aidtrace::mechanism {
namespace {

namespace fs = std::filesystem;
using testing::Actor;

constexpr int64_t kReviewAt = 700;  // the policy's screening thresholds (defaults)
constexpr int64_t kBlockAt = 850;
constexpr int64_t kFourEyesAt = 850;
// Whether the materials events refuse a screening-blocked party (release to a blocked
// household or implementer, supply of a blocked vendor). The money paths always have; the
// materials paths gained it with the lead's screening_blocked change, so they are
// asserted too. Set to false only to run this test against a tree without that change.
constexpr bool kMaterialsScreening = true;

size_t EnvCount(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  const long n = std::strtol(v, nullptr, 10);
  return n > 0 ? static_cast<size_t>(n) : fallback;
}

int64_t Of(const std::map<std::string, int64_t, std::less<>>& m, std::string_view k) {
  const auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

// FNV-1a over the fields of the state, walked through the books' accessors: a check
// that a refused event changed nothing, cheap enough to run at every refusal (the full
// digest serialises the whole state as JSON; it is compared at the ledger level for
// single-event batches and, through the replay, at the end).
class Fingerprint {
 public:
  void Add(std::string_view s) {
    for (const char c : s) Byte(static_cast<uint8_t>(c));
    Byte(0xff);
  }
  void Add(int64_t v) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
  }
  void Add(const std::map<std::string, int64_t, std::less<>>& m) {
    Add(static_cast<int64_t>(m.size()));
    for (const auto& [k, v] : m) {
      Add(k);
      Add(v);
    }
  }
  uint64_t value() const { return h_; }

 private:
  void Byte(uint8_t b) { h_ = (h_ ^ b) * 1099511628211ull; }
  uint64_t h_ = 14695981039346656037ull;
};

// The test's own model of the parties: admitted, suspended, and the screening hits that
// block them. Updated only from accepted events, in log order.
struct Model {
  struct Hit {
    std::string subject;
    int64_t score = 0;
    std::string status;  // below_review, open, cleared, confirmed
  };
  std::set<std::string, std::less<>> admitted;
  std::set<std::string, std::less<>> suspended;
  std::map<std::string, Hit, std::less<>> hits;

  bool Suspended(std::string_view p) const { return suspended.contains(p); }
  bool Blocked(std::string_view subject) const {
    for (const auto& [id, h] : hits) {
      if (h.subject == subject &&
          (h.status == "confirmed" || (h.status == "open" && h.score >= kBlockAt))) {
        return true;
      }
    }
    return false;
  }
  void Accepted(const event::Envelope& env) {
    const json::Value& b = env.body();
    if (env.type == "mechanism.genesis") {
      for (const auto& p : b["parties"]) admitted.insert(p["party"].get<std::string>());
    } else if (env.type == "party.admit") {
      admitted.insert(b["party"].get<std::string>());
    } else if (env.type == "party.suspend") {
      suspended.insert(b["party"].get<std::string>());
    } else if (env.type == "party.reinstate") {
      suspended.erase(b["party"].get<std::string>());
    } else if (env.type == "screening.hit") {
      const int64_t score = b["score"].get<int64_t>();
      hits[b["hit"].get<std::string>()] = {b["subject"].get<std::string>(), score,
                                           score >= kReviewAt ? "open" : "below_review"};
    } else if (env.type == "screening.clear" || env.type == "screening.confirm") {
      Hit& h = hits.at(b["hit"].get<std::string>());
      h.status = env.type == "screening.clear" ? "cleared" : "confirmed";
      // A confirmed hit on an admitted party suspends it (EVENTS.md, screening.confirm).
      if (env.type == "screening.confirm" && admitted.contains(h.subject)) {
        suspended.insert(h.subject);
      }
    }
  }
};

// Counts of what happened, for the end-of-seed summary and the coverage checks.
struct Stats {
  std::map<std::string, std::pair<int, int>> by_type;  // type -> (accepted, rejected)
  std::map<std::string, int> codes;                    // rejection code -> count
  int predicted = 0;                                   // verdicts predicted exactly
  int guarded = 0;  // refusals of events naming a suspended or blocked party
};

// The Directory, checked at every event (see the file comment).
class CheckedDirectory final : public ledger::StateMachine {
 public:
  const Directory& dir() const { return dir_; }
  Model& model() { return model_; }
  Stats& stats() { return stats_; }
  // The verdict the generator intends for the event (actor, nonce): checked when no
  // signer is suspended (a suspended signer is refused first).
  void Intend(const std::string& actor, const std::string& nonce, ErrorCode code) {
    intents_[actor + "\n" + nonce] = code;
  }

  event::KeyLookup FindKey(std::string_view party, uint32_t key_id) const override {
    return dir_.FindKey(party, key_id);
  }

  Status Authenticate(const event::Submission& sub,
                      std::span<const std::optional<crypto::PublicKey>> preverified,
                      const ledger::ApplyContext& ctx) const override {
    const Status s = dir_.Authenticate(sub, preverified, ctx);
    const event::Envelope& env = sub.envelope;
    if (env.type == "mechanism.genesis") return s;
    bool any_suspended = false;
    for (const auto& sig : env.sigs) any_suspended |= model_.Suspended(sig.signer);
    if (any_suspended && s.code() != ErrorCode::kPartySuspended) {
      ADD_FAILURE() << env.type << " by " << env.actor << " nonce " << env.nonce
                    << ": a signer is suspended, yet authentication gave " << s.ToString();
    }
    if (!any_suspended && s.code() == ErrorCode::kPartySuspended) {
      ADD_FAILURE() << env.type << " by " << env.actor
                    << ": party_suspended, but the model has no signer suspended";
    }
    if (!s.ok()) {
      ++stats_.by_type[env.type].second;
      ++stats_.codes[std::string(s.code_name())];
    }
    if (const auto it = intents_.find(env.actor + "\n" + env.nonce);
        it != intents_.end() && !any_suspended && !s.ok()) {
      // An intended refusal at authentication (not_permitted, quorum_not_met).
      EXPECT_EQ(CodeName(s.code()), CodeName(it->second))
          << env.type << " by " << env.actor << ": " << s.ToString();
    }
    return s;
  }

  Status Apply(const event::Submission& sub, const ledger::ApplyContext& ctx) override {
    const event::Envelope& env = sub.envelope;
    if (env.type == "mechanism.genesis") {
      const Status s = dir_.Apply(sub, ctx);
      if (s.ok()) model_.Accepted(env);
      return s;
    }
    const std::vector<std::string> guard = Guarded(env);
    const std::optional<ErrorCode> want = Predict(env);
    const uint64_t before = StateFingerprint();
    const Status s = dir_.Apply(sub, ctx);
    auto& [accepted, rejected] = stats_.by_type[env.type];
    const std::string what = fmt::format("{} by {} nonce {}", env.type, env.actor, env.nonce);
    if (s.ok()) {
      ++accepted;
      model_.Accepted(env);
      if (env.type == "alert.raise") alerts_.push_back(env.body()["alert"]);
      if (env.type == "case.open") cases_.push_back(env.body()["case"]);
      for (const auto& g : guard) ADD_FAILURE() << what << " was accepted, but " << g;
      CheckInvariants(what);
    } else {
      ++rejected;
      ++stats_.codes[std::string(s.code_name())];
      if (!guard.empty()) ++stats_.guarded;
      EXPECT_EQ(StateFingerprint(), before)
          << what << " was refused (" << s.ToString() << ") but changed the state";
    }
    if (const auto it = intents_.find(env.actor + "\n" + env.nonce); it != intents_.end()) {
      EXPECT_EQ(CodeName(s.code()), CodeName(it->second)) << what << ": " << s.ToString();
    }
    if (want.has_value()) {
      ++stats_.predicted;
      EXPECT_EQ(CodeName(s.code()), CodeName(*want)) << what << ": " << s.ToString();
    }
    return s;
  }

  crypto::Hash Digest() const override { return dir_.Digest(); }
  std::string Snapshot() const override { return dir_.Snapshot(); }
  Status Restore(std::string_view snapshot) override { return dir_.Restore(snapshot); }

  // A fingerprint of every field of the state the books expose (see Fingerprint).
  uint64_t StateFingerprint() const {
    Fingerprint f;
    for (const auto& id : model_.admitted) {
      const auto p = dir_.FindParty(id);
      if (!p.has_value()) continue;
      f.Add(id);
      f.Add(p->suspended);
      for (const auto& r : p->roles) f.Add(r);
      for (const auto& [kid, k] : p->keys) f.Add(static_cast<int64_t>(kid) * 2 + k.revoked);
    }
    f.Add(static_cast<int64_t>(dir_.party_count()));
    const MaterialsBook& m = dir_.materials();
    for (const auto& [id, i] : m.items()) f.Add(id);
    for (const auto& [id, w] : m.warehouses()) {
      f.Add(id);
      f.Add(w.vendor);
    }
    for (const auto& [id, p] : m.projects()) {
      f.Add(id);
      f.Add(p.status);
      f.Add(p.budget);
      f.Add(p.boq);
      f.Add(p.allocated);
      f.Add(p.released);
      f.Add(p.verified);
      f.Add(p.round.has_value());
      if (p.round.has_value()) {
        for (const auto& a : p.round->approvals) f.Add(a);
        for (const auto& r : p.round->rejections) f.Add(r);
      }
    }
    for (const auto& [id, b] : m.beneficiaries()) {
      f.Add(id);
      f.Add(b.entitlement);
      f.Add(b.released);
      f.Add(b.verified);
    }
    for (const auto& [id, c] : m.consignments()) {
      f.Add(id);
      for (const auto& l : c.lines) {
        f.Add(l.status);
        f.Add(l.approved);
      }
      f.Add(c.entered);
      f.Add(c.deadline);
    }
    for (const auto& [wh, items] : m.stock()) {
      for (const auto& [item, st] : items) {
        f.Add(wh + "/" + item);
        f.Add(st.book);
        f.Add(st.last_count.has_value() ? st.last_count->count : "");
      }
    }
    f.Add(m.households_pool());
    for (const auto& [id, r] : m.releases()) f.Add(id);
    const FundsBook& fu = dir_.funds();
    for (const auto& [id, p] : fu.pledges()) f.Add(id);
    for (const auto& [d, per] : fu.donors()) {
      for (const auto& [cur, t] : per) {
        f.Add(d + cur);
        f.Add(t.pledged);
        f.Add(t.committed);
      }
    }
    for (const auto& [id, c] : fu.commitments()) {
      f.Add(id);
      f.Add(c.disbursed);
      for (const auto& cond : c.conditions) {
        f.Add(cond.met);
        for (const auto& a : cond.attested) f.Add(a);
      }
    }
    for (const auto& [p, per] : fu.project_funds()) {
      for (const auto& [cur, pf] : per) {
        f.Add(p + cur);
        f.Add(pf.committed);
        f.Add(pf.disbursed);
        f.Add(pf.paid);
      }
    }
    for (const auto& [imp, projects] : fu.holdings()) {
      for (const auto& [p, amounts] : projects) {
        f.Add(imp + p);
        f.Add(amounts);
      }
    }
    for (const auto& [payee, amounts] : fu.received()) {
      f.Add(payee);
      f.Add(amounts);
    }
    for (const auto& [id, d] : fu.disbursements()) f.Add(id);
    for (const auto& [id, p] : fu.payments()) f.Add(id);
    const EnforcementBook& e = dir_.enforcement();
    if (const auto* l = e.FindList("un-list"); l != nullptr) {
      f.Add(static_cast<int64_t>(l->versions.size()));
    }
    for (const auto& [id, h] : model_.hits) {
      if (const auto* hit = e.FindHit(id); hit != nullptr) f.Add(id + hit->status);
    }
    for (const auto& id : alerts_) {
      if (const auto* a = e.FindAlert(id); a != nullptr) f.Add(id + a->status + a->case_id);
    }
    for (const auto& id : cases_) {
      if (const auto* c = e.FindCase(id); c != nullptr) {
        f.Add(id + c->status);
        f.Add(static_cast<int64_t>(c->notes.size()));
      }
    }
    return f.value();
  }

  // The invariants of the books (see the file comment); `what` names the last event.
  void CheckInvariants(const std::string& what) const {
    const MaterialsBook& m = dir_.materials();
    std::map<std::string, int64_t, std::less<>> stock_total, entered_total, released_total;
    for (const auto& [wh, items] : m.stock()) {
      for (const auto& [item, st] : items) {
        EXPECT_GE(st.book, 0) << what << ": negative stock of " << item << " in " << wh;
        stock_total[item] += st.book;
      }
    }
    for (const auto& [id, c] : m.consignments()) {
      std::map<std::string, int64_t, std::less<>> approved;
      for (const auto& l : c.lines) {
        if (l.status == "approved") approved[l.item] += l.approved;
        EXPECT_LE(l.approved, l.requested) << what << ": consignment " << id;
      }
      for (const auto& [item, q] : c.entered) {
        EXPECT_LE(q, Of(approved, item)) << what << ": consignment " << id << " entered " << item
                                         << " beyond its approved lines";
        entered_total[item] += q;
      }
    }
    for (const auto& [id, p] : m.projects()) {
      for (const auto& [item, q] : p.released) {
        EXPECT_LE(q, Of(p.boq, item)) << what << ": project " << id << " received " << item
                                      << " beyond its bill of quantities";
        released_total[item] += q;
      }
      for (const auto& [item, q] : p.allocated) EXPECT_GE(q, 0) << what << ": " << id;
    }
    for (const auto& [id, b] : m.beneficiaries()) {
      for (const auto& [item, q] : b.released) {
        EXPECT_LE(q, Of(b.entitlement, item))
            << what << ": household " << id << " received " << item << " beyond its entitlement";
        released_total[item] += q;
      }
    }
    for (const auto& [item, q] : m.households_pool()) EXPECT_GE(q, 0) << what << ": pool " << item;
    // Stock is conserved: it enters only through consignment.enter and leaves only
    // through material.release (transfers move it, counts never change it).
    for (const auto& [item, _] : m.items()) {
      EXPECT_EQ(Of(stock_total, item), Of(entered_total, item) - Of(released_total, item))
          << what << ": stock of " << item << " is not entered minus released";
    }

    const FundsBook& f = dir_.funds();
    for (const auto& [donor, per] : f.donors()) {
      for (const auto& [cur, t] : per) {
        EXPECT_LE(t.committed, t.pledged) << what << ": donor " << donor << " over-committed";
      }
    }
    std::map<std::pair<std::string, std::string>, int64_t> disbursed_by_commitments;
    for (const auto& [id, c] : f.commitments()) {
      EXPECT_GE(c.disbursed, 0) << what;
      EXPECT_LE(c.disbursed, c.amount) << what << ": commitment " << id << " over-disbursed";
      if (c.disbursed > 0) {
        for (const auto& cond : c.conditions) {
          EXPECT_TRUE(cond.met) << what << ": " << id << " disbursed with a condition unmet";
        }
      }
      disbursed_by_commitments[{c.project, c.currency}] += c.disbursed;
    }
    for (const auto& [project, per] : f.project_funds()) {
      const auto pit = m.projects().find(project);
      for (const auto& [cur, pf] : per) {
        EXPECT_LE(pf.disbursed, pf.committed) << what << ": " << project << " disbursed beyond "
                                              << "commitments";
        EXPECT_LE(pf.paid, pf.disbursed) << what << ": " << project << " paid beyond disbursed";
        EXPECT_GE(pf.paid, 0) << what;
        EXPECT_EQ(pf.disbursed, (disbursed_by_commitments[{project, cur}]))
            << what << ": " << project;
        if (pit != m.projects().end() && cur == pit->second.currency) {
          EXPECT_LE(pf.committed, pit->second.budget)
              << what << ": " << project << " committed beyond its budget";
        }
        // What was disbursed is either still held by the implementer or paid out.
        int64_t held = 0;
        for (const auto& [imp, projects] : f.holdings()) {
          if (const auto h = projects.find(project); h != projects.end())
            held += Of(h->second, cur);
        }
        EXPECT_EQ(held + pf.paid, pf.disbursed) << what << ": " << project << " " << cur;
      }
    }
    for (const auto& [imp, projects] : f.holdings()) {
      for (const auto& [project, amounts] : projects) {
        for (const auto& [cur, a] : amounts) EXPECT_GE(a, 0) << what << ": holding of " << imp;
      }
    }
  }

  // The model agrees with the directory about every party and screened subject.
  void CheckModel() const {
    for (const auto& id : model_.admitted) {
      const auto p = dir_.FindParty(id);
      ASSERT_TRUE(p.has_value()) << id << " is admitted in the model only";
      EXPECT_EQ(p->suspended, model_.Suspended(id)) << "suspension of " << id;
    }
    EXPECT_EQ(dir_.party_count(), model_.admitted.size());
    const Policy policy = dir_.policy();
    std::set<std::string> subjects;
    for (const auto& [id, h] : model_.hits) {
      subjects.insert(h.subject);
      const auto* hit = dir_.enforcement().FindHit(id);
      ASSERT_NE(hit, nullptr) << id;
      EXPECT_EQ(hit->status, h.status) << "hit " << id;
    }
    for (const auto& s : subjects) {
      EXPECT_EQ(dir_.enforcement().Blocked(s, policy), model_.Blocked(s)) << "block of " << s;
    }
  }

 private:
  // Why the event must be refused because it names a suspended or blocked recipient
  // (according to the model, before the event); empty when it need not be.
  std::vector<std::string> Guarded(const event::Envelope& env) const {
    std::vector<std::string> out;
    const json::Value& b = env.body();
    auto str = [&](const char* k) -> std::string {
      const auto it = b.find(k);
      return it != b.end() && it->is_string() ? it->get<std::string>() : "";
    };
    const bool money = env.type == "funds.pay" || env.type == "funds.disburse";
    auto party = [&](const std::string& p, const char* role) {
      if (p.empty()) return;
      if (model_.Suspended(p)) out.push_back(fmt::format("{} {} is suspended", role, p));
      if (model_.Blocked(p) && (money || kMaterialsScreening)) {
        out.push_back(fmt::format("{} {} is screening-blocked", role, p));
      }
    };
    const MaterialsBook& m = dir_.materials();
    auto vendor_of = [&](const std::string& wh) -> std::string {
      const auto w = m.warehouses().find(wh);
      return w == m.warehouses().end() ? "" : w->second.vendor;
    };
    if (env.type == "funds.pay") {
      party(str("payee"), "payee");
    } else if (env.type == "funds.disburse") {
      party(str("to"), "recipient");
    } else if (env.type == "material.release") {
      const std::string to = str("to");
      if (const auto p = m.projects().find(to); p != m.projects().end()) {
        party(p->second.implementer, "the project's implementer");
      } else if (model_.Blocked(to) && kMaterialsScreening) {
        out.push_back(fmt::format("household {} is screening-blocked", to));
      }
    } else if (env.type == "stock.transfer") {
      // Supplying a blocked vendor: the lead is adding screening_blocked to the materials
      // events; it is in materials.cc today, so it is asserted here too.
      party(vendor_of(str("to")), "receiving vendor");
    } else if (env.type == "consignment.enter") {
      const auto c = m.consignments().find(str("consignment"));
      if (c != m.consignments().end()) party(c->second.vendor, "the consignment's vendor");
    } else if (env.type == "warehouse.register") {
      party(str("vendor"), "vendor");
    } else if (env.type == "consignment.request" || env.type == "project.propose") {
      party(env.actor, "the actor");  // suspended: refused at authentication
    } else if (env.type == "beneficiary.register" && kMaterialsScreening &&
               model_.Blocked(str("beneficiary"))) {
      out.push_back(fmt::format("household {} is screening-blocked", str("beneficiary")));
    }
    return out;
  }

  // The exact verdict of the money and material paths, from the state before the event
  // (the order of the checks is EVENTS.md's). nullopt for other types.
  std::optional<ErrorCode> Predict(const event::Envelope& env) const {
    const json::Value& b = env.body();
    const MaterialsBook& m = dir_.materials();
    const FundsBook& f = dir_.funds();
    if (env.type == "funds.pay") {
      const std::string project = b["project"], payee = b["payee"];
      const int64_t amount = b["amount"]["amount"];
      if (f.payments().contains(b["payment"].get<std::string>())) return ErrorCode::kBadState;
      const auto p = m.projects().find(project);
      if (p == m.projects().end()) return ErrorCode::kUnknownRef;
      const auto who = dir_.FindParty(payee);
      if (!who.has_value()) return ErrorCode::kUnknownRef;
      if (env.actor != p->second.implementer) return ErrorCode::kNotPermitted;
      if (p->second.status != "approved" && p->second.status != "completed") {
        return ErrorCode::kBadState;
      }
      const auto& r = who->roles;
      if (std::find(r.begin(), r.end(), "vendor") == r.end() &&
          std::find(r.begin(), r.end(), "implementer") == r.end()) {
        return ErrorCode::kBadState;
      }
      if (model_.Suspended(payee)) return ErrorCode::kPartySuspended;
      if (amount > f.Held(env.actor, project, b["amount"]["currency"].get<std::string>())) {
        return ErrorCode::kExceedsBalance;
      }
      if (model_.Blocked(payee)) return ErrorCode::kScreeningBlocked;
      return ErrorCode::kOk;
    }
    if (env.type == "funds.disburse") {
      const std::string to = b["to"];
      const int64_t amount = b["amount"]["amount"];
      if (f.disbursements().contains(b["disbursement"].get<std::string>())) {
        return ErrorCode::kBadState;
      }
      const auto c = f.commitments().find(b["commitment"].get<std::string>());
      if (c == f.commitments().end()) return ErrorCode::kUnknownRef;
      if (!dir_.FindParty(to).has_value()) return ErrorCode::kUnknownRef;
      if (env.actor != c->second.donor) return ErrorCode::kNotPermitted;
      const auto p = m.projects().find(c->second.project);
      if (p == m.projects().end()) return ErrorCode::kUnknownRef;
      if (to != p->second.implementer) return ErrorCode::kBadState;
      if (p->second.status != "approved" && p->second.status != "completed") {
        return ErrorCode::kBadState;
      }
      if (model_.Suspended(to)) return ErrorCode::kPartySuspended;
      if (b["amount"]["currency"] != c->second.currency ||
          amount > c->second.amount - c->second.disbursed) {
        return ErrorCode::kExceedsCommitment;
      }
      if (model_.Blocked(to)) return ErrorCode::kScreeningBlocked;
      for (const auto& cond : c->second.conditions) {
        if (!cond.met) return ErrorCode::kConditionUnmet;
      }
      return ErrorCode::kOk;
    }
    if (env.type == "material.release") {
      const std::string wh = b["warehouse"], to = b["to"];
      const auto w = m.warehouses().find(wh);
      if (w == m.warehouses().end()) return ErrorCode::kUnknownRef;
      const auto p = m.projects().find(to);
      const auto h = m.beneficiaries().find(to);
      if (p == m.projects().end() && h == m.beneficiaries().end()) return ErrorCode::kUnknownRef;
      for (const auto& l : b["lines"]) {
        if (!m.items().contains(l["item"].get<std::string>())) return ErrorCode::kUnknownRef;
      }
      if (w->second.vendor != env.actor) return ErrorCode::kNotPermitted;
      if (m.releases().contains(b["release"].get<std::string>())) return ErrorCode::kBadState;
      const bool project = p != m.projects().end();
      if (project) {
        if (p->second.status != "approved") return ErrorCode::kBadState;
        if (model_.Suspended(p->second.implementer)) return ErrorCode::kPartySuspended;
        if (kMaterialsScreening && model_.Blocked(p->second.implementer)) {
          return ErrorCode::kScreeningBlocked;
        }
      } else if (kMaterialsScreening && model_.Blocked(to)) {
        return ErrorCode::kScreeningBlocked;
      }
      int64_t book_of = 0;
      for (const auto& l : b["lines"]) {
        const std::string item = l["item"];
        book_of = 0;
        if (const auto s = m.stock().find(wh); s != m.stock().end()) {
          if (const auto it = s->second.find(item); it != s->second.end())
            book_of = it->second.book;
        }
        if (l["quantity"].get<int64_t>() > book_of) return ErrorCode::kExceedsStock;
      }
      for (const auto& l : b["lines"]) {
        const std::string item = l["item"];
        const int64_t cap = project ? Of(p->second.boq, item) : Of(h->second.entitlement, item);
        const int64_t got = project ? Of(p->second.released, item) : Of(h->second.released, item);
        if (l["quantity"].get<int64_t>() > cap - got) return ErrorCode::kExceedsAllocation;
      }
      return ErrorCode::kOk;
    }
    return std::nullopt;
  }

  Directory dir_;
  Model model_;
  mutable Stats stats_;
  std::map<std::string, ErrorCode> intents_;
  std::vector<std::string> alerts_, cases_;  // ids of the accepted alerts and cases
};

// One submission of the stream and what the generator expects of it before the rules
// (a decode error such as pii_mismatch, or a replayed nonce).
struct Planned {
  std::string line;
  std::optional<ErrorCode> expect;
};

// Builds the stream: every event from the state as it stands before its batch, valid or
// deliberately broken.
class Generator {
 public:
  Generator(uint64_t seed, CheckedDirectory& machine) : rng_(seed), machine_(machine) {
    auto add = [&](const std::string& id) {
      actors_.emplace(id, testing::MakeActor(id, 7000 + actors_.size()));
    };
    for (const char* id : {"mmu", "mmu-qa", "pa", "cogat", "donor", "mmu.detector", "donor-b"}) {
      add(id);
    }
    for (int i = 0; i < 6; ++i) vendors_.push_back(fmt::format("v-{}", i));
    for (int i = 0; i < 3; ++i) implementers_.push_back(fmt::format("imp-{}", i));
    for (int i = 0; i < 2; ++i) inspectors_.push_back(fmt::format("insp-{}", i));
    for (const auto& v : vendors_) add(v);
    for (const auto& v : implementers_) add(v);
    for (const auto& v : inspectors_) add(v);
  }

  // The genesis and the set-up (items, parties, warehouses, a watch list).
  std::vector<Planned> Bootstrap() {
    std::vector<Planned> out;
    const json::Value policy = {
        {"governance", {{"of", {"cogat", "donor", "mmu", "mmu-qa", "pa"}}, {"k", 3}}},
        {"project_approval",
         {{"default", {{"of", {"cogat", "pa"}}, {"k", 1}}},
          {"categories", {{"water", {{"of", {"cogat", "pa"}}, {"k", 2}}}}}}},
        {"consignment_approval", {{"of", {"cogat"}}, {"k", 1}}},
        {"screening",
         {{"review_at", kReviewAt}, {"block_at", kBlockAt}, {"four_eyes_at", kFourEyesAt}}},
        {"detector_key", A("mmu.detector").vkey}};
    out.push_back({testing::GenesisLine({{&A("mmu"), {"governor", "monitor"}},
                                         {&A("mmu-qa"), {"governor", "monitor"}},
                                         {&A("pa"), {"authority", "governor"}},
                                         {&A("cogat"), {"authority", "governor"}},
                                         {&A("donor"), {"donor", "governor"}}},
                                        policy),
                   std::nullopt});
    for (const auto& [item, controlled] :
         {std::pair{"cement", true}, std::pair{"steel", true}, std::pair{"pipe", false}}) {
      items_.push_back(item);
      out.push_back(Ev("item.define", {"mmu", "pa", "cogat"},
                       {{"item", item},
                        {"name", item},
                        {"unit", "kg"},
                        {"hs", "252329"},
                        {"controlled", controlled}}));
    }
    auto admit = [&](const std::string& id, const std::string& role) {
      out.push_back({testing::AdmitLine(A("mmu"), A(id), role, Nonce()), std::nullopt});
    };
    for (const auto& v : vendors_) admit(v, "vendor");
    for (const auto& v : implementers_) admit(v, "implementer");
    for (const auto& v : inspectors_) admit(v, "inspector");
    out.push_back(Ev("party.admit", {"mmu", "pa", "cogat"},
                     {{"party", "donor-b"},
                      {"name", "Donor B"},
                      {"roles", {"donor"}},
                      {"keys", {A("donor-b").vkey}},
                      {"country", "NO"},
                      {"registration", "nb-1"}}));
    for (const auto& v : vendors_) {
      for (const char* side : {"a", "b"}) {
        out.push_back(Ev("warehouse.register", {"mmu"},
                         {{"warehouse", fmt::format("wh-{}-{}", v, side)},
                          {"vendor", v},
                          {"area", "ps0275"},
                          {"location", Location()}}));
      }
    }
    out.push_back(Ev("watchlist.load", {"mmu"},
                     {{"list", "un-list"},
                      {"version", "v1"},
                      {"sha256", "sha256:" + std::string(64, 'a')},
                      {"entries", 1000}}));
    return out;
  }

  // The next event, chosen at random among the families; `first` when it opens a batch.
  Planned Next(bool first) {
    first_in_batch_ = first;
    static const std::vector<std::pair<int, Planned (Generator::*)()>> kActions = {
        {1, &Generator::BadAdmit},      {3, &Generator::SuspendOrReinstate},
        {4, &Generator::Propose},       {5, &Generator::DecideProject},
        {1, &Generator::ProjectStatus}, {3, &Generator::Beneficiary},
        {6, &Generator::ConsRequest},   {4, &Generator::ConsApprove},
        {5, &Generator::ConsEnter},     {4, &Generator::Transfer},
        {10, &Generator::Release},      {2, &Generator::Verify},
        {2, &Generator::Count},         {2, &Generator::Pledge},
        {4, &Generator::Commit},        {3, &Generator::Attest},
        {5, &Generator::Disburse},      {6, &Generator::Pay},
        {3, &Generator::Hit},           {3, &Generator::DecideHit},
        {2, &Generator::Alert},         {2, &Generator::Case},
        {3, &Generator::WrongRole},     {1, &Generator::ReplayNonce}};
    int total = 0;
    for (const auto& [w, _] : kActions) total += w;
    int r = Uniform(0, total - 1);
    for (const auto& [w, fn] : kActions) {
      if (r < w) return (this->*fn)();
      r -= w;
    }
    return Pledge();
  }

 private:
  const Directory& D() const { return machine_.dir(); }
  const MaterialsBook& M() const { return machine_.dir().materials(); }
  const FundsBook& F() const { return machine_.dir().funds(); }
  const Model& Mo() const { return machine_.model(); }
  const Actor& A(const std::string& id) { return actors_.at(id); }

  int Uniform(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng_); }
  int64_t Uniform64(int64_t a, int64_t b) {
    return std::uniform_int_distribution<int64_t>(a, b)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }
  std::string Nonce() { return fmt::format("n{}", ++nonce_); }
  std::string Id(const char* kind) { return fmt::format("{}-{}", kind, ++ids_); }
  static json::Value Location() { return {{"lat_e6", 31287000}, {"lon_e6", 34250000}}; }
  static json::Value Money(int64_t amount) { return {{"currency", "USD"}, {"amount", amount}}; }
  bool Bad(double p = 0.15) { return Chance(p); }
  // An intended verdict that depends on the state: the generator reads the state as it
  // was before the batch, so it is only sure of it for the first event of a batch.
  std::optional<ErrorCode> Fresh(ErrorCode code) const {
    return first_in_batch_ ? std::optional<ErrorCode>(code) : std::nullopt;
  }
  // A party that is suspended or blocked now, if any, among `among`.
  std::optional<std::string> Troubled(const std::vector<std::string>& among) {
    std::vector<std::string> t;
    for (const auto& p : among) {
      if (Mo().Suspended(p) || Mo().Blocked(p)) t.push_back(p);
    }
    if (t.empty()) return std::nullopt;
    return Pick(t);
  }

  // An event signed by `signers` (the first is the actor), optionally with its intended
  // refusal (checked by the CheckedDirectory when no signer is suspended).
  Planned Ev(const std::string& type, const std::vector<std::string>& signers, json::Value body,
             std::optional<ErrorCode> intent = std::nullopt,
             const json::Value* private_record = nullptr) {
    std::vector<const Actor*> keys;
    for (const auto& s : signers) keys.push_back(&A(s));
    const std::string nonce = Nonce();
    if (intent.has_value()) machine_.Intend(signers[0], nonce, *intent);
    return {testing::SignedLine(testing::MakeEnvelope(type, signers[0], nonce, std::move(body)),
                                keys, private_record),
            std::nullopt};
  }

  std::vector<std::string> ProjectsWith(std::initializer_list<std::string_view> statuses) const {
    std::vector<std::string> out;
    for (const auto& [id, p] : M().projects()) {
      if (std::find(statuses.begin(), statuses.end(), p.status) != statuses.end()) {
        out.push_back(id);
      }
    }
    return out;
  }
  std::vector<std::string> WarehousesOf(const std::string& vendor) const {
    std::vector<std::string> out;
    for (const auto& [id, w] : M().warehouses()) {
      if (w.vendor == vendor) out.push_back(id);
    }
    return out;
  }
  int64_t Book(const std::string& wh, const std::string& item) const {
    const auto s = M().stock().find(wh);
    if (s == M().stock().end()) return 0;
    const auto it = s->second.find(item);
    return it == s->second.end() ? 0 : it->second.book;
  }
  json::Value OneLine(const std::string& item, int64_t q) const {
    return json::Value::array({{{"item", item}, {"quantity", q}}});
  }

  // ---- parties ----
  Planned BadAdmit() {
    if (Chance(0.5)) {
      // A monitor alone may not admit a donor: that needs the governors' quorum.
      const std::string id = Id("donor-x");
      actors_.emplace(id, testing::MakeActor(id, 9000 + ids_));
      return Ev("party.admit", {"mmu"},
                {{"party", id},
                 {"name", id},
                 {"roles", {"donor"}},
                 {"keys", {A(id).vkey}},
                 {"country", "PS"},
                 {"registration", "x"}},
                ErrorCode::kQuorumNotMet);
    }
    const std::string& v = Pick(vendors_);
    return Ev("party.admit", {"mmu"},
              {{"party", v},
               {"name", v},
               {"roles", {"vendor"}},
               {"keys", {A(v).vkey}},
               {"country", "PS"},
               {"registration", "again"}},
              ErrorCode::kBadState);
  }

  Planned SuspendOrReinstate() {
    std::vector<std::string> all = vendors_;
    all.insert(all.end(), implementers_.begin(), implementers_.end());
    all.insert(all.end(), inspectors_.begin(), inspectors_.end());
    const std::string& p = Pick(all);
    const std::string by = Chance(0.5) ? "mmu" : "pa";
    if (Bad(0.1)) {
      // A vendor may not suspend anyone.
      return Ev("party.suspend", {Pick(vendors_)}, {{"party", p}, {"reason", "rival"}},
                ErrorCode::kNotPermitted);
    }
    if (Mo().Suspended(p)) {
      if (Bad(0.1)) {
        return Ev("party.suspend", {by}, {{"party", p}, {"reason", "again"}},
                  Fresh(ErrorCode::kBadState));
      }
      return Ev("party.reinstate", {by}, {{"party", p}, {"reason", "cleared"}});
    }
    if (Chance(0.5)) return Ev("party.suspend", {by}, {{"party", p}, {"reason", "found short"}});
    return Ev("party.reinstate", {by}, {{"party", p}, {"reason", "nothing"}},
              Fresh(ErrorCode::kBadState));
  }

  // ---- projects ----
  Planned Propose() {
    const std::string& imp = Pick(implementers_);
    json::Value boq = json::Value::array();
    for (const auto& item : items_) {
      if (boq.empty() || Chance(0.5)) {
        boq.push_back({{"item", item}, {"quantity", Uniform64(2000, 200000)}});
      }
    }
    json::Value body = {{"project", Id("prj")},
                        {"title", "Repair"},
                        {"category", Chance(0.3) ? "water" : "education"},
                        {"sector", "11220"},
                        {"area", "ps0275"},
                        {"location", Location()},
                        {"budget", Money(Uniform64(1000000, 50000000))},
                        {"boq", boq}};
    if (Bad(0.1)) return Ev("project.propose", {Pick(vendors_)}, body, ErrorCode::kNotPermitted);
    if (Bad(0.05)) {
      body["boq"] = OneLine("unobtainium", 5);
      return Ev("project.propose", {imp}, body, ErrorCode::kUnknownRef);
    }
    return Ev("project.propose", {imp}, body);
  }

  Planned DecideProject() {
    const auto proposed = ProjectsWith({"proposed"});
    if (proposed.empty()) return Propose();
    const std::string& p = Pick(proposed);
    if (Bad(0.1)) {
      return Ev("project.approve", {Pick(vendors_)}, {{"project", p}}, ErrorCode::kNotPermitted);
    }
    const std::string by = Chance(0.5) ? "pa" : "cogat";
    if (Chance(0.12)) return Ev("project.reject", {by}, {{"project", p}, {"reason", "no"}});
    return Ev("project.approve", {by}, {{"project", p}});
  }

  Planned ProjectStatus() {
    const auto approved = ProjectsWith({"approved"});
    const auto suspended = ProjectsWith({"suspended"});
    if (!suspended.empty() && Chance(0.6)) {
      return Ev("project.resume", {"mmu"}, {{"project", Pick(suspended)}});
    }
    if (approved.empty()) return Propose();
    const std::string& p = Pick(approved);
    if (Chance(0.2)) {
      return Ev("project.complete", {M().projects().at(p).implementer}, {{"project", p}});
    }
    return Ev("project.suspend", {"mmu"}, {{"project", p}, {"reason", "inspection"}});
  }

  // ---- beneficiaries (with private records) ----
  Planned Beneficiary() {
    const std::string id = fmt::format("hh-{}", ++households_);
    json::Value ent = json::Value::array();
    for (const auto& item : items_) {
      if (ent.empty() || Chance(0.4))
        ent.push_back({{"item", item}, {"quantity", Uniform(100, 5000)}});
    }
    json::Value priv = testing::BeneficiaryPrivate(rng_());
    json::Value body = {
        {"beneficiary", id}, {"area", "ps0275"},   {"household_size", Uniform(1, 12)},
        {"damage", "major"}, {"entitlement", ent}, {"pii", testing::PiiOf(priv)}};
    if (Bad(0.08)) {
      // The private record does not hash to body.pii: refused at submission.
      json::Value other = priv;
      other["id_number"] = "000000000";
      Planned p = Ev("beneficiary.register", {"mmu"}, body, std::nullopt, &other);
      p.expect = ErrorCode::kPiiMismatch;
      return p;
    }
    return Ev("beneficiary.register", {"mmu"}, body, std::nullopt, &priv);
  }

  // Registered entitlements of `item` not yet released, minus the households pool.
  int64_t HouseholdsRoom(const std::string& item) const {
    int64_t room = 0;
    for (const auto& [id, b] : M().beneficiaries()) {
      room += Of(b.entitlement, item) - Of(b.released, item);
    }
    return room - Of(M().households_pool(), item);
  }

  // ---- consignments, stock, releases ----
  Planned ConsRequest() {
    const std::string& v = Pick(vendors_);
    const auto whs = WarehousesOf(v);
    if (whs.empty()) return Pledge();
    const std::string& wh = Pick(whs);
    const auto approved = ProjectsWith({"approved"});
    std::string item = Pick(items_), for_ = "households";
    int64_t room = HouseholdsRoom(item);
    if (!approved.empty() && Chance(0.7)) {
      for_ = Pick(approved);
      const auto& p = M().projects().at(for_);
      item = p.boq.begin()->first;
      room = Of(p.boq, item) - Of(p.allocated, item);
    }
    std::optional<ErrorCode> intent;
    int64_t q = room > 0 ? Uniform64(1, room) : 0;
    if (room <= 0 || Bad()) {
      q = std::max<int64_t>(room, 0) + Uniform64(1, 1000);
      intent = Fresh(ErrorCode::kExceedsAllocation);
    }
    json::Value body = {{"consignment", Id("cons")},
                        {"warehouse", wh},
                        {"lines", {{{"item", item}, {"quantity", q}, {"for", for_}}}}};
    if (Bad(0.05)) {
      // Another vendor's warehouse.
      std::string other = Pick(vendors_);
      if (other == v) return Ev("consignment.request", {v}, body, intent);
      return Ev("consignment.request", {other}, body, ErrorCode::kNotPermitted);
    }
    // A vendor that is blocked cannot request (if the model says so, any refusal will do).
    if (Mo().Blocked(v) || Mo().Suspended(v)) intent.reset();
    return Ev("consignment.request", {v}, body, intent);
  }

  Planned ConsApprove() {
    std::vector<std::string> pending;
    for (const auto& [id, c] : M().consignments()) {
      for (const auto& l : c.lines) {
        if (l.status == "requested") {
          pending.push_back(id);
          break;
        }
      }
    }
    if (pending.empty()) return ConsRequest();
    const std::string& c = Pick(pending);
    if (Bad(0.1)) {
      // mmu is not in consignment_approval.
      return Ev("consignment.approve", {"mmu"}, {{"consignment", c}}, ErrorCode::kNotPermitted);
    }
    json::Value body = {{"consignment", c}};
    if (Chance(0.2)) {
      const auto& l = M().consignments().at(c).lines.front();
      if (l.status == "requested") {
        body["lines"] = {{{"item", l.item},
                          {"quantity", std::max<int64_t>(1, l.requested / 2)},
                          {"for", l.for_}}};
      }
    }
    return Ev("consignment.approve", {"cogat"}, body);
  }

  Planned ConsEnter() {
    std::vector<std::pair<std::string, std::pair<std::string, int64_t>>> open;
    for (const auto& [id, c] : M().consignments()) {
      std::map<std::string, int64_t, std::less<>> approved;
      for (const auto& l : c.lines) {
        if (l.status == "approved") approved[l.item] += l.approved;
      }
      for (const auto& [item, q] : approved) {
        const int64_t left = q - Of(c.entered, item);
        if (left > 0) open.push_back({id, {item, left}});
      }
    }
    if (open.empty()) return ConsApprove();
    const auto& [c, rest] = Pick(open);
    const auto& [item, left] = rest;
    std::optional<ErrorCode> intent;
    int64_t q = Chance(0.6) ? left : Uniform64(1, left);
    if (Bad()) {
      q = left + Uniform64(1, 500);
      intent = Fresh(ErrorCode::kExceedsAllocation);
    }
    const std::string& vendor = M().consignments().at(c).vendor;
    if (Mo().Blocked(vendor) || Mo().Suspended(vendor)) intent.reset();
    return Ev("consignment.enter", {Chance(0.5) ? "cogat" : "mmu"},
              {{"consignment", c}, {"crossing", "kerem-shalom"}, {"lines", OneLine(item, q)}},
              intent);
  }

  // A (warehouse, item) with stock, of any vendor; nullopt when there is none.
  std::optional<std::pair<std::string, std::string>> Stocked() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [wh, items] : M().stock()) {
      for (const auto& [item, s] : items) {
        if (s.book > 0) out.push_back({wh, item});
      }
    }
    if (out.empty()) return std::nullopt;
    return Pick(out);
  }

  Planned Transfer() {
    const auto st = Stocked();
    if (!st.has_value()) return ConsEnter();
    const auto& [from, item] = *st;
    const std::string vendor = M().warehouses().at(from).vendor;
    std::vector<std::string> others;
    for (const auto& [id, w] : M().warehouses()) {
      if (id != from) others.push_back(id);
    }
    const std::string& to = Pick(others);
    const int64_t book = Book(from, item);
    std::optional<ErrorCode> intent;
    int64_t q = Uniform64(1, book);
    if (Bad()) {
      q = book + Uniform64(1, 1000);
      intent = Fresh(ErrorCode::kExceedsStock);
    }
    const std::string receiver = M().warehouses().at(to).vendor;
    if (Mo().Suspended(receiver) || Mo().Blocked(receiver)) intent.reset();
    json::Value body = {
        {"transfer", Id("tr")}, {"from", from}, {"to", to}, {"lines", OneLine(item, q)}};
    if (Bad(0.05)) {
      const std::string& thief = Pick(vendors_);
      if (thief != vendor) {
        return Ev("stock.transfer", {thief}, body, ErrorCode::kNotPermitted);
      }
    }
    return Ev("stock.transfer", {vendor}, body, intent);
  }

  Planned Release() {
    const auto st = Stocked();
    if (!st.has_value()) return ConsEnter();
    const auto& [wh, item] = *st;
    const std::string vendor = M().warehouses().at(wh).vendor;
    // Recipients that may receive `item`: approved projects with it in their bill of
    // quantities, households entitled to it; sometimes one that is suspended or blocked.
    std::vector<std::string> ok, troubled;
    for (const auto& [id, p] : M().projects()) {
      if (p.status == "approved" && Of(p.boq, item) > 0) {
        (Mo().Suspended(p.implementer) || Mo().Blocked(p.implementer) ? troubled : ok)
            .push_back(id);
      }
    }
    for (const auto& [id, b] : M().beneficiaries()) {
      if (Of(b.entitlement, item) > 0) (Mo().Blocked(id) ? troubled : ok).push_back(id);
    }
    std::string to;
    if (!troubled.empty() && (ok.empty() || Chance(0.3))) {
      to = Pick(troubled);
    } else if (!ok.empty()) {
      to = Pick(ok);
    } else {
      return ConsRequest();
    }
    const bool project = M().projects().contains(to);
    const int64_t cap = project ? Of(M().projects().at(to).boq, item)
                                : Of(M().beneficiaries().at(to).entitlement, item);
    const int64_t got = project ? Of(M().projects().at(to).released, item)
                                : Of(M().beneficiaries().at(to).released, item);
    const int64_t book = Book(wh, item);
    int64_t q = std::min(book, cap - got);
    if (q > 0) q = Uniform64(1, q);
    if (q <= 0 || Bad(0.1)) q = cap - got + Uniform64(1, 100);  // over the allowance
    if (Bad(0.1)) q = book + Uniform64(1, 100);                 // over the stock
    // The verdict is predicted exactly by the CheckedDirectory.
    return Ev("material.release", {vendor},
              {{"release", Id("rel")}, {"warehouse", wh}, {"to", to}, {"lines", OneLine(item, q)}});
  }

  Planned Verify() {
    std::vector<std::pair<std::string, std::pair<std::string, int64_t>>> done;
    for (const auto& [id, p] : M().projects()) {
      for (const auto& [item, q] : p.released) done.push_back({id, {item, q}});
    }
    for (const auto& [id, b] : M().beneficiaries()) {
      for (const auto& [item, q] : b.released) done.push_back({id, {item, q}});
    }
    if (done.empty()) return Release();
    const auto& [to, rest] = Pick(done);
    return Ev("material.verify", {Pick(inspectors_)},
              {{"inspection", Id("ins")},
               {"recipient", to},
               {"lines", OneLine(rest.first, std::max<int64_t>(1, rest.second))},
               {"result", "installed"},
               {"photos", json::Value::array()},
               {"location", Location()}});
  }

  Planned Count() {
    const auto st = Stocked();
    if (!st.has_value()) return ConsEnter();
    const int64_t book = Book(st->first, st->second);
    return Ev("stock.count", {Pick(inspectors_)},
              {{"count", Id("cnt")},
               {"warehouse", st->first},
               {"lines", OneLine(st->second, Chance(0.5) ? book : Uniform64(0, book))}});
  }

  // ---- funds ----
  int64_t Uncommitted(const std::string& donor) const {
    const auto d = F().donors().find(donor);
    if (d == F().donors().end()) return 0;
    const auto c = d->second.find("USD");
    return c == d->second.end() ? 0 : c->second.pledged - c->second.committed;
  }

  Planned Pledge() {
    const std::string donor = Chance(0.7) ? "donor" : "donor-b";
    json::Value body = {
        {"pledge", Id("pl")}, {"amount", Money(Uniform64(1000000, 80000000))}, {"purpose", "x"}};
    if (Bad(0.1)) return Ev("funds.pledge", {Pick(vendors_)}, body, ErrorCode::kNotPermitted);
    return Ev("funds.pledge", {donor}, body);
  }

  Planned Commit() {
    const auto approved = ProjectsWith({"approved"});
    const std::string donor = Chance(0.7) ? "donor" : "donor-b";
    if (approved.empty()) return Pledge();
    const std::string& p = Pick(approved);
    int64_t room = M().projects().at(p).budget;
    if (const auto pf = F().project_funds().find(p); pf != F().project_funds().end()) {
      if (const auto c = pf->second.find("USD"); c != pf->second.end()) room -= c->second.committed;
    }
    const int64_t left = Uncommitted(donor);
    std::optional<ErrorCode> intent;
    int64_t amount = std::min(room, left);
    if (amount <= 0) return Pledge();
    amount = Uniform64(1, amount);
    if (Bad()) {
      amount = left + Uniform64(1, 1000);  // more than pledged and not committed
      intent = Fresh(ErrorCode::kExceedsBalance);
    }
    json::Value body = {{"commitment", Id("cm")}, {"project", p}, {"amount", Money(amount)}};
    if (Chance(0.4)) {
      const int k = Uniform(1, 2);
      body["conditions"] = {{{"condition", "survey"},
                             {"text", "Survey signed off"},
                             {"attesters", {{"of", {"mmu", "pa"}}, {"k", k}}}}};
    }
    return Ev("funds.commit", {donor}, body, intent);
  }

  Planned Attest() {
    std::vector<std::pair<std::string, std::string>> open;  // (commitment, attester)
    for (const auto& [id, c] : F().commitments()) {
      for (const auto& cond : c.conditions) {
        if (cond.met) continue;
        for (const auto& who : cond.of) {
          if (!cond.attested.contains(who)) open.push_back({id, who});
        }
      }
    }
    if (open.empty()) return Commit();
    const auto& [c, who] = Pick(open);
    if (Bad(0.1)) {
      return Ev("condition.attest", {"cogat"}, {{"commitment", c}, {"condition", "survey"}},
                ErrorCode::kNotPermitted);
    }
    return Ev("condition.attest", {who}, {{"commitment", c}, {"condition", "survey"}});
  }

  Planned Disburse() {
    std::vector<std::string> ok, troubled;
    for (const auto& [id, c] : F().commitments()) {
      if (c.disbursed >= c.amount) continue;
      const auto& imp = M().projects().at(c.project).implementer;
      (Mo().Suspended(imp) || Mo().Blocked(imp) ? troubled : ok).push_back(id);
    }
    std::string id;
    if (!troubled.empty() && (ok.empty() || Chance(0.3))) {
      id = Pick(troubled);
    } else if (!ok.empty()) {
      id = Pick(ok);
    } else {
      return Commit();
    }
    const auto& c = F().commitments().at(id);
    const int64_t left = c.amount - c.disbursed;
    int64_t amount = Chance(0.3) ? left : Uniform64(1, left);
    if (Bad()) amount = left + Uniform64(1, 1000);  // over the commitment
    // The verdict is predicted exactly by the CheckedDirectory.
    return Ev("funds.disburse", {c.donor},
              {{"disbursement", Id("disb")},
               {"commitment", id},
               {"to", M().projects().at(c.project).implementer},
               {"amount", Money(amount)}});
  }

  Planned Pay() {
    std::vector<std::pair<std::string, std::string>> held;  // (implementer, project)
    for (const auto& [imp, projects] : F().holdings()) {
      for (const auto& [p, amounts] : projects) {
        if (Of(amounts, "USD") > 0) held.push_back({imp, p});
      }
    }
    if (held.empty()) return Disburse();
    const auto& [imp, p] = Pick(held);
    std::vector<std::string> payees = vendors_;
    payees.insert(payees.end(), implementers_.begin(), implementers_.end());
    std::string payee = Pick(payees);
    if (const auto t = Troubled(payees); t.has_value() && Chance(0.3)) payee = *t;
    const int64_t have = F().Held(imp, p, "USD");
    int64_t amount = Uniform64(1, have);
    if (Bad()) amount = have + Uniform64(1, 1000);  // over the balance
    if (Bad(0.03)) payee = "mmu";                   // neither vendor nor implementer
    // The verdict is predicted exactly by the CheckedDirectory.
    return Ev("funds.pay", {imp},
              {{"payment", Id("pay")},
               {"project", p},
               {"payee", payee},
               {"amount", Money(amount)},
               {"invoice", "inv"}});
  }

  // ---- screening and enforcement ----
  Planned Hit() {
    std::vector<std::string> subjects = vendors_;
    subjects.insert(subjects.end(), implementers_.begin(), implementers_.end());
    for (const auto& [id, b] : M().beneficiaries()) subjects.push_back(id);
    subjects.push_back(fmt::format("hh-{}", households_ + 1));  // a candidate, not yet registered
    const std::string by = Chance(0.6) ? "mmu.detector" : "mmu";
    json::Value body = {{"hit", Id("hit")},
                        {"subject", Pick(subjects)},
                        {"list", "un-list"},
                        {"entry", "QDi.1"},
                        {"score", Uniform(600, 1000)},
                        {"algorithm", "name-match.v2"},
                        {"explanation", "names match"}};
    if (Bad(0.05)) {
      body["list"] = "no-such-list";
      return Ev("screening.hit", {by}, body, ErrorCode::kUnknownRef);
    }
    return Ev("screening.hit", {by}, body);
  }

  Planned DecideHit() {
    std::vector<std::string> open;
    for (const auto& [id, h] : Mo().hits) {
      if (h.status == "open" || h.status == "below_review") open.push_back(id);
    }
    if (open.empty()) return Hit();
    const std::string& id = Pick(open);
    const auto& h = Mo().hits.at(id);
    const bool party =
        std::find(vendors_.begin(), vendors_.end(), h.subject) != vendors_.end() ||
        std::find(implementers_.begin(), implementers_.end(), h.subject) != implementers_.end();
    // Confirmations of parties block and suspend them for good (no appeals here): rare.
    const bool confirm = Chance(party ? 0.08 : 0.25);
    const std::string type = confirm ? "screening.confirm" : "screening.clear";
    json::Value body = {{"hit", id}, {"reason", "checked"}};
    if (h.score >= kFourEyesAt) {
      if (Bad()) return Ev(type, {"mmu"}, body, ErrorCode::kQuorumNotMet);
      return Ev(type, {"mmu", "mmu-qa"}, body);
    }
    return Ev(type, {Chance(0.5) ? "mmu" : "mmu-qa"}, body);
  }

  Planned Alert() {
    std::vector<std::string> subjects = vendors_;
    for (const auto& [id, w] : M().warehouses()) subjects.push_back(id);
    for (const auto& [id, p] : M().projects()) subjects.push_back(id);
    const std::string id = Id("al");
    alerts_.push_back(id);
    return Ev("alert.raise", {Chance(0.5) ? "mmu.detector" : "mmu"},
              {{"alert", id},
               {"kind", "stock_mismatch"},
               {"subject", Pick(subjects)},
               {"severity", "high"},
               {"evidence", json::Value::array()},
               {"detail", "count short of the book"}});
  }

  Planned Case() {
    std::vector<std::string> open_cases, open_alerts;
    for (const auto& c : cases_) {
      const auto* k = D().enforcement().FindCase(c);
      if (k != nullptr && k->status == "open") open_cases.push_back(c);
    }
    for (const auto& a : alerts_) {
      const auto* k = D().enforcement().FindAlert(a);
      if (k != nullptr && k->status == "open") open_alerts.push_back(a);
    }
    if (!open_cases.empty() && Chance(0.5)) {
      const std::string& c = Pick(open_cases);
      if (Chance(0.5)) return Ev("case.note", {"mmu"}, {{"case", c}, {"text", "seized notes"}});
      return Ev("case.close", {"mmu"},
                {{"case", c},
                 {"finding", "substantiated"},
                 {"actions", {{{"action", "warn"}, {"party", Pick(vendors_)}}}}});
    }
    if (open_alerts.empty()) return Alert();
    const std::string id = Id("case");
    cases_.push_back(id);
    return Ev("case.open", {"mmu-qa"}, {{"case", id}, {"alerts", {Pick(open_alerts)}}});
  }

  // ---- refusals at authentication ----
  Planned WrongRole() {
    const std::string& v = Pick(vendors_);
    const std::string& imp = Pick(implementers_);
    switch (Uniform(0, 5)) {
      case 0:
        return Ev("material.release", {imp},
                  {{"release", Id("rel")},
                   {"warehouse", "wh-v-0-a"},
                   {"to", "hh-1"},
                   {"lines", OneLine("cement", 1)}},
                  ErrorCode::kNotPermitted);
      case 1:
        return Ev("funds.pay", {v},
                  {{"payment", Id("pay")},
                   {"project", "prj-1"},
                   {"payee", v},
                   {"amount", Money(1)},
                   {"invoice", "i"}},
                  ErrorCode::kNotPermitted);
      case 2:
        return Ev(
            "stock.count", {v},
            {{"count", Id("cnt")}, {"warehouse", "wh-v-0-a"}, {"lines", OneLine("cement", 0)}},
            ErrorCode::kNotPermitted);
      case 3:
        return Ev("screening.clear", {"pa"}, {{"hit", "hit-1"}, {"reason", "friend"}},
                  ErrorCode::kNotPermitted);
      case 4:
        return Ev("funds.disburse", {imp},
                  {{"disbursement", Id("disb")},
                   {"commitment", "cm-1"},
                   {"to", imp},
                   {"amount", Money(1)}},
                  ErrorCode::kNotPermitted);
      default:
        return Ev("consignment.request", {imp},
                  {{"consignment", Id("cons")},
                   {"warehouse", "wh-v-0-a"},
                   {"lines", {{{"item", "cement"}, {"quantity", 1}, {"for", "households"}}}}},
                  ErrorCode::kNotPermitted);
    }
  }

  Planned ReplayNonce() {
    // mmu (a founder, never suspended) reuses the nonce of the genesis, which the log
    // holds, with another body.
    json::Value body = {{"list", "un-list"},
                        {"version", Id("v")},
                        {"sha256", "sha256:" + std::string(64, 'b')},
                        {"entries", 1001}};
    return {testing::SignedLine(testing::MakeEnvelope("watchlist.load", "mmu", "genesis", body),
                                {&A("mmu")}),
            ErrorCode::kReplayedNonce};
  }

  std::mt19937_64 rng_;
  CheckedDirectory& machine_;
  std::map<std::string, Actor> actors_;
  std::vector<std::string> vendors_, implementers_, inspectors_, items_, alerts_, cases_;
  uint64_t nonce_ = 0, ids_ = 0;
  int households_ = 0;
  bool first_in_batch_ = true;
};

class PropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(PropertyTest, RandomStreamsKeepTheInvariants) {
  const uint64_t seed = GetParam();
  SCOPED_TRACE(fmt::format("seed {} (rerun: --gtest_filter='*/{}')", seed, seed - 1));
  const size_t n_events = EnvCount("AIDTRACE_PROPERTY_EVENTS", 1500);

  testing::FaultEnv env;
  env.FreezeClock({1795428000, 0});
  // The store lives in memory-backed /dev/shm when there is one: this test is about the
  // rules, not durability, and a group commit's fsync on a virtual disk would dominate.
  std::error_code ec;
  const fs::path base =
      fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  const std::string dir = (base / fmt::format("aidtrace-property-{}-{}", getpid(), seed)).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = dir + "/log.db";
  const crypto::SignerKey log_key = testing::MakeActor("log.example.org", 1000).key;
  ASSERT_TRUE(ledger::Ledger::Create(env, db, "log.example.org", log_key, dir + "/log.key").ok());

  auto owned = std::make_unique<CheckedDirectory>();
  CheckedDirectory& machine = *owned;
  ledger::LedgerOptions options;
  options.snapshot_every = 500;  // snapshots along the way, not only at close
  auto opened = ledger::Ledger::Open(env, db, std::move(owned), log_key, options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<ledger::Ledger> ledger = std::move(*opened);

  Generator gen(seed, machine);
  std::mt19937_64 batch_rng(seed * 7919);
  // Submits `plan` as one group and checks what a batch must keep.
  auto submit = [&](std::vector<Planned> plan) {
    const uint64_t size_before = ledger->Size();
    // The full state digest is a serialisation of the whole state: compared at the ledger
    // level around single-event batches (every refusal is fingerprinted in the machine).
    const bool single = plan.size() == 1;
    const crypto::Hash digest_before = single ? ledger->StateDigest() : crypto::Hash{};
    std::vector<ledger::Prepared> items;
    std::vector<size_t> where;
    std::vector<Status> out(plan.size());
    for (size_t i = 0; i < plan.size(); ++i) {
      auto p = ledger->Prepare(plan[i].line);
      if (p.ok()) {
        items.push_back(std::move(*p));
        where.push_back(i);
      } else {
        out[i] = p.status();
      }
    }
    auto results = ledger->Submit(std::move(items));
    for (size_t k = 0; k < where.size(); ++k) {
      out[where[k]] = results[k].ok() ? Status::Ok() : results[k].status();
    }
    uint64_t accepted = 0;
    for (size_t i = 0; i < plan.size(); ++i) {
      if (out[i].ok()) ++accepted;
      if (plan[i].expect.has_value()) {
        EXPECT_EQ(CodeName(out[i].code()), CodeName(*plan[i].expect)) << out[i].ToString();
        if (!out[i].ok()) ++machine.stats().codes[std::string(out[i].code_name())];
      }
    }
    // Rejected events leave no leaf.
    EXPECT_EQ(ledger->Size(), size_before + accepted);
    if (single && accepted == 0) {
      EXPECT_EQ(HexEncode(ledger->StateDigest()), HexEncode(digest_before))
          << "a refused event changed the digest";
    }
    machine.CheckModel();
    return out;
  };

  const auto boot = submit(gen.Bootstrap());
  for (const Status& s : boot) ASSERT_TRUE(s.ok()) << "set-up: " << s.ToString();
  size_t done = 0;
  while (done < n_events && !::testing::Test::HasFailure()) {
    // Mostly small groups, sometimes single events (one group commit each).
    const size_t n = std::min<size_t>(n_events - done, 1 + batch_rng() % 12);
    std::vector<Planned> plan;
    for (size_t i = 0; i < n; ++i) plan.push_back(gen.Next(i == 0));
    submit(std::move(plan));
    done += n;
  }
  machine.CheckInvariants("end of stream");

  // Replay equals incremental: a full replay, then a restart from the snapshot.
  const crypto::Hash digest = ledger->StateDigest();
  const uint64_t size = ledger->Size();
  Stats stats = machine.stats();
  ledger.reset();  // a clean close writes a snapshot
  for (const bool snapshots : {false, true}) {
    ledger::LedgerOptions o;
    o.use_snapshots = snapshots;
    o.snapshot_every = 0;
    auto again = ledger::Ledger::Open(env, db, std::make_unique<Directory>(), std::nullopt, o);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ((*again)->Size(), size);
    EXPECT_EQ(HexEncode((*again)->StateDigest()), HexEncode(digest))
        << (snapshots ? "restart from the snapshot" : "full replay")
        << " differs from the incremental state";
    EXPECT_EQ((*again)->replayed_from(), snapshots ? size : 0u);
  }
  fs::remove_all(dir);

  // The stream exercised what it is meant to: money and material moved, and refusals of
  // several kinds happened.
  int accepted = 0, rejected = 0;
  std::string summary;
  for (const auto& [type, ar] : stats.by_type) {
    accepted += ar.first;
    rejected += ar.second;
    summary += fmt::format(" {}={}/{}", type, ar.first, ar.second);
  }
  std::string codes;
  for (const auto& [code, n] : stats.codes) codes += fmt::format(" {}={}", code, n);
  std::printf(
      "seed %lu: %d accepted, %d refused, %d verdicts predicted, %d guarded\n"
      "  accepted/refused:%s\n  codes:%s\n",
      static_cast<unsigned long>(seed), accepted, rejected, stats.predicted, stats.guarded,
      summary.c_str(), codes.c_str());
  EXPECT_GT(stats.by_type["material.release"].first, 0);
  EXPECT_GT(stats.by_type["funds.pay"].first, 0);
  EXPECT_GT(stats.by_type["funds.disburse"].first, 0);
  EXPECT_GE(stats.codes.size(), 6u);
}

std::vector<uint64_t> Seeds() {
  std::vector<uint64_t> seeds;
  const size_t n = EnvCount("AIDTRACE_PROPERTY_SEEDS", 20);
  for (uint64_t s = 1; s <= n; ++s) seeds.push_back(s);
  return seeds;
}

INSTANTIATE_TEST_SUITE_P(Seeds, PropertyTest, ::testing::ValuesIn(Seeds()));

}  // namespace
}  // namespace aidtrace::mechanism
