#include "screening/index.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/parallel.h"

namespace aidtrace::screening {

namespace {

enum KeyType : uint32_t {
  kText = 1,      // a word as written
  kGroup = 2,     // an equivalence group
  kSkeleton = 3,  // a phonetic skeleton
  kGram = 4,      // a character trigram of a word
  kDeletion = 5,  // a word, or the word with one or two letters deleted
  kJoinText = 6,  // words written together (adjacent words, particles + word)
  kJoinDel = 7,   // adjacent words written together, or that with one letter deleted
  kAcronym = 8,   // initials of 3-5 adjacent words
};

// FNV-1a over (type, bytes): 64-bit keys, so distinct keys practically never collide.
uint64_t KeyOf(KeyType type, std::string_view s) {
  uint64_t h = 1469598103934665603ull ^ type;
  h *= 1099511628211ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h == 0 ? 1 : h;  // 0 marks a free cell of the lookup table
}
uint64_t GroupKey(uint32_t g) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>((g >> (8 * i)) & 0xFF);
  return KeyOf(kGroup, std::string_view(buf, 4));
}

// Calls f(variant) for `s` and every string made from it by deleting up to `d` (<= 2)
// letters (some variants more than once). Two words within Levenshtein distance d share
// a variant of each other's up-to-d deletions (the symmetric deletion neighbourhood).
template <class F>
void ForDeletions(std::string_view s, int d, std::string& b1, std::string& b2, F&& f) {
  f(s);
  if (d <= 0 || s.size() < 2) return;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && s[i] == s[i - 1]) continue;  // same variant as deleting i - 1
    b1.assign(s.substr(0, i));
    b1.append(s.substr(i + 1));
    f(std::string_view(b1));
    if (d < 2 || b1.size() < 2) continue;
    for (size_t j = i; j < b1.size(); ++j) {  // pairs of positions, each pair once
      if (j > i && b1[j] == b1[j - 1]) continue;
      b2.assign(std::string_view(b1).substr(0, j));
      b2.append(std::string_view(b1).substr(j + 1));
      f(std::string_view(b2));
    }
  }
}

// Letters a word may be deleted for its deletion keys: FuzzyText's edit budget, at most 2.
int DeletionDepth(size_t len) { return std::min(2, EditBudgetFor(len)); }

bool Acronymable(const Token& t) {
  return t.kind != TokenKind::kLegal && t.kind != TokenKind::kNumber && !t.text.empty();
}

struct Source {
  uint32_t vocab;
  uint16_t sim;    // permille: what MatchNames gives the query word against this entry
  uint16_t extra;  // list weight the entry stands for beyond the one word it aligns with
};

