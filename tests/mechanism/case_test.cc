// The rule-case runner: every file in tests/mechanism/cases/*.case is a script of
// events and the outcome each must have, run through a real ledger on a fresh store of
// every backend in testing/backends.h (the store conformance harness's list), so a new
// backend inherits the whole rule suite (DuckDB's sqllogictest habit: a new rule gets a
// new file, not a new fixture).
//
// Format, one directive a line ('#' starts a comment):
//   party ID ROLE[,ROLE...]        declare a party (its key is derived from its id)
//   policy {JSON}                  the genesis policy (default: every governor, majority)
//   genesis [FOUNDER...]           submit mechanism.genesis of the declared parties (or the
//                                  listed ones), signed by all of them
//   submit TYPE ACTOR[+SIGNER...] [nonce=N] {BODY}   submit an envelope signed by the
//                                  actor and the extra signers; "$vkey:ID" in BODY is
//                                  replaced with ID's verifier key, "$vkeyN:ID" (N 2..20)
//                                  with its N-th key, "$keyid:ID" with the first key's id,
//                                  "$event:NONCE" with the event id of the latest
//                                  submission that had that nonce
//   private {JSON}                 the private record of the next submit: it travels beside
//                                  the envelope, and the body's "pii" is set to its hash
//   raw TEXT                       submit TEXT as it is
//   expect ok | CODE [PATH]        the outcome of the last submission
//   check party ID suspended=BOOL | roles=R,R   a fact of the state at this point
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/sha256.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "testing/backends.h"
#include "testing/events.h"
#include "testing/fault_env.h"

namespace aidtrace::mechanism {
namespace {

namespace fs = std::filesystem;

fs::path CasesDir() { return fs::path(AIDTRACE_CASES_DIR); }

uint64_t SeedOf(const std::string& id) {
  const crypto::Hash h = crypto::Sha256(id);
  uint64_t s = 0;
  for (int i = 0; i < 8; ++i) s = (s << 8) | h[i];
  return s;
}

class CaseRunner {
 public:
  CaseRunner(const fs::path& file, const std::string& location)
      : file_(file), location_(location) {}

  void Run() {
    env_.FreezeClock({1795428000, 0});
    crypto::SignerKey log_key = testing::MakeActor("cases.example.org", 1).key;
    ASSERT_TRUE(ledger::Ledger::Create(env_, location_, "cases.example.org", log_key, "k").ok());
    auto directory = std::make_unique<Directory>();
    directory_ = directory.get();
    auto l = ledger::Ledger::Open(env_, location_, std::move(directory), log_key);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(*l);
    std::ifstream in(file_);
    std::string line;
    while (std::getline(in, line)) {
      ++line_no_;
      const auto start = line.find_first_not_of(" \t");
      if (start == std::string::npos || line[start] == '#') continue;
      line = line.substr(start);
      const std::string where = fmt::format("{}:{}", file_.filename().string(), line_no_);
      SCOPED_TRACE(where);
      Directive(line);
      if (::testing::Test::HasFatalFailure()) return;
    }
    EXPECT_TRUE(expected_) << file_.filename() << ": the last submission has no expect line";
    // Replay equals incremental: reopening rebuilds the same state.
    const crypto::Hash digest = ledger_->StateDigest();
    // Snapshot and Restore are exact inverses.
    const std::string snapshot = directory_->Snapshot();
    Directory restored;
    const Status restore = restored.Restore(snapshot);
    EXPECT_TRUE(restore.ok()) << restore.ToString();
    EXPECT_EQ(restored.Snapshot(), snapshot) << "restore does not invert snapshot";
    ledger_.reset();
    auto again = ledger::Ledger::Open(env_, location_, std::make_unique<Directory>(), std::nullopt);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->StateDigest(), digest) << "replay differs from the incremental state";
    auto report = ledger::Ledger::Verify(env_, location_, std::make_unique<Directory>());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
  }

 private:
  const testing::Actor& ActorOf(const std::string& id) {
    auto it = actors_.find(id);
    if (it == actors_.end()) it = actors_.emplace(id, testing::MakeActor(id, SeedOf(id))).first;
    return it->second;
  }

