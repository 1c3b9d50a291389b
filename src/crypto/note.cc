#include "crypto/note.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <sodium.h>

#include "base/encoding.h"
#include "base/env.h"
#include "crypto/sha256.h"

namespace aidtrace::crypto {
namespace {

// U+2014 EM DASH then a space: the start of every signature line.
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";
constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";
constexpr size_t kTimestampSize = 8;

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// Quotes untrusted text for an error message, shortened and made valid UTF-8.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  // Appends rather than `"\"" + std::string`, which trips GCC 12's -Wrestrict
  // false positive (GCC PR 105329) at -O2 and above.
  std::string out(1, '"');
  out += SanitizeUtf8(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  out += '"';
  return out;
}

// Decodes the code point starting at s[*i] of a string already known to be valid
// UTF-8, and advances *i past it.
char32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  size_t len = 1;
  char32_t cp = b0;
  if (b0 >= 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
  } else if (b0 >= 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
  } else if (b0 >= 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
  }
  for (size_t k = 1; k < len; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3Fu);
  }
  *i += len;
  return cp;
}

// The Unicode White_Space property (PropList.txt), which is what Go's unicode.IsSpace
// (and so the reference signed-note implementation) tests.
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Valid UTF-8 with no ASCII control character other than '\n' (the rule for a whole
// note and for its text).
bool HasOnlyNoteCharacters(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') return false;
  }
  return IsValidUtf8(s);
}

void PutBigEndian32(uint32_t v, std::vector<uint8_t>* out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<uint8_t>(v >> shift));
  }
}

void PutBigEndian64(uint64_t v, std::vector<uint8_t>* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<uint8_t>(v >> shift));
  }
}

