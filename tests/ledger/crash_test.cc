// Crash recovery by simulation (SQLite's crash tests, LevelDB's fault injection): a child
// process appends continuously and prints each receipt as soon as Submit returns it; the
// parent SIGKILLs the child at a random moment, reopens the store, verifies it entirely
// and checks that every receipt the child printed is in the log. Rounds: 60 by default,
// AIDTRACE_CRASH_ROUNDS to change (`make crash-long` runs 1000).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "base/encoding.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "testing/events.h"

namespace aidtrace::ledger {
namespace {

const testing::Actor& Monitor() {
  static const testing::Actor a = testing::MakeActor("un-mmu", 1);
  return a;
}

crypto::SignerKey LogKey() { return testing::MakeActor("crash.example.org", 7).key; }

// The child: append admissions forever, printing "seq leafhash" per receipt.
int RunChild(const std::string& db, int round) {
  auto l = Ledger::Open(*Env::Default(), db, std::make_unique<mechanism::Directory>(), LogKey());
  if (!l.ok()) {
    std::fprintf(stderr, "child: %s\n", l.status().ToString().c_str());
    return 3;
  }
  Ledger& ledger = **l;
  std::mt19937 rng(static_cast<unsigned>(round));
  for (int i = 0;; ++i) {
    std::vector<Prepared> items;
    const int n = 1 + static_cast<int>(rng() % 16);
    for (int k = 0; k < n; ++k) {
      const auto v = testing::MakeActor(fmt::format("v-{}-{}-{}", round, i, k), rng());
      auto p = ledger.Prepare(
          testing::AdmitLine(Monitor(), v, "vendor", fmt::format("{}-{}-{}", round, i, k)));
      if (!p.ok()) return 4;
      items.push_back(std::move(*p));
    }
    auto rs = ledger.Submit(std::move(items));
    std::string out;
    for (auto& r : rs) {
      if (!r.ok()) {
        std::fprintf(stderr, "child: %s\n", r.status().ToString().c_str());
        return 5;
      }
      out += fmt::format("{} {}\n", r->seq, HexEncode(r->leaf_hash));
    }
    if (::write(STDOUT_FILENO, out.data(), out.size()) != static_cast<ssize_t>(out.size()))
      return 6;
  }
}

std::string g_self;

TEST(CrashTest, KilledWritersLoseNoAcknowledgedEvent) {
  const char* env_rounds = std::getenv("AIDTRACE_CRASH_ROUNDS");
  const int rounds = env_rounds != nullptr ? std::atoi(env_rounds) : 60;
  const std::string dir =
      (std::filesystem::temp_directory_path() / fmt::format("aidtrace-crash-{}", getpid()))
          .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/log.db";
  ASSERT_TRUE(Ledger::Create(*Env::Default(), db, "crash.example.org", LogKey(), dir + "/k").ok());
  {
    auto l = Ledger::Open(*Env::Default(), db, std::make_unique<mechanism::Directory>(), LogKey());
    ASSERT_TRUE(l.ok());
    std::vector<Prepared> g;
    g.push_back(*(*l)->Prepare(testing::GenesisLine({&Monitor()})));
    ASSERT_TRUE((*l)->Submit(std::move(g))[0].ok());
  }
  std::mt19937 rng(12345);
  uint64_t total_acknowledged = 0;
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      const std::string r = std::to_string(round);
      execl(g_self.c_str(), g_self.c_str(), "--crash-child", db.c_str(), r.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    // Let it run 5..80 ms past its start-up, then kill it without warning.
    usleep(5000 + rng() % 75000);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    std::string printed;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
      printed.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);

    auto report = Ledger::Verify(*Env::Default(), db, std::make_unique<mechanism::Directory>());
    ASSERT_TRUE(report.ok()) << "round " << round << ": " << report.status().ToString();
    LedgerOptions ro;
    ro.read_only = true;
    auto l = Ledger::Open(*Env::Default(), db, std::make_unique<mechanism::Directory>(),
                          std::nullopt, ro);
    ASSERT_TRUE(l.ok());
    std::istringstream lines(printed);
    std::string line;
    while (std::getline(lines, line)) {
      if (lines.eof()) break;  // a line cut by the kill is not a complete receipt
      uint64_t seq = 0;
      char hex[65] = {};
      ASSERT_EQ(std::sscanf(line.c_str(), "%lu %64s", &seq, hex), 2) << line;
      auto leaf = (*l)->Leaf(seq);
      ASSERT_TRUE(leaf.ok()) << "round " << round << ": acknowledged seq " << seq << " lost";
      EXPECT_EQ(HexEncode(log::HashLeaf(AsBytes(*leaf))), hex)
          << "round " << round << " seq " << seq;
      ++total_acknowledged;
    }
  }
  std::printf("crash test: %d rounds, %lu acknowledged events all present\n", rounds,
              static_cast<unsigned long>(total_acknowledged));
  EXPECT_GT(total_acknowledged, 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aidtrace::ledger

int main(int argc, char** argv) {
  aidtrace::ledger::g_self = std::filesystem::canonical("/proc/self/exe").string();
  if (argc == 4 && std::string(argv[1]) == "--crash-child") {
    return aidtrace::ledger::RunChild(argv[2], std::atoi(argv[3]));
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
