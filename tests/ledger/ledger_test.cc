#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "base/encoding.h"
#include "ledger/ingest.h"
#include "ledger_fixture.h"

namespace aidtrace::ledger {
namespace {

// Parses a receipt's checkpoint with the log key: (size, root).
log::Checkpoint OpenCheckpoint(const Ledger& l, const std::string& note) {
  auto opened = crypto::OpenNote(note, std::span(&l.log_verifier(), 1));
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  auto cp = log::ParseCheckpointBody(opened.ok() ? opened->text : "");
  EXPECT_TRUE(cp.ok()) << cp.status().ToString();
  return cp.ok() ? *cp : log::Checkpoint{};
}

using LedgerTest = LedgerFixture;

TEST_F(LedgerTest, EmptyLogHasASignedCheckpoint) {
  auto note = ledger_->Checkpoint();
  ASSERT_TRUE(note.ok());
  log::Checkpoint cp = OpenCheckpoint(*ledger_, *note);
  EXPECT_EQ(cp.origin, "log.example.org");
  EXPECT_EQ(cp.size, 0u);
  EXPECT_EQ(cp.root, log::EmptyRoot());
}

TEST_F(LedgerTest, ReceiptCoversTheEvent) {
  const std::string line = testing::GenesisLine({&un_, &pa_, &cogat_, &donors_});
  auto r = SubmitOne(line);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->seq, 0u);
  EXPECT_EQ(r->id, crypto::Sha256(line));
  EXPECT_EQ(r->logged, "2026-11-23T10:00:00Z");
  auto leaf = ledger_->Leaf(0);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(r->leaf_hash, log::HashLeaf(AsBytes(*leaf)));
  EXPECT_EQ(*leaf, event::BuildLeaf(0, r->logged, line));
  log::Checkpoint cp = OpenCheckpoint(*ledger_, r->checkpoint);
  EXPECT_EQ(cp.size, 1u);
  EXPECT_EQ(cp.root, r->leaf_hash);
  EXPECT_EQ(*ledger_->Checkpoint(), r->checkpoint);
}

TEST_F(LedgerTest, TheFirstEventMustBeGenesisSignedByEveryFounder) {
  auto admit = SubmitOne(Admit(1));
  EXPECT_EQ(admit.status().code(), ErrorCode::kUnknownParty);
  // Three of four founders sign.
  json::Value g = json::Parse(testing::GenesisLine({&un_, &pa_, &cogat_, &donors_})).value();
  g.erase("sigs");
  auto partial = SubmitOne(testing::SignedLine(g, {&un_, &pa_, &cogat_}));
  EXPECT_EQ(partial.status().code(), ErrorCode::kQuorumNotMet);
  EXPECT_EQ(partial.status().path(), "/sigs");
  EXPECT_EQ(ledger_->Size(), 0u);
  Genesis();
  // A second genesis is refused.
  auto again = SubmitOne(testing::SignedLine(
      testing::MakeEnvelope("mechanism.genesis", un_.id, "genesis-2", g["body"]),
      {&un_, &pa_, &cogat_, &donors_}));
  EXPECT_EQ(again.status().code(), ErrorCode::kBadState);
  EXPECT_EQ(ledger_->Size(), 1u);
}

TEST_F(LedgerTest, ResubmissionReturnsTheFirstReceipt) {
  Genesis();
  const std::string line = Admit(1);
  auto first = SubmitOne(line);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(SubmitOne(Admit(2)).ok());
  auto again = SubmitOne(line);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->leaf_hash, first->leaf_hash);
  EXPECT_EQ(again->logged, first->logged);
  EXPECT_EQ(again->checkpoint, first->checkpoint);
  // Twice within one group: one leaf, two equal receipts.
  const std::string line3 = Admit(3);
  auto both = Submit({line3, line3});
  ASSERT_TRUE(both[0].ok() && both[1].ok());
  EXPECT_EQ(both[0]->seq, both[1]->seq);
  EXPECT_EQ(ledger_->Size(), 4u);
  // And after a restart.
  Open();
  auto after = SubmitOne(line);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->checkpoint, first->checkpoint);
}

