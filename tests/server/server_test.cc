// The HTTP API over loopback with a real HTTP client (Beast): every endpoint and status
// code, batch semantics, the access matrix, personal data, limits, and the route list
// against docs/openapi.yaml. The restart-under-load test is in restart_test.cc.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/sha256.h"
#include "event/envelope.h"
#include "guard/guard.h"
#include "ledger/ledger.h"
#include "log/merkle.h"
#include "mechanism/directory.h"
#include "screening/importers.h"
#include "server/api.h"
#include "server/http_client.h"
#include "server/programme.h"
#include "server/server.h"
#include "store/store.h"

namespace aidtrace::server {
namespace {

using testing::HttpClient;
using testing::HttpResponse;

std::string Code(const HttpResponse& r) {
  auto doc = json::Parse(r.body);
  if (!doc.ok() || !doc->is_object() || !doc->contains("error"))
    return "(no error: " + r.body + ")";
  return (*doc)["error"]["code"].get<std::string>();
}

class ServerTest : public ::testing::Test {
 protected:
  static ServerConfig TestConfig() {
    ServerConfig c;
    c.listen = "127.0.0.1:0";
    c.threads = 2;
    c.ingest_threads = 4;
    c.access_log = false;
    c.rate_per_token = 0;
    c.token_cache_ms = 0;
    return c;
  }

  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            fmt::format("aidtrace-server-{}-{}", getpid(), counter_++))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = dir_ + "/log.db";
    Env& env = *Env::Default();
    auto key = crypto::GenerateSignerKey("test.example/log", env);
    ASSERT_TRUE(key.ok());
    key_ = *key;
    ASSERT_TRUE(ledger::Ledger::Create(env, db_, "test.example/log", key_, dir_ + "/log.key").ok());
    prog_ = testing::MakeProgramme();
  }

  void TearDown() override {
    server_.reset();
    guard_.reset();
    ledger_.reset();
    tokens_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Opens the ledger and starts a server; with `load`, posts the programme and makes a
  // token per role ("tok-<role>").
  void Start(const ServerConfig& config = TestConfig(), bool load = true) {
    auto l =
        ledger::Ledger::Open(*Env::Default(), db_, std::make_unique<mechanism::Directory>(), key_);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ledger_ = std::move(*l);
    auto t = store::Store::OpenSqlite(*Env::Default(), db_);
    ASSERT_TRUE(t.ok());
    tokens_ = std::move(*t);
    if (screening_) {
      auto g = guard::Guard::Open(*ledger_, *tokens_, prog_["un-mmu"].key);
      ASSERT_TRUE(g.ok()) << g.status().ToString();
      guard_ = std::move(*g);
    }
    auto s = Server::Start(*ledger_, tokens_.get(), config, guard_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    client_ = std::make_unique<HttpClient>(server_->port());
    if (!load) return;
    // As JSON arrays of at most max_batch submissions.
    for (size_t first = 0; first < prog_.lines.size(); first += config.max_batch) {
      const size_t end = std::min(prog_.lines.size(), first + config.max_batch);
      std::string batch = "[";
      for (size_t i = first; i < end; ++i) batch += (i > first ? ",\n" : "") + prog_.lines[i];
      batch += "]";
      const HttpResponse r = client_->Post("/v1/events", batch);
      ASSERT_EQ(r.status, 200u) << r.body;
      auto doc = json::Parse(r.body);
      ASSERT_TRUE(doc.ok());
      for (size_t i = first; i < end; ++i) {
        ASSERT_FALSE((*doc)["results"][i - first].contains("error"))
            << "programme line " << i << ": " << (*doc)["results"][i - first].dump();
      }
    }
    for (const auto& [party, role] : prog_.role_parties) {
      ASSERT_TRUE(
          tokens_
              ->PutToken({crypto::Sha256("tok-" + role), party, role, "2026-11-23T10:00:00Z", ""})
              .ok());
    }
  }

  HttpResponse Get(const std::string& target, const std::string& role = {}) {
    return client_->Get(target, role.empty() ? std::string() : "tok-" + role);
  }

  static inline int counter_ = 0;
  std::string dir_, db_;
  crypto::SignerKey key_;
  testing::Programme prog_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<store::Store> tokens_;
  bool screening_ = false;  // start the server with a guard (src/guard) signing as un-mmu
  std::unique_ptr<guard::Guard> guard_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ServerTest, PublicLogEndpoints) {
  Start();
  const uint64_t size = ledger_->Size();
  ASSERT_EQ(size, prog_.lines.size());

  HttpResponse r = Get("/v1/checkpoint");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, *ledger_->Checkpoint());
  EXPECT_NE(r.Header("Content-Type").find("text/plain"), std::string::npos);

  r = Get("/v1/events/3");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, *ledger_->Leaf(3));
  EXPECT_EQ(Get("/v1/events/abc").status, 400u);
  EXPECT_EQ(Code(Get("/v1/events/abc")), "invalid_argument");
  EXPECT_EQ(Get(fmt::format("/v1/events/{}", size)).status, 404u);

