#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "core/random.h"

namespace winback::sim::internal {

// The simulator's samplers on core's generator (core/random.h). std:: distributions are
// implementation-defined, so the output bytes would change with the standard library; everything
// here is specified exactly (up to the last ulp of libm's log/exp/sin/cos, which glibc computes
// the same on every x86-64).

// Independent random streams of one customer. Adding a stream never changes the others, so a
// change to, say, event generation leaves purchases byte-identical.
enum class Stream : std::uint64_t {
  kCore = 1,          // buyer or not, acquisition and signup time, city
  kProfile = 2,       // names, age, consents, ...
  kPurchases = 3,     // lambda, p and the purchase times
  kSpend = 4,         // nu and order amounts, items
  kEvents = 5,        // engagement events
  kReferral = 6,      // who referred this customer (stateless hash)
  kContinuation = 7,  // responder.cc: the purchase process after the window, its amounts
  kResponse = 8,      // responder.cc: responses to campaign messages
};

// The key of stream `stream` of customer `index` under `seed`: a pure function, so any
// customer's draws can be reproduced on any thread in any order.
inline std::uint64_t StreamKey(std::uint64_t seed, std::uint64_t index, Stream stream) {
  const std::uint64_t s = Mix64(seed ^ 0x5EED5EED5EED5EEDULL);
  return Mix64(Mix64(s + index) ^ (static_cast<std::uint64_t>(stream) * 0xD1B54A32D192ED03ULL));
}

// Core's xoshiro256** (seeded from `key` by splitmix64) with the samplers the simulator needs.
// Not thread-safe; each customer stream owns one. 32 bytes of state plus a cached normal
// deviate.
class Rng {
 public:
  explicit Rng(std::uint64_t key) : engine_(key) {}
  Rng(std::uint64_t seed, std::uint64_t index, Stream stream)
      : Rng(StreamKey(seed, index, stream)) {}

  std::uint64_t Next() { return engine_.Next(); }

  // Uniform on [0, 1) with 53 random bits.
  double Uniform() { return engine_.Uniform(); }
  // Uniform on (0, 1): never 0, so log() is finite.
  double UniformOpen() { return engine_.UniformOpen(); }
  // Uniform on [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer on [0, n) for 0 < n <= 2^32 (Lemire's multiply-shift on 32 random bits;
  // the bias is below n / 2^32, negligible for the small n used here).
  std::uint64_t Below(std::uint64_t n) { return ((Next() >> 32) * n) >> 32; }
  // Uniform integer on [lo, hi], lo <= hi.
  std::int64_t Between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Exponential with mean 1.
  double Exponential() { return -std::log(UniformOpen()); }

  // Standard normal (Marsaglia's polar method; the second deviate is cached).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0;
    double v = 0;
    double s = 0;
    do {
      u = 2.0 * Uniform() - 1.0;
      v = 2.0 * Uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * m;
    has_spare_ = true;
    return u * m;
  }

  // Gamma with the given shape (> 0) and rate 1 (Marsaglia & Tsang 2000; for shape < 1 the
  // boost Gamma(shape) = Gamma(shape + 1) * U^(1/shape)).
  double Gamma(double shape) {
    if (shape < 1.0) {
      const double g = GammaAtLeastOne(shape + 1.0);
      return g * std::exp(std::log(UniformOpen()) / shape);
    }
    return GammaAtLeastOne(shape);
  }

  // log of a Gamma(shape, 1) deviate, finite even when the deviate itself would underflow.
  double LogGamma(double shape) {
    if (shape < 1.0) {
      return std::log(GammaAtLeastOne(shape + 1.0)) + std::log(UniformOpen()) / shape;
    }
    return std::log(GammaAtLeastOne(shape));
  }

  // Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), computed in log space so small
  // shapes cannot produce 0/0.
  double Beta(double a, double b) {
    const double lx = LogGamma(a);
    const double ly = LogGamma(b);
    return 1.0 / (1.0 + std::exp(ly - lx));
  }

  // Poisson with the given mean (>= 0): multiplication method below 12, else Hormann's PTRS
  // transformed rejection (1993).
  std::int64_t Poisson(double mean) {
    if (!(mean > 0.0)) return 0;
    if (mean < 12.0) {
      const double limit = std::exp(-mean);
      double prod = Uniform();
      std::int64_t k = 0;
      while (prod > limit) {
        ++k;
        prod *= Uniform();
      }
      return k;
    }
    const double smu = std::sqrt(mean);
    const double b = 0.931 + 2.53 * smu;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    const double log_mean = std::log(mean);
    for (;;) {
      const double u = Uniform() - 0.5;
      const double v = Uniform();
      const double us = 0.5 - std::fabs(u);
      const double kd = std::floor((2.0 * a / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(kd);
      if (kd < 0.0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
          -mean + kd * log_mean - LogFactorial(kd)) {
        return static_cast<std::int64_t>(kd);
      }
    }
  }

  // Index drawn with probability weights[i] / total from cumulative weights `cdf` (increasing,
  // cdf[n-1] = total).
  std::size_t Pick(const double* cdf, std::size_t n) {
    const double x = Uniform() * cdf[n - 1];
    std::size_t i = 0;
    while (i + 1 < n && x >= cdf[i]) ++i;
    return i;
  }

  // log(k!) for k >= 0: exact sums below 16, Stirling's series above (error < 1e-12).
  static double LogFactorial(double k) {
    if (k < 16.0) {
      double s = 0.0;
      for (double i = 2.0; i <= k; i += 1.0) s += std::log(i);
      return s;
    }
    const double x = k + 1.0;
    const double inv = 1.0 / x;
    const double inv2 = inv * inv;
    return (x - 0.5) * std::log(x) - x + 0.91893853320467274178 +
           inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 / 1260.0));
  }

 private:
  double GammaAtLeastOne(double shape) {
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = 0;
      double v = 0;
      do {
        x = Normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = UniformOpen();
      const double x2 = x * x;
      if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
      if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

  Xoshiro256 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace winback::sim::internal