uint64_t GetBigEndian(std::span<const uint8_t> b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

// Splits `s` at the first '+': returns the part before and leaves the rest in *s;
// nullopt when there is no '+'.
std::optional<std::string_view> ChopPlus(std::string_view* s) {
  const size_t i = s->find('+');
  if (i == std::string_view::npos) return std::nullopt;
  std::string_view before = s->substr(0, i);
  s->remove_prefix(i + 1);
  return before;
}

// Exactly 8 hex digits (either case, as Go's strconv.ParseUint(.., 16, 32) accepts).
std::optional<uint32_t> ParseKeyIdHex(std::string_view hex) {
  if (hex.size() != 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : hex) {
    uint32_t d = 0;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    v = (v << 4) | d;
  }
  return v;
}

std::string TypeName(KeyType type) {
  return type == KeyType::kEd25519 ? "0x01 (Ed25519)" : "0x04 (Ed25519 cosignature/v1)";
}

bool IsKnownType(uint8_t b) {
  return b == static_cast<uint8_t>(KeyType::kEd25519) ||
         b == static_cast<uint8_t>(KeyType::kCosignatureV1);
}

// Parses "<name>+<8 hex>+<base64(type || 32 bytes)>" shared by both key forms. `what`
// names the form in messages. Never quotes the key material (it may be a secret).
struct RawKey {
  std::string_view name;
  uint32_t id = 0;
  std::array<uint8_t, 32> material{};
};
Result<RawKey> ParseRawKey(std::string_view text, KeyType expected, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  std::string_view rest = text;
  const auto name = ChopPlus(&rest);
  const auto hex = name ? ChopPlus(&rest) : std::nullopt;
  if (!name || !hex) {
    return Invalid(prefix + "expected <name>+<8 hex key id>+<base64 key>");
  }
  if (!IsValidKeyName(*name)) {
    return Invalid(prefix + "invalid key name " + Quote(*name) +
                   " (must be non-empty UTF-8 without spaces or '+')");
  }
  const auto id = ParseKeyIdHex(*hex);
  if (!id) {
    return Invalid(prefix + "key id " + Quote(*hex) + " is not 8 hex digits");
  }
  if (rest.empty()) return Invalid(prefix + "key data is empty");
  auto decoded = Base64Decode(rest);
  if (!decoded.ok()) {
    return Invalid(prefix + "key data is not canonical padded base64");
  }
  Bytes& raw = *decoded;
  // The bytes may be a seed: wipe them on every way out.
  struct Wipe {
    Bytes& b;
    ~Wipe() { sodium_memzero(b.data(), b.size()); }
  } wipe{raw};
  if (raw.empty()) return Invalid(prefix + "key data is empty");
  if (!IsKnownType(raw[0])) {
    return Invalid(prefix + "unknown key type byte 0x" + HexEncode(std::span(raw).first(1)) +
                   " (expected " + TypeName(expected) + ")");
  }
  if (raw[0] != static_cast<uint8_t>(expected)) {
    return Invalid(prefix + "key type is " + TypeName(static_cast<KeyType>(raw[0])) +
                   ", expected " + TypeName(expected));
  }
  if (raw.size() != 33) {
    return Invalid(prefix + "key data is " + std::to_string(raw.size() - 1) +
                   " bytes after the type byte, expected 32");
  }
  RawKey out;
  out.name = *name;
  out.id = *id;
  std::copy(raw.begin() + 1, raw.end(), out.material.begin());
  return out;
}

std::string FormatRawKey(std::string_view name, uint32_t id, KeyType type,
                         std::span<const uint8_t, 32> material) {
  std::vector<uint8_t> raw;
  raw.reserve(33);
  raw.push_back(static_cast<uint8_t>(type));
  raw.insert(raw.end(), material.begin(), material.end());
  std::string out = std::string(name) + "+" + KeyIdHex(id) + "+" + Base64Encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return out;
}

// Checks a cosignature/v1 signature body (8-byte time || 64-byte signature) on `text`.
// Returns the time when valid.
std::optional<uint64_t> CheckCosignature(const PublicKey& key, std::span<const uint8_t> sig,
                                         std::string_view text) {
  if (sig.size() != kTimestampSize + kSignatureSize) return std::nullopt;
  const uint64_t time = GetBigEndian(sig.first(kTimestampSize));
  auto msg = CosignatureMessage(text, time);
  if (!msg.ok()) return std::nullopt;
  if (!Verify(key, AsBytes(*msg), sig.subspan(kTimestampSize))) return std::nullopt;
  return time;
}

Status CheckKnownKey(const VerifierKey& k) {
  if (!IsValidKeyName(k.name)) {
    return Invalid("known key has an invalid name " + Quote(k.name));
  }
  if (k.id != KeyId(k.name, k.key, k.type)) {
    return Invalid("known key " + k.name + "+" + KeyIdHex(k.id) +
                   " has an id that does not match its name, type and public key");
  }
  return Status::Ok();
}

}  // namespace

uint32_t KeyId(std::string_view name, const PublicKey& key, KeyType type) {
  std::string buf;
  buf.reserve(name.size() + 2 + key.size());
  buf += name;
  buf += '\n';
  buf += static_cast<char>(type);
  buf += AsChars(key);
  const Hash sum = Sha256(buf);
  return static_cast<uint32_t>(GetBigEndian(std::span(sum).first(4)));
}

uint32_t KeyId(std::string_view name, const PublicKey& key) {
  return KeyId(name, key, KeyType::kEd25519);
}

uint32_t CosignatureKeyId(std::string_view name, const PublicKey& key) {
  return KeyId(name, key, KeyType::kCosignatureV1);
}

std::string KeyIdHex(uint32_t id) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kDigits[id & 0xFu];
    id >>= 4;
  }
  return out;
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || !IsValidUtf8(name)) return false;
  size_t i = 0;
  while (i < name.size()) {
    const char32_t c = NextCodePoint(name, &i);
    if (c == U'+' || IsUnicodeSpace(c)) return false;
  }
  return true;
}

