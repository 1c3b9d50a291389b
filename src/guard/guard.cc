#include "guard/guard.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/env.h"
#include "base/time.h"
#include "crypto/sha256.h"
#include "detect/observer.h"
#include "event/envelope.h"
#include "mechanism/directory.h"
#include "screening/match.h"

namespace aidtrace::guard {
namespace {

constexpr size_t kMaxProblems = 20;
constexpr size_t kExplanationMax = 4096;  // EVENTS.md text

void AddProblem(GuardReport& r, Status s) {
  if (r.problems.size() < kMaxProblems) r.problems.push_back(std::move(s));
}

// Cuts `s` to at most `max` bytes on a UTF-8 character boundary.
std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::string HitId(const std::string& subject, const screening::Hit& hit,
                  const std::string& subject_hash) {
  const std::string key = fmt::format("{}\n{}\n{}\n{}\n{}", subject, hit.list, hit.entry,
                                      hit.content_hash, subject_hash);
  return "hit-" + HexEncode(crypto::Sha256(key)).substr(0, 16);
}

const mechanism::Directory& Dir(const ledger::StateMachine& sm) {
  const mechanism::Directory* d = detect::DirectoryOf(sm);
  if (d == nullptr) throw std::logic_error("the guard needs the mechanism's state");
  return *d;
}

}  // namespace

void GuardReport::Merge(const GuardReport& o) {
  screened += o.screened;
  matches += o.matches;
  hits += o.hits;
  reopened += o.reopened;
  already += o.already;
  loaded.insert(loaded.end(), o.loaded.begin(), o.loaded.end());
  for (const auto& p : o.problems) AddProblem(*this, p);
}

store::ListFile MakeListFile(std::string_view list, std::string_view format,
                             std::string_view sha256,
                             const std::vector<screening::Entity>& entities,
                             std::string_view added) {
  store::ListFile f;
  f.sha256 = std::string(sha256);
  f.list = std::string(list);
  f.format = std::string(format);
  f.entries = static_cast<int64_t>(entities.size());
  f.added = std::string(added);
  for (const auto& e : entities) {
    json::Value j = e.ToJson();
    j["list"] = std::string(list);
    json::AppendCanonical(j, f.data);
    f.data += '\n';
  }
  return f;
}

Result<std::vector<screening::Entity>> EntitiesOf(const store::ListFile& file) {
  std::vector<screening::Entity> out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(0, file.entries)));
  size_t start = 0, line = 0;
  const std::string_view data = file.data;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string_view::npos) end = data.size();
    ++line;
    const std::string_view text = data.substr(start, end - start);
    start = end + 1;
    if (text.empty()) continue;
    json::ParseOptions po;
    po.max_bytes = text.size() + 1;
    auto doc = json::Parse(text, po);
    if (!doc.ok()) {
      return Status(ErrorCode::kCorrupt, fmt::format("list file {} line {}: {}", file.sha256, line,
                                                     doc.status().message()));
    }
    auto e = screening::Entity::FromJson(*doc);
    if (!e.ok()) {
      return Status(ErrorCode::kCorrupt, fmt::format("list file {} line {}: {}", file.sha256, line,
                                                     e.status().message()));
    }
    out.push_back(std::move(*e));
  }
  return out;
}

Guard::Guard(ledger::Ledger& ledger, store::Store& lists, std::optional<crypto::SignerKey> signer,
             GuardOptions options)
    : ledger_(ledger),
      lists_(lists),
      signer_(std::move(signer)),
      options_(std::move(options)),
      normalizer_(options_.names != nullptr ? options_.names : screening::NameData::Builtin()) {}

Guard::~Guard() = default;

