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

// An Arabic name reduced for comparison: spaces, tatweel and harakat dropped; alef forms,
// alef maqsura and ta marbuta unified (the spellings a registrar varies).
std::string ArabicKey(std::string_view name) {
  std::string out;
  size_t i = 0;
  while (i < name.size()) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
      ++i;
      continue;
    }
    const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    const std::string_view ch = name.substr(i, len);
    i += len;
    if (ch.size() != 2) {
      out.append(ch);
      continue;
    }
    const unsigned cp = ((static_cast<unsigned>(static_cast<unsigned char>(ch[0])) & 0x1Fu) << 6) |
                        (static_cast<unsigned>(static_cast<unsigned char>(ch[1])) & 0x3Fu);
    if (cp == 0x0640 || (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670) continue;  // marks
    if (cp == 0x0622 || cp == 0x0623 || cp == 0x0625 || cp == 0x0671) {
      out.append("\u0627");  // alef
    } else if (cp == 0x0649) {
      out.append("\u064A");  // ya
    } else if (cp == 0x0629) {
      out.append("\u0647");  // ha
    } else {
      out.append(ch);
    }
  }
  return out;
}

// The lines of a release or inspection body: item -> quantity.
std::map<std::string, int64_t> LinesOf(const json::Value& body) {
  std::map<std::string, int64_t> out;
  const json::Value* lines = Get(body, "lines");
  if (lines == nullptr || !lines->is_array()) return out;
  for (const auto& l : *lines) out[Str(l, "item")] += Int(l, "quantity");
  return out;
}

// A release not yet matched by an inspection of its recipient.
struct OpenRelease {
  std::string release, event_id, vendor;
  std::map<std::string, int64_t> lines;
};

struct PendingDecision {
  std::string what;  // "project", "consignment", "hit", "appeal", "case"
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
      "stock_mismatch",     "release_unverified", "verified_short", "duplicate_household",
      "entitlement_spread", "structuring",        "volume_jump",    "payment_without_delivery",
      "decision_overdue",   "watchlist_match"};
  return kKinds;
}

struct Engine::State {
  Options options;
  std::set<std::string> reported;  // finding keys
  Timestamp now{};

  // release_unverified: each recipient's releases not yet matched by an inspection, and
  // when each must have been (-> recipient, release id).
  std::map<std::string, std::vector<OpenRelease>> open_releases;
  std::multimap<Timestamp, std::pair<std::string, std::string>> due;

  // entitlement_spread: (beneficiary, item) -> vendor -> the release event ids.
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::vector<std::string>>>
      suppliers;

  // volume_jump: (vendor, project) -> what the vendor delivered to it: the releases of the
  // last 7 days (time, kg, the 7 days' kg up to it, event id), and before them the most
  // it delivered in any 7 days and how many releases.
  struct Volume {
    struct Release {
      int64_t time;
      int64_t kg;
      int64_t week;
      std::string id;
    };
    std::deque<Release> recent;
    int64_t largest = 0;
    int64_t before = 0;
    int64_t reported = 0;  // when it was last reported (one finding a week at most)
  };
  std::map<std::pair<std::string, std::string>, Volume> volumes;

  // payment_without_delivery: project -> vendors that released to it.
  std::map<std::string, std::set<std::string>> delivered_by;

  // structuring: (payer, payee, project) -> the recent payments just under the threshold.
  std::map<std::tuple<std::string, std::string, std::string>,
           std::deque<std::pair<Timestamp, std::string>>>
      near_threshold;

  // duplicate_household: birth date and a name key -> the first beneficiary and its event.
  std::map<std::string, std::pair<std::string, std::string>> households;

  // decision_overdue: pending decisions in the order they opened.
  std::deque<PendingDecision> decisions;
  int64_t last_scan_day = -1;

  void Report(Finding f, std::vector<Finding>& out) {
    if (!reported.insert(f.key).second) return;
    // alert.raise carries at most 64 evidence events: the newest are kept.
    constexpr size_t kMaxEvidence = 64;
    if (f.evidence.size() > kMaxEvidence) {
      f.detail +=
          fmt::format(" (evidence: the last {} of {} events)", kMaxEvidence, f.evidence.size());
      f.evidence.erase(f.evidence.begin(), f.evidence.end() - kMaxEvidence);
    }
    out.push_back(std::move(f));
  }

  void Due(std::vector<Finding>& out);
  // Matches an inspection of `recipient` to the release it most likely saw.
  void Inspected(const std::string& recipient, const std::map<std::string, int64_t>& seen,
                 const std::string& result);
  void Overdue(const mechanism::Directory& st, std::vector<Finding>& out);
};

Engine::Engine(Options options) : s_(std::make_unique<State>()) { s_->options = options; }
Engine::~Engine() = default;

