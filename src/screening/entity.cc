#include "screening/entity.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <fmt/format.h>

#include "crypto/sha256.h"

namespace aidtrace::screening {

std::string_view SchemaName(Schema s) {
  switch (s) {
    case Schema::kPerson:
      return "Person";
    case Schema::kOrganization:
      return "Organization";
    case Schema::kCompany:
      return "Company";
    case Schema::kVessel:
      return "Vessel";
    case Schema::kAircraft:
      return "Aircraft";
    case Schema::kUnknown:
      break;
  }
  return "LegalEntity";
}

Schema SchemaFromName(std::string_view name) {
  std::string n;
  for (char c : name) n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (n == "person" || n == "individual") return Schema::kPerson;
  if (n == "organization" || n == "organisation" || n == "entity") return Schema::kOrganization;
  if (n == "company" || n == "publicbody") return Schema::kCompany;
  if (n == "vessel") return Schema::kVessel;
  if (n == "aircraft" || n == "airplane") return Schema::kAircraft;
  return Schema::kUnknown;
}

std::string_view StrengthName(NameStrength s) {
  switch (s) {
    case NameStrength::kPrimary:
      return "primary";
    case NameStrength::kStrong:
      return "strong";
    case NameStrength::kWeak:
      return "weak";
  }
  return "weak";
}

std::string BirthDate::ToString() const {
  if (year_from != year_to) return std::to_string(year_from) + ".." + std::to_string(year_to);
  char buf[16];
  if (day != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  } else if (month != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  } else {
    std::snprintf(buf, sizeof buf, "%04d", year);
  }
  return buf;
}

namespace {
bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc();
}
}  // namespace

Result<BirthDate> ParseIsoDate(std::string_view text) {
  BirthDate d;
  auto bad = [&] {
    return Status(ErrorCode::kInvalidArgument,
                  "date \"" + std::string(text) + "\" is not YYYY, YYYY-MM or YYYY-MM-DD");
  };
  if (text.size() < 4 || !ParseInt(text.substr(0, 4), d.year) || d.year < 1000) return bad();
  if (text.size() > 4) {
    if (text.size() < 7 || text[4] != '-' || !ParseInt(text.substr(5, 2), d.month) || d.month < 1 ||
        d.month > 12) {
      return bad();
    }
    if (text.size() > 7) {
      if (text.size() != 10 || text[7] != '-' || !ParseInt(text.substr(8, 2), d.day) || d.day < 1 ||
          d.day > 31) {
        return bad();
      }
    }
  }
  d.year_from = d.year_to = d.year;
  return d;
}

std::string NormalizeIdentifier(std::string_view number) {
  std::string out;
  for (char c : number) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) out.push_back(static_cast<char>(std::toupper(u)));
  }
  return out;
}

json::Value Entity::ToJson() const {
  json::Value j = json::Value::object();
  j["list"] = list;
  j["id"] = id;
  j["schema"] = std::string(SchemaName(schema));
  json::Value names_j = json::Value::array();
  for (const auto& n : names) {
    json::Value nj = json::Value::object();
    nj["full"] = n.full;
    nj["strength"] = std::string(StrengthName(n.strength));
    nj["original_script"] = n.original_script;
    nj["parts"] = n.parts;
    names_j.push_back(std::move(nj));
  }
  j["names"] = std::move(names_j);
  json::Value dobs = json::Value::array();
  for (const auto& d : birth_dates) {
    dobs.push_back(d.ToString() + (d.approximate ? "~" : ""));
  }
  j["birth_dates"] = std::move(dobs);
  j["nationalities"] = nationalities;
  j["countries"] = countries;
  json::Value ids = json::Value::array();
  for (const auto& i : identifiers) {
    ids.push_back({{"type", i.type}, {"number", i.number}, {"country", i.country}});
  }
  j["identifiers"] = std::move(ids);
  j["programs"] = programs;
  j["listed_on"] = listed_on;
  return j;
}

namespace {

Status BadMember(std::string_view member, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("entity member \"{}\": {}", member, why));
}

Result<std::string> StringMember(const json::Value& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return BadMember(key, "a string is required");
  return it->get<std::string>();
}

