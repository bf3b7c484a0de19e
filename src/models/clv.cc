#include "models/clv.h"

#include <cmath>
#include <cstdint>

#include "core/parallel.h"
#include "models/internal/groups.h"
#include "models/internal/validate.h"

namespace winback::models {
namespace {

constexpr std::size_t kGroupChunk = 2048;
constexpr std::size_t kPairChunk = 16;  // a pair may cost a few hundred series terms
constexpr std::size_t kRowChunk = std::size_t{1} << 15;

// The distinct (x, T) of the groups of (x, t_x, T), and the pair of every group: the factor
// E[Y(t) | alive, x, T] of the predictions depends on these two only.
struct Pairs {
  std::vector<double> frequency;
  std::vector<double> age;
  std::vector<std::uint32_t> of_group;
  std::size_t size() const { return frequency.size(); }
};

Pairs PairsOf(const internal::Groups& groups) {
  const std::vector<double> zero(groups.size(), 0.0);
  internal::Groups p = internal::GroupTriples(groups.a, groups.c, zero, {}, true);
  return {std::move(p.a), std::move(p.b), std::move(p.group_of_row)};
}

Result<internal::Groups> GroupRows(const SummaryTable& data, int workers) {
  WINBACK_RETURN_IF_ERROR(internal::ValidateSummaryTableParallel(data, workers));
  return internal::GroupTriples(data.frequency, data.recency, data.age, {}, true, workers);
}

}  // namespace

Result<Predictions> PredictCustomers(const TransactionModel& model, const SummaryTable& data,
                                     double horizon, int threads) {
  if (!(horizon >= 0) || !std::isfinite(horizon)) {
    return InvalidArgumentError("horizon must be a finite number >= 0");
  }
  const int workers = ResolveThreads(threads);
  WINBACK_ASSIGN_OR_RETURN(const internal::Groups groups, GroupRows(data, workers));
  const Pairs pairs = PairsOf(groups);
  std::vector<double> if_alive(pairs.size());
  ForEachChunk(
      pairs.size(), kPairChunk, workers, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t p = begin; p < end; ++p) {
          if_alive[p] = model.ExpectedPurchasesIfAlive(pairs.frequency[p], pairs.age[p], horizon);
        }
      });
  // Per group; bit for bit the per-customer ProbabilityAlive and ConditionalExpectedPurchases
  // (= ProbabilityAlive * ExpectedPurchasesIfAlive, transaction_model.h).
  std::vector<double> alive(groups.size()), expected(groups.size());
  ForEachChunk(groups.size(), kGroupChunk, workers,
               [&](std::size_t, std::size_t begin, std::size_t end) {
                 for (std::size_t g = begin; g < end; ++g) {
                   alive[g] = model.ProbabilityAlive({groups.a[g], groups.b[g], groups.c[g]});
                   expected[g] = alive[g] * if_alive[pairs.of_group[g]];
                 }
               });
  Predictions out;
  out.p_alive.resize(data.size());
  out.expected_purchases.resize(data.size());
  ForEachChunk(data.size(), kRowChunk, workers,
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
                                              const SummaryTable& data, const ClvOptions& options) {
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
  const int workers = ResolveThreads(options.threads);
  WINBACK_ASSIGN_OR_RETURN(const internal::Groups groups, GroupRows(data, workers));
  const Pairs pairs = PairsOf(groups);
  // Per distinct (x, T): D = sum_k (g(k u) - g((k-1) u)) / (1+d)^k with
  // g(t) = E[Y(t) | alive, x, T], so that sum_k (E[Y(k u)] - E[Y((k-1) u)]) / (1+d)^k of a
  // customer is P(alive) * D.
  std::vector<double> per_pair(pairs.size());
  const double factor = 1.0 / (1.0 + options.monthly_discount_rate);
  ForEachChunk(
      pairs.size(), kPairChunk, workers, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t p = begin; p < end; ++p) {
          double previous = 0;
          double discount = 1;
          double sum = 0;
          for (int k = 1; k <= options.months; ++k) {
            const double e = model.ExpectedPurchasesIfAlive(
                pairs.frequency[p], pairs.age[p], static_cast<double>(k) * options.units_per_month);
            discount *= factor;
            sum += (e - previous) * discount;
            previous = e;
          }
          per_pair[p] = sum;
        }
      });
  std::vector<double> discounted(groups.size());
  ForEachChunk(groups.size(), kGroupChunk, workers,
               [&](std::size_t, std::size_t begin, std::size_t end) {
                 for (std::size_t g = begin; g < end; ++g) {
                   discounted[g] = model.ProbabilityAlive({groups.a[g], groups.b[g], groups.c[g]}) *
                                   per_pair[pairs.of_group[g]];
                 }
               });
  CustomerValues out;
  out.expected_value.resize(data.size());
  out.clv.resize(data.size());
  ForEachChunk(
      data.size(), kRowChunk, workers, [&](std::size_t, std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
          const double v =
              spend.ConditionalExpectedAverageValue(data.frequency[i], data.monetary_value[i]);
          out.expected_value[i] = v;
          out.clv[i] = v * discounted[groups.group_of_row[i]];
        }
      });
  return out;
}

}  // namespace winback::models
