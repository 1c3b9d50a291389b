// `aidtrace detect run|evaluate`: the detectors over a whole log (src/detect). Registered
// on the CLI11 app by AddDetectCommands; shapes are a contract (docs/CLI.md).
#pragma once

#include <CLI/CLI.hpp>

namespace aidtrace::cli {

void AddDetectCommands(CLI::App& app, int& rc);

}  // namespace aidtrace::cli
