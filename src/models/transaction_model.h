#pragma once

// The interface shared by the three purchase-count ("transaction") models: BG/NBD, MBG/NBD and
// Pareto/NBD. All three assume that while a customer is alive, repeat purchases follow a
// Poisson process with rate lambda ~ Gamma(shape r, rate alpha) across customers; they differ
// in how customers drop out. Times are in the unit of the data the model was fitted on
// (weeks for CDNOW); a rate is per that unit.
//
// Implementations are immutable value objects: every method is const and thread-safe.
// Inputs are assumed to satisfy ValidateRfm (summary.h) and t >= 0, n >= 0; other inputs give
// unspecified (but never crashing) results.

#include <string>
#include <string_view>
#include <vector>

#include "models/summary.h"

namespace winback::models {

class TransactionModel {
 public:
  virtual ~TransactionModel() = default;

  // "bgnbd", "mbgnbd" or "pareto".
  virtual std::string_view name() const = 0;
  // Parameter names and values in literature order (r, alpha, a, b or r, alpha, s, beta).
  virtual std::vector<std::string> parameter_names() const = 0;
  virtual std::vector<double> parameters() const = 0;

  // ln L(params | x, t_x, T) for one customer.
  virtual double LogLikelihood(const CustomerRfm& c) const = 0;
  // P(customer is alive at T | x, t_x, T), in [0, 1].
  virtual double ProbabilityAlive(const CustomerRfm& c) const = 0;
  // E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T + t].
  virtual double ConditionalExpectedPurchases(const CustomerRfm& c, double t) const = 0;
  // E[Y(t) | alive at T, x, T]: expected repeat purchases in (T, T + t] of a customer known to
  // be alive at T. In all three models it depends on x and T only (t_x enters through P(alive)
  // alone), and every implementation computes
  //   ConditionalExpectedPurchases(c, t) = ProbabilityAlive(c) * ExpectedPurchasesIfAlive(x, T, t)
  // as exactly this product, so batch predictions (clv.h) can evaluate the second factor once
  // per distinct (x, T) and still return the per-customer values bit for bit.
  virtual double ExpectedPurchasesIfAlive(double frequency, double age, double t) const = 0;
  // E[X(t)]: expected repeat purchases in (0, t] of a customer who just made a first purchase.
  virtual double ExpectedPurchases(double t) const = 0;
  // P(X(t) = n): probability that a new customer makes n repeat purchases in (0, t].
  virtual double ProbabilityOfPurchases(int n, double t) const = 0;
  // P(Y(t) = n | x, t_x, T): probability of n purchases in (T, T + t]. It is
  // (1 - P(alive)) [n = 0] + P(alive) P'(X(t) = n), where P' is the new-customer distribution
  // at the posterior parameters of an alive customer.
  virtual double ConditionalProbabilityOfPurchases(int n, const CustomerRfm& c, double t) const = 0;

  // The purchase-rate heterogeneity Gamma(r, alpha), common to all three models.
  virtual double r() const = 0;
  virtual double alpha() const = 0;
};

}  // namespace winback::models
