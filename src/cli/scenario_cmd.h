// `aidtrace scenario`: writes a synthetic programme (keys, signed submissions, the truth
// of what was planted) with the generator of src/scenario. Registered on the CLI11 app by
// AddScenarioCommands; the exit status goes to `rc`. Flags: docs/SCENARIO.md.
#pragma once

#include <CLI/CLI.hpp>

namespace aidtrace::cli {

void AddScenarioCommands(CLI::App& app, int& rc);

}  // namespace aidtrace::cli
