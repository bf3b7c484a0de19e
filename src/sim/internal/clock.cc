#include "sim/internal/clock.h"

#include <cmath>
#include <numbers>

#include "sim/internal/effects.h"

namespace winback::sim::internal {

TimeOfDay::TimeOfDay() {
  double total = 0;
  for (double w : kHourWeights) total += w;
  cdf_[0] = 0;
  for (std::size_t h = 0; h < 24; ++h) {
    density_[h] = kHourWeights[h] / total;
    cdf_[h + 1] = cdf_[h] + density_[h];
  }
  cdf_[24] = 1.0;
  std::size_t h = 0;
  for (std::size_t i = 0; i < first_hour_.size(); ++i) {
    const double f = static_cast<double>(i) / 256.0;
    while (h < 23 && f >= cdf_[h + 1]) ++h;
    first_hour_[i] = static_cast<std::uint8_t>(h);
  }
}

int TimeOfDay::SecondOfDay(double f) const {
  std::size_t h = first_hour_[static_cast<std::size_t>(f * 256.0)];
  while (h < 23 && f >= cdf_[h + 1]) ++h;
  const double hours = static_cast<double>(h) + (f - cdf_[h]) / density_[h];
  const int s = static_cast<int>(hours * 3600.0);
  return s < 0 ? 0 : (s > 86'399 ? 86'399 : s);
}

double TimeOfDay::Fraction(double second) const {
  const double hours = second / 3600.0;
  std::size_t h = static_cast<std::size_t>(hours);
  if (h > 23) h = 23;
  return cdf_[h] + (hours - static_cast<double>(h)) * density_[h];
}

namespace {
constexpr double kOmega = 2.0 * std::numbers::pi / kSeasonPeriodDays;
}  // namespace

Seasonality::Seasonality(double amplitude, std::int64_t start_day)
    : amplitude_(amplitude),
      phase0_(kOmega * (static_cast<double>(start_day) - kSeasonPeakDay)),
      sin0_(std::sin(phase0_)) {}

double Seasonality::Rate(double t) const {
  return 1.0 + amplitude_ * std::cos(phase0_ + kOmega * t);
}

double Seasonality::Tau(double t) const {
  if (amplitude_ == 0.0) return t;
  return t + amplitude_ / kOmega * (std::sin(phase0_ + kOmega * t) - sin0_);
}

double Seasonality::Inverse(double tau, double lo) const {
  if (amplitude_ == 0.0) return tau;
  const double tau_lo = Tau(lo);
  double hi = lo + (tau - tau_lo) / (1.0 - amplitude_);
  double x = lo + (tau - tau_lo);
  for (int i = 0; i < 100; ++i) {
    const double f = Tau(x) - tau;
    if (std::fabs(f) < 1e-10) break;
    if (f < 0) {
      lo = x;
    } else {
      hi = x;
    }
    double next = x - f / Rate(x);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (next == x) break;
    x = next;
  }
  return x;
}

}  // namespace winback::sim::internal
