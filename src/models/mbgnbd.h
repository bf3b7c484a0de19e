#pragma once

// MBG/NBD: the modified BG/NBD of Batislam, Denizel & Filiztekin (2007), "Empirical validation
// and comparison of models for customer base analysis", International Journal of Research in
// Marketing 24(3), 201-209.
//
// Same as the BG/NBD (bgnbd.h) except that a customer may also drop out right after the first
// purchase (at time 0), so a customer without repeat purchases is not certainly alive:
//   - while alive: Poisson purchases, rate lambda ~ Gamma(r, alpha) (alpha in time units);
//   - at time 0 and after every repeat purchase: drop out with probability p ~ Beta(a, b).
//
// Likelihood (x, t_x, T):
//   L = B(a, b+x+1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
//     + B(a+1, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x))
//   ln L = ln (r)_x + r ln alpha + ln (b)_{x+1} - ln (a+b)_{x+1}
//        + ln[ (alpha+T)^-(r+x) + a/(b+x) (alpha+t_x)^-(r+x) ].
// P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)).
// E[X(t)] = b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]
//         = b/(a+b) * (BG/NBD E[X(t)] at (r, alpha, a, b+1)).
// E[Y(t) | x, t_x, T] = P(alive) * (a+b+x)/(a-1)
//         [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))]
//         = P(alive) * (BG/NBD E[X(t)] at (r+x, alpha+T, a, b+x+1)).
// P(X(t) = n) = B(a, b+n+1)/B(a,b) NB(n) + B(a+1, b+n)/B(a,b) P(K >= n)  (P(K >= 0) = 1).

#include "core/status.h"
#include "models/fit.h"
#include "models/summary.h"
#include "models/transaction_model.h"

namespace winback::models {

struct MbgNbdParams {
  double r = 0;
  double alpha = 0;  // time units
  double a = 0;
  double b = 0;
};

// InvalidArgument unless every parameter is finite and > 0.
Status ValidateMbgNbdParams(const MbgNbdParams& p);

class MbgNbdModel final : public TransactionModel {
 public:
  // InvalidArgument for invalid parameters (see ValidateMbgNbdParams).
  static Result<MbgNbdModel> Create(const MbgNbdParams& params);

  const MbgNbdParams& params() const { return params_; }

  std::string_view name() const override { return "mbgnbd"; }
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
  explicit MbgNbdModel(const MbgNbdParams& params) : params_(params) {}
  MbgNbdParams params_;
};

struct MbgNbdFit {
  MbgNbdModel model;
  FitReport report;
};

// Maximum-likelihood fit on (x, t_x, T) (see fit.h). Default start: r = 1,
// alpha = sum(T)/sum(x), a = b = 1. Errors as FitBgNbd.
Result<MbgNbdFit> FitMbgNbd(const SummaryTable& data, const FitOptions& options = {});

}  // namespace winback::models
