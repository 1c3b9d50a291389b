#include "detect/detect.h"

#include <algorithm>
#include <cctype>
#include <deque>

#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/sha256.h"

namespace aidtrace::detect {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kWeek = 7 * kDay;

std::string EventId(const event::Envelope& env) { return "sha256:" + HexEncode(env.id); }

const json::Value* Get(const json::Value& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}
std::string Str(const json::Value& o, std::string_view key) {
  const json::Value* v = Get(o, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}
int64_t Int(const json::Value& o, std::string_view key) {
  const json::Value* v = Get(o, key);
  return v != nullptr && v->is_number_integer() ? v->get<int64_t>() : 0;
}

// A name reduced to its consonant skeleton: lower-case ASCII letters, vowels and the
// letters that transliterations swap for them dropped (after the first letter), doubled
// letters collapsed. "Mohammed", "Muhammad" and "Mohamad" all give "mhmd".
std::string Skeleton(std::string_view name) {
  std::string out;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalpha(u)) continue;
    const char l = static_cast<char>(std::tolower(u));
    const bool weak = l == 'a' || l == 'e' || l == 'i' || l == 'o' || l == 'u' || l == 'y' ||
                      l == 'w' || l == 'h';
    if (weak && !out.empty() && !(l == 'h' && out.back() == 'm')) continue;
    const char k = l == 'q' ? 'k' : l == 'z' ? 's' : l;
    if (!out.empty() && out.back() == k) continue;
    out.push_back(k);
  }
  return out;
}

struct PendingRelease {
  std::string recipient, item, event_id, release, vendor;
  int64_t cumulative = 0;  // released to the recipient of the item, this one included
};

struct PendingDecision {
  std::string what;  // "project", "consignment", "hit", "appeal"
  std::string id;
  std::string event_id;  // the event that opened it
  Timestamp opened;
};

}  // namespace

std::string Finding::AlertId() const {
  return "al-" + HexEncode(crypto::Sha256(key)).substr(0, 16);
}

json::Value AlertBody(const Finding& f) {
  return {{"alert", f.AlertId()},   {"kind", f.kind},         {"subject", f.subject},
          {"severity", f.severity}, {"evidence", f.evidence}, {"detail", f.detail}};
}

const std::vector<std::string>& Engine::Kinds() {
  static const std::vector<std::string> kKinds = {
      "stock_mismatch",      "release_unverified",       "verified_short",
      "duplicate_household", "entitlement_spread",       "structuring",
      "volume_jump",         "payment_without_delivery", "decision_overdue"};
  return kKinds;
}

struct Engine::State {
  Options options;
  std::set<std::string> reported;  // finding keys
  Timestamp now{};

  // release_unverified: releases by the time they must be verified.
  std::multimap<Timestamp, PendingRelease> due;
  std::map<std::pair<std::string, std::string>, int64_t> released;  // (recipient, item)

  // entitlement_spread: (beneficiary, item) -> vendor -> the release event ids.
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::vector<std::string>>>
      suppliers;

  // volume_jump: (vendor, item) -> week -> quantity, and the event ids of the current week.
  struct Volume {
    std::map<int64_t, int64_t> weeks;
    std::vector<std::string> events;  // of the newest week
  };
  std::map<std::pair<std::string, std::string>, Volume> volumes;

  // payment_without_delivery: project -> vendors that released to it.
  std::map<std::string, std::set<std::string>> delivered_by;

  // structuring: (payer, payee) -> the recent payments just under the threshold.
  std::map<std::pair<std::string, std::string>, std::deque<std::pair<Timestamp, std::string>>>
      near_threshold;

  // duplicate_household: birth date + name skeletons -> first beneficiary and its event.
  std::map<std::string, std::pair<std::string, std::string>> households;

  // decision_overdue: pending decisions in the order they opened.
  std::deque<PendingDecision> decisions;
  int64_t last_scan_day = -1;

  void Report(Finding f, std::vector<Finding>& out) {
    if (!reported.insert(f.key).second) return;
    out.push_back(std::move(f));
  }

