// `aidtrace screen`: screening a name straight against list files (no store), and
// `aidtrace screen evaluate`: the evaluation figures of docs/SCREENING.md.
#pragma once

#include <CLI/CLI.hpp>

namespace aidtrace::cli {

// Adds the `screen` command (and its `evaluate` subcommand) to `app`; the chosen
// command's exit status is written to `rc`.
void AddScreenCommands(CLI::App& app, int& rc);

}  // namespace aidtrace::cli
