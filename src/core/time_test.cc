#include "core/time.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testutil/status_matchers.h"

namespace winback {
namespace {

using ::testing::HasSubstr;

TEST(DateTest, CivilRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  for (int d = -800000; d < 800000; d += 997) {
    Date date = Date::FromDays(d);
    EXPECT_EQ(DaysFromCivil(date.year(), date.month(), date.day()), d);
  }
}

TEST(DateTest, LeapYears) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
}

TEST(DateTest, WeekdayIsIso) {
  EXPECT_EQ(ParseDate("2024-01-01")->weekday(), 0);  // Monday.
  EXPECT_EQ(ParseDate("2023-12-31")->weekday(), 6);  // Sunday.
}

TEST(DateTest, ParseAndFormat) {
  WINBACK_ASSERT_OK_AND_ASSIGN(Date d, ParseDate("2024-02-29"));
  EXPECT_EQ(d.ToString(), "2024-02-29");
  EXPECT_EQ(ParseDate("19970101")->ToString(), "1997-01-01");
  EXPECT_THAT(ParseDate("2023-02-29"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "'2023-02-29' is not a date (February 2023 has 28 days, not 29)"));
  EXPECT_THAT(ParseDate("2023-13-01"),
              StatusIsWith(StatusCode::kInvalidArgument, "'2023-13-01' has month 13"));
  EXPECT_THAT(ParseDate("2023-1-01"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDate("2023-01-01x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDate(""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TimestampTest, ParsesOffsetsExactly) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ParsedTimestamp t, ParseTimestamp("2024-03-01T12:00:00+03:30"));
  EXPECT_EQ(t.instant, ParseTimestamp("2024-03-01T08:30:00Z")->instant);
  EXPECT_EQ(t.utc_offset_minutes, 210);
  EXPECT_EQ(ParseTimestamp("2024-03-01T12:00-0500")->instant,
            ParseTimestamp("2024-03-01T17:00:00Z")->instant);
  EXPECT_EQ(ParseTimestamp("2024-03-01 12:00:00+03")->utc_offset_minutes, 180);
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z")->instant.unix_micros(), 0);
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:59:59.5Z")->instant.unix_micros(), -500000);
}

TEST(TimestampTest, FractionsToMicroseconds) {
  EXPECT_EQ(ParseTimestamp("2024-01-01T00:00:00.123456789Z")->instant.unix_micros() % 1000000,
            123456);
  EXPECT_EQ(ParseTimestamp("2024-01-01T00:00:00.1Z")->instant.unix_micros() % 1000000, 100000);
  EXPECT_THAT(ParseTimestamp("2024-01-01T00:00:00.Z"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TimestampTest, DateOnlyIsMidnightUtc) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ParsedTimestamp t, ParseTimestamp("2024-05-06"));
  EXPECT_TRUE(t.date_only);
  EXPECT_EQ(FormatTimestamp(t.instant), "2024-05-06T00:00:00Z");
}

TEST(TimestampTest, RejectsWithReason) {
  EXPECT_THAT(ParseTimestamp("2024-03-01T12:00:00"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("has no UTC offset")));
  EXPECT_THAT(ParseTimestamp("2024-03-01T24:00:00Z"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("has hour 24")));
  EXPECT_THAT(ParseTimestamp("2024-03-01T23:60:00Z"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("has minute 60")));
  EXPECT_THAT(ParseTimestamp("2024-03-01T23:59:60Z"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("leap seconds")));
  EXPECT_THAT(ParseTimestamp("2024-03-01T23:00:00+15:00"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("beyond")));
  EXPECT_THAT(ParseTimestamp("2024-03-01T23:00:00Zjunk"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("trailing")));
  EXPECT_THAT(ParseTimestamp("yesterday"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TimestampTest, RejectsInstantsOutsideYears0001To9999Utc) {
  // Both are valid local times whose UTC instant falls outside the four-digit years: printed,
  // they would read as year 10000 and year 0000.
  EXPECT_THAT(ParseTimestamp("9999-12-31T23:59:59-12:00"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "'9999-12-31T23:59:59-12:00' is after 9999-12-31T23:59:59Z"));
  EXPECT_THAT(ParseTimestamp("0001-01-01T00:30:00+01:00"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "'0001-01-01T00:30:00+01:00' is before 0001-01-01T00:00:00Z"));
  // The edges themselves are fine.
  WINBACK_ASSERT_OK_AND_ASSIGN(ParsedTimestamp last, ParseTimestamp("9999-12-31T23:59:59.999999Z"));
  EXPECT_EQ(FormatTimestamp(last.instant), "9999-12-31T23:59:59.999999Z");
  WINBACK_ASSERT_OK_AND_ASSIGN(ParsedTimestamp first, ParseTimestamp("0001-01-01T01:00:00+01:00"));
  EXPECT_EQ(FormatTimestamp(first.instant), "0001-01-01T00:00:00Z");
  EXPECT_THAT(ParseTimestamp("9999-12-31T12:00:00+12:00"), IsOk());
}

TEST(TimestampTest, FormatRoundTrips) {
  for (const char* s : {"2024-03-01T12:00:00+03:30", "1999-12-31T23:59:59Z",
                        "2024-03-01T12:00:00.250000-05:00", "1901-06-01T00:00:00Z"}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(ParsedTimestamp t, ParseTimestamp(s));
    EXPECT_EQ(FormatTimestamp(t.instant, t.utc_offset_minutes), s);
  }
}

TEST(TimeZoneTest, DstAwareOffsets) {
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone ny, TimeZone::Find("America/New_York"));
  EXPECT_EQ(ny.OffsetMinutesAt(ParseTimestamp("2024-01-15T12:00:00Z")->instant), -300);
  EXPECT_EQ(ny.OffsetMinutesAt(ParseTimestamp("2024-07-15T12:00:00Z")->instant), -240);
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone ist, TimeZone::Find("Europe/Istanbul"));
  EXPECT_EQ(ist.OffsetMinutesAt(ParseTimestamp("2024-07-15T12:00:00Z")->instant), 180);
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone teh, TimeZone::Find("Asia/Tehran"));
  EXPECT_EQ(teh.OffsetMinutesAt(ParseTimestamp("2024-01-15T12:00:00Z")->instant), 210);
  // 22:00 UTC on Jan 15 is already Jan 16 in Tehran.
  EXPECT_EQ(teh.LocalDate(ParseTimestamp("2024-01-15T22:00:00Z")->instant).ToString(),
            "2024-01-16");
  EXPECT_EQ(FormatTimestamp(teh.LocalMidnight(*ParseDate("2024-01-16"))), "2024-01-15T20:30:00Z");
}

TEST(TimeZoneTest, LocalTimesInGapsAndOverlaps) {
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone ny, TimeZone::Find("America/New_York"));
  // An ordinary day: 09:30 EST is 14:30Z.
  EXPECT_EQ(FormatTimestamp(ny.AtLocalTime(*ParseDate("2024-01-15"), 9 * 3600 + 1800)),
            "2024-01-15T14:30:00Z");
  // 2024-03-10: clocks jump 02:00 -> 03:00; 02:30 does not exist and becomes 03:00 EDT (07:00Z).
  EXPECT_EQ(FormatTimestamp(ny.AtLocalTime(*ParseDate("2024-03-10"), 2 * 3600 + 1800)),
            "2024-03-10T07:00:00Z");
  // 2024-11-03: 01:30 happens twice; the earlier (EDT, 05:30Z) is taken.
  EXPECT_EQ(FormatTimestamp(ny.AtLocalTime(*ParseDate("2024-11-03"), 3600 + 1800)),
            "2024-11-03T05:30:00Z");
  EXPECT_EQ(ny.LocalSecondsOfDay(ParseTimestamp("2024-11-03T06:30:00Z")->instant), 3600 + 1800);
  EXPECT_EQ(TimeZone().LocalSecondsOfDay(ParseTimestamp("1969-12-31T23:00:00Z")->instant),
            23 * 3600);
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone teh, TimeZone::Find("Asia/Tehran"));
  EXPECT_EQ(FormatTimestamp(teh.AtLocalTime(*ParseDate("2024-01-16"), 0)), "2024-01-15T20:30:00Z");
}

TEST(TimeZoneTest, UnknownZoneIsNotFound) {
  EXPECT_THAT(TimeZone::Find("Mars/Olympus"),
              StatusIsWith(StatusCode::kNotFound, "'Mars/Olympus' is not an IANA time zone"));
  EXPECT_EQ(TimeZone::Find("UTC")->name(), "UTC");
}

}  // namespace
}  // namespace winback
