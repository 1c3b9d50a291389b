// The scenario generator (scenario.h): a day-by-day simulation of a reconstruction
// programme. Each day's events are collected, stamped with the day's times, signed in
// parallel and handed to the sink in order. Flows are chains of actions on an agenda
// (one list per day); an action emits events and schedules the next step.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/env.h"
#include "base/ids.h"
#include "base/parallel.h"
#include "base/time.h"
#include "crypto/note.h"
#include "crypto/sha256.h"
#include "event/envelope.h"
#include "scenario/data.h"
#include "scenario/scenario.h"

namespace aidtrace::scenario {
namespace {

using Qty = std::map<std::string, int64_t>;
constexpr int64_t kDay = 86400;
constexpr std::string_view kHouseholds = "households";

// Founders, in the order the generator adds them.
constexpr size_t kMmu = 0, kPa = 1, kCogat = 2, kDonorGroup = 3;

json::Value Money(int64_t cents) { return {{"currency", "USD"}, {"amount", cents}}; }
json::Value Lines(const Qty& q) {
  json::Value out = json::Value::array();
  for (const auto& [item, n] : q) {
    if (n > 0) out.push_back({{"item", item}, {"quantity", n}});
  }
  return out;
}
bool Empty(const Qty& q) {
  return std::none_of(q.begin(), q.end(), [](const auto& kv) { return kv.second > 0; });
}
int64_t Value(const Qty& q) {
  int64_t v = 0;
  for (const auto& [item, n] : q) v += data::ItemById(item).price * n;
  return v;
}
int64_t Kilograms(const Qty& q) {
  int64_t kg = 0;
  for (const auto& [item, n] : q) {
    if (data::ItemById(item).unit == "kg") kg += n;
  }
  return kg;
}

struct Party {
  std::string id;
  std::string name;
  crypto::SignerKey key;
  std::string vkey;
};

// One emitted event, before signing.
struct Pending {
  json::Value env;
  std::vector<size_t> signers;  // party indices, the actor first
  std::optional<json::Value> priv;
  int64_t slot = -1;  // index into refs_ when tracked for the truth
};

// A tracked event, filled in when its day is signed.
struct Ref {
  std::string type, actor, nonce, id, time;
};

struct Warehouse {
  std::string id;
  size_t vendor = 0;
  size_t area = 0;
  int64_t lat = 0, lon = 0;
  Qty book;
  std::map<std::string, Qty> avail;  // purpose (project id or "households") -> item -> qty
  std::set<std::string> skip_count;  // items no longer counted (after a planted shortfall)
};

struct Portion {
  size_t household = 0;
  Qty lines;
};

struct Vendor {
  size_t party = 0;
  std::string stem;
  size_t area = 0;
  std::vector<size_t> warehouses;
  Qty demand;  // households' entitlements not yet requested
  std::vector<Portion> pending;
  int64_t spike_day = -1;  // planned, then the day it jumped (volume_jump)
  bool spiked = false;
  bool standby = false;  // one of the candidates when chance chose none: the first jumps
  int64_t invoices = 0;
};

struct Condition {
  std::string id;
  std::string text;
  std::vector<size_t> of;
  int64_t k = 1;
  int64_t attested = 0;
};

struct Project {
  std::string id;
  size_t implementer = 0;
  size_t vendor = 0;
  size_t donor = 0;
  int64_t contractor = -1;
  size_t area = 0;
  const data::Category* category = nullptr;
  int64_t number = 0;
  int64_t lat = 0, lon = 0;
  Qty boq, released;
  int64_t materials = 0, labour = 0, budget = 0;
  int64_t labour_left = 0;
  int64_t propose_day = 0;
  std::string status = "planned";
  bool reject = false, overdue = false, structuring = false, phantom = false;
  std::string commitment;
  std::vector<Condition> conditions;
  int64_t conditions_left = 0;
  int64_t committed = 0, disbursed = 0, holding = 0, paid = 0;
  int64_t disbursements = 0;
  int64_t loads_left = 0;
  int64_t releases = 0, verified = 0;
  bool last_load_done = false, complete_scheduled = false;
  int64_t approvals = 0;
};

struct PersonName {
  size_t given = 0, father = 0, grandfather = 0, family = 0;
  bool female = false;
  bool listed_family = false;
};

struct Household {
  std::string id;
  size_t area = 0;
  std::string damage;
  int64_t size = 0;
  Qty entitlement;
  PersonName name;
  std::array<size_t, 4> variant{};  // which Latin spelling of each part
  std::string id_number, birth_date;
  int64_t register_day = 0;
  bool spread = false;
  int64_t duplicate_of = -1;
  int64_t dup_planted = -1;  // index into truth records
  std::vector<size_t> vendors;
  int64_t lat = 0, lon = 0;
};

struct Consignment {
  std::string id;
  size_t vendor = 0;
  size_t warehouse = 0;
  std::string purpose;  // project id or "households"
  Qty lines;
  std::vector<Portion> portions;
  bool controlled = false;
  int64_t entries = 0;
};

struct Release {
  std::string id;
  size_t vendor = 0;
  std::string to;
  bool to_project = false;
  size_t recipient = 0;  // project or household index
  Qty lines;
  int64_t day = 0;
  int64_t slot = -1;
};

class Sim {
 public:
  Sim(const Options& o, const std::function<Status(std::string_view)>& sink)
      : o_(o), sink_(sink), rng_(o.seed) {}

  Result<Generated> Run();

 private:
  // ---- randomness (portable: no std distributions, whose output varies by library) ----
  int64_t U(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  size_t PickShare(std::span<const T> xs) {
    int64_t total = 0;
    for (const T& x : xs) total += x.share_permille;
    int64_t r = U(0, total - 1);
    for (size_t i = 0; i < xs.size(); ++i) {
      r -= xs[i].share_permille;
      if (r < 0) return i;
    }
    return xs.size() - 1;
  }
  // Plants with probability `rate`, or for certain when nothing was planted yet and the
  // last chance has come (day >= force_day).
  bool Plant(const std::string& scheme, double rate, int64_t force_day) {
    if (rate <= 0) return false;
    const bool yes = Chance(rate) || (decided_[scheme] == 0 && today_ >= force_day);
    if (yes) decided_[scheme] += 1;
    return yes;
  }
  std::string Salt() {
    Bytes b(18);
    for (auto& x : b) x = static_cast<uint8_t>(rng_() >> 56);
    return Base64Encode(b);
  }

  // ---- parties and events ----
  size_t AddParty(const std::string& id, const std::string& name);
  int64_t Emit(std::string_view type, size_t actor, std::string nonce, json::Value body,
               std::vector<size_t> cosigners = {}, std::optional<json::Value> priv = {},
               bool track = false);
  Status Flush(int64_t day);
  void Schedule(int64_t day, std::function<void()> fn, int64_t vendor = -1);
  std::string DayText(int64_t day) const {
    return FormatRfc3339({start_ + day * kDay, 0}).substr(0, 10);
  }
  json::Value Loc(int64_t lat, int64_t lon) { return {{"lat_e6", lat}, {"lon_e6", lon}}; }
  std::pair<int64_t, int64_t> Scatter(size_t area) {
    const data::Area& a = data::Areas()[area];
    return {a.lat_e6 + U(-a.spread_e6, a.spread_e6), a.lon_e6 + U(-a.spread_e6, a.spread_e6)};
  }
  int64_t RecordTruth(const std::string& scheme, json::Value record) {
    planted_count_[scheme] += 1;
    truth_[scheme].push_back(std::move(record));
    return static_cast<int64_t>(truth_[scheme].size()) - 1;
  }

  // ---- names ----
  PersonName RandomName(bool allow_female, bool listed);
  json::Value NamesJson(const PersonName& n, const std::array<size_t, 4>& v) const;
  std::array<size_t, 4> VariantOf(const PersonName& n, const std::array<size_t, 4>& base);
  std::string IdNumber() { return fmt::format("{}{:08}", U(0, 1) == 0 ? 4 : 8, U(0, 99999999)); }
  std::string BirthDate(int64_t from_year, int64_t to_year) {
    return fmt::format("{:04}-{:02}-{:02}", U(from_year, to_year), U(1, 12), U(1, 28));
  }

  // ---- the programme ----
  void Setup();
  void PlanProjects();
  void PlanHouseholds();
  void AdmitOrg(size_t party, const std::string& role, const PersonName& principal,
                const std::string& position, int64_t track_slot_into = -1);
  void RegisterHousehold(size_t h);
  void WeeklyHouseholdRequest(size_t v);
  void ProposeProject(size_t p);
  void DecideProject(size_t p, size_t who, bool approve);
  void OnApproved(size_t p);
  void Commit(size_t p);
  void Attest(size_t p, size_t cond, size_t who);
  void Disburse(size_t p, int64_t amount);
  bool EnsureFunds(size_t p, int64_t amount);
  // Pays `amount` to `payee` for project p; false when funds are not available yet.
  bool Pay(size_t p, size_t payee, int64_t amount, const std::string& invoice, int64_t* slot);
  void PayLater(int64_t day, size_t p, size_t payee, int64_t amount, std::string invoice,
                int64_t truth_scheme_index, std::string scheme, int tries);
  void RequestConsignment(Consignment c);
  void ApproveConsignment(size_t c);
  void EnterConsignment(size_t c, int64_t part);
  void TransferHouseholds(size_t c);
  void ReleaseProjectLoad(size_t p, int tries);
  void ReleaseHousehold(size_t v, size_t wh, Portion portion, int tries);
  void ScheduleVerification(size_t r);
  void Verify(size_t r, bool short_);
  void CountStock(size_t w);
  void SpikeVendor(size_t v);
  void LoadWatchlist(int version);
  void FinishProject(size_t p);
  std::string WatchlistFile(int version) const;

  const Options& o_;
  const std::function<Status(std::string_view)>& sink_;
  std::mt19937_64 rng_;
  int64_t start_ = 0;
  int64_t today_ = 0;
  Status status_ = Status::Ok();

  std::vector<Party> parties_;
  std::map<std::string, size_t> party_index_;
  std::vector<Pending> day_events_;
  std::vector<Ref> refs_;
  std::vector<std::vector<std::pair<std::function<void()>, int64_t>>> agenda_;
  std::map<std::string, int64_t> by_type_;
  int64_t events_ = 0;
  std::map<std::string, int64_t> planted_count_;
  std::map<std::string, int64_t> decided_;  // Plant() decisions so far, by scheme
  std::map<std::string, json::Value> truth_;

  std::vector<size_t> donors_, implementers_, inspectors_, contractors_;
  std::vector<int64_t> contractor_admit_day_;
  std::vector<int64_t> contractor_listed_;  // index into listed_ or -1
  std::vector<int64_t> contractor_projects_;
  size_t qa_ = 0, auditor_ = 0;
  crypto::SignerKey detector_key_;
  crypto::SignerKey log_key_;
  std::vector<Vendor> vendors_;
  std::vector<Warehouse> warehouses_;
  std::vector<Project> projects_;
  std::vector<Household> households_;
  std::vector<Consignment> consignments_;
  std::vector<Release> releases_;

  struct Listed {
    std::string entry;
    PersonName name;
    std::array<size_t, 4> variant{};
    std::string birth;
    int version = 1;
    int64_t contractor = -1;
  };
  std::vector<Listed> listed_;
  // Parties a loaded list version names: screening blocks every payment to them (rule 6),
  // so none is written.
  std::set<size_t> blocked_payees_;
  std::map<int, std::string> watchlist_text_;
  int64_t cons_counter_ = 0, rel_counter_ = 0, ins_counter_ = 0, cnt_counter_ = 0, tr_counter_ = 0,
          pay_counter_ = 0;
};

// ---------------------------------------------------------------------------------------

size_t Sim::AddParty(const std::string& id, const std::string& name) {
  // The key's seed: SHA-256 of the run's seed and the party's name, so every party's key
  // is fixed by the seed and independent of the order parties are added in.
  const crypto::Hash h = crypto::Sha256(fmt::format("aidtrace-scenario/key\n{}\n{}", o_.seed, id));
  crypto::Seed seed{};
  std::copy(h.begin(), h.end(), seed.begin());
  Party p;
  p.id = id;
  p.name = name;
  p.key.name = id;
  p.key.pair = crypto::KeyPairFromSeed(seed);
  p.key.id = crypto::KeyId(id, p.key.pair.public_key);
  p.vkey = crypto::FormatVerifierKey(crypto::VerifierOf(p.key));
  party_index_[id] = parties_.size();
  parties_.push_back(std::move(p));
  return parties_.size() - 1;
}

int64_t Sim::Emit(std::string_view type, size_t actor, std::string nonce, json::Value body,
                  std::vector<size_t> cosigners, std::optional<json::Value> priv, bool track) {
  Pending e;
  e.env = {{"v", 1},
           {"type", type},
           {"actor", parties_[actor].id},
           {"time", ""},
           {"nonce", std::move(nonce)},
           {"body", std::move(body)}};
  e.signers.push_back(actor);
  for (size_t c : cosigners) e.signers.push_back(c);
  e.priv = std::move(priv);
  if (track) {
    e.slot = static_cast<int64_t>(refs_.size());
    refs_.push_back(
        {std::string(type), parties_[actor].id, e.env["nonce"].get<std::string>(), "", ""});
  }
  by_type_[std::string(type)] += 1;
  ++events_;
  day_events_.push_back(std::move(e));
  return day_events_.back().slot;
}

void Sim::Schedule(int64_t day, std::function<void()> fn, int64_t vendor) {
  if (day < today_) day = today_;
  if (day >= o_.days) return;  // beyond the programme's end: never happens
  agenda_[static_cast<size_t>(day)].emplace_back(std::move(fn), vendor);
}

Status Sim::Flush(int64_t day) {
  const size_t n = day_events_.size();
  if (n == 0) return Status::Ok();
  // The day's events happen between 05:00 and 19:00, evenly spaced, in order.
  const int64_t window_ns = int64_t{14} * 3600 * 1000000000;
  const int64_t step_ns = window_ns / static_cast<int64_t>(n);
  const int64_t base = start_ + day * kDay + 5 * 3600;
  for (size_t i = 0; i < n; ++i) {
    int64_t offset_ns = step_ns * static_cast<int64_t>(i);
    if (step_ns >= 1000000000) offset_ns -= offset_ns % 1000000000;  // whole seconds
    Timestamp t{base + offset_ns / 1000000000, static_cast<int32_t>(offset_ns % 1000000000)};
    day_events_[i].env["time"] = FormatRfc3339(t);
  }
  std::vector<std::string> lines(n);
  std::vector<std::string> ids(n);
  std::vector<Status> errors(n, Status::Ok());
  const size_t threads = o_.threads == 0 ? DefaultThreads() : o_.threads;
  ParallelFor(n, threads, [&](size_t i) {
    Pending& e = day_events_[i];
    std::vector<crypto::SignerKey> keys;
    keys.reserve(e.signers.size());
    for (size_t s : e.signers) keys.push_back(parties_[s].key);
    auto signed_env = event::SignEnvelope(std::move(e.env), keys);
    if (!signed_env.ok()) {
      errors[i] = signed_env.status();
      return;
    }
    std::string env_text;
    json::AppendCanonical(*signed_env, env_text);
    if (e.slot >= 0) ids[i] = crypto::FormatTaggedHash(crypto::Sha256(env_text));
    if (e.priv.has_value()) {
      std::string line = "{\"envelope\":";
      line += env_text;
      line += ",\"private\":";
      json::AppendCanonical(*e.priv, line);
      line += '}';
      lines[i] = std::move(line);
    } else {
      lines[i] = std::move(env_text);
    }
    // The time is needed for the truth; read it back before the envelope is gone.
    if (e.slot >= 0) ids[i] += "|" + (*signed_env)["time"].get<std::string>();
  });
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i].ok()) return errors[i];
    if (day_events_[i].slot >= 0) {
      Ref& r = refs_[static_cast<size_t>(day_events_[i].slot)];
      const size_t bar = ids[i].find('|');
      r.id = ids[i].substr(0, bar);
      r.time = ids[i].substr(bar + 1);
    }
    RETURN_IF_ERROR(sink_(lines[i]));
  }
  day_events_.clear();
  return Status::Ok();
}

