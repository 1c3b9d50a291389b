// The Store conformance suite: every backend must pass it unchanged (Trillian's
// storage tester). Backends are listed in kBackends; PostgreSQL joins with its issue.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "base/encoding.h"
#include "store/store.h"
#include "testing/fault_env.h"

namespace aidtrace::store {
namespace {

struct Backend {
  std::string name;
  std::function<Result<std::unique_ptr<Store>>(Env&, const std::string& dir, bool create)> open;
};

const std::vector<Backend>& Backends() {
  static const std::vector<Backend> kBackends = {
      {"sqlite", [](Env& env, const std::string& dir, bool create) {
         OpenOptions o;
         o.create_if_missing = create;
         return Store::OpenSqlite(env, dir + "/log.db", o);
       }}};
  return kBackends;
}

crypto::Hash H(uint64_t i) { return crypto::Sha256(fmt::format("h{}", i)); }

// A batch of `n` synthetic leaves starting at `first`.
AppendBatch MakeBatch(uint64_t first, uint64_t n, bool with_private = false) {
  AppendBatch b;
  b.first_seq = first;
  for (uint64_t i = first; i < first + n; ++i) {
    b.leaves.push_back({fmt::format("leaf-{}", i), H(i), fmt::format("actor-{}", i % 3),
                        fmt::format("nonce-{}", i)});
    b.nodes.push_back({log::NodeId{0, i}, H(1000000 + i)});
    if (with_private) b.privates.push_back({i, fmt::format("{{\"private\":{}}}", i)});
  }
  b.checkpoint_size = first + n;
  b.checkpoint = fmt::format("checkpoint-{}", first + n);
  return b;
}

class StoreConformance : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            fmt::format("aidtrace-store-{}-{}", getpid(),
                        ::testing::UnitTest::GetInstance()->random_seed()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = Open(true);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Result<std::unique_ptr<Store>> Open(bool create) {
    return Backends()[GetParam()].open(env_, dir_, create);
  }
  void Reopen() {
    store_.reset();
    auto s = Open(false);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  testing::FaultEnv env_;
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformance, MetaIsWrittenOnce) {
  EXPECT_EQ(store_->Meta().status().code(), ErrorCode::kNotFound);
  LogMeta m{"example.org/log", "example.org/log+01020304+AQ==", "2026-11-23T10:00:00Z", "/k"};
  ASSERT_TRUE(store_->Initialize(m).ok());
  EXPECT_EQ(store_->Initialize(m).code(), ErrorCode::kInvalidArgument);
  Reopen();
  auto got = store_->Meta();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->origin, m.origin);
  EXPECT_EQ(got->log_vkey, m.log_vkey);
  EXPECT_EQ(got->created, m.created);
  EXPECT_EQ(got->log_key_file, m.log_key_file);
}

TEST_P(StoreConformance, AppendAndReadBack) {
  ASSERT_TRUE(store_->Append(MakeBatch(0, 5, true)).ok());
  ASSERT_TRUE(store_->Append(MakeBatch(5, 3)).ok());
  EXPECT_EQ(*store_->Size(), 8u);
  EXPECT_EQ(*store_->ReadLeaf(6), "leaf-6");
  EXPECT_EQ(store_->ReadLeaf(8).status().code(), ErrorCode::kNotFound);

  std::vector<uint64_t> seen;
  ASSERT_TRUE(store_
                  ->ScanLeaves(2, 7,
                               [&](uint64_t seq, std::string_view data) {
                                 EXPECT_EQ(data, fmt::format("leaf-{}", seq));
                                 seen.push_back(seq);
                                 return Status::Ok();
                               })
                  .ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{2, 3, 4, 5, 6}));

  std::vector<std::optional<NonceRecord>> many;
  const std::vector<Store::NonceKey> keys = {
      {"actor-1", "nonce-4"}, {"actor-0", "nonce-99"}, {"actor-2", "nonce-2"}};
  ASSERT_TRUE(store_->FindNonces(keys, many).ok());
  ASSERT_EQ(many.size(), 3u);
  EXPECT_EQ(many[0]->seq, 4u);
  EXPECT_EQ(many[0]->event_id, H(4));
  EXPECT_FALSE(many[1].has_value());
  EXPECT_EQ(many[2]->seq, 2u);
  auto n = store_->FindNonce("actor-1", "nonce-7");
  ASSERT_TRUE(n.ok() && n->has_value());
  EXPECT_EQ((*n)->seq, 7u);
  EXPECT_EQ((*n)->event_id, H(7));
  EXPECT_FALSE(store_->FindNonce("actor-2", "nonce-7")->has_value());

