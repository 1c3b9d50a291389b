// Property tests of the Merkle layer on seeded random trees: generated proofs equal
// the RFC 6962 definitions (computed here by a naive recursive reference), verify
// against RootAt, fail when tampered with, and are built from O(log n) stored hashes
// read in one batch.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "log/memory_hashes.h"
#include "log/merkle.h"

namespace aidtrace::log {
namespace {

// ---- A naive reference: RFC 6962 §2.1 written as recursion over leaf hashes -------

uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }  // largest 2^k < n

Hash RefRoot(std::span<const Hash> leaves) {
  if (leaves.empty()) return EmptyRoot();
  if (leaves.size() == 1) return leaves[0];
  const uint64_t k = SplitPoint(leaves.size());
  return HashChildren(RefRoot(leaves.first(k)), RefRoot(leaves.subspan(k)));
}

std::vector<Hash> RefPath(uint64_t m, std::span<const Hash> leaves) {
  if (leaves.size() <= 1) return {};
  const uint64_t k = SplitPoint(leaves.size());
  std::vector<Hash> p;
  if (m < k) {
    p = RefPath(m, leaves.first(k));
    p.push_back(RefRoot(leaves.subspan(k)));
  } else {
    p = RefPath(m - k, leaves.subspan(k));
    p.push_back(RefRoot(leaves.first(k)));
  }
  return p;
}

std::vector<Hash> RefSubproof(uint64_t m, std::span<const Hash> leaves, bool b) {
  const uint64_t n = leaves.size();
  if (m == n) {
    if (b) return {};
    return {RefRoot(leaves)};
  }
  const uint64_t k = SplitPoint(n);
  std::vector<Hash> p;
  if (m <= k) {
    p = RefSubproof(m, leaves.first(k), b);
    p.push_back(RefRoot(leaves.subspan(k)));
  } else {
    p = RefSubproof(m - k, leaves.subspan(k), false);
    p.push_back(RefRoot(leaves.first(k)));
  }
  return p;
}

std::vector<Hash> RefConsistency(uint64_t m, std::span<const Hash> leaves) {
  if (m == leaves.size()) return {};
  return RefSubproof(m, leaves, true);
}

// ---- Fixtures --------------------------------------------------------------------

// A random tree: leaf hashes, the stored nodes, and the root at every size.
struct RandomTree {
  std::vector<Hash> leaves;
  MemoryHashes store;
  std::vector<Hash> roots;  // roots[s] = root of the first s leaves

  RandomTree(uint64_t size, uint64_t seed) {
    std::mt19937_64 rng(seed);
    roots.push_back(store.Root());
    for (uint64_t i = 0; i < size; ++i) {
      // Distinct lengths-or-contents: at least 8 random bytes, so no two leaves collide.
      std::vector<uint8_t> data(8 + rng() % 40);
      for (auto& b : data) b = static_cast<uint8_t>(rng());
      leaves.push_back(HashLeaf(data));
      store.Append(leaves.back());
      roots.push_back(store.Root());
    }
  }
  uint64_t size() const { return leaves.size(); }
};

uint64_t CeilLog2(uint64_t n) { return n <= 1 ? 0 : std::bit_width(n - 1); }

// The bound promised by the header: O(log n) hashes in one ReadHashes call.
void ExpectLogarithmicReads(const MemoryHashes& store, uint64_t n, const char* what) {
  EXPECT_LE(store.read_calls(), 1u) << what;
  EXPECT_LE(store.hashes_read(), 2 * CeilLog2(n) + 2) << what << " n=" << n;
}

std::vector<Hash> FlipBit(std::vector<Hash> proof, size_t element, int bit) {
  proof[element][static_cast<size_t>(bit / 8) % 32] ^= static_cast<uint8_t>(1u << (bit % 8));
  return proof;
}

// ---- Frontier --------------------------------------------------------------------

TEST(Frontier, EmptyTree) {
  Frontier f;
  EXPECT_EQ(f.size(), 0u);
  EXPECT_EQ(f.Root(), EmptyRoot());
  EXPECT_TRUE(f.hashes().empty());
  MemoryHashes store;
  auto loaded = Frontier::Load(0, store);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->Root(), EmptyRoot());
  EXPECT_EQ(store.read_calls(), 0u);
}

