#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace winback {

// A point on the UTC time line with microsecond resolution: microseconds since
// 1970-01-01T00:00:00Z, ignoring leap seconds (POSIX time). Value type; 8 bytes.
class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant FromUnixMicros(std::int64_t us) { return Instant(us); }
  static constexpr Instant FromUnixSeconds(std::int64_t s) { return Instant(s * 1'000'000); }

  constexpr std::int64_t unix_micros() const { return micros_; }
  // Seconds since the epoch, rounded toward negative infinity.
  constexpr std::int64_t unix_seconds() const {
    return micros_ >= 0 ? micros_ / 1'000'000 : -((-micros_ + 999'999) / 1'000'000);
  }

  constexpr Instant PlusSeconds(std::int64_t s) const { return Instant(micros_ + s * 1'000'000); }
  constexpr Instant PlusDays(std::int64_t d) const { return PlusSeconds(d * 86'400); }

  friend constexpr auto operator<=>(Instant, Instant) = default;

 private:
  constexpr explicit Instant(std::int64_t us) : micros_(us) {}
  std::int64_t micros_ = 0;
};

// A calendar day of the proleptic Gregorian calendar, as days since 1970-01-01.
class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(std::int32_t days) { return Date(days); }
  // Returns InvalidArgument when (year, month, day) is not a real date, e.g. 2023-02-29.
  static Result<Date> FromYmd(int year, int month, int day);

  constexpr std::int32_t days() const { return days_; }
  int year() const;
  int month() const;  // 1..12
  int day() const;    // 1..31
  // Day of week, 0 = Monday .. 6 = Sunday (ISO 8601).
  int weekday() const;

  constexpr Date PlusDays(std::int32_t d) const { return Date(days_ + d); }
  // The instant 00:00:00Z of this day.
  constexpr Instant StartUtc() const {
    return Instant::FromUnixSeconds(std::int64_t{days_} * 86'400);
  }

  // "YYYY-MM-DD".
  std::string ToString() const;

  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  constexpr explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

// Converts a civil date to days since 1970-01-01; no validation (Hinnant's days_from_civil).
std::int32_t DaysFromCivil(int year, int month, int day);
// True for Gregorian leap years.
bool IsLeapYear(int year);
// Days in `month` (1..12) of `year`.
int DaysInMonth(int year, int month);

// The UTC calendar day containing `t`.
Date UtcDate(Instant t);

// An ISO 8601 timestamp as read from input: the instant plus the UTC offset it was written with,
// so the local wall-clock day of the event can be recovered.
struct ParsedTimestamp {
  Instant instant;
  std::int32_t utc_offset_minutes = 0;  // -14:00 .. +14:00 in minutes.
  bool date_only = false;               // Input was a bare YYYY-MM-DD (taken as 00:00Z).
};

// Parses ISO 8601 / RFC 3339 timestamps exactly:
//   YYYY-MM-DD                                   (midnight UTC)
//   YYYY-MM-DD[T| ]hh:mm[:ss[.fraction]]<zone>   zone: Z, +hh:mm, +hhmm or +hh (or -)
// Fractions beyond microseconds are truncated. A date-time without a zone is rejected, because
// its instant is ambiguous, and so is one whose UTC instant falls outside years 0001..9999
// (9999-12-31T23:59:59-12:00 is in year 10000 in UTC). Errors are InvalidArgument with a message
// naming the broken part, e.g. "'2024-02-30' is not a date (February 2024 has 29 days)".
Result<ParsedTimestamp> ParseTimestamp(std::string_view text);

// Parses a calendar date "YYYY-MM-DD" (also accepts "YYYYMMDD").
Result<Date> ParseDate(std::string_view text);

// Formats as RFC 3339 with seconds, e.g. "2024-03-01T09:30:00Z" or "...+03:30" when
// `utc_offset_minutes` is not zero. Microseconds are printed only when non-zero.
std::string FormatTimestamp(Instant t, std::int32_t utc_offset_minutes = 0);

// An IANA time zone ("Europe/Istanbul") backed by the system tz database.
// Cheap to copy; the zone data lives for the whole process. Thread-safe.
class TimeZone {
 public:
  // UTC.
  TimeZone();
  // Returns NotFound for a name that is not in the tz database.
  static Result<TimeZone> Find(std::string_view name);

  std::string_view name() const;
  // Offset from UTC in minutes at instant `t` (DST aware).
  std::int32_t OffsetMinutesAt(Instant t) const;
  // The local calendar day at instant `t`.
  Date LocalDate(Instant t) const;
  // The first instant of local day `d` (handles DST gaps by taking the offset in force at
  // 00:00 UTC of that day).
  Instant LocalMidnight(Date d) const;

  // The instant at which local clocks show `seconds_of_day` (0..86399) on day `d`. In a gap
  // (clocks jump forward over that time) it is the first instant after the gap, when clocks
  // show the end of the jump (02:30 in a 02:00 -> 03:00 gap gives 03:00); in an overlap (clocks
  // go back and show the time twice) it is the earlier of the two.
  Instant AtLocalTime(Date d, std::int32_t seconds_of_day) const;

  // Seconds since local midnight (0..86399) at instant `t`.
  std::int32_t LocalSecondsOfDay(Instant t) const;

 private:
  explicit TimeZone(const void* zone) : zone_(zone) {}
  const void* zone_;  // const date::time_zone*; nullptr means UTC.
};

}  // namespace winback
