#include "models/optimizer.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

namespace winback::models {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double Dot(std::span<const double> a, std::span<const double> b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double MaxAbs(std::span<const double> a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::fabs(v));
  return m;
}

bool AllFinite(std::span<const double> a) {
  for (double v : a) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

// One evaluated point on the search line x + alpha d.
struct LinePoint {
  double alpha = 0;
  double value = kInf;
  double slope = 0;  // d/dalpha
  std::vector<double> x;
  std::vector<double> grad;
  bool finite() const { return std::isfinite(value) && std::isfinite(slope); }
};

class LineSearch {
 public:
  LineSearch(const Objective& f, std::span<const double> x, std::span<const double> d, double f0,
             double slope0, int& evaluations)
      : f_(f), x_(x), d_(d), f0_(f0), slope0_(slope0), evaluations_(evaluations) {}

  LinePoint Eval(double alpha) {
    LinePoint p;
    p.alpha = alpha;
    p.x.resize(x_.size());
    p.grad.assign(x_.size(), 0.0);
    for (std::size_t i = 0; i < x_.size(); ++i) p.x[i] = x_[i] + alpha * d_[i];
    ++evaluations_;
    p.value = f_(p.x, p.grad);
    p.slope = AllFinite(p.grad) ? Dot(p.grad, d_) : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(p.value)) p.value = kInf;
    if (p.finite() && (!best_.finite() || p.value < best_.value)) best_ = p;
    return p;
  }

  bool Armijo(const LinePoint& p) const {
    return p.finite() && p.value <= f0_ + kC1 * p.alpha * slope0_;
  }
  bool Curvature(const LinePoint& p) const { return std::fabs(p.slope) <= -kC2 * slope0_; }

  // Returns a point satisfying the strong Wolfe conditions, or the best point with
  // sufficient decrease found, or nothing (value = inf).
  LinePoint Search(double alpha0) {
    LinePoint prev;
    prev.alpha = 0;
    prev.value = f0_;
    prev.slope = slope0_;
    double alpha = alpha0;
    for (int i = 0; i < 40; ++i) {
      LinePoint p = Eval(alpha);
      if (!Armijo(p) || (i > 0 && p.value >= prev.value)) return Zoom(prev, p);
      if (Curvature(p)) return p;
      if (p.slope >= 0) return Zoom(p, prev);
      prev = p;
      alpha *= 2.0;
    }
    return Fallback();
  }

 private:
  static constexpr double kC1 = 1e-4;
  static constexpr double kC2 = 0.9;

  LinePoint Fallback() const {
    if (best_.finite() && best_.value < f0_) return best_;
    return LinePoint();
  }

  // lo satisfies Armijo and has the lower value; the minimum lies between lo and hi.
  LinePoint Zoom(LinePoint lo, LinePoint hi) {
    for (int i = 0; i < 60; ++i) {
      const double a = lo.alpha;
      const double b = hi.alpha;
      double alpha = 0.5 * (a + b);
      if (hi.finite()) {
        // Cubic interpolation through (lo, hi), kept away from the ends.
        const double d1 = lo.slope + hi.slope - 3.0 * (lo.value - hi.value) / (a - b);
        const double disc = d1 * d1 - lo.slope * hi.slope;
        if (disc >= 0) {
          const double d2 = std::copysign(std::sqrt(disc), b - a);
          const double cubic =
              b - (b - a) * (hi.slope + d2 - d1) / (hi.slope - lo.slope + 2.0 * d2);
          const double lo_edge = std::min(a, b) + 0.1 * std::fabs(b - a);
          const double hi_edge = std::max(a, b) - 0.1 * std::fabs(b - a);
          if (std::isfinite(cubic) && cubic >= lo_edge && cubic <= hi_edge) alpha = cubic;
        }
      }
      if (std::fabs(b - a) < 1e-16 * std::max(1.0, std::fabs(a))) break;
      LinePoint p = Eval(alpha);
      if (!Armijo(p) || p.value >= lo.value) {
        hi = p;
      } else {
        if (Curvature(p)) return p;
        if (p.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = p;
      }
    }
    return Fallback();
  }

  const Objective& f_;
  std::span<const double> x_;
  std::span<const double> d_;
  double f0_;
  double slope0_;
  int& evaluations_;
  LinePoint best_;
};

}  // namespace

Result<MinimizeResult> MinimizeBfgs(const Objective& f, std::vector<double> x0,
                                    const MinimizeOptions& options) {
  const std::size_t n = x0.size();
  MinimizeResult r;
  r.x = std::move(x0);
  r.gradient.assign(n, 0.0);
  r.value = f(r.x, r.gradient);
  r.evaluations = 1;
  if (!std::isfinite(r.value) || !AllFinite(r.gradient)) {
    return InvalidArgumentError("the objective is not finite at the starting point");
  }
  std::vector<double> h(n * n, 0.0);
  bool scaled = false;
  if (options.initial_inverse_hessian.size() == n * n) {
    h = options.initial_inverse_hessian;
    scaled = true;
  } else {
    for (std::size_t i = 0; i < n; ++i) h[i * n + i] = 1.0;
  }
  std::vector<double> d(n), s(n), y(n), hy(n);
  int resets = 0;
  while (true) {
    if (MaxAbs(r.gradient) <= options.gradient_tolerance) {
      r.converged = true;
      r.message = "gradient below tolerance";
      break;
    }
    if (r.iterations >= options.max_iterations) {
      r.message = "iteration limit reached";
      break;
    }
    for (std::size_t i = 0; i < n; ++i) {
      d[i] = 0;
      for (std::size_t j = 0; j < n; ++j) d[i] -= h[i * n + j] * r.gradient[j];
    }
    double slope = Dot(d, r.gradient);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      for (std::size_t i = 0; i < n; ++i) d[i] = -r.gradient[i];
      slope = Dot(d, r.gradient);
      std::fill(h.begin(), h.end(), 0.0);
      for (std::size_t i = 0; i < n; ++i) h[i * n + i] = 1.0;
      scaled = false;
    }
    double alpha0 = 1.0;
    const double step_norm = MaxAbs(d);
    if (step_norm * alpha0 > options.max_step) alpha0 = options.max_step / step_norm;
    if (!scaled) alpha0 = std::min(alpha0, 1.0 / std::max(1.0, MaxAbs(r.gradient)));
    LineSearch search(f, r.x, d, r.value, slope, r.evaluations);
    LinePoint p = search.Search(alpha0);
    if (!std::isfinite(p.value)) {
      if (resets == 0 && scaled) {
        // The curvature model may be stale: retry once from steepest descent.
        ++resets;
        std::fill(h.begin(), h.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i) h[i * n + i] = 1.0;
        scaled = false;
        continue;
      }
      const double g = MaxAbs(r.gradient);
      r.converged = g <= 1e3 * options.gradient_tolerance;
      r.message = "no further decrease possible along the search direction";
      break;
    }
    resets = 0;
    ++r.iterations;
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = p.x[i] - r.x[i];
      y[i] = p.grad[i] - r.gradient[i];
    }
    const double sy = Dot(s, y);
    const double previous = r.value;
    r.x = p.x;
    r.value = p.value;
    r.gradient = p.grad;
    if (sy > 1e-14 * std::sqrt(Dot(s, s) * Dot(y, y))) {
      if (!scaled) {
        const double gamma = sy / Dot(y, y);
        for (double& v : h) v *= gamma;
        scaled = true;
      }
      // H <- (I - rho s y') H (I - rho y s') + rho s s'.
      const double rho = 1.0 / sy;
      for (std::size_t i = 0; i < n; ++i) {
        hy[i] = 0;
        for (std::size_t j = 0; j < n; ++j) hy[i] += h[i * n + j] * y[j];
      }
      const double yhy = Dot(y, hy);
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
          h[i * n + j] +=
              -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
      }
    }
    if (previous - r.value <= 1e-16 * std::fabs(r.value) &&
        MaxAbs(r.gradient) <= 1e3 * options.gradient_tolerance) {
      r.converged = true;
      r.message = "objective flat to rounding";
      break;
    }
  }
  r.inverse_hessian = h;
  return r;
}

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Solves (m + shift I) d = -g for the symmetric n x n matrix m (row-major) by Eigen's Cholesky
// factorisation; false when m + shift I is not positive definite (or the solution not finite).
bool SolveShifted(std::span<const double> m, std::size_t n, double shift, std::span<const double> g,
                  std::vector<double>& d) {
  const auto k = static_cast<Eigen::Index>(n);
  RowMatrix a = Eigen::Map<const RowMatrix>(m.data(), k, k);
  a.diagonal().array() += shift;
  const Eigen::LLT<RowMatrix> llt(a);
  if (llt.info() != Eigen::Success) return false;
  const Eigen::VectorXd x = llt.solve(-Eigen::Map<const Eigen::VectorXd>(g.data(), k));
  if (!x.allFinite()) return false;
  d.assign(x.data(), x.data() + n);
  return true;
}

}  // namespace

