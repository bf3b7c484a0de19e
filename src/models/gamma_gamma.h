#pragma once

// Gamma-Gamma model of monetary value: Fader & Hardie (2013), "The Gamma-Gamma model of
// monetary value" (brucehardie.com/notes/025), after Colombo & Jiang (1999).
//
// Assumptions: the value of each of a customer's transactions is Gamma(shape p, rate nu),
// so the customer's mean value is p/nu; nu ~ Gamma(shape q, rate gamma) across customers
// (gamma in currency units); values are independent of the purchase process.
//
// Likelihood of a customer's mean value m_x over x >= 1 transactions (eq. 3 of the note):
//   f(m_x | p, q, gamma, x) = Gamma(p x + q) / (Gamma(p x) Gamma(q))
//                             * gamma^q m_x^(p x - 1) x^(p x) / (gamma + x m_x)^(p x + q)
// Conditional expected mean transaction value (eq. 5):
//   E[Z | m_x, x] = p (gamma + x m_x) / (p x + q - 1)
//                 = (q-1)/(p x + q - 1) * p gamma/(q-1) + p x/(p x + q - 1) * m_x,
// a weighted average of the population mean p gamma/(q-1) and the customer's own mean; for
// x = 0 it is the population mean. Finite only when p x + q > 1.
// In winback (as in the literature) x is the number of REPEAT purchases and m_x their mean
// value (the first purchase is left out); customers with x = 0 are not used in the fit.

#include <limits>

#include "core/status.h"
#include "models/fit.h"
#include "models/summary.h"

namespace winback::models {

struct GammaGammaParams {
  double p = 0;
  double q = 0;
  double gamma = 0;  // currency units
};

// InvalidArgument unless every parameter is finite and > 0.
Status ValidateGammaGammaParams(const GammaGammaParams& params);

class GammaGammaModel {
 public:
  // InvalidArgument for invalid parameters (see ValidateGammaGammaParams).
  static Result<GammaGammaModel> Create(const GammaGammaParams& params);

  const GammaGammaParams& params() const { return params_; }

  // ln f(m_x | x) for x >= 1 and m_x > 0.
  double LogLikelihood(double x, double m_x) const;
  // E[Z | m_x, x] (see above); +infinity when p x + q <= 1. Thread-safe. Inline: CLV calls
  // it once per customer (millions of times).
  double ConditionalExpectedAverageValue(double x, double m_x) const {
    const double denominator = params_.p * x + params_.q - 1.0;
    if (!(denominator > 0)) return std::numeric_limits<double>::infinity();
    if (x == 0) return params_.p * params_.gamma / denominator;
    return params_.p * (params_.gamma + x * m_x) / denominator;
  }
  // p gamma / (q - 1); +infinity when q <= 1.
  double PopulationMeanValue() const;
  // FailedPrecondition "gamma-gamma q <= 1: the mean spend is infinite" when q <= 1, which
  // makes the expected value of a customer without repeat purchases infinite.
  Status CheckFiniteMean() const;

 private:
  explicit GammaGammaModel(const GammaGammaParams& params) : params_(params) {}
  GammaGammaParams params_;
};

struct GammaGammaFit {
  GammaGammaModel model;
  FitReport report;
};

// Maximum-likelihood fit on the customers of `data` with frequency x > 0, using their
// monetary_value m_x (see fit.h; identical (x, m_x) pairs are evaluated once). Default start:
// p = 1, q = 3, gamma = 2 mean(m_x). Errors: InvalidArgument when the table has no
// monetary_value column, a row breaks ValidateSummaryTable, a customer with x > 0 has
// m_x <= 0, or no customer has x > 0.
Result<GammaGammaFit> FitGammaGamma(const SummaryTable& data, const FitOptions& options = {});

}  // namespace winback::models
