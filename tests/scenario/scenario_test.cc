// The scenario generator (src/scenario): a generated programme is accepted whole by a real
// ledger running every rule of the mechanism; the same options give the same bytes; the
// truth lists every planted scheme with the events that carry it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/note.h"
#include "crypto/sha256.h"
#include "json/json.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "scenario/scenario.h"
#include "testing/fault_env.h"

namespace aidtrace::scenario {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchemes[] = {
    "stock_mismatch",     "release_unverified", "verified_short", "duplicate_household",
    "entitlement_spread", "structuring",        "volume_jump",    "payment_without_delivery",
    "watchlist_match",    "decision_overdue"};

Options Small() {
  Options o;
  o.households = 300;
  o.projects = 20;
  o.vendors = 8;
  o.days = 60;
  o.seed = 7;
  return o;
}

struct Output {
  std::vector<std::string> lines;
  Generated generated;
};

Output GenerateToMemory(const Options& o) {
  Output run;
  auto g = Generate(o, [&](std::string_view line) {
    run.lines.emplace_back(line);
    return Status::Ok();
  });
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  if (g.ok()) run.generated = std::move(*g);
  return run;
}

fs::path TempDir(const std::string& tag) {
  static int counter = 0;
  const fs::path p = fs::temp_directory_path() /
                     fmt::format("aidtrace-scenario-{}-{}-{}", getpid(), tag, counter++);
  fs::remove_all(p);
  return p;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The key test: every submission gets a receipt from a ledger with every rule.
TEST(ScenarioTest, EveryEventIsAcceptedByTheLedger) {
  const Output run = GenerateToMemory(Small());
  ASSERT_FALSE(run.lines.empty());
  ASSERT_EQ(static_cast<int64_t>(run.lines.size()), run.generated.events);

  testing::FaultEnv env;
  env.FreezeClock({1795428000, 0});
  const fs::path dir = TempDir("ledger");
  fs::create_directories(dir);
  const std::string db = (dir / "log.db").string();
  auto log_key =
      crypto::ParseSignerKey(std::string_view(run.generated.key_files.at("log.key"))
                                 .substr(0, run.generated.key_files.at("log.key").size() - 1));
  ASSERT_TRUE(log_key.ok()) << log_key.status().ToString();
  ASSERT_TRUE(
      ledger::Ledger::Create(env, db, log_key->name, *log_key, (dir / "log.key").string()).ok());
  auto ledger = ledger::Ledger::Open(env, db, std::make_unique<mechanism::Directory>(), *log_key);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();

  const size_t batch = 500;
  size_t accepted = 0;
  for (size_t start = 0; start < run.lines.size(); start += batch) {
    const size_t end = std::min(run.lines.size(), start + batch);
    std::vector<ledger::Prepared> items;
    for (size_t i = start; i < end; ++i) {
      auto p = (*ledger)->Prepare(run.lines[i]);
      ASSERT_TRUE(p.ok()) << "line " << i + 1 << ": " << p.status().ToJson() << "\n"
                          << run.lines[i].substr(0, 600);
      items.push_back(std::move(*p));
    }
    auto results = (*ledger)->Submit(std::move(items));
    for (size_t k = 0; k < results.size(); ++k) {
      ASSERT_TRUE(results[k].ok())
          << "line " << start + k + 1 << ": " << results[k].status().ToJson() << "\n"
          << run.lines[start + k].substr(0, 600);
      ++accepted;
    }
  }
  EXPECT_EQ(accepted, run.lines.size());
  ledger->reset();
  fs::remove_all(dir);
}

TEST(ScenarioTest, SameOptionsGiveIdenticalFiles) {
  Options o = Small();
  o.households = 120;
  o.projects = 10;
  o.days = 40;
  const fs::path a = TempDir("a"), b = TempDir("b");
  o.threads = 1;
  auto ga = WriteScenario(o, a.string());
  ASSERT_TRUE(ga.ok()) << ga.status().ToString();
  o.threads = 3;  // the thread count must not change a byte
  auto gb = WriteScenario(o, b.string());
  ASSERT_TRUE(gb.ok()) << gb.status().ToString();
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (e.is_regular_file()) files.insert(fs::relative(e.path(), a).string());
  }
  EXPECT_TRUE(files.contains("events.jsonl"));
  EXPECT_TRUE(files.contains("truth.json"));
  EXPECT_TRUE(files.contains("keys/log.key"));
  EXPECT_TRUE(files.contains("keys/detector.key"));
  EXPECT_TRUE(files.contains("keys/un-mmu.key"));
  for (const std::string& f : files) {
    EXPECT_EQ(Slurp(a / f), Slurp(b / f)) << f;
  }
  // Every key file parses, and the key is the party's own.
  for (const auto& [name, text] : ga->key_files) {
    auto key = crypto::ParseSignerKey(std::string_view(text).substr(0, text.size() - 1));
    ASSERT_TRUE(key.ok()) << name;
    if (name != "log.key" && name != "detector.key") {
      EXPECT_EQ(key->name + ".key", name);
    }
  }
  // A different seed gives a different programme.
  o.seed = 8;
  const fs::path c = TempDir("c");
  ASSERT_TRUE(WriteScenario(o, c.string()).ok());
  EXPECT_NE(Slurp(a / "events.jsonl"), Slurp(c / "events.jsonl"));
  // A directory that is not empty is refused, and left alone.
  auto again = WriteScenario(o, c.string());
  EXPECT_EQ(again.status().code(), ErrorCode::kInvalidArgument);
  for (const auto& d : {a, b, c}) fs::remove_all(d);
}

TEST(ScenarioTest, TruthListsEveryPlantedScheme) {
  const Output run = GenerateToMemory(Small());
  const json::Value& truth = run.generated.truth;
  ASSERT_TRUE(truth.contains("schemes"));
  std::set<std::string> event_ids;
  for (const char* scheme : kSchemes) {
    SCOPED_TRACE(scheme);
    const json::Value& list = truth["schemes"][scheme];
    ASSERT_TRUE(list.is_array());
    EXPECT_GE(list.size(), 1u);
    EXPECT_EQ(run.generated.planted.at(scheme), static_cast<int64_t>(list.size()));
    for (const auto& rec : list) {
      ASSERT_TRUE(rec.contains("events"));
      EXPECT_FALSE(rec["events"].empty()) << rec.dump();
      for (const auto& e : rec["events"]) {
        EXPECT_EQ(e["id"].get<std::string>().rfind("sha256:", 0), 0u);
        EXPECT_FALSE(e["nonce"].get<std::string>().empty());
        event_ids.insert(e["id"].get<std::string>());
      }
    }
  }
  // The duplicates really are the same person spelt differently, born the same day.
  for (const auto& rec : truth["schemes"]["duplicate_household"]) {
    EXPECT_NE(rec["original"], rec["duplicate"]);
    EXPECT_NE(rec["original_names"], rec["duplicate_names"]);
    EXPECT_EQ(rec["original_names"]["arabic"], rec["duplicate_names"]["arabic"]);
  }
  for (const auto& rec : truth["schemes"]["watchlist_match"]) {
    EXPECT_NE(rec["listed_name"], rec["admitted_name"]);
    EXPECT_EQ(rec["listed_name"]["arabic"], rec["admitted_name"]["arabic"]);
  }
  for (const auto& rec : truth["schemes"]["stock_mismatch"]) {
    const int64_t book = rec["book"], counted = rec["counted"];
    EXPECT_GT((book - counted) * 1000, book * truth["policy"]["stock_tolerance"].get<int64_t>());
  }
  // The event ids in the truth are ids of generated events.
  std::set<std::string> ids;
  for (const std::string& line : run.lines) {
    auto doc = json::Parse(line);
    ASSERT_TRUE(doc.ok());
    const json::Value& env = doc->contains("envelope") ? (*doc)["envelope"] : *doc;
    ids.insert(crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(env).value())));
  }
  for (const std::string& id : event_ids) EXPECT_TRUE(ids.contains(id)) << id;
}