Result<std::unique_ptr<Guard>> Guard::Open(ledger::Ledger& ledger, store::Store& lists,
                                           std::optional<crypto::SignerKey> signer,
                                           GuardOptions options) {
  std::unique_ptr<Guard> g(new Guard(ledger, lists, std::move(signer), std::move(options)));
  std::vector<ListInfo> current = ledger.ReadState([](const ledger::StateMachine& sm) {
    std::vector<ListInfo> out;
    for (const auto& [id, l] : Dir(sm).enforcement().lists()) {
      if (l.versions.empty()) continue;
      const auto& v = l.versions.back();
      out.push_back({id, v.version, v.sha256, v.entries, false});
    }
    return out;
  });
  GuardReport ignored;
  for (const auto& info : current) {
    auto changed = g->Install(info, ignored);
    if (!changed.ok()) return changed.status();
  }
  if (g->options_.read_subjects) RETURN_IF_ERROR(g->ReadSubjects());
  // Every subject was screened when it was admitted and at every list load since.
  g->MarkScreened(g->generation_.load());
  return g;
}

Status Guard::ReadSubjects() {
  const uint64_t size = ledger_.Size();
  std::vector<std::pair<uint64_t, std::string>> wanted;  // (seq, leaf)
  RETURN_IF_ERROR(ledger_.ScanLeaves(0, size, [&](uint64_t seq, std::string_view data) {
    if (data.find("\"type\":\"party.admit\"") != std::string_view::npos ||
        data.find("\"type\":\"beneficiary.register\"") != std::string_view::npos) {
      wanted.emplace_back(seq, std::string(data));
    }
    return Status::Ok();
  }));
  std::vector<std::optional<ScreenedSubject>> found(wanted.size());
  std::vector<Status> errors(wanted.size());
  ParallelFor(wanted.size(), options_.threads, [&](size_t i) {
    json::ParseOptions po;
    po.max_bytes = wanted[i].second.size() + 1;
    auto leaf = json::Parse(wanted[i].second, po);
    if (!leaf.ok() || !leaf->is_object() || !leaf->contains("event")) {
      errors[i] =
          Status(ErrorCode::kCorrupt, fmt::format("leaf {} is not a leaf", wanted[i].first));
      return;
    }
    const json::Value& env = leaf->at("event");
    const auto type = env.find("type");
    const auto body = env.find("body");
    if (type == env.end() || !type->is_string() || body == env.end()) return;
    std::optional<json::Value> priv;
    auto rec = ledger_.PrivateRecord(wanted[i].first);
    if (rec.ok() && rec->has_value()) {
      auto parsed = json::Parse(**rec);
      if (parsed.ok()) priv = std::move(*parsed);
    }
    found[i] = SubjectOf(type->get<std::string>(), *body, priv.has_value() ? &*priv : nullptr);
  });
  for (const auto& e : errors) RETURN_IF_ERROR(e);
  std::unique_lock lock(mu_);
  for (auto& s : found) {
    if (!s.has_value()) continue;
    std::string id = s->id;
    subjects_[id] = Entry{std::move(*s), 0};
  }
  return Status::Ok();
}

Result<std::vector<screening::Entity>> Guard::Install(const ListInfo& info, GuardReport& report) {
  ListInfo next = info;
  ASSIGN_OR_RETURN(std::optional<store::ListFile> file, lists_.FindListFile(info.sha256));
  if (!file.has_value()) {
    // The log names a version whose entities were never stored here: keep screening
    // against the previous one and say so.
    AddProblem(report,
               Status(ErrorCode::kNotFound,
                      fmt::format("list \"{}\" version \"{}\" ({}) is loaded in the log but its "
                                  "file is not stored: import it (aidtrace lists import, POST "
                                  "/v1/watchlists) to screen against it",
                                  info.list, info.version, info.sha256)));
    std::unique_lock lock(mu_);
    Loaded& l = loaded_[info.list];
    l.info = next;
    return std::vector<screening::Entity>();
  }
  ASSIGN_OR_RETURN(std::vector<screening::Entity> entities, EntitiesOf(*file));
  for (auto& e : entities) e.list = info.list;
  next.stored = true;
  std::vector<screening::Entity> changed;
  {
    std::unique_lock lock(mu_);
    Loaded& l = loaded_[info.list];
    const auto diff = screening::DiffLists(l.entities, entities);
    std::set<std::string> ids;
    for (const auto& d : diff) {
      if (d.op != screening::DiffOp::kDel) ids.insert(d.id);
    }
    for (const auto& e : entities) {
      if (ids.contains(e.id)) changed.push_back(e);
    }
    l.info = next;
    l.entities = std::move(entities);
  }
  report.loaded.push_back(fmt::format("{}@{}", info.list, info.version));
  Rebuild();
  return changed;
}

