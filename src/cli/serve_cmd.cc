#include "cli/serve_cmd.h"

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/env.h"
#include "base/status.h"
#include "base/time.h"
#include "cli/commands.h"
#include "cli/lists_cmd.h"
#include "crypto/note.h"
#include "crypto/sha256.h"
#include "detect/observer.h"
#include "detect/raise.h"
#include "ledger/ledger.h"
#include "mechanism/directory.h"
#include "mechanism/policy.h"
#include "server/config.h"
#include "server/server.h"
#include "store/store.h"

namespace aidtrace::cli {
namespace {

// Opens the ledger with the mechanism's state rebuilt; with `writable`, with the log key
// (`log_key_path`, or the file init recorded).
Result<std::unique_ptr<ledger::Ledger>> OpenState(
    const std::string& db, bool writable, const std::string& log_key_path,
    uint32_t hash_cache_level = 3, std::unique_ptr<ledger::StateMachine> state = nullptr) {
  Env& env = *Env::Default();
  std::optional<crypto::SignerKey> key;
  ledger::LedgerOptions options;
  options.hash_cache_level = hash_cache_level;
  if (writable) {
    ASSIGN_OR_RETURN(crypto::SignerKey k, ReadLogKey(db, log_key_path));
    key = std::move(k);
  } else {
    options.snapshot_every = 0;  // a reader writes nothing, not even a snapshot at close
  }
  if (state == nullptr) state = std::make_unique<mechanism::Directory>();
  return ledger::Ledger::Open(env, db, std::move(state), std::move(key), options);
}

// Raises the detectors' findings as alert.raise events signed by the detector key, once a
// second and at the end, on its own thread (a Submit like any client's).
class AlertRaiser {
 public:
  AlertRaiser(ledger::Ledger& ledger, detect::ObservingState& observer, crypto::SignerKey key)
      : ledger_(ledger), observer_(observer), key_(std::move(key)), thread_([this] { Loop(); }) {}
  ~AlertRaiser() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    Flush();  // what the last events found
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
      lock.unlock();
      Flush();
      lock.lock();
    }
  }
  void Flush() {
    if (failed_) return;
    const std::vector<detect::Finding> found = observer_.TakeFindings();
    if (found.empty()) return;
    auto r = detect::RaiseAlerts(ledger_, key_, found, Env::Default()->Now());
    if (!r.ok()) {
      // A key the policy does not name, or a stopped ledger: say so once, stop raising.
      std::fprintf(stderr, "aidtrace: detectors: %s; no more alerts are raised\n",
                   r.status().ToString().c_str());
      failed_ = true;
      return;
    }
    raised_ += r->raised;
    if (r->refused > 0) {
      std::fprintf(stderr, "aidtrace: detectors: %zu findings refused by the rules; first: %s\n",
                   r->refused, r->first_refusal.ToString().c_str());
    }
  }

  ledger::Ledger& ledger_;
  detect::ObservingState& observer_;
  crypto::SignerKey key_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool failed_ = false;
  size_t raised_ = 0;
  std::thread thread_;  // last: starts once the rest is ready
};

Result<std::unique_ptr<store::Store>> OpenTokens(const std::string& db) {
  store::OpenOptions o;
  o.reader_connections = 2;
  o.cache_kib = 2048;
  return store::Store::Open(*Env::Default(), db, o);
}

struct ServeArgs {
  std::string db, listen, config, web, log_key, detector_key;
  size_t threads = 0;
};

