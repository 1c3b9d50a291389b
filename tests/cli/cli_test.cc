// The aidtrace command end to end, as a user or another program runs it: the command
// shapes and output formats are a contract (docs/CLI.md).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/note.h"
#include "json/json.h"
#include "log/checkpoint.h"
#include "log/merkle.h"
#include "testing/events.h"

namespace aidtrace {
namespace {

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / fmt::format("aidtrace-cli-{}", getpid()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = dir_ + "/log.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CliRun Cli(const std::string& args, const std::string& stdin_text = "") {
    const std::string in = dir_ + "/stdin", out = dir_ + "/stdout", err = dir_ + "/stderr";
    std::ofstream(in) << stdin_text;
    const std::string cmd = fmt::format("{} {} <{} >{} 2>{}", AIDTRACE_CLI, args, in, out, err);
    const int status = std::system(cmd.c_str());
    auto slurp = [](const std::string& p) {
      std::ifstream f(p);
      std::stringstream ss;
      ss << f.rdbuf();
      return ss.str();
    };
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string p = dir_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  void InitLog() {
    CliRun k = Cli(fmt::format("keygen --name log.example.org --out {}/log.key", dir_));
    ASSERT_EQ(k.exit_code, 0) << k.err;
    log_vkey_ = k.out.substr(0, k.out.find('\n'));
    CliRun i =
        Cli(fmt::format("init --db {} --origin log.example.org --log-key {}/log.key", db_, dir_));
    ASSERT_EQ(i.exit_code, 0) << i.err;
  }

  std::string dir_, db_, log_vkey_;
  testing::Actor a_ = testing::MakeActor("un-mmu", 1);
  testing::Actor b_ = testing::MakeActor("cogat", 2);
};

TEST_F(CliTest, KeygenWritesASecretKeyAndPrintsItsVerifier) {
  CliRun r = Cli(fmt::format("keygen --name un-mmu --out {}/a.key", dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto vkey = crypto::ParseVerifierKey(r.out.substr(0, r.out.find('\n')));
  ASSERT_TRUE(vkey.ok()) << r.out;
  EXPECT_EQ(vkey->name, "un-mmu");
  std::ifstream f(dir_ + "/a.key");
  std::string skey;
  std::getline(f, skey);
  auto parsed = crypto::ParseSignerKey(skey);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(crypto::FormatVerifierKey(crypto::VerifierOf(*parsed)),
            crypto::FormatVerifierKey(*vkey));
  EXPECT_EQ(std::filesystem::status(dir_ + "/a.key").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // Never overwrites a key.
  CliRun again = Cli(fmt::format("keygen --name un-mmu --out {}/a.key", dir_));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("invalid_argument"), std::string::npos) << again.err;
  EXPECT_EQ(Cli(fmt::format("keygen --name 'bad name' --out {}/b.key", dir_)).exit_code, 2);
}

TEST_F(CliTest, AppendProveVerifyEndToEnd) {
  InitLog();
  // Sign with the CLI: keys to files first.
  const std::string ka = Write("a.key", crypto::FormatSignerKey(a_.key) + "\n");
  const std::string kb = Write("b.key", crypto::FormatSignerKey(b_.key) + "\n");
  json::Value genesis = json::Parse(testing::GenesisLine({&a_, &b_})).value();
  genesis.erase("sigs");
  CliRun s =
      Cli(fmt::format("sign --key {} --key {} {}", ka, kb, Write("g.json", genesis.dump(2))));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string lines = s.out;
  for (int i = 0; i < 5; ++i) {
    lines += testing::AdmitLine(a_, testing::MakeActor(fmt::format("v-{}", i), 100 + i), "vendor",
                                fmt::format("n{}", i)) +
             "\n";
  }
  lines += "{not json\n";  // line 7: bad_json
  lines += testing::AdmitLine(a_, testing::MakeActor("v-0", 100), "vendor", "n0") +
           "\n";  // resubmission
  CliRun ap = Cli(fmt::format("append --db {} {}", db_, Write("events.jsonl", lines)));
  EXPECT_EQ(ap.exit_code, 1) << ap.err;  // one line was rejected
  std::vector<json::Value> out;
  std::istringstream ss(ap.out);
  for (std::string l; std::getline(ss, l);) out.push_back(json::Parse(l).value());
  ASSERT_EQ(out.size(), 8u) << ap.out;
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(out[i]["seq"], i) << out[i].dump();
  EXPECT_EQ(out[6]["error"]["code"], "bad_json");
  EXPECT_EQ(out[7]["seq"], 1);  // the first receipt again
  EXPECT_EQ(out[7], out[1]);

  // checkpoint: a signed note by the log key.
  CliRun cp = Cli("checkpoint --db " + db_);
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  auto vkey = crypto::ParseVerifierKey(log_vkey_).value();
  auto opened = crypto::OpenNote(cp.out, std::span(&vkey, 1));
  ASSERT_TRUE(opened.ok()) << cp.out;
  auto body = log::ParseCheckpointBody(opened->text).value();
  EXPECT_EQ(body.size, 6u);

  // leaf + prove inclusion: an auditor's check with nothing but these outputs.
  for (uint64_t i = 0; i < 6; ++i) {
    CliRun leaf = Cli(fmt::format("leaf --db {} --index {}", db_, i));
    ASSERT_EQ(leaf.exit_code, 0);
    const std::string data = leaf.out.substr(0, leaf.out.size() - 1);
    EXPECT_EQ(crypto::FormatTaggedHash(log::HashLeaf(AsBytes(data))), out[i]["leaf_hash"]);
    CliRun pr = Cli(fmt::format("prove inclusion --db {} --index {}", db_, i));
    ASSERT_EQ(pr.exit_code, 0) << pr.err;
    auto proof = log::ParseTlogProof(pr.out);
    ASSERT_TRUE(proof.ok()) << pr.out;
    auto note = crypto::OpenNote(proof->checkpoint, std::span(&vkey, 1));
    ASSERT_TRUE(note.ok());
    auto c = log::ParseCheckpointBody(note->text).value();
    EXPECT_TRUE(
        log::VerifyInclusion(i, c.size, log::HashLeaf(AsBytes(data)), proof->hashes, c.root).ok());
  }
  // At an older size with no stored checkpoint: signed on demand with the recorded key.
  CliRun old = Cli(fmt::format("prove inclusion --db {} --index 1 --size 3", db_));
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_NE(old.out.find("\n3\n"), std::string::npos);

  // Consistency between the genesis checkpoint and now.
  CliRun pc = Cli(fmt::format("prove consistency --db {} --old 1", db_));
  ASSERT_EQ(pc.exit_code, 0) << pc.err;
  std::vector<std::vector<uint8_t>> hashes;
  std::istringstream hs(pc.out);
  for (std::string l; std::getline(hs, l);) hashes.push_back(Base64Decode(l).value());
  auto leaf0 = Cli(fmt::format("leaf --db {} --index 0", db_)).out;
  leaf0.pop_back();
  EXPECT_TRUE(log::VerifyConsistency(1, 6, hashes, log::HashLeaf(AsBytes(leaf0)), body.root).ok());

  CliRun show = Cli(fmt::format("show party un-mmu --db {} --json", db_));
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json::Value party = json::Parse(show.out).value();
  EXPECT_EQ(party["status"], "active");
  EXPECT_EQ(party["roles"], json::Value({"governor", "monitor"}));
  EXPECT_EQ(party["keys"][0]["vkey"], a_.vkey);
  CliRun text = Cli(fmt::format("show party v-3 --db {}", db_));
  EXPECT_NE(text.out.find("roles:\n  - vendor\n"), std::string::npos) << text.out;
  EXPECT_EQ(Cli(fmt::format("show party nobody --db {}", db_)).exit_code, 2);

  CliRun rp = Cli("replay --db " + db_);
  ASSERT_EQ(rp.exit_code, 0) << rp.out << rp.err;
  EXPECT_NE(rp.out.find("replayed 6 events"), std::string::npos) << rp.out;
  EXPECT_NE(rp.out.find("snapshot at 6: same state"), std::string::npos) << rp.out;

  CliRun v = Cli("verify --db " + db_);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("verify OK: 6 leaves"), std::string::npos) << v.out;
}

TEST_F(CliTest, ErrorsSayWhatWhereAndWhy) {
  CliRun r = Cli("checkpoint --db " + dir_ + "/missing.db");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not_found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing.db"), std::string::npos) << r.err;
  InitLog();
  CliRun leaf = Cli(fmt::format("leaf --db {} --index 5", db_));
  EXPECT_EQ(leaf.exit_code, 2);
  EXPECT_NE(leaf.err.find("no leaf 5"), std::string::npos) << leaf.err;
  CliRun bad = Cli(fmt::format("append --db {} {}", db_, Write("x.jsonl", "{\"v\":1.5}\n")));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(json::Parse(bad.out.substr(0, bad.out.find('\n'))).value()["error"]["path"], "/v");
  EXPECT_EQ(Cli("prove").exit_code, 2);
  EXPECT_EQ(Cli("frobnicate").exit_code, 2);
  // A key whose name is not the origin.
  Cli(fmt::format("keygen --name other --out {}/o.key", dir_));
  CliRun i =
      Cli(fmt::format("init --db {}/o.db --origin log.example.org --log-key {}/o.key", dir_, dir_));
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_NE(i.err.find("must equal the origin"), std::string::npos) << i.err;
}

TEST_F(CliTest, AppendReadsStandardInput) {
  InitLog();
  CliRun r = Cli(fmt::format("append --db {} -", db_), testing::GenesisLine({&a_}) + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::Parse(r.out).value()["seq"], 0);
}

}  // namespace
}  // namespace aidtrace
