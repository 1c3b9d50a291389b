// A ledger on a fresh SQLite store in a temporary folder, with a frozen clock and four
// founders already in the genesis, for the ledger tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "ledger/ledger.h"
#include "log/checkpoint.h"
#include "mechanism/directory.h"
#include "testing/events.h"
#include "testing/fault_env.h"

namespace aidtrace::ledger {

class LedgerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.FreezeClock({1795428000, 0});
    dir_ = (std::filesystem::temp_directory_path() /
            fmt::format("aidtrace-ledger-{}-{}", getpid(), counter_++))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = dir_ + "/log.db";
    log_key_ = testing::MakeActor("log.example.org", 1000).key;
    ASSERT_TRUE(Ledger::Create(env_, db_, "log.example.org", log_key_, dir_ + "/log.key").ok());
    Open();
  }
  void TearDown() override {
    ledger_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    ledger_.reset();
    auto l = Ledger::Open(env_, db_, std::make_unique<mechanism::Directory>(), log_key_);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(*l);
  }
  // Prepares and submits lines as one group; a line that fails Prepare gives its error.
  std::vector<Result<event::Receipt>> Submit(const std::vector<std::string>& lines) {
    std::vector<Result<event::Receipt>> out;
    std::vector<Prepared> items;
    std::vector<size_t> where;
    for (size_t i = 0; i < lines.size(); ++i) {
      auto p = ledger_->Prepare(lines[i]);
      out.push_back(p.ok() ? Result<event::Receipt>(Status(ErrorCode::kInternal, "pending"))
                           : p.status());
      if (p.ok()) {
        items.push_back(std::move(*p));
        where.push_back(i);
      }
    }
    auto results = ledger_->Submit(std::move(items));
    for (size_t k = 0; k < where.size(); ++k) out[where[k]] = std::move(results[k]);
    return out;
  }
  Result<event::Receipt> SubmitOne(const std::string& line) { return std::move(Submit({line})[0]); }

  // Genesis with the four founders, then `n` key.add-free admissions of vendors.
  void Genesis() {
    auto r = SubmitOne(testing::GenesisLine({&un_, &pa_, &cogat_, &donors_}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::string Admit(int i) {
    vendors_.push_back(testing::MakeActor(fmt::format("vendor-{}", i), 5000 + i));
    return testing::AdmitLine(un_, vendors_.back(), "vendor", fmt::format("admit-{}", i));
  }
  // item.define of "cement" by a governors' quorum (three of the four founders).
  std::string DefineItem() {
    return testing::SignedLine(testing::MakeEnvelope("item.define", un_.id, "item-cement",
                                                     {{"item", "cement"},
                                                      {"name", "Portland cement"},
                                                      {"unit", "kg"},
                                                      {"hs", "252329"},
                                                      {"controlled", true}}),
                               {&un_, &pa_, &cogat_});
  }
  // project.propose of project `project` by implementer `by` (needs DefineItem first).
  static std::string Propose(const testing::Actor& by, const std::string& nonce,
                             const std::string& project) {
    json::Value body = {{"project", project},
                        {"title", "School " + project},
                        {"category", "education"},
                        {"sector", "11220"},
                        {"area", "ps01"},
                        {"location", {{"lat_e6", 31300000}, {"lon_e6", 34250000}}},
                        {"budget", {{"currency", "USD"}, {"amount", 100000}}},
                        {"boq", {{{"item", "cement"}, {"quantity", 1000}}}}};
    return testing::SignedLine(testing::MakeEnvelope("project.propose", by.id, nonce, body), {&by});
  }
  std::string Suspend(const std::string& party, const std::string& nonce) {
    return testing::SignedLine(
        testing::MakeEnvelope("party.suspend", un_.id, nonce,
                              {{"party", party}, {"reason", "test"}, {"case", "c-1"}}),
        {&un_});
  }

  inline static int counter_ = 0;
  testing::FaultEnv env_;
  std::string dir_, db_;
  crypto::SignerKey log_key_;
  std::unique_ptr<Ledger> ledger_;
  testing::Actor un_ = testing::MakeActor("un-mmu", 1);
  testing::Actor pa_ = testing::MakeActor("pa-moca", 2);
  testing::Actor cogat_ = testing::MakeActor("cogat", 3);
  testing::Actor donors_ = testing::MakeActor("donor-group", 4);
  std::vector<testing::Actor> vendors_;
};

}  // namespace aidtrace::ledger
