// A SQLite VFS shim that routes every write, truncate and fsync of a database through
// an Env (base/env.h) before it reaches the real ("unix") VFS. This is how the SQLite
// store keeps the project's single I/O seam: tests inject a failure into the Nth write
// or fsync and SQLite sees an ordinary I/O error. Reads, locks and shared memory go
// straight to the real VFS.
//
// Thread safety: registration is internally locked; a registered VFS is used by SQLite
// under its own locking.
#pragma once

#include <string>

#include "base/env.h"
#include "base/status.h"

namespace aidtrace::store::internal {

// Registers (once per Env, reference counted) a VFS that forwards to the default VFS via
// `env`, and returns its name for sqlite3_open_v2.
Result<std::string> AcquireEnvVfs(Env& env);
// Drops one reference; the VFS is unregistered with the last one.
void ReleaseEnvVfs(Env& env);

}  // namespace aidtrace::store::internal
