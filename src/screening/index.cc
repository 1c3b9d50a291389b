#include "screening/index.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/parallel.h"

namespace aidtrace::screening {

namespace {

enum KeyType : uint32_t { kText = 1, kGroup = 2, kSkeleton = 3, kGram = 4 };

// FNV-1a over (type, bytes): 64-bit keys, so distinct keys practically never collide.
uint64_t KeyOf(KeyType type, std::string_view s) {
  uint64_t h = 1469598103934665603ull ^ type;
  h *= 1099511628211ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}
uint64_t GroupKey(uint32_t g) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>((g >> (8 * i)) & 0xFF);
  return KeyOf(kGroup, std::string_view(buf, 4));
}

// The keys of one token with their type weights (how much a hit on them says).
struct TokenKey {
  uint64_t key;
  float weight;
  bool gram;
};
void KeysOf(const Token& t, std::vector<TokenKey>& out) {
  out.push_back({KeyOf(kText, t.text), 1.0f, false});
  for (uint32_t g : t.groups) out.push_back({GroupKey(g), 0.95f, false});
  if (t.kind == TokenKind::kName && t.skeleton.size() >= 2) {
    out.push_back({KeyOf(kSkeleton, t.skeleton), 0.8f, false});
  }
  if ((t.kind == TokenKind::kName || t.kind == TokenKind::kNumber) && t.text.size() >= 4) {
    for (size_t i = 0; i + 3 <= t.text.size(); ++i) {
      out.push_back({KeyOf(kGram, std::string_view(t.text).substr(i, 3)), 0.0f, true});
    }
  }
}

struct Scratch {
  std::vector<float> acc, tok_best;
  std::vector<uint32_t> stamp, tok_stamp;
  std::vector<uint16_t> cover;  // query tokens that reached the name
  std::vector<uint32_t> touched, tok_touched;
  uint32_t gen = 0;
  void Fit(size_t n) {
    if (acc.size() < n) {
      acc.resize(n);
      tok_best.resize(n);
      stamp.resize(n, 0);
      tok_stamp.resize(n, 0);
      cover.resize(n, 0);
    }
  }
};
Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

int DobAdjustment(const BirthDate& q, const std::vector<BirthDate>& dobs, std::string& why) {
  if (dobs.empty()) return 0;
  int best = -1000;
  std::string best_why;
  for (const auto& d : dobs) {
    int adj;
    std::string w;
    int qf = q.year_from != 0 ? q.year_from : q.year, qt = q.year_to != 0 ? q.year_to : q.year;
    if (qt >= d.year_from && qf <= d.year_to) {
      if (q.day != 0 && d.day != 0 && q.month == d.month && q.day == d.day) {
        adj = 50;
        w = "dob " + d.ToString() + " matches +50";
      } else if (q.month != 0 && d.month != 0 && (q.month != d.month || q.day != d.day) &&
                 !d.approximate) {
        adj = 0;
        w = "dob year " + std::to_string(d.year) + " matches, day differs +0";
      } else {
        adj = 20;
        w = "dob year " + d.ToString() + " matches +20";
      }
    } else {
      int gap = qt < d.year_from ? d.year_from - qt : qf - d.year_to;
      adj = gap <= 1 ? -100 : -250;
      w = "dob " + d.ToString() + " differs by " + std::to_string(gap) + "y " + std::to_string(adj);
    }
    if (adj > best) {
      best = adj;
      best_why = w;
    }
  }
  why = best_why;
  return best;
}

int CountryAdjustment(const std::string& code, const Entity& e, std::string& why) {
  if (code.empty()) return 0;
  auto has = [&](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), code) != v.end();
  };
  if (has(e.nationalities) || has(e.countries)) {
    why = "country " + code + " matches +20";
    return 20;
  }
  if (!e.nationalities.empty()) {
    why = "nationality " + code + " not listed -60";
    return -60;
  }
  return 0;
}

}  // namespace

std::shared_ptr<const Index> Index::Build(std::vector<Entity> entities,
                                          const Normalizer& normalizer) {
  std::shared_ptr<Index> ix(new Index(normalizer));
  ix->entities_ = std::move(entities);
  ix->hashes_.reserve(ix->entities_.size());
  std::vector<std::pair<uint64_t, uint32_t>> pairs;
  std::vector<TokenKey> keys;
  for (uint32_t e = 0; e < ix->entities_.size(); ++e) {
    const Entity& ent = ix->entities_[e];
    ix->hashes_.push_back(ent.ContentHash());
    for (const auto& id : ent.identifiers) {
      std::string n = NormalizeIdentifier(id.number);
      if (n.size() >= 4) ix->identifiers_[n].push_back(e);
    }
    for (uint32_t pos = 0; pos < ent.names.size(); ++pos) {
      const EntityName& n = ent.names[pos];
      NormalizedName norm = ix->normalizer_.Normalize(n.full);
      if (norm.empty()) continue;
      uint32_t id = static_cast<uint32_t>(ix->names_.size());
      keys.clear();
      for (const auto& t : norm.tokens) KeysOf(t, keys);
      std::sort(keys.begin(), keys.end(),
                [](const TokenKey& a, const TokenKey& b) { return a.key < b.key; });
      for (size_t k = 0; k < keys.size(); ++k) {
        if (k > 0 && keys[k].key == keys[k - 1].key) continue;
        pairs.emplace_back(keys[k].key, id);
      }
      ix->names_.push_back({e, pos, n.strength, std::move(norm)});
    }
  }
  std::sort(pairs.begin(), pairs.end());
  ix->postings_.reserve(pairs.size());
  ix->offsets_.reserve(pairs.size() / 4 + 2);
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i == 0 || pairs[i].first != pairs[i - 1].first) {
      ix->slots_.emplace(pairs[i].first, static_cast<uint32_t>(ix->offsets_.size()));
      ix->offsets_.push_back(static_cast<uint32_t>(ix->postings_.size()));
    }
    ix->postings_.push_back(pairs[i].second);
  }
  ix->offsets_.push_back(static_cast<uint32_t>(ix->postings_.size()));
  return ix;
}