  r = Get("/v1/events?from=2&limit=3");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, *ledger_->Leaf(2) + "\n" + *ledger_->Leaf(3) + "\n" + *ledger_->Leaf(4) + "\n");
  EXPECT_EQ(r.Header("X-Aidtrace-Next"), "5");
  EXPECT_EQ(r.Header("X-Aidtrace-Size"), std::to_string(size));
  EXPECT_EQ(Get("/v1/events?from=0&limit=0").status, 400u);
  EXPECT_EQ(Get(fmt::format("/v1/events?from={}", size + 1)).status, 404u);
  EXPECT_EQ(Get(fmt::format("/v1/events?from={}", size)).body, "");

  r = Get("/v1/proof/inclusion?index=4&size=10");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, *ledger_->ProveInclusion(4, 10));
  EXPECT_TRUE(r.body.starts_with("c2sp.org/tlog-proof@v1\nindex 4\n"));
  EXPECT_EQ(Get("/v1/proof/inclusion?index=4").body, *ledger_->ProveInclusion(4, std::nullopt));
  EXPECT_EQ(Get("/v1/proof/inclusion").status, 400u);
  EXPECT_EQ(Get("/v1/proof/inclusion?index=x").status, 400u);
  EXPECT_EQ(Get(fmt::format("/v1/proof/inclusion?index={}", size)).status, 404u);

  r = Get("/v1/proof/consistency?old=3&new=9");
  EXPECT_EQ(r.status, 200u);
  std::string want;
  const auto proof = ledger_->ProveConsistency(3, 9);
  ASSERT_TRUE(proof.ok());
  for (const auto& h : *proof) want += Base64Encode(h) + "\n";
  EXPECT_EQ(r.body, want);
  EXPECT_EQ(Get("/v1/proof/consistency?old=0").status, 400u);
  EXPECT_EQ(Get(fmt::format("/v1/proof/consistency?old=1&new={}", size + 1)).status, 404u);

  r = Get("/healthz");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ((*json::Parse(r.body))["status"], "ok");
  r = Get("/v1/openapi.yaml");
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.body.starts_with("openapi: 3.1"));
  r = Get("/");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("/v1/openapi.yaml"), std::string::npos);
  EXPECT_EQ(Get("/nope").status, 404u);
  EXPECT_EQ(Code(Get("/v1/nope")), "not_found");
  r = client_->Request("DELETE", "/v1/checkpoint");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.Header("Allow"), "GET");

  r = Get("/metrics");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(
      r.body.find("aidtrace_http_requests_total{route=\"GET /v1/checkpoint\",status=\"200\"}"),
      std::string::npos);
  EXPECT_NE(r.body.find("aidtrace_http_request_duration_seconds_bucket{route=\"GET "
                        "/v1/proof/inclusion\""),
            std::string::npos);
  EXPECT_NE(r.body.find(fmt::format("aidtrace_log_size {}", size)), std::string::npos);
  EXPECT_NE(r.body.find(fmt::format("aidtrace_events_accepted_total {}", size)), std::string::npos);
}

