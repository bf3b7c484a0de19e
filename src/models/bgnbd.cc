#include "models/bgnbd.h"

#include <cmath>

#include "core/parallel.h"
#include "models/internal/bg_family.h"
#include "models/internal/fit_driver.h"

namespace winback::models {
namespace {

internal::BgParams Internal(const BgNbdParams& p) { return {p.r, p.alpha, p.a, p.b}; }
constexpr internal::BgVariant kVariant = internal::BgVariant::kBg;

}  // namespace

Status ValidateBgNbdParams(const BgNbdParams& p) {
  for (double v : {p.r, p.alpha, p.a, p.b}) {
    if (!std::isfinite(v) || !(v > 0)) {
      return InvalidArgumentError("BG/NBD parameters r, alpha, a, b must be finite and > 0");
    }
  }
  return Status::Ok();
}

Result<BgNbdModel> BgNbdModel::Create(const BgNbdParams& params) {
  WINBACK_RETURN_IF_ERROR(ValidateBgNbdParams(params));
  return BgNbdModel(params);
}

double BgNbdModel::LogLikelihood(const CustomerRfm& c) const {
  return internal::BgLogLikelihood(kVariant, Internal(params_), c);
}
double BgNbdModel::ProbabilityAlive(const CustomerRfm& c) const {
  return internal::BgProbabilityAlive(kVariant, Internal(params_), c);
}
double BgNbdModel::ConditionalExpectedPurchases(const CustomerRfm& c, double t) const {
  return internal::BgConditionalExpected(kVariant, Internal(params_), c, t);
}
double BgNbdModel::ExpectedPurchasesIfAlive(double frequency, double age, double t) const {
  return internal::BgExpectedIfAlive(kVariant, Internal(params_), frequency, age, t);
}
double BgNbdModel::ExpectedPurchases(double t) const {
  return internal::BgExpected(kVariant, Internal(params_), t);
}
double BgNbdModel::ProbabilityOfPurchases(int n, double t) const {
  return internal::BgProbabilityOfPurchases(kVariant, Internal(params_), n, t);
}
double BgNbdModel::ConditionalProbabilityOfPurchases(int n, const CustomerRfm& c, double t) const {
  return internal::BgConditionalProbabilityOfPurchases(kVariant, Internal(params_), n, c, t);
}

Result<BgNbdFit> FitBgNbd(const SummaryTable& data, const FitOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(FitReport report,
                           internal::FitBgFamily(kVariant, "BG/NBD", data, options));
  WINBACK_ASSIGN_OR_RETURN(BgNbdModel model,
                           BgNbdModel::Create({report.estimates[0], report.estimates[1],
                                               report.estimates[2], report.estimates[3]}));
  return BgNbdFit{model, std::move(report)};
}

}  // namespace winback::models
