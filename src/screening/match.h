// Name matching: token similarity (Jaro-Winkler family with safeguards) and the
// order-free alignment of two normalised names into an integer permille score with an
// explanation of every aligned pair.
//
// Token similarity, best of: exact text (1000); same equivalence group (950); a word
// written with its dropped particles joined, "vanderbilt" ~ "van der" + "bilt" (980);
// Jaro-Winkler averaged with normalised Levenshtein, admitted only within an edit budget
// that grows with length (tokens of 3 letters or fewer must be exact or equivalent; at 4
// letters only a letter added or dropped, never changed: Omar is not Oman); the same
// phonetic skeleton of 3+ consonants with Jaro-Winkler >= 800 (880), unless both tokens
// are known names of different curated groups (Mahmoud is not Muhammad); an initial
// against a word it begins (600). Below 800 a pair does not align.
//
// Name score: pairs are aligned greedily, best first, each token used once; a token left
// over on one side may still meet two or three adjacent tokens of the other side written
// together ("SergeiLavrov"), or be their acronym ("PLA" ~ People's Liberation Army, 850;
// only when the spelled-out name has a generic word or a legal form, so a person's
// initials never make an acronym match).
// With weights w (names 1000, two-letter names 600, initials and generic words 300,
// legal forms 200):
//   score = sum over pairs (wq + wl) * sim / (sum over pairs (wq + wl)
//           + 3.5 * min(Uq, Ul) + 0.35 * |Uq - Ul|)
// where Uq, Ul are the weights left unmatched on each side: a leftover that faces a
// leftover on the other side is a conflicting name (heavy penalty: one conflicting word
// outweighs 1.75 matched ones), a leftover facing nothing is an extra name (small
// penalty). A match resting on one name word while the other side has unmatched name
// words is capped below the review level (690), and a match on generic words or legal
// forms alone is capped at 400.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "screening/normalize.h"

namespace aidtrace::screening {

// The review level (permille): a hit at or above it goes to a monitor. The CLI's default
// --min-score and the evaluation's match threshold; the policy may set its own levels.
inline constexpr int kReviewLevel = 700;

enum class MatchHow : uint8_t { kExact, kEquivalent, kFuzzy, kPhonetic, kInitial, kJoined };
std::string_view MatchHowName(MatchHow h);

struct TokenAlignment {
  std::string query;  // query token(s) as normalised (joined ones with '+')
  std::string list;   // list token(s)
  MatchHow how = MatchHow::kExact;
  int score = 0;  // permille
};

struct NameMatch {
  int score = 0;  // permille
  std::vector<TokenAlignment> aligned;
  std::vector<std::string> query_unmatched;
  std::vector<std::string> list_unmatched;
  // "muhammad=mohammed (equivalent, 950); ..." for humans.
  std::string Explain() const;
};

// Jaro-Winkler similarity of two byte strings, permille (prefix scale 0.1, up to 4).
int JaroWinkler(std::string_view a, std::string_view b);
// Levenshtein distance, or max_distance + 1 when it exceeds max_distance.
int Levenshtein(std::string_view a, std::string_view b, int max_distance);

// Similarity of two tokens, permille, 0 when they do not align; `how` says why.
int TokenSimilarity(const Token& a, const Token& b, MatchHow* how);

// Aligns two names; see the header comment for the formula.
NameMatch MatchNames(const NormalizedName& query, const NormalizedName& list);
// MatchNames(query, list).score without the explanation (no strings built): for scoring
// many candidates. Uses per-thread buffers.
int MatchScore(const NormalizedName& query, const NormalizedName& list);

// Whether a name's words may be spelled out as an acronym ("PLA" ~ "People's Liberation
// Army"): only organisation names, i.e. names with a generic word or a legal form.
bool SpellsOutOrganisation(const std::vector<Token>& tokens);

// The edits FuzzyText allows between two strings, by the shorter one's length (0 for 3
// letters or fewer, 1 up to 5, 2 up to 8, else 3).
int EditBudgetFor(size_t shorter_length);
// Jaro-Winkler averaged with normalised Levenshtein when the Levenshtein distance is
// within EditBudgetFor (at 4 letters only an added or dropped letter), else 0; permille.
// The fuzzy part of TokenSimilarity, and of words written together.
int FuzzyText(std::string_view a, std::string_view b);

}  // namespace aidtrace::screening