TEST(ScenarioTest, BeneficiaryRecordsCarryArabicNamesAndSalts) {
  Options o = Small();
  o.households = 40;
  o.projects = 3;
  o.days = 20;
  const Output run = GenerateToMemory(o);
  int registrations = 0;
  for (const std::string& line : run.lines) {
    auto doc = json::Parse(line);
    ASSERT_TRUE(doc.ok());
    if (!doc->contains("envelope")) continue;
    const json::Value& env = (*doc)["envelope"];
    const json::Value& priv = (*doc)["private"];
    auto salt = Base64Decode(priv["salt"].get<std::string>());
    ASSERT_TRUE(salt.ok());
    EXPECT_GE(salt->size(), 16u);
    if (env["type"] != "beneficiary.register") continue;
    ++registrations;
    for (const char* part : {"given", "father", "grandfather", "family", "arabic"}) {
      EXPECT_FALSE(priv["names"][part].get<std::string>().empty()) << part;
    }
    // Arabic script: the name's first byte opens a two-byte UTF-8 sequence (U+0600..).
    EXPECT_EQ(static_cast<unsigned char>(priv["names"]["arabic"].get<std::string>()[0]) & 0xf0,
              0xd0);
    EXPECT_EQ(priv["birth_date"].get<std::string>().size(), 10u);
  }
  EXPECT_GE(registrations, 40);
}

TEST(ScenarioTest, BadOptionsAreRefused) {
  Options o = Small();
  o.days = 3;
  EXPECT_EQ(ValidateOptions(o).code(), ErrorCode::kInvalidArgument);
  o = Small();
  o.rates.stock_short = 1.5;
  EXPECT_EQ(ValidateOptions(o).code(), ErrorCode::kInvalidArgument);
  o = Small();
  o.start = "2026-13-01";
  EXPECT_EQ(ValidateOptions(o).code(), ErrorCode::kInvalidArgument);
  o = Small();
  o.households = 0;
  auto g = Generate(o, [](std::string_view) { return Status::Ok(); });
  EXPECT_EQ(g.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace aidtrace::scenario
