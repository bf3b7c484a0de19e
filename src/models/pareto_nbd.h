#pragma once

// Pareto/NBD: Schmittlein, Morrison & Colombo (1987), "Counting your customers: who are they
// and what will they do next?", Management Science 33(1), 1-24; likelihood and expressions as
// derived in Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and related
// expressions" (brucehardie.com/notes/009).
//
// Assumptions (times in the data's unit, e.g. weeks):
//   - while alive, Poisson purchases with rate lambda ~ Gamma(shape r, rate alpha);
//   - an exponential lifetime with death rate mu ~ Gamma(shape s, rate beta);
//     lambda and mu independent; alpha and beta in time units.
//
// Likelihood of (x, t_x, T):
//   L = Gamma(r+x) alpha^r beta^s / Gamma(r) *
//       [ (alpha+T)^-(r+x) (beta+T)^-s
//         + s * integral_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau ]
// The first term is "alive at T", the second "died at tau in (t_x, T)". The integral equals
// Fader & Hardie's A_0 * s/(r+s+x) written with 2F1; it is evaluated by a cancellation-free
// merged series with analytic parameter derivatives (internal/pareto_integral.h).
// P(alive | x, t_x, T) = first term / (first term + second term).
// E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]       (limit s -> 1 handled)
// E[Y(t) | x, t_x, T] = P(alive) (r+x)(beta+T) / ((alpha+T)(s-1))
//                       [1 - ((beta+T)/(beta+T+t))^(s-1)]
// P(X(t) = n) = NB(n; r, alpha, t) (beta/(beta+t))^s
//             + integral_0^t s beta^s (beta+tau)^-(s+1) NB(n; r, alpha, tau) dtau
//   with NB(n; r, alpha, t) = (r)_n/n! (alpha/(alpha+t))^r (t/(alpha+t))^n (died at tau:
//   purchases stop then); the integral by adaptive Gauss-Legendre quadrature.

#include "core/status.h"
#include "models/fit.h"
#include "models/summary.h"
#include "models/transaction_model.h"

namespace winback::models {

struct ParetoNbdParams {
  double r = 0;
  double alpha = 0;  // time units
  double s = 0;
  double beta = 0;  // time units
};

// InvalidArgument unless every parameter is finite and > 0.
Status ValidateParetoNbdParams(const ParetoNbdParams& p);

class ParetoNbdModel final : public TransactionModel {
 public:
  // InvalidArgument for invalid parameters (see ValidateParetoNbdParams).
  static Result<ParetoNbdModel> Create(const ParetoNbdParams& params);

  const ParetoNbdParams& params() const { return params_; }

  std::string_view name() const override { return "pareto"; }
  std::vector<std::string> parameter_names() const override { return {"r", "alpha", "s", "beta"}; }
  std::vector<double> parameters() const override {
    return {params_.r, params_.alpha, params_.s, params_.beta};
  }
  double LogLikelihood(const CustomerRfm& c) const override;
  double ProbabilityAlive(const CustomerRfm& c) const override;
  double ConditionalExpectedPurchases(const CustomerRfm& c, double t) const override;
  double ExpectedPurchasesIfAlive(double frequency, double age, double t) const override;
  double ExpectedPurchases(double t) const override;
  double ProbabilityOfPurchases(int n, double t) const override;
  double ConditionalProbabilityOfPurchases(int n, const CustomerRfm& c, double t) const override;
  double r() const override { return params_.r; }
  double alpha() const override { return params_.alpha; }

 private:
  explicit ParetoNbdModel(const ParetoNbdParams& params) : params_(params) {}
  ParetoNbdParams params_;
};

struct ParetoNbdFit {
  ParetoNbdModel model;
  FitReport report;
};

// Maximum-likelihood fit on (x, t_x, T) (see fit.h). Default start: r = 1,
// alpha = sum(T)/sum(x), s = 1, beta = alpha. Errors as FitBgNbd.
Result<ParetoNbdFit> FitParetoNbd(const SummaryTable& data, const FitOptions& options = {});

}  // namespace winback::models