Result<VerifierKey> ParseVerifierKey(std::string_view text, KeyType expected) {
  ASSIGN_OR_RETURN(RawKey raw, ParseRawKey(text, expected, "verifier key"));
  VerifierKey key;
  key.name = std::string(raw.name);
  key.key = raw.material;
  key.type = expected;
  key.id = KeyId(key.name, key.key, expected);
  if (raw.id != key.id) {
    return Invalid("verifier key: key id " + KeyIdHex(raw.id) + " does not match the key (" +
                   KeyIdHex(key.id) + " expected for this name, type and public key)");
  }
  return key;
}

std::string FormatVerifierKey(const VerifierKey& key) {
  return FormatRawKey(key.name, key.id, key.type, key.key);
}

Result<SignerKey> ParseSignerKey(std::string_view text, KeyType expected) {
  if (text.substr(0, kPrivatePrefix.size()) != kPrivatePrefix) {
    return Invalid("signer key: expected PRIVATE+KEY+<name>+<8 hex key id>+<base64 seed>");
  }
  ASSIGN_OR_RETURN(RawKey raw,
                   ParseRawKey(text.substr(kPrivatePrefix.size()), expected, "signer key"));
  SignerKey key;
  key.name = std::string(raw.name);
  key.pair = KeyPairFromSeed(raw.material);
  sodium_memzero(raw.material.data(), raw.material.size());
  key.type = expected;
  key.id = KeyId(key.name, key.pair.public_key, expected);
  if (raw.id != key.id) {
    return Invalid("signer key: key id " + KeyIdHex(raw.id) +
                   " does not match the public key derived from the seed (" + KeyIdHex(key.id) +
                   " expected)");
  }
  return key;
}

std::string FormatSignerKey(const SignerKey& key) {
  return std::string(kPrivatePrefix) + FormatRawKey(key.name, key.id, key.type, key.pair.seed);
}

VerifierKey VerifierOf(const SignerKey& key) {
  return VerifierKey{key.name, key.id, key.pair.public_key, key.type};
}

Result<SignerKey> GenerateSignerKey(std::string_view name, Env& env, KeyType type) {
  if (!IsValidKeyName(name)) {
    return Invalid("invalid key name " + Quote(name) +
                   " (must be non-empty UTF-8 without spaces or '+')");
  }
  SignerKey key;
  key.name = std::string(name);
  key.pair = GenerateKeyPair(env);
  key.type = type;
  key.id = KeyId(key.name, key.pair.public_key, type);
  return key;
}

SignerKey AsCosignatureKey(const SignerKey& key) {
  SignerKey out = key;
  out.type = KeyType::kCosignatureV1;
  out.id = CosignatureKeyId(out.name, out.pair.public_key);
  return out;
}

VerifierKey AsCosignatureKey(const VerifierKey& key) {
  VerifierKey out = key;
  out.type = KeyType::kCosignatureV1;
  out.id = CosignatureKeyId(out.name, out.key);
  return out;
}

bool IsValidNoteText(std::string_view text) {
  return !text.empty() && text.back() == '\n' && HasOnlyNoteCharacters(text);
}

