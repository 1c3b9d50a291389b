// Strict JSON: the one way aidtrace turns untrusted text into a document, and the one
// way it turns a document back into the bytes that are hashed and signed.
//
// The document model is nlohmann::json (`Value`), restricted by EVENTS.md "Encodings"
// to strings, integers in [-(2^53-1), 2^53-1], booleans, null, arrays and objects.
// Parse() admits exactly that subset (no fractions, exponents, duplicate keys, invalid
// UTF-8, excessive nesting) and reports the first violation as kBadJson with a JSON
// pointer. Canonical() / AppendCanonical() write the RFC 8785 (JCS) form of such a
// document; for this subset JCS is fully determined and needs no float formatting.
// The rules are written out in prose in src/json/README.md.
//
// Thread safety: every function here is pure and may be called concurrently. A Value is
// an ordinary value type: concurrent reads of one Value are safe, a write needs
// exclusive access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace aidtrace::json {

using Value = nlohmann::json;  // the DOM

// The largest magnitude an integer may have: 2^53-1, the integers every JSON
// implementation (IEEE doubles included) represents exactly.
inline constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;
// Nesting depth accepted by the spec (EVENTS.md); ParseOptions' default.
inline constexpr int kDefaultMaxDepth = 32;
// Hard ceiling on nesting for both Parse (ParseOptions::max_depth) and Canonical: the
// serialiser recurses once per level, so this bounds its stack use.
inline constexpr int kMaxDepthLimit = 512;

struct ParseOptions {
  // Inputs longer than this are rejected before any parsing.
  size_t max_bytes = 1 << 20;
  // The top-level array or object is at depth 1; a container at depth max_depth + 1 is
  // rejected. Must lie in [0, kMaxDepthLimit]. 0 admits only a scalar document.
  int max_depth = kDefaultMaxDepth;
};

// Strict parse per EVENTS.md "Encodings". Leading and trailing JSON whitespace
// (space, tab, LF, CR) is allowed; nothing else may surround the one value.
//
// On success returns the document. Non-negative integers are stored as
// number_unsigned and negative ones as number_integer (nlohmann's own convention);
// "-0" parses as the integer 0.
//
// On failure returns kBadJson, with Status::path() the RFC 6901 pointer of the
// offending value or member and a message saying what and why:
//   - a number with a fraction or exponent (even 1.0 or 1e2);
//   - an integer outside [-(2^53-1), 2^53-1];
//   - a duplicate object key (the path names the duplicate member);
//   - invalid UTF-8 anywhere, or a \u escape that leaves a lone surrogate;
//   - an array or object nested deeper than options.max_depth (path of that container);
//   - input longer than options.max_bytes (path "");
//   - empty input, a byte order mark, trailing garbage, or any other syntax error (the
//     message gives the byte offset; the path is the best-known position: the member or
//     element being read when the error was found).
// Returns kInvalidArgument if options.max_depth is outside [0, kMaxDepthLimit].
// Never throws (allocation failure is reported as kLimit).
Result<Value> Parse(std::string_view text, const ParseOptions& options = {});

// RFC 8785 (JCS) canonical serialisation: no whitespace; object members sorted by their
// keys' UTF-16 code units; strings escaped only where JSON requires it (\" \\ \b \f \n
// \r \t, and \u00xx in lowercase hex for the other controls below 0x20; everything else
// literal UTF-8); integers in plain decimal.
//
// Because the DOM may be built by code, the value is checked first: returns kBadJson,
// with the pointer of the offender, if it holds a floating-point number (even an
// integral one), an integer out of range, a string or key that is not valid UTF-8, a
// binary or discarded value, or nesting deeper than kMaxDepthLimit. (An invalid key
// appears in the path with its bad bytes replaced by U+FFFD.)
Result<std::string> Canonical(const Value& v);

// Appends the canonical form of `v` to `out`. Precondition: `v` passes Canonical()'s
// checks (for instance, it came from Parse()); nothing is checked here, so this is the
// hot-path form. On a violated precondition the output is unspecified (but memory-safe,
// and bounded recursion is the caller's duty: depth <= kMaxDepthLimit).
void AppendCanonical(const Value& v, std::string& out);

// Parse() followed by AppendCanonical(): the canonical form of a JSON text.
Result<std::string> CanonicalizeText(std::string_view text, const ParseOptions& options = {});

// RFC 6901 escaping of one reference token (~ -> ~0, / -> ~1).
std::string PointerToken(std::string_view key);

// Orders two valid UTF-8 strings by their UTF-16 code units, as RFC 8785 sorts keys.
// Returns <0, 0 or >0.
int CompareUtf16(std::string_view a, std::string_view b);

}  // namespace aidtrace::json
