// `aidtrace push FILE --url URL`: submits JSON lines to a running server (POST /v1/events
// in batches), as field apps and `make demo` do. Registered by AddPushCommands; the shape
// is a contract (docs/CLI.md).
#pragma once

#include <CLI/CLI.hpp>

namespace aidtrace::cli {

void AddPushCommands(CLI::App& app, int& rc);

}  // namespace aidtrace::cli
