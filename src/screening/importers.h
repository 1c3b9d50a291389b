// Importers: sanctions-list files into screening::Entity values.
//
//  - UN Security Council consolidated list XML (INDIVIDUALS / ENTITIES), via pugixml;
//  - OFAC legacy CSV sets: sdn.csv + alt.csv + add.csv + sdn_comments.csv, and the
//    non-SDN consolidated cons_prim/cons_alt/cons_add/cons_comments set (same layout);
//  - OpenSanctions FollowTheMoney JSON lines, and their delta files
//    ({"op":"ADD"|"MOD"|"DEL","entity":{...}} per line) applied onto a previous version.
//
// Every importer either returns all entities of the input or a typed error (kInvalidArgument
// for malformed content, saying what, where and why; kIoError for unreadable files); it
// never returns a partial list. Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "screening/entity.h"

namespace aidtrace::screening {

// UN consolidated XML. `list` becomes Entity::list; ids are REFERENCE_NUMBERs.
Result<std::vector<Entity>> ImportUnXml(std::string_view xml, std::string_view list = "un");

// The texts of one OFAC CSV set (alt/add/comments may be empty when absent).
struct OfacCsvTexts {
  std::string primary;   // sdn.csv or cons_prim.csv
  std::string alt;       // alt.csv or cons_alt.csv
  std::string add;       // add.csv or cons_add.csv
  std::string comments;  // sdn_comments.csv or cons_comments.csv
};
// OFAC legacy CSV. Ids are ent_nums; remarks yield birth dates, nationalities, identifiers
// and the weak a.k.a.s quoted there.
Result<std::vector<Entity>> ImportOfacCsv(const OfacCsvTexts& texts, std::string_view list);

// One FtM entity object. Returns kNotFound for schemas that are not screenable parties
// (Address, Sanction, Ownership...), kInvalidArgument for a malformed object.
Result<Entity> ImportFtmEntity(const json::Value& obj, std::string_view list);
// FtM JSON lines (blank lines ignored; non-party schemas skipped). The error path names
// the line ("/line/17").
Result<std::vector<Entity>> ImportFtmJsonl(std::string_view text, std::string_view list);
// Applies a delta file onto `entities` (keyed by id) and returns what changed, in file
// order. ADD of an existing id and MOD of a missing id are accepted as upserts (OpenSanctions
// replays deltas that way); DEL of a missing id is ignored. On error nothing is changed.
Result<std::vector<DiffEntry>> ApplyFtmDelta(std::string_view text, std::string_view list,
                                             std::map<std::string, Entity>& entities);

enum class ListFormat : uint8_t { kUnXml, kOfacCsv, kFtmJsonl, kFtmDelta };
std::string_view ListFormatName(ListFormat f);

struct LoadedList {
  std::string list;  // "un", "ofac_sdn", "ofac_cons", or the FtM file's stem
  ListFormat format = ListFormat::kUnXml;
  std::vector<Entity> entities;
  std::vector<std::string> files;  // every file read (the OFAC companions included)
};

// Detects the format from the file's content (XML root, OFAC row shape, JSON lines) and
// imports it; an OFAC primary file's companions are looked up beside it (sdn.csv ->
// alt.csv, add.csv, sdn_comments.csv; cons_prim.csv -> cons_alt.csv ...). A delta file
// alone is imported as the ADD/MOD entities it carries.
Result<LoadedList> LoadListFile(const std::string& path);

}  // namespace aidtrace::screening