TEST_F(LedgerTest, AReusedNonceIsRefused) {
  Genesis();
  ASSERT_TRUE(SubmitOne(Admit(1)).ok());
  // Another envelope, same actor and nonce ("admit-1").
  vendors_.push_back(testing::MakeActor("vendor-x", 77));
  auto r = SubmitOne(testing::AdmitLine(un_, vendors_.back(), "vendor", "admit-1"));
  EXPECT_EQ(r.status().code(), ErrorCode::kReplayedNonce);
  EXPECT_EQ(r.status().path(), "/nonce");
  // Within one group too.
  auto v1 = testing::MakeActor("vendor-y", 78), v2 = testing::MakeActor("vendor-z", 79);
  auto rs = Submit(
      {testing::AdmitLine(un_, v1, "vendor", "n-9"), testing::AdmitLine(un_, v2, "vendor", "n-9")});
  EXPECT_TRUE(rs[0].ok());
  EXPECT_EQ(rs[1].status().code(), ErrorCode::kReplayedNonce);
  EXPECT_EQ(ledger_->Size(), 3u);
}

TEST_F(LedgerTest, ARejectedEventChangesNothing) {
  Genesis();
  const crypto::Hash before = ledger_->StateDigest();
  const std::string cp = *ledger_->Checkpoint();
  auto stranger = testing::MakeActor("stranger", 9);
  auto r = SubmitOne(testing::AdmitLine(stranger, testing::MakeActor("v", 10), "vendor", "x"));
  EXPECT_EQ(r.status().code(), ErrorCode::kUnknownParty);
  auto bad_type = SubmitOne(testing::SignedLine(
      testing::MakeEnvelope("no.such", un_.id, "t", json::Value::object()), {&un_}));
  EXPECT_EQ(bad_type.status().code(), ErrorCode::kBadEnvelope);
  EXPECT_EQ(bad_type.status().path(), "/type");
  EXPECT_EQ(ledger_->Size(), 1u);
  EXPECT_EQ(ledger_->StateDigest(), before);
  EXPECT_EQ(*ledger_->Checkpoint(), cp);
}

TEST_F(LedgerTest, SuspendedPartiesAndRevokedKeysCannotSign) {
  Genesis();
  ASSERT_TRUE(SubmitOne(DefineItem()).ok());
  const testing::Actor v = testing::MakeActor("undp", 77);
  ASSERT_TRUE(SubmitOne(testing::AdmitLine(un_, v, "implementer", "admit-undp")).ok());
  auto pledge = [&](const std::string& nonce) { return Propose(v, nonce, "project-" + nonce); };
  ASSERT_TRUE(SubmitOne(pledge("p1")).ok());
  ASSERT_TRUE(SubmitOne(Suspend(v.id, "s-1")).ok());
  auto r = SubmitOne(pledge("p2"));
  EXPECT_EQ(r.status().code(), ErrorCode::kPartySuspended);
  auto reinstate = testing::SignedLine(
      testing::MakeEnvelope("party.reinstate", un_.id, "s-2",
                            {{"party", v.id}, {"reason", "ok"}, {"case", "c-1"}}),
      {&un_});
  ASSERT_TRUE(SubmitOne(reinstate).ok());
  ASSERT_TRUE(SubmitOne(pledge("p3")).ok());
  // The vendor adds a second key, then revokes the first.
  testing::Actor v2 = testing::MakeActor(v.id, 4242);
  ASSERT_TRUE(
      SubmitOne(testing::SignedLine(testing::MakeEnvelope("key.add", v.id, "k1",
                                                          {{"party", v.id}, {"key", v2.vkey}}),
                                    {&v}))
          .ok());
  ASSERT_TRUE(
      SubmitOne(testing::SignedLine(testing::MakeEnvelope(
                                        "key.revoke", v2.id, "k2",
                                        {{"party", v.id}, {"key_id", crypto::KeyIdHex(v.key.id)}}),
                                    {&v2}))
          .ok());
  auto old_key = SubmitOne(pledge("p4"));
  EXPECT_EQ(old_key.status().code(), ErrorCode::kKeyRevoked);
  EXPECT_EQ(old_key.status().path(), "/sigs/0/key");
  ASSERT_TRUE(SubmitOne(Propose(v2, "p5", "project-p5")).ok());
}

