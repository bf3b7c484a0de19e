#include "core/time.h"

#include <date/tz.h>

#include <array>
#include <chrono>
#include <cstdio>

namespace winback {
namespace {

constexpr std::array<const char*, 13> kMonthNames = {
    "",     "January", "February",  "March",   "April",    "May",     "June",
    "July", "August",  "September", "October", "November", "December"};

struct Civil {
  int year;
  int month;
  int day;
};

// Hinnant's civil_from_days: days since 1970-01-01 -> proleptic Gregorian date.
Civil CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[pos]; returns -1 when they are not all digits.
int Digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!IsDigit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string Quote(std::string_view text) {
  std::string s = "'";
  s.append(text.substr(0, 64));
  if (text.size() > 64) s += "...";
  s += "'";
  return s;
}

Status DateError(std::string_view text, int y, int m, int d) {
  if (m < 1 || m > 12) return InvalidArgumentError(Quote(text) + " has month " + std::to_string(m));
  return InvalidArgumentError(Quote(text) + " is not a date (" +
                              kMonthNames[static_cast<std::size_t>(m)] + " " + std::to_string(y) +
                              " has " + std::to_string(DaysInMonth(y, m)) + " days, not " +
                              std::to_string(d) + ")");
}

// Parses the leading YYYY-MM-DD; sets *consumed.
Result<Date> ParseDatePrefix(std::string_view text, std::size_t* consumed) {
  int y = Digits(text, 0, 4);
  int m = -1;
  int d = -1;
  if (y >= 0 && text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    m = Digits(text, 5, 2);
    d = Digits(text, 8, 2);
    *consumed = 10;
  } else if (y >= 0 && text.size() >= 8 && Digits(text, 4, 4) >= 0 &&
             (text.size() == 8 || !IsDigit(text[8]))) {
    m = Digits(text, 4, 2);
    d = Digits(text, 6, 2);
    *consumed = 8;
  }
  if (y < 0 || m < 0 || d < 0) {
    return InvalidArgumentError(Quote(text) + " is not a date (expected YYYY-MM-DD)");
  }
  if (y < 1) return InvalidArgumentError(Quote(text) + " has year 0000");
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return DateError(text, y, m, d);
  return Date::FromDays(DaysFromCivil(y, m, d));
}

}  // namespace

std::int32_t DaysFromCivil(int year, int month, int day) {
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = month > 2 ? month - 3 : month + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int32_t>(era * 146097 + doe - 719468);
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 13> kDays = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && IsLeapYear(year) ? 29 : kDays[static_cast<std::size_t>(month)];
}

Result<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return InvalidArgumentError(std::string("'") + buf + "' is not a date");
  }
  return Date(DaysFromCivil(year, month, day));
}