void Engine::State::Due(std::vector<Finding>& out) {
  while (!due.empty() && due.begin()->first <= now) {
    const auto [recipient, release] = due.begin()->second;
    due.erase(due.begin());
    auto& list = open_releases[recipient];
    const auto it = std::find_if(list.begin(), list.end(),
                                 [&](const OpenRelease& r) { return r.release == release; });
    if (it == list.end()) continue;  // inspected in time
    std::vector<std::string> lines;
    for (const auto& [item, q] : it->lines) lines.push_back(fmt::format("{} {}", q, item));
    Report({fmt::format("release_unverified/{}", release),
            "release_unverified",
            recipient,
            "medium",
            {it->event_id},
            fmt::format("release {} by {} to {} ({}) was not inspected within the window", release,
                        it->vendor, recipient, fmt::join(lines, ", "))},
           out);
    list.erase(it);
  }
}

void Engine::State::Inspected(const std::string& recipient,
                              const std::map<std::string, int64_t>& seen,
                              const std::string& result) {
  auto& list = open_releases[recipient];
  if (list.empty()) return;
  // The oldest release whose lines are what was seen (installed), else the oldest that
  // covers what was seen (partial), else the oldest.
  auto match = std::find_if(list.begin(), list.end(), [&](const OpenRelease& r) {
    return result == "installed" && r.lines == seen;
  });
  if (match == list.end()) {
    match = std::find_if(list.begin(), list.end(), [&](const OpenRelease& r) {
      return std::all_of(seen.begin(), seen.end(), [&](const auto& kv) {
        const auto l = r.lines.find(kv.first);
        return l != r.lines.end() && l->second >= kv.second;
      });
    });
  }
  if (match == list.end()) match = list.begin();
  list.erase(match);
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
    std::string subject = d.id;
    if (d.what == "project") {
      const auto p = m.projects().find(d.id);
      pending = p != m.projects().end() && p->second.round.has_value();
    } else if (d.what == "consignment") {
      const auto c = m.consignments().find(d.id);
      pending = c != m.consignments().end() && !c->second.deadline.empty();
    } else if (d.what == "hit") {
      // The alert is about the subject whose screening waits (a party or household).
      const auto* h = st.enforcement().FindHit(d.id);
      pending = h != nullptr && h->status == "open";
      // A candidate refused at admission is no subject an alert may name: the hit is.
      if (h != nullptr && (st.FindParty(h->subject).has_value() ||
                           st.materials().beneficiaries().contains(h->subject))) {
        subject = h->subject;
      }
    } else if (d.what == "case") {
      const auto* c = st.enforcement().FindCase(d.id);
      pending = c != nullptr && c->status == "open";
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
            subject,
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
  // The detectors' own alerts carry the time they were raised, not programme time: they
  // neither move the clock nor feed any detector.
  if (type == "alert.raise") return;
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
    const auto lines = LinesOf(body);
    s.open_releases[to].push_back({release, id, env.actor, lines});
    s.due.emplace(Timestamp{env.time.seconds + window, 0}, std::make_pair(to, release));
    if (household) {
      for (const auto& [item, q] : lines) {
        auto& by_vendor = s.suppliers[{to, item}];
        by_vendor[env.actor].push_back(id);
        if (static_cast<int64_t>(by_vendor.size()) < s.options.spread_vendors) continue;
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
    } else {
      s.delivered_by[to].insert(env.actor);
    }
    // Volume: the kilograms the vendor released to a project in the last 7 days against
    // the most it delivered to it in any 7 days before (items counted in other units are
    // left out). A household draws its entitlement once: it has no history to jump from.
    int64_t kg = 0;
    for (const auto& [item, q] : lines) {
      const auto it = m.items().find(item);
      if (it != m.items().end() && it->second.unit == "kg") kg += q;
    }
    if (!household && kg > 0) {
      auto& vol = s.volumes[{env.actor, to}];
      const int64_t t = env.time.seconds;
      while (!vol.recent.empty() && vol.recent.front().time <= t - kWeek) {
        vol.largest = std::max(vol.largest, vol.recent.front().week);
        vol.before += 1;
        vol.recent.pop_front();
      }
      int64_t week = kg;
      for (const auto& r : vol.recent) week += r.kg;
      vol.recent.push_back({t, kg, week, id});
      if (vol.before >= s.options.volume_min_releases && vol.largest > 0 &&
          week >= s.options.volume_factor * vol.largest && t - vol.reported >= kWeek) {
        vol.reported = t;
        std::vector<std::string> evidence;
        for (const auto& r : vol.recent) evidence.push_back(r.id);
        s.Report(
            {fmt::format("volume_jump/{}/{}/{}", env.actor, to, t / kDay), "volume_jump", env.actor,
             "medium", evidence,
             fmt::format("{} released {} kg to {} in {} releases in the 7 days to {}, {}.{} "
                         "times the most it delivered to it in 7 days before ({} kg, {} "
                         "releases before)",
                         env.actor, week, to, vol.recent.size(), env.time_text, week / vol.largest,
                         week * 10 / vol.largest % 10, vol.largest, vol.before)},
            out);
      }
    }
  } else if (type == "material.verify") {
    const std::string result = Str(body, "result");
    s.Inspected(Str(body, "recipient"), LinesOf(body), result);
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
    // Only vendors are held to deliveries (contractors are paid for works).
    const auto delivered = s.delivered_by.find(project);
    if (vendor && (delivered == s.delivered_by.end() || !delivered->second.contains(payee))) {
      s.Report({fmt::format("payment_without_delivery/{}/{}", project, payee),
                "payment_without_delivery",
                project,
                "high",
                {id},
                fmt::format("{} paid vendor {} for project {}, to which it has delivered nothing",
                            env.actor, payee, project)},
               out);
    }
    const int64_t t = ev.state.policy().payment_threshold;
    if (value < t && value * 1000 >= t * (1000 - s.options.structuring_band)) {
      auto& q = s.near_threshold[{env.actor, payee, project}];
      q.emplace_back(env.time, id);
      const int64_t window = s.options.structuring_days * kDay;
      while (!q.empty() && env.time.seconds - q.front().first.seconds > window) q.pop_front();
      if (static_cast<int64_t>(q.size()) >= s.options.structuring_count) {
        std::vector<std::string> evidence;
        for (const auto& [when, e] : q) evidence.push_back(e);
        s.Report({fmt::format("structuring/{}/{}/{}", env.actor, payee, project), "structuring",
                  payee, "high", evidence,
                  fmt::format("{} payments from {} to {} for {} within {} days, each just under "
                              "the threshold of {}",
                              q.size(), env.actor, payee, project, s.options.structuring_days, t)},
                 out);
      }
    }
  } else if (type == "beneficiary.register" && ev.private_record != nullptr) {
    const json::Value& p = *ev.private_record;
    const json::Value* names = Get(p, "names");
    const std::string birth = Str(p, "birth_date");
    if (names != nullptr && !birth.empty()) {
      const std::string ben = Str(body, "beneficiary");
      // Two keys: the Latin names' skeletons, and the Arabic name when there is one.
      std::vector<std::string> keys = {
          fmt::format("latin|{}|{}|{}|{}", birth, Skeleton(Str(*names, "given")),
                      Skeleton(Str(*names, "father")), Skeleton(Str(*names, "family")))};
      const std::string arabic = ArabicKey(Str(*names, "arabic"));
      if (!arabic.empty()) keys.push_back(fmt::format("arabic|{}|{}", birth, arabic));
      std::optional<std::pair<std::string, std::string>> earlier;
      for (const auto& key : keys) {
        const auto [it, fresh] = s.households.emplace(key, std::make_pair(ben, id));
        if (!fresh && !earlier.has_value()) earlier = it->second;
      }
      if (earlier.has_value()) {
        s.Report({fmt::format("duplicate_household/{}/{}", earlier->first, ben),
                  "duplicate_household",
                  ben,
                  "high",
                  {earlier->second, id},
                  fmt::format("household {} looks like household {} registered again (same "
                              "birth date, names alike)",
                              ben, earlier->first)},
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
    // watchlist_match: a list (or a new version of it) matches someone already admitted or
    // registered; a match found at admission refuses the admission instead (rule 6).
    const std::string subject = Str(body, "subject");
    const int64_t score = body.value("score", int64_t{0});
    const bool party = ev.state.FindParty(subject).has_value();
    const bool household = !party && m.beneficiaries().contains(subject);
    if ((party || household) && score >= ev.state.policy().review_at) {
      std::string why = Str(body, "explanation");
      if (why.size() > 512) {
        size_t cut = 509;  // on a UTF-8 character boundary
        while (cut > 0 && (static_cast<unsigned char>(why[cut]) & 0xC0) == 0x80) --cut;
        why = why.substr(0, cut) + "...";
      }
      s.Report(
          {fmt::format("watchlist_match/{}/{}/{}", subject, Str(body, "list"), Str(body, "entry")),
           "watchlist_match",
           subject,
           score >= ev.state.policy().block_at ? "high" : "medium",
           {id},
           fmt::format("{} {} matches entry {} of list {} (score {}): {}",
                       party ? "party" : "household", subject, Str(body, "entry"),
                       Str(body, "list"), score, why)},
          out);
    }
  } else if (type == "appeal.file") {
    s.decisions.push_back({"appeal", Str(body, "appeal"), id, env.time});
  } else if (type == "case.open") {
    s.decisions.push_back({"case", Str(body, "case"), id, env.time});
  }
  s.Due(out);
  s.Overdue(ev.state, out);
}

void Engine::Finish(Timestamp now, const mechanism::Directory& state, std::vector<Finding>& out) {
  s_->now = now;
  s_->Due(out);
  s_->last_scan_day = -1;
  s_->Overdue(state, out);
}

}  // namespace aidtrace::detect