  EXPECT_EQ(*store_->CheckpointCovering(0), "checkpoint-5");
  EXPECT_EQ(*store_->CheckpointCovering(4), "checkpoint-5");
  EXPECT_EQ(*store_->CheckpointCovering(5), "checkpoint-8");
  EXPECT_EQ(store_->CheckpointCovering(8).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(**store_->CheckpointAt(8), "checkpoint-8");
  EXPECT_FALSE(store_->CheckpointAt(7)->has_value());
  std::vector<uint64_t> sizes;
  ASSERT_TRUE(store_
                  ->ScanCheckpoints([&](uint64_t s, std::string_view) {
                    sizes.push_back(s);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(sizes, (std::vector<uint64_t>{5, 8}));

  EXPECT_EQ(**store_->ReadPrivate(3), "{\"private\":3}");
  EXPECT_FALSE(store_->ReadPrivate(6)->has_value());

  std::vector<log::NodeId> ids = {{0, 7}, {0, 0}};
  std::vector<crypto::Hash> out(2);
  ASSERT_TRUE(store_->ReadHashes(ids, out).ok());
  EXPECT_EQ(out[0], H(1000007));
  EXPECT_EQ(out[1], H(1000000));
  std::vector<log::NodeId> missing = {{3, 0}};
  EXPECT_EQ(store_->ReadHashes(missing, std::span(out).first(1)).code(), ErrorCode::kCorrupt);
  uint64_t count = 0;
  ASSERT_TRUE(store_
                  ->ScanHashes(0, 3, UINT64_MAX,
                               [&](uint64_t idx, const crypto::Hash& h) {
                                 EXPECT_EQ(h, H(1000000 + idx));
                                 ++count;
                                 return Status::Ok();
                               })
                  .ok());
  EXPECT_EQ(count, 5u);

  Reopen();
  EXPECT_EQ(*store_->Size(), 8u);
  EXPECT_EQ(*store_->ReadLeaf(7), "leaf-7");
}

TEST_P(StoreConformance, AppendMustContinueTheLog) {
  ASSERT_TRUE(store_->Append(MakeBatch(0, 2)).ok());
  EXPECT_EQ(store_->Append(MakeBatch(3, 2)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->Append(MakeBatch(1, 2)).code(), ErrorCode::kInvalidArgument);
  AppendBatch wrong_cp = MakeBatch(2, 2);
  wrong_cp.checkpoint_size = 3;
  EXPECT_EQ(wrong_cp.checkpoint_size, 3u);
  EXPECT_EQ(store_->Append(wrong_cp).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(*store_->Size(), 2u);
}

TEST_P(StoreConformance, AFailedBatchLeavesNothingBehind) {
  ASSERT_TRUE(store_->Append(MakeBatch(0, 3)).ok());
  // The last leaf reuses an (actor, nonce): the engine refuses the batch half way through.
  AppendBatch b = MakeBatch(3, 4);
  b.leaves.back().actor = "actor-1";
  b.leaves.back().nonce = "nonce-1";
  Status s = store_->Append(b);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*store_->Size(), 3u);
  EXPECT_EQ(store_->ReadLeaf(3).status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store_->FindNonce("actor-0", "nonce-3")->has_value());
  EXPECT_FALSE(store_->CheckpointAt(7)->has_value());
  // And the store goes on.
  ASSERT_TRUE(store_->Append(MakeBatch(3, 4)).ok());
  EXPECT_EQ(*store_->Size(), 7u);
}

TEST_P(StoreConformance, EveryWriteAndSyncFailureIsCleanAndAtomic) {
  ASSERT_TRUE(store_->Append(MakeBatch(0, 10)).ok());
  // Count the writes and syncs of one batch, then fail each in turn.
  const uint64_t w0 = env_.writes(), s0 = env_.syncs();
  ASSERT_TRUE(store_->Append(MakeBatch(10, 10)).ok());
  const uint64_t writes = env_.writes() - w0, syncs = env_.syncs() - s0;
  ASSERT_GT(writes, 0u);
  ASSERT_GT(syncs, 0u);
  uint64_t size = 20;
  for (int kind = 0; kind < 2; ++kind) {
    const uint64_t n = kind == 0 ? writes + 2 : syncs + 1;
    for (uint64_t k = 1; k <= n; ++k) {
      if (kind == 0) {
        env_.FailWriteAt(k);
      } else {
        env_.FailSyncAt(k);
      }
      Status s = store_->Append(MakeBatch(size, 10));
      env_.ClearFaults();
      if (!s.ok()) {
        EXPECT_EQ(s.code(), ErrorCode::kIoError) << s.ToString();
      }
      // Reopen and check the batch is all there or not there at all.
      Reopen();
      const uint64_t now = *store_->Size();
      ASSERT_TRUE(now == size || now == size + 10)
          << "kind " << kind << " k " << k << " size " << now;
      if (now == size + 10) {
        EXPECT_EQ(**store_->CheckpointAt(now), fmt::format("checkpoint-{}", now));
        EXPECT_EQ(*store_->ReadLeaf(now - 1), fmt::format("leaf-{}", now - 1));
      } else {
        EXPECT_FALSE(s.ok()) << "an acknowledged batch was lost";
        EXPECT_FALSE(
            store_->FindNonce(fmt::format("actor-{}", size % 3), fmt::format("nonce-{}", size))
                ->has_value());
      }
      size = now;
    }
  }
}

TEST_P(StoreConformance, EveryLeafNeedsItsLeafHash) {
  AppendBatch b = MakeBatch(0, 3);
  b.nodes.erase(b.nodes.begin() + 1);
  EXPECT_EQ(store_->Append(b).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(*store_->Size(), 0u);
}

TEST_P(StoreConformance, OpenFailuresAreTyped) {
  auto missing = Store::OpenSqlite(env_, dir_ + "/nope/none.db");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  const std::string junk = dir_ + "/junk.db";
  std::ofstream(junk) << std::string(4096, 'x');
  EXPECT_EQ(Store::OpenSqlite(env_, junk).status().code(), ErrorCode::kCorrupt);
}

TEST_P(StoreConformance, TokensKeepOnlyTheirHashAndSurviveReopen) {
  const crypto::Hash a = crypto::Sha256("token-a"), b = crypto::Sha256("token-b");
  ASSERT_TRUE(store_->PutToken({a, "vendor-1", "vendor", "2026-11-23T10:00:00Z", ""}).ok());
  ASSERT_TRUE(store_->PutToken({b, "donor-1", "donor", "2026-11-23T10:01:00Z", ""}).ok());
  EXPECT_EQ(store_->PutToken({a, "x", "monitor", "2026-11-23T10:02:00Z", ""}).code(),
            ErrorCode::kInvalidArgument);
  auto missing = store_->FindToken(crypto::Sha256("token-c"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(store_->RevokeToken(crypto::Sha256("token-c"), "2026-11-23T11:00:00Z").code(),
            ErrorCode::kNotFound);
  ASSERT_TRUE(store_->RevokeToken(b, "2026-11-23T11:00:00Z").ok());
  ASSERT_TRUE(store_->RevokeToken(b, "2026-11-23T12:00:00Z").ok());  // keeps the first time
  Reopen();
  auto got = store_->FindToken(a);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->hash, a);
  EXPECT_EQ((*got)->party, "vendor-1");
  EXPECT_EQ((*got)->role, "vendor");
  EXPECT_EQ((*got)->created, "2026-11-23T10:00:00Z");
  EXPECT_EQ((*got)->revoked, "");
  auto revoked = store_->FindToken(b);
  ASSERT_TRUE(revoked.ok() && revoked->has_value());
  EXPECT_EQ((*revoked)->revoked, "2026-11-23T11:00:00Z");
  std::vector<std::string> parties;
  ASSERT_TRUE(store_
                  ->ScanTokens([&](const ApiToken& t) {
                    parties.push_back(t.party);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(parties.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Range<size_t>(0, Backends().size()),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           return Backends()[param.param].name;
                         });

}  // namespace
}  // namespace aidtrace::store