Result<MinimizeResult> MinimizeNewton(const ObjectiveWithHessian& f, std::vector<double> x0,
                                      const MinimizeOptions& options) {
  const std::size_t n = x0.size();
  MinimizeResult r;
  r.x = std::move(x0);
  r.gradient.assign(n, 0.0);
  r.hessian.assign(n * n, 0.0);
  r.value = f(r.x, r.gradient, r.hessian);
  r.evaluations = 1;
  if (!std::isfinite(r.value) || !AllFinite(r.gradient) || !AllFinite(r.hessian)) {
    return InvalidArgumentError("the objective is not finite at the starting point");
  }
  std::vector<double> trial_x(n), trial_grad(n), trial_hess(n * n);
  while (true) {
    if (MaxAbs(r.gradient) <= options.gradient_tolerance) {
      r.converged = true;
      r.message = "gradient below tolerance";
      break;
    }
    if (r.iterations >= options.max_iterations) {
      r.message = "iteration limit reached";
      break;
    }
    // Smallest shift that makes the model positive definite.
    double scale = 0;
    for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::fabs(r.hessian[i * n + i]));
    double shift = 0;
    std::vector<double> d(n);
    bool factored = SolveShifted(r.hessian, n, shift, r.gradient, d);
    for (int tries = 0; !factored && tries < 60; ++tries) {
      shift = shift == 0 ? 1e-8 * std::max(scale, 1e-300) : 10.0 * shift;
      factored = SolveShifted(r.hessian, n, shift, r.gradient, d);
    }
    if (!factored) {
      for (std::size_t i = 0; i < n; ++i) d[i] = -r.gradient[i];
    }
    double slope = Dot(d, r.gradient);
    if (!(slope < 0)) {
      for (std::size_t i = 0; i < n; ++i) d[i] = -r.gradient[i];
      slope = Dot(d, r.gradient);
    }
    double step = 1.0;
    const double step_norm = MaxAbs(d);
    if (step_norm > options.max_step) step = options.max_step / step_norm;
    bool accepted = false;
    double trial_value = kInf;
    for (int tries = 0; tries < 60; ++tries) {
      for (std::size_t i = 0; i < n; ++i) trial_x[i] = r.x[i] + step * d[i];
      ++r.evaluations;
      trial_value = f(trial_x, trial_grad, trial_hess);
      if (std::isfinite(trial_value) && AllFinite(trial_grad) && AllFinite(trial_hess) &&
          trial_value <= r.value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      // Backtrack: minimiser of the quadratic through f(0), f'(0) and f(step) when it is
      // usable, kept within [0.1, 0.5] of the step.
      double next = 0.5 * step;
      if (std::isfinite(trial_value)) {
        const double denom = 2.0 * (trial_value - r.value - slope * step);
        if (denom > 0) next = std::clamp(-slope * step * step / denom, 0.1 * step, 0.5 * step);
      }
      step = next;
    }
    if (!accepted) {
      r.converged = MaxAbs(r.gradient) <= 1e3 * options.gradient_tolerance;
      r.message = "no further decrease possible along the search direction";
      break;
    }
    ++r.iterations;
    const double previous = r.value;
    r.x = trial_x;
    r.value = trial_value;
    r.gradient = trial_grad;
    r.hessian = trial_hess;
    const double g = MaxAbs(r.gradient);
    if (g > options.gradient_tolerance && previous - r.value <= 1e-16 * std::fabs(r.value) &&
        g <= 1e3 * options.gradient_tolerance) {
      r.converged = true;
      r.message = "objective flat to rounding";
      break;
    }
  }
  return r;
}