int Serve(const ServeArgs& a) {
  server::ServerConfig config;
  if (!a.config.empty()) {
    auto text = Env::Default()->ReadFile(a.config);
    if (!text.ok()) return Fail(text.status());
    auto parsed = server::ParseConfig(*text);
    if (!parsed.ok()) return Fail(parsed.status().WithContext(a.config));
    config = std::move(*parsed);
  }
  if (!a.listen.empty()) config.listen = a.listen;
  if (!a.web.empty()) config.web_root = a.web;
  if (a.threads > 0) config.threads = a.threads;
  std::string host;
  uint16_t port = 0;
  if (Status s = server::SplitHostPort(config.listen, host, port); !s.ok()) return Fail(s);
  // With a detector key, the detectors observe every event the rules accept and their
  // findings are raised as alerts while serving (docs/DETECTION.md).
  std::optional<crypto::SignerKey> detector;
  std::unique_ptr<ledger::StateMachine> state;
  detect::ObservingState* observer = nullptr;
  if (!a.detector_key.empty()) {
    auto k = ReadSignerKey(a.detector_key);
    if (!k.ok()) return Fail(k.status());
    detector = std::move(*k);
    auto o = std::make_unique<detect::ObservingState>();
    observer = o.get();
    state = std::move(o);
  }
  auto ledger =
      OpenState(a.db, /*writable=*/true, a.log_key, config.hash_cache_level, std::move(state));
  if (!ledger.ok()) return Fail(ledger.status());
  std::optional<AlertRaiser> raiser;
  if (observer != nullptr) raiser.emplace(**ledger, *observer, *detector);
  auto tokens = OpenTokens(a.db);
  if (!tokens.ok()) return Fail(tokens.status());
  // Screening (src/guard): with the detector key, submissions are screened against the
  // loaded lists and matches logged as screening.hit events signed by it; without it,
  // POST /v1/screen still answers and nothing is recorded.
  auto guarded = OpenGuard(**ledger, a.db, detector);
  if (!guarded.ok()) return Fail(guarded.status());
  for (const auto& l : guarded->guard->Lists()) {
    if (!l.stored) {
      std::fprintf(stderr,
                   "aidtrace: warning: list %s version %s is loaded in the log but its file is "
                   "not stored here (aidtrace lists store): not screened against\n",
                   l.list.c_str(), l.version.c_str());
    }
  }
  if (!detector.has_value() && !guarded->guard->Lists().empty()) {
    std::fprintf(stderr,
                 "aidtrace: warning: lists are loaded but no --detector-key was given: "
                 "submissions are not screened\n");
  }
  auto srv = server::Server::Start(**ledger, tokens->get(), config, guarded->guard.get());
  if (!srv.ok()) return Fail(srv.status());
  std::printf("listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>((*srv)->port()));
  std::fflush(stdout);
  (*srv)->RunUntilSignal();
  srv->reset();    // every in-flight request has finished
  raiser.reset();  // the last findings raised
  guarded->guard.reset();
  ledger->reset();  // clean close: a state snapshot, so the next start replays nothing
  return 0;
}

std::string TokenId(const crypto::Hash& h) { return HexEncode(h).substr(0, 16); }

int TokenCreate(const std::string& db, const std::string& party, const std::string& role) {
  if (!mechanism::IsKnownRole(role)) {
    return Fail(Status(ErrorCode::kInvalidArgument, fmt::format("unknown role \"{}\"", role)));
  }
  auto ledger = OpenState(db, /*writable=*/false, {});
  if (!ledger.ok()) return Fail(ledger.status());
  // A party not in the log yet may get a token (e.g. before genesis is posted): it is
  // refused (403) until the party holds the role. A party that exists must hold it.
  bool known = false;
  const Status held = (*ledger)->ReadState([&](const ledger::StateMachine& sm) -> Status {
    const auto& dir = static_cast<const mechanism::Directory&>(sm);
    auto p = dir.FindParty(party);
    if (!p.has_value()) return Status::Ok();
    known = true;
    if (std::find(p->roles.begin(), p->roles.end(), role) == p->roles.end()) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("the party \"{}\" does not hold the role \"{}\"", party, role));
    }
    return Status::Ok();
  });
  if (!held.ok()) return Fail(held);
  ledger->reset();
  auto tokens = OpenTokens(db);
  if (!tokens.ok()) return Fail(tokens.status());
  std::array<uint8_t, 32> raw{};
  Env::Default()->RandomBytes(raw);
  const std::string token = "aidt_" + HexEncode(raw);
  store::ApiToken t;
  t.hash = crypto::Sha256(token);
  t.party = party;
  t.role = role;
  t.created = FormatRfc3339(Env::Default()->Now());
  if (Status s = (*tokens)->PutToken(t); !s.ok()) return Fail(s);
  if (!known) {
    std::fprintf(stderr,
                 "aidtrace: warning: no party \"%s\" in the log yet; the token is refused (403) "
                 "until it holds the role \"%s\"\n",
                 party.c_str(), role.c_str());
  }
  std::printf("token %s for %s as %s (store it now: it is shown only once): %s\n",
              TokenId(t.hash).c_str(), party.c_str(), role.c_str(), token.c_str());
  return 0;
}

