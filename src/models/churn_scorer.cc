// ChurnScorer's scoring: the features as of the cutoff, streamed customer by customer from the
// events and the order facts kept by training, through the trained classifier.

#include "models/churn_scorer.h"

#include <algorithm>
#include <iterator>

#include "core/parallel.h"
#include "models/internal/churn_scorer_impl.h"

namespace winback::models {

namespace {

using internal::kExpectedPurchases;
using internal::kFeatureCount;
using internal::kFeatureNames;
using internal::kPAlive;

}  // namespace

ChurnScorer::ChurnScorer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChurnScorer::ChurnScorer(ChurnScorer&&) noexcept = default;
ChurnScorer& ChurnScorer::operator=(ChurnScorer&&) noexcept = default;
ChurnScorer::~ChurnScorer() = default;

const std::vector<CustomerKey>& ChurnScorer::keys() const { return impl_->keys; }
std::size_t ChurnScorer::train_rows() const { return impl_->train_rows; }
double ChurnScorer::train_churn_rate() const { return impl_->train_churn_rate; }
double ChurnScorer::sample_fraction() const { return impl_->sample_fraction; }
double ChurnScorer::intercept() const { return impl_->intercept; }
const std::vector<double>& ChurnScorer::weights() const { return impl_->weights; }

std::vector<double> ChurnScorer::HeldOutLabels() const {
  std::vector<double> out;
  out.reserve(impl_->rows.size());
  for (const internal::ScoreRow& r : impl_->rows) out.push_back(r.facts.future ? 0.0 : 1.0);
  return out;
}

Result<std::vector<double>> ChurnScorer::Score(std::span<store::Scanner* const> stores) const {
  if (stores.empty()) return InvalidArgumentError("churn scoring needs a store");
  const Impl& m = *impl_;
  if (!m.logistic && !m.trees) return FailedPreconditionError("churn classifier not trained");
  const std::size_t n = m.keys.size();
  std::vector<double> risk(n, 0.0);
  const std::int32_t c = m.options.cutoff.days();
  const double dd = c;
  const Instant end = m.options.cutoff.PlusDays(1).StartUtc();
  const std::size_t parts = m.trees ? 1 : std::min(stores.size(), std::max<std::size_t>(n, 1));
  constexpr std::size_t kChunk = 4096;  // XGBoost rows per prediction

  auto score_part = [&](std::size_t part) -> Status {
    const std::size_t r0 = n * part / parts;
    const std::size_t r1 = n * (part + 1) / parts;
    if (r0 == r1) return Status::Ok();
    const store::KeyRange range{m.keys[r0].value(),
                                r1 < n ? m.keys[r1].value() : m.keys[n - 1].value() + 1};
    std::vector<double> chunk;
    std::vector<std::size_t> chunk_rows;
    auto flush = [&]() -> Status {
      if (chunk_rows.empty()) return Status::Ok();
      WINBACK_ASSIGN_OR_RETURN(std::vector<double> p, m.trees->PredictProbability(chunk));
      for (std::size_t i = 0; i < chunk_rows.size(); ++i) risk[chunk_rows[i]] = p[i];
      chunk.clear();
      chunk_rows.clear();
      return Status::Ok();
    };
    auto emit = [&](std::size_t row, std::span<const store::EventPoint> points) -> Status {
      double x[kFeatureCount] = {};
      const internal::ScoreRow& r = m.rows[row];
      internal::WriteOrderFeatures(r.facts, dd, x);
      internal::EventState s;
      internal::AddEvents(points, end, dd, s);
      internal::WriteEventFeatures(s, dd, x);
      x[kPAlive] = r.p_alive;
      x[kExpectedPurchases] = r.log_expected;
      if (m.logistic) {
        risk[row] = m.logistic->PredictRow(x);
        return Status::Ok();
      }
      chunk.insert(chunk.end(), std::begin(x), std::end(x));
      chunk_rows.push_back(row);
      return chunk_rows.size() == kChunk ? flush() : Status::Ok();
    };
    std::size_t row = r0;
    Status scan = stores[part]->ForEachCustomerEventsInRange(
        range, [&](CustomerKey key, std::span<const store::EventPoint> points) -> Status {
          for (; row < r1 && m.keys[row] < key; ++row) WINBACK_RETURN_IF_ERROR(emit(row, {}));
          if (row == r1 || m.keys[row] != key) return Status::Ok();
          WINBACK_RETURN_IF_ERROR(emit(row, points));
          ++row;
          return Status::Ok();
        });
    if (!scan.ok()) return scan;
    for (; row < r1; ++row) WINBACK_RETURN_IF_ERROR(emit(row, {}));
    return flush();
  };

  std::vector<Status> status(parts, Status::Ok());
  ForEachTask(parts, static_cast<int>(parts), [&](std::size_t p) { status[p] = score_part(p); });
  for (const Status& s : status) WINBACK_RETURN_IF_ERROR(s);
  return risk;
}

Result<std::vector<std::optional<double>>> ScoreChurnRisk(store::Scanner& store,
                                                          const ChurnOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(ChurnScorer scorer, ChurnScorer::Train(store, options));
  store::Scanner* const one[] = {&store};
  WINBACK_ASSIGN_OR_RETURN(std::vector<double> p, scorer.Score(one));
  const std::vector<CustomerKey>& keys = scorer.keys();
  std::int64_t max_key = 0;
  for (CustomerKey k : keys) max_key = std::max(max_key, k.value());
  std::vector<std::optional<double>> out(static_cast<std::size_t>(max_key) + 1);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out[static_cast<std::size_t>(keys[i].value())] = p[i];
  }
  return out;
}

}  // namespace winback::models
