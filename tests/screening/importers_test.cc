// Importers (UN XML, OFAC CSV, FtM JSON lines and deltas), the entity hash and list diffs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "screening/importers.h"
#include "screening/internal/csv.h"
#include "testing/shared.h"

namespace aidtrace::screening {
namespace {

constexpr const char* kUnXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27">
 <INDIVIDUALS>
  <INDIVIDUAL>
   <DATAID>1</DATAID>
   <FIRST_NAME>SADDAM</FIRST_NAME><SECOND_NAME>HUSSEIN</SECOND_NAME>
   <THIRD_NAME>AL-TIKRITI</THIRD_NAME>
   <UN_LIST_TYPE>Iraq</UN_LIST_TYPE>
   <REFERENCE_NUMBER>IQi.001</REFERENCE_NUMBER>
   <LISTED_ON>2003-06-27</LISTED_ON>
   <NAME_ORIGINAL_SCRIPT>صدام حسين التكريتي</NAME_ORIGINAL_SCRIPT>
   <NATIONALITY><VALUE>Iraq</VALUE></NATIONALITY>
   <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Abu Ali</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Udai</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1937-04-28</DATE></INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1936</FROM_YEAR><TO_YEAR>1938</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>A 123456</NUMBER><ISSUING_COUNTRY>Iraq</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
  </INDIVIDUAL>
 </INDIVIDUALS>
 <ENTITIES>
  <ENTITY>
   <DATAID>2</DATAID><FIRST_NAME>AL-QAIDA</FIRST_NAME>
   <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDe.004</REFERENCE_NUMBER>
   <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>The Base</ALIAS_NAME></ENTITY_ALIAS>
  </ENTITY>
 </ENTITIES>
</CONSOLIDATED_LIST>)";

TEST(ImportUn, InlineFixture) {
  auto r = ImportUnXml(kUnXml);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  const Entity& p = (*r)[0];
  EXPECT_EQ(p.id, "IQi.001");
  EXPECT_EQ(p.list, "un");
  EXPECT_EQ(p.schema, Schema::kPerson);
  ASSERT_EQ(p.names.size(), 4u);
  EXPECT_EQ(p.names[0].full, "SADDAM HUSSEIN AL-TIKRITI");
  EXPECT_EQ(p.names[0].parts.size(), 3u);
  EXPECT_EQ(p.names[0].strength, NameStrength::kPrimary);
  EXPECT_TRUE(p.names[1].original_script);
  EXPECT_EQ(p.names[2].strength, NameStrength::kStrong);
  EXPECT_EQ(p.names[3].full, "Abu Udai");
  EXPECT_EQ(p.names[3].strength, NameStrength::kWeak);
  ASSERT_EQ(p.birth_dates.size(), 2u);
  EXPECT_EQ(p.birth_dates[0].ToString(), "1937-04-28");
  EXPECT_EQ(p.birth_dates[1].year_from, 1936);
  EXPECT_EQ(p.birth_dates[1].year_to, 1938);
  EXPECT_EQ(p.nationalities, std::vector<std::string>{"iq"});
  ASSERT_EQ(p.identifiers.size(), 1u);
  EXPECT_EQ(p.identifiers[0].type, "passport");
  EXPECT_EQ(NormalizeIdentifier(p.identifiers[0].number), "A123456");
  EXPECT_EQ(p.programs, std::vector<std::string>{"Iraq"});
  EXPECT_EQ((*r)[1].schema, Schema::kOrganization);
  EXPECT_EQ((*r)[1].names.size(), 2u);
}

TEST(ImportUn, MalformedXmlIsATypedError) {
  auto r = ImportUnXml("<CONSOLIDATED_LIST><INDIVIDUALS>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  auto wrong_root = ImportUnXml("<foo/>");
  ASSERT_FALSE(wrong_root.ok());
  EXPECT_EQ(wrong_root.status().code(), ErrorCode::kInvalidArgument);
  auto no_ref = ImportUnXml(
      "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>9</DATAID></INDIVIDUAL>"
      "</INDIVIDUALS></CONSOLIDATED_LIST>");
  ASSERT_FALSE(no_ref.ok());
  EXPECT_NE(no_ref.status().message().find("DATAID 9"), std::string::npos);
}

TEST(Csv, Rfc4180) {
  auto r = internal::ParseCsv("a,\"b,c\",\"d \"\"e\"\"\"\r\n1,,\"multi\nline\"\n\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (internal::CsvRow{"a", "b,c", "d \"e\""}));
  EXPECT_EQ((*r)[1], (internal::CsvRow{"1", "", "multi\nline"}));
  auto open = internal::ParseCsv("a,\"b\n");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), ErrorCode::kInvalidArgument);
  auto stray = internal::ParseCsv("a,b\"c\n");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("line 1"), std::string::npos);
}

