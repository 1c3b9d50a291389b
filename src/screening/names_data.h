// Name knowledge used by normalisation and matching: name-equivalence groups
// (Mohammed / Muhammad / Mohamad / محمد ...) and the Arabic-aware phonetic skeleton.
//
// Groups come from two sources: a curated core list compiled into this library (our own
// list of common Arabic, Persian, Turkic, Slavic and Western given-name variants and their
// Arabic spellings), and, when available at run time, the Wikidata English<->Arabic token
// file (shared/data/names/netransliteration_wikidata_arabic/...tokens): Latin tokens that
// Wikidata writes with the same Arabic spelling (and the same consonant outline) form a
// group, and that Arabic spelling reads as its most frequent Latin form.
//
// Thread safety: a NameData is immutable once built; share it freely (shared_ptr<const>).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace aidtrace::screening {

class NameData {
 public:
  // The curated core list only.
  static std::shared_ptr<const NameData> Builtin();
  // The curated list plus the Wikidata token file at `wikidata_tokens_path`. kIoError when
  // the file cannot be read, kInvalidArgument (with the line) when a line is malformed.
  static Result<std::shared_ptr<const NameData>> LoadWithWikidata(
      const std::string& wikidata_tokens_path);

  // The groups a Latin token (ASCII lower case, as Normalizer produces) belongs to, sorted.
  std::span<const uint32_t> GroupsOf(std::string_view latin) const;
  // Whether two Latin tokens share a group.
  bool Equivalent(std::string_view a, std::string_view b) const;

  // An Arabic-script token (already folded: see normalize.h) read as Latin: the curated or
  // most frequent Wikidata spelling, and the groups of that Arabic spelling. Null when
  // the spelling is unknown.
  struct ArabicReading {
    std::string latin;
    std::vector<uint32_t> groups;
  };
  const ArabicReading* ReadArabic(std::string_view folded_arabic) const;

  size_t group_count() const { return group_count_; }
  // Whether group `g` comes from the curated core list (a known name).
  bool IsCurated(uint32_t g) const { return g < curated_count_; }
  size_t latin_count() const { return latin_groups_.size(); }
  size_t arabic_count() const { return arabic_.size(); }
  bool has_wikidata() const { return has_wikidata_; }

 private:
  NameData() = default;
  void AddCurated();
  void Link(const std::string& latin, uint32_t group);
  void Finish();

  std::unordered_map<std::string, std::vector<uint32_t>> latin_groups_;
  std::unordered_map<std::string, ArabicReading> arabic_;
  uint32_t group_count_ = 0;
  uint32_t curated_count_ = 0;
  bool has_wikidata_ = false;
};

// The phonetic skeleton of an ASCII lower-case token: digraphs folded (kh, gh, sh, th, dh,
// ph, ch), letters that Arabic transliterations swap merged (q/k/c, gh/g, p/b, v/f, z/dh),
// vowels and medial w/y dropped, doubles collapsed, a final -ah/-eh reduced.
// "mohammed", "muhammad", "mouhamad" -> "mhmd"; "hussein", "husayn" -> "hsn".
std::string PhoneticSkeleton(std::string_view token);

// Arabic-script folding of one UTF-8 word: harakat, tatweel and Quranic marks removed,
// alef forms (أ إ آ ٱ) -> ا, ى/ی -> ي, ة -> ه, ک -> ك, ؤ -> و, ئ -> ي. Other characters
// are kept unchanged.
std::string FoldArabic(std::string_view utf8);

}  // namespace aidtrace::screening