Result<std::vector<std::string>> StringsMember(const json::Value& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return BadMember(key, "an array of strings is required");
  std::vector<std::string> out;
  out.reserve(it->size());
  for (const auto& v : *it) {
    if (!v.is_string()) return BadMember(key, "an array of strings is required");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<BirthDate> ParseStoredDate(std::string_view text) {
  BirthDate d;
  std::string_view t = text;
  const bool approximate = !t.empty() && t.back() == '~';
  if (approximate) t.remove_suffix(1);
  if (const size_t dots = t.find(".."); dots != std::string_view::npos) {
    int from = 0, to = 0;
    if (!ParseInt(t.substr(0, dots), from) || !ParseInt(t.substr(dots + 2), to) || from > to) {
      return BadMember("birth_dates", fmt::format("\"{}\" is not a date or a year range", text));
    }
    d.year = from;
    d.year_from = from;
    d.year_to = to;
  } else {
    auto parsed = ParseIsoDate(t);
    if (!parsed.ok()) return BadMember("birth_dates", parsed.status().message());
    d = *parsed;
  }
  d.approximate = approximate;
  return d;
}

}  // namespace

Result<Entity> Entity::FromJson(const json::Value& j) {
  if (!j.is_object()) return BadMember("", "an entity is a JSON object");
  Entity e;
  ASSIGN_OR_RETURN(e.list, StringMember(j, "list"));
  ASSIGN_OR_RETURN(e.id, StringMember(j, "id"));
  ASSIGN_OR_RETURN(std::string schema, StringMember(j, "schema"));
  e.schema = SchemaFromName(schema);
  const auto names = j.find("names");
  if (names == j.end() || !names->is_array()) return BadMember("names", "an array is required");
  for (const auto& n : *names) {
    if (!n.is_object()) return BadMember("names", "each name is an object");
    EntityName name;
    ASSIGN_OR_RETURN(name.full, StringMember(n, "full"));
    ASSIGN_OR_RETURN(std::string strength, StringMember(n, "strength"));
    if (strength == "primary") {
      name.strength = NameStrength::kPrimary;
    } else if (strength == "strong") {
      name.strength = NameStrength::kStrong;
    } else if (strength == "weak") {
      name.strength = NameStrength::kWeak;
    } else {
      return BadMember("strength", "primary, strong or weak");
    }
    const auto os = n.find("original_script");
    if (os == n.end() || !os->is_boolean()) return BadMember("original_script", "a boolean");
    name.original_script = os->get<bool>();
    ASSIGN_OR_RETURN(name.parts, StringsMember(n, "parts"));
    e.names.push_back(std::move(name));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> dobs, StringsMember(j, "birth_dates"));
  for (const auto& d : dobs) {
    ASSIGN_OR_RETURN(BirthDate bd, ParseStoredDate(d));
    e.birth_dates.push_back(bd);
  }
  ASSIGN_OR_RETURN(e.nationalities, StringsMember(j, "nationalities"));
  ASSIGN_OR_RETURN(e.countries, StringsMember(j, "countries"));
  const auto ids = j.find("identifiers");
  if (ids == j.end() || !ids->is_array()) return BadMember("identifiers", "an array is required");
  for (const auto& i : *ids) {
    if (!i.is_object()) return BadMember("identifiers", "each identifier is an object");
    Identifier id;
    ASSIGN_OR_RETURN(id.type, StringMember(i, "type"));
    ASSIGN_OR_RETURN(id.number, StringMember(i, "number"));
    ASSIGN_OR_RETURN(id.country, StringMember(i, "country"));
    e.identifiers.push_back(std::move(id));
  }
  ASSIGN_OR_RETURN(e.programs, StringsMember(j, "programs"));
  ASSIGN_OR_RETURN(e.listed_on, StringMember(j, "listed_on"));
  return e;
}

std::string Entity::ContentHash() const {
  auto canon = json::Canonical(ToJson());
  // Importers only store valid UTF-8, so Canonical cannot fail; should it (a bug), the
  // hash of the error text still differs from every valid document's.
  return crypto::FormatTaggedHash(
      crypto::Sha256(canon.ok() ? *canon : "invalid:" + canon.status().ToString()));
}

const std::string& Entity::caption() const {
  static const std::string kEmpty;
  for (const auto& n : names) {
    if (n.strength == NameStrength::kPrimary) return n.full;
  }
  return names.empty() ? kEmpty : names.front().full;
}

std::string_view DiffOpName(DiffOp op) {
  switch (op) {
    case DiffOp::kAdd:
      return "ADD";
    case DiffOp::kMod:
      return "MOD";
    case DiffOp::kDel:
      return "DEL";
  }
  return "MOD";
}

std::vector<DiffEntry> DiffLists(const std::vector<Entity>& before,
                                 const std::vector<Entity>& after) {
  std::map<std::string, std::string> old_h, new_h;
  for (const auto& e : before) old_h[e.id] = e.ContentHash();
  for (const auto& e : after) new_h[e.id] = e.ContentHash();
  std::vector<DiffEntry> out;
  for (const auto& [id, h] : old_h) {
    auto it = new_h.find(id);
    if (it == new_h.end()) {
      out.push_back({DiffOp::kDel, id, h, ""});
    } else if (it->second != h) {
      out.push_back({DiffOp::kMod, id, h, it->second});
    }
  }
  for (const auto& [id, h] : new_h) {
    if (!old_h.contains(id)) out.push_back({DiffOp::kAdd, id, "", h});
  }
  std::sort(out.begin(), out.end(),
            [](const DiffEntry& a, const DiffEntry& b) { return a.id < b.id; });
  return out;
}

namespace {

// Lower-case letters only, words joined by one space, parenthesised text dropped.
std::string CountryKey(std::string_view s) {
  std::string out;
  int depth = 0;
  bool space = false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      depth = std::max(0, depth - 1);
    } else if (depth == 0 && std::isalpha(u)) {
      if (space && !out.empty()) out.push_back(' ');
      space = false;
      out.push_back(static_cast<char>(std::tolower(u)));
    } else if (depth == 0 && c != '\'') {
      space = true;
    }
  }
  return out;
}