TEST(Frontier, AppendReportsEveryCompletedNodeOnce) {
  Frontier f;
  std::vector<std::pair<NodeId, Hash>> completed;
  MemoryHashes store;
  std::mt19937_64 rng(7);
  for (uint64_t n = 1; n <= 1000; ++n) {
    Hash leaf{};
    for (auto& b : leaf) b = static_cast<uint8_t>(rng());
    const size_t before = completed.size();
    f.Append(leaf, completed);
    store.Append(leaf);
    ASSERT_GT(completed.size(), before);
    EXPECT_EQ(completed[before].first, (NodeId{0, n - 1}));
    EXPECT_EQ(completed[before].second, leaf);
    // The new leaf completes one node per trailing one bit of the old size.
    EXPECT_EQ(completed.size() - before, 1u + static_cast<size_t>(std::countr_one(n - 1)));
    for (size_t i = before; i < completed.size(); ++i) {
      const auto& [id, hash] = completed[i];
      EXPECT_EQ(id.end(), n) << "a node completed by leaf n-1 ends at n";
      Hash stored{};
      ASSERT_TRUE(
          store.ReadHashes(std::span<const NodeId>(&id, 1), std::span<Hash>(&stored, 1)).ok());
      EXPECT_EQ(stored, hash);
    }
    EXPECT_EQ(f.hashes().size(), static_cast<size_t>(std::popcount(n)));
  }
  // Amortised two stored hashes per leaf: exactly 2n - popcount(n).
  EXPECT_EQ(completed.size(), 2u * 1000 - std::popcount(1000u));
}

TEST(Frontier, LoadAtEverySizeReproducesRoot) {
  RandomTree tree(1500, 42);
  for (uint64_t s = 0; s <= tree.size(); ++s) {
    tree.store.ResetCounters();
    auto f = Frontier::Load(s, tree.store);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->size(), s);
    EXPECT_EQ(f->Root(), tree.roots[s]) << "size " << s;
    EXPECT_LE(tree.store.read_calls(), 1u);
    EXPECT_EQ(tree.store.hashes_read(), static_cast<uint64_t>(std::popcount(s)));
  }
  // A loaded frontier keeps growing like the original.
  auto f = Frontier::Load(777, tree.store);
  ASSERT_TRUE(f.ok());
  std::vector<std::pair<NodeId, Hash>> completed;
  for (uint64_t i = 777; i < tree.size(); ++i) f->Append(tree.leaves[i], completed);
  EXPECT_EQ(f->Root(), tree.roots.back());
}

TEST(Frontier, LoadPropagatesReaderFailure) {
  RandomTree tree(10, 1);
  auto f = Frontier::Load(11, tree.store);  // node (0, 10) is not stored
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), ErrorCode::kNotFound);
}

TEST(RangeNodes, CoverTheRangeWithPerfectSubtrees) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    uint64_t a = rng() % 5000, b = rng() % 5000;
    if (a > b) std::swap(a, b);
    const std::vector<NodeId> ids = RangeNodes(a, b);
    uint64_t at = a;
    for (const NodeId& id : ids) {
      EXPECT_EQ(id.begin(), at);
      at = id.end();
    }
    EXPECT_EQ(at, b);
    EXPECT_LE(ids.size(), 2 * CeilLog2(b - a + 1) + 1);
  }
  EXPECT_TRUE(RangeNodes(5, 5).empty());
  EXPECT_EQ(RangeNodes(0, UINT64_MAX).size(), 64u);
}

// ---- Roots and proofs against the reference --------------------------------------

TEST(MerkleProofs, RootAtEqualsFrontierRootAtEveryHistoricalSize) {
  RandomTree tree(2500, 11);
  for (uint64_t s = 0; s <= tree.size(); ++s) {
    tree.store.ResetCounters();
    auto r = RootAt(s, tree.store);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, tree.roots[s]) << "size " << s;
    ExpectLogarithmicReads(tree.store, s, "RootAt");
  }
  for (uint64_t s : {0, 1, 2, 3, 7, 8, 9, 100, 255, 256, 257}) {
    EXPECT_EQ(tree.roots[s], RefRoot(std::span<const Hash>(tree.leaves).first(s))) << s;
  }
}