int Date::year() const { return CivilFromDays(days_).year; }
int Date::month() const { return CivilFromDays(days_).month; }
int Date::day() const { return CivilFromDays(days_).day; }
int Date::weekday() const {
  // 1970-01-01 was a Thursday (ISO weekday index 3).
  const std::int64_t w = (std::int64_t{days_} + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

std::string Date::ToString() const {
  const Civil c = CivilFromDays(days_);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

Date UtcDate(Instant t) {
  const std::int64_t s = t.unix_seconds();
  const std::int64_t d = s >= 0 ? s / 86'400 : -((-s + 86'399) / 86'400);
  return Date::FromDays(static_cast<std::int32_t>(d));
}

Result<Date> ParseDate(std::string_view text) {
  std::size_t consumed = 0;
  WINBACK_ASSIGN_OR_RETURN(Date d, ParseDatePrefix(text, &consumed));
  if (consumed != text.size()) {
    return InvalidArgumentError(Quote(text) + " is not a date (expected YYYY-MM-DD)");
  }
  return d;
}

Result<ParsedTimestamp> ParseTimestamp(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty timestamp");
  std::size_t pos = 0;
  WINBACK_ASSIGN_OR_RETURN(Date date, ParseDatePrefix(text, &pos));
  ParsedTimestamp out;
  if (pos == text.size()) {
    out.instant = date.StartUtc();
    out.date_only = true;
    return out;
  }
  if (pos != 10 || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return InvalidArgumentError(Quote(text) +
                                " is not an ISO 8601 time (expected YYYY-MM-DDThh:mm:ss+hh:mm)");
  }
  ++pos;
  const int hh = Digits(text, pos, 2);
  const int mm = (pos + 2 < text.size() && text[pos + 2] == ':') ? Digits(text, pos + 3, 2) : -1;
  if (hh < 0 || mm < 0) {
    return InvalidArgumentError(Quote(text) + " has no valid hh:mm time of day");
  }
  pos += 5;
  int ss = 0;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == ':') {
    ss = Digits(text, pos + 1, 2);
    if (ss < 0) return InvalidArgumentError(Quote(text) + " has no valid seconds");
    pos += 3;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      std::size_t n = 0;
      while (pos < text.size() && IsDigit(text[pos])) {
        if (n < 6) micros = micros * 10 + (text[pos] - '0');
        ++n;
        ++pos;
      }
      if (n == 0) return InvalidArgumentError(Quote(text) + " has an empty fraction of a second");
      for (std::size_t i = n; i < 6; ++i) micros *= 10;
    }
  }
  if (hh > 23) return InvalidArgumentError(Quote(text) + " has hour " + std::to_string(hh));
  if (mm > 59) return InvalidArgumentError(Quote(text) + " has minute " + std::to_string(mm));
  if (ss > 59) {
    return InvalidArgumentError(Quote(text) + " has second " + std::to_string(ss) +
                                " (leap seconds are not supported)");
  }
  if (pos == text.size()) {
    return InvalidArgumentError(Quote(text) + " has no UTC offset (add Z or +hh:mm)");
  }
  int offset = 0;
  const char z = text[pos];
  if (z == 'Z' || z == 'z') {
    ++pos;
  } else if (z == '+' || z == '-') {
    const int oh = Digits(text, pos + 1, 2);
    if (oh < 0) return InvalidArgumentError(Quote(text) + " has a bad UTC offset");
    pos += 3;
    int om = 0;
    if (pos < text.size()) {
      if (text[pos] == ':') ++pos;
      om = Digits(text, pos, 2);
      if (om < 0) return InvalidArgumentError(Quote(text) + " has a bad UTC offset");
      pos += 2;
    }
    if (oh > 14 || om > 59 || oh * 60 + om > 14 * 60) {
      return InvalidArgumentError(Quote(text) + " has a UTC offset beyond +-14:00");
    }
    offset = (z == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return InvalidArgumentError(Quote(text) + " has a bad UTC offset (expected Z or +hh:mm)");
  }
  if (pos != text.size()) {
    return InvalidArgumentError(Quote(text) + " has trailing characters after the UTC offset");
  }
  const std::int64_t local_seconds =
      std::int64_t{date.days()} * 86'400 + std::int64_t{hh} * 3600 + std::int64_t{mm} * 60 + ss;
  const std::int64_t utc_seconds = local_seconds - std::int64_t{offset} * 60;
  // A local time near either end of the four-digit years can fall outside them in UTC; it could
  // not be printed back as YYYY-MM-DD.
  static const std::int64_t kFirstSecond = std::int64_t{DaysFromCivil(1, 1, 1)} * 86'400;
  static const std::int64_t kEndSecond = std::int64_t{DaysFromCivil(10000, 1, 1)} * 86'400;
  if (utc_seconds < kFirstSecond) {
    return InvalidArgumentError(Quote(text) + " is before 0001-01-01T00:00:00Z");
  }
  if (utc_seconds >= kEndSecond) {
    return InvalidArgumentError(Quote(text) + " is after 9999-12-31T23:59:59Z");
  }
  out.instant = Instant::FromUnixMicros(utc_seconds * 1'000'000 + micros);
  out.utc_offset_minutes = offset;
  return out;
}

std::string FormatTimestamp(Instant t, std::int32_t utc_offset_minutes) {
  const std::int64_t local_us = t.unix_micros() + std::int64_t{utc_offset_minutes} * 60'000'000;
  std::int64_t secs = local_us >= 0 ? local_us / 1'000'000 : -((-local_us + 999'999) / 1'000'000);
  const std::int64_t frac = local_us - secs * 1'000'000;
  std::int64_t days = secs >= 0 ? secs / 86'400 : -((-secs + 86'399) / 86'400);
  const std::int64_t sod = secs - days * 86'400;
  const Civil c = CivilFromDays(days);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day,
                        static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                        static_cast<int>(sod % 60));
  std::string out(buf, static_cast<std::size_t>(n));
  if (frac != 0) {
    n = std::snprintf(buf, sizeof buf, ".%06d", static_cast<int>(frac));
    out.append(buf, static_cast<std::size_t>(n));
  }
  if (utc_offset_minutes == 0) {
    out += 'Z';
  } else {
    const int a = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
    n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", utc_offset_minutes < 0 ? '-' : '+', a / 60,
                      a % 60);
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

namespace {
const date::time_zone* Zone(const void* p) { return static_cast<const date::time_zone*>(p); }
}  // namespace

TimeZone::TimeZone() : zone_(nullptr) {}

Result<TimeZone> TimeZone::Find(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") return TimeZone();
  try {
    const date::time_zone* z = date::locate_zone(name);
    return TimeZone(z);
  } catch (const std::exception&) {
    return NotFoundError("'" + std::string(name) + "' is not an IANA time zone");
  }
}

std::string_view TimeZone::name() const {
  if (zone_ == nullptr) return "UTC";
  return Zone(zone_)->name();
}

std::int32_t TimeZone::OffsetMinutesAt(Instant t) const {
  if (zone_ == nullptr) return 0;
  const date::sys_seconds s{std::chrono::seconds(t.unix_seconds())};
  const date::sys_info info = Zone(zone_)->get_info(s);
  return static_cast<std::int32_t>(info.offset.count() / 60);
}

Date TimeZone::LocalDate(Instant t) const {
  return UtcDate(t.PlusSeconds(std::int64_t{OffsetMinutesAt(t)} * 60));
}

Instant TimeZone::LocalMidnight(Date d) const {
  const Instant utc_midnight = d.StartUtc();
  return utc_midnight.PlusSeconds(-std::int64_t{OffsetMinutesAt(utc_midnight)} * 60);
}

Instant TimeZone::AtLocalTime(Date d, std::int32_t seconds_of_day) const {
  const std::int64_t local = std::int64_t{d.days()} * 86'400 + seconds_of_day;
  if (zone_ == nullptr) return Instant::FromUnixSeconds(local);
  const date::local_seconds ls{std::chrono::seconds(local)};
  const date::local_info info = Zone(zone_)->get_info(ls);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // `first` is the earlier of the two instants.
      return Instant::FromUnixSeconds(local - info.first.offset.count());
    case date::local_info::nonexistent:  // `second` begins when the gap ends.
      return Instant::FromUnixSeconds(info.second.begin.time_since_epoch().count());
  }
  return Instant::FromUnixSeconds(local - info.first.offset.count());
}

std::int32_t TimeZone::LocalSecondsOfDay(Instant t) const {
  const std::int64_t local = t.unix_seconds() + std::int64_t{OffsetMinutesAt(t)} * 60;
  const std::int64_t r = local % 86'400;
  return static_cast<std::int32_t>(r < 0 ? r + 86'400 : r);
}

}  // namespace winback