Result<Note> ParseNote(std::string_view note) {
  if (!HasOnlyNoteCharacters(note)) {
    return Invalid(
        "malformed note: not valid UTF-8, or contains a control character other "
        "than newline");
  }
  // The text ends at the last blank line; no signature line can contain "\n\n".
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Invalid("malformed note: no blank line between the text and the signatures");
  }
  Note out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) return Invalid("malformed note: no signature lines");
  if (sigs.back() != '\n') {
    return Invalid("malformed note: the last signature line does not end in a newline");
  }
  size_t line_no = 0;
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');  // found: sigs ends with '\n'
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    ++line_no;
    const std::string where = "malformed note: signature line " + std::to_string(line_no);
    if (line_no > kMaxNoteSignatures) {
      return Invalid("malformed note: more than " + std::to_string(kMaxNoteSignatures) +
                     " signature lines");
    }
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return Invalid(where +
                     " does not start with an em dash (U+2014) and a space: " + Quote(line));
    }
    line.remove_prefix(kSigPrefix.size());
    const size_t space = line.find(' ');
    const std::string_view name = line.substr(0, space);
    const std::string_view b64 =
        space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    if (!IsValidKeyName(name)) {
      return Invalid(where + " has an invalid key name " + Quote(name));
    }
    if (b64.empty()) return Invalid(where + " has no signature after the key name");
    auto raw = Base64Decode(b64);
    if (!raw.ok()) {
      return Invalid(where + " (" + std::string(name) +
                     "): signature is not canonical padded base64");
    }
    if (raw->size() < 5) {
      return Invalid(where + " (" + std::string(name) +
                     "): signature is shorter than a key id and one byte");
    }
    NoteSignature sig;
    sig.name = std::string(name);
    sig.id = static_cast<uint32_t>(GetBigEndian(std::span(*raw).first(4)));
    sig.sig.assign(raw->begin() + 4, raw->end());
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

Result<std::string> SignNote(std::string_view text, std::span<const SignerKey* const> keys) {
  if (!IsValidNoteText(text)) {
    return Invalid(
        "note text must be non-empty valid UTF-8 ending in a newline, with no "
        "control character other than newline");
  }
  if (keys.empty()) return Invalid("a note needs at least one signing key");
  if (keys.size() > kMaxNoteSignatures) {
    return Invalid("more than " + std::to_string(kMaxNoteSignatures) + " signing keys");
  }
  std::string out(text);
  out += '\n';
  for (const SignerKey* key : keys) {
    if (key == nullptr) return Invalid("null signing key");
    if (!IsValidKeyName(key->name)) return Invalid("invalid key name " + Quote(key->name));
    if (key->type != KeyType::kEd25519) {
      return Invalid("key " + key->name +
                     " is a cosignature key; cosign checkpoints with CosignatureLine");
    }
    if (key->id != KeyId(key->name, key->pair.public_key)) {
      return Invalid("key " + key->name + "+" + KeyIdHex(key->id) +
                     " has an id that does not match its name and public key");
    }
    const Signature sig = Sign(key->pair, AsBytes(text));
    std::vector<uint8_t> raw;
    raw.reserve(4 + sig.size());
    PutBigEndian32(key->id, &raw);
    raw.insert(raw.end(), sig.begin(), sig.end());
    out += kSigPrefix;
    out += key->name;
    out += ' ';
    out += Base64Encode(raw);
    out += '\n';
  }
  return out;
}

Result<OpenedNote> OpenNote(std::string_view note, std::span<const VerifierKey> known) {
  ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
  for (const VerifierKey& k : known) RETURN_IF_ERROR(CheckKnownKey(k));

  OpenedNote out;
  for (const NoteSignature& sig : parsed.signatures) {
    const VerifierKey* match = nullptr;
    for (const VerifierKey& k : known) {
      if (k.name != sig.name || k.id != sig.id) continue;
      if (match != nullptr && !(*match == k)) {
        return Invalid("ambiguous known keys: two different keys are named " + k.name + "+" +
                       KeyIdHex(k.id));
      }
      match = &k;
    }
    if (match == nullptr) {
      ++out.unverified;
      continue;
    }
    uint64_t time = 0;
    bool ok = false;
    if (match->type == KeyType::kCosignatureV1) {
      const auto t = CheckCosignature(match->key, sig.sig, parsed.text);
      ok = t.has_value();
      if (ok) time = *t;
    } else {
      ok = Verify(match->key, AsBytes(parsed.text), sig.sig);
    }
    if (!ok) {
      return Status(ErrorCode::kBadSignature,
                    "invalid signature for key " + sig.name + "+" + KeyIdHex(sig.id));
    }
    const bool seen =
        std::find(out.verified_by.begin(), out.verified_by.end(), *match) != out.verified_by.end();
    if (!seen) {
      out.verified_by.push_back(*match);
      out.cosignature_times.push_back(time);
    }
  }
  if (out.verified_by.empty()) {
    return Status(ErrorCode::kBadSignature, "no verifiable signature: none of the note's " +
                                                std::to_string(parsed.signatures.size()) +
                                                " signature(s) is by a known key");
  }
  out.text = std::move(parsed.text);
  return out;
}