TEST_F(ServerTest, SubmissionsReceiptsAndErrorStatuses) {
  Start();
  // A new event: a receipt; the same again: the same receipt, byte for byte.
  const std::string line = prog_.Transfer(1);
  HttpResponse r = client_->Post("/v1/events", line);
  ASSERT_EQ(r.status, 200u) << r.body;
  auto receipt = json::Parse(r.body);
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ((*receipt)["seq"], prog_.lines.size());
  EXPECT_EQ(client_->Post("/v1/events", line).body, r.body);
  EXPECT_EQ(Get(fmt::format("/v1/events/{}", (*receipt)["seq"].get<uint64_t>())).status, 200u);
  EXPECT_EQ(Get("/v1/checkpoint").body, (*receipt)["checkpoint"].get<std::string>());

  // One error of each kind, with the status of docs/API.md's table.
  EXPECT_EQ(client_->Post("/v1/events", "{\"v\":1,").status, 400u);
  EXPECT_EQ(Code(client_->Post("/v1/events", "{\"v\":1,")), "bad_json");
  EXPECT_EQ(Code(client_->Post("/v1/events", "{\"v\":1}")), "bad_envelope");
  // A signature over other bytes.
  auto doc = *json::Parse(prog_.Transfer(2));
  doc["nonce"] = "tampered";
  r = client_->Post("/v1/events", doc.dump());
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(Code(r), "bad_signature");
  // The same nonce on another event.
  const testing::Actor& vendor = prog_["vendor-al-amal"];
  r = client_->Post("/v1/events",
                    testing::SignedLine(
                        testing::MakeEnvelope("stock.transfer", vendor.id, "tr-1",
                                              {{"transfer", "tr-other"},
                                               {"from", "wh-gaza-01"},
                                               {"to", "wh-gaza-02"},
                                               {"lines", {{{"item", "cement"}, {"quantity", 2}}}}}),
                        {&vendor}));
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(Code(r), "replayed_nonce");
  // Unknown warehouse, too much stock, a vendor signing a monitor's type.
  auto transfer = [&](const std::string& nonce, const std::string& from, int64_t qty) {
    return testing::SignedLine(
        testing::MakeEnvelope("stock.transfer", vendor.id, nonce,
                              {{"transfer", nonce},
                               {"from", from},
                               {"to", "wh-gaza-02"},
                               {"lines", {{{"item", "cement"}, {"quantity", qty}}}}}),
        {&vendor});
  };
  r = client_->Post("/v1/events", transfer("x1", "wh-nowhere", 1));
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(Code(r), "unknown_ref");
  r = client_->Post("/v1/events", transfer("x2", "wh-gaza-01", 999999999));
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(Code(r), "exceeds_stock");
  r = client_->Post("/v1/events",
                    testing::SignedLine(
                        testing::MakeEnvelope("case.open", vendor.id, "x3",
                                              {{"case", "c-9"}, {"alerts", json::Value::array()}}),
                        {&vendor}));
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(Code(r), "not_permitted");
  // A project id already taken: bad_state (409).
  const testing::Actor& undp = prog_["undp"];
  r = client_->Post(
      "/v1/events",
      testing::SignedLine(testing::MakeEnvelope("project.propose", undp.id, "dup",
                                                {{"project", "school-rafah-07"},
                                                 {"title", "Again"},
                                                 {"category", "education"},
                                                 {"sector", "11220"},
                                                 {"area", "ps0275"},
                                                 {"location", {{"lat_e6", 1}, {"lon_e6", 1}}},
                                                 {"budget", {{"currency", "USD"}, {"amount", 1}}},
                                                 {"boq", {{{"item", "cement"}, {"quantity", 1}}}}}),
                          {&undp}));
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(Code(r), "bad_state");
  EXPECT_EQ(ledger_->Size(), prog_.lines.size() + 1);  // nothing else was logged

  r = Get("/metrics");
  EXPECT_NE(r.body.find("aidtrace_events_rejected_total{code=\"exceeds_stock\"} 1"),
            std::string::npos);
}

TEST_F(ServerTest, ABadEventInsideABatchRejectsOnlyItself) {
  Start();
  const uint64_t before = ledger_->Size();
  const std::string bad = "{\"v\":2}";
  const std::string body = "[" + prog_.Transfer(10) + ", " + bad + " ," + prog_.Transfer(11) + "]";
  HttpResponse r = client_->Post("/v1/events", body);
  ASSERT_EQ(r.status, 200u) << r.body;
  auto doc = *json::Parse(r.body);
  EXPECT_EQ(doc["accepted"], 2);
  EXPECT_EQ(doc["rejected"], 1);
  EXPECT_EQ(doc["results"][0]["seq"], before);
  EXPECT_EQ(doc["results"][1]["error"]["code"], "bad_envelope");
  EXPECT_EQ(doc["results"][2]["seq"], before + 1);  // contiguous, in order
  EXPECT_EQ(doc["results"][0]["checkpoint"], doc["results"][2]["checkpoint"]);  // one commit
  EXPECT_EQ(ledger_->Size(), before + 2);

  // A rule failure inside the batch (the second event depends on nothing; the first
  // refers to an unknown warehouse): the others are still accepted, in order.
  const testing::Actor& vendor = prog_["vendor-al-amal"];
  const std::string unknown = testing::SignedLine(
      testing::MakeEnvelope("stock.transfer", vendor.id, "u1",
                            {{"transfer", "u1"},
                             {"from", "wh-none"},
                             {"to", "wh-gaza-02"},
                             {"lines", {{{"item", "cement"}, {"quantity", 1}}}}}),
      {&vendor});
  // JSON lines this time; the first line is a resubmission (its original receipt).
  r = client_->Post("/v1/events", prog_.Transfer(10) + "\n" + unknown + "\n" + prog_.Transfer(12),
                    "application/x-ndjson");
  ASSERT_EQ(r.status, 200u);
  doc = *json::Parse(r.body);
  EXPECT_EQ(doc["results"][0]["seq"], before);
  EXPECT_EQ(doc["results"][1]["error"]["code"], "unknown_ref");
  EXPECT_EQ(doc["results"][2]["seq"], before + 2);
  EXPECT_EQ(doc["accepted"], 2);

  // Malformed batches: nothing is logged.
  EXPECT_EQ(Code(client_->Post("/v1/events", "[" + prog_.Transfer(13))), "bad_json");
  EXPECT_EQ(Code(client_->Post("/v1/events", "[]")), "invalid_argument");
  EXPECT_EQ(ledger_->Size(), before + 3);
}