// ---- names ----

PersonName Sim::RandomName(bool allow_female, bool listed) {
  PersonName n;
  n.female = allow_female && Chance(0.18);
  n.given = static_cast<size_t>(
      U(0, static_cast<int64_t>((n.female ? data::FemaleNames() : data::MaleNames()).size()) - 1));
  n.father = static_cast<size_t>(U(0, static_cast<int64_t>(data::MaleNames().size()) - 1));
  n.grandfather = static_cast<size_t>(U(0, static_cast<int64_t>(data::MaleNames().size()) - 1));
  n.listed_family = listed;
  n.family = static_cast<size_t>(
      U(0, static_cast<int64_t>((listed ? data::ListedFamilies() : data::Families()).size()) - 1));
  return n;
}

namespace {
const data::Name& GivenOf(const PersonName& n) {
  return n.female ? data::FemaleNames()[n.given] : data::MaleNames()[n.given];
}
const data::Name& FamilyOf(const PersonName& n) {
  return n.listed_family ? data::ListedFamilies()[n.family] : data::Families()[n.family];
}
size_t Spellings(const data::Name& n) {
  size_t k = 0;
  while (k < n.latin.size() && !n.latin[k].empty()) ++k;
  return k;
}
std::string LatinFull(const PersonName& n, const std::array<size_t, 4>& v) {
  return fmt::format("{} {} {} {}", GivenOf(n).latin[v[0]], data::MaleNames()[n.father].latin[v[1]],
                     data::MaleNames()[n.grandfather].latin[v[2]], FamilyOf(n).latin[v[3]]);
}
std::string ArabicFull(const PersonName& n) {
  return fmt::format("{} {} {} {}", GivenOf(n).arabic, data::MaleNames()[n.father].arabic,
                     data::MaleNames()[n.grandfather].arabic, FamilyOf(n).arabic);
}
}  // namespace

json::Value Sim::NamesJson(const PersonName& n, const std::array<size_t, 4>& v) const {
  return {{"given", std::string(GivenOf(n).latin[v[0]])},
          {"father", std::string(data::MaleNames()[n.father].latin[v[1]])},
          {"grandfather", std::string(data::MaleNames()[n.grandfather].latin[v[2]])},
          {"family", std::string(FamilyOf(n).latin[v[3]])},
          {"arabic", ArabicFull(n)}};
}

// Another spelling of the same name: at least one part spelt differently (every table
// entry has two spellings or more), others kept or changed at random.
std::array<size_t, 4> Sim::VariantOf(const PersonName& n, const std::array<size_t, 4>& base) {
  const std::array<const data::Name*, 4> parts = {&GivenOf(n), &data::MaleNames()[n.father],
                                                  &data::MaleNames()[n.grandfather], &FamilyOf(n)};
  std::array<size_t, 4> v = base;
  const size_t must = static_cast<size_t>(U(0, 3));
  for (size_t i = 0; i < 4; ++i) {
    const size_t k = Spellings(*parts[i]);
    if (k < 2) continue;
    if (i == must || Chance(0.4)) {
      v[i] = (base[i] + static_cast<size_t>(U(1, static_cast<int64_t>(k) - 1))) % k;
    }
  }
  if (v == base) {  // the chosen part had one spelling: change the family's
    const size_t k = Spellings(*parts[3]);
    v[3] = (base[3] + 1) % k;
  }
  return v;
}

// ---- setup ----

void Sim::AdmitOrg(size_t party, const std::string& role, const PersonName& principal,
                   const std::string& position, int64_t listed) {
  std::array<size_t, 4> spelling{0, 0, 0, 0};
  std::string birth = BirthDate(1955, 1990);
  if (listed >= 0) {
    spelling = VariantOf(principal, listed_[static_cast<size_t>(listed)].variant);
    birth = listed_[static_cast<size_t>(listed)].birth;
  }
  json::Value priv = {{"salt", Salt()},
                      {"people", json::Value::array({{{"names", NamesJson(principal, spelling)},
                                                      {"position", position},
                                                      {"id_number", IdNumber()},
                                                      {"birth_date", birth}}})}};
  const std::string pii = crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(priv).value()));
  const Party& p = parties_[party];
  json::Value body = {
      {"party", p.id},   {"name", p.name},
      {"roles", {role}}, {"keys", {p.vkey}},
      {"country", "PS"}, {"registration", fmt::format("{}", 562000000 + U(0, 999999))},
      {"pii", pii}};
  const int64_t slot =
      Emit("party.admit", kMmu, "admit-" + p.id, std::move(body), {}, std::move(priv), listed >= 0);
  if (listed >= 0) {
    json::Value rec = {
        {"party", p.id},
        {"list", "aidtrace-synthetic-sanctions"},
        {"entry", listed_[static_cast<size_t>(listed)].entry},
        {"listed_name", NamesJson(principal, listed_[static_cast<size_t>(listed)].variant)},
        {"admitted_name", NamesJson(principal, spelling)},
        {"birth_date", birth},
        {"admitted_day", today_},
        {"events", json::Value::array({slot})},
        {"payments", json::Value::array()}};
    RecordTruth("watchlist_match", std::move(rec));
    listed_[static_cast<size_t>(listed)].contractor = static_cast<int64_t>(party);
  }
}

