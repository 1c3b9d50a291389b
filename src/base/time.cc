#include "base/time.h"

#include <fmt/format.h>

namespace aidtrace {
namespace {

// Howard Hinnant's civil-from-days algorithm (public domain description).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

Status TimeError(std::string_view, size_t pos, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("not an RFC 3339 UTC time at character {}: {} (expected "
                            "YYYY-MM-DDTHH:MM:SSZ)",
                            pos, why));
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<Timestamp> ParseRfc3339(std::string_view s) {
  // Layout: 0123456789012345678
  //         YYYY-MM-DDTHH:MM:SS
  if (s.size() < 20) return TimeError(s, s.size(), "too short");
  auto digits = [&](size_t pos, size_t n, unsigned& out) -> bool {
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
  };
  unsigned year, month, day, hour, minute, second;
  if (!digits(0, 4, year)) return TimeError(s, 0, "year must be 4 digits");
  if (s[4] != '-') return TimeError(s, 4, "expected '-'");
  if (!digits(5, 2, month) || month < 1 || month > 12) return TimeError(s, 5, "bad month");
  if (s[7] != '-') return TimeError(s, 7, "expected '-'");
  if (!digits(8, 2, day) || day < 1 || day > DaysInMonth(year, month)) {
    return TimeError(s, 8, "bad day of month");
  }
  if (s[10] != 'T') return TimeError(s, 10, "expected 'T'");
  if (!digits(11, 2, hour) || hour > 23) return TimeError(s, 11, "bad hour");
  if (s[13] != ':') return TimeError(s, 13, "expected ':'");
  if (!digits(14, 2, minute) || minute > 59) return TimeError(s, 14, "bad minute");
  if (s[16] != ':') return TimeError(s, 16, "expected ':'");
  if (!digits(17, 2, second) || second > 59) return TimeError(s, 17, "bad second");
  size_t pos = 19;
  int32_t nanos = 0;
  if (s[pos] == '.') {
    ++pos;
    size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n == 9) return TimeError(s, pos, "more than 9 fractional digits");
      nanos = nanos * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return TimeError(s, pos, "empty fraction");
    for (; n < 9; ++n) nanos *= 10;
  }
  if (pos >= s.size() || s[pos] != 'Z') return TimeError(s, pos, "expected 'Z' (UTC)");
  if (pos + 1 != s.size()) return TimeError(s, pos + 1, "trailing characters");
  Timestamp t;
  t.seconds = DaysFromCivil(year, month, day) * 86400 + int64_t{hour} * 3600 +
              int64_t{minute} * 60 + second;
  t.nanos = nanos;
  return t;
}

std::string FormatRfc3339(Timestamp t) {
  int64_t days = t.seconds / 86400;
  int64_t rem = t.seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, rem / 3600,
                                (rem / 60) % 60, rem % 60);
  if (t.nanos != 0) {
    std::string frac = fmt::format("{:09}", t.nanos);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    out += '.';
    out += frac;
  }
  out += 'Z';
  return out;
}

}  // namespace aidtrace
