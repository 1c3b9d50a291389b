// RFC 3339 timestamps in UTC ("2026-11-23T10:00:00Z", optional fraction of a second).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace aidtrace {

// A UTC instant: whole seconds since 1970-01-01T00:00:00Z plus nanoseconds.
struct Timestamp {
  int64_t seconds = 0;
  int32_t nanos = 0;  // 0..999'999'999

  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// Parses the strict UTC form `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (upper-case T and Z; no
// offsets other than Z, no leap second 60). Fails with kInvalidArgument naming the
// offending character.
Result<Timestamp> ParseRfc3339(std::string_view text);

// Formats `YYYY-MM-DDTHH:MM:SSZ`, with `.nnnnnnnnn` trimmed of trailing zeros when
// nanos != 0. Years outside 0000..9999 are clamped by the caller's contract (the clock
// seam never produces them).
std::string FormatRfc3339(Timestamp t);

// Days since the epoch for a civil date, and back (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace aidtrace