TEST(ImportOfac, InlineFixture) {
  OfacCsvTexts t;
  t.primary =
      "306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. "
      "'BNC'.\"\n"
      "7000,\"HASSAN, Ali\",\"individual\",\"SDGT] [IRGC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
      "\"DOB 10 Dec 1948; alt. DOB circa 1950; nationality Iraq; Passport A1234567 (Iraq); "
      "a.k.a. 'ABU ALI'\"\n"
      "8000,\"SEA STAR\",\"vessel\",\"IRAN\",-0- ,-0- ,\"Crude Oil Tanker\",-0- ,-0- ,\"Iran\","
      "-0- ,\"Vessel Registration Identification IMO 9187629.\"\n\x1a";
  t.alt = "7000,1,\"aka\",\"HASAN, Aly\",-0- \n9999,2,\"aka\",\"ORPHAN\",-0- \n";
  t.add = "7000,5,-0- ,\"Baghdad\",\"Iraq\",-0- \n";
  t.comments = "7000,\"; citizen Syria\"\n";
  auto r = ImportOfacCsv(t, "ofac_sdn");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  const Entity& bank = (*r)[0];
  EXPECT_EQ(bank.id, "306");
  EXPECT_EQ(bank.schema, Schema::kOrganization);
  ASSERT_EQ(bank.names.size(), 2u);
  EXPECT_EQ(bank.names[1].full, "BNC");
  EXPECT_EQ(bank.names[1].strength, NameStrength::kWeak);
  const Entity& p = (*r)[1];
  EXPECT_EQ(p.schema, Schema::kPerson);
  EXPECT_EQ(p.programs, (std::vector<std::string>{"SDGT", "IRGC"}));
  ASSERT_EQ(p.birth_dates.size(), 2u);
  EXPECT_EQ(p.birth_dates[0].ToString(), "1948-12-10");
  EXPECT_TRUE(p.birth_dates[1].approximate);
  EXPECT_EQ(p.nationalities, (std::vector<std::string>{"iq", "sy"}));
  EXPECT_EQ(p.countries, std::vector<std::string>{"iq"});
  ASSERT_EQ(p.identifiers.size(), 1u);
  EXPECT_EQ(p.identifiers[0].country, "iq");
  ASSERT_EQ(p.names.size(), 3u);  // primary, weak a.k.a. from remarks, alt.csv alias
  EXPECT_EQ(p.names[2].full, "HASAN, Aly");
  EXPECT_EQ(p.names[2].strength, NameStrength::kStrong);
  const Entity& v = (*r)[2];
  EXPECT_EQ(v.schema, Schema::kVessel);
  ASSERT_EQ(v.identifiers.size(), 1u);
  EXPECT_EQ(v.identifiers[0].type, "imo");
  EXPECT_EQ(NormalizeIdentifier(v.identifiers[0].number), "9187629");
}

TEST(ImportOfac, BadRowsAreTypedErrors) {
  OfacCsvTexts t;
  t.primary = "abc,\"X\",-0- ,\"CUBA\"\n";
  auto r = ImportOfacCsv(t, "ofac_sdn");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  t.primary = "1,\"X\",-0- ,\"CUBA\"\n1,\"Y\",-0- ,\"CUBA\"\n";
  auto dup = ImportOfacCsv(t, "ofac_sdn");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("twice"), std::string::npos);
}

constexpr const char* kFtm =
    R"({"id":"NK-1","schema":"Person","properties":{"name":["Maria OSETROVA","Мария Осетрова"],"alias":["Mariya Zakharova"],"weakAlias":["Masha"],"firstName":["Maria"],"lastName":["Osetrova"],"birthDate":["1988-01-07"],"nationality":["ru"],"innCode":["183116181362"],"programId":["GB-RUS"]}}
{"id":"addr-1","schema":"Address","properties":{"full":["Izhevsk"]}}