void Guard::Rebuild() {
  std::vector<screening::Entity> all;
  {
    std::shared_lock lock(mu_);
    size_t n = 0;
    for (const auto& [id, l] : loaded_) n += l.entities.size();
    all.reserve(n);
    for (const auto& [id, l] : loaded_) all.insert(all.end(), l.entities.begin(), l.entities.end());
  }
  index_.Store(screening::Index::Build(std::move(all), normalizer_));
  generation_.fetch_add(1);
}

int64_t Guard::ReviewLevel() const {
  return ledger_.ReadState(
      [](const ledger::StateMachine& sm) { return Dir(sm).policy().review_at; });
}

std::vector<Guard::Match> Guard::ScreenSubject(const ScreenedSubject& s, Timestamp time,
                                               int min_score) const {
  std::vector<Match> out;
  const auto index = index_.Load();
  if (index == nullptr || index->name_count() == 0) return out;
  screening::ScreenOptions o;
  o.min_score = min_score;
  for (size_t i = 0; i < s.parts.size(); ++i) {
    for (auto& h : index->Screen(s.parts[i], o)) {
      if (i < s.family.size() && FamilyMissing(s.family[i], h)) continue;
      out.push_back({s.id, s.hash, s.labels[i], std::move(h), time});
    }
  }
  return out;
}

bool Guard::FamilyMissing(const std::string& family_name, const screening::Hit& hit) const {
  if (family_name.empty()) return false;
  const screening::NormalizedName family = normalizer_.Normalize(family_name);
  // Spelling and script vary ("Abou Zaydeh" / "Abu Zayda" / "أبو زايدة"): one word of the
  // family name, other than the particles of a compound family name, must be like a word
  // of one of the entry's names (an Arabic article written joined, "الهندي" read "alhndy",
  // is tried without it).
  static const std::set<std::string, std::less<>> kParticles = {
      "abu", "abou", "abo", "bu", "um", "umm", "om", "bin", "ben", "ibn", "bint", "al", "el"};
  std::vector<const screening::Token*> words;
  for (const auto& f : family.tokens) {
    if (!kParticles.contains(f.text)) words.push_back(&f);
  }
  if (words.empty()) return false;  // nothing but particles: no check
  std::vector<std::string> names = {hit.name};
  {
    std::shared_lock lock(mu_);
    if (const auto l = loaded_.find(hit.list); l != loaded_.end()) {
      for (const auto& e : l->second.entities) {
        if (e.id != hit.entry) continue;
        for (const auto& n : e.names) names.push_back(n.full);
        break;
      }
    }
  }
  constexpr int kSimilar = 800;
  for (const auto& name : names) {
    const screening::NormalizedName listed = normalizer_.Normalize(name);
    for (const screening::Token* f : words) {
      for (const auto& t : listed.tokens) {
        screening::MatchHow how;
        if (screening::TokenSimilarity(*f, t, &how) >= kSimilar) return false;
        // The consonant outline: Arabic script drops short vowels ("Aqel" / "عقل").
        if (f->skeleton.size() >= 2 && f->skeleton == t.skeleton) return false;
        if (t.text.size() > 4 && (t.text.starts_with("al") || t.text.starts_with("el"))) {
          const screening::NormalizedName bare = normalizer_.Normalize(t.text.substr(2));
          if (!bare.empty() && screening::TokenSimilarity(*f, bare.tokens[0], &how) >= kSimilar) {
            return false;
          }
        }
      }
    }
  }
  return true;
}

