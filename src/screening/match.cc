#include "screening/match.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace aidtrace::screening {

std::string_view MatchHowName(MatchHow h) {
  switch (h) {
    case MatchHow::kExact:
      return "exact";
    case MatchHow::kEquivalent:
      return "equivalent";
    case MatchHow::kFuzzy:
      return "fuzzy";
    case MatchHow::kPhonetic:
      return "phonetic";
    case MatchHow::kInitial:
      return "initial";
    case MatchHow::kJoined:
      return "joined";
  }
  return "fuzzy";
}

std::string NameMatch::Explain() const {
  std::string out;
  for (const auto& a : aligned) {
    if (!out.empty()) out += "; ";
    out += a.query + "=" + a.list + " (" + std::string(MatchHowName(a.how)) + ", " +
           std::to_string(a.score) + ")";
  }
  if (!query_unmatched.empty()) {
    out += out.empty() ? "" : "; ";
    out += "query only:";
    for (const auto& t : query_unmatched) out += " " + t;
  }
  if (!list_unmatched.empty()) {
    out += out.empty() ? "" : "; ";
    out += "list only:";
    for (const auto& t : list_unmatched) out += " " + t;
  }
  return out;
}

int JaroWinkler(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a == b ? 1000 : 0;
  if (a == b) return 1000;
  const int la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
  const int window = std::max(0, std::max(la, lb) / 2 - 1);
  std::array<bool, 64> ma{}, mb{};
  if (la > 64 || lb > 64) {
    // Long strings: compare their first 64 bytes (names never get there in practice).
    return JaroWinkler(a.substr(0, 64), b.substr(0, 64));
  }
  int matches = 0;
  for (int i = 0; i < la; ++i) {
    int lo = std::max(0, i - window), hi = std::min(lb - 1, i + window);
    for (int j = lo; j <= hi; ++j) {
      if (!mb[static_cast<size_t>(j)] && a[static_cast<size_t>(i)] == b[static_cast<size_t>(j)]) {
        ma[static_cast<size_t>(i)] = mb[static_cast<size_t>(j)] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0;
  int t = 0, k = 0;
  for (int i = 0; i < la; ++i) {
    if (!ma[static_cast<size_t>(i)]) continue;
    while (!mb[static_cast<size_t>(k)]) ++k;
    if (a[static_cast<size_t>(i)] != b[static_cast<size_t>(k)]) ++t;
    ++k;
  }
  double m = matches;
  double jaro = (m / la + m / lb + (m - t / 2.0) / m) / 3.0;
  int prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb &&
         a[static_cast<size_t>(prefix)] == b[static_cast<size_t>(prefix)]) {
    ++prefix;
  }
  double jw = jaro + prefix * 0.1 * (1.0 - jaro);
  return static_cast<int>(std::lround(jw * 1000.0));
}

int Levenshtein(std::string_view a, std::string_view b, int max_distance) {
  const size_t la = a.size(), lb = b.size();
  if (static_cast<int>(la > lb ? la - lb : lb - la) > max_distance) return max_distance + 1;
  if (la > 64 || lb > 64) return Levenshtein(a.substr(0, 64), b.substr(0, 64), max_distance);
  if (max_distance < 0) return 0;
  // Only the diagonal band |i - j| <= max_distance can hold a distance within budget:
  // cells outside it count as max_distance + 1 (the result is the same as the full table).
  const int over = max_distance + 1;
  const size_t band = static_cast<size_t>(max_distance);
  std::array<int, 65> prev, cur;
  prev.fill(over);
  cur.fill(over);
  for (size_t j = 0; j <= std::min(lb, band); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= la; ++i) {
    const size_t lo = i > band ? i - band : 1, hi = std::min(lb, i + band);
    cur[lo - 1] = lo == 1 && i <= band ? static_cast<int>(i) : over;
    int row_min = cur[lo - 1];
    for (size_t j = lo; j <= hi; ++j) {
      int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      int v = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      cur[j] = std::min(v, over);
      row_min = std::min(row_min, cur[j]);
    }
    if (hi + 1 <= lb) cur[hi + 1] = over;
    if (row_min > max_distance) return over;
    std::swap(prev, cur);
  }
  return std::min(prev[lb], over);
}

namespace {

// Edits allowed between two tokens, by the shorter one's length.
int EditBudget(size_t len) {
  if (len <= 3) return 0;
  if (len <= 5) return 1;
  if (len <= 8) return 2;
  return 3;
}

bool SharesGroup(const Token& a, const Token& b) {
  size_t i = 0, j = 0;
  while (i < a.groups.size() && j < b.groups.size()) {
    if (a.groups[i] == b.groups[j]) return true;
    if (a.groups[i] < b.groups[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

constexpr int kAlignFloor = 800;
constexpr double kConflict = 3.5;  // a conflicting name word costs 1.75 matched ones

}  // namespace

bool SpellsOutOrganisation(const std::vector<Token>& tokens) {
  for (const auto& t : tokens) {
    if (t.kind == TokenKind::kGeneric || t.kind == TokenKind::kLegal) return true;
  }
  return false;
}

int EditBudgetFor(size_t shorter_length) { return EditBudget(shorter_length); }

int FuzzyText(std::string_view a, std::string_view b) {
  size_t shorter = std::min(a.size(), b.size());
  int budget = EditBudget(shorter);
  if (budget == 0) return 0;
  // Four letters: one letter more or less (Merz/Mertz), never one letter changed
  // (Omar/Oman, Amir/Amin are different names).
  if (shorter == 4 && a.size() == b.size()) return 0;
  int d = Levenshtein(a, b, budget);
  if (d > budget) return 0;
  int lev = 1000 - d * 1000 / static_cast<int>(std::max(a.size(), b.size()));
  return (JaroWinkler(a, b) + lev) / 2;
}

int TokenSimilarity(const Token& a, const Token& b, MatchHow* how) {
  MatchHow dummy;
  if (how == nullptr) how = &dummy;
  if (a.text == b.text) {
    *how = MatchHow::kExact;
    return 1000;
  }
  if (SharesGroup(a, b)) {
    *how = MatchHow::kEquivalent;
    return 950;
  }
  if (a.kind == TokenKind::kInitial || b.kind == TokenKind::kInitial) {
    const Token& init = a.kind == TokenKind::kInitial ? a : b;
    const Token& other = a.kind == TokenKind::kInitial ? b : a;
    if (other.kind == TokenKind::kName && other.text[0] == init.text[0]) {
      *how = MatchHow::kInitial;
      return 600;
    }
    return 0;
  }
  if (a.kind == TokenKind::kNumber || b.kind == TokenKind::kNumber) return 0;
  // A name written with its particles joined: "vanderbilt" ~ "van der" + "bilt".
  if ((!b.particles.empty() && a.text.size() > b.text.size() && a.text == b.particles + b.text) ||
      (!a.particles.empty() && b.text.size() > a.text.size() && b.text == a.particles + a.text)) {
    *how = MatchHow::kJoined;
    return 980;
  }
  int best = FuzzyText(a.text, b.text);
  *how = MatchHow::kFuzzy;
  bool known_apart = a.known && b.known;
  // Same consonant outline: only for outlines of three consonants or more and words
  // that also look alike (vowel-less outlines of short words collide too easily).
  if (!known_apart && best < 880 && a.skeleton.size() >= 3 && a.skeleton == b.skeleton &&
      std::min(a.text.size(), b.text.size()) >= 4 && JaroWinkler(a.text, b.text) >= 800) {
    best = 880;
    *how = MatchHow::kPhonetic;
  }
  if (known_apart && best < 900) return 0;  // distinct known names need a near-identity
  return best >= kAlignFloor ? best : 0;
}

namespace {

struct AlignPair {
  int sim;
  uint32_t weight;
  uint16_t i, j;
  MatchHow how;
};

// Per-thread buffers of the alignment: scoring runs for every candidate of every query,
// so it allocates nothing once the buffers have grown.
struct AlignScratch {
  std::vector<AlignPair> pairs;
  std::vector<char> qused, lused;
  std::string joined;
};
AlignScratch& ThreadAlignScratch() {
  thread_local AlignScratch s;
  return s;
}

// The alignment behind MatchNames and MatchScore. With kExplain, `out` receives the
// aligned pairs and the leftovers; without, only the score is computed (same value).
template <bool kExplain>
int Align(const NormalizedName& query, const NormalizedName& list, NameMatch* out) {
  const auto& q = query.tokens;
  const auto& l = list.tokens;
  if (q.empty() || l.empty()) return 0;
  AlignScratch& scratch = ThreadAlignScratch();
  auto& pairs = scratch.pairs;
  pairs.clear();
  for (size_t i = 0; i < q.size(); ++i) {
    for (size_t j = 0; j < l.size(); ++j) {
      MatchHow how;
      int s = TokenSimilarity(q[i], l[j], &how);
      if (s > 0) {
        pairs.push_back({s, static_cast<uint32_t>(q[i].weight) + l[j].weight,
                         static_cast<uint16_t>(i), static_cast<uint16_t>(j), how});
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const AlignPair& x, const AlignPair& y) {
    if (x.sim != y.sim) return x.sim > y.sim;
    if (x.weight != y.weight) return x.weight > y.weight;
    if (x.i != y.i) return x.i < y.i;
    return x.j < y.j;
  });
  auto& qused = scratch.qused;
  auto& lused = scratch.lused;
  qused.assign(q.size(), 0);
  lused.assign(l.size(), 0);
  double num = 0, matched_w = 0;
  int matched_names = 0;
  for (const auto& p : pairs) {
    if (qused[p.i] || lused[p.j]) continue;
    qused[p.i] = lused[p.j] = 1;
    num += static_cast<double>(p.weight) * p.sim / 1000.0;
    matched_w += p.weight;
    if (q[p.i].kind == TokenKind::kName || q[p.i].kind == TokenKind::kNumber) ++matched_names;
    if constexpr (kExplain) out->aligned.push_back({q[p.i].text, l[p.j].text, p.how, p.sim});
  }
  // Words written together on one side: one leftover token against 2-3 adjacent
  // leftovers of the other side.
  std::string& joined = scratch.joined;
  auto join_pass = [&](const std::vector<Token>& one, std::vector<char>& one_used,
                       const std::vector<Token>& many, std::vector<char>& many_used,
                       bool one_is_query) {
    for (size_t i = 0; i < one.size(); ++i) {
      if (one_used[i] || one[i].text.size() < 5 || one[i].kind != TokenKind::kName) continue;
      const std::string& target = one[i].text;
      for (size_t start = 0; start < many.size() && !one_used[i]; ++start) {
        joined.clear();
        uint32_t w = 0;
        for (size_t k = start; k < many.size() && k < start + 3; ++k) {
          if (many_used[k]) break;
          joined += many[k].text;
          w += many[k].weight;
          if (k == start) continue;
          // Longer than the target by more than any edit budget (3): no match now or later.
          if (joined.size() > target.size() + 3) break;
          int s = joined == target ? 1000 : FuzzyText(joined, target);
          if (s < 850) continue;
          one_used[i] = 1;
          for (size_t z = start; z <= k; ++z) many_used[z] = 1;
          double weight = static_cast<double>(one[i].weight) + std::min<uint32_t>(w, 1000);
          num += weight * s / 1000.0;
          matched_w += weight;
          ++matched_names;
          if constexpr (kExplain) {
            std::string shown;
            for (size_t z = start; z <= k; ++z) shown += (z == start ? "" : "+") + many[z].text;
            if (one_is_query) {
              out->aligned.push_back({target, shown, MatchHow::kJoined, s});
            } else {
              out->aligned.push_back({shown, target, MatchHow::kJoined, s});
            }
          } else {
            (void)one_is_query;
          }
          break;
        }
      }
    }
  };
  join_pass(q, qused, l, lused, true);
  join_pass(l, lused, q, qused, false);
  // Acronyms of three to five letters: "PLA" ~ "People's Liberation Army".
  auto acronym_pass = [&](const std::vector<Token>& one, std::vector<char>& one_used,
                          const std::vector<Token>& many, std::vector<char>& many_used,
                          bool one_is_query) {
    if (!SpellsOutOrganisation(many)) return;
    for (size_t i = 0; i < one.size(); ++i) {
      const std::string& a = one[i].text;
      if (one_used[i] || a.size() < 3 || a.size() > 5 || one[i].kind != TokenKind::kName) {
        continue;
      }
      for (size_t start = 0; start + a.size() <= many.size(); ++start) {
        bool ok = true;
        for (size_t k = 0; k < a.size() && ok; ++k) {
          const Token& t = many[start + k];
          ok = !many_used[start + k] && t.text[0] == a[k] && t.kind != TokenKind::kLegal &&
               t.kind != TokenKind::kNumber;
        }
        if (!ok) continue;
        const int s = 850;
        uint32_t w = 0;
        for (size_t k = 0; k < a.size(); ++k) {
          many_used[start + k] = 1;
          w += many[start + k].weight;
        }
        one_used[i] = 1;
        double weight = 1000.0 + std::min<uint32_t>(w, 1000);
        num += weight * s / 1000.0;
        matched_w += weight;
        ++matched_names;
        if constexpr (kExplain) {
          std::string shown;
          for (size_t k = 0; k < a.size(); ++k) shown += (k ? "+" : "") + many[start + k].text;
          if (one_is_query) {
            out->aligned.push_back({a, shown, MatchHow::kInitial, s});
          } else {
            out->aligned.push_back({shown, a, MatchHow::kInitial, s});
          }
        } else {
          (void)one_is_query;
        }
        break;
      }
    }
  };
  acronym_pass(q, qused, l, lused, true);
  acronym_pass(l, lused, q, qused, false);
  if (matched_w == 0) {
    if constexpr (kExplain) {
      for (const auto& t : q) out->query_unmatched.push_back(t.text);
      for (const auto& t : l) out->list_unmatched.push_back(t.text);
    }
    return 0;
  }
  double uq = 0, ul = 0;
  bool q_name_left = false, l_name_left = false;
  for (size_t i = 0; i < q.size(); ++i) {
    if (qused[i]) continue;
    uq += q[i].weight;
    q_name_left = q_name_left || q[i].kind == TokenKind::kName;
    if constexpr (kExplain) out->query_unmatched.push_back(q[i].text);
  }
  for (size_t j = 0; j < l.size(); ++j) {
    if (lused[j]) continue;
    ul += l[j].weight;
    l_name_left = l_name_left || l[j].kind == TokenKind::kName;
    if constexpr (kExplain) out->list_unmatched.push_back(l[j].text);
  }
  double den = matched_w + kConflict * std::min(uq, ul) + 0.35 * std::abs(uq - ul);
  int score = static_cast<int>(std::lround(1000.0 * num / den));
  if (matched_names == 0) score = std::min(score, 400);
  if (matched_names == 1 && (q_name_left || l_name_left)) score = std::min(score, 690);
  return std::clamp(score, 0, 1000);
}

}  // namespace

NameMatch MatchNames(const NormalizedName& query, const NormalizedName& list) {
  NameMatch out;
  out.score = Align<true>(query, list, &out);
  return out;
}

int MatchScore(const NormalizedName& query, const NormalizedName& list) {
  return Align<false>(query, list, nullptr);
}

}  // namespace aidtrace::screening
