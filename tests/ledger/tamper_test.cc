// Tampering: flipping a byte of any stored leaf, subtree hash or checkpoint is found by
// Ledger::Verify, which names the index.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ledger_fixture.h"

namespace aidtrace::ledger {
namespace {

class TamperTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    Genesis();
    // 13 events over 5 groups: several checkpoints and an incomplete right edge.
    int n = 0;
    for (int group : {1, 2, 3, 3, 4}) {
      std::vector<std::string> lines;
      for (int i = 0; i < group; ++i) lines.push_back(Admit(n++));
      for (auto& r : Submit(lines)) ASSERT_TRUE(r.ok());
    }
    ledger_.reset();  // closes the store: WAL folded into the database file
    ASSERT_TRUE(Ledger::Verify(env_, db_, std::make_unique<mechanism::Directory>()).ok());
    pristine_ = dir_ + "/pristine.db";
    std::filesystem::copy_file(db_, pristine_);
  }

  // Restores the pristine copy, flips byte `pos` of the blob selected by `select`
  // (a query returning one blob) using `update` (taking the new blob as ?1), verifies.
  Status FlipAndVerify(const std::string& select, const std::string& update, size_t pos) {
    std::filesystem::copy_file(pristine_, db_, std::filesystem::copy_options::overwrite_existing);
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, select.c_str(), -1, &st, nullptr), SQLITE_OK) << select;
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW) << select;
    std::string blob(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                     sqlite3_column_bytes(st, 0));
    sqlite3_finalize(st);
    pos %= blob.size();
    blob[pos] = static_cast<char>(blob[pos] ^ 0x01);
    EXPECT_EQ(sqlite3_prepare_v2(db, update.c_str(), -1, &st, nullptr), SQLITE_OK) << update;
    sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    auto report = Ledger::Verify(env_, db_, std::make_unique<mechanism::Directory>());
    return report.status();
  }

  std::string pristine_;
};

TEST_F(TamperTest, EveryLeafByteFlipIsFoundWithItsIndex) {
  for (uint64_t seq = 0; seq < 14; ++seq) {
    // Every 7th byte of the leaf, to cover structure, envelope, signature, time and seq.
    for (size_t pos = 0; pos < 4000; pos += 7) {
      const std::string sel = fmt::format("SELECT data FROM leaves WHERE seq = {}", seq);
      const size_t len = [&] {
        sqlite3* db = nullptr;
        sqlite3_open(pristine_.c_str(), &db);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, sel.c_str(), -1, &st, nullptr);
        sqlite3_step(st);
        const size_t n = static_cast<size_t>(sqlite3_column_bytes(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(db);
        return n;
      }();
      if (pos >= len) break;
      Status s =
          FlipAndVerify(sel, fmt::format("UPDATE leaves SET data = ?1 WHERE seq = {}", seq), pos);
      ASSERT_EQ(s.code(), ErrorCode::kCorrupt) << "seq " << seq << " byte " << pos;
      const bool named =
          s.message().find(fmt::format("leaf {}:", seq)) != std::string::npos ||
          s.message().find(fmt::format("level 0 index {} ", seq)) != std::string::npos;
      EXPECT_TRUE(named) << "seq " << seq << " byte " << pos << ": " << s.message();
    }
  }
}

TEST_F(TamperTest, EveryStoredHashFlipIsFoundWithItsIndex) {
  std::vector<std::pair<int, int>> nodes;
  for (int level = 0; level < 4; ++level) {
    for (int idx = 0; idx < (14 >> level); ++idx) nodes.emplace_back(level, idx);
  }
  for (auto [level, idx] : nodes) {
    for (size_t pos : {0, 13, 31}) {
      // Leaf hashes (level 0) are stored beside their leaf; the rest in the hash table.
      Status s =
          level == 0
              ? FlipAndVerify(fmt::format("SELECT hash FROM leaves WHERE seq = {}", idx),
                              fmt::format("UPDATE leaves SET hash = ?1 WHERE seq = {}", idx), pos)
              : FlipAndVerify(
                    fmt::format("SELECT hash FROM hashes WHERE level = {} AND idx = {}", level,
                                idx),
                    fmt::format("UPDATE hashes SET hash = ?1 WHERE level = {} AND idx = {}", level,
                                idx),
                    pos);
      ASSERT_EQ(s.code(), ErrorCode::kCorrupt) << level << "/" << idx;
      EXPECT_NE(s.message().find(fmt::format("level {} index {} ", level, idx)), std::string::npos)
          << s.message();
    }
  }
}

TEST_F(TamperTest, EveryCheckpointFlipIsFoundWithItsSize) {
  for (uint64_t size : {0, 1, 2, 4, 7, 10, 14}) {
    for (size_t pos : {0, 20, 30, 45, 60, 90, 120}) {
      Status s = FlipAndVerify(
          fmt::format("SELECT note FROM checkpoints WHERE size = {}", size),
          fmt::format("UPDATE checkpoints SET note = CAST(?1 AS TEXT) WHERE size = {}", size), pos);
      ASSERT_EQ(s.code(), ErrorCode::kCorrupt) << size << " byte " << pos;
      EXPECT_NE(s.message().find(fmt::format("checkpoint at size {}:", size)), std::string::npos)
          << s.message();
    }
  }
}

TEST_F(TamperTest, AFlippedSnapshotIsFound) {
  // The clean close in SetUp stored a snapshot of the final state (size 14).
  for (size_t pos : {2, 40, 100, 200}) {
    Status s = FlipAndVerify("SELECT data FROM snapshots WHERE size = 14",
                             "UPDATE snapshots SET data = ?1 WHERE size = 14", pos);
    ASSERT_EQ(s.code(), ErrorCode::kCorrupt) << pos;
    EXPECT_NE(s.message().find("state snapshot at size 14"), std::string::npos) << s.message();
  }
}

TEST_F(TamperTest, ADeletedLeafIsFound) {
  std::filesystem::copy_file(pristine_, db_, std::filesystem::copy_options::overwrite_existing);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM leaves WHERE seq = 5", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto report = Ledger::Verify(env_, db_, std::make_unique<mechanism::Directory>());
  EXPECT_EQ(report.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(report.status().message().find("leaf 5"), std::string::npos)
      << report.status().message();
}

}  // namespace
}  // namespace aidtrace::ledger
