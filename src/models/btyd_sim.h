#pragma once

// Synthetic customers drawn from the BTYD models, with a known ground truth, for recovery tests
// and benchmarks. Deterministic for a seed on every platform: core's generator (xoshiro256**
// seeded by splitmix64, core/random.h) and its own samplers (no std:: distributions, whose
// output differs between standard libraries).

#include <cstddef>
#include <cstdint>

#include "core/random.h"
#include "core/status.h"
#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "models/mbgnbd.h"
#include "models/pareto_nbd.h"
#include "models/summary.h"

namespace winback::models {

// Samplers on core's xoshiro256** seeded by splitmix64. Not thread-safe; cheap to copy.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t Next();
  // Uniform on (0, 1): never 0 or 1.
  double Uniform();
  // Standard normal (Box-Muller).
  double Normal();
  // Exponential with rate 1.
  double Exponential();
  // Gamma(shape, rate 1), shape > 0 (Marsaglia & Tsang 2000; shape < 1 by boosting).
  double Gamma(double shape);
  // Beta(a, b), a, b > 0.
  double Beta(double a, double b);

 private:
  Xoshiro256 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

struct SimulationOptions {
  std::size_t customers = 0;
  // Each customer's T is drawn uniformly from [min_age, max_age] (time units, 0 < min <= max):
  // first purchases spread over a cohort window, calibration ending at one date.
  double min_age = 27.0;
  double max_age = 38.86;
  // 0: continuous times. > 0: times are recorded on a grid of this step (1/7 = days when the
  // unit is weeks): T and purchase times are rounded to the nearest grid point, so customers
  // repeat the same (x, t_x, T) as in real data and fits can group them. Purchases are not
  // merged (x stays exact; merging same-day purchases would bias the rate of heavy buyers),
  // so t_x may be 0 with x > 0 when a repeat purchase falls within half a step of the first.
  double time_resolution = 0;
  std::uint64_t seed = 1;
};

// Draws customers from the BG/NBD: lambda ~ Gamma(r, alpha), p ~ Beta(a, b); Poisson
// purchases while alive; drop-out with probability p after each repeat purchase. Returns the
// (x, t_x, T) table (no ids). Errors: InvalidArgument for invalid parameters or options.
Result<SummaryTable> SimulateBgNbd(const BgNbdParams& params, const SimulationOptions& options);

// MBG/NBD: as the BG/NBD plus a drop-out chance p right after the first purchase.
Result<SummaryTable> SimulateMbgNbd(const MbgNbdParams& params, const SimulationOptions& options);

// Pareto/NBD: lambda ~ Gamma(r, alpha), lifetime ~ Exponential(mu), mu ~ Gamma(s, beta).
Result<SummaryTable> SimulateParetoNbd(const ParetoNbdParams& params,
                                       const SimulationOptions& options);

// Fills table.monetary_value from the Gamma-Gamma model: nu ~ Gamma(q, gamma) per customer,
// each of the x repeat transactions ~ Gamma(p, nu); m_x = their mean (0 when x = 0).
// Errors: InvalidArgument for invalid parameters.
Status SimulateGammaGammaSpend(const GammaGammaParams& params, std::uint64_t seed,
                               SummaryTable& table);

}  // namespace winback::models