{"id":"NK-2","schema":"Company","properties":{"name":["Inter Tobacco LLC"],"country":["by"],"registrationNumber":["808000714"]}}
)";

TEST(ImportFtm, InlineFixture) {
  auto r = ImportFtmJsonl(kFtm, "sample");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);  // the Address is not a party
  const Entity& p = (*r)[0];
  EXPECT_EQ(p.schema, Schema::kPerson);
  ASSERT_EQ(p.names.size(), 4u);
  EXPECT_TRUE(p.names[1].original_script);
  EXPECT_EQ(p.names[0].parts, (std::vector<std::string>{"Maria", "Osetrova"}));
  EXPECT_EQ(p.names[3].strength, NameStrength::kWeak);
  EXPECT_EQ(p.birth_dates[0].ToString(), "1988-01-07");
  EXPECT_EQ(p.identifiers[0].type, "inn");
  EXPECT_EQ((*r)[1].countries, std::vector<std::string>{"by"});
}

TEST(ImportFtm, BadLineNamesTheLine) {
  auto r = ImportFtmJsonl("{\"id\":\"a\",\"schema\":\"Person\"}\n{not json}\n", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kBadJson);
  EXPECT_EQ(r.status().path().rfind("/line/2", 0), 0u) << r.status().path();
}

TEST(ImportFtm, DeltaAddModDel) {
  std::map<std::string, Entity> m;
  auto add = ApplyFtmDelta(
      R"({"op":"ADD","entity":{"id":"A","schema":"Person","properties":{"name":["Ali Hassan"]}}}
{"op":"ADD","entity":{"id":"B","schema":"Organization","properties":{"name":["Some Org"]}}})",
      "os", m);
  ASSERT_TRUE(add.ok()) << add.status().ToString();
  ASSERT_EQ(add->size(), 2u);
  EXPECT_EQ((*add)[0].op, DiffOp::kAdd);
  auto mod = ApplyFtmDelta(
      R"({"op":"MOD","entity":{"id":"A","schema":"Person","properties":{"name":["Ali Hasan"]}}}
{"op":"DEL","entity":{"id":"B"}}
{"op":"DEL","entity":{"id":"never-there"}})",
      "os", m);
  ASSERT_TRUE(mod.ok()) << mod.status().ToString();
  ASSERT_EQ(mod->size(), 2u);
  EXPECT_EQ((*mod)[0].op, DiffOp::kMod);
  EXPECT_NE((*mod)[0].old_hash, (*mod)[0].new_hash);
  EXPECT_EQ((*mod)[1].op, DiffOp::kDel);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m["A"].names[0].full, "Ali Hasan");
  // A bad op changes nothing.
  auto bad = ApplyFtmDelta(
      R"({"op":"DEL","entity":{"id":"A"}}
{"op":"REPLACE","entity":{"id":"A"}})",
      "os", m);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m.size(), 1u);
}

TEST(Entity, ContentHashAndDiff) {
  auto r = ImportUnXml(kUnXml);
  ASSERT_TRUE(r.ok());
  std::vector<Entity> before = *r, after = *r;
  EXPECT_EQ(before[0].ContentHash(), after[0].ContentHash());
  EXPECT_EQ(before[0].ContentHash().rfind("sha256:", 0), 0u);
  after[0].names[2].strength = NameStrength::kWeak;  // MOD
  after.erase(after.begin() + 1);                    // DEL QDe.004
  Entity added;
  added.list = "un";
  added.id = "ZZi.999";
  added.names.push_back({"NEW PERSON", NameStrength::kPrimary, false, {}});
  after.push_back(added);  // ADD
  EXPECT_NE(before[0].ContentHash(), after[0].ContentHash());
  auto d = DiffLists(before, after);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].id, "IQi.001");
  EXPECT_EQ(d[0].op, DiffOp::kMod);
  EXPECT_EQ(d[1].id, "QDe.004");
  EXPECT_EQ(d[1].op, DiffOp::kDel);
  EXPECT_EQ(d[2].id, "ZZi.999");
  EXPECT_EQ(d[2].op, DiffOp::kAdd);
  EXPECT_TRUE(DiffLists(before, before).empty());
}