TEST(MerkleProofs, ExhaustiveSmallTreesMatchRfc6962Reference) {
  RandomTree tree(70, 5);
  const std::span<const Hash> all(tree.leaves);
  for (uint64_t n = 1; n <= tree.size(); ++n) {
    const auto leaves = all.first(n);
    ASSERT_EQ(RefRoot(leaves), tree.roots[n]);
    for (uint64_t m = 0; m < n; ++m) {
      tree.store.ResetCounters();
      auto proof = InclusionProof(m, n, tree.store);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      ExpectLogarithmicReads(tree.store, n, "inclusion");
      EXPECT_EQ(*proof, RefPath(m, leaves)) << "PATH(" << m << ", " << n << ")";
      EXPECT_TRUE(VerifyInclusion(m, n, tree.leaves[m], *proof, tree.roots[n]).ok());
    }
    for (uint64_t m = 1; m <= n; ++m) {
      tree.store.ResetCounters();
      auto proof = ConsistencyProof(m, n, tree.store);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      ExpectLogarithmicReads(tree.store, n, "consistency");
      EXPECT_EQ(*proof, RefConsistency(m, leaves)) << "PROOF(" << m << ", " << n << ")";
      const Status s = VerifyConsistency(m, n, *proof, tree.roots[m], tree.roots[n]);
      EXPECT_TRUE(s.ok()) << m << " -> " << n << ": " << s.ToString();
      // The subtree verifier agrees for [0, m).
      EXPECT_TRUE(VerifySubtreeConsistency(0, m, n, *proof, tree.roots[m], tree.roots[n]).ok());
    }
  }
}

class RandomTreeProofs : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RandomTreeProofs, InclusionProofsVerifyAndTamperingFails) {
  const uint64_t seed = GetParam();
  std::mt19937_64 rng(seed);
  RandomTree tree(1 + rng() % 4000, seed);
  for (int trial = 0; trial < 300; ++trial) {
    const uint64_t size = 1 + rng() % tree.size();
    const uint64_t index = rng() % size;
    tree.store.ResetCounters();
    auto proof = InclusionProof(index, size, tree.store);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    ExpectLogarithmicReads(tree.store, size, "inclusion");
    auto root = RootAt(size, tree.store);
    ASSERT_TRUE(root.ok());
    const Hash& leaf = tree.leaves[index];
    ASSERT_TRUE(VerifyInclusion(index, size, leaf, *proof, *root).ok()) << index << "/" << size;

    auto expect_corrupt = [&](const Status& s, const char* what) {
      EXPECT_EQ(s.code(), ErrorCode::kCorrupt) << what << " " << index << "/" << size;
    };
    if (!proof->empty()) {
      const size_t e = rng() % proof->size();
      expect_corrupt(VerifyInclusion(index, size, leaf, FlipBit(*proof, e, rng() % 256), *root),
                     "flipped bit");
      std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
      expect_corrupt(VerifyInclusion(index, size, leaf, shorter, *root), "truncated");
    }
    std::vector<Hash> longer = *proof;
    longer.push_back(*root);
    expect_corrupt(VerifyInclusion(index, size, leaf, longer, *root), "extended");
    Hash wrong_leaf = leaf;
    wrong_leaf[0] ^= 1;
    expect_corrupt(VerifyInclusion(index, size, wrong_leaf, *proof, *root), "wrong leaf");
    if (size > 1) {
      expect_corrupt(VerifyInclusion((index + 1) % size, size, leaf, *proof, *root), "index");
    }
    // (size + 1 may legitimately give the same path shape; twice the size never does.)
    expect_corrupt(VerifyInclusion(index, 2 * size, leaf, *proof, *root), "size * 2");
    expect_corrupt(VerifyInclusion(index, size, leaf, *proof, tree.roots[size - 1]), "old root");
  }
}

