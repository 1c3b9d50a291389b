// The aidtrace command-line tool: one function per subcommand. Each returns the process
// exit status; errors are printed to stderr as "aidtrace: <code>: <what, where, why>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/note.h"

namespace aidtrace::cli {

// Prints "aidtrace: <code>: <what, where, why>" to stderr; the exit status of its code.
int Fail(const Status& s);
// A signer key file as `keygen` writes it.
Result<crypto::SignerKey> ReadSignerKey(const std::string& path);
// The log's signer key: the file at `path`, or (empty `path`) the one `init` recorded in
// the store at `db`.
Result<crypto::SignerKey> ReadLogKey(const std::string& db, const std::string& path = {});

int Keygen(const std::string& name, const std::string& out);
int Init(const std::string& db, const std::string& origin, const std::string& log_key);
// With `detector_key`, submissions are screened first (src/guard) and matches logged as
// screening.hit events signed by that key.
int Append(const std::string& db, const std::string& input, const std::string& log_key,
           size_t batch, const std::string& detector_key = {});
int Checkpoint(const std::string& db);
int Leaf(const std::string& db, uint64_t index);
int ProveInclusion(const std::string& db, uint64_t index, std::optional<uint64_t> size);
int ProveConsistency(const std::string& db, uint64_t old_size, std::optional<uint64_t> new_size);
int Verify(const std::string& db);
int Sign(const std::vector<std::string>& keys, const std::string& input);
int Replay(const std::string& db);
int Erase(const std::string& db, uint64_t seq);
// show party|project|warehouse|funds|beneficiary ID: what the state holds (no personal
// data unless `with_private`).
int Show(const std::string& kind, const std::string& db, const std::string& id, bool json,
         bool with_private);

}  // namespace aidtrace::cli
