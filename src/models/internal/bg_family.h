#pragma once

// Shared implementation of the BG/NBD and MBG/NBD, which differ only in whether a customer may
// also drop out right after the first purchase (MBG/NBD, Batislam et al. 2007) or only after
// repeat purchases (BG/NBD, Fader, Hardie & Lee 2005).

#include <span>
#include <string_view>

#include "core/status.h"
#include "models/fit.h"
#include "models/internal/groups.h"
#include "models/summary.h"

namespace winback::models::internal {

enum class BgVariant { kBg, kMbg };

struct BgParams {
  double r;
  double alpha;
  double a;
  double b;
};

// Log-likelihood of one customer.
double BgLogLikelihood(BgVariant v, const BgParams& p, const CustomerRfm& c);
double BgProbabilityAlive(BgVariant v, const BgParams& p, const CustomerRfm& c);
double BgConditionalExpected(BgVariant v, const BgParams& p, const CustomerRfm& c, double t);
// E[Y(t) | alive at T, x, T]; BgConditionalExpected = BgProbabilityAlive * this.
double BgExpectedIfAlive(BgVariant v, const BgParams& p, double x, double age, double t);
double BgExpected(BgVariant v, const BgParams& p, double t);
double BgProbabilityOfPurchases(BgVariant v, const BgParams& p, int n, double t);
double BgConditionalProbabilityOfPurchases(BgVariant v, const BgParams& p, int n,
                                           const CustomerRfm& c, double t);

// Summed weighted log-likelihood over groups (a = x, b = t_x, c = T) and its gradient with
// respect to (r, alpha, a, b). Splits the groups over `threads` threads; the result does not
// depend on the thread count.
class BgGroupLikelihood {
 public:
  BgGroupLikelihood(BgVariant v, int threads) : variant_(v), threads_(threads) {}
  double operator()(std::span<const double> theta, const Groups& data,
                    std::span<double> grad) const;
  // The same, and when `hess` is not empty (4 x 4, row-major) the analytic Hessian of the
  // log-likelihood with respect to (r, alpha, a, b): with ln L = C + ln(e^u1 + e^u2) (see
  // BgLogLikelihood), it is d2C + w1 d2u1 + w2 d2u2 + w1 w2 (du1 - du2)(du1 - du2)', where
  // w1, w2 are the shares of the two terms and d2C uses trigamma differences.
  double Evaluate(std::span<const double> theta, const Groups& data, std::span<double> grad,
                  std::span<double> hess) const;

 private:
  BgVariant variant_;
  int threads_;
};

// Maximum-likelihood fit of either variant on (x, t_x, T): Newton with the analytic Hessian
// over log-parameters (fit_driver.h). `model_name` names the model in the error for a wrong
// number of starting values. The estimates are in the order r, alpha, a, b.
Result<FitReport> FitBgFamily(BgVariant v, std::string_view model_name, const SummaryTable& data,
                              const FitOptions& options);

}  // namespace winback::models::internal
