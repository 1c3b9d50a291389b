// The one entity model every sanctions-list importer produces, its content hash, and the
// diff of two versions of a list into ADD/MOD/DEL.
//
// An Entity is a plain value: the list's own reference (`id`: UN REFERENCE_NUMBER, OFAC
// ent_num, FtM id), a schema, names with their strength (primary / strong alias / weak
// alias: low-quality UN aliases and OFAC "weak" a.k.a.s are kept apart so that scoring can
// discount them), names in their original script, birth dates with their precision,
// nationalities (ISO 3166 alpha-2 where known), identifiers and programmes. Its content
// hash is the SHA-256 of its canonical JSON (RFC 8785 through json::Canonical), so two
// imports of the same record hash equal and any change of content changes the hash.
//
// Thread safety: values; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/json.h"

namespace aidtrace::screening {

enum class Schema : uint8_t { kPerson, kOrganization, kCompany, kVessel, kAircraft, kUnknown };
std::string_view SchemaName(Schema s);
// "Person", "person", "individual" -> kPerson; "Company"...; unknown -> kUnknown.
Schema SchemaFromName(std::string_view name);

enum class NameStrength : uint8_t {
  kPrimary,  // the list's main name
  kStrong,   // a good-quality alias, a.k.a., f.k.a.
  kWeak,     // a low-quality alias (UN QUALITY "Low", OFAC weak aka, nicknames)
};
std::string_view StrengthName(NameStrength s);

struct EntityName {
  std::string full;  // as the list writes it (UTF-8)
  NameStrength strength = NameStrength::kPrimary;
  bool original_script = false;  // the name in its own (non-Latin) script
  // Name parts when the list gives them (first/second/third/fourth, firstName/lastName...).
  std::vector<std::string> parts;
};

// A birth date with its precision: year only, year-month, or a full date.
struct BirthDate {
  int year = 0;
  int month = 0;  // 0 when unknown
  int day = 0;    // 0 when unknown
  // Inclusive year range for "circa" and from/to forms (equal to year otherwise).
  int year_from = 0;
  int year_to = 0;
  bool approximate = false;
  std::string ToString() const;  // "1962", "1962-05", "1962-05-04", "1960..1962"
};
// Parses ISO forms "YYYY", "YYYY-MM", "YYYY-MM-DD"; kInvalidArgument otherwise.
Result<BirthDate> ParseIsoDate(std::string_view text);

struct Identifier {
  std::string type;     // "passport", "national_id", "imo", "tax", "registration", ...
  std::string number;   // as written
  std::string country;  // ISO alpha-2 or empty
};
// Upper-case alphanumerics only ("A-123 45" -> "A12345"): the form identifiers are compared in.
std::string NormalizeIdentifier(std::string_view number);

struct Entity {
  std::string list;  // the list id ("un", "ofac_sdn", "ofac_cons", a FtM dataset...)
  std::string id;    // the list's own reference
  Schema schema = Schema::kUnknown;
  std::vector<EntityName> names;
  std::vector<BirthDate> birth_dates;
  std::vector<std::string> nationalities;  // ISO 3166 alpha-2, lower case
  std::vector<std::string> countries;      // other links (address, jurisdiction), alpha-2
  std::vector<Identifier> identifiers;
  std::vector<std::string> programs;
  std::string listed_on;  // ISO date or empty

  // The canonical JSON document of the entity (every field above, in a fixed layout).
  json::Value ToJson() const;
  // The inverse of ToJson (stored list versions are kept in that form). kInvalidArgument,
  // naming the member, when `j` is not such a document; FromJson(e.ToJson()) == e.
  static Result<Entity> FromJson(const json::Value& j);
  // "sha256:<hex>" of the canonical JSON.
  std::string ContentHash() const;
  // The primary name (the first kPrimary name, else the first name, else "").
  const std::string& caption() const;
};

enum class DiffOp : uint8_t { kAdd, kMod, kDel };
std::string_view DiffOpName(DiffOp op);

struct DiffEntry {
  DiffOp op = DiffOp::kAdd;
  std::string id;
  std::string old_hash;  // empty for kAdd
  std::string new_hash;  // empty for kDel
};

// The changes that turn `before` into `after`, keyed by Entity::id and compared by
// content hash; sorted by id. Duplicate ids within one version: the last one counts.
std::vector<DiffEntry> DiffLists(const std::vector<Entity>& before,
                                 const std::vector<Entity>& after);

// Country name or code -> ISO 3166 alpha-2 lower case ("Iraq", "IQ", "iq", "Syrian Arab
// Republic", "Iran (Islamic Republic of)"); empty when not recognised. Uses ICU's English
// country names plus the UN/OFAC spellings that differ from them.
std::string CountryCode(std::string_view name_or_code);

}  // namespace aidtrace::screening