const std::unordered_map<std::string, std::string>& CountryTable() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string, std::string>();
    for (const char* const* cc = icu::Locale::getISOCountries(); *cc != nullptr; ++cc) {
      std::string code(*cc);
      for (auto& ch : code) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      icu::UnicodeString disp;
      icu::Locale("en", *cc).getDisplayCountry(icu::Locale::getEnglish(), disp);
      std::string name;
      disp.toUTF8String(name);
      (*t)[CountryKey(name)] = code;
      (*t)[code] = code;
    }
    // Spellings of the UN and OFAC lists (and common usage) that ICU names otherwise.
    static const char* const kExtra[][2] = {
        {"syrian arab republic", "sy"},
        {"iran islamic republic of", "ir"},
        {"iran", "ir"},
        {"russian federation", "ru"},
        {"russia", "ru"},
        {"democratic people s republic of korea", "kp"},
        {"democratic peoples republic of korea", "kp"},
        {"korea north", "kp"},
        {"north korea", "kp"},
        {"republic of korea", "kr"},
        {"korea south", "kr"},
        {"democratic republic of the congo", "cd"},
        {"congo democratic republic of the", "cd"},
        {"congo", "cg"},
        {"republic of the congo", "cg"},
        {"united kingdom of great britain and northern ireland", "gb"},
        {"united kingdom", "gb"},
        {"united states of america", "us"},
        {"united states", "us"},
        {"viet nam", "vn"},
        {"lao people s democratic republic", "la"},
        {"libyan arab jamahiriya", "ly"},
        {"united republic of tanzania", "tz"},
        {"bolivia plurinational state of", "bo"},
        {"venezuela bolivarian republic of", "ve"},
        {"state of palestine", "ps"},
        {"palestinian", "ps"},
        {"palestine", "ps"},
        {"west bank", "ps"},
        {"gaza", "ps"},
        {"burma", "mm"},
        {"turkey", "tr"},
        {"turkiye", "tr"},
        {"cote d ivoire", "ci"},
        {"ivory coast", "ci"},
        {"czech republic", "cz"},
        {"kosovo", "xk"},
        {"sudan", "sd"},
        {"south sudan", "ss"},
        {"bosnia and herzegovina", "ba"},
        {"the former yugoslav republic of macedonia", "mk"},
        {"republic of moldova", "md"},
        {"netherlands", "nl"},
        {"bahamas", "bs"},
        {"gambia", "gm"},
    };
    for (const auto& e : kExtra) (*t)[CountryKey(e[0])] = e[1];
    return t;
  }();
  return *table;
}

}  // namespace

std::string CountryCode(std::string_view name_or_code) {
  std::string key = CountryKey(name_or_code);
  if (key.empty()) return {};
  const auto& t = CountryTable();
  auto it = t.find(key);
  if (it != t.end()) return it->second;
  // "the Sudan", "Republic of Iraq": try without a leading article or "republic of".
  for (std::string_view prefix : {"the ", "republic of ", "state of ", "kingdom of "}) {
    if (key.rfind(prefix, 0) == 0) {
      it = t.find(key.substr(prefix.size()));
      if (it != t.end()) return it->second;
    }
  }
  return {};
}

}  // namespace aidtrace::screening