TEST_F(ServerTest, SizeLimitsGive413) {
  ServerConfig c = TestConfig();
  c.max_batch = 2;
  c.max_body_bytes = 64 * 1024;
  Start(c);
  HttpResponse r = client_->Post("/v1/events", "[" + prog_.Transfer(1) + "," + prog_.Transfer(2) +
                                                   "," + prog_.Transfer(3) + "]");
  EXPECT_EQ(r.status, 413u);
  EXPECT_EQ(Code(r), "payload_too_large");
  HttpClient other(server_->port());
  r = other.Post("/v1/events", std::string(70000, ' ') + prog_.Transfer(1));
  EXPECT_EQ(r.status, 413u);
  EXPECT_EQ(Code(r), "payload_too_large");
  EXPECT_EQ(client_->Post("/v1/events", prog_.Transfer(1)).status, 200u);
}

TEST_F(ServerTest, TokensAreNeededChecked401AndRevocable) {
  Start();
  EXPECT_EQ(Get("/v1/projects").status, 401u);
  EXPECT_EQ(Code(Get("/v1/projects")), "unauthorized");
  EXPECT_EQ(Get("/v1/projects").Header("WWW-Authenticate"), "Bearer realm=\"aidtrace\"");
  EXPECT_EQ(client_->Get("/v1/projects", "not-a-token").status, 401u);
  HttpResponse r = Get("/v1/whoami", "vendor");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ((*json::Parse(r.body))["party"], "vendor-al-amal");
  ASSERT_TRUE(tokens_->RevokeToken(crypto::Sha256("tok-vendor"), "2026-11-23T12:00:00Z").ok());
  EXPECT_EQ(Get("/v1/whoami", "vendor").status, 401u);
  // A token whose party does not hold its role (any more): 403.
  ASSERT_TRUE(tokens_->PutToken({crypto::Sha256("tok-x"), "vendor-b", "monitor", "t", ""}).ok());
  EXPECT_EQ(client_->Get("/v1/whoami", "tok-x").status, 403u);
}

TEST_F(ServerTest, PerTokenRateLimitGives429) {
  ServerConfig c = TestConfig();
  c.rate_per_token = 1;
  c.rate_burst = 3;
  Start(c);
  unsigned last = 0;
  int ok = 0;
  for (int i = 0; i < 10; ++i) {
    last = Get("/v1/whoami", "monitor").status;
    if (last == 200) ++ok;
  }
  EXPECT_EQ(last, 429u);
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 5);
  HttpResponse r = Get("/v1/whoami", "monitor");
  EXPECT_EQ(Code(r), "rate_limited");
  EXPECT_EQ(r.Header("Retry-After"), "1");
  EXPECT_EQ(Get("/v1/whoami", "auditor").status, 200u);  // another token has its own bucket
  EXPECT_EQ(Get("/v1/checkpoint").status, 200u);         // the public log is not limited
}

