#include "cli/lists_cmd.h"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/env.h"
#include "base/ids.h"
#include "base/time.h"
#include "cli/commands.h"
#include "crypto/sha256.h"
#include "detect/observer.h"
#include "event/envelope.h"
#include "mechanism/directory.h"
#include "screening/importers.h"

namespace aidtrace::cli {
namespace {

Result<std::unique_ptr<ledger::Ledger>> OpenWritable(const std::string& db,
                                                     const std::string& log_key) {
  ASSIGN_OR_RETURN(crypto::SignerKey key, ReadLogKey(db, log_key));
  return ledger::Ledger::Open(*Env::Default(), db, std::make_unique<mechanism::Directory>(),
                              std::move(key));
}

struct ImportArgs {
  std::string file, list, db, key, version, log_key;
  bool json = false;
};

// A list file read for the list `list`: its entities and the SHA-256 of the file as
// published (what watchlist.load records).
struct ListVersion {
  screening::LoadedList loaded;
  std::string sha;
};

Result<ListVersion> ReadListVersion(const std::string& file, const std::string& list) {
  if (!IsValidId(list)) {
    return Status(
        ErrorCode::kInvalidArgument,
        fmt::format("--list: \"{}\" is not a valid id ([a-z0-9][a-z0-9._-]{{0,63}})", list));
  }
  auto bytes = Env::Default()->ReadFile(file);
  if (!bytes.ok()) return bytes.status().WithContext(file);
  auto loaded = screening::LoadListFile(file);
  if (!loaded.ok()) return loaded.status().WithContext(file);
  return ListVersion{std::move(*loaded), crypto::FormatTaggedHash(crypto::Sha256(*bytes))};
}

store::ListFile ListFileOf(const std::string& list, const ListVersion& v, std::string_view now) {
  return guard::MakeListFile(list, screening::ListFormatName(v.loaded.format), v.sha,
                             v.loaded.entities, now);
}

int Import(const ImportArgs& a) {
  Env& env = *Env::Default();
  auto signer = ReadSignerKey(a.key);
  if (!signer.ok()) return Fail(signer.status().WithContext("--key"));
  auto read = ReadListVersion(a.file, a.list);
  if (!read.ok()) return Fail(read.status());
  const std::string& sha = read->sha;
  const size_t entries = read->loaded.entities.size();
  const std::string version =
      a.version.empty() ? "sha-" + sha.substr(std::string_view("sha256:").size(), 12) : a.version;
  if (version.empty() || version.size() > 64) {
    return Fail(Status(ErrorCode::kInvalidArgument, "--version: 1..64 bytes"));
  }
  auto ledger = OpenWritable(a.db, a.log_key);
  if (!ledger.ok()) return Fail(ledger.status());
  auto handles = OpenGuard(**ledger, a.db, *signer);
  if (!handles.ok()) return Fail(handles.status());
  // Keep the version's entities first: the guard reads them when the load is accepted.
  const std::string now = FormatRfc3339(env.Now());
  if (Status s = handles->store->PutListFile(ListFileOf(a.list, *read, now)); !s.ok()) {
    return Fail(s);
  }
  for (const auto& l : handles->guard->Lists()) {
    if (l.list == a.list && l.sha256 == sha) {
      std::printf("list %s: version %s (%s) is already the current one; nothing to do\n",
                  a.list.c_str(), l.version.c_str(), sha.c_str());
      return 0;
    }
  }
  json::Value envelope = {{"v", 1},
                          {"type", "watchlist.load"},
                          {"actor", signer->name},
                          {"time", now},
                          {"nonce", fmt::format("wl-{}-{}", a.list, sha.substr(7, 16))},
                          {"body",
                           {{"list", a.list},
                            {"version", version},
                            {"sha256", sha},
                            {"entries", static_cast<int64_t>(entries)}}}};
  auto signed_env = event::SignEnvelope(std::move(envelope), {&*signer, 1});
  if (!signed_env.ok()) return Fail(signed_env.status());
  auto line = json::Canonical(*signed_env);
  if (!line.ok()) return Fail(line.status());
  auto prepared = (*ledger)->Prepare(*line);
  if (!prepared.ok()) return Fail(prepared.status());
  std::vector<ledger::Prepared> items;
  items.push_back(std::move(*prepared));
  guard::GuardReport report;
  auto results = handles->guard->Submit(std::move(items), &report);
  if (!results[0].ok()) return Fail(results[0].status().WithContext("watchlist.load"));
  if (a.json) {
    json::Value out = {{"list", a.list},
                       {"version", version},
                       {"sha256", sha},
                       {"entries", static_cast<int64_t>(entries)},
                       {"seq", results[0]->seq},
                       {"subjects_screened", report.screened},
                       {"hits", report.hits},
                       {"reopened", report.reopened},
                       {"already", report.already}};
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("list %s: version %s loaded at %llu (%zu entries, %s)\n", a.list.c_str(),
                version.c_str(), static_cast<unsigned long long>(results[0]->seq), entries,
                sha.c_str());
  }
  PrintGuardReport(report, a.json);
  return report.problems.empty() ? 0 : 1;
}

struct StoreArgs {
  std::string file, list, db;
};

// Keeps a version's entities without loading it: a watchlist.load submitted later (over
// HTTP, or in a stream given to append) with this file's SHA-256 makes it current.
int StoreFile(const StoreArgs& a) {
  Env& env = *Env::Default();
  auto read = ReadListVersion(a.file, a.list);
  if (!read.ok()) return Fail(read.status());
  auto store = store::Store::Open(env, a.db);
  if (!store.ok()) return Fail(store.status());
  if (auto meta = (*store)->Meta(); !meta.ok()) return Fail(meta.status().WithContext(a.db));
  if (Status s = (*store)->PutListFile(ListFileOf(a.list, *read, FormatRfc3339(env.Now())));
      !s.ok()) {
    return Fail(s);
  }
  std::printf("list %s: %zu entries stored under %s\n", a.list.c_str(),
              read->loaded.entities.size(), read->sha.c_str());
  return 0;
}

struct RescreenArgs {
  std::string db, key, log_key;
  bool json = false;
};

int Rescreen(const RescreenArgs& a) {
  auto signer = ReadSignerKey(a.key);
  if (!signer.ok()) return Fail(signer.status().WithContext("--key"));
  auto ledger = OpenWritable(a.db, a.log_key);
  if (!ledger.ok()) return Fail(ledger.status());
  auto handles = OpenGuard(**ledger, a.db, *signer);
  if (!handles.ok()) return Fail(handles.status());
  const auto start = std::chrono::steady_clock::now();
  auto report = handles->guard->Rescreen();
  if (!report.ok()) return Fail(report.status());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (a.json) {
    json::Value out = {{"subjects", handles->guard->subject_count()},
                       {"screened", report->screened},
                       {"matches", report->matches},
                       {"hits", report->hits},
                       {"reopened", report->reopened},
                       {"already", report->already},
                       {"seconds_ms", static_cast<int64_t>(secs * 1000)}};
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf(
        "re-screened %zu subjects (%zu names) against %zu list names in %.1f s: %zu matches, "
        "%zu new hits (%zu reopened), %zu recorded before\n",
        handles->guard->subject_count(), report->screened, handles->guard->indexed_names(), secs,
        report->matches, report->hits, report->reopened, report->already);
  }
  PrintGuardReport(*report, true);
  return report->problems.empty() ? 0 : 1;
}

int Show(const std::string& db, bool as_json) {
  ledger::LedgerOptions options;
  options.snapshot_every = 0;
  auto ledger = ledger::Ledger::Open(*Env::Default(), db, std::make_unique<mechanism::Directory>(),
                                     std::nullopt, options);
  if (!ledger.ok()) return Fail(ledger.status());
  auto handles = OpenGuard(**ledger, db, std::nullopt);
  if (!handles.ok()) return Fail(handles.status());
  const auto lists = handles->guard->Lists();
  if (as_json) {
    json::Value out = json::Value::array();
    for (const auto& l : lists) {
      out.push_back({{"list", l.list},
                     {"version", l.version},
                     {"sha256", l.sha256},
                     {"entries", l.entries},
                     {"stored", l.stored}});
    }
    std::printf("%s\n", json::Value({{"lists", out}}).dump().c_str());
    return 0;
  }
  if (lists.empty()) std::printf("no list loaded\n");
  for (const auto& l : lists) {
    std::printf("%-32s %-24s %6lld entries  %s%s\n", l.list.c_str(), l.version.c_str(),
                static_cast<long long>(l.entries), l.sha256.c_str(),
                l.stored ? "" : "  (file not stored here: not screened against)");
  }
  std::printf("%zu subjects, %zu list names indexed\n", handles->guard->subject_count(),
              handles->guard->indexed_names());
  return 0;
}

}  // namespace

Result<GuardHandles> OpenGuard(ledger::Ledger& ledger, const std::string& db,
                               std::optional<crypto::SignerKey> signer, bool read_subjects) {
  GuardHandles h;
  store::OpenOptions o;
  o.reader_connections = 2;
  o.cache_kib = 2048;
  ASSIGN_OR_RETURN(h.store, store::Store::Open(*Env::Default(), db, o));
  guard::GuardOptions go;
  go.read_subjects = read_subjects;
  ASSIGN_OR_RETURN(h.guard, guard::Guard::Open(ledger, *h.store, std::move(signer), go));
  return h;
}

void PrintGuardReport(const guard::GuardReport& r, bool quiet) {
  if (!quiet) {
    std::fprintf(stderr,
                 "screening: %zu subjects screened, %zu matches, %zu hits recorded (%zu reopen a "
                 "cleared hit), %zu recorded before\n",
                 r.screened, r.matches, r.hits, r.reopened, r.already);
  }
  for (const auto& p : r.problems) {
    std::fprintf(stderr, "aidtrace: screening: %s\n", p.ToString().c_str());
  }
}

void AddListsCommands(CLI::App& app, int& rc) {
  static ImportArgs ia;
  static RescreenArgs ra;
  static StoreArgs sa;
  static std::string show_db;
  static bool show_json = false;
  auto* lists = app.add_subcommand("lists", "Sanctions list versions and re-screening");
  lists->require_subcommand(1);
  auto* imp = lists->add_subcommand(
      "import",
      "Store a list version, log watchlist.load, screen every subject against its "
      "changes");
  imp->add_option("file", ia.file, "List file (UN XML, OFAC sdn.csv/cons_prim.csv, FtM JSON lines)")
      ->required();
  imp->add_option("--list", ia.list, "The list's id in the mechanism")->required();
  imp->add_option("--db", ia.db, "Store")->required();
  imp->add_option("--key", ia.key, "A monitor's signer key (signs the load and the hits)")
      ->required();
  imp->add_option("--version", ia.version,
                  "The publisher's version or date (default: sha- and the file hash's first 12 "
                  "hex digits)");
  imp->add_option("--log-key", ia.log_key,
                  "Signer key of the log (default: the one init recorded)");
  imp->add_flag("--json", ia.json, "Print the outcome as JSON");
  imp->callback([&rc] { rc = Import(ia); });
  auto* st = lists->add_subcommand(
      "store",
      "Keep a list version's entities without loading it (a watchlist.load with its "
      "SHA-256, submitted later, makes it current)");
  st->add_option("file", sa.file, "List file (UN XML, OFAC sdn.csv/cons_prim.csv, FtM JSON lines)")
      ->required();
  st->add_option("--list", sa.list, "The list's id in the mechanism")->required();
  st->add_option("--db", sa.db, "Store")->required();
  st->callback([&rc] { rc = StoreFile(sa); });
  auto* re = lists->add_subcommand(
      "rescreen", "Screen every party, principal and household against the current lists");
  re->add_option("--db", ra.db, "Store")->required();
  re->add_option("--key", ra.key, "A monitor's (or the detector's) signer key, to sign the hits")
      ->required();
  re->add_option("--log-key", ra.log_key, "Signer key of the log (default: the one init recorded)");
  re->add_flag("--json", ra.json, "Print the outcome as JSON");
  re->callback([&rc] { rc = Rescreen(ra); });
  auto* show = lists->add_subcommand("show", "The current version of every loaded list");
  show->add_option("--db", show_db, "Store")->required();
  show->add_flag("--json", show_json, "Print JSON");
  show->callback([&rc] { rc = Show(show_db, show_json); });
}

}  // namespace aidtrace::cli