std::vector<std::string> Guard::HitLines(const std::vector<Match>& matches, GuardReport& report,
                                         std::set<std::string>& planned) const {
  std::vector<std::string> lines;
  report.matches += matches.size();
  if (!signer_.has_value() || matches.empty()) return lines;
  struct Plan {
    const Match* m;
    std::string id, reopens;
  };
  std::vector<Plan> plans;
  ledger_.ReadState([&](const ledger::StateMachine& sm) {
    const mechanism::Directory& dir = Dir(sm);
    const auto& eb = dir.enforcement();
    const int64_t review = dir.policy().review_at;
    for (const Match& m : matches) {
      std::string id = HitId(m.subject, m.hit, m.subject_hash);
      if (planned.contains(id) || eb.FindHit(id) != nullptr) {
        ++report.already;
        continue;
      }
      bool recorded = false;
      std::string reopens;
      if (const auto* ids = eb.HitsOf(m.subject); ids != nullptr) {
        for (const auto& hid : *ids) {
          const auto* h = eb.FindHit(hid);
          if (h == nullptr || h->list != m.hit.list || h->entry != m.hit.entry) continue;
          if (h->status == "open" || h->status == "confirmed" ||
              (h->status == "below_review" && m.hit.score < review)) {
            recorded = true;
          } else if (h->status == "cleared") {
            // Cleared: found again only when the entry or the subject changed since.
            if (h->entry_hash.empty() ||
                (h->entry_hash == m.hit.content_hash && h->subject_hash == m.subject_hash)) {
              recorded = true;
            } else {
              reopens = hid;
            }
          }
        }
      }
      if (recorded) {
        ++report.already;
        continue;
      }
      planned.insert(id);
      plans.push_back({&m, std::move(id), std::move(reopens)});
    }
  });
  for (const Plan& p : plans) {
    const Match& m = *p.m;
    json::Value body = {{"hit", p.id},
                        {"subject", m.subject},
                        {"list", m.hit.list},
                        {"entry", Truncate(m.hit.entry, 128)},
                        {"score", m.hit.score},
                        {"algorithm", std::string(kAlgorithm)},
                        {"explanation", Truncate(fmt::format("{}: {}", m.label, m.hit.explanation),
                                                 kExplanationMax)},
                        {"entry_hash", m.hit.content_hash},
                        {"subject_hash", m.subject_hash}};
    if (!p.reopens.empty()) body["reopens"] = p.reopens;
    json::Value env = {{"v", 1},
                       {"type", "screening.hit"},
                       {"actor", signer_->name},
                       {"time", FormatRfc3339({m.time.seconds, 0})},
                       {"nonce", p.id},
                       {"body", std::move(body)}};
    auto signed_env = event::SignEnvelope(std::move(env), {&*signer_, 1});
    if (!signed_env.ok()) {
      AddProblem(report, signed_env.status().WithContext("signing " + p.id));
      continue;
    }
    auto line = json::Canonical(*signed_env);
    if (!line.ok()) {
      AddProblem(report, line.status().WithContext("writing " + p.id));
      continue;
    }
    if (!p.reopens.empty()) ++report.reopened;
    lines.push_back(std::move(*line));
  }
  return lines;
}

void Guard::Register(const ScreenedSubject& s, uint64_t generation) {
  std::unique_lock lock(mu_);
  subjects_[s.id] = Entry{s, generation};
}

void Guard::SubmitHits(const std::vector<std::string>& lines, GuardReport& report) {
  constexpr size_t kBatch = 512;
  for (size_t from = 0; from < lines.size(); from += kBatch) {
    const size_t to = std::min(lines.size(), from + kBatch);
    std::vector<ledger::Prepared> items;
    for (size_t i = from; i < to; ++i) {
      auto p = ledger_.Prepare(lines[i]);
      if (!p.ok()) {
        AddProblem(report, p.status());
        continue;
      }
      items.push_back(std::move(*p));
    }
    for (auto& r : ledger_.Submit(std::move(items))) {
      if (r.ok()) {
        ++report.hits;
      } else if (r.status().code() == ErrorCode::kBadState && r.status().path() == "/body/hit") {
        ++report.already;  // recorded meanwhile by a concurrent submission
      } else {
        AddProblem(report, r.status().WithContext("recording a screening hit"));
      }
    }
  }
}

