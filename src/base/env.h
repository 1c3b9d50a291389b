// Env: the one seam between aidtrace and the outside world (LevelDB's Env).
//
// Files, fsync, the clock and randomness all pass through an Env, so tests can freeze
// time, inject a failure into the Nth write or fsync, and check that every layer turns
// it into a clean error. The storage engines route their own writes and syncs through
// BeforeWrite/BeforeSync (the SQLite store does it with a VFS shim, store/sqlite_vfs).
//
// Thread safety: every method of an Env may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace aidtrace {

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide real environment (POSIX files, the system clock, libsodium's
  // randombytes). Never deleted.
  static Env* Default();

  // The current UTC time.
  virtual Timestamp Now() = 0;
  // Fills `out` with cryptographically secure random bytes.
  virtual void RandomBytes(std::span<uint8_t> out) = 0;

  // Called before `n` bytes are written at `offset` of `path` by any writer that goes
  // through this Env. A non-OK status makes the write fail (nothing is written).
  virtual Status BeforeWrite(std::string_view path, uint64_t offset, size_t n);
  // Called before `path` is synced to stable storage. A non-OK status makes the sync fail.
  virtual Status BeforeSync(std::string_view path);

  // Reads a whole file. kNotFound when it does not exist, kIoError otherwise.
  Result<std::string> ReadFile(const std::string& path);
  // Writes a whole file durably and atomically: temp file, write, fsync, rename, fsync of
  // the directory. `mode` is the permission of the new file (0600 for secret keys).
  // Fails with kInvalidArgument when `path` exists and `overwrite` is false.
  Status WriteFileAtomic(const std::string& path, std::string_view data, unsigned mode,
                         bool overwrite);
  bool FileExists(const std::string& path);
};

}  // namespace aidtrace