TEST_F(LedgerTest, PrivateRecordsStayOutOfTheLog) {
  Genesis();
  json::Value priv = {{"salt", Base64Encode(Bytes(16, 3))},
                      {"names", {{"given", "Fatima"}, {"family", "Zidan"}}}};
  const std::string pii = crypto::FormatTaggedHash(crypto::Sha256(json::Canonical(priv).value()));
  ASSERT_TRUE(SubmitOne(DefineItem()).ok());
  auto r = SubmitOne(testing::SignedLine(
      testing::MakeEnvelope("beneficiary.register", un_.id, "b1",
                            {{"beneficiary", "hh-1"},
                             {"area", "ps01"},
                             {"household_size", 6},
                             {"damage", "major"},
                             {"entitlement", {{{"item", "cement"}, {"quantity", 500}}}},
                             {"pii", pii}}),
      {&un_}, &priv));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ledger_->Leaf(r->seq)->find("Zidan"), std::string::npos);
  auto stored = ledger_->PrivateRecord(r->seq);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(**stored, json::Canonical(priv).value());
  EXPECT_FALSE(ledger_->PrivateRecord(0)->has_value());
  // Erasure removes the record and leaves the log verifiable.
  ASSERT_TRUE(ledger_->ErasePrivate(r->seq).ok());
  EXPECT_FALSE(ledger_->PrivateRecord(r->seq)->has_value());
  EXPECT_EQ(ledger_->ErasePrivate(r->seq).code(), ErrorCode::kNotFound);
  ledger_.reset();
  EXPECT_TRUE(Ledger::Verify(env_, db_, std::make_unique<mechanism::Directory>()).ok());
}

TEST_F(LedgerTest, SnapshotsEqualReplay) {
  ledger_.reset();
  LedgerOptions opts;
  opts.snapshot_every = 5;
  auto open = [&](LedgerOptions o) {
    auto l = Ledger::Open(env_, db_, std::make_unique<mechanism::Directory>(), log_key_, o);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return std::move(*l);
  };
  ledger_ = open(opts);
  Genesis();
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(SubmitOne(Admit(i)).ok());
  ASSERT_TRUE(SubmitOne(Suspend("vendor-4", "s1")).ok());
  const crypto::Hash digest = ledger_->StateDigest();
  ledger_.reset();  // a clean close snapshots the final state
  ledger_ = open(opts);
  EXPECT_EQ(ledger_->replayed_from(), 14u);
  EXPECT_EQ(ledger_->StateDigest(), digest);
  ASSERT_TRUE(SubmitOne(Admit(50)).ok());
  const crypto::Hash digest2 = ledger_->StateDigest();
  ledger_.reset();
  LedgerOptions full = opts;
  full.use_snapshots = false;
  full.snapshot_every = 0;
  ledger_ = open(full);
  EXPECT_EQ(ledger_->replayed_from(), 0u);
  EXPECT_EQ(ledger_->StateDigest(), digest2);
  ledger_.reset();
  auto report = Ledger::Verify(env_, db_, std::make_unique<mechanism::Directory>());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->state_digest, digest2);
}