  void Due(const mechanism::Directory& st, std::vector<Finding>& out);
  void Overdue(const mechanism::Directory& st, std::vector<Finding>& out);
};

Engine::Engine(Options options) : s_(std::make_unique<State>()) { s_->options = options; }
Engine::~Engine() = default;

void Engine::State::Due(const mechanism::Directory& st, std::vector<Finding>& out) {
  const auto& m = st.materials();
  while (!due.empty() && due.begin()->first <= now) {
    const PendingRelease r = due.begin()->second;
    due.erase(due.begin());
    int64_t verified = 0;
    if (const auto p = m.projects().find(r.recipient); p != m.projects().end()) {
      const auto v = p->second.verified.find(r.item);
      verified = v == p->second.verified.end() ? 0 : v->second;
    } else if (const auto b = m.beneficiaries().find(r.recipient); b != m.beneficiaries().end()) {
      const auto v = b->second.verified.find(r.item);
      verified = v == b->second.verified.end() ? 0 : v->second;
    }
    if (verified >= r.cumulative) continue;
    Report({fmt::format("release_unverified/{}", r.release),
            "release_unverified",
            r.recipient,
            "medium",
            {r.event_id},
            fmt::format("release {} of {} by {} to {} is not verified installed within the "
                        "window: {} verified of {} released so far",
                        r.release, r.item, r.vendor, r.recipient, verified, r.cumulative)},
           out);
  }
}

void Engine::State::Overdue(const mechanism::Directory& st, std::vector<Finding>& out) {
  const int64_t day = now.seconds / kDay;
  if (day == last_scan_day) return;
  last_scan_day = day;
  const int64_t sla = st.policy().decision_sla_days * kDay;
  const auto& m = st.materials();
  std::deque<PendingDecision> keep;
  for (auto& d : decisions) {
    bool pending = false;
    if (d.what == "project") {
      const auto p = m.projects().find(d.id);
      pending = p != m.projects().end() && p->second.round.has_value();
    } else if (d.what == "consignment") {
      const auto c = m.consignments().find(d.id);
      pending = c != m.consignments().end() && !c->second.deadline.empty();
    } else if (d.what == "hit") {
      const auto* h = st.enforcement().FindHit(d.id);
      pending = h != nullptr && h->status == "open";
    } else {
      const auto* a = st.enforcement().FindAppeal(d.id);
      pending = a != nullptr && a->status == "pending";
    }
    if (!pending) continue;
    if (now.seconds - d.opened.seconds <= sla) {
      keep.push_back(std::move(d));
      continue;
    }
    Report({fmt::format("decision_overdue/{}/{}/{}", d.what, d.id, d.opened.seconds),
            "decision_overdue",
            d.id,
            "medium",
            {d.event_id},
            fmt::format("the decision on {} {} has waited {} days (the policy allows {})", d.what,
                        d.id, (now.seconds - d.opened.seconds) / kDay, sla / kDay)},
           out);
  }
  decisions = std::move(keep);
}

