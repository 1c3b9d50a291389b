#include "screening/normalize.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace aidtrace::screening {

std::string_view TokenKindName(TokenKind k) {
  switch (k) {
    case TokenKind::kName:
      return "name";
    case TokenKind::kInitial:
      return "initial";
    case TokenKind::kGeneric:
      return "generic";
    case TokenKind::kLegal:
      return "legal_form";
    case TokenKind::kNumber:
      return "number";
  }
  return "name";
}

std::string NormalizedName::ToString() const {
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out.push_back(' ');
    out += t.text;
  }
  return out;
}

namespace {

// One transliterator per thread: ICU Transliterator objects must not be shared.
icu::Transliterator* ThreadTransliterator() {
  thread_local std::unique_ptr<icu::Transliterator> t;
  if (!t) {
    UErrorCode ec = U_ZERO_ERROR;
    t.reset(
        icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, ec));
    if (U_FAILURE(ec)) t.reset();
  }
  return t.get();
}

const icu::Normalizer2* NfkcCf() {
  static const icu::Normalizer2* n = [] {
    UErrorCode ec = U_ZERO_ERROR;
    const icu::Normalizer2* r = icu::Normalizer2::getNFKCCasefoldInstance(ec);
    return U_FAILURE(ec) ? nullptr : r;
  }();
  return n;
}

bool IsArabic(UChar32 c) {
  return (c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) ||
         (c >= 0x08A0 && c <= 0x08FF);
}

bool IsJoiner(UChar32 c) {
  // Dropped inside a word: apostrophes, ayn/hamza modifier letters, dots.
  switch (c) {
    case 0x27:
    case 0x2E:
    case 0x60:
    case 0xB4:
    case 0x2018:
    case 0x2019:
    case 0x02BB:
    case 0x02BC:
    case 0x02BE:
    case 0x02BF:
    case 0x02B9:
    case 0x2032:
      return true;
    default:
      return false;
  }
}

bool IsWordChar(UChar32 c) {
  int8_t t = u_charType(c);
  switch (t) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      return true;
    default:
      return false;
  }
}

// Splits ASCII text into lower-case alphanumeric words.
void SplitAscii(std::string_view s, std::vector<std::string>& out) {
  std::string cur;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      cur.push_back(c);
    } else if (c == '\'' || c == '.' || c == '`') {
      continue;
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
}

const std::unordered_set<std::string>& Particles() {
  static const std::unordered_set<std::string> k = {
      "al",  "el",    "ad",  "ash", "as",   "at",  "az",  "ar",    "an",    "ud",   "ul",  "ed",
      "es",  "ez",    "bin", "ibn", "bint", "ben", "bn",  "binti", "binte", "ould", "de",  "da",
      "del", "della", "di",  "du",  "van",  "von", "der", "den",   "la",    "le",   "dos", "das",
      "do",  "y",     "the", "of",  "and",  "for", "und", "et",    "von",   "zu",   "e"};
  return k;
}

const std::unordered_set<std::string>& Honorifics() {
  static const std::unordered_set<std::string> k = {
      "mr",       "mrs",       "ms",           "miss",       "dr",      "prof",       "sir",
      "dame",     "lord",      "sheikh",       "shaykh",     "shaikh",  "sheik",      "cheikh",
      "haji",     "hajji",     "hadji",        "alhaji",     "alhajji", "mullah",     "mulla",
      "mawlawi",  "maulawi",   "maulavi",      "moulavi",    "mawlavi", "maulvi",     "maulana",
      "mawlana",  "qari",      "emir",         "general",    "gen",     "colonel",    "col",
      "captain",  "capt",      "major",        "maj",        "lt",      "lieutenant", "brigadier",
      "admiral",  "president", "his",          "excellency", "hon",     "honorable",  "rev",
      "reverend", "ayatollah", "hojatoleslam", "engineer",   "eng"};
  return k;
}