int TokenRevoke(const std::string& db, const std::string& id_or_token) {
  auto tokens = OpenTokens(db);
  if (!tokens.ok()) return Fail(tokens.status());
  std::optional<crypto::Hash> target;
  if (id_or_token.starts_with("aidt_")) {
    target = crypto::Sha256(id_or_token);
  } else {
    if (id_or_token.size() < 8) {
      return Fail(Status(ErrorCode::kInvalidArgument,
                         "give the token, or at least 8 hex digits of its id (token list)"));
    }
    int matches = 0;
    Status s = (*tokens)->ScanTokens([&](const store::ApiToken& t) {
      if (HexEncode(t.hash).starts_with(id_or_token)) {
        target = t.hash;
        ++matches;
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s);
    if (matches > 1) {
      return Fail(
          Status(ErrorCode::kInvalidArgument,
                 fmt::format("\"{}\" names {} tokens; give more digits", id_or_token, matches)));
    }
  }
  if (!target.has_value()) {
    return Fail(Status(ErrorCode::kNotFound, fmt::format("no token \"{}\"", id_or_token)));
  }
  if (Status s = (*tokens)->RevokeToken(*target, FormatRfc3339(Env::Default()->Now())); !s.ok()) {
    return Fail(s);
  }
  std::printf("revoked token %s\n", TokenId(*target).c_str());
  return 0;
}

int TokenList(const std::string& db) {
  auto tokens = OpenTokens(db);
  if (!tokens.ok()) return Fail(tokens.status());
  Status s = (*tokens)->ScanTokens([](const store::ApiToken& t) {
    std::printf("%s %s %s created %s%s\n", TokenId(t.hash).c_str(), t.party.c_str(), t.role.c_str(),
                t.created.c_str(), t.revoked.empty() ? "" : (" revoked " + t.revoked).c_str());
    return Status::Ok();
  });
  return s.ok() ? 0 : Fail(s);
}

}  // namespace

void AddServeCommands(CLI::App& app, int& rc) {
  // Option storage lives as long as the app (commands run after parsing).
  struct Args {
    ServeArgs serve;
    std::string db, party, role, id;
  };
  static Args a;

  auto* serve = app.add_subcommand("serve", "Serve the HTTP API (docs/API.md)");
  serve->add_option("--db", a.serve.db, "Store")->required();
  serve->add_option("--listen", a.serve.listen, "host:port (default 127.0.0.1:8080)");
  serve->add_option("--config", a.serve.config, "JSON config file (docs/API.md)");
  serve->add_option("--web", a.serve.web, "Directory of static files served at /");
  serve->add_option("--detector-key", a.serve.detector_key,
                    "Signer key of the policy's detector: run the detectors on every event "
                    "and raise their findings as alerts");
  serve->add_option("--log-key", a.serve.log_key,
                    "Signer key of the log (default: the one init recorded)");
  serve->add_option("--threads", a.serve.threads, "Network threads (default: one per core)");
  serve->callback([&rc] { rc = Serve(a.serve); });

  auto* token = app.add_subcommand("token", "API tokens: create, revoke, list");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "Create a token; print it once (last word)");
  create->add_option("--db", a.db, "Store")->required();
  create->add_option("--party", a.party, "The party the token reads for")->required();
  create->add_option("--role", a.role, "One of the party's roles")->required();
  create->callback([&rc] { rc = TokenCreate(a.db, a.party, a.role); });
  auto* revoke = token->add_subcommand("revoke", "Revoke a token (the token, or its id)");
  revoke->add_option("--db", a.db, "Store")->required();
  revoke->add_option("token", a.id, "The token, or the first digits of its id")->required();
  revoke->callback([&rc] { rc = TokenRevoke(a.db, a.id); });
  auto* list = token->add_subcommand("list", "List tokens (ids, never the tokens)");
  list->add_option("--db", a.db, "Store")->required();
  list->callback([&rc] { rc = TokenList(a.db); });
}

}  // namespace aidtrace::cli