std::vector<Index::Candidate> Index::Candidates(const NormalizedName& q, size_t count) const {
  Scratch& s = ThreadScratch();
  s.Fit(names_.size());
  s.touched.clear();
  const uint32_t qgen = ++s.gen;
  const double n_names = static_cast<double>(std::max<size_t>(1, names_.size()));
  // Trigram lists longer than this say little and cost much: skipped.
  const size_t gram_cap = std::max<size_t>(2000, names_.size() / 50);
  std::vector<TokenKey> keys;
  for (const auto& t : q.tokens) {
    keys.clear();
    KeysOf(t, keys);
    const uint32_t tgen = ++s.gen;
    s.tok_touched.clear();
    size_t grams = 0;
    for (const auto& k : keys) grams += k.gram ? 1 : 0;
    // Trigrams find misspelt words: a word the index holds as written needs none.
    const bool known_word = slots_.contains(keys.front().key);
    for (const auto& k : keys) {
      if (k.gram && known_word) continue;
      auto it = slots_.find(k.key);
      if (it == slots_.end()) continue;
      uint32_t b = offsets_[it->second], e = offsets_[it->second + 1];
      size_t df = e - b;
      if (k.gram && df > gram_cap) continue;
      float idf = static_cast<float>(std::log(1.0 + n_names / static_cast<double>(df)));
      // A trigram contributes its share of the token: all grams together weigh 0.9.
      float credit = (k.gram ? 0.9f / static_cast<float>(grams) : k.weight) * idf;
      for (uint32_t p = b; p < e; ++p) {
        uint32_t n = postings_[p];
        if (s.tok_stamp[n] != tgen) {
          s.tok_stamp[n] = tgen;
          s.tok_best[n] = 0;
          s.tok_touched.push_back(n);
        }
        if (k.gram) {
          s.tok_best[n] += credit;  // grams add up towards the token's credit
        } else {
          s.tok_best[n] = std::max(s.tok_best[n], credit);
        }
      }
    }
    const float tw = static_cast<float>(t.weight) / 1000.0f;
    for (uint32_t n : s.tok_touched) {
      if (s.stamp[n] != qgen) {
        s.stamp[n] = qgen;
        s.acc[n] = 0;
        s.cover[n] = 0;
        s.touched.push_back(n);
      }
      s.acc[n] += s.tok_best[n] * tw;
      ++s.cover[n];
    }
  }
  // Rank by rarity of what was hit, and prefer names the query covers: of two names both
  // hit by "Mohammed" and "Ali", the two-word name is the likelier match.
  std::vector<Candidate> out;
  out.reserve(s.touched.size());
  for (uint32_t n : s.touched) {
    float cover = std::min(
        1.0f, static_cast<float>(s.cover[n]) / static_cast<float>(names_[n].norm.tokens.size()));
    out.push_back({n, s.acc[n] * (0.6f + 0.4f * cover)});
  }
  auto better = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.name < b.name;
  };
  if (out.size() > count) {
    std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(count), out.end(),
                     better);
    out.resize(count);
  }
  std::sort(out.begin(), out.end(), better);
  return out;
}