void Engine::Observe(const Observed& ev, std::vector<Finding>& out) {
  State& s = *s_;
  const event::Envelope& env = ev.env;
  const json::Value& body = env.body();
  const std::string& type = env.type;
  const auto& m = ev.state.materials();
  // The clock is the current event's time: an event stamped far ahead by a wrong clock
  // would otherwise close every window at once.
  s.now = env.time;
  const std::string id = EventId(env);

  if (type == "stock.count") {
    const std::string wh = Str(body, "warehouse");
    const auto books = m.stock().find(wh);
    const int64_t tolerance = ev.state.policy().stock_tolerance;
    const json::Value* lines = Get(body, "lines");
    if (books != m.stock().end() && lines != nullptr && lines->is_array()) {
      for (const auto& l : *lines) {
        const std::string item = Str(l, "item");
        const auto st = books->second.find(item);
        if (st == books->second.end() || !st->second.last_count.has_value()) continue;
        const auto& c = *st->second.last_count;
        const int64_t diff = c.quantity - c.book;
        const int64_t adiff = diff < 0 ? -diff : diff;
        // |counted - book| > tolerance (permille) of the book (any difference on an empty book).
        if (adiff == 0 || (c.book > 0 && adiff * 1000 <= tolerance * c.book)) continue;
        const bool big = c.book > 0 && adiff * 10 > c.book;
        s.Report({fmt::format("stock_mismatch/{}/{}/{}", wh, item, c.count),
                  "stock_mismatch",
                  wh,
                  big ? "high" : "medium",
                  {id},
                  fmt::format("count {} of {} in {}: {} counted against a book of {} ({}{} "
                              "permille)",
                              c.count, item, wh, c.quantity, c.book, diff < 0 ? "-" : "+",
                              c.book > 0 ? adiff * 1000 / c.book : 1000)},
                 out);
      }
    }
  } else if (type == "material.release") {
    const std::string to = Str(body, "to");
    const std::string release = Str(body, "release");
    const bool household = m.beneficiaries().contains(to);
    const int64_t window = ev.state.policy().verify_window_days * kDay;
    const int64_t week = env.time.seconds / kWeek;
    const json::Value* lines = Get(body, "lines");
    if (lines != nullptr && lines->is_array()) {
      for (const auto& l : *lines) {
        const std::string item = Str(l, "item");
        const int64_t q = Int(l, "quantity");
        int64_t& cum = s.released[{to, item}];
        cum += q;
        s.due.emplace(Timestamp{env.time.seconds + window, 0},
                      PendingRelease{to, item, id, release, env.actor, cum});
        if (household) {
          auto& by_vendor = s.suppliers[{to, item}];
          by_vendor[env.actor].push_back(id);
          if (static_cast<int64_t>(by_vendor.size()) >= s.options.spread_vendors) {
            std::vector<std::string> evidence, vendors;
            for (const auto& [v, ids] : by_vendor) {
              vendors.push_back(v);
              evidence.insert(evidence.end(), ids.begin(), ids.end());
            }
            s.Report({fmt::format("entitlement_spread/{}/{}", to, item), "entitlement_spread", to,
                      "high", evidence,
                      fmt::format("household {} drew {} through {} vendors: {}", to, item,
                                  vendors.size(), fmt::join(vendors, ", "))},
                     out);
          }
        }
        // Volume: this week's releases of the item by the vendor against its own history.
        auto& vol = s.volumes[{env.actor, item}];
        if (vol.weeks.empty() || vol.weeks.rbegin()->first != week) vol.events.clear();
        vol.weeks[week] += q;
        vol.events.push_back(id);
        const int64_t first = vol.weeks.begin()->first;
        const int64_t history = week - first;  // whole weeks before this one
        if (history >= s.options.volume_min_weeks) {
          int64_t before = 0;
          for (const auto& [w, n] : vol.weeks) {
            if (w < week) before += n;
          }
          const int64_t mean = before / history;
          if (vol.weeks[week] > s.options.volume_factor * std::max<int64_t>(mean, 1)) {
            s.Report({fmt::format("volume_jump/{}/{}/{}", env.actor, item, week), "volume_jump",
                      env.actor, "medium", vol.events,
                      fmt::format("{} released {} of {} in the week of {}, over {} times its "
                                  "weekly mean of {} since {}",
                                  env.actor, vol.weeks[week], item, env.time_text,
                                  s.options.volume_factor, mean, first)},
                     out);
          }
        }
      }
    }
    if (!household) s.delivered_by[to].insert(env.actor);
  } else if (type == "material.verify") {
    const std::string result = Str(body, "result");
    if (result == "partial" || result == "not_found") {
      const std::string to = Str(body, "recipient");
      s.Report({fmt::format("verified_short/{}", Str(body, "inspection")),
                "verified_short",
                to,
                result == "not_found" ? "high" : "medium",
                {id},
                fmt::format("inspection {} of {}: {}", Str(body, "inspection"), to,
                            result == "not_found" ? "no released material found installed"
                                                  : "less installed than released")},
               out);
    }
  } else if (type == "funds.pay") {
    const std::string project = Str(body, "project");
    const std::string payee = Str(body, "payee");
    const json::Value* amount = Get(body, "amount");
    const int64_t value = amount != nullptr ? Int(*amount, "amount") : 0;
    const auto party = ev.state.FindParty(payee);
    const bool vendor = party.has_value() && std::find(party->roles.begin(), party->roles.end(),
                                                       "vendor") != party->roles.end();
    const auto delivered = s.delivered_by.find(project);
    const bool none = delivered == s.delivered_by.end() || delivered->second.empty();
    if (none || (vendor && !delivered->second.contains(payee))) {
      s.Report({fmt::format("payment_without_delivery/{}/{}", project, payee),
                "payment_without_delivery",
                project,
                "high",
                {id},
                fmt::format("{} paid {} for project {} {}", env.actor, payee, project,
                            none ? "before any material was delivered to it"
                                 : "although that vendor delivered nothing to it")},
               out);
    }
    const int64_t t = s.options.structuring_threshold;
    if (value < t && value * 1000 >= t * (1000 - s.options.structuring_band)) {
      auto& q = s.near_threshold[{env.actor, payee}];
      q.emplace_back(env.time, id);
      while (!q.empty() && env.time.seconds - q.front().first.seconds > 30 * kDay) q.pop_front();
      if (static_cast<int64_t>(q.size()) >= s.options.structuring_count) {
        std::vector<std::string> evidence;
        for (const auto& [when, e] : q) evidence.push_back(e);
        s.Report({fmt::format("structuring/{}/{}/{}", env.actor, payee, q.front().second),
                  "structuring", payee, "high", evidence,
                  fmt::format("{} payments from {} to {} within 30 days, each just under {}",
                              q.size(), env.actor, payee, t)},
                 out);
      }
    }
  } else if (type == "beneficiary.register" && ev.private_record != nullptr) {
    const json::Value& p = *ev.private_record;
    const json::Value* names = Get(p, "names");
    const std::string birth = Str(p, "birth_date");
    if (names != nullptr && !birth.empty()) {
      const std::string key =
          fmt::format("{}|{}|{}|{}", birth, Skeleton(Str(*names, "given")),
                      Skeleton(Str(*names, "father")), Skeleton(Str(*names, "family")));
      const std::string ben = Str(body, "beneficiary");
      const auto [it, fresh] = s.households.emplace(key, std::make_pair(ben, id));
      if (!fresh) {
        s.Report({fmt::format("duplicate_household/{}/{}", it->second.first, ben),
                  "duplicate_household",
                  ben,
                  "high",
                  {it->second.second, id},
                  fmt::format("household {} looks like household {} registered again (same "
                              "birth date, names alike)",
                              ben, it->second.first)},
                 out);
      }
    }
  }

  // Pending decisions and their clocks.
  if (type == "project.propose" || type == "project.amend") {
    s.decisions.push_back({"project", Str(body, "project"), id, env.time});
  } else if (type == "project.reject" || type == "project.approve") {
    // A decision that ends a round: a later round is a new pending decision.
  } else if (type == "consignment.request") {
    s.decisions.push_back({"consignment", Str(body, "consignment"), id, env.time});
  } else if (type == "screening.hit") {
    s.decisions.push_back({"hit", Str(body, "hit"), id, env.time});
  } else if (type == "appeal.file") {
    s.decisions.push_back({"appeal", Str(body, "appeal"), id, env.time});
  }
  s.Due(ev.state, out);
  s.Overdue(ev.state, out);
}

void Engine::Finish(Timestamp now, const mechanism::Directory& state, std::vector<Finding>& out) {
  s_->now = now;
  s_->Due(state, out);
  s_->last_scan_day = -1;
  s_->Overdue(state, out);
}

}  // namespace aidtrace::detect