// Single-word legal forms -> canonical form.
const std::unordered_map<std::string, std::string>& LegalForms() {
  static const std::unordered_map<std::string, std::string> k = {{"ltd", "ltd"},
                                                                 {"limited", "ltd"},
                                                                 {"llc", "llc"},
                                                                 {"inc", "inc"},
                                                                 {"incorporated", "inc"},
                                                                 {"corp", "corp"},
                                                                 {"corporation", "corp"},
                                                                 {"co", "co"},
                                                                 {"company", "co"},
                                                                 {"plc", "plc"},
                                                                 {"gmbh", "gmbh"},
                                                                 {"ag", "ag"},
                                                                 {"aktiengesellschaft", "ag"},
                                                                 {"sa", "sa"},
                                                                 {"sarl", "sarl"},
                                                                 {"srl", "srl"},
                                                                 {"spa", "spa"},
                                                                 {"bv", "bv"},
                                                                 {"nv", "nv"},
                                                                 {"oy", "oy"},
                                                                 {"oyj", "oyj"},
                                                                 {"ab", "ab"},
                                                                 {"llp", "llp"},
                                                                 {"lp", "lp"},
                                                                 {"pte", "pte"},
                                                                 {"pty", "pty"},
                                                                 {"kg", "kg"},
                                                                 {"mbh", "mbh"},
                                                                 {"ooo", "ooo"},
                                                                 {"oao", "oao"},
                                                                 {"zao", "zao"},
                                                                 {"pao", "pao"},
                                                                 {"ao", "ao"},
                                                                 {"jsc", "jsc"},
                                                                 {"ojsc", "ojsc"},
                                                                 {"cjsc", "cjsc"},
                                                                 {"pjsc", "pjsc"},
                                                                 {"tov", "tov"},
                                                                 {"sas", "sas"},
                                                                 {"sl", "sl"},
                                                                 {"cv", "cv"},
                                                                 {"ltda", "ltda"},
                                                                 {"kft", "kft"},
                                                                 {"doo", "doo"},
                                                                 {"sro", "sro"},
                                                                 {"na", "na"},
                                                                 {"fze", "fze"},
                                                                 {"fzco", "fzco"},
                                                                 {"fzc", "fzc"},
                                                                 {"wll", "wll"},
                                                                 {"pvt", "pvt"},
                                                                 {"bhd", "bhd"},
                                                                 {"sdn", "sdn"},
                                                                 {"gmbh", "gmbh"},
                                                                 {"ohg", "ohg"},
                                                                 {"eirl", "eirl"},
                                                                 {"sae", "sae"},
                                                                 {"saa", "saa"},
                                                                 {"ptyltd", "ptyltd"}};
  return k;
}

struct MultiLegal {
  std::vector<std::string> words;
  std::string canon;
};
const std::vector<MultiLegal>& MultiLegalForms() {
  static const std::vector<MultiLegal> k = {
      {{"limited", "liability", "company"}, "llc"},
      {{"limited", "liability", "partnership"}, "llp"},
      {{"limited", "partnership"}, "lp"},
      {{"public", "joint", "stock", "company"}, "pjsc"},
      {{"open", "joint", "stock", "company"}, "ojsc"},
      {{"closed", "joint", "stock", "company"}, "cjsc"},
      {{"joint", "stock", "company"}, "jsc"},
      {{"public", "limited", "company"}, "plc"},
      {{"sociedad", "anonima"}, "sa"},
      {{"societe", "anonyme"}, "sa"},
      {{"sociedade", "anonima"}, "sa"},
      {{"societa", "per", "azioni"}, "spa"},
      {{"national", "association"}, "na"},
      {{"obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"}, "ooo"},
      {{"free", "zone", "establishment"}, "fze"},
      {{"free", "zone", "company"}, "fzco"},
      {{"obsestvo", "s", "ogranicennoj", "otvetstvennostu"}, "ooo"},
      {{"tovaristvo", "z", "obmezenou", "vidpovidalnistu"}, "tov"},
      {{"akcionernoe", "obsestvo"}, "ao"},
      {{"publicnoe", "akcionernoe", "obsestvo"}, "pao"},
      {{"zakrytoe", "akcionernoe", "obsestvo"}, "zao"},
      {{"otkrytoe", "akcionernoe", "obsestvo"}, "oao"},
      {{"societatea", "cu", "raspundere", "limitata"}, "srl"},
      {{"societa", "a", "responsabilita", "limitata"}, "srl"},
      {{"sociedad", "de", "responsabilidad", "limitada"}, "srl"},
      {{"gesellschaft", "mit", "beschrankter", "haftung"}, "gmbh"},
      {{"sp", "z", "oo"}, "spzoo"},
      {{"spolka", "z", "ograniczona", "odpowiedzialnoscia"}, "spzoo"},
      {{"s", "de", "rl"}, "srl"},
      {{"de", "cv"}, "cv"},
  };
  return k;
}

