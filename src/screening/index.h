// The screening index and the screening API the mechanism builds on.
//
// An Index is built once from the entities of one or more list versions and is immutable
// afterwards: screen a Subject (names, birth date, country, identifiers) and get scored
// Hits with explanations. Candidates come from the vocabulary of the indexed names: each
// query word is looked up by text, equivalence group, phonetic skeleton, deletion
// variants (one or two letters dropped: every word within the fuzzy edit budget, even
// when the index also holds the query word as written) and, for words the index does not
// hold, character trigrams; adjacent query words are also looked up written together
// ("Ahmad Iman" ~ "Ahmadian"), and as initials when the query is an organisation's name;
// list words written together, with their particles, and organisation acronyms are
// vocabulary entries of their own. Each vocabulary entry found is scored against the
// query word (TokenSimilarity), and per name the words' similarities give an estimate of
// the MatchNames score. The best ScreenOptions::candidates names by estimate (ties by key
// rarity, IDF) are scored in full by MatchNames, and beyond them every name whose
// estimate could still reach min_score (up to ScreenOptions::max_candidates): very
// common name pairs are all scored. Then birth date, nationality and identifiers adjust
// the score (see Screen()).
//
// IndexHandle holds the current index for concurrent readers: Load() gives a
// shared_ptr<const Index> that stays valid while a new version is built and Store()d
// (atomically, std::atomic<std::shared_ptr>), so queries never see a half-built index.
//
// Thread safety: a built Index is immutable and safe to query from any number of threads
// concurrently; IndexHandle's Load/Store are atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "screening/entity.h"
#include "screening/match.h"
#include "screening/normalize.h"

namespace aidtrace::screening {

// Someone (or some organisation) we screen: a party, a principal, a beneficiary, a payee.
struct Subject {
  std::string ref;                 // the caller's reference (party id...), echoed in results
  std::vector<std::string> names;  // at least one
  std::optional<BirthDate> dob;
  std::string country;  // ISO alpha-2 (or a country name), nationality or jurisdiction
  std::vector<std::string> identifiers;  // passport, registration, IMO... numbers
  Schema schema = Schema::kUnknown;      // kUnknown: compare against every schema
};

struct ScreenOptions {
  int min_score = kReviewLevel;  // hits below are dropped
  size_t limit = 10;             // at most this many hits, best first
  // Names scored in full per query name: the best `candidates` by estimated score, and
  // beyond them every name whose estimate could still reach min_score (when that is 500
  // or more), up to `max_candidates` in all (see Index::Screen).
  size_t candidates = 48;
  size_t max_candidates = 512;
  // Score every name of the index instead of the candidates (brute force: the yardstick
  // of the benchmarks and evaluation for what candidate generation gives up).
  bool exhaustive = false;
};

struct Hit {
  std::string list;          // Entity::list
  std::string entry;         // Entity::id (the list's own reference)
  std::string name;          // the list name that matched best (as written)
  std::string query_name;    // the subject name that matched it
  std::string content_hash;  // Entity::ContentHash() of the entry
  int score = 0;             // final permille score
  int name_score = 0;        // MatchNames score before adjustments
  NameStrength strength = NameStrength::kPrimary;
  std::vector<TokenAlignment> aligned;
  std::vector<std::string> adjustments;  // "dob match +40", "nationality mismatch -60"...
  // One line for humans: alignment, leftovers, strength and adjustments.
  std::string explanation;
};

class Index {
 public:
  // Builds an index over `entities` (copied in). `normalizer` decides how names read;
  // its NameData is kept alive by the index.
  static std::shared_ptr<const Index> Build(std::vector<Entity> entities,
                                            const Normalizer& normalizer = Normalizer());

  // Screens one subject. Every name of the subject is tried; each entity appears at most
  // once (its best name). Adjustments to the best name score:
  //  - birth date (when both sides have one): same day +50, same year(s) +20, years one
  //    apart -100, further apart -250;
  //  - country (when both sides have one): listed nationality or country matches +20,
  //    listed nationalities all differ -60;
  //  - identifier: an exact (normalised) identifier match lifts the score to at least 950.
  // Scores are clamped to [0, 1000]; hits below options.min_score are dropped. Weak
  // aliases count at 90% of their name score. Best first; ties by list then entry.
  std::vector<Hit> Screen(const Subject& subject, const ScreenOptions& options = {}) const;

