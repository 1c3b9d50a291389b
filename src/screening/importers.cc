#include "screening/importers.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <set>

#include <pugixml.hpp>

#include "screening/internal/csv.h"

namespace aidtrace::screening {

namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void AddUnique(std::vector<std::string>& v, std::string s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

// True when the UTF-8 text holds a letter outside the Latin script blocks.
bool HasNonLatin(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) continue;
    uint32_t cp = 0;
    int extra = 0;
    if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      extra = 3;
    }
    for (int k = 0; k < extra && i + 1 < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3F);
    }
    bool latin = cp < 0x0250 || (cp >= 0x1E00 && cp < 0x1F00) || (cp >= 0x2000 && cp < 0x2070);
    if (!latin) return true;
  }
  return false;
}

void AddName(Entity& e, std::string full, NameStrength strength,
             std::vector<std::string> parts = {}) {
  full = Trim(full);
  if (full.empty()) return;
  for (const auto& n : e.names) {
    if (n.full == full) return;
  }
  EntityName n;
  n.original_script = HasNonLatin(full);
  n.full = std::move(full);
  n.strength = strength;
  n.parts = std::move(parts);
  e.names.push_back(std::move(n));
}

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                               "jul", "aug", "sep", "oct", "nov", "dec"};

int MonthFromWord(std::string_view w) {
  std::string l = Lower(w.substr(0, 3));
  for (int m = 0; m < 12; ++m) {
    if (l == kMonths[m]) return m + 1;
  }
  return 0;
}