Result<std::string> CosignatureMessage(std::string_view checkpoint_body, uint64_t time) {
  if (time > kMaxCosignatureTime) {
    return Invalid("cosignature time " + std::to_string(time) + " exceeds 2^63-1");
  }
  if (!IsValidNoteText(checkpoint_body)) {
    return Invalid("checkpoint body must be valid note text ending in a newline");
  }
  if (std::count(checkpoint_body.begin(), checkpoint_body.end(), '\n') < 3) {
    return Invalid("checkpoint body needs at least three lines (origin, size, root hash)");
  }
  std::string msg = "cosignature/v1\ntime ";
  msg += std::to_string(time);
  msg += '\n';
  msg += checkpoint_body;
  return msg;
}

Result<std::string> CosignatureLine(const SignerKey& witness_key, std::string_view checkpoint_body,
                                    uint64_t time) {
  if (!IsValidKeyName(witness_key.name)) {
    return Invalid("invalid witness key name " + Quote(witness_key.name));
  }
  ASSIGN_OR_RETURN(std::string msg, CosignatureMessage(checkpoint_body, time));
  const Signature sig = Sign(witness_key.pair, AsBytes(msg));
  std::vector<uint8_t> raw;
  raw.reserve(4 + kTimestampSize + sig.size());
  PutBigEndian32(CosignatureKeyId(witness_key.name, witness_key.pair.public_key), &raw);
  PutBigEndian64(time, &raw);
  raw.insert(raw.end(), sig.begin(), sig.end());
  std::string line(kSigPrefix);
  line += witness_key.name;
  line += ' ';
  line += Base64Encode(raw);
  line += '\n';
  return line;
}

Status VerifyCosignature(const VerifierKey& witness_key, const NoteSignature& sig,
                         std::string_view checkpoint_body, uint64_t* time_out) {
  const uint32_t expected_id = CosignatureKeyId(witness_key.name, witness_key.key);
  if (witness_key.type == KeyType::kCosignatureV1 && witness_key.id != expected_id) {
    return Invalid("witness key " + witness_key.name + "+" + KeyIdHex(witness_key.id) +
                   " has an id that does not match its name and public key");
  }
  if (sig.name != witness_key.name || sig.id != expected_id) {
    return Invalid("signature by " + sig.name + "+" + KeyIdHex(sig.id) +
                   " is not a cosignature by witness " + witness_key.name + "+" +
                   KeyIdHex(expected_id));
  }
  if (sig.sig.size() != kTimestampSize + kSignatureSize) {
    return Status(ErrorCode::kBadSignature, "cosignature by " + witness_key.name + " is " +
                                                std::to_string(sig.sig.size()) +
                                                " bytes after the key id, expected 72");
  }
  const uint64_t time = GetBigEndian(std::span(sig.sig).first(kTimestampSize));
  if (time > kMaxCosignatureTime) {
    return Status(ErrorCode::kBadSignature,
                  "cosignature by " + witness_key.name + " has a time beyond 2^63-1");
  }
  ASSIGN_OR_RETURN(std::string msg, CosignatureMessage(checkpoint_body, time));
  if (!Verify(witness_key.key, AsBytes(msg), std::span(sig.sig).subspan(kTimestampSize))) {
    return Status(ErrorCode::kBadSignature, "cosignature by " + witness_key.name + "+" +
                                                KeyIdHex(expected_id) + " does not verify");
  }
  if (time_out != nullptr) *time_out = time;
  return Status::Ok();
}

}  // namespace aidtrace::crypto