const std::unordered_set<std::string>& GenericWords() {
  static const std::unordered_set<std::string> k = {
      "bank",          "group",        "holding",      "holdings",    "international",
      "intl",          "trading",      "trade",        "industries",  "industry",
      "industrial",    "services",     "service",      "enterprise",  "enterprises",
      "global",        "investment",   "investments",  "national",    "united",
      "import",        "export",       "commercial",   "commerce",    "development",
      "management",    "capital",      "partners",     "associates",  "foundation",
      "association",   "organization", "organisation", "society",     "institute",
      "establishment", "agency",       "center",       "centre",      "network",
      "systems",       "solutions",    "technologies", "technology",  "consulting",
      "construction",  "shipping",     "logistics",    "airlines",    "airline",
      "petroleum",     "oil",          "gas",          "energy",      "exchange",
      "finance",       "financial",    "insurance",    "business",    "media",
      "production",    "productions",  "travel",       "tourism",     "office",
      "committee",     "council",      "front",        "army",        "movement",
      "brigade",       "brigades",     "battalion",    "party",       "ministry",
      "state",         "republic",     "islamic",      "charity",     "relief",
      "welfare",       "trust",        "fund",         "factory",     "manufacturing",
      "products",      "mining",       "resources",    "marine",      "maritime",
      "transport",     "general",      "union",        "federation",  "authority",
      "agro",          "chemical",     "chemicals",    "electronics", "engineering",
      "equipment",     "materials",    "studio",       "store",       "stores",
      "shop",          "market",       "markets",      "real",        "estate",
      "properties",    "property",     "motors",       "works",       "werke",
      "gesellschaft",  "bureau",       "firm",         "house",       "limitada",
      "europe",        "asia",         "africa",       "america",     "americas",
      "middle",        "east",         "gulf",         "uk",          "usa",
      "worldwide",     "overseas"};
  return k;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// Number words and ordinals -> digits ("forty four" -> 44, "first" / "1st" -> 1).
int NumberWord(const std::string& w, bool* tens) {
  static const std::unordered_map<std::string, int> k = {
      {"zero", 0},     {"one", 1},      {"two", 2},        {"three", 3},     {"four", 4},
      {"five", 5},     {"six", 6},      {"seven", 7},      {"eight", 8},     {"nine", 9},
      {"ten", 10},     {"eleven", 11},  {"twelve", 12},    {"thirteen", 13}, {"fourteen", 14},
      {"fifteen", 15}, {"sixteen", 16}, {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19},
      {"twenty", 20},  {"thirty", 30},  {"forty", 40},     {"fourty", 40},   {"fifty", 50},
      {"sixty", 60},   {"seventy", 70}, {"eighty", 80},    {"ninety", 90},   {"first", 1},
      {"second", 2},   {"third", 3},    {"fourth", 4},     {"fifth", 5},     {"sixth", 6},
      {"seventh", 7},  {"eighth", 8},   {"ninth", 9},      {"tenth", 10}};
  auto it = k.find(w);
  if (it == k.end()) {
    // "1st", "2nd", "3rd", "4th": the digits.
    size_t d = 0;
    while (d < w.size() && w[d] >= '0' && w[d] <= '9') ++d;
    if (d > 0 && d < w.size() && d + 2 == w.size()) {
      std::string suf = w.substr(d);
      if (suf == "st" || suf == "nd" || suf == "rd" || suf == "th") {
        *tens = false;
        return std::stoi(w.substr(0, d));
      }
    }
    return -1;
  }
  *tens = it->second >= 20 && it->second % 10 == 0;
  return it->second;
}

// "alaziz" -> "aziz", "arrahman" -> "rahman", "ullah" -> "lah" (the article inside a
// compound after abd-).
std::string StripArticle(const std::string& s) {
  if (s.size() > 3 && IsVowel(s[0]) && s[1] == 'l') return s.substr(2);
  if (s.size() > 4 && IsVowel(s[0]) && s[1] == s[2] &&
      std::string_view("tdrzsn").find(s[1]) != std::string_view::npos) {
    return s.substr(2);
  }
  if (s.size() > 5 && IsVowel(s[0]) && s[1] == 's' && s[2] == 'h' && s[3] == 's') {
    return s.substr(3);  // ash-sh...
  }
  return s;
}

bool IsAbdWord(const std::string& w) {
  return w == "abd" || w == "abdul" || w == "abdel" || w == "abdal" || w == "abdol" ||
         w == "abdoul" || w == "abdu" || w == "abdur" || w == "abdus" || w == "abdun" ||
         w == "abdal" || w == "abdil";
}

bool IsArticle(const std::string& w) {
  return w == "al" || w == "el" || w == "ul" || w == "ar" || w == "as" || w == "ash" || w == "at" ||
         w == "ad" || w == "an" || w == "az" || w == "ur" || w == "ud" || w == "us" || w == "ut" ||
         w == "ed" || w == "er" || w == "es";
}

struct Word {
  std::string text;
  std::string source;
  std::string raw;  // the Latin word before the abd- merge (for group lookup)
};

}  // namespace

