#pragma once

// Special functions and numerical building blocks shared by the BTYD models. Everything here is
// a pure function of its arguments: thread-safe, no global state (unlike std::lgamma, which
// writes the global `signgam`), never throws.

#include <cstddef>
#include <functional>
#include <vector>

namespace winback::models {

// ln(exp(a) + exp(b)), exact when either argument is -infinity.
double LogAddExp(double a, double b);

// ln(1 + exp(v)) without overflow for large v.
double Log1pExp(double v);

// 1 / (1 + exp(-v)), without overflow.
double Logistic(double v);

// ln Gamma(v) for v > 0 (Boost.Math, no-throw policy). Returns NaN for v <= 0.
double LogGamma(double v);

// The digamma function psi(v) = d/dv ln Gamma(v) for v > 0.
double Digamma(double v);

// ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b) for a, b > 0.
double LogBeta(double a, double b);

// The regularized incomplete beta function I_z(a, b) for a, b > 0 and 0 <= z <= 1.
double RegularizedIncompleteBeta(double a, double b, double z);

// Log-Pochhammer table for one base value v > 0 and integer counts k = 0..max_k:
//   log(k)      = ln (v)_k = ln Gamma(v + k) - ln Gamma(v) = sum_{j<k} ln(v + j)
//   digamma(k)  = psi(v + k) - psi(v)                       = sum_{j<k} 1 / (v + j)
//   trigamma(k) = psi'(v + k) - psi'(v)                     = -sum_{j<k} 1 / (v + j)^2
// The BTYD likelihoods need these ratios for every customer's integer frequency x; a table
// costs O(max_k) per parameter value instead of one lgamma per customer. Not thread-safe to
// Reset while another thread reads; concurrent reads are fine.
class LogPochhammerTable {
 public:
  void Reset(double v, std::size_t max_k);
  double log(std::size_t k) const { return log_[k]; }
  double digamma(std::size_t k) const { return digamma_[k]; }
  double trigamma(std::size_t k) const { return trigamma_[k]; }
  std::size_t max_k() const { return log_.empty() ? 0 : log_.size() - 1; }

 private:
  std::vector<double> log_;
  std::vector<double> digamma_;
  std::vector<double> trigamma_;
};

// The BG/NBD expected number of repeat purchases in (0, t] of a customer alive at time 0
// whose purchase rate is Gamma(r, alpha) and whose drop-out probability after each purchase
// is Beta(a, b):
//   E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]
// (Fader, Hardie & Lee 2005, eq. 9). It is evaluated without cancellation and without the
// removable singularity at a = 1 as
//   E[X(t)] = sum_{k>=1} NB(k; r, z) sum_{j<k} (b)_j / (a+b)_j,   z = t / (alpha + t),
// where NB(k; r, z) = (r)_k / k! z^k (1-z)^r is the number of purchase opportunities of a
// customer who never drops out and (b)_j/(a+b)_j = E[(1-p)^j]: every term is positive. Long
// horizons (more than ~10^6 series terms) switch to adaptive quadrature over p. Requires
// r, alpha, a, b > 0 and t >= 0; returns 0 for t = 0.
double BgExpectedCount(double r, double alpha, double a, double b, double t);

// Adaptive Gauss-Legendre quadrature of f over [lo, hi]: a 16-point rule per panel, panels
// bisected until the rule on the panel and on its two halves agree to `rel_tol` of the running
// total (or `abs_tol`), at most `max_depth` bisections deep. Used for the rare regimes where
// the closed forms' series converge slowly and as an independent oracle in tests.
double AdaptiveIntegrate(const std::function<double(double)>& f, double lo, double hi,
                         double rel_tol = 1e-12, double abs_tol = 0.0, int max_depth = 40);

// Nodes and weights of the n-point Gauss-Legendre rule on [-1, 1] (n = 16 is cached).
struct GaussLegendreRule {
  std::vector<double> nodes;
  std::vector<double> weights;
};
const GaussLegendreRule& GaussLegendre16();
GaussLegendreRule MakeGaussLegendre(int n);

}  // namespace winback::models