TEST_P(RandomTreeProofs, ConsistencyProofsVerifyAndTamperingFails) {
  const uint64_t seed = GetParam();
  std::mt19937_64 rng(seed ^ 0x5555);
  RandomTree tree(1 + rng() % 4000, seed);
  for (int trial = 0; trial < 300; ++trial) {
    uint64_t a = 1 + rng() % tree.size(), b = 1 + rng() % tree.size();
    if (a > b) std::swap(a, b);
    tree.store.ResetCounters();
    auto proof = ConsistencyProof(a, b, tree.store);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    ExpectLogarithmicReads(tree.store, b, "consistency");
    auto root_a = RootAt(a, tree.store);
    auto root_b = RootAt(b, tree.store);
    ASSERT_TRUE(root_a.ok() && root_b.ok());
    ASSERT_EQ(*root_a, tree.roots[a]);
    ASSERT_EQ(*root_b, tree.roots[b]);
    const Status ok = VerifyConsistency(a, b, *proof, *root_a, *root_b);
    ASSERT_TRUE(ok.ok()) << a << " -> " << b << ": " << ok.ToString();
    EXPECT_TRUE(VerifySubtreeConsistency(0, a, b, *proof, *root_a, *root_b).ok());

    auto expect_corrupt = [&](const Status& s, const char* what) {
      EXPECT_EQ(s.code(), ErrorCode::kCorrupt) << what << " " << a << " -> " << b;
    };
    if (a == b) {
      EXPECT_TRUE(proof->empty());
      expect_corrupt(VerifyConsistency(a, b, *proof, *root_a, tree.roots[a - 1]), "roots");
      continue;
    }
    const size_t e = rng() % proof->size();
    expect_corrupt(VerifyConsistency(a, b, FlipBit(*proof, e, rng() % 256), *root_a, *root_b),
                   "flipped bit");
    expect_corrupt(
        VerifySubtreeConsistency(0, a, b, FlipBit(*proof, e, rng() % 256), *root_a, *root_b),
        "subtree flipped bit");
    std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
    expect_corrupt(VerifyConsistency(a, b, shorter, *root_a, *root_b), "truncated");
    expect_corrupt(VerifyConsistency(a, b, *proof, tree.roots[a - 1], *root_b), "wrong old");
    expect_corrupt(VerifyConsistency(a, b, *proof, *root_a, tree.roots[b - 1]), "wrong new");
    expect_corrupt(VerifyConsistency(a, b, *proof, *root_b, *root_a), "swapped");
    if (a > 1) expect_corrupt(VerifyConsistency(a - 1, b, *proof, *root_a, *root_b), "a - 1");
    expect_corrupt(VerifyConsistency(a, 2 * b, *proof, *root_a, *root_b), "b * 2");
  }
}

