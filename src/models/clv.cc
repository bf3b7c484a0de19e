#include "models/clv.h"

#include <cmath>

#include "models/internal/groups.h"
#include "models/internal/parallel.h"

namespace winback::models {
namespace {

constexpr std::size_t kChunk = 2048;

}  // namespace

Result<Predictions> PredictCustomers(const TransactionModel& model, const SummaryTable& data,
                                     double horizon, int threads) {
  if (!(horizon >= 0) || !std::isfinite(horizon)) {
    return InvalidArgumentError("horizon must be a finite number >= 0");
  }
  WINBACK_RETURN_IF_ERROR(ValidateSummaryTable(data));
  const int workers = internal::ResolveThreads(threads);
  const internal::Groups groups =
      internal::GroupTriples(data.frequency, data.recency, data.age, {}, true);
  std::vector<double> alive(groups.size()), expected(groups.size());
  internal::ForEachChunk(groups.size(), kChunk, workers,
                         [&](std::size_t, std::size_t begin, std::size_t end) {
                           for (std::size_t g = begin; g < end; ++g) {
                             const CustomerRfm c{groups.a[g], groups.b[g], groups.c[g]};
                             alive[g] = model.ProbabilityAlive(c);
                             expected[g] = model.ConditionalExpectedPurchases(c, horizon);
                           }
                         });
  Predictions out;
  out.p_alive.resize(data.size());
  out.expected_purchases.resize(data.size());
  internal::ForEachChunk(data.size(), kChunk * 16, workers,
                         [&](std::size_t, std::size_t begin, std::size_t end) {
                           for (std::size_t i = begin; i < end; ++i) {
                             const std::uint32_t g = groups.group_of_row[i];
                             out.p_alive[i] = alive[g];
                             out.expected_purchases[i] = expected[g];
                           }
                         });
  return out;
}

Result<CustomerValues> CustomerLifetimeValues(const TransactionModel& model,
                                              const GammaGammaModel& spend,
                                              const SummaryTable& data,
                                              const ClvOptions& options) {
  if (!data.has_monetary_value()) {
    return InvalidArgumentError("CLV needs the monetary_value column");
  }
  if (options.months < 1) return InvalidArgumentError("CLV months must be >= 1");
  if (!(options.units_per_month > 0) || !std::isfinite(options.units_per_month)) {
    return InvalidArgumentError("units_per_month must be a finite number > 0");
  }
  if (!(options.monthly_discount_rate > -1) || !std::isfinite(options.monthly_discount_rate)) {
    return InvalidArgumentError("monthly_discount_rate must be a finite number > -1");
  }
  WINBACK_RETURN_IF_ERROR(spend.CheckFiniteMean());
  WINBACK_RETURN_IF_ERROR(ValidateSummaryTable(data));
  const int workers = internal::ResolveThreads(options.threads);
  const internal::Groups groups =
      internal::GroupTriples(data.frequency, data.recency, data.age, {}, true);
  // Per distinct (x, t_x, T): sum_k (E[Y(k u)] - E[Y((k-1) u)]) / (1+d)^k.
  std::vector<double> discounted(groups.size());
  const double factor = 1.0 / (1.0 + options.monthly_discount_rate);
  internal::ForEachChunk(
      groups.size(), kChunk, workers, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t g = begin; g < end; ++g) {
          const CustomerRfm c{groups.a[g], groups.b[g], groups.c[g]};
          double previous = 0;
          double discount = 1;
          double sum = 0;
          for (int k = 1; k <= options.months; ++k) {
            const double e = model.ConditionalExpectedPurchases(
                c, static_cast<double>(k) * options.units_per_month);
            discount *= factor;
            sum += (e - previous) * discount;
            previous = e;
          }
          discounted[g] = sum;
        }
      });
  CustomerValues out;
  out.expected_value.resize(data.size());
  out.clv.resize(data.size());
  internal::ForEachChunk(data.size(), kChunk * 16, workers,
                         [&](std::size_t, std::size_t begin, std::size_t end) {
                           for (std::size_t i = begin; i < end; ++i) {
                             const double v = spend.ConditionalExpectedAverageValue(
                                 data.frequency[i], data.monetary_value[i]);
                             out.expected_value[i] = v;
                             out.clv[i] = v * discounted[groups.group_of_row[i]];
                           }
                         });
  return out;
}

}  // namespace winback::models