TEST_F(LedgerTest, ProofsVerifyAtEverySize) {
  Genesis();
  std::vector<std::string> checkpoints;
  for (int batch = 0; batch < 9; ++batch) {
    std::vector<std::string> lines;
    for (int i = 0; i < 1 + batch * 3; ++i) lines.push_back(Admit(batch * 100 + i));
    auto rs = Submit(lines);
    for (auto& r : rs) ASSERT_TRUE(r.ok()) << r.status().ToString();
    checkpoints.push_back(rs.back()->checkpoint);
  }
  const uint64_t n = ledger_->Size();
  for (uint64_t size : {uint64_t{1}, uint64_t{2}, uint64_t{7}, uint64_t{33}, n}) {
    for (uint64_t i = 0; i < size; i += 1 + size / 7) {
      auto text = ledger_->ProveInclusion(i, size);
      ASSERT_TRUE(text.ok()) << text.status().ToString();
      auto proof = log::ParseTlogProof(*text);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_EQ(proof->index, i);
      log::Checkpoint cp = OpenCheckpoint(*ledger_, proof->checkpoint);
      ASSERT_EQ(cp.size, size);
      const crypto::Hash leaf = log::HashLeaf(AsBytes(*ledger_->Leaf(i)));
      EXPECT_TRUE(log::VerifyInclusion(i, size, leaf, proof->hashes, cp.root).ok())
          << i << "/" << size;
    }
  }
  for (size_t a = 0; a < checkpoints.size(); ++a) {
    for (size_t b = a; b < checkpoints.size(); ++b) {
      log::Checkpoint ca = OpenCheckpoint(*ledger_, checkpoints[a]);
      log::Checkpoint cb = OpenCheckpoint(*ledger_, checkpoints[b]);
      auto proof = ledger_->ProveConsistency(ca.size, cb.size);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_TRUE(log::VerifyConsistency(ca.size, cb.size, *proof, ca.root, cb.root).ok());
    }
  }
  EXPECT_EQ(ledger_->ProveInclusion(n, n).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ledger_->ProveInclusion(0, n + 1).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ledger_->ProveConsistency(0, n).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(LedgerTest, ConcurrentSubmittersShareFsyncs) {
  Genesis();
  constexpr int kThreads = 8, kEach = 40;
  std::vector<testing::Actor> vs;
  for (int i = 0; i < kThreads * kEach; ++i)
    vs.push_back(testing::MakeActor(fmt::format("v-{}", i), 9000 + i));
  std::vector<std::vector<std::string>> lines(kThreads);
  for (int i = 0; i < kThreads * kEach; ++i) {
    lines[i % kThreads].push_back(testing::AdmitLine(un_, vs[i], "vendor", fmt::format("n-{}", i)));
  }
  const uint64_t syncs_before = env_.syncs();
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (const auto& line : lines[t]) {
          auto p = ledger_->Prepare(line);
          ASSERT_TRUE(p.ok());
          std::vector<Prepared> one;
          one.push_back(std::move(*p));
          auto r = ledger_->Submit(std::move(one));
          ASSERT_TRUE(r[0].ok()) << r[0].status().ToString();
          seqs[t].push_back(r[0]->seq);
        }
      });
    }
  }
  std::set<uint64_t> all;
  for (auto& s : seqs) all.insert(s.begin(), s.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kEach));
  EXPECT_EQ(ledger_->Size(), static_cast<uint64_t>(kThreads * kEach + 1));
  // Each group commit costs a couple of syncs (WAL + possibly a checkpoint); with eight
  // concurrent submitters groups form, so there are fewer syncs than events.
  EXPECT_LT(env_.syncs() - syncs_before, static_cast<uint64_t>(kThreads * kEach));
}

TEST_F(LedgerTest, ReopeningRebuildsTheSameState) {
  Genesis();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(SubmitOne(Admit(i)).ok());
  ASSERT_TRUE(SubmitOne(Suspend("vendor-3", "s1")).ok());
  const crypto::Hash digest = ledger_->StateDigest();
  const std::string cp = *ledger_->Checkpoint();
  Open();
  EXPECT_EQ(ledger_->StateDigest(), digest);
  EXPECT_EQ(*ledger_->Checkpoint(), cp);
  EXPECT_EQ(ledger_->Size(), 22u);
  ASSERT_TRUE(SubmitOne(Admit(100)).ok());
  auto report = Ledger::Verify(env_, db_, std::make_unique<mechanism::Directory>());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->leaves, 23u);
  EXPECT_EQ(report->checkpoints, 24u);  // size 0 and one per group
  EXPECT_EQ(report->hashes, 23u + 11 + 5 + 2 + 1);
  EXPECT_EQ(report->state_digest, ledger_->StateDigest());
}

TEST_F(LedgerTest, LoggedTimeNeverGoesBackwards) {
  Genesis();
  env_.Advance(-3600);
  auto r = SubmitOne(Admit(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->logged, "2026-11-23T10:00:00Z");
  env_.Advance(7200);
  EXPECT_EQ(SubmitOne(Admit(2))->logged, "2026-11-23T11:00:00Z");
}

TEST_F(LedgerTest, AReadOnlyLedgerRefusesWrites) {
  Genesis();
  ledger_.reset();
  LedgerOptions ro;
  ro.read_only = true;
  auto l = Ledger::Open(env_, db_, std::make_unique<mechanism::Directory>(), std::nullopt, ro);
  ASSERT_TRUE(l.ok());
  ledger_ = std::move(*l);
  auto r = SubmitOne(Admit(1));
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ledger_->ProveInclusion(0, 1).ok());
}

TEST_F(LedgerTest, TheLogKeyMustMatch) {
  ledger_.reset();
  auto wrong = Ledger::Open(env_, db_, std::make_unique<mechanism::Directory>(),
                            testing::MakeActor("log.example.org", 1).key);
  EXPECT_EQ(wrong.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Ledger::Create(env_, dir_ + "/other.db", "other.origin", log_key_, "k").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Ledger::Create(env_, db_, "log.example.org", log_key_, "k").code(),
            ErrorCode::kInvalidArgument);
}

