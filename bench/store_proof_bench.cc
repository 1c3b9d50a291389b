// Proof latency on a real store: builds a SQLite log of N synthetic leaves (through
// Store::Append and the Frontier, as the ledger writes them), opens it read-only through
// the Ledger, and times inclusion and consistency proofs at random positions: what
// `GET /v1/proof/...` and `aidtrace prove` cost. The store is kept for reruns.
//
//   store_proof_bench [--leaves N] [--dir DIR] [--queries Q]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/note.h"
#include "ledger/ledger.h"
#include "log/checkpoint.h"
#include "mechanism/directory.h"

using namespace aidtrace;
using Clock = std::chrono::steady_clock;

namespace {

int Build(const std::string& db, uint64_t n, const crypto::SignerKey& key) {
  auto st = store::Store::OpenSqlite(*Env::Default(), db, {.create_if_missing = true});
  if (!st.ok()) return 1;
  store::Store& s = **st;
  if (!s.Initialize({"bench.example.org", crypto::FormatVerifierKey(crypto::VerifierOf(key)),
                     "2026-11-23T10:00:00Z", ""})
           .ok()) {
    return 1;
  }
  log::Frontier f;
  const crypto::SignerKey* keys[] = {&key};
  const uint64_t batch = 100000;
  for (uint64_t first = 0; first < n; first += batch) {
    store::AppendBatch b;
    b.first_seq = first;
    for (uint64_t i = first; i < std::min(n, first + batch); ++i) {
      std::string data = fmt::format("{{\"event\":\"synthetic\",\"seq\":{}}}", i);
      const crypto::Hash h = log::HashLeaf(AsBytes(data));
      f.Append(h, b.nodes);
      b.leaves.push_back(
          {std::move(data), crypto::Sha256(fmt::format("id{}", i)), "a", fmt::format("{}", i)});
    }
    b.checkpoint_size = f.size();
    b.checkpoint = *crypto::SignNote(
        log::FormatCheckpointBody({"bench.example.org", f.size(), f.Root(), {}}), keys);
    if (Status x = s.Append(b); !x.ok()) {
      std::fprintf(stderr, "%s\n", x.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "\rbuilding: %lu/%lu", static_cast<unsigned long>(f.size()),
                 static_cast<unsigned long>(n));
  }
  std::fprintf(stderr, "\n");
  return 0;
}

struct Stats {
  double mean, p50, p99;
};

Stats Summarise(std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double u : us) sum += u;
  return {sum / static_cast<double>(us.size()), us[us.size() / 2], us[us.size() * 99 / 100]};
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t leaves = 1000000;
  size_t queries = 20000;
  uint32_t cache_level = ledger::LedgerOptions{}.hash_cache_level;
  std::string dir = "/tmp/aidtrace-proof-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--leaves") leaves = std::stoull(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
    if (a == "--queries") queries = std::stoul(argv[i + 1]);
    if (a == "--cache-level") cache_level = static_cast<uint32_t>(std::stoul(argv[i + 1]));
  }
  std::filesystem::create_directories(dir);
  const std::string db = fmt::format("{}/proofs-{}.db", dir, leaves);
  crypto::SignerKey key;
  key.name = "bench.example.org";
  key.pair = crypto::KeyPairFromSeed(crypto::Seed{7});
  key.id = crypto::KeyId(key.name, key.pair.public_key);
  if (!std::filesystem::exists(db)) {
    const auto t0 = Clock::now();
    if (Build(db, leaves, key) != 0) return 1;
    std::printf("built %lu leaves in %.1f s\n", static_cast<unsigned long>(leaves),
                std::chrono::duration<double>(Clock::now() - t0).count());
  }
  ledger::LedgerOptions ro;
  ro.read_only = true;
  ro.hash_cache_level = cache_level;
  const auto t_open = Clock::now();
  auto l = ledger::Ledger::Open(*Env::Default(), db, std::make_unique<mechanism::Directory>(),
                                std::nullopt, ro);
  if (!l.ok()) {
    std::fprintf(stderr, "%s\n", l.status().ToString().c_str());
    return 1;
  }
  ledger::Ledger& ledger = **l;
  const uint64_t n = ledger.Size();
  // The first proof loads the in-memory levels of the hash cache.
  const auto t_first = Clock::now();
  if (!ledger.ProveInclusion(0, std::nullopt).ok()) return 1;
  const double first_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_first).count();
  (void)t_open;

  std::mt19937_64 rng(1);
  std::vector<double> incl, cons;
  incl.reserve(queries);
  cons.reserve(queries);
  for (size_t q = 0; q < queries; ++q) {
    const uint64_t i = rng() % n;
    const auto t0 = Clock::now();
    auto p = ledger.ProveInclusion(i, std::nullopt);
    incl.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!p.ok()) return 1;
  }
  for (size_t q = 0; q < queries; ++q) {
    const uint64_t old = 1 + rng() % n;
    const auto t0 = Clock::now();
    auto p = ledger.ProveConsistency(old, std::nullopt);
    cons.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!p.ok()) return 1;
  }
  const Stats si = Summarise(incl), sc = Summarise(cons);
  std::printf(
      "store: %lu leaves (SQLite, hash cache from level %u up; first proof loaded it in %.0f ms)\n",
      static_cast<unsigned long>(n), cache_level, first_ms);
  std::printf("%-46s mean %6.1f us  p50 %6.1f us  p99 %6.1f us\n",
              "inclusion proof + checkpoint (tlog-proof text)", si.mean, si.p50, si.p99);
  std::printf("%-46s mean %6.1f us  p50 %6.1f us  p99 %6.1f us\n",
              "consistency proof to the current size", sc.mean, sc.p50, sc.p99);
  return 0;
}