void Sim::Setup() {
  // Founders.
  AddParty("un-mmu", "UN Materials Monitoring Unit");
  AddParty("pa-mopwh", "PA Ministry of Public Works and Housing");
  AddParty("cogat", "Crossings Coordination Authority");
  AddParty("donor-group", "Reconstruction Donor Group");
  qa_ = AddParty("un-mmu-qa", "UN Materials Monitoring Unit, quality assurance");
  auditor_ = AddParty("independent-audit", "Independent Audit Office");
  detector_key_.name = "un-mmu.detector";
  {
    const crypto::Hash h =
        crypto::Sha256(fmt::format("aidtrace-scenario/key\n{}\n{}", o_.seed, "un-mmu.detector"));
    crypto::Seed s{};
    std::copy(h.begin(), h.end(), s.begin());
    detector_key_.pair = crypto::KeyPairFromSeed(s);
    detector_key_.id = crypto::KeyId(detector_key_.name, detector_key_.pair.public_key);
    const crypto::Hash hl =
        crypto::Sha256(fmt::format("aidtrace-scenario/key\n{}\n{}", o_.seed, o_.origin));
    std::copy(hl.begin(), hl.end(), s.begin());
    log_key_.name = o_.origin;
    log_key_.pair = crypto::KeyPairFromSeed(s);
    log_key_.id = crypto::KeyId(log_key_.name, log_key_.pair.public_key);
  }

  // Genesis.
  const std::vector<std::pair<size_t, std::vector<std::string>>> founders = {
      {kMmu, {"governor", "monitor"}},
      {kPa, {"governor", "authority"}},
      {kCogat, {"governor", "authority"}},
      {kDonorGroup, {"governor", "donor"}}};
  json::Value parties = json::Value::array();
  for (const auto& [i, roles] : founders) {
    parties.push_back({{"party", parties_[i].id},
                       {"name", parties_[i].name},
                       {"roles", roles},
                       {"keys", {parties_[i].vkey}}});
  }
  const json::Value governance = {{"of", {"cogat", "donor-group", "pa-mopwh", "un-mmu"}}, {"k", 3}};
  json::Value policy = {
      {"governance", governance},
      {"project_approval",
       {{"default", {{"of", {"cogat", "pa-mopwh"}}, {"k", 2}}},
        {"categories", {{"housing-repair", {{"of", {"pa-mopwh"}}, {"k", 1}}}}}}},
      {"consignment_approval", {{"of", {"cogat", "pa-mopwh"}}, {"k", 2}}},
      {"screening", {{"review_at", 700}, {"block_at", 850}, {"four_eyes_at", 850}}},
      {"detection",
       {{"stock_tolerance", o_.stock_tolerance},
        {"verify_window_days", o_.verify_window_days},
        {"decision_sla_days", o_.decision_sla_days},
        {"payment_threshold", o_.payment_threshold}}},
      {"detector_key", crypto::FormatVerifierKey(crypto::VerifierOf(detector_key_))}};
  Emit("mechanism.genesis", kMmu, "genesis",
       {{"mechanism", o_.mechanism},
        {"name", "Gaza Reconstruction Mechanism (synthetic scenario)"},
        {"parties", parties},
        {"policy", policy}},
       {kPa, kCogat, kDonorGroup});
  const std::vector<size_t> quorum = {kPa, kCogat};  // with un-mmu as actor: 3 of 4

  // The second monitor (four eyes) and the auditor: governors' quorum.
  for (const auto& [who, role] :
       std::vector<std::pair<size_t, std::string>>{{qa_, "monitor"}, {auditor_, "auditor"}}) {
    Emit("party.admit", kMmu, "admit-" + parties_[who].id,
         {{"party", parties_[who].id},
          {"name", parties_[who].name},
          {"roles", {role}},
          {"keys", {parties_[who].vkey}},
          {"country", "CH"},
          {"registration", fmt::format("un-{}", 1000 + who)}},
         quorum);
  }
  // Items.
  for (const data::Item& it : data::Items()) {
    Emit("item.define", kMmu, fmt::format("item-{}", it.id),
         {{"item", it.id},
          {"name", it.name},
          {"unit", it.unit},
          {"hs", it.hs},
          {"controlled", it.controlled}},
         quorum);
  }
  // Donors (besides the founding donor group): governors' quorum.
  donors_.push_back(kDonorGroup);
  const int64_t n_donors = std::clamp<int64_t>(o_.projects / 100 + 2, 2, 6);
  for (int64_t i = 0; i < n_donors; ++i) {
    const data::Org& org = data::Donors()[static_cast<size_t>(i)];
    const size_t d = AddParty(std::string(org.id), std::string(org.name));
    donors_.push_back(d);
    Emit("party.admit", kMmu, "admit-" + parties_[d].id,
         {{"party", parties_[d].id},
          {"name", parties_[d].name},
          {"roles", {"donor"}},
          {"keys", {parties_[d].vkey}},
          {"country", "XX"},
          {"registration", fmt::format("donor-{:03}", i + 1)}},
         quorum);
  }
  // Implementers, inspectors, vendors with warehouses, contractors: the monitor admits.
  const int64_t n_impl = std::clamp<int64_t>(o_.projects / 25, 3, 40);
  for (int64_t i = 0; i < n_impl; ++i) {
    const auto orgs = data::Implementers();
    const data::Org& org = orgs[static_cast<size_t>(i) % orgs.size()];
    const int64_t round = i / static_cast<int64_t>(orgs.size());
    const std::string id =
        round == 0 ? std::string(org.id) : fmt::format("{}-{}", org.id, round + 1);
    const std::string name =
        round == 0 ? std::string(org.name) : fmt::format("{} ({})", org.name, round + 1);
    const size_t p = AddParty(id, name);
    implementers_.push_back(p);
    AdmitOrg(p, "implementer", RandomName(false, false), "director", -1);
  }
  const int64_t n_insp = std::clamp<int64_t>(o_.households / 1500 + o_.projects / 40 + 2, 2, 300);
  for (int64_t i = 0; i < n_insp; ++i) {
    const size_t p = AddParty(fmt::format("inspector-{:03}", i + 1),
                              fmt::format("Field inspector {:03}", i + 1));
    inspectors_.push_back(p);
    Emit("party.admit", kMmu, "admit-" + parties_[p].id,
         {{"party", parties_[p].id},
          {"name", parties_[p].name},
          {"roles", {"inspector"}},
          {"keys", {parties_[p].vkey}},
          {"country", "PS"},
          {"registration", fmt::format("mmu-insp-{:03}", i + 1)}});
  }
  const size_t n_areas = data::Areas().size();
  for (int64_t i = 0; i < o_.vendors; ++i) {
    const auto stems = data::VendorStems();
    const data::Org& stem = stems[static_cast<size_t>(i) % stems.size()];
    const std::string id =
        fmt::format("vendor-{}-{:02}", stem.id, i / static_cast<int64_t>(stems.size()) + 1);
    static constexpr std::string_view kKinds[] = {"Building Materials Co.",
                                                  "Trading and Contracting",
                                                  "Construction Supplies", "General Trading Co."};
    const size_t p =
        AddParty(id, fmt::format("{} {}", stem.name, kKinds[static_cast<size_t>(U(0, 3))]));
    Vendor v;
    v.party = p;
    v.stem = std::string(stem.id);
    v.area = static_cast<size_t>(i) < n_areas ? static_cast<size_t>(i) : PickShare(data::Areas());
    AdmitOrg(p, "vendor", RandomName(false, false), "owner and general manager", -1);
    const int64_t n_wh = Chance(0.6) ? 2 : 1;
    for (int64_t w = 0; w < n_wh; ++w) {
      Warehouse wh;
      wh.id = fmt::format("wh-{}-{}", id.substr(7), w == 0 ? "main" : "dist");
      wh.vendor = vendors_.size();
      wh.area = v.area;
      std::tie(wh.lat, wh.lon) = Scatter(v.area);
      Emit("warehouse.register", kMmu, "wh-" + wh.id,
           {{"warehouse", wh.id},
            {"vendor", id},
            {"area", data::Areas()[v.area].id},
            {"location", Loc(wh.lat, wh.lon)}});
      v.warehouses.push_back(warehouses_.size());
      warehouses_.push_back(std::move(wh));
    }
    vendors_.push_back(std::move(v));
  }
  // Contractors (admitted as implementers; EVENTS.md funds.pay), a few of them listed
  // persons under a variant spelling, admitted later in the programme.
  const int64_t n_contr = std::clamp<int64_t>(o_.projects / 8, 2, 80);
  int64_t n_listed = 0;
  if (o_.rates.listed_contractor > 0) {
    n_listed = std::max<int64_t>(
        1, std::llround(o_.rates.listed_contractor * static_cast<double>(n_contr)));
    n_listed = std::min(n_listed, n_contr - 1);
  }
  // The synthetic watch list: fictional persons; the first n_listed are matched by
  // contractors; version 2 adds them (and a few decoys) to version 1's decoys.
  for (int64_t i = 0; i < n_listed + 24; ++i) {
    Listed l;
    l.entry = fmt::format("SYN-{:04}", i + 1);
    l.name = RandomName(false, true);
    l.variant = {static_cast<size_t>(U(0, 1)) % Spellings(GivenOf(l.name)), 0, 0, 0};
    l.birth = BirthDate(1960, 1988);
    l.version = i < n_listed ? 2 : (i < n_listed + 18 ? 1 : 2);
    listed_.push_back(std::move(l));
  }
  std::vector<int64_t> listed_days;
  for (int64_t i = 0; i < n_contr; ++i) {
    const auto fams = data::Families();
    const data::Name& fam = fams[static_cast<size_t>(i) % fams.size()];
    std::string stem = std::string(fam.latin[0]);
    std::transform(stem.begin(), stem.end(), stem.begin(), [](char c) {
      return c == ' ' || c == '\'' ? '-'
                                   : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    const size_t p = AddParty(fmt::format("contractor-{}-{:02}", stem, i + 1),
                              fmt::format("{} Contracting Co.", fam.latin[0]));
    contractors_.push_back(p);
    contractor_projects_.push_back(0);
    const bool listed = i >= n_contr - n_listed;
    contractor_listed_.push_back(listed ? i - (n_contr - n_listed) : -1);
    const int64_t day = listed ? U(1, std::max<int64_t>(1, o_.days / 3))
                               : (i % 2 == 0 ? 0 : U(1, std::max<int64_t>(1, o_.days / 4)));
    contractor_admit_day_.push_back(day);
    if (listed) listed_days.push_back(day);
    const int64_t li = contractor_listed_.back();
    auto admit = [this, p, li] {
      const PersonName n =
          li >= 0 ? listed_[static_cast<size_t>(li)].name : RandomName(false, false);
      AdmitOrg(p, "implementer", n, "managing partner", li);
    };
    if (day == 0) {
      admit();
    } else {
      Schedule(day, admit);
    }
  }
  Schedule(1, [this] { LoadWatchlist(1); });
  if (!listed_days.empty()) {
    const int64_t last = *std::max_element(listed_days.begin(), listed_days.end());
    Schedule(std::min(o_.days - 1, last + U(5, 15)), [this] { LoadWatchlist(2); });
  }
}

std::string Sim::WatchlistFile(int version) const {
  std::string out;
  for (const Listed& l : listed_) {
    if (l.version > version) continue;
    const json::Value names = NamesJson(l.name, l.variant);
    json::Value e = {{"id", l.entry},
                     {"schema", "Person"},
                     {"caption", LatinFull(l.name, l.variant)},
                     {"properties",
                      {{"name", {LatinFull(l.name, l.variant)}},
                       {"alias", {ArabicFull(l.name)}},
                       {"firstName", {names["given"]}},
                       {"fatherName", {names["father"]}},
                       {"lastName", {names["family"]}},
                       {"birthDate", {l.birth}},
                       {"nationality", {"ps"}},
                       {"topics", {"sanction"}},
                       {"notes", {"Fictional person of the aidtrace synthetic scenario"}}}},
                     {"datasets", {"aidtrace_synthetic"}}};
    json::AppendCanonical(e, out);
    out += '\n';
  }
  return out;
}

void Sim::LoadWatchlist(int version) {
  const std::string text = WatchlistFile(version);
  watchlist_text_[version] = text;
  const int64_t entries = std::count(text.begin(), text.end(), '\n');
  const int64_t slot = Emit("watchlist.load", kMmu, fmt::format("wl-synthetic-v{}", version),
                            {{"list", "aidtrace-synthetic-sanctions"},
                             {"version", fmt::format("v{}-{}", version, DayText(today_))},
                             {"sha256", crypto::FormatTaggedHash(crypto::Sha256(text))},
                             {"entries", entries}},
                            {}, {}, version == 2);
  if (version == 2) {
    for (auto& rec : truth_["watchlist_match"]) rec["events"].push_back(slot);
  }
  for (const Listed& l : listed_) {
    if (l.version <= version && l.contractor >= 0) {
      blocked_payees_.insert(static_cast<size_t>(l.contractor));
    }
    // The screening hit this version raises on the contractor waits for the monitors; they
    // never decide it here, so it falls overdue when the programme runs long enough.
    if (l.version == version && l.contractor >= 0 && today_ + o_.decision_sla_days + 1 < o_.days) {
      RecordTruth("decision_overdue", {{"kind", "hit"},
                                       {"id", parties_[static_cast<size_t>(l.contractor)].id},
                                       {"list", "aidtrace-synthetic-sanctions"},
                                       {"entry", l.entry},
                                       {"opened_day", today_},
                                       {"deadline_day", today_ + o_.decision_sla_days},
                                       {"decided_day", nullptr},
                                       {"events", json::Value::array({slot})}});
    }
  }
}

// ---- planning ----

void Sim::PlanProjects() {
  const auto cats = data::Categories();
  const int64_t last_day = std::max<int64_t>(2, o_.days * 6 / 10);
  std::vector<int64_t> days;
  for (int64_t i = 0; i < o_.projects; ++i) days.push_back(U(1, last_day));
  std::sort(days.begin(), days.end());
  const double threshold = static_cast<double>(o_.payment_threshold);
  for (int64_t i = 0; i < o_.projects; ++i) {
    Project p;
    p.id = fmt::format("prj-{:05}", i + 1);
    p.number = i + 1;
    p.category = &cats[PickShare(cats)];
    p.area = PickShare(data::Areas());
    std::tie(p.lat, p.lon) = Scatter(p.area);
    // Implementers specialise loosely: any implementer may run any category.
    p.implementer =
        implementers_[static_cast<size_t>(U(0, static_cast<int64_t>(implementers_.size()) - 1))];
    // The supplier: a vendor of the project's area when there is one.
    std::vector<size_t> local;
    for (size_t v = 0; v < vendors_.size(); ++v) {
      if (vendors_[v].area == p.area) local.push_back(v);
    }
    p.vendor = local.empty()
                   ? static_cast<size_t>(U(0, o_.vendors - 1))
                   : local[static_cast<size_t>(U(0, static_cast<int64_t>(local.size()) - 1))];
    p.donor = donors_[static_cast<size_t>(U(0, static_cast<int64_t>(donors_.size()) - 1))];
    p.propose_day = days[static_cast<size_t>(i)];
    for (const data::BoqLine& l : p.category->boq) {
      if (l.item.empty()) continue;
      int64_t q = U(l.min, l.max);
      if (data::ItemById(l.item).unit == "kg") q = std::max<int64_t>(50, q / 50 * 50);
      p.boq[std::string(l.item)] = q;
    }
    p.structuring = Chance(o_.rates.structuring);
    p.phantom = Chance(o_.rates.payment_without_delivery);
    p.reject = !p.structuring && !p.phantom && Chance(0.03);
    p.materials = Value(p.boq);
    p.labour = p.materials * p.category->labour_permille / 1000;
    p.labour_left = p.labour;
    p.budget = (p.materials + p.labour) * 115 / 100;
    p.budget = (p.budget / 100000 + 1) * 100000;  // whole thousands of USD
    projects_.push_back(std::move(p));
  }
  // At least one instance of each project scheme when its rate is above 0: the earliest
  // projects have the most room.
  auto ensure = [&](double rate, auto member, int64_t index) {
    if (rate <= 0 || projects_.empty()) return;
    for (const Project& p : projects_) {
      if (p.*member) return;
    }
    Project& p = projects_[static_cast<size_t>(std::min<int64_t>(index, o_.projects - 1))];
    p.*member = true;
    p.reject = false;
  };
  ensure(o_.rates.structuring, &Project::structuring, 1);
  ensure(o_.rates.payment_without_delivery, &Project::phantom, 2);
  // Structuring projects are scaled up so their works can be split into several payments.
  for (Project& p : projects_) {
    if (p.structuring && p.labour < 6 * o_.payment_threshold) {
      const double f = 6.0 * threshold / static_cast<double>(std::max<int64_t>(1, p.labour));
      for (auto& [item, q] : p.boq) q = static_cast<int64_t>(std::ceil(static_cast<double>(q) * f));
      p.materials = Value(p.boq);
      p.labour = p.materials * p.category->labour_permille / 1000;
      p.labour_left = p.labour;
      p.budget = ((p.materials + p.labour) * 115 / 100 / 100000 + 1) * 100000;
    }
  }
  // Decisions left overdue: the last approval of these proposals comes after the SLA.
  int64_t overdue = 0;
  for (Project& p : projects_) {
    if (p.reject || p.structuring || p.phantom ||
        p.propose_day + o_.decision_sla_days + 1 >= o_.days) {
      continue;
    }
    if (Chance(o_.rates.decision_overdue)) {
      p.overdue = true;
      ++overdue;
    }
  }
  if (overdue == 0 && o_.rates.decision_overdue > 0) {
    for (Project& p : projects_) {
      if (!p.reject && !p.structuring && !p.phantom &&
          p.propose_day + o_.decision_sla_days + 1 < o_.days) {
        p.overdue = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < projects_.size(); ++i) {
    Schedule(projects_[i].propose_day, [this, i] { ProposeProject(i); });
  }
}

void Sim::PlanHouseholds() {
  const int64_t last_day = std::max<int64_t>(2, o_.days * 6 / 10);
  std::vector<int64_t> days;
  for (int64_t i = 0; i < o_.households; ++i) days.push_back(U(1, last_day));
  std::sort(days.begin(), days.end());
  bool any_dup = false, any_spread = false;
  for (int64_t i = 0; i < o_.households; ++i) {
    Household h;
    h.id = fmt::format("hh-{:06}", i + 1);
    h.area = PickShare(data::Areas());
    std::tie(h.lat, h.lon) = Scatter(h.area);
    const data::Entitlement& ent = data::Entitlements()[PickShare(data::Entitlements())];
    h.damage = std::string(ent.damage);
    for (const data::BoqLine& l : ent.lines) {
      if (l.item.empty()) continue;
      int64_t q = U(l.min, l.max);
      if (data::ItemById(l.item).unit == "kg") q = std::max<int64_t>(50, q / 50 * 50);
      h.entitlement[std::string(l.item)] = q;
    }
    h.size = U(2, 11);
    h.name = RandomName(true, false);
    h.id_number = IdNumber();
    h.birth_date = BirthDate(1950, 2000);
    h.register_day = days[static_cast<size_t>(i)];
    h.spread = o_.vendors >= 3 && Chance(o_.rates.entitlement_spread);
    // A duplicate needs room: registered again later, and served before the end.
    if (h.register_day + 10 < o_.days * 7 / 10 && Chance(o_.rates.duplicate_household)) {
      h.dup_planted = 1;
    }
    any_dup = any_dup || h.dup_planted >= 0;
    any_spread = any_spread || h.spread;
    households_.push_back(std::move(h));
  }
  if (!any_dup && o_.rates.duplicate_household > 0 && !households_.empty()) {
    households_[0].dup_planted = 1;
  }
  if (!any_spread && o_.rates.entitlement_spread > 0 && o_.vendors >= 3 && households_.size() > 1) {
    households_[1].spread = true;
  }
  const size_t n = households_.size();
  for (size_t i = 0; i < n; ++i) {
    Schedule(households_[i].register_day, [this, i] { RegisterHousehold(i); });
  }
}

// ---- households ----

void Sim::RegisterHousehold(size_t hi) {
  Household& h = households_[hi];
  // Vendors of the area (any vendor when the area has none).
  std::vector<size_t> local;
  for (size_t v = 0; v < vendors_.size(); ++v) {
    if (vendors_[v].area == h.area) local.push_back(v);
  }
  if (local.empty()) {
    for (size_t v = 0; v < vendors_.size(); ++v) local.push_back(v);
  }
  std::vector<size_t> chosen;
  if (h.spread) {
    // Three distinct vendors, the area's first.
    std::vector<size_t> all = local;
    for (size_t v = 0; v < vendors_.size(); ++v) {
      if (std::find(all.begin(), all.end(), v) == all.end()) all.push_back(v);
    }
    std::vector<size_t> pool = all;
    while (chosen.size() < 3 && !pool.empty()) {
      const size_t k =
          static_cast<size_t>(U(0, static_cast<int64_t>(std::min<size_t>(pool.size(), 6)) - 1));
      chosen.push_back(pool[k]);
      pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(k));
    }
  } else {
    chosen.push_back(local[static_cast<size_t>(U(0, static_cast<int64_t>(local.size()) - 1))]);
  }
  h.vendors = chosen;
  json::Value priv = {{"salt", Salt()},
                      {"names", NamesJson(h.name, h.variant)},
                      {"id_number", h.id_number},
                      {"birth_date", h.birth_date}};
  const std::string pii = crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(priv).value()));
  const bool track = h.duplicate_of >= 0 || h.dup_planted >= 0 || h.spread;
  const int64_t slot =
      Emit("beneficiary.register", h.duplicate_of >= 0 && Chance(0.5) ? qa_ : kMmu, "ben-" + h.id,
           {{"beneficiary", h.id},
            {"area", data::Areas()[h.area].id},
            {"household_size", h.size},
            {"damage", h.damage},
            {"entitlement", Lines(h.entitlement)},
            {"pii", pii}},
           {}, std::move(priv), track);
  // Portions: the whole entitlement from one vendor, or split across three.
  std::vector<Portion> portions(chosen.size());
  for (auto& pt : portions) pt.household = hi;
  for (const auto& [item, q] : h.entitlement) {
    int64_t left = q;
    for (size_t k = 0; k < chosen.size(); ++k) {
      const int64_t share = k + 1 == chosen.size() ? left : q / static_cast<int64_t>(chosen.size());
      if (share > 0) portions[k].lines[item] = share;
      left -= share;
    }
  }
  for (size_t k = 0; k < chosen.size(); ++k) {
    if (Empty(portions[k].lines)) continue;
    Vendor& v = vendors_[chosen[k]];
    for (const auto& [item, q] : portions[k].lines) v.demand[item] += q;
    v.pending.push_back(std::move(portions[k]));
  }
  if (h.spread) {
    json::Value vendors = json::Value::array();
    for (size_t v : chosen) vendors.push_back(parties_[vendors_[v].party].id);
    RecordTruth("entitlement_spread", {{"beneficiary", h.id},
                                       {"vendors", vendors},
                                       {"events", json::Value::array({slot})},
                                       {"releases", json::Value::array()}});
  }
  if (h.duplicate_of >= 0) {
    json::Value& rec =
        truth_["duplicate_household"]
              [static_cast<size_t>(households_[static_cast<size_t>(h.duplicate_of)].dup_planted)];
    rec["duplicate"] = h.id;
    rec["duplicate_names"] = NamesJson(h.name, h.variant);
    rec["duplicate_area"] = data::Areas()[h.area].id;
    rec["events"].push_back(slot);
  } else if (h.dup_planted >= 0) {
    // Plan the second registration: a variant spelling, the same birth date, usually
    // another id number, sometimes another governorate.
    Household d;
    d.id = fmt::format("hh-{:06}", households_.size() + 1);
    d.area = Chance(0.7) ? h.area : PickShare(data::Areas());
    std::tie(d.lat, d.lon) = Scatter(d.area);
    d.damage = h.damage;
    d.entitlement = h.entitlement;
    d.size = std::max<int64_t>(1, h.size + U(-1, 1));
    d.name = h.name;
    d.variant = VariantOf(h.name, h.variant);
    const bool same_id = Chance(0.3);
    d.id_number = same_id ? h.id_number : IdNumber();
    d.birth_date = h.birth_date;
    d.register_day = std::min(o_.days - 1, today_ + U(5, 40));
    d.duplicate_of = static_cast<int64_t>(hi);
    h.dup_planted =
        RecordTruth("duplicate_household", {{"original", h.id},
                                            {"original_names", NamesJson(h.name, h.variant)},
                                            {"original_area", data::Areas()[h.area].id},
                                            {"birth_date", h.birth_date},
                                            {"same_id_number", same_id},
                                            {"events", json::Value::array({slot})}});
    const size_t di = households_.size();
    households_.push_back(std::move(d));
    Schedule(households_[di].register_day, [this, di] { RegisterHousehold(di); });
  }
}

void Sim::WeeklyHouseholdRequest(size_t vi) {
  Vendor& v = vendors_[vi];
  if (!Empty(v.demand)) {
    Consignment c;
    c.vendor = vi;
    c.warehouse = v.warehouses[0];
    c.purpose = std::string(kHouseholds);
    c.lines = std::move(v.demand);
    c.portions = std::move(v.pending);
    v.demand.clear();
    v.pending.clear();
    RequestConsignment(std::move(c));
  }
  Schedule(today_ + 7, [this, vi] { WeeklyHouseholdRequest(vi); });
}

// ---- consignments ----

void Sim::RequestConsignment(Consignment c) {
  c.id = fmt::format("cons-{:06}", ++cons_counter_);
  json::Value lines = json::Value::array();
  for (const auto& [item, q] : c.lines) {
    lines.push_back({{"item", item}, {"quantity", q}, {"for", c.purpose}});
    c.controlled = c.controlled || data::ItemById(item).controlled;
  }
  const size_t vparty = vendors_[c.vendor].party;
  const bool overdue = c.controlled && today_ + o_.decision_sla_days + 1 < o_.days &&
                       Plant("decision_overdue_consignment", o_.rates.decision_overdue,
                             o_.days - o_.decision_sla_days - 2);
  const int64_t slot =
      Emit("consignment.request", vparty, c.id,
           {{"consignment", c.id}, {"warehouse", warehouses_[c.warehouse].id}, {"lines", lines}},
           {}, {}, overdue);
  const size_t ci = consignments_.size();
  consignments_.push_back(std::move(c));
  const Consignment& cr = consignments_[ci];
  if (!cr.controlled) {
    Schedule(today_ + U(1, 6), [this, ci] { EnterConsignment(ci, 0); });
    return;
  }
  if (overdue) {
    const int64_t decided = today_ + o_.decision_sla_days + U(1, 15);
    RecordTruth("decision_overdue",
                {{"kind", "consignment"},
                 {"id", cr.id},
                 {"opened_day", today_},
                 {"deadline_day", today_ + o_.decision_sla_days},
                 {"decided_day", decided < o_.days ? json::Value(decided) : json::Value(nullptr)},
                 {"events", json::Value::array({slot})}});
    planted_count_["decision_overdue_consignment"] += 1;
    const size_t rec = truth_["decision_overdue"].size() - 1;
    Schedule(decided, [this, ci, rec] {
      ApproveConsignment(ci);
      truth_["decision_overdue"][rec]["events"].push_back(static_cast<int64_t>(refs_.size()) - 1);
    });
  } else {
    Schedule(today_ + U(2, 14), [this, ci] { ApproveConsignment(ci); });
  }
}

void Sim::ApproveConsignment(size_t ci) {
  const Consignment& c = consignments_[ci];
  // Track the approval only when it is the late decision of a planted overdue request
  // (the caller records the slot, which is the last ref).
  const bool late = std::any_of(
      truth_["decision_overdue"].begin(), truth_["decision_overdue"].end(),
      [&](const json::Value& r) { return r["kind"] == "consignment" && r["id"] == c.id; });
  Emit("consignment.approve", kCogat, "capp-" + c.id, {{"consignment", c.id}}, {kPa}, {}, late);
  Schedule(today_ + U(1, 6), [this, ci] { EnterConsignment(ci, 0); });
}

void Sim::EnterConsignment(size_t ci, int64_t part) {
  Consignment& c = consignments_[ci];
  if (c.purpose != kHouseholds &&
      projects_[static_cast<size_t>(std::stoll(c.purpose.substr(4)) - 1)].status != "approved") {
    return;  // the project is no longer active; nothing is brought in for it
  }
  const bool split = part == 0 && Kilograms(c.lines) >= 200000 && Chance(0.3);
  Qty now;
  for (const auto& [item, q] : c.lines) {
    const int64_t first = split ? std::max<int64_t>(1, q / 2) : q;
    const int64_t n = part == 0 ? first : q - std::max<int64_t>(1, q / 2);
    if (n > 0) now[item] = n;
  }
  if (Empty(now)) return;
  const data::Crossing& x = data::Crossings()[PickShare(data::Crossings())];
  Emit("consignment.enter", kCogat, fmt::format("enter-{}-{}", c.id, part + 1),
       {{"consignment", c.id}, {"crossing", x.id}, {"lines", Lines(now)}});
  Warehouse& w = warehouses_[c.warehouse];
  for (const auto& [item, q] : now) {
    w.book[item] += q;
    w.avail[c.purpose][item] += q;
  }
  c.entries += 1;
  if (split) Schedule(today_ + U(2, 7), [this, ci] { EnterConsignment(ci, 1); });
  if (c.purpose == kHouseholds) {
    if (split) return;  // the portions are served once the second part is in
    const Vendor& v = vendors_[c.vendor];
    if (v.warehouses.size() > 1) {
      Schedule(
          today_ + U(1, 3), [this, ci] { TransferHouseholds(ci); }, static_cast<int64_t>(c.vendor));
    } else {
      for (const Portion& pt : c.portions) {
        const size_t vi = c.vendor, wh = c.warehouse;
        Schedule(
            today_ + U(1, 10), [this, vi, wh, pt] { ReleaseHousehold(vi, wh, pt, 0); },
            static_cast<int64_t>(vi));
      }
    }
  } else if (part == 0) {
    const size_t p = static_cast<size_t>(std::stoll(c.purpose.substr(4)) - 1);
    // A vendor about to jump spreads its loads thin until then (its history is modest).
    const Vendor& v = vendors_[c.vendor];
    projects_[p].loads_left = v.spike_day >= 0 && !v.spiked ? U(6, 8) : U(2, 4);
    Schedule(
        today_ + U(1, 5), [this, p] { ReleaseProjectLoad(p, 0); }, static_cast<int64_t>(c.vendor));
  }
}

void Sim::TransferHouseholds(size_t ci) {
  const Consignment& c = consignments_[ci];
  const Vendor& v = vendors_[c.vendor];
  Warehouse& from = warehouses_[v.warehouses[0]];
  Warehouse& to = warehouses_[v.warehouses[1]];
  Qty& have = from.avail[std::string(kHouseholds)];
  Qty moved;
  for (const auto& [item, q] : c.lines) {
    const int64_t n = std::min(q, have[item]);
    if (n > 0) moved[item] = n;
  }
  if (!Empty(moved)) {
    const std::string id = fmt::format("tr-{:06}", ++tr_counter_);
    Emit("stock.transfer", v.party, id,
         {{"transfer", id}, {"from", from.id}, {"to", to.id}, {"lines", Lines(moved)}});
    for (const auto& [item, q] : moved) {
      from.book[item] -= q;
      have[item] -= q;
      to.book[item] += q;
      to.avail[std::string(kHouseholds)][item] += q;
    }
  }
  for (const Portion& pt : c.portions) {
    const size_t vi = c.vendor, wh = v.warehouses[1];
    Schedule(
        today_ + U(1, 10), [this, vi, wh, pt] { ReleaseHousehold(vi, wh, pt, 0); },
        static_cast<int64_t>(vi));
  }
}

// ---- releases and inspections ----

void Sim::ReleaseHousehold(size_t vi, size_t wi, Portion portion, int tries) {
  Warehouse& w = warehouses_[wi];
  Qty& have = w.avail[std::string(kHouseholds)];
  for (const auto& [item, q] : portion.lines) {
    if (have[item] < q) {
      if (tries < 60) {
        Schedule(
            today_ + 1,
            [this, vi, wi, portion, tries] { ReleaseHousehold(vi, wi, portion, tries + 1); },
            static_cast<int64_t>(vi));
      }
      return;
    }
  }
  Household& h = households_[portion.household];
  Release r;
  r.id = fmt::format("rel-{:07}", ++rel_counter_);
  r.vendor = vi;
  r.to = h.id;
  r.recipient = portion.household;
  r.lines = portion.lines;
  r.day = today_;
  r.slot = Emit("material.release", vendors_[vi].party, r.id,
                {{"release", r.id}, {"warehouse", w.id}, {"to", h.id}, {"lines", Lines(r.lines)}},
                {}, {}, true);
  for (const auto& [item, q] : r.lines) {
    w.book[item] -= q;
    have[item] -= q;
  }
  if (h.spread) {
    for (auto& rec : truth_["entitlement_spread"]) {
      if (rec["beneficiary"] == h.id) {
        rec["releases"].push_back(r.id);
        rec["events"].push_back(r.slot);
      }
    }
  }
  releases_.push_back(std::move(r));
  ScheduleVerification(releases_.size() - 1);
}

void Sim::ReleaseProjectLoad(size_t pi, int tries) {
  Project& p = projects_[pi];
  if (p.status != "approved") return;
  const Vendor& v = vendors_[p.vendor];
  Warehouse& w = warehouses_[v.warehouses[0]];
  Qty& have = w.avail[p.id];
  Qty load;
  bool remaining = false;
  for (const auto& [item, q] : p.boq) {
    const int64_t left = q - p.released[item];
    if (left <= 0) continue;
    remaining = true;
    const int64_t want = p.loads_left <= 1 ? left : (left + p.loads_left - 1) / p.loads_left;
    const int64_t n = std::min(want, have[item]);
    if (n > 0) load[item] = n;
  }
  if (!remaining) {
    p.last_load_done = true;
    return;
  }
  if (Empty(load)) {
    if (tries < 60) {
      Schedule(
          today_ + 1, [this, pi, tries] { ReleaseProjectLoad(pi, tries + 1); },
          static_cast<int64_t>(p.vendor));
    }
    return;
  }
  Release r;
  r.id = fmt::format("rel-{:07}", ++rel_counter_);
  r.vendor = p.vendor;
  r.to = p.id;
  r.to_project = true;
  r.recipient = pi;
  r.lines = load;
  r.day = today_;
  r.slot = Emit("material.release", v.party, r.id,
                {{"release", r.id}, {"warehouse", w.id}, {"to", p.id}, {"lines", Lines(load)}}, {},
                {}, true);
  for (const auto& [item, q] : load) {
    w.book[item] -= q;
    have[item] -= q;
    p.released[item] += q;
  }
  p.releases += 1;
  p.loads_left = std::max<int64_t>(1, p.loads_left - 1);
  releases_.push_back(std::move(r));
  ScheduleVerification(releases_.size() - 1);
  bool more = false;
  for (const auto& [item, q] : p.boq) more = more || p.released[item] < q;
  if (more) {
    Schedule(
        today_ + U(4, 12), [this, pi] { ReleaseProjectLoad(pi, 0); },
        static_cast<int64_t>(p.vendor));
  } else {
    p.last_load_done = true;
    if (!p.complete_scheduled) {
      p.complete_scheduled = true;
      Schedule(today_ + U(20, 40), [this, pi] { FinishProject(pi); });
    }
  }
}

void Sim::ScheduleVerification(size_t ri) {
  const Release& r = releases_[ri];
  // Unverified: only releases whose window ends before the programme does can be seen
  // as overdue.
  const int64_t last_unverified_day = o_.days - o_.verify_window_days - 2;
  if (r.day <= last_unverified_day &&
      Plant("release_unverified", o_.rates.release_unverified, last_unverified_day)) {
    json::Value rec = {{"release", r.id},
                       {"vendor", parties_[vendors_[r.vendor].party].id},
                       {"recipient", r.to},
                       {"lines", Lines(r.lines)},
                       {"released_day", r.day},
                       {"window_ends_day", r.day + o_.verify_window_days},
                       {"events", json::Value::array({r.slot})}};
    RecordTruth("release_unverified", std::move(rec));
    return;
  }
  const int64_t when = today_ + U(3, std::min<int64_t>(25, o_.verify_window_days - 2));
  const bool short_ =
      when < o_.days && Plant("verified_short", o_.rates.verified_short, o_.days - 30);
  Schedule(when, [this, ri, short_] { Verify(ri, short_); });
}

void Sim::Verify(size_t ri, bool short_) {
  const Release& r = releases_[ri];
  if (r.to_project) {
    const std::string& s = projects_[r.recipient].status;
    if (s == "closed") return;
  }
  const std::string id = fmt::format("ins-{:07}", ++ins_counter_);
  int64_t lat, lon;
  if (r.to_project) {
    lat = projects_[r.recipient].lat;
    lon = projects_[r.recipient].lon;
  } else {
    lat = households_[r.recipient].lat;
    lon = households_[r.recipient].lon;
  }
  const size_t area = r.to_project ? projects_[r.recipient].area : households_[r.recipient].area;
  const size_t insp = inspectors_[(area + static_cast<size_t>(U(0, 1000)) * data::Areas().size()) %
                                  inspectors_.size()];
  Qty seen = r.lines;
  if (short_) {
    for (auto& [item, q] : seen) q = std::max<int64_t>(1, q * U(400, 850) / 1000);
  }
  json::Value photos = json::Value::array();
  const int64_t n_photos = U(1, 4);
  for (int64_t k = 0; k < n_photos; ++k) {
    photos.push_back(crypto::FormatTaggedHash(crypto::Sha256(fmt::format("photo/{}/{}", id, k))));
  }
  const int64_t slot = Emit("material.verify", insp, id,
                            {{"inspection", id},
                             {"recipient", r.to},
                             {"lines", Lines(seen)},
                             {"result", short_ ? "partial" : "installed"},
                             {"photos", photos},
                             {"location", Loc(lat + U(-300, 300), lon + U(-300, 300))}},
                            {}, {}, short_);
  if (short_) {
    RecordTruth("verified_short", {{"release", r.id},
                                   {"inspection", id},
                                   {"recipient", r.to},
                                   {"vendor", parties_[vendors_[r.vendor].party].id},
                                   {"released", Lines(r.lines)},
                                   {"verified", Lines(seen)},
                                   {"events", json::Value::array({r.slot, slot})}});
  }
  if (!r.to_project) return;
  // The implementer pays the vendor's invoice for what was delivered, and the contractor
  // for the works on it.
  Project& p = projects_[r.recipient];
  p.verified += 1;
  Vendor& v = vendors_[r.vendor];
  const int64_t value = Value(r.lines);
  const std::string invoice =
      fmt::format("{}/{}/{:04}", v.stem, DayText(today_).substr(0, 4), ++v.invoices);
  PayLater(today_ + U(3, 15), r.recipient, v.party, value, invoice, -1, "", 0);
  if (p.contractor >= 0 && !p.structuring && p.labour_left > 0) {
    int64_t works = p.materials == 0 ? p.labour_left : p.labour * value / p.materials;
    works = std::min(p.labour_left, std::max<int64_t>(works, 1));
    if (p.last_load_done && p.verified >= p.releases) works = p.labour_left;
    p.labour_left -= works;
    const size_t c = contractors_[static_cast<size_t>(p.contractor)];
    const std::string cinv =
        fmt::format("{}/{}/{:03}", parties_[c].id.substr(11), p.id.substr(4), p.verified);
    const int64_t li = contractor_listed_[static_cast<size_t>(p.contractor)];
    PayLater(today_ + U(5, 20), r.recipient, c, works, cinv, li >= 0 ? li : -1,
             li >= 0 ? "watchlist_match" : "", 0);
  }
}

// ---- funds ----

void Sim::Disburse(size_t pi, int64_t amount) {
  Project& p = projects_[pi];
  const std::string id = fmt::format("disb-{}-{}", p.id.substr(4), ++p.disbursements);
  Emit("funds.disburse", p.donor, id,
       {{"disbursement", id},
        {"commitment", p.commitment},
        {"to", parties_[p.implementer].id},
        {"amount", Money(amount)}});
  p.disbursed += amount;
  p.holding += amount;
}

bool Sim::EnsureFunds(size_t pi, int64_t amount) {
  Project& p = projects_[pi];
  if (p.commitment.empty() || p.conditions_left > 0) return false;
  if (p.holding >= amount) return true;
  const int64_t need = amount - p.holding;
  const int64_t remaining = p.committed - p.disbursed;
  if (remaining < need) return false;
  Disburse(pi, std::min(remaining, std::max(need, p.committed * 3 / 10)));
  return true;
}

bool Sim::Pay(size_t pi, size_t payee, int64_t amount, const std::string& invoice, int64_t* slot) {
  if (blocked_payees_.contains(payee)) return false;
  Project& p = projects_[pi];
  if (p.status != "approved" && p.status != "completed") return false;
  if (!EnsureFunds(pi, amount)) return false;
  const std::string id = fmt::format("pay-{:07}", ++pay_counter_);
  const int64_t s = Emit("funds.pay", p.implementer, id,
                         {{"payment", id},
                          {"project", p.id},
                          {"payee", parties_[payee].id},
                          {"amount", Money(amount)},
                          {"invoice", invoice}},
                         {}, {}, slot != nullptr);
  if (slot != nullptr) *slot = s;
  p.holding -= amount;
  p.paid += amount;
  return true;
}

void Sim::PayLater(int64_t day, size_t pi, size_t payee, int64_t amount, std::string invoice,
                   int64_t truth_index, std::string scheme, int tries) {
  Schedule(day, [=, this] {
    const std::string& s = projects_[pi].status;
    if (s != "approved" && s != "completed") return;
    if (blocked_payees_.contains(payee)) return;  // screening blocks it: never paid
    int64_t slot = -1;
    if (!Pay(pi, payee, amount, invoice, scheme.empty() ? nullptr : &slot)) {
      if (tries < 30) {
        PayLater(today_ + 3, pi, payee, amount, invoice, truth_index, scheme, tries + 1);
      }
      return;
    }
    if (scheme.empty()) return;
    json::Value& list = truth_[scheme];
    for (auto& rec : list) {
      const bool match = scheme == "watchlist_match" ? rec["party"] == parties_[payee].id
                                                     : rec["project"] == projects_[pi].id &&
                                                           rec["payee"] == parties_[payee].id;
      if (match) {
        rec["events"].push_back(slot);
        if (scheme == "watchlist_match") {
          rec["payments"].push_back(fmt::format("pay-{:07}", pay_counter_));
        } else {
          rec["payments"].push_back(fmt::format("pay-{:07}", pay_counter_));
          rec["amounts"].push_back(amount);
        }
        break;
      }
    }
  });
}

// ---- projects ----

void Sim::ProposeProject(size_t pi) {
  Project& p = projects_[pi];
  // The works contractor: one admitted by now, preferring a listed one without work yet.
  std::vector<size_t> ready;
  for (size_t c = 0; c < contractors_.size(); ++c) {
    if (contractor_admit_day_[c] < today_) ready.push_back(c);
  }
  for (size_t c : ready) {
    if (contractor_listed_[c] >= 0 && contractor_projects_[c] == 0) {
      p.contractor = static_cast<int64_t>(c);
      break;
    }
  }
  if (p.contractor < 0 && !ready.empty()) {
    p.contractor = static_cast<int64_t>(
        ready[static_cast<size_t>(U(0, static_cast<int64_t>(ready.size()) - 1))]);
  }
  if (p.contractor >= 0) contractor_projects_[static_cast<size_t>(p.contractor)] += 1;
  p.status = "proposed";
  const std::string title =
      fmt::format(fmt::runtime(p.category->title), p.number, data::Areas()[p.area].name);
  const int64_t slot = Emit("project.propose", p.implementer, "prop-" + p.id,
                            {{"project", p.id},
                             {"title", title},
                             {"category", p.category->id},
                             {"sector", p.category->sector},
                             {"area", data::Areas()[p.area].id},
                             {"location", Loc(p.lat, p.lon)},
                             {"budget", Money(p.budget)},
                             {"boq", Lines(p.boq)}},
                            {}, {}, p.overdue);
  std::vector<size_t> approvers = {kPa};
  if (p.category->id != "housing-repair") approvers.push_back(kCogat);
  if (p.reject) {
    Schedule(today_ + U(5, 20), [this, pi] { DecideProject(pi, kPa, false); });
    return;
  }
  int64_t late_day = -1;
  for (size_t k = 0; k < approvers.size(); ++k) {
    const size_t who = approvers[k];
    int64_t day = today_ + U(2, 20);
    if (p.overdue && k + 1 == approvers.size()) {
      day = today_ + o_.decision_sla_days + U(1, 20);
      late_day = day;
    }
    Schedule(day, [this, pi, who] { DecideProject(pi, who, true); });
  }
  if (p.overdue) {
    RecordTruth("decision_overdue",
                {{"kind", "project"},
                 {"id", p.id},
                 {"opened_day", today_},
                 {"deadline_day", today_ + o_.decision_sla_days},
                 {"decided_day", late_day < o_.days ? json::Value(late_day) : json::Value(nullptr)},
                 {"events", json::Value::array({slot})}});
    planted_count_["decision_overdue_project"] += 1;
  }
}

void Sim::DecideProject(size_t pi, size_t who, bool approve) {
  Project& p = projects_[pi];
  if (p.status != "proposed") return;
  const bool late = p.overdue && today_ > p.propose_day + o_.decision_sla_days;
  if (!approve) {
    Emit("project.reject", who, fmt::format("rej-{}-{}", p.id, parties_[who].id),
         {{"project", p.id},
          {"reason", "The bill of quantities exceeds the damage assessment for the site"}});
    p.status = "rejected";
    const int64_t close_day = today_ + U(10, 30);
    Schedule(close_day, [this, pi] {
      Emit("project.close", kMmu, "close-" + projects_[pi].id,
           {{"project", projects_[pi].id}, {"reason", "Rejected; no appeal filed"}});
      projects_[pi].status = "closed";
    });
    return;
  }
  const int64_t slot =
      Emit("project.approve", who, fmt::format("appr-{}-{}", p.id, parties_[who].id),
           {{"project", p.id},
            {"reason", who == kPa ? "Design and bill of quantities checked against the damage "
                                    "survey"
                                  : "Civilian use confirmed; controlled items within the plan"}},
           {}, {}, late);
  if (late) {
    for (auto& rec : truth_["decision_overdue"]) {
      if (rec["id"] == p.id) rec["events"].push_back(slot);
    }
  }
  p.approvals += 1;
  const int64_t needed = p.category->id == "housing-repair" ? 1 : 2;
  if (p.approvals >= needed) OnApproved(pi);
}

void Sim::OnApproved(size_t pi) {
  Project& p = projects_[pi];
  p.status = "approved";
  Schedule(today_ + U(1, 7), [this, pi] { Commit(pi); });
  Schedule(today_ + U(1, 6), [this, pi] {
    Consignment c;
    c.vendor = projects_[pi].vendor;
    c.warehouse = vendors_[c.vendor].warehouses[0];
    c.purpose = projects_[pi].id;
    c.lines = projects_[pi].boq;
    RequestConsignment(std::move(c));
  });
}

void Sim::Commit(size_t pi) {
  Project& p = projects_[pi];
  if (p.status != "approved") return;
  p.commitment = fmt::format("com-{}", p.id.substr(4));
  json::Value conds = json::Value::array();
  if (Chance(0.4)) {
    Condition survey{"structural-survey",
                     "Structural survey of the site signed off by the ministry and the "
                     "mechanism's engineer",
                     {kPa, kMmu},
                     2};
    p.conditions.push_back(std::move(survey));
    if (Chance(0.5)) {
      Condition review{"procurement-review",
                       "Procurement review of the main works contract passed",
                       {kMmu, p.donor},
                       1};
      p.conditions.push_back(std::move(review));
    }
  }
  for (const Condition& c : p.conditions) {
    json::Value of = json::Value::array();
    for (size_t a : c.of) of.push_back(parties_[a].id);
    conds.push_back(
        {{"condition", c.id}, {"text", c.text}, {"attesters", {{"of", of}, {"k", c.k}}}});
  }
  json::Value body = {{"commitment", p.commitment}, {"project", p.id}, {"amount", Money(p.budget)}};
  if (!conds.empty()) body["conditions"] = conds;
  Emit("funds.commit", p.donor, p.commitment, std::move(body));
  p.committed = p.budget;
  p.conditions_left = static_cast<int64_t>(p.conditions.size());
  for (size_t ci = 0; ci < p.conditions.size(); ++ci) {
    const Condition& c = p.conditions[ci];
    for (int64_t k = 0; k < c.k; ++k) {
      const size_t who = c.of[static_cast<size_t>(k)];
      Schedule(today_ + U(2, 12), [this, pi, ci, who] { Attest(pi, ci, who); });
    }
  }
  if (p.conditions.empty()) {
    Schedule(today_ + U(1, 5), [this, pi] {
      Project& q = projects_[pi];
      if (q.disbursed == 0 && (q.status == "approved" || q.status == "completed")) {
        Disburse(pi, q.committed * 4 / 10);
      }
    });
  }
  if (p.structuring && p.contractor >= 0) {
    // Structuring: the contractor's works paid in many payments just under the threshold,
    // over about ten days.
    const size_t c = contractors_[static_cast<size_t>(p.contractor)];
    const int64_t m = std::clamp<int64_t>(p.labour / (o_.payment_threshold * 97 / 100), 6, 8);
    RecordTruth("structuring", {{"kind", "payment"},
                                {"project", p.id},
                                {"payee", parties_[c].id},
                                {"threshold", Money(o_.payment_threshold)},
                                {"payments", json::Value::array()},
                                {"amounts", json::Value::array()},
                                {"events", json::Value::array()}});
    const int64_t first = today_ + U(5, 12);
    int64_t total = 0;
    for (int64_t k = 0; k < m; ++k) {
      const int64_t amount = o_.payment_threshold * U(920, 995) / 1000 - U(0, 99) * 100;
      total += amount;
      PayLater(first + k * 10 / m, pi, c, amount,
               fmt::format("{}/{}/w{:02}", parties_[c].id.substr(11), p.id.substr(4), k + 1), -1,
               "structuring", 0);
    }
    p.labour_left = std::max<int64_t>(0, p.labour - total);
  }
  if (p.phantom) {
    // A payment to a vendor that delivers nothing to the project.
    size_t other = p.vendor;
    if (vendors_.size() > 1) {
      while (other == p.vendor) other = static_cast<size_t>(U(0, o_.vendors - 1));
    }
    const size_t payee = vendors_[other].party;
    const int64_t amount = std::max<int64_t>(100000, p.materials * U(50, 120) / 1000 / 100 * 100);
    RecordTruth("payment_without_delivery", {{"project", p.id},
                                             {"payee", parties_[payee].id},
                                             {"payments", json::Value::array()},
                                             {"amounts", json::Value::array()},
                                             {"events", json::Value::array()}});
    const std::string invoice =
        fmt::format("{}/{}/{:04}", vendors_[other].stem, DayText(today_).substr(0, 4),
                    ++vendors_[other].invoices);
    PayLater(today_ + U(5, 20), pi, payee, amount, invoice, -1, "payment_without_delivery", 0);
  }
}

void Sim::Attest(size_t pi, size_t ci, size_t who) {
  Project& p = projects_[pi];
  Condition& c = p.conditions[ci];
  Emit("condition.attest", who, fmt::format("att-{}-{}-{}", p.commitment, c.id, parties_[who].id),
       {{"commitment", p.commitment}, {"condition", c.id}});
  c.attested += 1;
  if (c.attested == c.k) {
    p.conditions_left -= 1;
    if (p.conditions_left == 0) {
      Schedule(today_ + U(1, 5), [this, pi] {
        Project& q = projects_[pi];
        if (q.disbursed == 0 && (q.status == "approved" || q.status == "completed")) {
          Disburse(pi, q.committed * 4 / 10);
        }
      });
    }
  }
}

void Sim::FinishProject(size_t pi) {
  Project& p = projects_[pi];
  if (p.status != "approved") return;
  Emit("project.complete", p.implementer, "compl-" + p.id,
       {{"project", p.id}, {"reason", "Works handed over to the ministry"}});
  p.status = "completed";
  // Final works payment, then closure once every inspection and invoice is through.
  if (p.contractor >= 0 && p.labour_left > 0) {
    const size_t c = contractors_[static_cast<size_t>(p.contractor)];
    const int64_t li = contractor_listed_[static_cast<size_t>(p.contractor)];
    PayLater(today_ + U(3, 10), pi, c, p.labour_left,
             fmt::format("{}/{}/final", parties_[c].id.substr(11), p.id.substr(4)), li,
             li >= 0 ? "watchlist_match" : "", 0);
    p.labour_left = 0;
  }
  Schedule(today_ + U(60, 90), [this, pi] {
    if (projects_[pi].status != "completed") return;
    Emit("project.close", kMmu, "close-" + projects_[pi].id,
         {{"project", projects_[pi].id}, {"reason", "Final verification and reconciliation done"}});
    projects_[pi].status = "closed";
  });
}

// ---- stock counts ----

void Sim::CountStock(size_t wi) {
  Warehouse& w = warehouses_[wi];
  Schedule(today_ + U(20, 40), [this, wi] { CountStock(wi); });
  Qty counted;
  for (const auto& [item, q] : w.book) {
    if (q > 0 && !w.skip_count.contains(item)) counted[item] = q;
  }
  if (counted.empty()) return;
  std::string short_item;
  // A shortfall needs a quantity large enough to be beyond the tolerance.
  std::vector<std::string> candidates;
  for (const auto& [item, q] : counted) {
    if (q >= 1000) candidates.push_back(item);
  }
  if (!candidates.empty() && Plant("stock_mismatch", o_.rates.stock_short, o_.days * 3 / 4)) {
    short_item = candidates[static_cast<size_t>(U(0, static_cast<int64_t>(candidates.size()) - 1))];
  }
  int64_t book_of_short = 0, missing = 0;
  for (auto& [item, q] : counted) {
    if (item == short_item) {
      book_of_short = q;
      missing = std::max<int64_t>(1, q * U(60, 300) / 1000);
      q -= missing;
    } else if (data::ItemById(item).bulk && Chance(0.3)) {
      // Honest counts of bulk goods are close to the book, well inside the tolerance.
      const int64_t noise = q * U(0, o_.stock_tolerance / 4) / 1000;
      q += Chance(0.5) ? noise : -noise;
    }
  }
  const std::string id = fmt::format("cnt-{:06}", ++cnt_counter_);
  const size_t insp =
      inspectors_[(w.area + static_cast<size_t>(U(0, 1000)) * data::Areas().size()) %
                  inspectors_.size()];
  json::Value lines = json::Value::array();
  for (const auto& [item, q] : counted) lines.push_back({{"item", item}, {"quantity", q}});
  const int64_t slot =
      Emit("stock.count", insp, id, {{"count", id}, {"warehouse", w.id}, {"lines", lines}}, {}, {},
           !short_item.empty());
  if (!short_item.empty()) {
    w.skip_count.insert(short_item);
    RecordTruth("stock_mismatch", {{"warehouse", w.id},
                                   {"vendor", parties_[vendors_[w.vendor].party].id},
                                   {"item", short_item},
                                   {"book", book_of_short},
                                   {"counted", book_of_short - missing},
                                   {"count", id},
                                   {"events", json::Value::array({slot})}});
  }
}

// ---- volume jumps ----

void Sim::SpikeVendor(size_t vi) {
  // Everything the vendor would release over the next six weeks goes out this week, and
  // every project it supplies gets all the stock held for it at once. It waits (three
  // days at a time) until one of its projects, supplied for more than a week already,
  // has stock held for it of at least 3.5 times the most the vendor ever delivered to it
  // in any eight consecutive days (so in any 7 x 24 hours; honest loads come to at most
  // twice), so the jump stands out from that project's history. When no project offers
  // that by 13 days before the end, the vendor does not jump (and nothing is listed).
  constexpr int64_t kSpikeFactorPermille = 3500;
  if (vendors_[vi].standby &&
      std::any_of(vendors_.begin(), vendors_.end(), [](const Vendor& v) { return v.spiked; })) {
    vendors_[vi].spike_day = -1;  // another vendor jumped
    return;
  }
  {
    std::map<size_t, std::vector<std::pair<int64_t, int64_t>>> delivered;  // day, kg
    for (const Release& r : releases_) {
      if (r.vendor == vi && r.to_project) {
        delivered[r.recipient].emplace_back(r.day, Kilograms(r.lines));
      }
    }
    bool clear = false;
    for (const auto& [pi, loads] : delivered) {
      const Project& p = projects_[pi];
      if (p.status != "approved" || loads.front().first > today_ - 8) continue;
      int64_t largest = 0;
      for (const auto& [day, kg] : loads) {
        int64_t week = 0;
        for (const auto& [d, k] : loads) week += d >= day - 7 && d <= day ? k : 0;
        largest = std::max(largest, week);
      }
      int64_t held = 0;
      const Warehouse& w = warehouses_[vendors_[vi].warehouses[0]];
      const auto a = w.avail.find(p.id);
      if (a == w.avail.end()) continue;
      for (const auto& [item, q] : a->second) {
        if (data::ItemById(item).unit == "kg") {
          held +=
              std::min(q, p.boq.at(item) - (p.released.contains(item) ? p.released.at(item) : 0));
        }
      }
      clear = clear || (largest > 0 && held * 1000 >= kSpikeFactorPermille * largest);
    }
    if (!clear) {
      if (today_ + 13 < o_.days) {
        Schedule(today_ + 3, [this, vi] { SpikeVendor(vi); });
      } else {
        vendors_[vi].spike_day = -1;
      }
      return;
    }
    vendors_[vi].spike_day = today_;
    vendors_[vi].spiked = true;
  }
  const int64_t s = today_;
  int64_t moved = 0;
  for (size_t pi = 0; pi < projects_.size(); ++pi) {
    Project& p = projects_[pi];
    if (p.vendor != vi || p.status != "approved") continue;
    p.loads_left = 1;
    Schedule(
        s + U(0, 6), [this, pi] { ReleaseProjectLoad(pi, 0); }, static_cast<int64_t>(vi));
  }
  for (int64_t d = s + 7; d < std::min(o_.days, s + 45); ++d) {
    auto& list = agenda_[static_cast<size_t>(d)];
    std::vector<std::pair<std::function<void()>, int64_t>> keep;
    for (auto& a : list) {
      if (a.second == static_cast<int64_t>(vi)) {
        agenda_[static_cast<size_t>(s + 1 + moved % 6)].push_back(std::move(a));
        ++moved;
      } else {
        keep.push_back(std::move(a));
      }
    }
    list = std::move(keep);
  }
}

Result<Generated> Sim::Run() {
  {
    auto t = ParseRfc3339(o_.start + "T00:00:00Z");
    if (!t.ok()) return Status(ErrorCode::kInvalidArgument, "--start must be YYYY-MM-DD");
    start_ = t->seconds;
  }
  agenda_.resize(static_cast<size_t>(o_.days));
  today_ = 0;
  Setup();
  PlanProjects();
  PlanHouseholds();
  // Pledges, still on day 0: each donor pledges what its projects will need and a
  // margin, in two windows.
  {
    std::map<size_t, int64_t> need;
    for (const Project& p : projects_) need[p.donor] += p.budget;
    for (size_t d : donors_) {
      const int64_t total = std::max<int64_t>(need[d] * U(105, 130) / 100, 100000000);
      const int64_t rounded = (total / 100000000 + 1) * 100000000;  // whole millions of USD
      const int64_t first = rounded / 2;
      const std::string& id = parties_[d].id;
      Emit("funds.pledge", d, fmt::format("pl-{}-1", id),
           {{"pledge", fmt::format("pl-{}-1", id)},
            {"amount", Money(first)},
            {"purpose", "Housing, schools and health window"}});
      Emit("funds.pledge", d, fmt::format("pl-{}-2", id),
           {{"pledge", fmt::format("pl-{}-2", id)},
            {"amount", Money(rounded - first)},
            {"purpose", "Water, roads and power window"}});
    }
  }
  for (size_t v = 0; v < vendors_.size(); ++v) {
    Schedule(static_cast<int64_t>(7 + v % 7), [this, v] { WeeklyHouseholdRequest(v); });
  }
  for (size_t w = 0; w < warehouses_.size(); ++w) {
    Schedule(U(10, 30), [this, w] { CountStock(w); });
  }
  // Volume jumps: chosen vendors release six weeks' worth in one week, in the second half.
  // Only a vendor with projects proposed in the first quarter can (a jump is judged against
  // what it delivered to a project before). When chance chose fewer than three, those
  // with most stand by to make three candidates: one jumps only while no vendor has.
  if (o_.rates.volume_jump > 0 && o_.days >= 28) {
    std::vector<int64_t> early(vendors_.size(), 0);
    for (const Project& p : projects_) early[p.vendor] += p.propose_day < o_.days / 4 ? 1 : 0;
    std::vector<size_t> spikes;
    for (size_t v = 0; v < vendors_.size(); ++v) {
      if (Chance(o_.rates.volume_jump) && early[v] > 0) spikes.push_back(v);
    }
    std::vector<size_t> busiest(vendors_.size());
    for (size_t v = 0; v < busiest.size(); ++v) busiest[v] = v;
    std::stable_sort(busiest.begin(), busiest.end(),
                     [&](size_t a, size_t b) { return early[a] > early[b]; });
    for (size_t v : busiest) {
      if (spikes.size() >= 4) break;
      if (std::find(spikes.begin(), spikes.end(), v) != spikes.end()) continue;
      vendors_[v].standby = true;
      spikes.push_back(v);
    }
    for (size_t v : spikes) {
      vendors_[v].spike_day = U(o_.days / 2, std::max(o_.days / 2, o_.days * 4 / 5 - 7));
      Schedule(vendors_[v].spike_day, [this, v] { SpikeVendor(v); });
    }
  }
  for (today_ = 0; today_ < o_.days; ++today_) {
    auto& list = agenda_[static_cast<size_t>(today_)];
    for (size_t i = 0; i < list.size(); ++i) {
      auto fn = std::move(list[i].first);
      fn();
    }
    list.clear();
    list.shrink_to_fit();
    RETURN_IF_ERROR(Flush(today_));
  }
  today_ = o_.days;

  // Volume jumps, measured: for each project of the vendor, what it released to it in
  // the spike week against the most it delivered to it in eight consecutive days before.
  for (size_t v = 0; v < vendors_.size(); ++v) {
    if (!vendors_[v].spiked) continue;
    const int64_t s = vendors_[v].spike_day;
    std::map<size_t, std::vector<std::pair<int64_t, int64_t>>> before;  // day, kg
    std::map<size_t, int64_t> spike;
    int64_t week_kg = 0;
    json::Value events = json::Value::array(), ids = json::Value::array();
    for (const Release& r : releases_) {
      if (r.vendor != v || r.day >= s + 7) continue;
      if (r.day >= s) week_kg += Kilograms(r.lines);
      if (!r.to_project) continue;
      if (r.day < s) {
        before[r.recipient].emplace_back(r.day, Kilograms(r.lines));
      } else {
        spike[r.recipient] += Kilograms(r.lines);
        ids.push_back(r.id);
        events.push_back(r.slot);
      }
    }
    json::Value projects = json::Value::array();
    for (const auto& [pi, kg] : spike) {
      int64_t largest = 0;
      for (const auto& [day, k] : before[pi]) {
        int64_t week = 0;
        for (const auto& [d, k2] : before[pi]) week += d >= day - 7 && d <= day ? k2 : 0;
        largest = std::max(largest, week);
      }
      projects.push_back({{"project", projects_[pi].id},
                          {"largest_week_kg_before", largest},
                          {"spike_kg", kg},
                          {"ratio_permille", largest > 0 ? kg * 1000 / largest : 0}});
    }
    if (events.empty()) continue;
    RecordTruth("volume_jump", {{"vendor", parties_[vendors_[v].party].id},
                                {"spike_day", s},
                                {"spike_week_kg", week_kg},
                                {"projects", projects},
                                {"releases", ids},
                                {"events", events}});
  }

  Generated g;
  // Keys.
  for (const Party& p : parties_) {
    g.key_files[p.id + ".key"] = crypto::FormatSignerKey(p.key) + "\n";
  }
  g.key_files["log.key"] = crypto::FormatSignerKey(log_key_) + "\n";
  g.key_files["detector.key"] = crypto::FormatSignerKey(detector_key_) + "\n";
  for (const auto& [v, text] : watchlist_text_) {
    g.watchlists[fmt::format("synthetic-v{}.ftm.jsonl", v)] = text;
  }
  // The truth: event slots become {type, actor, nonce, id, time}.
  json::Value schemes = json::Value::object();
  for (const char* s : {"stock_mismatch", "release_unverified", "verified_short",
                        "duplicate_household", "entitlement_spread", "structuring", "volume_jump",
                        "payment_without_delivery", "watchlist_match", "decision_overdue"}) {
    // A record whose events all fell after the end (a payment planned too late) was not
    // planted after all.
    json::Value list = json::Value::array();
    if (truth_.contains(s) && truth_[s].is_array()) {
      for (auto& rec : truth_[s]) {
        if (!rec["events"].empty()) list.push_back(std::move(rec));
      }
    }
    for (auto& rec : list) {
      json::Value evs = json::Value::array();
      for (const auto& e : rec["events"]) {
        const int64_t slot = e.get<int64_t>();
        if (slot < 0 || static_cast<size_t>(slot) >= refs_.size()) continue;
        const Ref& r = refs_[static_cast<size_t>(slot)];
        evs.push_back({{"type", r.type},
                       {"actor", r.actor},
                       {"nonce", r.nonce},
                       {"id", r.id},
                       {"time", r.time}});
      }
      rec["events"] = std::move(evs);
    }
    g.planted[s] = static_cast<int64_t>(list.size());
    schemes[s] = std::move(list);
  }
  json::Value areas = json::Value::array();
  for (const data::Area& a : data::Areas()) {
    areas.push_back({{"id", a.id},
                     {"name", a.name},
                     {"arabic", a.arabic},
                     {"location", {{"lat_e6", a.lat_e6}, {"lon_e6", a.lon_e6}}}});
  }
  json::Value crossings = json::Value::array();
  for (const data::Crossing& c : data::Crossings()) {
    crossings.push_back({{"id", c.id},
                         {"name", c.name},
                         {"location", {{"lat_e6", c.lat_e6}, {"lon_e6", c.lon_e6}}}});
  }
  g.truth = {{"format", "aidtrace-scenario-truth/1"},
             {"options",
              {{"households", o_.households},
               {"projects", o_.projects},
               {"vendors", o_.vendors},
               {"days", o_.days},
               {"seed", o_.seed},
               {"start", o_.start},
               {"mechanism", o_.mechanism},
               {"origin", o_.origin},
               {"rates",
                {{"stock_short", o_.rates.stock_short},
                 {"release_unverified", o_.rates.release_unverified},
                 {"verified_short", o_.rates.verified_short},
                 {"duplicate_household", o_.rates.duplicate_household},
                 {"entitlement_spread", o_.rates.entitlement_spread},
                 {"structuring", o_.rates.structuring},
                 {"volume_jump", o_.rates.volume_jump},
                 {"payment_without_delivery", o_.rates.payment_without_delivery},
                 {"listed_contractor", o_.rates.listed_contractor},
                 {"decision_overdue", o_.rates.decision_overdue}}}}},
             {"programme",
              {{"start", FormatRfc3339({start_, 0})},
               {"end", FormatRfc3339({start_ + o_.days * kDay, 0})},
               {"time_basis",
                "envelope: every day/time in this file is simulated programme time (the envelopes' "
                "time), not the log's logged time"},
               {"areas", areas},
               {"crossings", crossings}}},
             {"policy",
              {{"stock_tolerance", o_.stock_tolerance},
               {"verify_window_days", o_.verify_window_days},
               {"decision_sla_days", o_.decision_sla_days}}},
             {"thresholds", {{"payment", Money(o_.payment_threshold)}}},
             {"watchlist",
              {{"list", "aidtrace-synthetic-sanctions"},
               {"files",
                [&] {
                  json::Value f = json::Value::array();
                  for (const auto& [name, text] : g.watchlists) f.push_back("watchlist/" + name);
                  return f;
                }()}}},
             {"schemes", schemes}};
  // These floating-point rates are reported in permille in the file (JSON numbers here
  // must be integers).
  for (auto& [k, v] : g.truth["options"]["rates"].items()) {
    v = static_cast<int64_t>(std::llround(v.get<double>() * 1000));
  }
  g.truth["options"]["rates_unit"] = "permille";
  g.events_by_type = by_type_;
  g.events = events_;
  return g;
}

}  // namespace

