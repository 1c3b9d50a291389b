// `aidtrace serve` as a child process: POST load from several clients, SIGKILL in the
// middle, restart, and every receipt that was handed out must name a leaf that is in the
// log with the receipt's leaf hash. Then a SIGTERM stops it cleanly (exit 0) and the
// log verifies. Also `aidtrace token create` prints the token as its last word.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/sha256.h"
#include "event/envelope.h"
#include "ledger/ledger.h"
#include "log/merkle.h"
#include "mechanism/directory.h"
#include "server/http_client.h"
#include "server/programme.h"

extern char** environ;

namespace aidtrace::server {
namespace {

using testing::HttpClient;

// A child `aidtrace serve` on a free port; its stdout gives the port.
class Child {
 public:
  Child(const std::string& db, const std::string& dir) {
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, (dir + "/serve.log").c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const std::string config = dir + "/serve.json";
    std::ofstream(config) << R"({"access_log":false,"threads":2,"ingest_threads":4})";
    std::vector<std::string> args = {AIDTRACE_CLI, "serve",       "--db",     db,
                                     "--listen",   "127.0.0.1:0", "--config", config};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, AIDTRACE_CLI, &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    char line[256] = {0};
    if (pid_ > 0 && std::fgets(line, sizeof line, f) != nullptr) {
      const std::string s(line);
      const size_t colon = s.rfind(':');
      if (s.starts_with("listening on http://") && colon != std::string::npos) {
        port_ = static_cast<uint16_t>(std::stoi(s.substr(colon + 1)));
      }
    }
    std::fclose(f);
  }
  ~Child() {
    if (pid_ > 0) Kill(SIGKILL);
  }
  uint16_t port() const { return port_; }
  // Sends `sig` and returns the exit status (-signal when killed by a signal).
  int Kill(int sig) {
    if (pid_ <= 0) return -1000;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

TEST(ServeProcess, RestartDuringLoadLosesNoAcknowledgedEvent) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / fmt::format("aidtrace-serve-{}", getpid()))
          .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/log.db", key_file = dir + "/log.key";
  Env& env = *Env::Default();
  auto key = crypto::GenerateSignerKey("test.example/log", env);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(
      env.WriteFileAtomic(key_file, crypto::FormatSignerKey(*key) + "\n", 0600, false).ok());
  ASSERT_TRUE(ledger::Ledger::Create(env, db, "test.example/log", *key, key_file).ok());
  const testing::Programme prog = testing::MakeProgramme();
  {
    auto l = ledger::Ledger::Open(env, db, std::make_unique<mechanism::Directory>(), *key);
    ASSERT_TRUE(l.ok());
    std::vector<ledger::Prepared> items;
    for (const auto& line : prog.lines) items.push_back(*(*l)->Prepare(line));
    for (const auto& r : (*l)->Submit(std::move(items)))
      ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // A token: printed once, as the last word.
  {
    const std::string cmd =
        fmt::format("{} token create --db {} --party un-mmu --role monitor", AIDTRACE_CLI, db);
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[512] = {0};
    ASSERT_NE(std::fgets(buf, sizeof buf, p), nullptr);
    EXPECT_EQ(::pclose(p), 0);
    std::string out(buf);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    const std::string token = out.substr(out.rfind(' ') + 1);
    EXPECT_TRUE(token.starts_with("aidt_")) << out;
    Child child(db, dir);
    ASSERT_NE(child.port(), 0) << "serve did not start; see " << dir << "/serve.log";
    HttpClient c(child.port());
    EXPECT_EQ(c.Get("/v1/whoami", token).status, 200u);
    EXPECT_EQ(
        std::system(
            fmt::format("{} token revoke --db {} {} > /dev/null", AIDTRACE_CLI, db, token).c_str()),
        0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the token cache
    EXPECT_EQ(c.Get("/v1/whoami", token).status, 401u);
    EXPECT_EQ(child.Kill(SIGTERM), 0);
  }

  // Load: 4 clients post batches of 25 transfers until the server dies.
  struct Acked {
    uint64_t seq;
    std::string leaf_hash;
  };
  std::vector<Acked> acked;
  std::mutex mu;
  {
    Child child(db, dir);
    ASSERT_NE(child.port(), 0);
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&] {
        HttpClient c(child.port());
        while (!stop.load()) {
          const size_t first = next.fetch_add(25);
          std::string body = "[";
          for (size_t i = first; i < first + 25; ++i) {
            body += (i > first ? "," : "") + prog.Transfer(i);
          }
          body += "]";
          auto r = c.Post("/v1/events", body);
          if (r.status != 200) break;  // the server is gone
          auto doc = json::Parse(r.body);
          if (!doc.ok()) break;
          std::lock_guard lock(mu);
          for (const auto& res : (*doc)["results"]) {
            if (res.contains("seq")) {
              acked.push_back({res["seq"].get<uint64_t>(), res["leaf_hash"].get<std::string>()});
            }
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    EXPECT_EQ(child.Kill(SIGKILL), -SIGKILL);
    stop.store(true);
    for (auto& t : clients) t.join();
  }
  ASSERT_GT(acked.size(), 0u) << "no load reached the server";

  Child again(db, dir);
  ASSERT_NE(again.port(), 0) << "restart failed; see " << dir << "/serve.log";
  HttpClient c(again.port());
  for (const auto& a : acked) {
    auto r = c.Get(fmt::format("/v1/events/{}", a.seq));
    ASSERT_EQ(r.status, 200u) << "acknowledged leaf " << a.seq << " is missing";
    EXPECT_EQ(crypto::FormatTaggedHash(log::HashLeaf(AsBytes(r.body))), a.leaf_hash) << a.seq;
  }
  // Still accepting, and a clean stop.
  EXPECT_EQ(c.Post("/v1/events", prog.Transfer(1000000)).status, 200u);
  EXPECT_EQ(again.Kill(SIGTERM), 0);
  auto report = ledger::Ledger::Verify(env, db, std::make_unique<mechanism::Directory>());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->leaves, prog.lines.size() + acked.size() + 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aidtrace::server
