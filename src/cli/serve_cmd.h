// `aidtrace serve` (the HTTP API, src/server) and `aidtrace token create|revoke|list`
// (the API's bearer tokens). Registered on the CLI11 app by AddServeCommands; each
// command stores its exit status in `rc`. Shapes are a contract: docs/CLI.md.
#pragma once

#include <CLI/CLI.hpp>

namespace aidtrace::cli {

void AddServeCommands(CLI::App& app, int& rc);

}  // namespace aidtrace::cli