Status ValidateOptions(const Options& o) {
  auto bad = [](std::string what) { return Status(ErrorCode::kInvalidArgument, std::move(what)); };
  if (o.households < 1 || o.households > 2000000) return bad("--households must be in 1..2000000");
  if (o.projects < 1 || o.projects > 100000) return bad("--projects must be in 1..100000");
  if (o.vendors < 1 || o.vendors > 10000) return bad("--vendors must be in 1..10000");
  if (o.days < 14 || o.days > 3650) return bad("--days must be in 14..3650");
  if (o.verify_window_days < 7 || o.verify_window_days > 3650) {
    return bad("--verify-window-days must be in 7..3650");
  }
  if (o.decision_sla_days < 1 || o.decision_sla_days > 3650) {
    return bad("--decision-sla-days must be in 1..3650");
  }
  if (o.stock_tolerance < 0 || o.stock_tolerance > 1000) {
    return bad("--stock-tolerance must be in 0..1000 (permille)");
  }
  if (o.payment_threshold < 100000 || o.payment_threshold > 100000000000) {
    return bad("--payment-threshold must be in 100000..100000000000 (US cents)");
  }
  const std::pair<const char*, double> rates[] = {
      {"--rate-stock-short", o.rates.stock_short},
      {"--rate-unverified", o.rates.release_unverified},
      {"--rate-verified-short", o.rates.verified_short},
      {"--rate-duplicate-household", o.rates.duplicate_household},
      {"--rate-entitlement-spread", o.rates.entitlement_spread},
      {"--rate-structuring", o.rates.structuring},
      {"--rate-volume-jump", o.rates.volume_jump},
      {"--rate-payment-without-delivery", o.rates.payment_without_delivery},
      {"--rate-listed-contractor", o.rates.listed_contractor},
      {"--rate-decision-overdue", o.rates.decision_overdue}};
  for (const auto& [name, r] : rates) {
    if (!(r >= 0 && r <= 1)) return bad(fmt::format("{} must be in 0..1", name));
  }
  auto t = ParseRfc3339(o.start + "T00:00:00Z");
  if (!t.ok() || o.start.size() != 10) return bad("--start must be a date YYYY-MM-DD");
  if (!IsValidId(o.mechanism)) return bad("--mechanism must be an id ([a-z0-9][a-z0-9._-]{0,63})");
  if (!crypto::IsValidKeyName(o.origin)) return bad("--origin must be a valid key name");
  return Status::Ok();
}