  // Candidate generation alone (for evaluation): the entity positions (into entities())
  // of the best `k` candidates for one name, best first, ranked by the full name score.
  std::vector<uint32_t> TopCandidates(std::string_view name, size_t k,
                                      size_t candidates = 96) const;

  const std::vector<Entity>& entities() const { return entities_; }
  size_t name_count() const { return names_.size(); }
  const Normalizer& normalizer() const { return normalizer_; }

 private:
  explicit Index(const Normalizer& n) : normalizer_(n) {}
  struct IndexedName {
    uint32_t entity;
    uint32_t name_pos;  // into Entity::names
    NameStrength strength;
    uint16_t words;   // tokens of kind kName
    uint32_t weight;  // sum of the token weights
    NormalizedName norm;
  };
  // One distinct word of the indexed names, or a pair of adjacent words written together
  // ("kang"+"bong"), a word with its dropped particles joined ("vander"+"bilt"), or the
  // initials of 3-5 adjacent words ("pak to chun" -> "ptc").
  enum class Form : uint8_t { kWord, kJoined, kParticles, kAcronym };
  struct VocabEntry {
    Token token;  // kWord: a representative token (text, skeleton, groups, kind); else text
    Form form;
    uint8_t span;  // words of the list name it stands for
  };
  struct Candidate {
    uint32_t name;
    float estimate;  // the score MatchNames could give, from the matched words
    float rank;      // rarity of what was hit (IDF), the tie-break
  };
  // The names worth scoring for a normalised query: the best `count` by estimate, and any
  // more with an estimate >= `floor`, at most `cap` in all; best first.
  std::vector<Candidate> Candidates(const NormalizedName& q, size_t count, float floor,
                                    size_t cap) const;

  Normalizer normalizer_;
  std::vector<Entity> entities_;
  std::vector<std::string> hashes_;
  std::vector<IndexedName> names_;
  std::vector<uint32_t> entity_names_;  // entity e's names: [entity_names_[e], [e + 1])
  std::vector<VocabEntry> vocab_;
  // vocab id -> [vocab_offsets_[v], [v + 1]) in vocab_postings_ (name ids, ascending).
  std::vector<uint32_t> vocab_offsets_, vocab_postings_;
  // lookup key (text, group, skeleton, deletion variant, trigram...) -> slot, an open
  // addressing table (keys are 64-bit hashes, never 0; 0 marks a free cell) ->
  // [offsets_[slot], offsets_[slot + 1]) in key_vocab_ (vocab ids, ascending).
  std::vector<uint64_t> table_keys_;
  std::vector<uint32_t> table_slots_;
  int table_shift_ = 64;
  // The slot of `key`, or -1.
  int64_t FindSlot(uint64_t key) const {
    if (table_keys_.empty()) return -1;
    const uint64_t mask = table_keys_.size() - 1;
    for (uint64_t i = (key * 0x9E3779B97F4A7C15ull) >> table_shift_;; i = (i + 1) & mask) {
      if (table_keys_[i] == key) return table_slots_[i];
      if (table_keys_[i] == 0) return -1;
    }
  }
  std::vector<uint32_t> offsets_;
  std::vector<uint32_t> key_vocab_;
  // normalised identifier -> entity positions.
  std::unordered_map<std::string, std::vector<uint32_t>> identifiers_;
};

// The current index, swapped atomically under concurrent queries.
class IndexHandle {
 public:
  std::shared_ptr<const Index> Load() const { return current_.load(std::memory_order_acquire); }
  void Store(std::shared_ptr<const Index> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const Index>> current_;
};

// Re-screens many subjects on `threads` threads (base/parallel.h); result i belongs to
// subjects[i].
std::vector<std::vector<Hit>> ScreenBatch(const Index& index, const std::vector<Subject>& subjects,
                                          const ScreenOptions& options, size_t threads);

struct ReverseHit {
  size_t subject;  // position in `subjects`
  Hit hit;
};
// Reverse search after a list update: the changed (added or modified) entries against our
// subjects. Builds a small index over `changed` and screens every subject against it.
std::vector<ReverseHit> ReverseScreen(const std::vector<Entity>& changed,
                                      const std::vector<Subject>& subjects,
                                      const ScreenOptions& options, const Normalizer& normalizer,
                                      size_t threads = 1);

}  // namespace aidtrace::screening
