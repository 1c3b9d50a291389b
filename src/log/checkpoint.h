// Text forms of the log's tree heads and proofs:
//  - the C2SP tlog-checkpoint note body (c2sp.org/tlog-checkpoint): origin line,
//    decimal tree size, base64 root hash, optional extension lines, each ending in a
//    newline. The body is what the log key signs as a C2SP signed note; signing and
//    signature checking live in crypto (signed notes), not here.
//  - the C2SP tlog-proof v1 text (c2sp.org/tlog-proof): an inclusion proof bundled
//    with the signed checkpoint it leads to.
//  - a bare consistency proof: base64 hashes, one a line (EVENTS.md).
// src/log/README.md describes every form with examples.
//
// Parsers are strict: exactly one encoding is accepted for any value (canonical
// base64, decimals without leading zeros, "\n" line ends only, no other control
// characters, valid UTF-8), so that equal meaning implies equal bytes. They fail with
// kInvalidArgument and a message naming the offending line.
//
// Thread safety: pure functions on values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/status.h"
#include "log/merkle.h"

namespace aidtrace::log {

// A log's tree head: the note text of a checkpoint.
struct Checkpoint {
  std::string origin;                   // non-empty, one line; for us the log's key name
  uint64_t size = 0;                    // number of leaves
  Hash root{};                          // RFC 6962 root of the first `size` leaves
  std::vector<std::string> extensions;  // extension lines (non-empty, without "\n")

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// OK when FormatCheckpointBody(c) would parse back to `c`: non-empty origin and
// extension lines, valid UTF-8, no control characters. kInvalidArgument otherwise.
Status ValidateCheckpoint(const Checkpoint& c);
// "origin\nsize\nbase64(root)\n" followed by each extension line and "\n". The caller
// is expected to have validated `c` (FormatCheckpointBody does not check).
std::string FormatCheckpointBody(const Checkpoint& c);
// Strict inverse of FormatCheckpointBody: at least three lines, all non-empty, the
// text ending in "\n"; a decimal size without leading zeros that fits in 64 bits; a
// canonical base64 root of exactly 32 bytes. kInvalidArgument otherwise.
Result<Checkpoint> ParseCheckpointBody(std::string_view body);

// An inclusion proof in c2sp.org/tlog-proof@v1 form.
struct TlogProof {
  uint64_t index = 0;        // leaf index
  std::vector<Hash> hashes;  // RFC 6962 inclusion proof, leaf's sibling first
  std::string checkpoint;    // the signed note text, verbatim (body, blank line, signatures)
  // The optional opaque "extra" data (at most one line in v1; unauthenticated).
  std::optional<Bytes> extra;

  friend bool operator==(const TlogProof&, const TlogProof&) = default;
};

// "c2sp.org/tlog-proof@v1\n" ["extra <base64>\n"] "index <n>\n" <base64 hash>"\n"...
// "\n" <checkpoint>.
std::string FormatTlogProof(const TlogProof& proof);
// Strict parse of the text above. The checkpoint must be a signed note whose text
// (before its last blank line) is a valid checkpoint body and which has at least one
// signature line ("— name sig"); the signatures themselves are NOT verified here.
Result<TlogProof> ParseTlogProof(std::string_view text);
// The checkpoint body of a signed note (the text up to and including the newline
// before its last blank line), parsed. kInvalidArgument when it is not one.
Result<Checkpoint> ParseCheckpointNote(std::string_view signed_note);
// Checks the inclusion proof of `proof` for `leaf_hash` against the root and size of
// its checkpoint. Only the Merkle part: the caller must verify the note's signatures.
// kInvalidArgument when the checkpoint does not parse, kCorrupt when the proof fails.
Status VerifyTlogProofInclusion(const TlogProof& proof, const Hash& leaf_hash);

// A consistency (or any) proof as text: each hash in base64 followed by "\n"; the
// empty proof is the empty string.
std::string FormatProofHashes(std::span<const Hash> hashes);
Result<std::vector<Hash>> ParseProofHashes(std::string_view text);

}  // namespace aidtrace::log