// The access matrix of docs/API.md, each role's token against each query endpoint.
TEST_F(ServerTest, AccessMatrix) {
  Start();
  const std::vector<std::string> roles = {"governor",  "authority", "monitor",     "auditor",
                                          "inspector", "donor",     "implementer", "vendor"};
  const std::vector<std::pair<std::string, std::string>> matrix = {
      {"/v1/whoami", "AAAAAAAA"},
      {"/v1/parties", "AAAAAAAA"},
      {"/v1/parties/undp", "AAAAAAAA"},
      {"/v1/projects", "AAAAAAAA"},
      {"/v1/projects/school-rafah-07", "AAAAAAAA"},
      {"/v1/beneficiaries", "AAAAANNN"},
      {"/v1/beneficiaries/hh-1", "AAAAANNN"},
      {"/v1/warehouses", "AAAAANNO"},
      {"/v1/consignments", "AAAAANOO"},
      {"/v1/releases", "AAAAANOO"},
      {"/v1/funds/flows", "AAAANOOO"},
      {"/v1/funds/commitments", "AAAANOON"},
      {"/v1/screening/hits", "ANAANNNN"},
      {"/v1/alerts", "ANAANNNN"},
      {"/v1/cases", "ANAANNNN"},
      {"/v1/appeals", "AOAAOOOO"},
      {"/v1/pending", "AAAAOOOO"},
      {"/v1/dashboard", "AAAAAAAA"},
  };
  for (const auto& [path, access] : matrix) {
    EXPECT_EQ(Get(path).status, 401u) << path;
    for (size_t i = 0; i < roles.size(); ++i) {
      const HttpResponse r = Get(path, roles[i]);
      EXPECT_EQ(r.status, access[i] == 'N' ? 403u : 200u)
          << path << " as " << roles[i] << ": " << r.body.substr(0, 200);
      if (access[i] == 'N') {
        EXPECT_EQ(Code(r), "forbidden");
      }
    }
  }
  // Every query route is in the matrix.
  std::set<std::string> covered;
  for (const auto& rt : Api::Routes()) {
    if (!rt.needs_token || rt.method != "GET") continue;  // POST /v1/screen: its own test
    bool found = false;
    for (const auto& [path, access] : matrix) {
      std::string_view param;
      (void)param;
      const std::string prefix = rt.pattern.substr(0, rt.pattern.find('{'));
      if (rt.pattern.find('{') == std::string::npos
              ? path == rt.pattern
              : path.starts_with(prefix) && path.size() > prefix.size()) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << rt.pattern << " is not in the test's access matrix";
  }

  // "Own" means own: a vendor sees its warehouses and releases only; a donor its
  // commitments; an implementer's pending decisions are its projects'.
  auto items = [&](const std::string& path, const std::string& role) {
    auto doc = json::Parse(Get(path, role).body);
    return doc.ok() ? (*doc)["items"] : json::Value();
  };
  json::Value wh = items("/v1/warehouses", "vendor");
  ASSERT_EQ(wh.size(), 2u);
  for (const auto& w : wh) EXPECT_EQ(w["vendor"], "vendor-al-amal");
  EXPECT_EQ(items("/v1/warehouses", "monitor").size(), 3u);
  EXPECT_EQ(items("/v1/releases", "vendor").size(), 1u);
  EXPECT_EQ(items("/v1/releases", "implementer").size(), 1u);
  EXPECT_EQ(items("/v1/funds/commitments", "donor").size(), 1u);
  EXPECT_EQ(items("/v1/funds/flows?by=payee", "vendor").size(), 1u);
  json::Value pending = items("/v1/pending", "implementer");
  ASSERT_FALSE(pending.empty());
  for (const auto& p : pending) EXPECT_EQ(p["party"], "undp") << p.dump();
  EXPECT_EQ(items("/v1/appeals", "implementer").size(), 1u);
  EXPECT_EQ(items("/v1/appeals", "vendor").size(), 0u);
}

TEST_F(ServerTest, StateQueriesFilterSortPageAndDetail) {
  Start();
  auto get = [&](const std::string& path) {
    HttpResponse r = Get(path, "monitor");
    EXPECT_EQ(r.status, 200u) << path << ": " << r.body;
    auto doc = json::Parse(r.body);
    return doc.ok() ? *doc : json::Value();
  };
  json::Value all = get("/v1/projects");
  EXPECT_EQ(all["total"], 3);
  json::Value approved = get("/v1/projects?status=approved");
  ASSERT_EQ(approved["total"], 1);
  EXPECT_EQ(approved["items"][0]["project"], "school-rafah-07");
  EXPECT_EQ(get("/v1/projects?implementer=undp&area=ps0275&sector=11220")["total"], 3);
  json::Value page = get("/v1/projects?sort=-project&limit=1&offset=1");
  EXPECT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["project"],
            "road-3" < std::string("school-rafah-07") ? "road-3" : "school-rafah-07");
  EXPECT_EQ(Get("/v1/projects?colour=red", "monitor").status, 400u);
  EXPECT_EQ(Get("/v1/projects?limit=0", "monitor").status, 400u);
  EXPECT_EQ(Get("/v1/projects?sort=nope", "monitor").status, 400u);
  EXPECT_EQ(Get("/v1/projects/none", "monitor").status, 404u);
  EXPECT_EQ(Get("/v1/parties/none", "monitor").status, 404u);

  json::Value detail = get("/v1/projects/school-rafah-07");
  ASSERT_EQ(detail["boq"].size(), 1u);
  EXPECT_EQ(detail["boq"][0]["approved"], 40000);
  EXPECT_EQ(detail["boq"][0]["released"], 10000);
  EXPECT_EQ(detail["boq"][0]["verified"], 10000);
  EXPECT_EQ(detail["boq"][0]["progress_permille"], 250);
  EXPECT_EQ(detail["funds"][0]["committed"], 200000);
  EXPECT_EQ(detail["funds"][0]["paid"], 30000);
  std::set<std::string> types;
  for (const auto& e : detail["timeline"]) types.insert(e["type"].get<std::string>());
  for (const char* t :
       {"project.propose", "project.approve", "consignment.request", "material.release",
        "material.verify", "funds.commit", "funds.disburse", "funds.pay", "alert.raise"}) {
    EXPECT_TRUE(types.contains(t)) << t << " missing from the timeline";
  }
  json::Value pending = get("/v1/projects/clinic-2");
  EXPECT_EQ(pending["approval"]["waiting_for"].size(), 2u);
  EXPECT_FALSE(pending["approval"]["deadline"].get<std::string>().empty());

  EXPECT_EQ(get("/v1/parties")["total"], 9);
  EXPECT_EQ(get("/v1/parties?roles=vendor")["total"], 2);
  EXPECT_EQ(get("/v1/warehouses?vendor=vendor-b")["total"], 1);
  EXPECT_EQ(get("/v1/consignments")["items"][0]["lines"][0]["status"], "approved");
  EXPECT_EQ(get("/v1/funds/flows?by=donor")["items"][0]["pledged"], 1000000);
  EXPECT_EQ(get("/v1/funds/flows?by=project")["items"][0]["paid"], 30000);
  EXPECT_EQ(get("/v1/funds/flows?by=currency")["items"][0]["disbursed"], 100000);
  EXPECT_EQ(Get("/v1/funds/flows?by=colour", "monitor").status, 400u);
  EXPECT_EQ(get("/v1/screening/hits?status=open")["total"], 1);
  EXPECT_EQ(get("/v1/alerts")["items"][0]["status"], "in_case");
  EXPECT_EQ(get("/v1/cases")["items"][0]["alerts"][0], "a-1");
  EXPECT_EQ(get("/v1/appeals")["items"][0]["status"], "pending");
  std::set<std::string> kinds;
  const json::Value all_pending = get("/v1/pending");
  for (const auto& p : all_pending["items"]) kinds.insert(p["kind"].get<std::string>());
  EXPECT_EQ(kinds, (std::set<std::string>{"project_approval", "screening_review", "case_decision",
                                          "appeal_decision"}))
      << all_pending.dump();
  json::Value dash = get("/v1/dashboard");
  EXPECT_EQ(dash["by_item"][0]["released"], 10000);
  EXPECT_EQ(dash["by_area"][0]["area"], "ps0275");
  ASSERT_EQ(dash["by_week"].size(), 1u);
  EXPECT_EQ(dash["by_week"][0]["released"]["cement"], 10000);
}

