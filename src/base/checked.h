// Checked integer arithmetic for money and quantities: overflow is an error, never a
// wrap. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>

namespace aidtrace {

// The integer range EVENTS.md allows in JSON: [-(2^53-1), 2^53-1].
inline constexpr int64_t kMaxJsonInt = (int64_t{1} << 53) - 1;
inline constexpr int64_t kMinJsonInt = -kMaxJsonInt;

// Each returns nullopt when the exact result does not fit in int64_t.
[[nodiscard]] inline std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
[[nodiscard]] inline std::optional<int64_t> CheckedSub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}
[[nodiscard]] inline std::optional<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}
// Unsigned variants for sizes and sequence numbers.
[[nodiscard]] inline std::optional<uint64_t> CheckedAddU(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// True when v is inside the JSON integer range of EVENTS.md.
[[nodiscard]] constexpr bool InJsonRange(int64_t v) { return v >= kMinJsonInt && v <= kMaxJsonInt; }

}  // namespace aidtrace