Result<Generated> Generate(const Options& options,
                           const std::function<Status(std::string_view line)>& sink) {
  RETURN_IF_ERROR(ValidateOptions(options));
  Sim sim(options, sink);
  return sim.Run();
}

Result<Generated> WriteScenario(const Options& options, const std::string& dir) {
  namespace fs = std::filesystem;
  RETURN_IF_ERROR(ValidateOptions(options));
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{} exists and is not empty; give a new or empty directory", dir));
  }
  fs::create_directories(fs::path(dir) / "keys", ec);
  if (!ec) fs::create_directories(fs::path(dir) / "watchlist", ec);
  if (ec) {
    return Status(ErrorCode::kIoError, fmt::format("cannot create {}: {}", dir, ec.message()));
  }
  const std::string events_path = (fs::path(dir) / "events.jsonl").string();
  FILE* out = std::fopen(events_path.c_str(), "wb");
  if (out == nullptr) return Status(ErrorCode::kIoError, "cannot write " + events_path);
  std::string buffer;
  auto sink = [&](std::string_view line) -> Status {
    buffer.append(line);
    buffer += '\n';
    if (buffer.size() >= (1u << 20)) {
      if (std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
        return Status(ErrorCode::kIoError, "cannot write " + events_path);
      }
      buffer.clear();
    }
    return Status::Ok();
  };
  auto g = Generate(options, sink);
  bool ok = g.ok();
  if (ok && !buffer.empty()) {
    ok = std::fwrite(buffer.data(), 1, buffer.size(), out) == buffer.size();
  }
  if (std::fclose(out) != 0) ok = false;
  if (!g.ok()) return g.status();
  if (!ok) return Status(ErrorCode::kIoError, "cannot write " + events_path);
  Env& env = *Env::Default();
  for (const auto& [name, text] : g->key_files) {
    RETURN_IF_ERROR(env.WriteFileAtomic((fs::path(dir) / "keys" / name).string(), text, 0600,
                                        /*overwrite=*/true));
  }
  for (const auto& [name, text] : g->watchlists) {
    RETURN_IF_ERROR(env.WriteFileAtomic((fs::path(dir) / "watchlist" / name).string(), text, 0644,
                                        /*overwrite=*/true));
  }
  RETURN_IF_ERROR(env.WriteFileAtomic((fs::path(dir) / "truth.json").string(),
                                      g->truth.dump(1) + "\n", 0644, /*overwrite=*/true));
  return g;
}

std::string SummaryLine(const Generated& g) {
  std::string types, planted;
  for (const auto& [t, n] : g.events_by_type) {
    types += fmt::format("{}{} {}", types.empty() ? "" : ", ", t, n);
  }
  for (const auto& [s, n] : g.planted) {
    planted += fmt::format("{}{} {}", planted.empty() ? "" : ", ", s, n);
  }
  return fmt::format("{} events ({}); planted: {}", g.events, types, planted);
}

}  // namespace aidtrace::scenario
