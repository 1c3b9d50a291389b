// Byte encodings used on the wire: lowercase hex, standard base64 (RFC 4648 §4, with
// padding), and UTF-8 validation. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace aidtrace {

using Bytes = std::vector<uint8_t>;

std::string HexEncode(std::span<const uint8_t> data);
// Lowercase or uppercase hex, even length, nothing else. kInvalidArgument otherwise.
Result<Bytes> HexDecode(std::string_view hex);

std::string Base64Encode(std::span<const uint8_t> data);
// Strict: standard alphabet, padding required, no whitespace, canonical trailing
// bits. kInvalidArgument otherwise.
Result<Bytes> Base64Decode(std::string_view text);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Replaces each ill-formed byte with U+FFFD, so untrusted text can be quoted in errors.
std::string SanitizeUtf8(std::string_view s);

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace aidtrace
