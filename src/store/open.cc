// Store::Open: one entry point for every backend, chosen by the form of the location, so
// the ledger and the commands never name a backend.
#include <fmt/format.h>

#include "store/store.h"

namespace aidtrace::store {

Result<std::unique_ptr<Store>> Store::Open(Env& env, const std::string& location,
                                           const OpenOptions& options) {
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) {
    return Status(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: the PostgreSQL store is not built yet (only SQLite files)", location));
  }
  return OpenSqlite(env, location, options);
}

}  // namespace aidtrace::store
