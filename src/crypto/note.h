// C2SP signed notes (c2sp.org/signed-note), their key formats, and C2SP
// tlog-cosignature v1 witness cosignatures (c2sp.org/tlog-cosignature, Ed25519).
//
// A signed note is a UTF-8 text ending in '\n', a blank line, then one or more lines
// "— <key name> base64(4-byte key id || signature)\n". The signed message is the text
// (with its final newline, without the blank line). A key is named; its 32-bit id is
// the first four bytes of SHA-256(name || '\n' || type byte || public key), so
// (name, id) picks the key and the algorithm. Two key types are supported:
//   0x01 Ed25519 over the note text (parties, the log),
//   0x04 Ed25519 cosignature/v1 (witnesses): signs "cosignature/v1\ntime <t>\n" + text,
//        and the signature bytes are 8-byte big-endian t || 64-byte signature.
// Key text forms: verifier key "<name>+<8 hex id>+<base64(type || 32-byte public key)>",
// signer key "PRIVATE+KEY+<name>+<8 hex id>+<base64(type || 32-byte seed)>". See
// src/crypto/README.md for the prose description.
//
// Failures: malformed input is kInvalidArgument; a signature that does not verify is
// kBadSignature. Messages say what is wrong, quoting untrusted text sanitised.
//
// Thread safety: pure functions over values; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "crypto/ed25519.h"

namespace aidtrace {
class Env;
}  // namespace aidtrace

namespace aidtrace::crypto {

// The signature type byte of a key (c2sp.org/signed-note "Signature types").
enum class KeyType : uint8_t {
  kEd25519 = 0x01,        // plain Ed25519 note signatures
  kCosignatureV1 = 0x04,  // timestamped Ed25519 witness cosignatures
};

// C2SP limits we enforce: at most this many signature lines in a note (C2SP requires
// accepting at least 16; Go's sumdb/note rejects more than 100).
inline constexpr size_t kMaxNoteSignatures = 100;

// First 4 bytes, big-endian, of SHA-256(name || 0x0A || type || public key).
uint32_t KeyId(std::string_view name, const PublicKey& key, KeyType type);
// The id of a plain Ed25519 (0x01) key.
uint32_t KeyId(std::string_view name, const PublicKey& key);
// The id of a witness's cosignature/v1 (0x04) key.
uint32_t CosignatureKeyId(std::string_view name, const PublicKey& key);
// 8 lowercase hex digits.
std::string KeyIdHex(uint32_t id);

// C2SP key name rule: non-empty, valid UTF-8, no Unicode white space (the
// White_Space property, as Go's unicode.IsSpace), no '+'.
bool IsValidKeyName(std::string_view name);

struct VerifierKey {
  std::string name;
  uint32_t id = 0;
  PublicKey key{};
  KeyType type = KeyType::kEd25519;