// Personal data (the private record's names) reaches only the policy's roles.
TEST_F(ServerTest, PersonalDataOnlyForPermittedRoles) {
  Start();
  std::vector<std::string> paths;
  for (const auto& rt : Api::Routes()) {
    if (rt.method != "GET") continue;
    std::string p = rt.pattern;
    if (const size_t b = p.find("{id}"); b != std::string::npos) {
      for (const char* id : {"hh-1", "school-rafah-07", "un-mmu"}) {
        paths.push_back(p.substr(0, b) + id);
      }
    } else if (const size_t s = p.find("{seq}"); s != std::string::npos) {
      for (uint64_t i = 0; i < ledger_->Size(); ++i) {
        paths.push_back(p.substr(0, s) + std::to_string(i));
      }
    } else {
      paths.push_back(p);
    }
  }
  paths.push_back("/v1/events?from=0&limit=1000");
  for (const auto& [party, role] : prog_.role_parties) {
    const bool allowed = role == "monitor" || role == "auditor";
    bool seen = false;
    for (const auto& path : paths) {
      const HttpResponse r = Get(path, role);
      for (const auto& name : prog_.names) {
        if (r.body.find(name) != std::string::npos) {
          seen = true;
          EXPECT_TRUE(allowed) << role << " saw \"" << name << "\" at " << path;
        }
      }
    }
    EXPECT_EQ(seen, allowed) << role;
  }
  for (const auto& name : prog_.names) {
    EXPECT_EQ(Get("/v1/events?from=0&limit=1000").body.find(name), std::string::npos);
  }
  HttpResponse r = Get("/v1/beneficiaries/hh-1", "auditor");
  EXPECT_EQ((*json::Parse(r.body))["private"]["names"]["given"], "Zubaida");
  r = Get("/v1/beneficiaries/hh-1", "inspector");
  EXPECT_EQ(r.status, 200u);
  EXPECT_FALSE((*json::Parse(r.body)).contains("private"));
}

TEST_F(ServerTest, IdleAndSlowConnectionsTimeOut) {
  ServerConfig c = TestConfig();
  c.request_timeout_ms = 200;
  Start(c, /*load=*/false);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string partial = "GET /v1/checkpoint HTTP/1.1\r\nHost: x\r\n";
  ASSERT_EQ(::write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  char buf[64];
  // The server closes the connection: read returns 0 (or an error), never blocks forever.
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_LE(::read(fd, buf, sizeof buf), 0);
  ::close(fd);
  EXPECT_EQ(Get("/v1/checkpoint").status, 200u);
}

TEST_F(ServerTest, StaticWebRoot) {
  ServerConfig c = TestConfig();
  c.web_root = dir_ + "/web";
  std::filesystem::create_directories(c.web_root + "/assets");
  std::ofstream(c.web_root + "/index.html") << "<html>dashboard</html>";
  std::ofstream(c.web_root + "/assets/app.js") << "console.log(1)";
  Start(c, /*load=*/false);
  EXPECT_EQ(Get("/").body, "<html>dashboard</html>");
  HttpResponse r = Get("/assets/app.js");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.Header("Content-Type").find("javascript"), std::string::npos);
  EXPECT_EQ(Get("/../log.db").status, 404u);
  EXPECT_EQ(Get("/assets/none.js").status, 404u);
}