TEST(Entity, CountryCodes) {
  EXPECT_EQ(CountryCode("Iraq"), "iq");
  EXPECT_EQ(CountryCode("IQ"), "iq");
  EXPECT_EQ(CountryCode("Syrian Arab Republic"), "sy");
  EXPECT_EQ(CountryCode("Iran (Islamic Republic of)"), "ir");
  EXPECT_EQ(CountryCode("Democratic Republic of the Congo"), "cd");
  EXPECT_EQ(CountryCode("Korea, North"), "kp");
  EXPECT_EQ(CountryCode("Atlantis"), "");
}

TEST(LoadListFile, DetectsFormatsAndRejectsOthers) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("screening_load_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const char* name, std::string_view text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  };
  auto un = LoadListFile(write("un.xml", kUnXml));
  ASSERT_TRUE(un.ok()) << un.status().ToString();
  EXPECT_EQ(un->format, ListFormat::kUnXml);
  auto ftm = LoadListFile(write("sample.ftm.json", kFtm));
  ASSERT_TRUE(ftm.ok()) << ftm.status().ToString();
  EXPECT_EQ(ftm->format, ListFormat::kFtmJsonl);
  EXPECT_EQ(ftm->list, "sample");
  write("alt.csv", "7,1,\"aka\",\"OTHER NAME\",-0- \n");
  auto ofac = LoadListFile(
      write("sdn.csv", "7,\"SOME NAME\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"));
  ASSERT_TRUE(ofac.ok()) << ofac.status().ToString();
  EXPECT_EQ(ofac->format, ListFormat::kOfacCsv);
  EXPECT_EQ(ofac->files.size(), 2u);
  EXPECT_EQ(ofac->entities[0].names.size(), 2u);
  auto junk = LoadListFile(write("junk.txt", "hello"));
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), ErrorCode::kInvalidArgument);
  auto missing = LoadListFile((dir / "nope.xml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kIoError);
  fs::remove_all(dir);
}

TEST(RealLists, UnOfacFtm) {
  AIDTRACE_REQUIRE_SHARED("data/lists/un_consolidated/UN_consolidated.xml");
  const auto lists = testing::SharedDir() / "data/lists";
  auto un = LoadListFile((lists / "un_consolidated/UN_consolidated.xml").string());
  ASSERT_TRUE(un.ok()) << un.status().ToString();
  EXPECT_EQ(un->entities.size(), 730u + 273u);
  size_t original = 0;
  for (const auto& e : un->entities) {
    for (const auto& n : e.names) original += n.original_script ? 1 : 0;
  }
  EXPECT_GE(original, 370u);
  auto sdn = LoadListFile((lists / "ofac_sdn_csv/sdn.csv").string());
  ASSERT_TRUE(sdn.ok()) << sdn.status().ToString();
  EXPECT_EQ(sdn->entities.size(), 7379u);  // the README's "7,378 rows" is one short
  EXPECT_EQ(sdn->files.size(), 4u);
  auto cons = LoadListFile((lists / "ofac_consolidated_nonsdn_csv/cons_prim.csv").string());
  ASSERT_TRUE(cons.ok()) << cons.status().ToString();
  EXPECT_EQ(cons->entities.size(), 442u);
  auto zala = LoadListFile((lists / "opensanctions_ftm_samples/zala_entities.ftm.json").string());
  ASSERT_TRUE(zala.ok()) << zala.status().ToString();
  EXPECT_GT(zala->entities.size(), 10u);
  // The delta versions replayed in order: the poltergeist is added then deleted.
  std::map<std::string, Entity> m;
  const auto delta_dir = lists / "opensanctions_ftm_samples/t2_delta";
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(delta_dir)) {
    if (f.path().filename().string().find(".entities.delta.json") != std::string::npos) {
      files.push_back(f.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 4u);
  bool saw_del = false;
  for (const auto& f : files) {
    auto text = testing::ReadFileOrDie(f);
    auto changes = ApplyFtmDelta(text, "os", m);
    ASSERT_TRUE(changes.ok()) << f << ": " << changes.status().ToString();
    for (const auto& c : *changes) saw_del = saw_del || c.op == DiffOp::kDel;
  }
  EXPECT_TRUE(saw_del);
  EXPECT_FALSE(m.contains("NK-500Poltergeist"));
  EXPECT_TRUE(m.contains("Q4365364"));
}

}  // namespace
}  // namespace aidtrace::screening
