// HTTP ingest benchmark: the same signed stock.transfer envelopes ingested (1) in
// process, as `aidtrace append` does (ledger::Ingest), and (2) over HTTP through the
// server (POST /v1/events, JSON-array batches from several keep-alive clients), in the
// same run on the same machine. Prints both rates and their ratio (target >= 0.8).
// Leaves the HTTP run's store (DIR/http.db) for scripts/bench-http.sh (wrk on reads).
//
//   http_bench [--events N] [--batch B] [--clients C] [--dir DIR]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "base/parallel.h"
#include "crypto/note.h"
#include "ledger/ingest.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "server/http_client.h"
#include "server/server.h"
#include "testing/events.h"

using namespace aidtrace;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kVendors = 300;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// As bench/ingest_bench.cc: a monitor who governs and approves, two items, an approved
// project, 300 vendors with two warehouses each and stock entered into the first.
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
  for (const char* item : {"cement-opc", "steel-bar-12"}) {
    out.push_back(
        testing::SignedLine(testing::MakeEnvelope("item.define", mmu.id, std::string("i-") + item,
                                                  {{"item", item},
                                                   {"name", item},
                                                   {"unit", "kg"},
                                                   {"hs", "252329"},
                                                   {"controlled", true}}),
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

// Always from a to b: HTTP clients race, so no transfer may depend on another's order.
json::Value TransferBody(size_t i) {
  const size_t v = i % kVendors;
  return {{"transfer", fmt::format("tr-{:08}", i)},
          {"from", fmt::format("wh-{:03}-a", v)},
          {"to", fmt::format("wh-{:03}-b", v)},
          {"lines",
           {{{"item", "cement-opc"}, {"quantity", 1000}},
            {{"item", "steel-bar-12"}, {"quantity", 200}}}}};
}

std::unique_ptr<ledger::Ledger> Fresh(const std::string& db, const std::string& key_file,
                                      const crypto::SignerKey& key) {
  std::filesystem::remove(db);
  Env& env = *Env::Default();
  if (Status s = ledger::Ledger::Create(env, db, key.name, key, key_file); !s.ok()) {
    std::fprintf(stderr, "create: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  auto l = ledger::Ledger::Open(env, db, std::make_unique<mechanism::Directory>(), key);
  if (!l.ok()) {
    std::fprintf(stderr, "open: %s\n", l.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*l);
}

size_t IngestAll(ledger::Ledger& ledger, const std::vector<std::string>& lines) {
  size_t pos = 0, accepted = 0;
  auto source = [&](std::vector<std::string>& chunk) {
    chunk.clear();
    while (pos < lines.size() && chunk.size() < 1000) chunk.push_back(lines[pos++]);
    return !chunk.empty();
  };
  auto sink = [&](const std::vector<std::string>&, const std::vector<Result<event::Receipt>>& r) {
    for (const auto& x : r) {
      if (x.ok()) ++accepted;
    }
  };
  ledger::Ingest(ledger, source, sink);
  return accepted;
}

}  // namespace

int main(int argc, char** argv) {
  size_t events = 50000, batch = 500, clients = 4;
  std::string dir = "/tmp/aidtrace-http-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--events") events = std::stoul(argv[i + 1]);
    if (a == "--batch") batch = std::stoul(argv[i + 1]);
    if (a == "--clients") clients = std::stoul(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Env& env = *Env::Default();
  auto key = crypto::GenerateSignerKey("bench.example/log", env);
  const std::string key_file = dir + "/log.key";
  (void)env.WriteFileAtomic(key_file, crypto::FormatSignerKey(*key) + "\n", 0600, true);

  const testing::Actor mmu = testing::MakeActor("un-mmu", 1);
  const testing::Actor undp = testing::MakeActor("undp", 2);
  std::vector<testing::Actor> vendors;
  for (int v = 0; v < kVendors; ++v) {
    vendors.push_back(
        testing::MakeActor(fmt::format("vendor-{:03}", v), 100 + static_cast<uint64_t>(v)));
  }
  const std::vector<std::string> setup = SetupLines(mmu, vendors, undp);
  std::fprintf(stderr, "signing %zu envelopes...\n", events);
  std::vector<std::string> lines(events);
  ParallelFor(events, DefaultThreads(), [&](size_t i) {
    const testing::Actor& v = vendors[i % vendors.size()];
    lines[i] = testing::SignedLine(
        testing::MakeEnvelope("stock.transfer", v.id, fmt::format("n{}", i), TransferBody(i)),
        {&v});
  });

  // (1) In process, as `aidtrace append`.
  double inproc_rate = 0;
  {
    auto ledger = Fresh(dir + "/inproc.db", key_file, *key);
    IngestAll(*ledger, setup);
    const auto t0 = Clock::now();
    const size_t ok = IngestAll(*ledger, lines);
    inproc_rate = static_cast<double>(ok) / Seconds(t0, Clock::now());
    if (ok != events) std::fprintf(stderr, "in process: only %zu accepted\n", ok);
  }

  // (2) Over HTTP: the server in this process, `clients` keep-alive connections posting
  // JSON arrays of `batch` submissions.
  double http_rate = 0;
  size_t http_ok = 0, http_bytes = 0;
  {
    auto ledger = Fresh(dir + "/http.db", key_file, *key);
    server::ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.access_log = false;
    config.rate_per_token = 0;
    auto srv = server::Server::Start(*ledger, nullptr, config);
    if (!srv.ok()) {
      std::fprintf(stderr, "server: %s\n", srv.status().ToString().c_str());
      return 1;
    }
    const uint16_t port = (*srv)->port();
    {
      testing::HttpClient c(port);
      for (size_t i = 0; i < setup.size(); i += 1000) {
        std::string body = "[";
        for (size_t k = i; k < std::min(setup.size(), i + 1000); ++k) {
          body += (k > i ? "," : "") + setup[k];
        }
        body += "]";
        if (c.Post("/v1/events", body).status != 200) std::fprintf(stderr, "setup failed\n");
      }
    }
    std::vector<std::string> bodies;
    for (size_t i = 0; i < events; i += batch) {
      std::string body = "[";
      for (size_t k = i; k < std::min(events, i + batch); ++k)
        body += (k > i ? "," : "") + lines[k];
      body += "]";
      http_bytes += body.size();
      bodies.push_back(std::move(body));
    }
    std::atomic<size_t> next{0}, accepted{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (size_t t = 0; t < clients; ++t) {
      threads.emplace_back([&] {
        testing::HttpClient c(port);
        for (size_t b = next.fetch_add(1); b < bodies.size(); b = next.fetch_add(1)) {
          const auto r = c.Post("/v1/events", bodies[b]);
          // Count receipts without parsing the whole answer.
          size_t n = 0;
          for (size_t at = r.body.find("\"seq\":"); at != std::string::npos;
               at = r.body.find("\"seq\":", at + 1)) {
            ++n;
          }
          accepted += n;
        }
      });
    }
    for (auto& t : threads) t.join();
    http_ok = accepted.load();
    http_rate = static_cast<double>(http_ok) / Seconds(t0, Clock::now());
    if (http_ok != events) std::fprintf(stderr, "HTTP: only %zu accepted\n", http_ok);
    (*srv)->Shutdown();
  }

  std::printf("events: %zu stock.transfer (%zu setup events before timing), %zu cores\n", events,
              setup.size(), DefaultThreads());
  std::printf("in-process ingest (ledger::Ingest, as `aidtrace append`): %.0f events/s\n",
              inproc_rate);
  std::printf(
      "HTTP ingest (POST /v1/events, %zu clients, batches of %zu, %.1f MB): %.0f events/s\n",
      clients, batch, static_cast<double>(http_bytes) / 1e6, http_rate);
  std::printf("HTTP / in-process: %.2f (target >= 0.8)\n", http_rate / inproc_rate);
  std::printf("store for wrk: %s/http.db (%zu leaves)\n", dir.c_str(), setup.size() + http_ok);
  return 0;
}
