#include "models/mbgnbd.h"

#include <cmath>

#include "core/parallel.h"
#include "models/internal/bg_family.h"
#include "models/internal/fit_driver.h"

namespace winback::models {
namespace {

internal::BgParams Internal(const MbgNbdParams& p) { return {p.r, p.alpha, p.a, p.b}; }
constexpr internal::BgVariant kVariant = internal::BgVariant::kMbg;

}  // namespace

Status ValidateMbgNbdParams(const MbgNbdParams& p) {
  for (double v : {p.r, p.alpha, p.a, p.b}) {
    if (!std::isfinite(v) || !(v > 0)) {
      return InvalidArgumentError("MBG/NBD parameters r, alpha, a, b must be finite and > 0");
    }
  }
  return Status::Ok();
}

Result<MbgNbdModel> MbgNbdModel::Create(const MbgNbdParams& params) {
  WINBACK_RETURN_IF_ERROR(ValidateMbgNbdParams(params));
  return MbgNbdModel(params);
}

double MbgNbdModel::LogLikelihood(const CustomerRfm& c) const {
  return internal::BgLogLikelihood(kVariant, Internal(params_), c);
}
double MbgNbdModel::ProbabilityAlive(const CustomerRfm& c) const {
  return internal::BgProbabilityAlive(kVariant, Internal(params_), c);
}
double MbgNbdModel::ConditionalExpectedPurchases(const CustomerRfm& c, double t) const {
  return internal::BgConditionalExpected(kVariant, Internal(params_), c, t);
}
double MbgNbdModel::ExpectedPurchasesIfAlive(double frequency, double age, double t) const {
  return internal::BgExpectedIfAlive(kVariant, Internal(params_), frequency, age, t);
}
double MbgNbdModel::ExpectedPurchases(double t) const {
  return internal::BgExpected(kVariant, Internal(params_), t);
}
double MbgNbdModel::ProbabilityOfPurchases(int n, double t) const {
  return internal::BgProbabilityOfPurchases(kVariant, Internal(params_), n, t);
}
double MbgNbdModel::ConditionalProbabilityOfPurchases(int n, const CustomerRfm& c, double t) const {
  return internal::BgConditionalProbabilityOfPurchases(kVariant, Internal(params_), n, c, t);
}

Result<MbgNbdFit> FitMbgNbd(const SummaryTable& data, const FitOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(FitReport report,
                           internal::FitBgFamily(kVariant, "MBG/NBD", data, options));
  WINBACK_ASSIGN_OR_RETURN(MbgNbdModel model,
                           MbgNbdModel::Create({report.estimates[0], report.estimates[1],
                                                report.estimates[2], report.estimates[3]}));
  return MbgNbdFit{model, std::move(report)};
}

}  // namespace winback::models