std::vector<double> NumericalHessian(const Objective& f, std::span<const double> x, double h) {
  const std::size_t n = x.size();
  std::vector<double> hess(n * n, 0.0);
  std::vector<double> xp(x.begin(), x.end());
  std::vector<double> gp(n), gm(n);
  for (std::size_t j = 0; j < n; ++j) {
    xp[j] = x[j] + h;
    f(xp, gp);
    xp[j] = x[j] - h;
    f(xp, gm);
    xp[j] = x[j];
    for (std::size_t i = 0; i < n; ++i) hess[i * n + j] = (gp[i] - gm[i]) / (2.0 * h);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double avg = 0.5 * (hess[i * n + j] + hess[j * n + i]);
      hess[i * n + j] = avg;
      hess[j * n + i] = avg;
    }
  }
  return hess;
}

Result<std::vector<double>> InvertSymmetricPositiveDefinite(std::span<const double> m,
                                                            std::size_t n) {
  if (m.size() != n * n) return InvalidArgumentError("matrix size mismatch");
  if (!AllFinite(m)) return FailedPreconditionError("matrix is not finite");
  const auto k = static_cast<Eigen::Index>(n);
  const Eigen::LLT<RowMatrix> llt(Eigen::Map<const RowMatrix>(m.data(), k, k));
  if (llt.info() != Eigen::Success) {
    return FailedPreconditionError("matrix is not positive definite");
  }
  RowMatrix inv = llt.solve(RowMatrix::Identity(k, k));
  // The solve leaves rounding asymmetry; a covariance matrix is symmetric.
  inv = (0.5 * (inv + inv.transpose())).eval();
  return std::vector<double>(inv.data(), inv.data() + n * n);
}

}  // namespace winback::models
