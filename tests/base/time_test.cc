#include "base/time.h"

#include <gtest/gtest.h>

namespace aidtrace {
namespace {

TEST(TimeTest, ParsesAndFormatsUtc) {
  auto t = ParseRfc3339("2026-11-23T10:00:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->seconds, 1795428000);
  EXPECT_EQ(t->nanos, 0);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-23T10:00:00Z");
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z")->seconds, 0);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:59:59Z")->seconds, -1);
  EXPECT_EQ(FormatRfc3339({-1, 0}), "1969-12-31T23:59:59Z");
}

TEST(TimeTest, Fractions) {
  auto t = ParseRfc3339("2026-11-23T10:00:00.120Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->nanos, 120000000);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-23T10:00:00.12Z");
  EXPECT_TRUE(ParseRfc3339("2026-11-23T10:00:00.123456789Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-23T10:00:00.1234567891Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-23T10:00:00.Z").ok());
}

TEST(TimeTest, LeapYears) {
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z").ok());
  EXPECT_TRUE(ParseRfc3339("2000-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("1900-02-29T00:00:00Z").ok());
}

TEST(TimeTest, RejectsEverythingButStrictUtc) {
  for (const char* bad : {"", "2026-11-23", "2026-11-23T10:00:00", "2026-11-23T10:00:00+00:00",
                          "2026-11-23t10:00:00z", "2026-11-23 10:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T10:60:00Z",
                          "2026-11-23T10:00:60Z", "2026-11-23T10:00:00ZZ", "26-11-23T10:00:00Z",
                          "2026-1-23T10:00:00Z", "+2026-11-23T10:00:00Z"}) {
    auto t = ParseRfc3339(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(TimeTest, RoundTripsEveryDayOfSeveralYears) {
  for (int64_t day = DaysFromCivil(1999, 1, 1); day < DaysFromCivil(2031, 1, 1); ++day) {
    const Timestamp t{day * 86400 + 3661, 0};
    auto back = ParseRfc3339(FormatRfc3339(t));
    ASSERT_TRUE(back.ok()) << FormatRfc3339(t);
    ASSERT_EQ(back->seconds, t.seconds);
  }
}

}  // namespace
}  // namespace aidtrace
