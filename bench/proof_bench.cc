// proof_bench: latency of Merkle proof generation and verification at 10^6 and 10^7
// leaves, with every perfect-subtree hash held in memory (log::MemoryHashes: one
// std::vector<Hash> per level, built through Frontier::Append).
//
// Each iteration picks a pseudo-random leaf index (inclusion) or pair of sizes
// (consistency, old size random, new size = the whole tree), so proofs of all shapes
// are averaged. "Generate" = plan + one ReadHashes batch + combine; "Verify" = RFC 9162
// verification; "GenerateVerify" = both. Trees are built once per size, outside the
// timed loops (the build takes a few seconds at 10^7).
//
//   ./proof_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "log/memory_hashes.h"
#include "log/merkle.h"

namespace {

using aidtrace::log::Hash;
using aidtrace::log::MemoryHashes;

uint64_t SplitMix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Hash LeafHash(uint64_t i) {
  // Distinct pseudo-random leaf hashes without hashing leaf data: only the tree is
  // under test here.
  Hash h;
  uint64_t s = i;
  for (size_t k = 0; k < h.size(); k += 8) {
    const uint64_t v = SplitMix(s);
    for (size_t b = 0; b < 8; ++b) h[k + b] = static_cast<uint8_t>(v >> (8 * b));
  }
  return h;
}

// One tree per size, built on first use and kept for the whole run.
MemoryHashes& Tree(uint64_t size) {
  static std::map<uint64_t, std::unique_ptr<MemoryHashes>> trees;
  auto& t = trees[size];
  if (!t) {
    t = std::make_unique<MemoryHashes>();
    for (uint64_t i = 0; i < size; ++i) t->Append(LeafHash(i));
  }
  return *t;
}

// Pre-drawn work items so the timed loop does not compute roots it is not measuring.
struct InclusionCase {
  uint64_t index;
  Hash leaf;
};
struct ConsistencyCase {
  uint64_t old_size;
  Hash old_root;
};
constexpr size_t kCases = 1024;

std::vector<InclusionCase> InclusionCases(uint64_t size) {
  std::vector<InclusionCase> cases;
  uint64_t s = 12345;
  for (size_t i = 0; i < kCases; ++i) {
    const uint64_t index = SplitMix(s) % size;
    cases.push_back({index, LeafHash(index)});
  }
  return cases;
}

std::vector<ConsistencyCase> ConsistencyCases(MemoryHashes& tree) {
  std::vector<ConsistencyCase> cases;
  uint64_t s = 67890;
  for (size_t i = 0; i < kCases; ++i) {
    const uint64_t old_size = 1 + SplitMix(s) % tree.size();
    auto root = aidtrace::log::RootAt(old_size, tree);
    if (!root.ok()) std::abort();
    cases.push_back({old_size, *root});
  }
  return cases;
}

void BM_InclusionGenerate(benchmark::State& state) {
  MemoryHashes& tree = Tree(static_cast<uint64_t>(state.range(0)));
  const auto cases = InclusionCases(tree.size());
  size_t i = 0;
  for (auto _ : state) {
    const auto& c = cases[i++ % kCases];
    auto proof = aidtrace::log::InclusionProof(c.index, tree.size(), tree);
    if (!proof.ok()) state.SkipWithError("InclusionProof failed");
    benchmark::DoNotOptimize(proof);
  }
  state.counters["leaves"] = static_cast<double>(tree.size());
}

void BM_InclusionVerify(benchmark::State& state) {
  MemoryHashes& tree = Tree(static_cast<uint64_t>(state.range(0)));
  const auto cases = InclusionCases(tree.size());
  const Hash root = tree.Root();
  std::vector<std::vector<Hash>> proofs;
  for (const auto& c : cases)
    proofs.push_back(*aidtrace::log::InclusionProof(c.index, tree.size(), tree));
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ % kCases;
    auto s =
        aidtrace::log::VerifyInclusion(cases[k].index, tree.size(), cases[k].leaf, proofs[k], root);
    if (!s.ok()) state.SkipWithError("VerifyInclusion failed");
    benchmark::DoNotOptimize(s);
  }
}