  std::string Substitute(std::string body) {
    std::vector<std::string> tags;
    for (int n = 20; n >= 2; --n) tags.push_back(fmt::format("$vkey{}:", n));
    for (const char* t : {"$vkey:", "$keyid:", "$event:"}) tags.emplace_back(t);
    for (const std::string& tag : tags) {
      for (size_t at; (at = body.find(tag)) != std::string::npos;) {
        size_t end = at + tag.size();
        while (end < body.size() && (std::isalnum(static_cast<unsigned char>(body[end])) ||
                                     body[end] == '-' || body[end] == '.' || body[end] == '_')) {
          ++end;
        }
        const std::string id = body.substr(at + tag.size(), end - at - tag.size());
        if (tag == "$event:") {
          const auto ev = event_ids_.find(id);
          EXPECT_NE(ev, event_ids_.end()) << "no earlier submission with nonce " << id;
          body.replace(at, end - at, ev == event_ids_.end() ? "?" : ev->second);
          continue;
        }
        const testing::Actor& a = ActorOf(id);
        if (tag.size() > 6 && std::isdigit(static_cast<unsigned char>(tag[5]))) {
          // "$vkeyN:ID": the N-th key of ID (N >= 2).
          const int n = std::stoi(tag.substr(5));
          body.replace(at, end - at, testing::MakeActor(id, SeedOf(id) + n - 1).vkey);
        } else {
          body.replace(at, end - at, tag == "$vkey:" ? a.vkey : crypto::KeyIdHex(a.key.id));
        }
      }
    }
    return body;
  }

  void Submit(const std::string& line) {
    ASSERT_TRUE(expected_) << "the previous submission has no expect line";
    expected_ = false;
    auto p = ledger_->Prepare(line);
    if (!p.ok()) {
      last_ = p.status();
      return;
    }
    event_ids_[p->sub.envelope.nonce] = "sha256:" + HexEncode(p->sub.envelope.id);
    std::vector<ledger::Prepared> items;
    items.push_back(std::move(*p));
    auto r = ledger_->Submit(std::move(items));
    last_ = r[0].ok() ? Status::Ok() : r[0].status();
  }