std::vector<Result<event::Receipt>> Guard::Submit(std::vector<ledger::Prepared> items,
                                                  GuardReport* report_out) {
  GuardReport report;
  const uint64_t generation = generation_.load();
  const int review = static_cast<int>(ReviewLevel());  // once, not per subject
  const size_t n = items.size();
  // 1. Screen what each item adds or pays, in parallel.
  std::vector<std::optional<ScreenedSubject>> added(n);
  std::vector<std::vector<Match>> matches(n);
  std::vector<std::string> payees(n);
  ParallelFor(n, n >= 16 ? options_.threads : 1, [&](size_t i) {
    const event::Envelope& env = items[i].sub.envelope;
    const json::Value* priv =
        items[i].sub.private_record.has_value() ? &*items[i].sub.private_record : nullptr;
    if (env.type == "party.admit" || env.type == "beneficiary.register") {
      added[i] = SubjectOf(env.type, env.body(), priv);
      if (added[i].has_value()) matches[i] = ScreenSubject(*added[i], env.time, review);
    } else if (env.type == "funds.pay") {
      const auto it = env.body().find("payee");
      if (it == env.body().end() || !it->is_string()) return;
      std::optional<ScreenedSubject> payee;
      {
        std::shared_lock lock(mu_);
        const auto s = subjects_.find(it->get<std::string>());
        if (s != subjects_.end() && s->second.generation < generation) payee = s->second.subject;
      }
      if (payee.has_value()) {
        matches[i] = ScreenSubject(*payee, env.time, review);
        payees[i] = payee->id;
      }
    }
  });
  // 2. The hits to record, each sequenced right before the item that called for it.
  std::vector<ledger::Prepared> combined;
  std::vector<size_t> where(n);
  std::vector<std::pair<size_t, size_t>> hit_slots;  // (position in combined, item)
  std::set<std::string> planned;
  combined.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (added[i].has_value() || !payees[i].empty()) ++report.screened;
    if (!matches[i].empty()) {
      for (auto& line : HitLines(matches[i], report, planned)) {
        auto p = ledger_.Prepare(line);
        if (!p.ok()) {
          AddProblem(report, p.status());
          continue;
        }
        hit_slots.emplace_back(combined.size(), i);
        combined.push_back(std::move(*p));
      }
    }
    where[i] = combined.size();
    combined.push_back(std::move(items[i]));
  }
  std::vector<event::Envelope> loads;
  for (size_t i = 0; i < n; ++i) {
    if (combined[where[i]].sub.envelope.type == "watchlist.load") {
      loads.push_back(combined[where[i]].sub.envelope);
    }
  }
  auto got = ledger_.Submit(std::move(combined));
  for (const auto& [pos, item] : hit_slots) {
    if (got[pos].ok()) {
      ++report.hits;
    } else if (got[pos].status().code() == ErrorCode::kBadState &&
               got[pos].status().path() == "/body/hit") {
      ++report.already;
    } else {
      AddProblem(report, got[pos].status().WithContext("recording a screening hit"));
    }
  }
  // 3. Remember who was admitted or registered, and who was screened before a payment.
  std::vector<Result<event::Receipt>> results;
  results.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const bool ok = got[where[i]].ok();
    if (ok && added[i].has_value()) Register(*added[i], generation);
    if (!payees[i].empty()) {
      std::unique_lock lock(mu_);
      auto s = subjects_.find(payees[i]);
      if (s != subjects_.end()) s->second.generation = std::max(s->second.generation, generation);
    }
    results.push_back(std::move(got[where[i]]));
  }
  // 4. Accepted list loads: install the version, run its changes against every subject.
  for (const auto& env : loads) {
    const json::Value& body = env.body();
    ListInfo info{body.value("list", ""), body.value("version", ""), body.value("sha256", ""),
                  body.value("entries", int64_t{0}), false};
    const bool now_current = ledger_.ReadState([&](const ledger::StateMachine& sm) {
      const auto* l = Dir(sm).enforcement().FindList(info.list);
      return l != nullptr && !l->versions.empty() && l->versions.back().sha256 == info.sha256 &&
             l->versions.back().version == info.version;
    });
    if (!now_current) continue;  // refused, or already replaced
    std::lock_guard load_lock(load_mu_);
    auto changed = Install(info, report);
    if (!changed.ok()) {
      AddProblem(report, changed.status());
      continue;
    }
    if (changed->empty()) continue;
    std::vector<screening::Subject> parts;
    std::vector<Owner> owners;
    Flatten(parts, owners);
    screening::ScreenOptions o;
    o.min_score = static_cast<int>(ReviewLevel());
    auto found = screening::ReverseScreen(*changed, parts, o, normalizer_, options_.threads);
    report.screened += parts.size();
    std::vector<Match> ms;
    ms.reserve(found.size());
    for (auto& r : found) {
      const Owner& w = owners[r.subject];
      if (FamilyMissing(w.family, r.hit)) continue;
      ms.push_back({w.id, w.hash, w.label, std::move(r.hit), env.time});
    }
    std::set<std::string> planned_load;
    SubmitHits(HitLines(ms, report, planned_load), report);
    MarkScreened(generation_.load());
  }
  if (report_out != nullptr) report_out->Merge(report);
  return results;
}

