// Ingest benchmark: durable ingest of signed envelopes through the ledger (decode,
// signature checks, rules, Merkle hashes, signed checkpoint, SQLite commit with fsync),
// measured beside, in the same run, (1) the raw libsodium Ed25519 verification rate on
// one core and on every core, and (2) a raw SQLite insert rate of the same bytes in the
// same durability mode. Then the verify command's throughput over the resulting log.
//
//   ingest_bench [--events N] [--batch B] [--dir DIR]
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/parallel.h"
#include "event/envelope.h"
#include "ledger/ingest.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "testing/events.h"

using namespace aidtrace;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

constexpr int kVendors = 300;

// A stock transfer between the two warehouses of vendor i % 300, alternating direction so
// the stock never runs out: every rule (ownership, stock, items) passes.
json::Value TransferBody(size_t i) {
  const size_t v = i % kVendors, round = i / kVendors;
  const std::string a = fmt::format("wh-{:03}-a", v), b = fmt::format("wh-{:03}-b", v);
  return {{"transfer", fmt::format("tr-{:08}", i)},
          {"from", round % 2 == 0 ? a : b},
          {"to", round % 2 == 0 ? b : a},
          {"lines",
           {{{"item", "cement-opc"}, {"quantity", 1000}},
            {{"item", "steel-bar-12"}, {"quantity", 200}}}}};
}

// Setup, before the timed part: a founder who governs, monitors and approves; two items;
// an implementer's project, approved; 300 vendors, each with two warehouses and a
// consignment for the project entered into the first.
std::vector<std::string> SetupLines(const testing::Actor& mmu,
                                    const std::vector<testing::Actor>& vendors,
                                    const testing::Actor& undp) {
  std::vector<std::string> out;
  json::Value founder = {{"party", mmu.id},
                         {"name", "MMU"},
                         {"roles", {"authority", "governor", "monitor"}},
                         {"keys", {mmu.vkey}}};
  json::Value genesis = {{"mechanism", "bench"},
                         {"name", "Bench"},
                         {"parties", json::Value::array({founder})},
                         {"policy", {{"governance", {{"of", {mmu.id}}, {"k", 1}}}}}};
  out.push_back(testing::SignedLine(
      testing::MakeEnvelope("mechanism.genesis", mmu.id, "g", genesis), {&mmu}));
  for (const auto& [item, hs] :
       {std::pair{"cement-opc", "252329"}, std::pair{"steel-bar-12", "721420"}}) {
    out.push_back(testing::SignedLine(
        testing::MakeEnvelope(
            "item.define", mmu.id, std::string("i-") + item,
            {{"item", item}, {"name", item}, {"unit", "kg"}, {"hs", hs}, {"controlled", true}}),
        {&mmu}));
  }
  out.push_back(testing::AdmitLine(mmu, undp, "implementer", "a-undp"));
  const json::Value location = {{"lat_e6", 31300000}, {"lon_e6", 34250000}};
  json::Value boq = json::Value::array();
  boq.push_back({{"item", "cement-opc"}, {"quantity", 1000000000000}});
  boq.push_back({{"item", "steel-bar-12"}, {"quantity", 1000000000000}});
  out.push_back(testing::SignedLine(
      testing::MakeEnvelope("project.propose", undp.id, "p",
                            {{"project", "housing"},
                             {"title", "Housing repair"},
                             {"category", "housing-repair"},
                             {"sector", "16030"},
                             {"area", "ps01"},
                             {"location", location},
                             {"budget", {{"currency", "USD"}, {"amount", 1000000000}}},
                             {"boq", boq}}),
      {&undp}));
  out.push_back(testing::SignedLine(
      testing::MakeEnvelope("project.approve", mmu.id, "pa", {{"project", "housing"}}), {&mmu}));
  for (int v = 0; v < kVendors; ++v) {
    const testing::Actor& vendor = vendors[static_cast<size_t>(v)];
    out.push_back(testing::AdmitLine(mmu, vendor, "vendor", fmt::format("a{}", v)));
    for (const char* side : {"a", "b"}) {
      out.push_back(testing::SignedLine(
          testing::MakeEnvelope("warehouse.register", mmu.id, fmt::format("w{}{}", v, side),
                                {{"warehouse", fmt::format("wh-{:03}-{}", v, side)},
                                 {"vendor", vendor.id},
                                 {"area", "ps01"},
                                 {"location", location}}),
          {&mmu}));
    }
    const std::string cons = fmt::format("cons-{:03}", v);
    json::Value lines = json::Value::array();
    lines.push_back({{"item", "cement-opc"}, {"quantity", 100000000}});
    lines.push_back({{"item", "steel-bar-12"}, {"quantity", 100000000}});
    json::Value request_lines = lines;
    for (auto& l : request_lines) l["for"] = "housing";
    out.push_back(
        testing::SignedLine(testing::MakeEnvelope("consignment.request", vendor.id, "c",
                                                  {{"consignment", cons},
                                                   {"warehouse", fmt::format("wh-{:03}-a", v)},
                                                   {"lines", request_lines}}),
                            {&vendor}));
    out.push_back(testing::SignedLine(
        testing::MakeEnvelope("consignment.approve", mmu.id, "ca" + cons, {{"consignment", cons}}),
        {&mmu}));
    out.push_back(testing::SignedLine(
        testing::MakeEnvelope(
            "consignment.enter", mmu.id, "ce" + cons,
            {{"consignment", cons}, {"crossing", "kerem-shalom"}, {"lines", lines}}),
        {&mmu}));
  }
  return out;
}