TEST_P(RandomTreeProofs, SubtreeProofsVerifyAndTamperingFails) {
  const uint64_t seed = GetParam();
  std::mt19937_64 rng(seed ^ 0xabcdef);
  RandomTree tree(2 + rng() % 3000, seed);
  int checked = 0;
  while (checked < 200) {
    // A random valid subtree [start, end) inside the tree.
    const uint64_t len = 1 + rng() % std::min<uint64_t>(tree.size(), 300);
    const uint64_t align = std::bit_ceil(len);
    const uint64_t slots = (tree.size() - len) / align + 1;
    const uint64_t start = (rng() % slots) * align;
    const uint64_t end = start + len;
    if (end > tree.size()) continue;
    ASSERT_TRUE(IsValidSubtree(start, end)) << start << ", " << end;
    const uint64_t size = end + rng() % (tree.size() - end + 1);
    ++checked;

    auto sub_root = SubtreeRoot(start, end, tree.store);
    ASSERT_TRUE(sub_root.ok());
    EXPECT_EQ(*sub_root, RefRoot(std::span<const Hash>(tree.leaves).subspan(start, end - start)));

    const uint64_t index = start + rng() % len;
    tree.store.ResetCounters();
    auto incl = SubtreeInclusionProof(index, start, end, tree.store);
    ASSERT_TRUE(incl.ok()) << incl.status().ToString();
    ExpectLogarithmicReads(tree.store, len, "subtree inclusion");
    EXPECT_TRUE(
        VerifySubtreeInclusion(index, start, end, tree.leaves[index], *incl, *sub_root).ok());

    tree.store.ResetCounters();
    auto cons = SubtreeConsistencyProof(start, end, size, tree.store);
    ASSERT_TRUE(cons.ok()) << cons.status().ToString();
    ExpectLogarithmicReads(tree.store, size, "subtree consistency");
    const Status s = VerifySubtreeConsistency(start, end, size, *cons, *sub_root, tree.roots[size]);
    ASSERT_TRUE(s.ok()) << "[" << start << ", " << end << ") in " << size << ": " << s.ToString();

    if (!incl->empty()) {
      EXPECT_EQ(VerifySubtreeInclusion(index, start, end, tree.leaves[index],
                                       FlipBit(*incl, rng() % incl->size(), rng() % 256), *sub_root)
                    .code(),
                ErrorCode::kCorrupt);
    }
    if (!cons->empty()) {
      EXPECT_EQ(VerifySubtreeConsistency(start, end, size,
                                         FlipBit(*cons, rng() % cons->size(), rng() % 256),
                                         *sub_root, tree.roots[size])
                    .code(),
                ErrorCode::kCorrupt)
          << "[" << start << ", " << end << ") in " << size;
    }
    Hash wrong_sub = *sub_root;
    wrong_sub[31] ^= 0x80;
    EXPECT_EQ(VerifySubtreeConsistency(start, end, size, *cons, wrong_sub, tree.roots[size]).code(),
              ErrorCode::kCorrupt)
        << "[" << start << ", " << end << ") in " << size;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomTreeProofs, ::testing::Values(1, 2, 3, 17, 2024, 99991));

// ---- Errors ----------------------------------------------------------------------

TEST(MerkleProofs, ArgumentErrors) {
  RandomTree tree(20, 9);
  EXPECT_EQ(InclusionProof(0, 0, tree.store).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(InclusionProof(5, 5, tree.store).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ConsistencyProof(0, 5, tree.store).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(0, 0, tree.store).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(6, 5, tree.store).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SubtreeInclusionProof(3, 3, 5, tree.store).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(SubtreeInclusionProof(9, 8, 9, tree.store).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(SubtreeConsistencyProof(0, 8, 7, tree.store).status().code(),
            ErrorCode::kInvalidArgument);
  // Past the stored tree: the store's own status comes back.
  EXPECT_EQ(InclusionProof(3, 21, tree.store).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ConsistencyProof(3, 40, tree.store).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(RootAt(21, tree.store).status().code(), ErrorCode::kNotFound);
  // Equal sizes need nothing from the store.
  tree.store.ResetCounters();
  auto same = ConsistencyProof(20, 20, tree.store);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
  EXPECT_EQ(tree.store.read_calls(), 0u);
}

class FailingReader : public HashReader {
 public:
  Status ReadHashes(std::span<const NodeId>, std::span<Hash>) override {
    ++calls;
    return Status(ErrorCode::kIoError, "disk on fire");
  }
  int calls = 0;
};

TEST(MerkleProofs, ReaderFailureIsReturnedUnchanged) {
  FailingReader r;
  EXPECT_EQ(InclusionProof(3, 10, r).status(), Status(ErrorCode::kIoError, "disk on fire"));
  EXPECT_EQ(ConsistencyProof(3, 10, r).status().code(), ErrorCode::kIoError);
  EXPECT_EQ(RootAt(10, r).status().code(), ErrorCode::kIoError);
  EXPECT_EQ(Frontier::Load(10, r).status().code(), ErrorCode::kIoError);
  EXPECT_EQ(r.calls, 4);
  // Size-0 root and a 1-leaf inclusion proof need no reads.
  EXPECT_TRUE(RootAt(0, r).ok());
  EXPECT_TRUE(InclusionProof(0, 1, r).ok());
  EXPECT_EQ(r.calls, 4);
}

TEST(MerkleProofs, PlansExposeTheAccessPattern) {
  // PATH(5, D[7]) for leaves 0..6: sibling leaf 4, the ephemeral node over leaf 6
  // (a single stored leaf), and the perfect subtree [0, 4).
  auto incl = InclusionNodes(5, 7);
  ASSERT_TRUE(incl.ok());
  EXPECT_EQ(incl->ids, (std::vector<NodeId>{{0, 4}, {0, 6}, {2, 0}}));
  // PATH(0, D[7]) needs [1], [2,4) and the ephemeral node [4, 7) = [4,6) + [6].
  incl = InclusionNodes(0, 7);
  ASSERT_TRUE(incl.ok());
  EXPECT_EQ(incl->ids, (std::vector<NodeId>{{0, 1}, {1, 1}, {0, 6}, {1, 2}}));
  EXPECT_EQ(incl->fold_begin, 2u);
  EXPECT_EQ(incl->fold_end, 4u);
  auto cons = ConsistencyNodes(3, 7);
  ASSERT_TRUE(cons.ok());
  EXPECT_FALSE(cons->ids.empty());
  for (const NodeId& id : cons->ids) EXPECT_LE(id.end(), 7u);
  EXPECT_EQ(cons->Combine(std::vector<Hash>(1)).status().code(), ErrorCode::kInternal);
}

TEST(MerkleVerify, ByteOverloadsCheckHashLengths) {
  RandomTree tree(9, 4);
  auto proof = InclusionProof(2, 9, tree.store);
  ASSERT_TRUE(proof.ok());
  std::vector<std::vector<uint8_t>> bytes;
  for (const Hash& h : *proof) bytes.emplace_back(h.begin(), h.end());
  const Hash& root = tree.roots[9];
  const Hash& leaf = tree.leaves[2];
  const std::vector<uint8_t> leaf_bytes(leaf.begin(), leaf.end());
  const std::vector<uint8_t> root_bytes(root.begin(), root.end());
  EXPECT_TRUE(VerifyInclusion(2, 9, leaf_bytes, bytes, root_bytes).ok());
  EXPECT_EQ(VerifyInclusion(2, 9, std::vector<uint8_t>(31), bytes, root_bytes).code(),
            ErrorCode::kCorrupt);
  auto longer = bytes;
  longer[1].push_back(0);
  EXPECT_EQ(VerifyInclusion(2, 9, leaf_bytes, longer, root_bytes).code(), ErrorCode::kCorrupt);
  auto root_short = root_bytes;
  root_short.pop_back();
  EXPECT_EQ(VerifyInclusion(2, 9, leaf_bytes, bytes, root_short).code(), ErrorCode::kCorrupt);
}

TEST(MerkleVerify, ConsistencyPolicy) {
  const Hash r = HashLeaf(std::vector<uint8_t>{1});
  const Hash q = HashLeaf(std::vector<uint8_t>{2});
  EXPECT_TRUE(VerifyConsistency(5, 5, std::vector<Hash>{}, r, r).ok());
  EXPECT_EQ(VerifyConsistency(5, 5, std::vector<Hash>{}, r, q).code(), ErrorCode::kCorrupt);
  EXPECT_EQ(VerifyConsistency(5, 5, std::vector<Hash>{r}, r, r).code(), ErrorCode::kCorrupt);
  EXPECT_EQ(VerifyConsistency(0, 0, std::vector<Hash>{}, EmptyRoot(), EmptyRoot()).code(),
            ErrorCode::kCorrupt);
  EXPECT_EQ(VerifyConsistency(0, 3, std::vector<Hash>{}, EmptyRoot(), r).code(),
            ErrorCode::kCorrupt);
  EXPECT_EQ(VerifyConsistency(4, 3, std::vector<Hash>{}, r, r).code(), ErrorCode::kCorrupt);
  EXPECT_EQ(VerifyConsistency(3, 4, std::vector<Hash>{}, r, q).code(), ErrorCode::kCorrupt);
  // The message says why.
  EXPECT_NE(VerifyConsistency(4, 3, std::vector<Hash>{}, r, r).message().find("smaller"),
            std::string::npos);
}

TEST(MerkleVerify, ValidSubtrees) {
  EXPECT_TRUE(IsValidSubtree(0, 0));
  EXPECT_TRUE(IsValidSubtree(0, 13));
  EXPECT_TRUE(IsValidSubtree(8, 13));
  EXPECT_TRUE(IsValidSubtree(4, 7));
  EXPECT_TRUE(IsValidSubtree(5, 5));
  EXPECT_FALSE(IsValidSubtree(3, 5));
  EXPECT_FALSE(IsValidSubtree(4, 9));
  EXPECT_FALSE(IsValidSubtree(2, 1));
  EXPECT_FALSE(IsValidSubtree(1, (uint64_t{1} << 63) + 2));
  EXPECT_TRUE(IsValidSubtree(uint64_t{1} << 63, UINT64_MAX));
}

}  // namespace
}  // namespace aidtrace::log
