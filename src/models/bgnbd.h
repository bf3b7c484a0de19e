#pragma once

// BG/NBD: the beta-geometric / negative binomial distribution model of Fader, Hardie & Lee
// (2005), "Counting your customers the easy way: an alternative to the Pareto/NBD model",
// Marketing Science 24(2), 275-284.
//
// Assumptions (times in the data's unit, e.g. weeks):
//   - while alive, a customer buys by a Poisson process with rate lambda (purchases per unit);
//     lambda ~ Gamma(shape r, rate alpha) across customers (alpha in time units);
//   - after every REPEAT purchase the customer drops out with probability p;
//     p ~ Beta(a, b) across customers (a, b dimensionless); lambda and p independent.
//
// Likelihood of one customer (x, t_x, T), eq. 6 of the paper:
//   L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
//     + [x > 0] B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x))
// evaluated as ln Gamma ratios plus a log-sum-exp of the two terms:
//   ln L = ln (r)_x + r ln alpha + ln (b)_x - ln (a+b)_x
//        + ln[ (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ].
// P(alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))   (eq. 13)
// E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]  (eq. 9)
// E[Y(t) | x, t_x, T] = P(alive) * E[X(t)] at (r+x, alpha+T, a, b+x)               (eq. 10)
// P(X(t) = n) = B(a, b+n)/B(a,b) NB(n) + [n>0] B(a+1, b+n-1)/B(a,b) P(K >= n)       (eq. 8)
//   with NB(n) = (r)_n/n! (alpha/(alpha+t))^r (t/(alpha+t))^n and P(K >= n) = I_z(n, r),
//   z = t/(alpha+t), the regularized incomplete beta function.
// The hypergeometric expectation is computed by the cancellation-free series of
// BgExpectedCount (special.h).

#include "core/status.h"
#include "models/fit.h"
#include "models/summary.h"
#include "models/transaction_model.h"

namespace winback::models {

struct BgNbdParams {
  double r = 0;
  double alpha = 0;  // time units
  double a = 0;
  double b = 0;
};

// InvalidArgument unless every parameter is finite and > 0.
Status ValidateBgNbdParams(const BgNbdParams& p);

class BgNbdModel final : public TransactionModel {
 public:
  // InvalidArgument for invalid parameters (see ValidateBgNbdParams).
  static Result<BgNbdModel> Create(const BgNbdParams& params);

  const BgNbdParams& params() const { return params_; }

  std::string_view name() const override { return "bgnbd"; }
  std::vector<std::string> parameter_names() const override { return {"r", "alpha", "a", "b"}; }
  std::vector<double> parameters() const override {
    return {params_.r, params_.alpha, params_.a, params_.b};
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
  explicit BgNbdModel(const BgNbdParams& params) : params_(params) {}
  BgNbdParams params_;
};

struct BgNbdFit {
  BgNbdModel model;
  FitReport report;
};

// Maximum-likelihood fit on the (x, t_x, T) columns of `data` (see fit.h). Default start:
// r = 1, alpha = sum(T)/sum(x), a = b = 1. Errors: InvalidArgument for an empty table, a row
// breaking ValidateRfm, no repeat purchase at all, a start value that is not positive, or a
// likelihood that is not finite at the start.
Result<BgNbdFit> FitBgNbd(const SummaryTable& data, const FitOptions& options = {});

}  // namespace winback::models
