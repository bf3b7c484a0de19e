#include "models/btyd_sim.h"

#include <cmath>
#include <numbers>

namespace winback::models {
namespace {

Status CheckOptions(const SimulationOptions& o) {
  if (!(o.min_age > 0) || !(o.max_age >= o.min_age) || !std::isfinite(o.max_age)) {
    return InvalidArgumentError("simulation ages must satisfy 0 < min_age <= max_age");
  }
  if (!(o.time_resolution >= 0) || !std::isfinite(o.time_resolution)) {
    return InvalidArgumentError("time_resolution must be >= 0");
  }
  return Status::Ok();
}

// Records purchases on the optional time grid.
class Recorder {
 public:
  explicit Recorder(double resolution) : resolution_(resolution) {}
  double Age(double t_cal) const {
    if (resolution_ <= 0) return t_cal;
    return std::max(resolution_, std::round(t_cal / resolution_) * resolution_);
  }
  void Purchase(double t) {
    if (resolution_ > 0) t = std::round(t / resolution_) * resolution_;
    x_ += 1;
    t_x_ = t;
  }
  double x() const { return x_; }
  double t_x() const { return t_x_; }

 private:
  double resolution_;
  double x_ = 0;
  double t_x_ = 0;
};

enum class Process { kBg, kMbg, kPareto };

Result<SummaryTable> Simulate(Process process, double r, double alpha, double a_or_s,
                              double b_or_beta, const SimulationOptions& options) {
  WINBACK_RETURN_IF_ERROR(CheckOptions(options));
  Rng rng(options.seed);
  SummaryTable table;
  table.Reserve(options.customers);
  for (std::size_t i = 0; i < options.customers; ++i) {
    Recorder rec(options.time_resolution);
    const double t_cal =
        rec.Age(options.min_age + (options.max_age - options.min_age) * rng.Uniform());
    const double lambda = rng.Gamma(r) / alpha;
    if (process == Process::kPareto) {
      const double mu = rng.Gamma(a_or_s) / b_or_beta;
      const double end = std::min(t_cal, rng.Exponential() / mu);
      for (double t = rng.Exponential() / lambda; t <= end; t += rng.Exponential() / lambda) {
        rec.Purchase(t);
      }
    } else {
      const double p = rng.Beta(a_or_s, b_or_beta);
      bool alive = !(process == Process::kMbg && rng.Uniform() < p);
      for (double t = rng.Exponential() / lambda; alive && t <= t_cal;
           t += rng.Exponential() / lambda) {
        rec.Purchase(t);
        if (rng.Uniform() < p) alive = false;
      }
    }
    table.frequency.push_back(rec.x());
    table.recency.push_back(rec.t_x());
    table.age.push_back(t_cal);
  }
  return table;
}

}  // namespace

Rng::Rng(std::uint64_t seed) : engine_(seed) {}

std::uint64_t Rng::Next() { return engine_.Next(); }

double Rng::Uniform() { return engine_.UniformOpen(); }

double Rng::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double radius = std::sqrt(-2.0 * std::log(Uniform()));
  const double angle = 2.0 * std::numbers::pi * Uniform();
  spare_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

double Rng::Exponential() { return -std::log(Uniform()); }

double Rng::Gamma(double shape) {
  if (shape < 1.0) {
    // G(a) = G(a + 1) U^(1/a).
    return Gamma(shape + 1.0) * std::exp(std::log(Uniform()) / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x, v;
    do {
      x = Normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = Uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double Rng::Beta(double a, double b) {
  const double x = Gamma(a);
  const double y = Gamma(b);
  return x / (x + y);
}

Result<SummaryTable> SimulateBgNbd(const BgNbdParams& p, const SimulationOptions& options) {
  WINBACK_RETURN_IF_ERROR(ValidateBgNbdParams(p));
  return Simulate(Process::kBg, p.r, p.alpha, p.a, p.b, options);
}

Result<SummaryTable> SimulateMbgNbd(const MbgNbdParams& p, const SimulationOptions& options) {
  WINBACK_RETURN_IF_ERROR(ValidateMbgNbdParams(p));
  return Simulate(Process::kMbg, p.r, p.alpha, p.a, p.b, options);
}

Result<SummaryTable> SimulateParetoNbd(const ParetoNbdParams& p, const SimulationOptions& options) {
  WINBACK_RETURN_IF_ERROR(ValidateParetoNbdParams(p));
  return Simulate(Process::kPareto, p.r, p.alpha, p.s, p.beta, options);
}

Status SimulateGammaGammaSpend(const GammaGammaParams& params, std::uint64_t seed,
                               SummaryTable& table) {
  WINBACK_RETURN_IF_ERROR(ValidateGammaGammaParams(params));
  Rng rng(seed);
  table.monetary_value.assign(table.size(), 0.0);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const double x = table.frequency[i];
    if (x <= 0) continue;
    const double nu = rng.Gamma(params.q) / params.gamma;
    // The sum of x Gamma(p, nu) values is Gamma(p x, nu).
    table.monetary_value[i] = rng.Gamma(params.p * x) / nu / x;
  }
  return Status::Ok();
}

}  // namespace winback::models