// Every write and every fsync of a group commit fails in turn: the submitter gets a
// clean error, the ledger stops, and after reopening the store verifies and holds every
// event that was acknowledged.
TEST_F(LedgerTest, FailingEachWriteAndSyncIsClean) {
  Genesis();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(SubmitOne(Admit(i)).ok());
  const uint64_t w0 = env_.writes(), s0 = env_.syncs();
  ASSERT_TRUE(SubmitOne(Admit(5)).ok());
  const uint64_t writes = env_.writes() - w0 + 2, syncs = env_.syncs() - s0 + 1;
  std::vector<event::Receipt> acknowledged;
  int next = 6, failures = 0;
  for (int kind = 0; kind < 2; ++kind) {
    for (uint64_t k = 1; k <= (kind == 0 ? writes : syncs); ++k) {
      if (kind == 0) {
        env_.FailWriteAt(k);
      } else {
        env_.FailSyncAt(k);
      }
      std::vector<std::string> lines = {Admit(next), Admit(next + 1)};
      next += 2;
      auto rs = Submit(lines);
      env_.ClearFaults();
      for (auto& r : rs) {
        if (r.ok()) {
          acknowledged.push_back(*r);
        } else {
          ++failures;
          EXPECT_EQ(r.status().code(), ErrorCode::kIoError) << r.status().ToString();
          // A stopped ledger refuses everything until reopened.
          auto later = SubmitOne(Admit(next++));
          EXPECT_EQ(later.status().code(), ErrorCode::kIoError);
        }
      }
      Open();
      auto report = Ledger::Verify(env_, db_, std::make_unique<mechanism::Directory>());
      ASSERT_TRUE(report.ok()) << "kind " << kind << " k " << k << ": "
                               << report.status().ToString();
      for (const auto& a : acknowledged) {
        auto leaf = ledger_->Leaf(a.seq);
        ASSERT_TRUE(leaf.ok());
        EXPECT_EQ(log::HashLeaf(AsBytes(*leaf)), a.leaf_hash);
      }
    }
  }
  EXPECT_GT(failures, 0);
}

// The pipelined ingest keeps input order across chunks, reports every line, and accepts
// events signed with keys that an earlier, still in-flight chunk adds.
TEST_F(LedgerTest, IngestKeepsOrderAcrossChunksInFlight) {
  std::vector<std::string> lines = {testing::GenesisLine({&un_, &pa_, &cogat_, &donors_}),
                                    DefineItem()};
  std::vector<testing::Actor> vs;
  for (int i = 0; i < 30; ++i) vs.push_back(testing::MakeActor(fmt::format("w-{}", i), 300 + i));
  for (int i = 0; i < 30; ++i)
    lines.push_back(testing::AdmitLine(un_, vs[i], "implementer", fmt::format("a{}", i)));
  for (int i = 0; i < 30; ++i) {
    lines.push_back(Propose(vs[i], "t", fmt::format("project-{}", i)));
    if (i % 7 == 0) lines.push_back("{\"not\": \"an envelope\"}");
  }
  lines.push_back(lines[5]);  // a resubmission
  size_t next = 0, seen = 0;
  std::vector<std::string> outputs;
  auto source = [&](std::vector<std::string>& chunk) {
    for (; next < lines.size() && chunk.size() < 4; ++next) chunk.push_back(lines[next]);
    return !chunk.empty();
  };
  auto sink = [&](const std::vector<std::string>& chunk,
                  const std::vector<Result<event::Receipt>>& results) {
    ASSERT_EQ(chunk.size(), results.size());
    for (size_t i = 0; i < chunk.size(); ++i) {
      EXPECT_EQ(chunk[i], lines[seen + i]);
      outputs.push_back(results[i].ok() ? fmt::format("seq {}", results[i]->seq)
                                        : std::string(results[i].status().code_name()));
    }
    seen += chunk.size();
  };
  const IngestStats stats = Ingest(*ledger_, source, sink, 2);
  EXPECT_EQ(stats.lines, lines.size());
  EXPECT_EQ(stats.rejected, 5u);
  EXPECT_EQ(stats.accepted, lines.size() - 5);
  ASSERT_EQ(outputs.size(), lines.size());
  EXPECT_EQ(outputs[0], "seq 0");
  EXPECT_EQ(outputs[32], "seq 32");  // the first proposal, signed by a key admitted just before
  EXPECT_EQ(outputs[33], "bad_envelope");
  EXPECT_EQ(outputs.back(), "seq 5");
  EXPECT_EQ(ledger_->Size(), 62u);
}

}  // namespace
}  // namespace aidtrace::ledger