Result<GuardReport> Guard::Rescreen() {
  std::lock_guard load_lock(load_mu_);
  GuardReport report;
  const auto index = index_.Load();
  if (index == nullptr || index->name_count() == 0) return report;
  const uint64_t generation = generation_.load();
  std::vector<screening::Subject> parts;
  std::vector<Owner> owners;
  Flatten(parts, owners);
  screening::ScreenOptions o;
  o.min_score = static_cast<int>(ReviewLevel());
  auto found = screening::ScreenBatch(*index, parts, o, options_.threads);
  report.screened = parts.size();
  const Timestamp now = Env::Default()->Now();
  std::vector<Match> ms;
  for (size_t i = 0; i < found.size(); ++i) {
    const Owner& w = owners[i];
    for (auto& h : found[i]) {
      if (FamilyMissing(w.family, h)) continue;
      ms.push_back({w.id, w.hash, w.label, std::move(h), now});
    }
  }
  std::set<std::string> planned;
  SubmitHits(HitLines(ms, report, planned), report);
  MarkScreened(generation);
  return report;
}

void Guard::Flatten(std::vector<screening::Subject>& parts, std::vector<Owner>& owners) const {
  std::shared_lock lock(mu_);
  for (const auto& [id, e] : subjects_) {
    for (size_t k = 0; k < e.subject.parts.size(); ++k) {
      parts.push_back(e.subject.parts[k]);
      owners.push_back({id, e.subject.hash, e.subject.labels[k],
                        k < e.subject.family.size() ? e.subject.family[k] : ""});
    }
  }
}

void Guard::MarkScreened(uint64_t generation) {
  std::unique_lock lock(mu_);
  for (auto& [id, e] : subjects_) e.generation = std::max(e.generation, generation);
}

std::vector<screening::Hit> Guard::Screen(const screening::Subject& subject,
                                          const screening::ScreenOptions& options) const {
  const auto index = index_.Load();
  if (index == nullptr) return {};
  return index->Screen(subject, options);
}

std::vector<Guard::ListInfo> Guard::Lists() const {
  std::shared_lock lock(mu_);
  std::vector<ListInfo> out;
  for (const auto& [id, l] : loaded_) out.push_back(l.info);
  return out;
}

std::vector<screening::Entity> Guard::Entities() const {
  std::shared_lock lock(mu_);
  std::vector<screening::Entity> out;
  for (const auto& [id, l] : loaded_) out.insert(out.end(), l.entities.begin(), l.entities.end());
  return out;
}

size_t Guard::subject_count() const {
  std::shared_lock lock(mu_);
  return subjects_.size();
}

size_t Guard::indexed_names() const {
  const auto index = index_.Load();
  return index == nullptr ? 0 : index->name_count();
}

}  // namespace aidtrace::guard