// One OFAC date: "10 Dec 1948", "Dec 1948", "1948". Fills year/month/day.
bool ParseOfacDate(std::string_view s, BirthDate& d) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur.push_back(c);
    } else if (!cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(cur);
  if (words.empty()) return false;
  auto is_num = [](const std::string& w) {
    return !w.empty() &&
           std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const std::string& y = words.back();
  if (!is_num(y) || y.size() != 4) return false;
  d.year = std::stoi(y);
  if (words.size() >= 2) d.month = MonthFromWord(words[words.size() - 2]);
  if (words.size() >= 3 && d.month != 0 && is_num(words[words.size() - 3]) &&
      words[words.size() - 3].size() <= 2) {
    d.day = std::stoi(words[words.size() - 3]);
  }
  d.year_from = d.year_to = d.year;
  return true;
}

// "DOB 10 Dec 1948", "DOB circa 1950", "DOB 1960 to 1962".
bool ParseOfacDob(std::string_view text, BirthDate& d) {
  std::string t = Trim(text);
  std::string l = Lower(t);
  if (l.rfind("circa", 0) == 0) {
    if (!ParseOfacDate(std::string_view(t).substr(5), d)) return false;
    d.approximate = true;
    d.year_from = d.year - 2;
    d.year_to = d.year + 2;
    return true;
  }
  size_t to = l.find(" to ");
  if (to != std::string::npos) {
    BirthDate a, b;
    if (!ParseOfacDate(std::string_view(t).substr(0, to), a) ||
        !ParseOfacDate(std::string_view(t).substr(to + 4), b)) {
      return false;
    }
    d.year = a.year;
    d.year_from = std::min(a.year, b.year);
    d.year_to = std::max(a.year, b.year);
    d.approximate = true;
    return true;
  }
  return ParseOfacDate(t, d);
}

std::vector<std::string> SplitRemarks(std::string_view remarks) {
  std::vector<std::string> out;
  std::string cur;
  bool quote = false;
  for (char c : remarks) {
    if (c == '\'') quote = !quote;
    if (c == ';' && !quote) {
      out.push_back(Trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!Trim(cur).empty()) out.push_back(Trim(cur));
  return out;
}

// Remarks: "DOB ...; POB ...; nationality Iraq; citizen Iran; Passport A123 (Iraq);
// a.k.a. 'X'; Vessel Registration Identification IMO 1234567; ..."
void ParseOfacRemarks(std::string_view remarks, Entity& e) {
  for (const std::string& item : SplitRemarks(remarks)) {
    std::string l = Lower(item);
    auto strip_prefix = [&](std::string_view p) -> std::optional<std::string> {
      if (l.rfind(p, 0) == 0) return Trim(std::string_view(item).substr(p.size()));
      return std::nullopt;
    };
    if (auto v = strip_prefix("alt. dob "); v) {
      BirthDate d;
      if (ParseOfacDob(*v, d)) e.birth_dates.push_back(d);
    } else if (auto v2 = strip_prefix("dob "); v2) {
      BirthDate d;
      if (ParseOfacDob(*v2, d)) e.birth_dates.push_back(d);
    } else if (auto v3 = strip_prefix("nationality "); v3) {
      AddUnique(e.nationalities, CountryCode(*v3));
    } else if (auto v4 = strip_prefix("alt. nationality "); v4) {
      AddUnique(e.nationalities, CountryCode(*v4));
    } else if (auto v5 = strip_prefix("citizen "); v5) {
      AddUnique(e.nationalities, CountryCode(*v5));
    } else if (l.rfind("a.k.a. '", 0) == 0 || l.rfind("f.k.a. '", 0) == 0 ||
               l.rfind("n.k.a. '", 0) == 0) {
      size_t a = item.find('\''), b = item.rfind('\'');
      if (b > a + 1) AddName(e, item.substr(a + 1, b - a - 1), NameStrength::kWeak);
    } else {
      static const std::pair<const char*, const char*> kIds[] = {
          {"passport ", "passport"},
          {"alt. passport ", "passport"},
          {"national id no. ", "national_id"},
          {"cedula no. ", "national_id"},
          {"tax id no. ", "tax"},
          {"registration number ", "registration"},
          {"vessel registration identification imo ", "imo"},
          {"ssn ", "national_id"},
          {"swift/bic ", "swift"},
          {"legal entity number ", "lei"},
      };
      for (const auto& [prefix, type] : kIds) {
        auto idv = strip_prefix(prefix);
        if (!idv) continue;
        Identifier id;
        id.type = type;
        size_t paren = idv->find('(');
        id.number = Trim(idv->substr(0, paren));
        if (paren != std::string::npos) {
          size_t close = idv->find(')', paren);
          id.country = CountryCode(idv->substr(
              paren + 1, close == std::string::npos ? std::string::npos : close - paren - 1));
        }
        if (!id.number.empty() && id.number.find(' ') == std::string::npos) {
          e.identifiers.push_back(std::move(id));
        }
        break;
      }
    }
  }
}

std::string OfacField(const internal::CsvRow& row, size_t i) {
  if (i >= row.size()) return {};
  std::string v = Trim(row[i]);
  return v == "-0-" ? std::string() : v;
}

// The child element's text, trimmed.
std::string ChildText(const pugi::xml_node& n, const char* name) {
  return Trim(n.child(name).text().as_string());
}

void UnDates(const pugi::xml_node& rec, Entity& e) {
  for (auto d : rec.children("INDIVIDUAL_DATE_OF_BIRTH")) {
    std::string type = Lower(ChildText(d, "TYPE_OF_DATE"));
    std::string date = ChildText(d, "DATE");
    std::string year = ChildText(d, "YEAR");
    std::string from = ChildText(d, "FROM_YEAR"), to = ChildText(d, "TO_YEAR");
    BirthDate bd;
    if (!date.empty()) {
      auto r = ParseIsoDate(date.substr(0, std::min<size_t>(10, date.size())));
      if (!r.ok()) continue;
      bd = *r;
    } else if (!year.empty()) {
      auto r = ParseIsoDate(year);
      if (!r.ok()) continue;
      bd = *r;
    } else if (!from.empty() && !to.empty()) {
      auto a = ParseIsoDate(from), b = ParseIsoDate(to);
      if (!a.ok() || !b.ok()) continue;
      bd = *a;
      bd.year_from = std::min(a->year, b->year);
      bd.year_to = std::max(a->year, b->year);
      bd.approximate = true;
    } else {
      continue;
    }
    if (type.find("approx") != std::string::npos) {
      bd.approximate = true;
      bd.year_from = std::min(bd.year_from, bd.year - 1);
      bd.year_to = std::max(bd.year_to, bd.year + 1);
    }
    e.birth_dates.push_back(bd);
  }
}

}  // namespace

Result<std::vector<Entity>> ImportUnXml(std::string_view xml, std::string_view list) {
  pugi::xml_document doc;
  pugi::xml_parse_result pr = doc.load_buffer(xml.data(), xml.size());
  if (!pr) {
    return Status(ErrorCode::kInvalidArgument, std::string("UN XML: ") + pr.description() +
                                                   " at byte " + std::to_string(pr.offset));
  }
  auto root = doc.child("CONSOLIDATED_LIST");
  if (!root) {
    return Status(ErrorCode::kInvalidArgument, "UN XML: the root element is not CONSOLIDATED_LIST");
  }
  std::vector<Entity> out;
  auto one = [&](const pugi::xml_node& rec, bool person, const char* alias_tag) -> Status {
    Entity e;
    e.list = std::string(list);
    e.id = ChildText(rec, "REFERENCE_NUMBER");
    if (e.id.empty()) {
      return Status(
          ErrorCode::kInvalidArgument,
          "UN XML: a record without REFERENCE_NUMBER (DATAID " + ChildText(rec, "DATAID") + ")");
    }
    e.schema = person ? Schema::kPerson : Schema::kOrganization;
    std::vector<std::string> parts;
    for (const char* tag : {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"}) {
      std::string p = ChildText(rec, tag);
      if (!p.empty()) parts.push_back(p);
    }
    std::string full;
    for (const auto& p : parts) full += (full.empty() ? "" : " ") + p;
    AddName(e, full, NameStrength::kPrimary, parts);
    std::string orig = ChildText(rec, "NAME_ORIGINAL_SCRIPT");
    if (!orig.empty()) AddName(e, orig, NameStrength::kStrong);
    for (auto a : rec.children(alias_tag)) {
      std::string q = Lower(ChildText(a, "QUALITY"));
      std::string name = ChildText(a, "ALIAS_NAME");
      AddName(e, name, q == "low" ? NameStrength::kWeak : NameStrength::kStrong);
    }
    for (auto v : rec.child("NATIONALITY").children("VALUE")) {
      AddUnique(e.nationalities, CountryCode(Trim(v.text().as_string())));
    }
    for (auto a : rec.children(person ? "INDIVIDUAL_ADDRESS" : "ENTITY_ADDRESS")) {
      AddUnique(e.countries, CountryCode(ChildText(a, "COUNTRY")));
    }
    if (person) UnDates(rec, e);
    for (auto d : rec.children("INDIVIDUAL_DOCUMENT")) {
      Identifier id;
      id.number = ChildText(d, "NUMBER");
      if (id.number.empty()) continue;
      std::string type = Lower(ChildText(d, "TYPE_OF_DOCUMENT"));
      id.type = type.find("passport") != std::string::npos   ? "passport"
                : type.find("national") != std::string::npos ? "national_id"
                : type.empty()                               ? "other"
                                                             : type;
      std::string c = ChildText(d, "ISSUING_COUNTRY");
      if (c.empty()) c = ChildText(d, "COUNTRY_OF_ISSUE");
      id.country = CountryCode(c);
      e.identifiers.push_back(std::move(id));
    }
    AddUnique(e.programs, ChildText(rec, "UN_LIST_TYPE"));
    e.listed_on = ChildText(rec, "LISTED_ON");
    out.push_back(std::move(e));
    return Status::Ok();
  };
  for (auto rec : root.child("INDIVIDUALS").children("INDIVIDUAL")) {
    RETURN_IF_ERROR(one(rec, true, "INDIVIDUAL_ALIAS"));
  }
  for (auto rec : root.child("ENTITIES").children("ENTITY")) {
    RETURN_IF_ERROR(one(rec, false, "ENTITY_ALIAS"));
  }
  return out;
}

Result<std::vector<Entity>> ImportOfacCsv(const OfacCsvTexts& texts, std::string_view list) {
  auto parse = [](std::string_view text,
                  const char* what) -> Result<std::vector<internal::CsvRow>> {
    // OFAC files end with a DOS end-of-file mark (0x1A) after the last line.
    while (!text.empty() && (text.back() == '\x1a' || text.back() == '\n' || text.back() == '\r')) {
      text.remove_suffix(1);
    }
    auto r = internal::ParseCsv(text);
    if (!r.ok()) return r.status().WithContext(std::string("OFAC ") + what);
    return r;
  };
  ASSIGN_OR_RETURN(auto prim, parse(texts.primary, "primary file"));
  ASSIGN_OR_RETURN(auto alt, parse(texts.alt, "alt file"));
  ASSIGN_OR_RETURN(auto add, parse(texts.add, "add file"));
  ASSIGN_OR_RETURN(auto comments, parse(texts.comments, "comments file"));
  std::vector<Entity> out;
  std::map<std::string, size_t> by_id;
  std::map<std::string, std::string> remarks;
  for (size_t r = 0; r < prim.size(); ++r) {
    const auto& row = prim[r];
    if (row.size() < 4) {
      return Status(ErrorCode::kInvalidArgument,
                    "OFAC primary file: record " + std::to_string(r + 1) + " has " +
                        std::to_string(row.size()) + " fields, expected 12");
    }
    Entity e;
    e.list = std::string(list);
    e.id = OfacField(row, 0);
    if (e.id.empty() || !std::all_of(e.id.begin(), e.id.end(), ::isdigit)) {
      return Status(
          ErrorCode::kInvalidArgument,
          "OFAC primary file: record " + std::to_string(r + 1) + " has no numeric ent_num");
    }
    std::string type = Lower(OfacField(row, 2));
    e.schema = type == "individual" ? Schema::kPerson
               : type == "vessel"   ? Schema::kVessel
               : type == "aircraft" ? Schema::kAircraft
                                    : Schema::kOrganization;
    std::string name = OfacField(row, 1);
    std::vector<std::string> parts;
    if (e.schema == Schema::kPerson) {
      size_t comma = name.find(',');
      if (comma != std::string::npos) {
        parts = {Trim(name.substr(comma + 1)), Trim(name.substr(0, comma))};
      }
    }
    AddName(e, name, NameStrength::kPrimary, parts);
    for (const std::string& p : {OfacField(row, 3)}) {
      // Programs are written "SDGT] [IRGC" when several apply.
      std::string cur;
      for (char c : p) {
        if (c == '[' || c == ']') {
          AddUnique(e.programs, Trim(cur));
          cur.clear();
        } else {
          cur.push_back(c);
        }
      }
      AddUnique(e.programs, Trim(cur));
    }
    if (e.schema == Schema::kVessel) {
      std::string flag = OfacField(row, 9);
      if (!flag.empty()) AddUnique(e.countries, CountryCode(flag));
    }
    remarks[e.id] = OfacField(row, 11);
    if (by_id.contains(e.id)) {
      return Status(ErrorCode::kInvalidArgument,
                    "OFAC primary file: ent_num " + e.id + " appears twice");
    }
    by_id[e.id] = out.size();
    out.push_back(std::move(e));
  }
  for (const auto& row : comments) {
    std::string id = OfacField(row, 0);
    if (remarks.contains(id) && row.size() > 1) remarks[id] += row[1];
  }
  for (auto& e : out) ParseOfacRemarks(remarks[e.id], e);
  for (size_t r = 0; r < alt.size(); ++r) {
    const auto& row = alt[r];
    auto it = by_id.find(OfacField(row, 0));
    if (it == by_id.end()) continue;  // an alias of an entry not in this snapshot
    Entity& e = out[it->second];
    std::string name = OfacField(row, 3);
    std::vector<std::string> parts;
    if (e.schema == Schema::kPerson) {
      size_t comma = name.find(',');
      if (comma != std::string::npos) {
        parts = {Trim(name.substr(comma + 1)), Trim(name.substr(0, comma))};
      }
    }
    std::string rem = Lower(OfacField(row, 4));
    AddName(e, name,
            rem.find("weak") != std::string::npos ? NameStrength::kWeak : NameStrength::kStrong,
            parts);
  }
  for (const auto& row : add) {
    auto it = by_id.find(OfacField(row, 0));
    if (it == by_id.end()) continue;
    AddUnique(out[it->second].countries, CountryCode(OfacField(row, 4)));
  }
  return out;
}

Result<Entity> ImportFtmEntity(const json::Value& obj, std::string_view list) {
  if (!obj.is_object() || !obj.contains("id") || !obj["id"].is_string()) {
    return Status(ErrorCode::kInvalidArgument, "FtM entity: no string \"id\"");
  }
  Entity e;
  e.list = std::string(list);
  e.id = obj["id"].get<std::string>();
  std::string schema = obj.contains("schema") && obj["schema"].is_string()
                           ? obj["schema"].get<std::string>()
                           : std::string();
  static const std::set<std::string> kParty = {"Person", "Organization", "Company",   "LegalEntity",
                                               "Vessel", "Airplane",     "PublicBody"};
  if (!kParty.contains(schema)) {
    return Status(ErrorCode::kNotFound,
                  "FtM entity " + e.id + ": schema \"" + schema + "\" is not a screenable party");
  }
  e.schema = SchemaFromName(schema);
  if (schema == "LegalEntity") e.schema = Schema::kOrganization;
  json::Value props = obj.contains("properties") ? obj["properties"] : json::Value::object();
  if (!props.is_object()) {
    return Status(ErrorCode::kInvalidArgument,
                  "FtM entity " + e.id + ": properties is not an object");
  }
  auto strings = [&](const char* key) {
    std::vector<std::string> out;
    if (props.contains(key) && props[key].is_array()) {
      for (const auto& v : props[key]) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    }
    return out;
  };
  std::vector<std::string> parts;
  for (const char* k : {"firstName", "secondName", "middleName", "fatherName", "lastName"}) {
    for (auto& p : strings(k)) AddUnique(parts, p);
  }
  for (auto& n : strings("name")) AddName(e, n, NameStrength::kPrimary);
  if (!e.names.empty()) e.names.front().parts = parts;
  for (const char* k : {"alias", "previousName"}) {
    for (auto& n : strings(k)) AddName(e, n, NameStrength::kStrong);
  }
  for (auto& n : strings("weakAlias")) AddName(e, n, NameStrength::kWeak);
  if (e.names.empty() && obj.contains("caption") && obj["caption"].is_string()) {
    AddName(e, obj["caption"].get<std::string>(), NameStrength::kPrimary);
  }
  for (auto& d : strings("birthDate")) {
    auto r = ParseIsoDate(d.substr(0, std::min<size_t>(10, d.size())));
    if (r.ok()) e.birth_dates.push_back(*r);
  }
  for (const char* k : {"nationality", "citizenship"}) {
    for (auto& c : strings(k)) AddUnique(e.nationalities, CountryCode(c));
  }
  for (const char* k : {"country", "jurisdiction", "flag"}) {
    for (auto& c : strings(k)) AddUnique(e.countries, CountryCode(c));
  }
  static const std::pair<const char*, const char*> kIds[] = {
      {"idNumber", "national_id"},
      {"passportNumber", "passport"},
      {"innCode", "inn"},
      {"taxNumber", "tax"},
      {"registrationNumber", "registration"},
      {"imoNumber", "imo"},
      {"ogrnCode", "ogrn"},
      {"leiCode", "lei"},
      {"swiftBic", "swift"},
      {"mmsi", "mmsi"},
  };
  for (const auto& [k, type] : kIds) {
    for (auto& n : strings(k)) {
      bool dup = false;
      for (const auto& i : e.identifiers) dup = dup || (i.type == type && i.number == n);
      if (!dup) e.identifiers.push_back({type, n, ""});
    }
  }
  for (auto& p : strings("programId")) AddUnique(e.programs, p);
  for (auto& p : strings("createdAt")) {
    if (e.listed_on.empty()) e.listed_on = p.substr(0, std::min<size_t>(10, p.size()));
  }
  return e;
}

namespace {

template <typename Fn>
Status ForEachJsonLine(std::string_view text, Fn&& fn) {
  size_t line_no = 0, pos = 0;
  json::ParseOptions opts;
  opts.max_bytes = 64 << 20;
  opts.max_depth = 64;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto v = json::Parse(line, opts);
    std::string where = "/line/" + std::to_string(line_no);
    if (!v.ok()) return v.status().WithPathPrefix(where);
    Status s = fn(*v, where);
    if (!s.ok()) return s.path().empty() ? Status(s.code(), s.message(), where) : s;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Entity>> ImportFtmJsonl(std::string_view text, std::string_view list) {
  std::vector<Entity> out;
  RETURN_IF_ERROR(ForEachJsonLine(text, [&](const json::Value& v, const std::string&) -> Status {
    auto e = ImportFtmEntity(v, list);
    if (!e.ok()) return e.status().code() == ErrorCode::kNotFound ? Status::Ok() : e.status();
    out.push_back(std::move(*e));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<DiffEntry>> ApplyFtmDelta(std::string_view text, std::string_view list,
                                             std::map<std::string, Entity>& entities) {
  struct Op {
    DiffOp op;
    std::string id;
    std::optional<Entity> entity;
  };
  std::vector<Op> ops;
  RETURN_IF_ERROR(ForEachJsonLine(text, [&](const json::Value& v, const std::string&) -> Status {
    if (!v.is_object() || !v.contains("op") || !v["op"].is_string() || !v.contains("entity")) {
      return Status(ErrorCode::kInvalidArgument,
                    "FtM delta: a line needs \"op\" (ADD, MOD or DEL) and \"entity\"");
    }
    std::string op = v["op"].get<std::string>();
    const json::Value& ent = v["entity"];
    if (!ent.is_object() || !ent.contains("id") || !ent["id"].is_string()) {
      return Status(ErrorCode::kInvalidArgument, "FtM delta: entity without a string \"id\"");
    }
    if (op == "DEL") {
      ops.push_back({DiffOp::kDel, ent["id"].get<std::string>(), std::nullopt});
      return Status::Ok();
    }
    if (op != "ADD" && op != "MOD") {
      return Status(ErrorCode::kInvalidArgument,
                    "FtM delta: op \"" + op + "\" is not ADD, MOD or DEL");
    }
    auto e = ImportFtmEntity(ent, list);
    if (!e.ok()) return e.status().code() == ErrorCode::kNotFound ? Status::Ok() : e.status();
    ops.push_back({op == "ADD" ? DiffOp::kAdd : DiffOp::kMod, e->id, std::move(*e)});
    return Status::Ok();
  }));
  std::vector<DiffEntry> changes;
  for (auto& op : ops) {
    auto it = entities.find(op.id);
    if (op.op == DiffOp::kDel) {
      if (it == entities.end()) continue;
      changes.push_back({DiffOp::kDel, op.id, it->second.ContentHash(), ""});
      entities.erase(it);
      continue;
    }
    std::string new_hash = op.entity->ContentHash();
    if (it == entities.end()) {
      changes.push_back({DiffOp::kAdd, op.id, "", new_hash});
      entities.emplace(op.id, std::move(*op.entity));
    } else {
      std::string old_hash = it->second.ContentHash();
      if (old_hash != new_hash) changes.push_back({DiffOp::kMod, op.id, old_hash, new_hash});
      it->second = std::move(*op.entity);
    }
  }
  return changes;
}

std::string_view ListFormatName(ListFormat f) {
  switch (f) {
    case ListFormat::kUnXml:
      return "un_xml";
    case ListFormat::kOfacCsv:
      return "ofac_csv";
    case ListFormat::kFtmJsonl:
      return "ftm_jsonl";
    case ListFormat::kFtmDelta:
      return "ftm_delta";
  }
  return "unknown";
}

Result<LoadedList> LoadListFile(const std::string& path) {
  namespace fs = std::filesystem;
  ASSIGN_OR_RETURN(std::string text, internal::ReadWholeFile(path));
  LoadedList out;
  out.files.push_back(path);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF) first = 3;
  if (first == std::string::npos) {
    return Status(ErrorCode::kInvalidArgument, path + ": the file is empty");
  }
  fs::path p(path);
  auto with_context = [&](Status s) { return s.WithContext(path); };
  if (text[first] == '<') {
    out.format = ListFormat::kUnXml;
    out.list = "un";
    auto r = ImportUnXml(text, out.list);
    if (!r.ok()) return with_context(r.status());
    out.entities = std::move(*r);
    return out;
  }
  if (text[first] == '{') {
    std::string_view head(text);
    head = head.substr(first, std::min<size_t>(200, head.size() - first));
    bool delta = head.find("\"op\"") != std::string_view::npos;
    out.format = delta ? ListFormat::kFtmDelta : ListFormat::kFtmJsonl;
    std::string stem = p.filename().string();
    stem = stem.substr(0, stem.find('.'));
    out.list = stem.empty() ? "ftm" : stem;
    if (delta) {
      std::map<std::string, Entity> m;
      auto r = ApplyFtmDelta(text, out.list, m);
      if (!r.ok()) return with_context(r.status());
      for (auto& [id, e] : m) out.entities.push_back(std::move(e));
    } else {
      auto r = ImportFtmJsonl(text, out.list);
      if (!r.ok()) return with_context(r.status());
      out.entities = std::move(*r);
    }
    return out;
  }
  if (std::isdigit(static_cast<unsigned char>(text[first]))) {
    out.format = ListFormat::kOfacCsv;
    std::string name = p.filename().string();
    OfacCsvTexts t;
    t.primary = std::move(text);
    std::string prefix;
    if (name.rfind("cons_", 0) == 0) {
      out.list = "ofac_cons";
      prefix = "cons_";
    } else {
      out.list = "ofac_sdn";
    }
    auto read_beside = [&](const std::string& file, std::string& dest) -> Status {
      fs::path q = p.parent_path() / file;
      if (!fs::exists(q)) return Status::Ok();
      ASSIGN_OR_RETURN(dest, internal::ReadWholeFile(q.string()));
      out.files.push_back(q.string());
      return Status::Ok();
    };
    if (name == "sdn.csv" || name == "cons_prim.csv") {
      RETURN_IF_ERROR(read_beside(prefix + "alt.csv", t.alt));
      RETURN_IF_ERROR(read_beside(prefix + "add.csv", t.add));
      RETURN_IF_ERROR(
          read_beside(prefix.empty() ? "sdn_comments.csv" : "cons_comments.csv", t.comments));
    }
    auto r = ImportOfacCsv(t, out.list);
    if (!r.ok()) return with_context(r.status());
    out.entities = std::move(*r);
    return out;
  }
  return Status(ErrorCode::kInvalidArgument,
                path + ": not a recognised list format (UN XML, OFAC CSV, FtM JSON lines)");
}

}  // namespace aidtrace::screening