TEST_F(ServerTest, ShutdownFinishesInFlightAndRefusesNewWork) {
  Start();
  EXPECT_EQ(client_->Post("/v1/events", prog_.Transfer(1)).status, 200u);
  server_->Shutdown();
  server_->Shutdown();  // idempotent
  EXPECT_NE(HttpClient(server_->port()).Get("/v1/checkpoint").status, 200u);
  EXPECT_EQ(ledger_->Size(), prog_.lines.size() + 1);
}

TEST_F(ServerTest, ShutdownUnderLoadKeepsEveryAcknowledgedEvent) {
  Start();
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> acked;
  std::set<unsigned> statuses;
  std::atomic<size_t> next{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      HttpClient c(server_->port());
      for (;;) {
        const size_t first = next.fetch_add(20);
        std::string body = "[";
        for (size_t i = first; i < first + 20; ++i) {
          body += (i > first ? "," : "") + prog_.Transfer(i);
        }
        body += "]";
        const HttpResponse r = c.Post("/v1/events", body);
        std::lock_guard lock(mu);
        statuses.insert(r.status);
        if (r.status != 200) return;
        auto doc = json::Parse(r.body);
        for (const auto& res : (*doc)["results"]) {
          if (res.contains("seq")) {
            acked.emplace_back(res["seq"].get<uint64_t>(), res["leaf_hash"].get<std::string>());
          }
        }
      }
    });
  }
  while (next.load() < 400) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->Shutdown();
  for (auto& t : clients) t.join();
  ASSERT_FALSE(acked.empty());
  for (unsigned s : statuses) EXPECT_TRUE(s == 200 || s == 503 || s == 0) << s;
  for (const auto& [seq, hash] : acked) {
    auto leaf = ledger_->Leaf(seq);
    ASSERT_TRUE(leaf.ok()) << seq;
    EXPECT_EQ(crypto::FormatTaggedHash(log::HashLeaf(AsBytes(*leaf))), hash);
  }
}

// Every route of the router is a path of docs/openapi.yaml and every path there is routed.
TEST(OpenApi, EveryRouteIsSpecifiedAndEverySpecifiedPathRouted) {
  const std::string_view yaml = OpenApiYaml();
  std::set<std::pair<std::string, std::string>> spec;  // (method, path)
  std::string path;
  bool in_paths = false;
  size_t pos = 0;
  while (pos < yaml.size()) {
    size_t end = yaml.find('\n', pos);
    if (end == std::string_view::npos) end = yaml.size();
    const std::string_view line = yaml.substr(pos, end - pos);
    pos = end + 1;
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!in_paths) continue;
    if (!line.empty() && line[0] != ' ') break;  // the next top-level member
    if (line.size() > 3 && line.substr(0, 2) == "  " && line[2] == '/' && line.back() == ':') {
      path = std::string(line.substr(2, line.size() - 3));
    } else if (line.size() > 5 && line.substr(0, 4) == "    " && line[4] != ' ' &&
               line.back() == ':') {
      std::string method(line.substr(4, line.size() - 5));
      for (auto& ch : method) ch = static_cast<char>(std::toupper(ch));
      spec.emplace(method, path);
    }
  }
  std::set<std::pair<std::string, std::string>> routed;
  for (const auto& r : Api::Routes()) routed.emplace(r.method, r.pattern);
  EXPECT_EQ(routed, spec);
  EXPECT_GE(spec.size(), 25u);
}

TEST(HttpStatus, OneTableForEveryCode) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kBadJson), 400u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthorized), 401u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kBadSignature), 403u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kReplayedNonce), 409u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPayloadTooLarge), 413u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kExceedsStock), 422u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kRateLimited), 429u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kIoError), 500u);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503u);
  for (int c = 1; c <= static_cast<int>(ErrorCode::kUnavailable); ++c) {
    const unsigned s = HttpStatusFor(static_cast<ErrorCode>(c));
    EXPECT_TRUE(s >= 400 && s < 600) << CodeName(static_cast<ErrorCode>(c));
  }
}

TEST(Config, StrictParsing) {
  auto c = ParseConfig(R"({"listen":"0.0.0.0:9000","threads":4,"rate_per_token":10,
                           "access_log":false,"web_root":"/srv/web"})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen, "0.0.0.0:9000");
  EXPECT_EQ(c->threads, 4u);
  EXPECT_EQ(c->rate_per_token, 10u);
  EXPECT_FALSE(c->access_log);
  EXPECT_EQ(ParseConfig(R"({"thread":4})").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseConfig(R"({"threads":"4"})").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseConfig(R"({"listen":"nohost"})").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseConfig("[").status().code(), ErrorCode::kBadJson);
}

}  // namespace
}  // namespace aidtrace::server