  void Directive(const std::string& line) {
    std::istringstream ss(line);
    std::string word;
    ss >> word;
    std::string rest;
    std::getline(ss, rest);
    if (const auto s = rest.find_first_not_of(' '); s != std::string::npos) rest = rest.substr(s);
    if (word == "party") {
      std::istringstream ps(rest);
      std::string id, roles;
      ps >> id >> roles;
      ASSERT_FALSE(id.empty() || roles.empty()) << "party ID ROLE[,ROLE]";
      parties_.push_back({id, roles});
      ActorOf(id);
    } else if (word == "policy") {
      policy_ = json::Parse(Substitute(rest)).value();
    } else if (word == "genesis") {
      std::istringstream gs(rest);
      std::vector<std::string> only;
      for (std::string f; gs >> f;) only.push_back(f);
      json::Value parties = json::Value::array();
      json::Value governors = json::Value::array();
      std::vector<const testing::Actor*> signers;
      for (const auto& [id, roles] : parties_) {
        if (!only.empty() && std::find(only.begin(), only.end(), id) == only.end()) continue;
        json::Value rs = json::Value::array();
        std::istringstream r(roles);
        for (std::string role; std::getline(r, role, ',');) rs.push_back(role);
        if (roles.find("governor") != std::string::npos) governors.push_back(id);
        parties.push_back(
            {{"party", id}, {"name", id}, {"roles", rs}, {"keys", {ActorOf(id).vkey}}});
        signers.push_back(&ActorOf(id));
      }
      ASSERT_FALSE(signers.empty()) << "genesis needs declared parties";
      json::Value policy =
          policy_.is_null()
              ? json::Value{{"governance", {{"of", governors}, {"k", governors.size() / 2 + 1}}}}
              : policy_;
      json::Value body = {
          {"mechanism", "cases"}, {"name", "Rule cases"}, {"parties", parties}, {"policy", policy}};
      Submit(testing::SignedLine(testing::MakeEnvelope("mechanism.genesis", signers[0]->id,
                                                       fmt::format("n{}", line_no_), body),
                                 signers));
    } else if (word == "submit") {
      std::istringstream s2(rest);
      std::string type, who;
      s2 >> type >> who;
      std::string tail;
      std::getline(s2, tail);
      std::string nonce = fmt::format("n{}", line_no_);
      if (const auto s = tail.find_first_not_of(' '); s != std::string::npos) tail = tail.substr(s);
      if (tail.rfind("nonce=", 0) == 0) {
        const auto sp = tail.find(' ');
        nonce = tail.substr(6, sp - 6);
        tail = sp == std::string::npos ? "{}" : tail.substr(sp + 1);
      }
      std::vector<const testing::Actor*> signers;
      std::istringstream ws(who);
      for (std::string id; std::getline(ws, id, '+');) signers.push_back(&ActorOf(id));
      auto body = json::Parse(Substitute(tail));
      ASSERT_TRUE(body.ok()) << "body: " << body.status().ToString();
      if (private_.has_value() && body->is_object() && !body->contains("pii")) {
        (*body)["pii"] =
            crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(*private_).value()));
      }
      Submit(testing::SignedLine(testing::MakeEnvelope(type, signers[0]->id, nonce, *body), signers,
                                 private_.has_value() ? &*private_ : nullptr));
      private_.reset();
    } else if (word == "private") {
      auto record = json::Parse(rest);
      ASSERT_TRUE(record.ok()) << "private: " << record.status().ToString();
      private_ = std::move(*record);
    } else if (word == "raw") {
      Submit(rest);
    } else if (word == "expect") {
      ASSERT_FALSE(expected_) << "expect without a submission";
      expected_ = true;
      std::istringstream es(rest);
      std::string code, path;
      es >> code >> path;
      if (code == "ok") {
        EXPECT_TRUE(last_.ok()) << "expected ok, got " << last_.ToString();
      } else {
        EXPECT_EQ(last_.code_name(), code) << last_.ToString();
        if (!path.empty()) {
          EXPECT_EQ(last_.path(), path) << last_.ToString();
        }
      }
    } else if (word == "check") {
      std::istringstream cs(rest);
      std::string what, id, fact;
      cs >> what >> id >> fact;
      ASSERT_EQ(what, "party") << "only party facts are checkable so far";
      auto p = directory_->FindParty(id);
      ASSERT_TRUE(p.has_value()) << "no party " << id;
      if (fact.rfind("suspended=", 0) == 0) {
        EXPECT_EQ(p->suspended, fact.substr(10) == "true");
      } else if (fact.rfind("roles=", 0) == 0) {
        std::vector<std::string> want;
        std::istringstream r(fact.substr(6));
        for (std::string role; std::getline(r, role, ',');) want.push_back(role);
        std::sort(want.begin(), want.end());
        EXPECT_EQ(p->roles, want);
      } else {
        FAIL() << "unknown fact " << fact;
      }
    } else {
      FAIL() << "unknown directive " << word;
    }
  }

  fs::path file_;
  std::string location_;
  testing::FaultEnv env_;
  std::unique_ptr<ledger::Ledger> ledger_;
  Directory* directory_ = nullptr;
  std::map<std::string, testing::Actor> actors_;
  std::map<std::string, std::string> event_ids_;  // nonce -> "sha256:..." event id
  std::vector<std::pair<std::string, std::string>> parties_;
  json::Value policy_;
  std::optional<json::Value> private_;  // for the next submit
  Status last_;
  bool expected_ = true;
  int line_no_ = 0;
};

// (store backend, case name): every case runs on every backend of testing/backends.h.
using CaseParam = std::tuple<size_t, std::string>;
class RuleCase : public ::testing::TestWithParam<CaseParam> {};

TEST_P(RuleCase, Runs) {
  const auto& [backend, name] = GetParam();
  const std::string dir =
      (fs::temp_directory_path() / fmt::format("aidtrace-case-{}-{}-{}", getpid(), backend, name))
          .string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  CaseRunner(CasesDir() / (name + ".case"), testing::StoreBackends()[backend].location(dir)).Run();
  fs::remove_all(dir);
}