double RawSqliteRate(const std::string& path, const std::vector<std::string>& leaves,
                     size_t batch) {
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE t(seq INTEGER PRIMARY KEY, data BLOB NOT NULL)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?, ?)", -1, &st, nullptr);
  const auto t0 = Clock::now();
  for (size_t i = 0; i < leaves.size(); i += batch) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (size_t k = i; k < std::min(leaves.size(), i + batch); ++k) {
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(k));
      sqlite3_bind_blob(st, 2, leaves[k].data(), static_cast<int>(leaves[k].size()), SQLITE_STATIC);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double rate = static_cast<double>(leaves.size()) / Seconds(t0, Clock::now());
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  size_t events = 100000, batch = 1000;
  std::string dir = "/tmp/aidtrace-ingest-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--events") events = std::stoul(argv[i + 1]);
    if (a == "--batch") batch = std::stoul(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const size_t cores = DefaultThreads();

  // Parties, items, a project, warehouses and stock, all before the timed part.
  const testing::Actor monitor = testing::MakeActor("un-mmu", 1);
  const testing::Actor undp = testing::MakeActor("undp", 2);
  std::vector<testing::Actor> vendors;
  for (int v = 0; v < kVendors; ++v) {
    vendors.push_back(
        testing::MakeActor(fmt::format("vendor-{:03}", v), 100 + static_cast<uint64_t>(v)));
  }
  const std::vector<std::string> setup = SetupLines(monitor, vendors, undp);

  std::fprintf(stderr, "signing %zu envelopes...\n", events);
  std::vector<std::string> lines(events);
  ParallelFor(events, cores, [&](size_t i) {
    const testing::Actor& v = vendors[i % vendors.size()];
    lines[i] = testing::SignedLine(
        testing::MakeEnvelope("stock.transfer", v.id, fmt::format("n{}", i), TransferBody(i)),
        {&v});
  });
  size_t bytes = 0;
  for (const auto& l : lines) bytes += l.size();

  // (1) Raw Ed25519 verification: the limit signature checks put on ingest.
  std::vector<event::Envelope> envs(events);
  ParallelFor(events, cores,
              [&](size_t i) { envs[i] = event::DecodeSubmission(lines[i])->envelope; });
  const size_t vn = std::min<size_t>(events, 20000);
  auto t0 = Clock::now();
  size_t ok = 0;
  for (size_t i = 0; i < vn; ++i) {
    const auto& v = vendors[i % vendors.size()];
    ok +=
        crypto::Verify(v.key.pair.public_key, AsBytes(envs[i].signed_message), envs[i].sigs[0].sig)
            ? 1
            : 0;
  }
  const double verify_1 = static_cast<double>(vn) / Seconds(t0, Clock::now());
  t0 = Clock::now();
  std::atomic<size_t> ok_all{0};
  ParallelFor(vn, cores, [&](size_t i) {
    const auto& v = vendors[i % vendors.size()];
    if (crypto::Verify(v.key.pair.public_key, AsBytes(envs[i].signed_message), envs[i].sigs[0].sig))
      ++ok_all;
  });
  const double verify_all = static_cast<double>(vn) / Seconds(t0, Clock::now());
  if (ok != vn || ok_all != vn) std::fprintf(stderr, "verification failed?\n");

  // (2) Raw SQLite inserts of leaf-sized rows, same batch size and durability.
  std::vector<std::string> leaves(events);
  for (size_t i = 0; i < events; ++i)
    leaves[i] = event::BuildLeaf(i, "2026-11-23T10:00:00Z", envs[i].canonical);
  envs.clear();
  const double sqlite_rate = RawSqliteRate(dir + "/raw.db", leaves, batch);
  leaves.clear();

  // (3) Durable ingest through the ledger, as `aidtrace append` does it.
  const std::string db = dir + "/log.db";
  const auto log_key = testing::MakeActor("bench.example.org", 9).key;
  if (Status s =
          ledger::Ledger::Create(*Env::Default(), db, "bench.example.org", log_key, dir + "/k");
      !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  auto opened =
      ledger::Ledger::Open(*Env::Default(), db, std::make_unique<mechanism::Directory>(), log_key);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  ledger::Ledger& ledger = **opened;
  auto ingest = [&](const std::vector<std::string>& in) -> size_t {
    size_t next = 0;
    auto source = [&](std::vector<std::string>& chunk) {
      for (; next < in.size() && chunk.size() < batch; ++next) chunk.push_back(in[next]);
      return !chunk.empty();
    };
    return ledger::Ingest(
               ledger, source, [](const auto&, const auto&) {}, cores)
        .accepted;
  };
  ingest(setup);
  t0 = Clock::now();
  const size_t accepted = ingest(lines);
  const double ingest_s = Seconds(t0, Clock::now());
  const double ingest_rate = static_cast<double>(accepted) / ingest_s;
  // The two stages apart, on a second log: prepare everything (all cores), then
  // sequence and commit everything (one thread): where the time goes.
  double prepare_us = 0, sequence_us = 0, sequence_cpu_us = 0;
  {
    const std::string db2 = dir + "/phases.db";
    (void)ledger::Ledger::Create(*Env::Default(), db2, "bench.example.org", log_key, dir + "/k");
    auto l2 = ledger::Ledger::Open(*Env::Default(), db2, std::make_unique<mechanism::Directory>(),
                                   log_key);
    std::vector<ledger::Prepared> items;
    for (const auto& line : setup) items.push_back(*(*l2)->Prepare(line));
    (void)(*l2)->Submit(std::move(items));
    std::vector<Result<ledger::Prepared>> prepared(lines.size(), Status(ErrorCode::kInternal, ""));
    auto p0 = Clock::now();
    ParallelFor(lines.size(), cores, [&](size_t i) { prepared[i] = (*l2)->Prepare(lines[i]); });
    auto p1 = Clock::now();
    timespec c0{}, c1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    for (size_t i = 0; i < prepared.size(); i += batch) {
      std::vector<ledger::Prepared> group;
      for (size_t k = i; k < std::min(prepared.size(), i + batch); ++k)
        group.push_back(std::move(*prepared[k]));
      (void)(*l2)->Submit(std::move(group));
    }
    auto p2 = Clock::now();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    sequence_cpu_us = (static_cast<double>(c1.tv_sec - c0.tv_sec) * 1e6 +
                       static_cast<double>(c1.tv_nsec - c0.tv_nsec) / 1e3) /
                      static_cast<double>(events);
    prepare_us = Seconds(p0, p1) * 1e6 * static_cast<double>(cores) / static_cast<double>(events);
    sequence_us = Seconds(p1, p2) * 1e6 / static_cast<double>(events);
  }
  opened->reset();  // a clean close snapshots the state

  // Restart: from the snapshot, and by replaying every leaf (signatures trusted).
  auto time_open = [&](bool snapshots) {
    ledger::LedgerOptions o;
    o.use_snapshots = snapshots;
    o.snapshot_every = 0;
    const auto r0 = Clock::now();
    auto l = ledger::Ledger::Open(*Env::Default(), db, std::make_unique<mechanism::Directory>(),
                                  log_key, o);
    const double s = Seconds(r0, Clock::now());
    return l.ok() ? s : -1.0;
  };
  const double restart_snapshot_s = time_open(true);
  const double restart_replay_s = time_open(false);

  // (4) verify: every leaf re-hashed, every signature re-checked, every hash rebuilt.
  t0 = Clock::now();
  auto report =
      ledger::Ledger::Verify(*Env::Default(), db, std::make_unique<mechanism::Directory>());
  const double verify_s = Seconds(t0, Clock::now());
  if (!report.ok()) std::fprintf(stderr, "verify: %s\n", report.status().ToString().c_str());

  const double limit = verify_1 * static_cast<double>(cores);
  std::printf("machine: %zu cores\n", cores);
  std::printf("events: %zu signed envelopes, mean %zu bytes, batch %zu\n", events, bytes / events,
              batch);
  std::printf("%-44s %12.0f /s\n", "ed25519 verify, 1 core (libsodium)", verify_1);
  std::printf("%-44s %12.0f /s\n", "ed25519 verify limit = 1 core x cores", limit);
  std::printf("%-44s %12.0f /s\n", "ed25519 verify, measured on all cores", verify_all);
  std::printf("%-44s %12.0f /s\n", "raw SQLite insert (WAL, synchronous=FULL)", sqlite_rate);
  std::printf("%-44s %12.0f /s  (%zu accepted in %.2f s)\n", "durable ingest through the ledger",
              ingest_rate, accepted, ingest_s);
  std::printf("%-44s %12.2f\n", "ingest / verification limit", ingest_rate / limit);
  std::printf("%-44s %9.1f us/event (CPU, all cores; verify alone %.1f)\n",
              "  prepare: decode + signature check", prepare_us, 1e6 / verify_1);
  std::printf("%-44s %9.1f us/event wall, %.1f us CPU (one thread, incl. commit)\n",
              "  sequence + commit", sequence_us, sequence_cpu_us);
  std::printf("%-44s %12.3f s (from the snapshot); %.2f s replaying all %zu leaves\n", "restart",
              restart_snapshot_s, restart_replay_s, accepted + setup.size());
  if (report.ok()) {
    std::printf("%-44s %12.0f /s  (%lu leaves in %.2f s)\n", "verify (all checks)",
                static_cast<double>(report->leaves) / verify_s,
                static_cast<unsigned long>(report->leaves), verify_s);
  }
  std::filesystem::remove_all(dir);
  return accepted == events && report.ok() ? 0 : 1;
}