void BM_InclusionGenerateVerify(benchmark::State& state) {
  MemoryHashes& tree = Tree(static_cast<uint64_t>(state.range(0)));
  const auto cases = InclusionCases(tree.size());
  const Hash root = tree.Root();
  size_t i = 0;
  for (auto _ : state) {
    const auto& c = cases[i++ % kCases];
    auto proof = aidtrace::log::InclusionProof(c.index, tree.size(), tree);
    if (!proof.ok() ||
        !aidtrace::log::VerifyInclusion(c.index, tree.size(), c.leaf, *proof, root).ok()) {
      state.SkipWithError("inclusion proof failed");
    }
  }
}

void BM_ConsistencyGenerate(benchmark::State& state) {
  MemoryHashes& tree = Tree(static_cast<uint64_t>(state.range(0)));
  const auto cases = ConsistencyCases(tree);
  size_t i = 0;
  for (auto _ : state) {
    const auto& c = cases[i++ % kCases];
    auto proof = aidtrace::log::ConsistencyProof(c.old_size, tree.size(), tree);
    if (!proof.ok()) state.SkipWithError("ConsistencyProof failed");
    benchmark::DoNotOptimize(proof);
  }
}

void BM_ConsistencyVerify(benchmark::State& state) {
  MemoryHashes& tree = Tree(static_cast<uint64_t>(state.range(0)));
  const auto cases = ConsistencyCases(tree);
  const Hash root = tree.Root();
  std::vector<std::vector<Hash>> proofs;
  for (const auto& c : cases) {
    proofs.push_back(*aidtrace::log::ConsistencyProof(c.old_size, tree.size(), tree));
  }
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ % kCases;
    auto s = aidtrace::log::VerifyConsistency(cases[k].old_size, tree.size(), proofs[k],
                                              cases[k].old_root, root);
    if (!s.ok()) state.SkipWithError("VerifyConsistency failed");
    benchmark::DoNotOptimize(s);
  }
}

void BM_ConsistencyGenerateVerify(benchmark::State& state) {
  MemoryHashes& tree = Tree(static_cast<uint64_t>(state.range(0)));
  const auto cases = ConsistencyCases(tree);
  const Hash root = tree.Root();
  size_t i = 0;
  for (auto _ : state) {
    const auto& c = cases[i++ % kCases];
    auto proof = aidtrace::log::ConsistencyProof(c.old_size, tree.size(), tree);
    if (!proof.ok() ||
        !aidtrace::log::VerifyConsistency(c.old_size, tree.size(), *proof, c.old_root, root).ok()) {
      state.SkipWithError("consistency proof failed");
    }
  }
}

// The root of a historical size (what a checkpoint for an old size needs).
void BM_RootAt(benchmark::State& state) {
  MemoryHashes& tree = Tree(static_cast<uint64_t>(state.range(0)));
  uint64_t s = 4242;
  for (auto _ : state) {
    auto root = aidtrace::log::RootAt(1 + SplitMix(s) % tree.size(), tree);
    benchmark::DoNotOptimize(root);
  }
}

constexpr int64_t kMillion = 1'000'000;

BENCHMARK(BM_InclusionGenerate)->Arg(kMillion)->Arg(10 * kMillion);
BENCHMARK(BM_InclusionVerify)->Arg(kMillion)->Arg(10 * kMillion);
BENCHMARK(BM_InclusionGenerateVerify)->Arg(kMillion)->Arg(10 * kMillion);
BENCHMARK(BM_ConsistencyGenerate)->Arg(kMillion)->Arg(10 * kMillion);
BENCHMARK(BM_ConsistencyVerify)->Arg(kMillion)->Arg(10 * kMillion);
BENCHMARK(BM_ConsistencyGenerateVerify)->Arg(kMillion)->Arg(10 * kMillion);
BENCHMARK(BM_RootAt)->Arg(kMillion)->Arg(10 * kMillion);

}  // namespace

BENCHMARK_MAIN();