namespace aidtrace::server {
namespace {

// Screening over HTTP: a list version stored and loaded through POST /v1/events, then
// POST /v1/screen finds its entry and a listed person's admission is refused.
TEST_F(ServerTest, ScreeningThroughTheApi) {
  screening_ = true;
  Start();
  const std::string list_text =
      R"({"id":"NK-1","schema":"Person","properties":{"name":["Abu Bakr al-Baghdadi"],)"
      R"("birthDate":["1971-07-28"],"nationality":["iq"]}})"
      "\n";
  auto entities = screening::ImportFtmJsonl(list_text, "test-list");
  ASSERT_TRUE(entities.ok());
  const std::string sha = crypto::FormatTaggedHash(crypto::Sha256(list_text));
  ASSERT_TRUE(tokens_
                  ->PutListFile(guard::MakeListFile("test-list", "ftm-jsonl", sha, *entities,
                                                    "2026-11-23T10:00:00Z"))
                  .ok());
  const testing::Actor& mmu = prog_["un-mmu"];
  HttpResponse r = client_->Post(
      "/v1/events",
      testing::SignedLine(
          testing::MakeEnvelope(
              "watchlist.load", mmu.id, "wl-test",
              {{"list", "test-list"}, {"version", "1"}, {"sha256", sha}, {"entries", 1}}),
          {&mmu}));
  ASSERT_EQ(r.status, 200u) << r.body;
  auto screen = [&](const std::string& body, const std::string& role) {
    return client_->Request(
        "POST", "/v1/screen", body,
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer tok-" + role}});
  };
  r = screen(R"({"name": "Abubakr Al Baghdady", "dob": "1971"})", "monitor");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto doc = json::Parse(r.body);
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ((*doc)["hits"].size(), 1u) << r.body;
  EXPECT_EQ((*doc)["hits"][0]["entry"], "NK-1");
  EXPECT_EQ((*doc)["hits"][0]["list"], "test-list");
  EXPECT_GE((*doc)["hits"][0]["score"].get<int>(), 850);
  EXPECT_FALSE((*doc)["hits"][0]["explanation"].get<std::string>().empty());
  EXPECT_EQ((*doc)["lists"][0]["list"], "test-list");
  r = screen(R"({"name": "Fatima Haddad"})", "monitor");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json::Parse(r.body)->at("hits").size(), 0u);
  // Bad requests and roles without personal data.
  EXPECT_EQ(screen(R"({"name": "x"})", "donor").status, 403u);
  EXPECT_EQ(client_->Post("/v1/screen", R"({"name": "x"})").status, 401u);
  r = screen(R"({"name": "x", "dob": "1971-13"})", "monitor");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(Code(r), "invalid_argument");
  EXPECT_EQ(screen(R"({"nam": "x"})", "monitor").status, 400u);
  EXPECT_EQ(screen(R"({})", "monitor").status, 400u);
  EXPECT_EQ(screen("[1", "monitor").status, 400u);

  // A contractor whose principal is the listed person: a hit is logged, then the
  // admission is refused.
  const testing::Actor c = testing::MakeActor("contractor-x", 991);
  json::Value priv = {{"salt", "c2FsdHNhbHRzYWx0c2FsdA=="},
                      {"people",
                       {{{"names",
                          {{"given", "Abubakr"},
                           {"father", ""},
                           {"grandfather", ""},
                           {"family", "al-Baghdadi"},
                           {"arabic", "أبو بكر البغدادي"}}},
                         {"position", "owner"},
                         {"id_number", "1"},
                         {"birth_date", "1971-07-28"}}}}};
  const std::string admit =
      testing::SignedLine(testing::MakeEnvelope("party.admit", mmu.id, "admit-x",
                                                {{"party", c.id},
                                                 {"name", "X Contracting"},
                                                 {"roles", {"implementer"}},
                                                 {"keys", {c.vkey}},
                                                 {"country", "PS"},
                                                 {"registration", "77"},
                                                 {"pii", testing::PiiOf(priv)}}),
                          {&mmu}, &priv);
  r = client_->Post("/v1/events", admit);
  EXPECT_EQ(Code(r), "screening_blocked") << r.body;
  // The hit is listed (the index caught up with the event the guard logged).
  r = Get("/v1/screening/hits?subject=contractor-x", "monitor");
  ASSERT_EQ(r.status, 200u) << r.body;
  doc = json::Parse(r.body);
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ((*doc)["items"].size(), 1u) << r.body;
  EXPECT_EQ((*doc)["items"][0]["entry"], "NK-1");
}

}  // namespace
}  // namespace aidtrace::server