struct Scratch {
  // Per name: the query word's best similarity (tok_*), the whole query's sums (the rest).
  std::vector<float> acc, num, tok_credit;
  std::vector<uint32_t> stamp, tok_stamp;
  std::vector<uint32_t> mw, extra;
  std::vector<uint16_t> tok_sim, tok_extra;
  std::vector<uint8_t> named;  // query name words that reached the name
  std::vector<uint32_t> touched, tok_touched;
  // Per vocabulary entry: seen for this query word; shared trigrams.
  std::vector<uint32_t> vstamp;
  std::vector<uint8_t> vgrams;
  std::vector<uint32_t> vgram_touched;
  std::vector<std::vector<Source>> sources;  // per query word
  std::string b1, b2, joined;
  uint32_t gen = 0, vgen = 0;
  // Per entity: the best name of this query (Screen).
  std::vector<uint32_t> ent_stamp, ent_slot;
  uint32_t egen = 0;
  void Fit(size_t n, size_t v, size_t e) {
    if (acc.size() < n) {
      acc.resize(n);
      num.resize(n);
      tok_credit.resize(n);
      stamp.resize(n, 0);
      tok_stamp.resize(n, 0);
      mw.resize(n);
      extra.resize(n);
      tok_sim.resize(n);
      tok_extra.resize(n);
      named.resize(n);
    }
    if (vstamp.size() < v) {
      vstamp.resize(v, 0);
      vgrams.resize(v, 0);
    }
    if (ent_stamp.size() < e) {
      ent_stamp.resize(e, 0);
      ent_slot.resize(e, 0);
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
  ix->entity_names_.reserve(ix->entities_.size() + 1);
  // Vocabulary entries by form and text, and (vocab, name) pairs for the postings.
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<std::pair<uint32_t, uint32_t>> vn;
  auto entry = [&](Form form, const Token& t, std::string text, uint8_t span) {
    std::string k(1, static_cast<char>('0' + static_cast<int>(form)));
    k += text;
    auto [it, fresh] = ids.emplace(std::move(k), static_cast<uint32_t>(ix->vocab_.size()));
    if (fresh) {
      Token rep;
      rep.text = std::move(text);
      if (form == Form::kWord) {
        rep.skeleton = t.skeleton;
        rep.groups = t.groups;
        rep.kind = t.kind;
        rep.weight = t.weight;
        rep.known = t.known;
      }
      ix->vocab_.push_back({std::move(rep), form, span});
    }
    return it->second;
  };
  for (uint32_t e = 0; e < ix->entities_.size(); ++e) {
    const Entity& ent = ix->entities_[e];
    ix->hashes_.push_back(ent.ContentHash());
    ix->entity_names_.push_back(static_cast<uint32_t>(ix->names_.size()));
    for (const auto& id : ent.identifiers) {
      std::string n = NormalizeIdentifier(id.number);
      if (n.size() >= 4) ix->identifiers_[n].push_back(e);
    }
    for (uint32_t pos = 0; pos < ent.names.size(); ++pos) {
      const EntityName& n = ent.names[pos];
      NormalizedName norm = ix->normalizer_.Normalize(n.full);
      if (norm.empty()) continue;
      const uint32_t id = static_cast<uint32_t>(ix->names_.size());
      const auto& tk = norm.tokens;
      uint32_t weight = 0;
      uint16_t words = 0;
      const bool organisation = SpellsOutOrganisation(tk);
      for (size_t i = 0; i < tk.size(); ++i) {
        const Token& t = tk[i];
        weight += t.weight;
        words += t.kind == TokenKind::kName ? 1 : 0;
        vn.emplace_back(entry(Form::kWord, t, t.text, 1), id);
        if (!t.particles.empty()) {
          vn.emplace_back(entry(Form::kParticles, t, t.particles + t.text, 1), id);
        }
        if (i + 1 < tk.size()) {
          vn.emplace_back(entry(Form::kJoined, t, t.text + tk[i + 1].text, 2), id);
        }
        for (size_t len = 3; len <= 5 && i + len <= tk.size() && organisation; ++len) {
          std::string initials;
          bool ok = true;
          for (size_t k = i; k < i + len && ok; ++k) {
            ok = Acronymable(tk[k]);
            if (ok) initials.push_back(tk[k].text[0]);
          }
          if (!ok) break;
          vn.emplace_back(entry(Form::kAcronym, t, std::move(initials), static_cast<uint8_t>(len)),
                          id);
        }
      }
      ix->names_.push_back({e, pos, n.strength, words, weight, std::move(norm)});
    }
  }
  ix->entity_names_.push_back(static_cast<uint32_t>(ix->names_.size()));
  ids = {};
  std::sort(vn.begin(), vn.end());
  vn.erase(std::unique(vn.begin(), vn.end()), vn.end());
  ix->vocab_offsets_.assign(ix->vocab_.size() + 1, 0);
  for (const auto& [v, n] : vn) ++ix->vocab_offsets_[v + 1];
  for (size_t v = 0; v < ix->vocab_.size(); ++v) {
    ix->vocab_offsets_[v + 1] += ix->vocab_offsets_[v];
  }
  ix->vocab_postings_.reserve(vn.size());
  for (const auto& [v, n] : vn) ix->vocab_postings_.push_back(n);
  vn = {};
  // Lookup keys of the vocabulary.
  std::vector<std::pair<uint64_t, uint32_t>> kv;
  std::string b1, b2;
  for (uint32_t v = 0; v < ix->vocab_.size(); ++v) {
    const VocabEntry& ve = ix->vocab_[v];
    const Token& t = ve.token;
    switch (ve.form) {
      case Form::kWord:
        kv.emplace_back(KeyOf(kText, t.text), v);
        for (uint32_t g : t.groups) kv.emplace_back(GroupKey(g), v);
        if (t.kind == TokenKind::kName) {
          if (t.skeleton.size() >= 3) kv.emplace_back(KeyOf(kSkeleton, t.skeleton), v);
          ForDeletions(t.text, DeletionDepth(t.text.size()), b1, b2,
                       [&](std::string_view d) { kv.emplace_back(KeyOf(kDeletion, d), v); });
          for (size_t i = 0; t.text.size() >= 4 && i + 3 <= t.text.size(); ++i) {
            kv.emplace_back(KeyOf(kGram, std::string_view(t.text).substr(i, 3)), v);
          }
        }
        break;
      case Form::kJoined:
        kv.emplace_back(KeyOf(kJoinText, t.text), v);
        ForDeletions(t.text, std::min(1, EditBudgetFor(t.text.size())), b1, b2,
                     [&](std::string_view d) { kv.emplace_back(KeyOf(kJoinDel, d), v); });
        break;
      case Form::kParticles:
        kv.emplace_back(KeyOf(kJoinText, t.text), v);
        break;
      case Form::kAcronym:
        kv.emplace_back(KeyOf(kAcronym, t.text), v);
        break;
    }
  }
  std::sort(kv.begin(), kv.end());
  kv.erase(std::unique(kv.begin(), kv.end()), kv.end());
  ix->key_vocab_.reserve(kv.size());
  size_t distinct = 0;
  for (size_t i = 0; i < kv.size(); ++i) distinct += i == 0 || kv[i].first != kv[i - 1].first;
  int bits = 4;
  while ((size_t{1} << bits) < 2 * distinct) ++bits;  // load factor <= 1/2
  ix->table_shift_ = 64 - bits;
  ix->table_keys_.assign(size_t{1} << bits, 0);
  ix->table_slots_.assign(size_t{1} << bits, 0);
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  for (size_t i = 0; i < kv.size(); ++i) {
    if (i == 0 || kv[i].first != kv[i - 1].first) {
      uint64_t cell = (kv[i].first * 0x9E3779B97F4A7C15ull) >> ix->table_shift_;
      while (ix->table_keys_[cell] != 0) cell = (cell + 1) & mask;
      ix->table_keys_[cell] = kv[i].first;
      ix->table_slots_[cell] = static_cast<uint32_t>(ix->offsets_.size());
      ix->offsets_.push_back(static_cast<uint32_t>(ix->key_vocab_.size()));
    }
    ix->key_vocab_.push_back(kv[i].second);
  }
  ix->offsets_.push_back(static_cast<uint32_t>(ix->key_vocab_.size()));
  return ix;
}

std::vector<Index::Candidate> Index::Candidates(const NormalizedName& q, size_t count, float floor,
                                                size_t cap) const {
  Scratch& s = ThreadScratch();
  s.Fit(names_.size(), vocab_.size(), entities_.size());
  s.touched.clear();
  const auto& qt = q.tokens;
  if (s.sources.size() < qt.size()) s.sources.resize(qt.size());
  for (size_t i = 0; i < qt.size(); ++i) s.sources[i].clear();
  auto each = [&](uint64_t key, auto&& f) {
    const int64_t slot = FindSlot(key);
    if (slot < 0) return;
    const auto sl = static_cast<size_t>(slot);
    for (uint32_t p = offsets_[sl]; p < offsets_[sl + 1]; ++p) f(key_vocab_[p]);
  };
  auto fresh = [&](uint32_t v) {
    if (s.vstamp[v] == s.vgen) return false;
    s.vstamp[v] = s.vgen;
    return true;
  };

  // 1. What each query word may align with: vocabulary entries and their similarity.
  for (size_t i = 0; i < qt.size(); ++i) {
    const Token& t = qt[i];
    auto& src = s.sources[i];
    ++s.vgen;
    auto word = [&](uint32_t v) {
      if (vocab_[v].form != Form::kWord || !fresh(v)) return;
      int sim = TokenSimilarity(t, vocab_[v].token, nullptr);
      if (sim > 0) src.push_back({v, static_cast<uint16_t>(sim), 0});
    };
    each(KeyOf(kText, t.text), word);
    for (uint32_t g : t.groups) each(GroupKey(g), word);
    const bool name = t.kind == TokenKind::kName;
    if (name && t.skeleton.size() >= 3 && t.text.size() >= 4) {
      each(KeyOf(kSkeleton, t.skeleton), word);
    }
    if (name && EditBudgetFor(t.text.size()) > 0) {
      ForDeletions(t.text, DeletionDepth(t.text.size()), s.b1, s.b2,
                   [&](std::string_view d) { each(KeyOf(kDeletion, d), word); });
    }
    // A word the index does not hold as written: words sharing two of its trigrams too
    // (misspellings beyond the deletion variants).
    if (name && t.text.size() >= 4 && FindSlot(KeyOf(kText, t.text)) < 0) {
      s.vgram_touched.clear();
      for (size_t g = 0; g + 3 <= t.text.size(); ++g) {
        each(KeyOf(kGram, std::string_view(t.text).substr(g, 3)), [&](uint32_t v) {
          if (s.vgrams[v] == 0) s.vgram_touched.push_back(v);
          if (s.vgrams[v] < 255) ++s.vgrams[v];
        });
      }
      for (uint32_t v : s.vgram_touched) {
        if (s.vgrams[v] >= 2) word(v);
        s.vgrams[v] = 0;
      }
    }
    // The query word with its particles joined, as a list word ("van der Bilt" ~
    // "Vanderbilt").
    if (!t.particles.empty()) {
      s.joined = t.particles + t.text;
      each(KeyOf(kText, s.joined), [&](uint32_t v) {
        if (vocab_[v].form == Form::kWord && fresh(v)) src.push_back({v, 980, 0});
      });
    }
    // List words written together, or with their particles, that this word spells.
    each(KeyOf(kJoinText, t.text), [&](uint32_t v) {
      if (vocab_[v].form == Form::kParticles && fresh(v)) src.push_back({v, 980, 0});
    });
    if (name && t.text.size() >= 5) {
      auto joined = [&](uint32_t v) {
        if (vocab_[v].form != Form::kJoined || !fresh(v)) return;
        const std::string& x = vocab_[v].token.text;
        int sim = x == t.text ? 1000 : FuzzyText(x, t.text);
        if (sim >= 850) src.push_back({v, static_cast<uint16_t>(sim), 1000});
      };
      each(KeyOf(kJoinText, t.text), joined);
      ForDeletions(t.text, DeletionDepth(t.text.size()), s.b1, s.b2,
                   [&](std::string_view d) { each(KeyOf(kJoinDel, d), joined); });
    }
    // The initials of adjacent list words.
    if (name && t.text.size() >= 3 && t.text.size() <= 5) {
      each(KeyOf(kAcronym, t.text), [&](uint32_t v) {
        if (fresh(v)) {
          src.push_back({v, 850, static_cast<uint16_t>(1000 * (vocab_[v].span - 1))});
        }
      });
    }
  }
  // Adjacent query words written together as one list word ("Ahmad Iman" ~ "Ahmadian").
  for (size_t i = 0; i + 1 < qt.size(); ++i) {
    s.joined = qt[i].text;
    for (size_t k = i + 1; k < qt.size() && k < i + 3; ++k) {
      s.joined += qt[k].text;
      if (s.joined.size() < 5) continue;
      ++s.vgen;
      auto word = [&](uint32_t v) {
        const Token& x = vocab_[v].token;
        if (vocab_[v].form != Form::kWord || x.kind != TokenKind::kName || x.text.size() < 5 ||
            !fresh(v)) {
          return;
        }
        int sim = x.text == s.joined ? 1000 : FuzzyText(s.joined, x.text);
        if (sim < 850) return;
        for (size_t z = i; z <= k; ++z) s.sources[z].push_back({v, static_cast<uint16_t>(sim), 0});
      };
      const std::string joined = s.joined;
      // Two words: within 2 edits (index side up to 2 too); three: within 1.
      ForDeletions(joined, std::min(k == i + 1 ? 2 : 1, EditBudgetFor(joined.size())), s.b1, s.b2,
                   [&](std::string_view d) { each(KeyOf(kDeletion, d), word); });
    }
  }
  // Adjacent query words whose initials are a list word ("Pak To Chun" ~ "PTC").
  for (size_t i = 0; i < qt.size() && SpellsOutOrganisation(qt); ++i) {
    std::string initials;
    for (size_t len = 1; len <= 5 && i + len <= qt.size(); ++len) {
      if (!Acronymable(qt[i + len - 1])) break;
      initials.push_back(qt[i + len - 1].text[0]);
      if (len < 3) continue;
      each(KeyOf(kText, initials), [&](uint32_t v) {
        if (vocab_[v].form != Form::kWord || vocab_[v].token.kind != TokenKind::kName) return;
        for (size_t z = i; z < i + len; ++z) s.sources[z].push_back({v, 850, 0});
      });
    }
  }

  // 2. Per name: the best similarity of each query word, summed into an estimate of the
  // name score (the MatchNames formula with the matched list weight taken as equal to
  // the query's) and a rarity rank (IDF of the entries hit).
  const uint32_t qgen = ++s.gen;
  const double n_names = static_cast<double>(std::max<size_t>(1, names_.size()));
  uint32_t q_weight = 0, q_words = 0;
  for (const auto& t : qt) {
    q_weight += t.weight;
    q_words += t.kind == TokenKind::kName ? 1 : 0;
  }
  for (size_t i = 0; i < qt.size(); ++i) {
    const Token& t = qt[i];
    const uint32_t tgen = ++s.gen;
    s.tok_touched.clear();
    for (const Source& src : s.sources[i]) {
      const uint32_t b = vocab_offsets_[src.vocab], e = vocab_offsets_[src.vocab + 1];
      if (b == e) continue;
      const float idf = static_cast<float>(std::log(1.0 + n_names / static_cast<double>(e - b)));
      const float credit = idf * static_cast<float>(src.sim) / 1000.0f;
      for (uint32_t p = b; p < e; ++p) {
        const uint32_t n = vocab_postings_[p];
        if (s.tok_stamp[n] != tgen) {
          s.tok_stamp[n] = tgen;
          s.tok_sim[n] = 0;
          s.tok_extra[n] = 0;
          s.tok_credit[n] = 0;
          s.tok_touched.push_back(n);
        }
        s.tok_sim[n] = std::max(s.tok_sim[n], src.sim);
        s.tok_extra[n] = std::max(s.tok_extra[n], src.extra);
        s.tok_credit[n] = std::max(s.tok_credit[n], credit);
      }
    }
    const float tw = static_cast<float>(t.weight) / 1000.0f;
    const bool counts = t.kind == TokenKind::kName || t.kind == TokenKind::kNumber;
    for (uint32_t n : s.tok_touched) {
      if (s.stamp[n] != qgen) {
        s.stamp[n] = qgen;
        s.acc[n] = 0;
        s.num[n] = 0;
        s.mw[n] = 0;
        s.extra[n] = 0;
        s.named[n] = 0;
        s.touched.push_back(n);
      }
      s.acc[n] += s.tok_credit[n] * tw;
      s.num[n] += static_cast<float>(t.weight) * static_cast<float>(s.tok_sim[n]) / 1000.0f;
      s.mw[n] += t.weight;
      s.extra[n] += s.tok_extra[n];
      if (counts && s.named[n] < 255) ++s.named[n];
    }
  }
  std::vector<Candidate> out;
  out.reserve(s.touched.size());
  size_t above = 0;
  for (uint32_t n : s.touched) {
    const IndexedName& in = names_[n];
    const float mw = static_cast<float>(s.mw[n]);
    const float uq = static_cast<float>(q_weight) - mw;
    const float ul =
        std::max(0.0f, static_cast<float>(in.weight) - mw - static_cast<float>(s.extra[n]));
    const float den = 2 * mw + 3.5f * std::min(uq, ul) + 0.35f * std::abs(uq - ul);
    float est = den > 0 ? 1000.0f * 2 * s.num[n] / den : 0.0f;
    if (s.named[n] == 0) est = std::min(est, 400.0f);
    if (s.named[n] == 1 && (q_words > 1 || in.words > 1)) est = std::min(est, 690.0f);
    if (in.strength == NameStrength::kWeak) est *= 0.9f;
    above += est >= floor ? 1 : 0;
    out.push_back({n, est, s.acc[n]});
  }
  auto better = [](const Candidate& a, const Candidate& b) {
    if (a.estimate != b.estimate) return a.estimate > b.estimate;
    if (a.rank != b.rank) return a.rank > b.rank;
    return a.name < b.name;
  };
  const size_t keep = std::min(cap, std::max(count, above));
  if (out.size() > keep) {
    std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(),
                     better);
    out.resize(keep);
  }
  std::sort(out.begin(), out.end(), better);
  return out;
}

std::vector<Hit> Index::Screen(const Subject& subject, const ScreenOptions& options) const {
  struct Best {
    uint32_t entity = 0;
    int name_score = -1;
    uint32_t name = 0;
    size_t query_name = 0;
    bool matched = false;  // name/query_name hold the best alignment
    bool id_match = false;
    std::string id_number;
  };
  std::vector<Best> best;
  Scratch& scratch = ThreadScratch();
  scratch.Fit(names_.size(), vocab_.size(), entities_.size());
  const uint32_t egen = ++scratch.egen;
  auto best_of = [&](uint32_t e) -> Best& {
    if (scratch.ent_stamp[e] != egen) {
      scratch.ent_stamp[e] = egen;
      scratch.ent_slot[e] = static_cast<uint32_t>(best.size());
      best.push_back({});
      best.back().entity = e;
    }
    return best[scratch.ent_slot[e]];
  };
  std::vector<NormalizedName> qnames;
  qnames.reserve(subject.names.size());
  for (const auto& n : subject.names) qnames.push_back(normalizer_.Normalize(n));
  auto schema_ok = [&](const Entity& e) {
    if (subject.schema == Schema::kUnknown || e.schema == Schema::kUnknown) return true;
    bool sp = subject.schema == Schema::kPerson, ep = e.schema == Schema::kPerson;
    return sp == ep;
  };
  // A name can only become a hit if its estimate, plus what the birth date and country
  // can add, reaches min_score (a margin for the estimate's approximations). Below 500
  // (a low min_score asks for a ranking, not for every weak resemblance) only the best
  // `candidates` are scored.
  const float floor = static_cast<float>(std::max(
      500, options.min_score - (subject.dob ? 50 : 0) - (subject.country.empty() ? 0 : 20) - 30));
  std::vector<Candidate> every;
  if (options.exhaustive) {
    every.reserve(names_.size());
    for (uint32_t i = 0; i < names_.size(); ++i) every.push_back({i, 0.0f, 0.0f});
  }
  for (size_t qi = 0; qi < qnames.size(); ++qi) {
    if (qnames[qi].empty()) continue;
    const auto cands = options.exhaustive
                           ? every
                           : Candidates(qnames[qi], options.candidates, floor,
                                        std::max(options.candidates, options.max_candidates));
    for (const auto& c : cands) {
      const IndexedName& in = names_[c.name];
      if (!schema_ok(entities_[in.entity])) continue;
      int s = MatchScore(qnames[qi], in.norm);
      if (in.strength == NameStrength::kWeak) s = s * 9 / 10;
      Best& b = best_of(in.entity);
      if (s > b.name_score) {
        b.name_score = s;
        b.name = c.name;
        b.query_name = qi;
        b.matched = true;
      }
    }
  }
  for (const auto& raw : subject.identifiers) {
    std::string n = NormalizeIdentifier(raw);
    auto it = identifiers_.find(n);
    if (it == identifiers_.end()) continue;
    for (uint32_t e : it->second) {
      Best& b = best_of(e);
      b.id_match = true;
      b.id_number = n;
      if (b.name_score < 0) {
        // No name candidate: align the subject's first name with the entry's names.
        for (uint32_t ni = entity_names_[e]; ni < entity_names_[e + 1] && !qnames.empty(); ++ni) {
          int m = MatchScore(qnames[0], names_[ni].norm);
          if (m > b.name_score) {
            b.name_score = m;
            b.name = ni;
            b.query_name = 0;
            b.matched = true;
          }
        }
        b.name_score = std::max(b.name_score, 0);
      }
    }
  }
  const std::string country = CountryCode(subject.country);
  std::vector<Hit> hits;
  for (auto& b : best) {
    const Entity& ent = entities_[b.entity];
    int score = b.name_score;
    std::vector<std::string> adjustments;
    std::string why;
    if (subject.dob) {
      int adj = DobAdjustment(*subject.dob, ent.birth_dates, why);
      if (adj != 0 || !why.empty()) {
        score += adj;
        adjustments.push_back(why);
      }
    }
    why.clear();
    int cadj = CountryAdjustment(country, ent, why);
    if (!why.empty()) {
      score += cadj;
      adjustments.push_back(why);
    }
    if (b.id_match) {
      score = std::max(score, 950);
      adjustments.push_back("identifier " + b.id_number + " matches (>= 950)");
    }
    score = std::clamp(score, 0, 1000);
    if (score < options.min_score) continue;
    Hit h;
    h.list = ent.list;
    h.entry = ent.id;
    h.content_hash = hashes_[b.entity];
    h.name_score = b.name_score;
    h.score = score;
    h.adjustments = std::move(adjustments);
    const IndexedName& in = names_[b.name];
    h.strength = in.strength;
    h.name = ent.names[in.name_pos].full;
    h.query_name = b.query_name < subject.names.size() ? subject.names[b.query_name] : "";
    NameMatch m;
    if (b.matched) m = MatchNames(qnames[b.query_name], in.norm);
    h.aligned = m.aligned;
    h.explanation = "\"" + h.query_name + "\" ~ \"" + h.name + "\" (" +
                    std::string(StrengthName(h.strength)) + " name): " + m.Explain() +
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
  for (const auto& c : Candidates(q, candidates, 2000.0f, candidates)) {
    int s = MatchScore(q, names_[c.name].norm);
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
