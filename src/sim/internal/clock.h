#pragma once

#include <array>
#include <cstdint>

namespace winback::sim::internal {

// The simulator's operational clocks. A customer's purchase process runs in operational time:
// a homogeneous Poisson process there is a calendar-time process whose rate follows the yearly
// season and the hours of the day. Both maps are increasing, so event order is kept.

// The time-of-day profile: maps the fraction f in [0, 1) of an operational day to a second of
// the local day, so that a uniform f gives the hourly weights of kHourWeights. Immutable.
class TimeOfDay {
 public:
  TimeOfDay();

  // The local second of day (0..86399) of operational fraction `f` in [0, 1).
  int SecondOfDay(double f) const;
  // The inverse: the operational fraction of the day elapsed at local second `second`.
  double Fraction(double second) const;

 private:
  std::array<double, 25> cdf_;                // cdf_[h]: share of the day's weight before hour h
  std::array<double, 24> density_;            // share of hour h
  std::array<std::uint8_t, 257> first_hour_;  // hour containing f = i / 256
};

// The yearly cycle s(t) = 1 + A cos(2 pi (start + t - peak) / P), t in days since the start of
// the window; Tau(t) = integral_0^t s(u) du is the operational time. Immutable.
class Seasonality {
 public:
  // `start_day`: the first day of the window, days since 1970-01-01. 0 <= amplitude < 1.
  Seasonality(double amplitude, std::int64_t start_day);

  double amplitude() const { return amplitude_; }
  double Rate(double t) const;
  double Tau(double t) const;
  // The t >= lo with Tau(t) = tau, for tau >= Tau(lo) (safeguarded Newton; |error| < 1e-9 d).
  double Inverse(double tau, double lo) const;

 private:
  double amplitude_;
  double phase0_;  // 2 pi (start - peak) / P
  double sin0_;    // sin(phase0_)
};

}  // namespace winback::sim::internal