Normalizer::Normalizer(std::shared_ptr<const NameData> data) : data_(std::move(data)) {
  if (!data_) data_ = NameData::Builtin();
}

std::vector<std::string> Normalizer::LatinWords(std::string_view name) const {
  std::vector<std::string> out;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  UErrorCode ec = U_ZERO_ERROR;
  if (const auto* nf = NfkcCf()) {
    icu::UnicodeString f = nf->normalize(u, ec);
    if (U_SUCCESS(ec)) u = f;
  }
  std::string folded;
  u.toUTF8String(folded);
  folded = FoldArabic(folded);
  u = icu::UnicodeString::fromUTF8(folded);
  icu::UnicodeString word;
  auto flush = [&] {
    if (word.isEmpty()) return;
    bool ascii = true, arabic = false;
    for (int32_t i = 0; i < word.length(); ++i) {
      char16_t c = word.charAt(i);
      if (c >= 0x80) ascii = false;
      if (IsArabic(c)) arabic = true;
    }
    std::string utf8;
    word.toUTF8String(utf8);
    if (ascii) {
      SplitAscii(utf8, out);
    } else if (arabic) {
      const NameData::ArabicReading* r = data_->ReadArabic(utf8);
      // The article ال is written joined to the word: read the word without it too.
      if (r == nullptr && utf8.rfind("\xD8\xA7\xD9\x84", 0) == 0 && utf8.size() >= 10) {
        r = data_->ReadArabic(utf8.substr(4));
      }
      if (r != nullptr) {
        out.push_back(r->latin);
      } else if (auto* t = ThreadTransliterator()) {
        icu::UnicodeString w = word;
        t->transliterate(w);
        std::string s;
        w.toUTF8String(s);
        SplitAscii(s, out);
      }
    } else if (auto* t = ThreadTransliterator()) {
      icu::UnicodeString w = word;
      t->transliterate(w);
      std::string s;
      w.toUTF8String(s);
      SplitAscii(s, out);
    }
    word.remove();
  };
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    if (IsJoiner(c)) continue;
    if (IsWordChar(c)) {
      word.append(c);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

NormalizedName Normalizer::Normalize(std::string_view name) const {
  std::vector<std::string> latin = LatinWords(name);
  std::vector<Word> words;
  words.reserve(latin.size());
  for (auto& w : latin) words.push_back({w, w, w});

  // abd- compounds.
  std::vector<Word> merged;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i].text;
    if (IsAbdWord(w) && i + 1 < words.size()) {
      size_t j = i + 1;
      if (IsArticle(words[j].text) && j + 1 < words.size()) ++j;
      std::string stem = StripArticle(words[j].text);
      std::string source = words[i].source;
      for (size_t k = i + 1; k <= j; ++k) source += " " + words[k].source;
      merged.push_back({"abd" + stem, source, w + words[j].text});
      i = j;
      continue;
    }
    if (w.size() > 5 && w.rfind("abd", 0) == 0) {
      std::string rest = w.substr(3);
      merged.push_back({"abd" + StripArticle(rest), words[i].source, w});
      continue;
    }
    merged.push_back(words[i]);
  }

  // Multi-word legal forms.
  std::vector<Word> legal_done;
  for (size_t i = 0; i < merged.size(); ++i) {
    bool hit = false;
    for (const auto& m : MultiLegalForms()) {
      if (i + m.words.size() > merged.size()) continue;
      bool eq = true;
      for (size_t k = 0; k < m.words.size() && eq; ++k) eq = merged[i + k].text == m.words[k];
      if (!eq) continue;
      std::string source;
      for (size_t k = 0; k < m.words.size(); ++k) {
        source += (k ? " " : "") + merged[i + k].source;
      }
      legal_done.push_back({m.canon, source, m.canon});
      i += m.words.size() - 1;
      hit = true;
      break;
    }
    if (!hit) legal_done.push_back(merged[i]);
  }

  // Number words.
  for (size_t i = 0; i < legal_done.size(); ++i) {
    bool tens = false;
    int v = NumberWord(legal_done[i].text, &tens);
    if (v < 0) continue;
    bool unit_tens = false;
    if (tens && i + 1 < legal_done.size()) {
      int u = NumberWord(legal_done[i + 1].text, &unit_tens);
      if (u > 0 && u < 10) {
        v += u;
        legal_done[i].source += " " + legal_done[i + 1].source;
        legal_done.erase(legal_done.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      }
    }
    legal_done[i].text = std::to_string(v);
  }

  NormalizedName out;
  uint16_t pos = 0;
  std::string pending_particles;
  for (const auto& w : legal_done) {
    Token t;
    t.source = w.source;
    t.position = pos++;
    if (Particles().contains(w.text) || Honorifics().contains(w.text)) {
      if (Particles().contains(w.text)) pending_particles += w.text;
      continue;
    }
    t.particles = std::move(pending_particles);
    pending_particles.clear();
    auto lf = LegalForms().find(w.text);
    if (lf != LegalForms().end()) {
      t.text = lf->second;
      t.kind = TokenKind::kLegal;
      t.weight = 200;
    } else if (GenericWords().contains(w.text)) {
      t.text = w.text;
      t.kind = TokenKind::kGeneric;
      t.weight = 300;
    } else if (std::any_of(w.text.begin(), w.text.end(),
                           [](char c) { return c >= '0' && c <= '9'; })) {
      t.text = w.text;
      t.kind = TokenKind::kNumber;
    } else if (w.text.size() == 1) {
      t.text = w.text;
      t.kind = TokenKind::kInitial;
      t.weight = 300;
    } else {
      t.text = w.text;
      t.weight = w.text.size() == 2 ? 600 : 1000;
    }
    out.tokens.push_back(std::move(t));
  }
  if (out.tokens.empty()) {
    // Only particles or honorifics ("Al Bin", "Dr"): keep them as names.
    pos = 0;
    for (const auto& w : legal_done) {
      Token t;
      t.text = w.text;
      t.source = w.source;
      t.position = pos++;
      t.kind = w.text.size() == 1 ? TokenKind::kInitial : TokenKind::kName;
      out.tokens.push_back(std::move(t));
    }
  }
  for (size_t i = 0; i < out.tokens.size(); ++i) {
    Token& t = out.tokens[i];
    t.skeleton = PhoneticSkeleton(t.text);
    auto g = data_->GroupsOf(t.text);
    t.groups.assign(g.begin(), g.end());
  }
  // Group lookup also on the word as first read (before the abd- merge), so curated
  // spellings such as "abdullah" keep their group.
  size_t ti = 0;
  for (const auto& w : legal_done) {
    while (ti < out.tokens.size() && out.tokens[ti].source != w.source) ++ti;
    if (ti >= out.tokens.size()) break;
    if (w.raw != out.tokens[ti].text) {
      auto g = data_->GroupsOf(w.raw);
      auto& tg = out.tokens[ti].groups;
      tg.insert(tg.end(), g.begin(), g.end());
      std::sort(tg.begin(), tg.end());
      tg.erase(std::unique(tg.begin(), tg.end()), tg.end());
    }
  }
  for (auto& t : out.tokens) {
    t.known = std::any_of(t.groups.begin(), t.groups.end(),
                          [&](uint32_t g) { return data_->IsCurated(g); });
  }
  return out;
}

}  // namespace aidtrace::screening