std::vector<size_t> BackendIndexes() {
  std::vector<size_t> out(testing::StoreBackends().size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

std::vector<std::string> AllCases() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(CasesDir())) {
    if (e.path().extension() == ".case") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Cases, RuleCase,
                         ::testing::Combine(::testing::ValuesIn(BackendIndexes()),
                                            ::testing::ValuesIn(AllCases())),
                         [](const ::testing::TestParamInfo<CaseParam>& param) {
                           std::string n = testing::StoreBackends()[std::get<0>(param.param)].name +
                                           "_" + std::get<1>(param.param);
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

// Every role-restricted event type has at least one case that is allowed and one that
// is refused with not_permitted: a type without both fails here.
TEST(RuleCoverage, EveryRoleRestrictedTypeHasAllowedAndRefusedCases) {
  std::map<std::string, std::pair<bool, bool>> seen;  // type -> (ok seen, not_permitted seen)
  for (const auto& name : AllCases()) {
    std::ifstream in(CasesDir() / (name + ".case"));
    std::string line, type;
    while (std::getline(in, line)) {
      std::istringstream ss(line);
      std::string word;
      ss >> word;
      if (word == "submit") {
        ss >> type;
      } else if (word == "expect" && !type.empty()) {
        std::string code;
        ss >> code;
        if (code == "ok") seen[type].first = true;
        if (code == "not_permitted") seen[type].second = true;
        type.clear();
      }
    }
  }
  for (std::string_view t :
       {"party.suspend",       "party.reinstate",     "warehouse.register", "project.propose",
        "project.approve",     "project.reject",      "project.amend",      "project.suspend",
        "project.resume",      "project.complete",    "project.close",      "beneficiary.register",
        "consignment.request", "consignment.approve", "consignment.enter",  "stock.transfer",
        "material.release",    "material.verify",     "stock.count",        "funds.pledge",
        "funds.commit",        "funds.disburse",      "funds.pay",          "watchlist.load",
        "screening.hit",       "screening.clear",     "screening.confirm",  "alert.raise",
        "case.open",           "case.note",           "case.close",         "policy.set",
        "item.define",         "appeal.decide",       "party.admit",        "key.add",
        "key.revoke"}) {
    const auto it = seen.find(std::string(t));
    EXPECT_TRUE(it != seen.end() && it->second.first) << t << " has no allowed case";
    EXPECT_TRUE(it != seen.end() && it->second.second)
        << t << " has no refused (not_permitted) case";
  }
}

// Every rule of docs/EVENTS.md has a case: each error code a type's "Rules" list names
// (except those marked not enforced) is the expected outcome of at least one submission of
// that type in tests/mechanism/cases/. A rule added to the doc without a case fails here.
TEST(RuleCoverage, EveryDocumentedRuleHasACase) {
  std::ifstream doc_in(AIDTRACE_EVENTS_DOC);
  std::stringstream doc;
  doc << doc_in.rdbuf();
  std::set<std::pair<std::string, std::string>> rules;  // (type, code)
  std::istringstream lines(doc.str());
  std::string line, type;
  bool in_rules = false;
  while (std::getline(lines, line)) {
    if (line.rfind("### `", 0) == 0) {
      type = line.substr(5, line.find('`', 5) - 5);
      in_rules = false;
    } else if (line.rfind("**Rules", 0) == 0) {
      in_rules = true;
    } else if (line.rfind("**State", 0) == 0 || line.rfind("```", 0) == 0) {
      in_rules = false;
    } else if (in_rules && line.rfind("- `", 0) == 0 &&
               line.find("(not enforced") == std::string::npos) {
      // "- `code`, `code`: ..." — the codes before the colon.
      const std::string head = line.substr(0, line.find(':'));
      for (size_t at = head.find('`'); at != std::string::npos;) {
        const size_t end = head.find('`', at + 1);
        if (end == std::string::npos) break;
        rules.emplace(type, head.substr(at + 1, end - at - 1));
        at = head.find('`', end + 1);
      }
    }
  }
  ASSERT_GT(rules.size(), 100u) << "no rules found in " << AIDTRACE_EVENTS_DOC;
  std::set<std::pair<std::string, std::string>> cased;
  for (const auto& name : AllCases()) {
    std::ifstream in(CasesDir() / (name + ".case"));
    std::string l, t;
    while (std::getline(in, l)) {
      std::istringstream ss(l);
      std::string word;
      ss >> word;
      if (word == "submit") {
        ss >> t;
      } else if (word == "genesis") {
        t = "mechanism.genesis";
      } else if (word == "raw") {
        const auto at = l.find("\"type\":\"");
        t = at == std::string::npos ? "" : l.substr(at + 8, l.find('"', at + 8) - at - 8);
      } else if (word == "expect" && !t.empty()) {
        std::string code;
        ss >> code;
        cased.emplace(t, code);
        t.clear();
      }
    }
  }
  // Rules a case script cannot reach, and the test that shows each.
  const std::set<std::pair<std::string, std::string>> elsewhere = {
      {"mechanism.genesis", "quorum_not_met"},  // tests/ledger/ledger_test.cc (partial sigs)
      {"mechanism.genesis", "unknown_party"},   // tests/ledger/ledger_test.cc
  };
  for (const auto& r : rules) {
    EXPECT_TRUE(cased.contains(r) || elsewhere.contains(r))
        << r.first << " has no case that expects " << r.second;
  }
}

}  // namespace
}  // namespace aidtrace::mechanism
