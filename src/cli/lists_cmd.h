// `aidtrace lists import|rescreen|show`: sanctions list versions in a store, and the
// screening of every subject against them (src/guard). Also the guarded ingest that
// `append --detector-key` uses.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "base/status.h"
#include "guard/guard.h"
#include "ledger/ledger.h"
#include "store/store.h"

namespace aidtrace::cli {

// Adds the `lists` command and its subcommands; the chosen command's exit status is
// written to `rc`.
void AddListsCommands(CLI::App& app, int& rc);

// A store handle for list files beside a ledger's, and a guard over both.
struct GuardHandles {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<guard::Guard> guard;
};
// `read_subjects` false: only the lists (for screening given names, never submitting).
Result<GuardHandles> OpenGuard(ledger::Ledger& ledger, const std::string& db,
                               std::optional<crypto::SignerKey> signer, bool read_subjects = true);

// Prints a guard report's problems and, unless `quiet`, a one-line summary to stderr.
void PrintGuardReport(const guard::GuardReport& r, bool quiet);

}  // namespace aidtrace::cli