std::vector<Hit> Index::Screen(const Subject& subject, const ScreenOptions& options) const {
  struct Best {
    int name_score = -1;
    uint32_t name = 0;
    size_t query_name = 0;
    NameMatch match;
    bool id_match = false;
    std::string id_number;
  };
  std::map<uint32_t, Best> best;
  std::vector<NormalizedName> qnames;
  for (const auto& n : subject.names) qnames.push_back(normalizer_.Normalize(n));
  auto schema_ok = [&](const Entity& e) {
    if (subject.schema == Schema::kUnknown || e.schema == Schema::kUnknown) return true;
    bool sp = subject.schema == Schema::kPerson, ep = e.schema == Schema::kPerson;
    return sp == ep;
  };
  std::vector<Candidate> every;
  if (options.exhaustive) {
    every.reserve(names_.size());
    for (uint32_t i = 0; i < names_.size(); ++i) every.push_back({i, 0.0f});
  }
  for (size_t qi = 0; qi < qnames.size(); ++qi) {
    if (qnames[qi].empty()) continue;
    for (const auto& c : options.exhaustive ? every : Candidates(qnames[qi], options.candidates)) {
      const IndexedName& in = names_[c.name];
      if (!schema_ok(entities_[in.entity])) continue;
      NameMatch m = MatchNames(qnames[qi], in.norm);
      int s = m.score;
      if (in.strength == NameStrength::kWeak) s = s * 9 / 10;
      Best& b = best[in.entity];
      if (s > b.name_score) {
        b.name_score = s;
        b.name = c.name;
        b.query_name = qi;
        b.match = std::move(m);
      }
    }
  }
  for (const auto& raw : subject.identifiers) {
    std::string n = NormalizeIdentifier(raw);
    auto it = identifiers_.find(n);
    if (it == identifiers_.end()) continue;
    for (uint32_t e : it->second) {
      Best& b = best[e];
      b.id_match = true;
      b.id_number = n;
      if (b.name_score < 0) {
        // No name candidate: align the subject's first name with the entry's names.
        for (uint32_t ni = 0; ni < names_.size(); ++ni) {
          if (names_[ni].entity != e || qnames.empty()) continue;
          NameMatch m = MatchNames(qnames[0], names_[ni].norm);
          if (m.score > b.name_score) {
            b.name_score = m.score;
            b.name = ni;
            b.match = std::move(m);
          }
        }
        b.name_score = std::max(b.name_score, 0);
      }
    }
  }
  const std::string country = CountryCode(subject.country);
  std::vector<Hit> hits;
  for (auto& [e, b] : best) {
    const Entity& ent = entities_[e];
    Hit h;
    h.list = ent.list;
    h.entry = ent.id;
    h.content_hash = hashes_[e];
    h.name_score = b.name_score;
    int score = b.name_score;
    const IndexedName& in = names_[b.name];
    h.strength = in.strength;
    h.name = ent.names[in.name_pos].full;
    h.query_name = b.query_name < subject.names.size() ? subject.names[b.query_name] : "";
    std::string why;
    if (subject.dob) {
      int adj = DobAdjustment(*subject.dob, ent.birth_dates, why);
      if (adj != 0 || !why.empty()) {
        score += adj;
        h.adjustments.push_back(why);
      }
    }
    why.clear();
    int cadj = CountryAdjustment(country, ent, why);
    if (!why.empty()) {
      score += cadj;
      h.adjustments.push_back(why);
    }
    if (b.id_match) {
      score = std::max(score, 950);
      h.adjustments.push_back("identifier " + b.id_number + " matches (>= 950)");
    }
    h.score = std::clamp(score, 0, 1000);
    if (h.score < options.min_score) continue;
    h.aligned = b.match.aligned;
    h.explanation = "\"" + h.query_name + "\" ~ \"" + h.name + "\" (" +
                    std::string(StrengthName(h.strength)) + " name): " + b.match.Explain() +
                    "; name score " + std::to_string(h.name_score);
    if (h.strength == NameStrength::kWeak) h.explanation += " (weak alias x0.9)";
    for (const auto& a : h.adjustments) h.explanation += "; " + a;
    h.explanation += "; score " + std::to_string(h.score);
    hits.push_back(std::move(h));
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.list != b.list) return a.list < b.list;
    return a.entry < b.entry;
  });
  if (hits.size() > options.limit) hits.resize(options.limit);
  return hits;
}

std::vector<uint32_t> Index::TopCandidates(std::string_view name, size_t k,
                                           size_t candidates) const {
  NormalizedName q = normalizer_.Normalize(name);
  std::map<uint32_t, int> best;
  for (const auto& c : Candidates(q, candidates)) {
    int s = MatchNames(q, names_[c.name].norm).score;
    auto [it, fresh] = best.emplace(names_[c.name].entity, s);
    if (!fresh) it->second = std::max(it->second, s);
  }
  std::vector<std::pair<int, uint32_t>> v;
  for (const auto& [e, s] : best) v.emplace_back(-s, e);
  std::sort(v.begin(), v.end());
  std::vector<uint32_t> out;
  for (size_t i = 0; i < v.size() && i < k; ++i) out.push_back(v[i].second);
  return out;
}

std::vector<std::vector<Hit>> ScreenBatch(const Index& index, const std::vector<Subject>& subjects,
                                          const ScreenOptions& options, size_t threads) {
  std::vector<std::vector<Hit>> out(subjects.size());
  ParallelFor(subjects.size(), threads,
              [&](size_t i) { out[i] = index.Screen(subjects[i], options); });
  return out;
}

std::vector<ReverseHit> ReverseScreen(const std::vector<Entity>& changed,
                                      const std::vector<Subject>& subjects,
                                      const ScreenOptions& options, const Normalizer& normalizer,
                                      size_t threads) {
  std::vector<ReverseHit> out;
  if (changed.empty() || subjects.empty()) return out;
  auto ix = Index::Build(changed, normalizer);
  auto all = ScreenBatch(*ix, subjects, options, threads);
  for (size_t i = 0; i < all.size(); ++i) {
    for (auto& h : all[i]) out.push_back({i, std::move(h)});
  }
  return out;
}

}  // namespace aidtrace::screening
