#include "sim/internal/clock.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/time.h"
#include "sim/internal/effects.h"
#include "sim/internal/text.h"
#include "sim/internal/zone_offsets.h"
#include "testutil/status_matchers.h"

namespace winback::sim::internal {
namespace {

TEST(TimeOfDayTest, MonotonicAndInverse) {
  TimeOfDay tod;
  int previous = -1;
  for (int i = 0; i < 10000; ++i) {
    const double f = i / 10000.0;
    const int s = tod.SecondOfDay(f);
    ASSERT_GE(s, previous);
    ASSERT_LT(s, 86'400);
    EXPECT_NEAR(tod.Fraction(s), f, 2e-4);
    previous = s;
  }
  // The evening hour 20:00-21:00 carries its weight's share of the day.
  double total = 0;
  for (double w : kHourWeights) total += w;
  EXPECT_NEAR(tod.Fraction(21 * 3600) - tod.Fraction(20 * 3600), kHourWeights[20] / total, 1e-12);
}

TEST(SeasonalityTest, TauIsIntegralOfRate) {
  const Seasonality season(0.25, Date::FromYmd(2023, 1, 1)->days());
  // Trapezoid integral of the rate against the closed form.
  double integral = 0;
  const double h = 0.01;
  for (double t = 0; t < 400; t += h) {
    integral += 0.5 * h * (season.Rate(t) + season.Rate(t + h));
    if (std::fmod(t, 50.0) < h) {
      EXPECT_NEAR(season.Tau(t + h), integral, 1e-6) << t;
    }
  }
  // The rate averages 1 over a period.
  EXPECT_NEAR(season.Tau(kSeasonPeriodDays), kSeasonPeriodDays, 1e-9);
}

TEST(SeasonalityTest, PeakIsEarlyDecember) {
  const std::int64_t start = Date::FromYmd(2023, 1, 1)->days();
  const Seasonality season(0.25, start);
  double best = 0;
  double best_t = 0;
  for (double t = 0; t < 365; t += 0.25) {
    if (season.Rate(t) > best) {
      best = season.Rate(t);
      best_t = t;
    }
  }
  const CivilDay peak = CivilFromDays(start + static_cast<std::int64_t>(best_t));
  EXPECT_EQ(peak.year, 2023);
  EXPECT_TRUE((peak.month == 11 && peak.day >= 25) || peak.month == 12)
      << peak.month << "-" << peak.day;
  EXPECT_NEAR(best, 1.25, 1e-3);
}

TEST(SeasonalityTest, InverseRoundTrips) {
  const Seasonality season(0.6, 19'000);
  double lo = 0;
  for (double tau = 0; tau < 2000; tau += 3.7) {
    const double t = season.Inverse(tau, lo);
    EXPECT_NEAR(season.Tau(t), tau, 1e-8);
    EXPECT_GE(t, lo);
    lo = t;
  }
  const Seasonality flat(0.0, 19'000);
  EXPECT_EQ(flat.Tau(12.5), 12.5);
  EXPECT_EQ(flat.Inverse(12.5, 3.0), 12.5);
}

TEST(ZoneOffsetsTest, MatchesTimeZoneAroundTransitions) {
  for (const char* name : {"Europe/Berlin", "America/New_York", "Asia/Tehran", "Europe/Istanbul",
                           "Pacific/Honolulu"}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(
        ZoneOffsets table,
        ZoneOffsets::Build(name, *Date::FromYmd(2021, 1, 1), *Date::FromYmd(2024, 12, 31)));
    WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone zone, TimeZone::Find(name));
    const std::int64_t from = Date::FromYmd(2020, 12, 1)->StartUtc().unix_seconds();
    const std::int64_t to = Date::FromYmd(2025, 2, 1)->StartUtc().unix_seconds();
    for (std::int64_t s = from; s < to; s += 1799) {
      ASSERT_EQ(table.OffsetMinutesAt(s), zone.OffsetMinutesAt(Instant::FromUnixSeconds(s)))
          << name << " at " << FormatTimestamp(Instant::FromUnixSeconds(s));
    }
  }
}

TEST(ZoneOffsetsTest, LocalToUnixRoundTrips) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ZoneOffsets table,
                               ZoneOffsets::Build("Europe/London", *Date::FromYmd(2024, 1, 1),
                                                  *Date::FromYmd(2024, 12, 31)));
  const std::int64_t local =
      Date::FromYmd(2024, 7, 1)->StartUtc().unix_seconds() + std::int64_t{20} * 3600;
  const std::int64_t unix_seconds = table.LocalToUnix(local);
  EXPECT_EQ(unix_seconds, local - 3600);  // BST
  EXPECT_EQ(unix_seconds + std::int64_t{table.OffsetMinutesAt(unix_seconds)} * 60, local);
}

TEST(ZoneOffsetsTest, UnknownZone) {
  EXPECT_THAT(ZoneOffsets::Build("Mars/Olympus", Date(), Date()), StatusIs(StatusCode::kNotFound));
}

TEST(TextTest, TimestampMatchesCore) {
  for (std::int64_t s : {0LL, 1709285400LL, 951782400LL, 4102444799LL, 1234567890LL}) {
    for (int offset : {0, 180, 210, -300, -600, 345}) {
      std::string out;
      AppendTimestamp(out, s, offset);
      EXPECT_EQ(out, FormatTimestamp(Instant::FromUnixSeconds(s), offset));
    }
  }
  std::string date;
  AppendDate(date, Date::FromYmd(2024, 2, 29)->days());
  EXPECT_EQ(date, "2024-02-29");
}

TEST(TextTest, CsvQuoting) {
  std::string out;
  AppendCsvField(out, "plain");
  out.push_back('|');
  AppendCsvField(out, "a,b");
  out.push_back('|');
  AppendCsvField(out, "say \"hi\"");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"");
}

}  // namespace
}  // namespace winback::sim::internal
