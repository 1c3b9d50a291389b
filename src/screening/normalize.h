// Name normalisation: any-script UTF-8 name -> order-free list of comparable tokens.
//
// Steps (ICU): NFKC with case folding (Normalizer2); Arabic folding (harakat, tatweel and
// Quranic marks stripped; alef, ya, ta-marbuta, kaf forms unified: FoldArabic); Arabic
// words read through NameData (curated list, Wikidata) and otherwise transliterated like
// every other script ("Any-Latin; Latin-ASCII", marks stripped); apostrophes, ayn/hamza
// signs and dots dropped inside words, everything else non-alphanumeric separates words.
// Then, on the Latin tokens: the Arabic article and its assimilated forms (al-, el-, ad-,
// ash-...), and patronymic particles (bin, ibn, bint, ben...) and Western particles are
// dropped; "abd al X" / "abdul X" / "abdel X" / "Abdelaziz" all become "abd"+stem;
// honorifics (mr, dr, sheikh, haji, mullah...) are dropped; company legal forms are
// canonicalised (Limited Liability Company -> llc, Aktiengesellschaft -> ag) and weighted
// low, as are generic organisation words (bank, group, trading...). Token order is kept
// only for the word-joining check; matching never assumes an order.
//
// Thread safety: Normalizer is immutable and may be shared; the ICU transliterators it
// uses are kept one per thread internally (ICU transliterators are not thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "screening/names_data.h"

namespace aidtrace::screening {

enum class TokenKind : uint8_t {
  kName,     // an ordinary name word
  kInitial,  // a single letter ("J." in "J. Smith")
  kGeneric,  // a generic organisation word (bank, group, international...)
  kLegal,    // a company legal form, canonicalised (llc, ltd, ag, jsc...)
  kNumber,   // contains digits
};
std::string_view TokenKindName(TokenKind k);

struct Token {
  std::string text;              // ASCII lower case
  std::string skeleton;          // PhoneticSkeleton(text)
  std::string source;            // the word as written (UTF-8), for explanations
  std::vector<uint32_t> groups;  // NameData groups, sorted
  TokenKind kind = TokenKind::kName;
  uint16_t weight = 1000;  // permille weight in name scoring
  uint16_t position = 0;   // index in the name as written (for joined words)
  // Particles dropped right before this token ("van der" of "van der Bilt" -> "vander"),
  // so that a name written joined ("Vanderbilt", "Alassad") still meets it.
  std::string particles;
  bool known = false;  // belongs to a curated name group (a known given name)
};

struct NormalizedName {
  std::vector<Token> tokens;
  bool empty() const { return tokens.empty(); }
  // The tokens' texts joined by spaces (for tests and debugging).
  std::string ToString() const;
};

class Normalizer {
 public:
  explicit Normalizer(std::shared_ptr<const NameData> data = NameData::Builtin());

  // Normalises one name. Never fails: text ICU cannot read is dropped character by
  // character (invalid UTF-8 becomes U+FFFD and then nothing).
  NormalizedName Normalize(std::string_view name) const;

  // The words of `name` after ICU folding and transliteration, before particle handling
  // ("Muḥammad al-Ṣāliḥ" -> {"muhammad", "al", "salih"}). Exposed for tests.
  std::vector<std::string> LatinWords(std::string_view name) const;

  const NameData& data() const { return *data_; }
  const std::shared_ptr<const NameData>& data_ptr() const { return data_; }

 private:
  std::shared_ptr<const NameData> data_;
};

}  // namespace aidtrace::screening