  friend bool operator==(const VerifierKey&, const VerifierKey&) = default;
};

struct SignerKey {
  std::string name;
  uint32_t id = 0;
  KeyPair pair;
  KeyType type = KeyType::kEd25519;
};

// Parses "<name>+<8 hex>+<base64(type || 32-byte public key)>". The type byte must be
// `expected`, the key 32 bytes, and the id must equal KeyId(name, key, type).
// kInvalidArgument, saying which check failed, otherwise.
Result<VerifierKey> ParseVerifierKey(std::string_view text, KeyType expected = KeyType::kEd25519);
std::string FormatVerifierKey(const VerifierKey& key);

// Parses "PRIVATE+KEY+<name>+<8 hex>+<base64(type || 32-byte seed)>"; the id must equal
// the id of the public key derived from the seed. kInvalidArgument otherwise.
Result<SignerKey> ParseSignerKey(std::string_view text, KeyType expected = KeyType::kEd25519);
std::string FormatSignerKey(const SignerKey& key);

// The verifier key matching a signer key (same name, id, type).
VerifierKey VerifierOf(const SignerKey& key);
// A new key named `name` of type `type`, its seed from env.RandomBytes.
// kInvalidArgument when the name is not a valid key name.
Result<SignerKey> GenerateSignerKey(std::string_view name, Env& env,
                                    KeyType type = KeyType::kEd25519);
// The same name and key pair as a witness cosignature (0x04) key: the id is
// recomputed, since it commits to the type. Works on either type of input.
SignerKey AsCosignatureKey(const SignerKey& key);
VerifierKey AsCosignatureKey(const VerifierKey& key);

struct NoteSignature {
  std::string name;
  uint32_t id = 0;
  std::vector<uint8_t> sig;  // the decoded bytes after the 4-byte key id

  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

struct Note {
  std::string text;                       // ends with '\n'; excludes the blank separator line
  std::vector<NoteSignature> signatures;  // in order of appearance, duplicates kept
};

// True when `text` may be the text of a note: ends with '\n', valid UTF-8, and no
// ASCII control character other than '\n'.
bool IsValidNoteText(std::string_view text);

// Parses the structure of a signed note without verifying anything: valid UTF-8, no
// control character but '\n', text ending in '\n', blank line, then 1 to
// kMaxNoteSignatures lines "— <valid name> <base64 of at least 5 bytes>\n" and
// nothing after them. The text is separated at the last blank line. kInvalidArgument
// on any malformation.
Result<Note> ParseNote(std::string_view note);

// Signs `text` with each key in order and returns text + "\n" + one signature line per
// key. kInvalidArgument when the text is not valid note text (IsValidNoteText), when
// there are no keys or more than kMaxNoteSignatures, when a key is null or its name is
// invalid, or when a key is a cosignature key (use CosignatureLine).
Result<std::string> SignNote(std::string_view text, std::span<const SignerKey* const> keys);

struct OpenedNote {
  std::string text;
  // Each known key with at least one signature line that verified, once, in order of
  // first appearance.
  std::vector<VerifierKey> verified_by;
  // For each entry of verified_by: the cosignature timestamp (Unix seconds) when that
  // key is a kCosignatureV1 key, else 0.
  std::vector<uint64_t> cosignature_times;
  // Signature lines whose (name, id) matches no known key; ignored as C2SP requires.
  size_t unverified = 0;
};

// Parses `note` (kInvalidArgument if malformed, see ParseNote) and verifies it against
// `known` by the C2SP rules. A line whose (name, id) is unknown is ignored. A line
// whose (name, id) matches a known key is verified by that key's type (0x01: Ed25519
// over the text; 0x04: cosignature/v1 over the text as a checkpoint body); if any such
// line fails, the whole note is rejected with kBadSignature. If no line verified,
// kBadSignature ("no verifiable signature"). Two different known keys with the same
// (name, id) that a line refers to: kInvalidArgument (ambiguous).
Result<OpenedNote> OpenNote(std::string_view note, std::span<const VerifierKey> known);

// --- C2SP tlog-cosignature v1 (Ed25519, type 0x04) ---

// The largest timestamp a cosignature may carry (2^63 - 1).
inline constexpr uint64_t kMaxCosignatureTime = 0x7fffffffffffffffULL;

// The message an Ed25519 cosigner signs: "cosignature/v1\ntime <t>\n" + body, where
// `body` is the whole checkpoint note text (origin, size, root hash, extension lines,
// with the final newline). kInvalidArgument when `time` > kMaxCosignatureTime or the
// body is not valid note text of at least three lines.
Result<std::string> CosignatureMessage(std::string_view checkpoint_body, uint64_t time);

// The signature line "— <name> base64(id || 8-byte big-endian time || signature)\n"
// for `checkpoint_body` at `time`, by `witness_key` used as a cosignature key (its id
// is the 0x04 id whatever `witness_key.type` says). Append it to the checkpoint's
// signature lines. Errors as CosignatureMessage, or an invalid key name.
Result<std::string> CosignatureLine(const SignerKey& witness_key, std::string_view checkpoint_body,
                                    uint64_t time);

// Verifies one parsed signature line as the cosignature of `witness_key` on
// `checkpoint_body`. The expected id is the 0x04 id of the key's name and public key
// (so a plain or a cosignature vkey of the witness both work). kInvalidArgument when
// the line's name or id is not the witness's, or the body is malformed; kBadSignature
// when the bytes are not 8 + 64 long, the time exceeds 2^63 - 1, or the Ed25519
// signature does not verify. On success stores the cosigned time in *time_out (when
// not null).
Status VerifyCosignature(const VerifierKey& witness_key, const NoteSignature& sig,
                         std::string_view checkpoint_body, uint64_t* time_out);

}  // namespace aidtrace::crypto
