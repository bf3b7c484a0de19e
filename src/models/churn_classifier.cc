#include "models/churn_classifier.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <span>

#include "core/parallel.h"
#include "core/random.h"
#include "models/bgnbd.h"
#include "models/clv.h"
#include "models/internal/boosted_trees.h"
#include "models/internal/purchase_days.h"
#include "models/logistic_regression.h"

namespace winback::models {
namespace {

constexpr double kNever = 3650;  // days used for "never happened"
constexpr std::string_view kExitReasons[] = {"price",   "service", "selection",
                                             "feature", "moved",   "other"};

// Feature columns; the order of kFeatureNames is the column order.
enum Feature : std::size_t {
  kRecency,
  kTenure,
  kPurchaseDays,
  kDays30,
  kDays90,
  kDays365,
  kMeanValue,
  kOverdue,
  kRefunded,
  kCancelled,
  kSinceEmail,
  kSinceSms,
  kSinceWhatsapp,
  kSinceVisit,
  kSinceChat,
  kVisits90,
  kEmail90,
  kSms90,
  kWhatsapp90,
  kComplaints,
  kComplaints90,
  kTicketsUnsatisfied,
  kTicketsSatisfied,
  kReviewMean,
  kReviews,
  kCarts90,
  kPaymentDefaults,
  kReferrals,
  kUnsubscribed,
  kBounced,
  kExitPrice,  // six one-hot columns in kExitReasons order
  kSinceExit = kExitPrice + 6,
  kSubscriptionCancelled,
  kPAlive,
  kExpectedPurchases,
  kFeatureCount,
};

const char* const kFeatureNames[kFeatureCount] = {"log_recency_days",
                                                  "log_tenure_days",
                                                  "log_purchase_days",
                                                  "log_purchase_days_30d",
                                                  "log_purchase_days_90d",
                                                  "log_purchase_days_365d",
                                                  "log_mean_day_value",
                                                  "overdue_ratio",
                                                  "log_refunded_orders",
                                                  "log_cancelled_orders",
                                                  "log_days_since_email_engagement",
                                                  "log_days_since_sms_engagement",
                                                  "log_days_since_whatsapp_engagement",
                                                  "log_days_since_visit",
                                                  "log_days_since_chat",
                                                  "log_visits_90d",
                                                  "log_email_engagement_90d",
                                                  "log_sms_engagement_90d",
                                                  "log_whatsapp_engagement_90d",
                                                  "log_complaints",
                                                  "log_complaints_90d",
                                                  "log_tickets_unsatisfied",
                                                  "log_tickets_satisfied",
                                                  "review_mean_score",
                                                  "log_reviews",
                                                  "log_carts_abandoned_90d",
                                                  "log_payment_defaults",
                                                  "log_referrals",
                                                  "unsubscribed_channels",
                                                  "bounced_channels",
                                                  "exit_price",
                                                  "exit_service",
                                                  "exit_selection",
                                                  "exit_feature",
                                                  "exit_moved",
                                                  "exit_other",
                                                  "log_days_since_exit",
                                                  "subscription_cancelled",
                                                  "btyd_p_alive",
                                                  "btyd_log_expected_purchases"};

// A customer's completed orders as of day d: what the RFM features and the label need, in
// integers (and one mean), so the features computed from it are exact.
struct OrderFacts {
  std::int32_t first = 0;  // first and last purchase day
  std::int32_t last = 0;
  std::uint32_t days = 0;  // purchase days
  std::uint32_t refunded = 0;
  std::uint32_t cancelled = 0;
  std::uint16_t in30 = 0;  // purchase days within 30, 90, 365 days (at most 365)
  std::uint16_t in90 = 0;
  std::uint16_t in365 = 0;
  bool future = false;    // a completed order in (d, label_end]
  double mean_value = 0;  // mean order-day value (main currency), 0 when none is valued
};

// The facts of one customer from `h` = MergePurchaseDays(orders, d) (not empty).
OrderFacts FactsOf(const internal::PurchaseHistory& h, std::span<const store::OrderPoint> orders,
                   std::int32_t d, std::int32_t label_end) {
  OrderFacts f;
  f.first = h.days.front().day;
  f.last = h.days.back().day;
  f.days = static_cast<std::uint32_t>(h.days.size());
  double value = 0, valued = 0;
  for (const internal::PurchaseDay& p : h.days) {
    const std::int32_t age = d - p.day;
    f.in30 = static_cast<std::uint16_t>(f.in30 + (age < 30 ? 1 : 0));
    f.in90 = static_cast<std::uint16_t>(f.in90 + (age < 90 ? 1 : 0));
    f.in365 = static_cast<std::uint16_t>(f.in365 + (age < 365 ? 1 : 0));
    if (p.valued) {
      value += p.value;
      valued += 1;
    }
  }
  f.mean_value = valued > 0 ? value / valued : 0;
  for (const store::OrderPoint& o : orders) {
    const std::int32_t day = internal::LocalDay(o);
    if (day <= d) {
      f.refunded += o.status == OrderStatus::kRefunded ? 1 : 0;
      f.cancelled += o.status == OrderStatus::kCancelled ? 1 : 0;
    } else if (day <= label_end && o.status == OrderStatus::kCompleted) {
      f.future = true;
    }
  }
  return f;
}

void WriteOrderFeatures(const OrderFacts& f, double dd, double* row) {
  const double first = f.first;
  const double last = f.last;
  const double n = f.days;
  row[kRecency] = std::log1p(dd - last);
  row[kTenure] = std::log1p(dd - first);
  row[kPurchaseDays] = std::log1p(n);
  row[kDays30] = std::log1p(static_cast<double>(f.in30));
  row[kDays90] = std::log1p(static_cast<double>(f.in90));
  row[kDays365] = std::log1p(static_cast<double>(f.in365));
  row[kMeanValue] = std::log1p(f.mean_value);
  row[kOverdue] = n > 1 ? std::min((dd - last) / ((last - first) / (n - 1)), 20.0) : 0;
  row[kRefunded] = std::log1p(static_cast<double>(f.refunded));
  row[kCancelled] = std::log1p(static_cast<double>(f.cancelled));
}

// The BG/NBD summary (in days) of a customer as of day d, as SummarizeStore computes it;
// absent when the first purchase is on d (T = 0).
std::optional<CustomerRfm> RfmOf(std::int32_t first, std::int32_t last, std::uint32_t days,
                                 std::int32_t d) {
  if (first >= d) return std::nullopt;
  return CustomerRfm{static_cast<double>(days - 1), static_cast<double>(last - first),
                     static_cast<double>(d - first)};
}

// The summary table of the customers that have an RFM.
SummaryTable TableOf(std::span<const std::optional<CustomerRfm>> rfm) {
  SummaryTable t;
  for (const std::optional<CustomerRfm>& c : rfm) {
    if (!c) continue;
    t.frequency.push_back(c->frequency);
    t.recency.push_back(c->recency);
    t.age.push_back(c->age);
  }
  return t;
}

// Raw per-customer state gathered from the events.
struct EventState {
  double last_engagement[3] = {-1, -1, -1};  // day numbers; -1 = never
  double last_visit = -1;
  double last_chat = -1;
  double visits90 = 0, engagement90[3] = {0, 0, 0};
  double complaints = 0, complaints90 = 0;
  double unsatisfied = 0, satisfied = 0;
  double review_sum = 0, reviews = 0;
  double carts90 = 0, payment_defaults = 0, referrals = 0;
  std::uint32_t unsubscribed = 0, bounced = 0;
  int exit_reason = -1;
  double exit_day = -1;
  double subscription_cancelled = 0;
};

int ChannelIndex(std::string_view channel) {
  if (channel == "email") return 0;
  if (channel == "sms") return 1;
  if (channel == "whatsapp") return 2;
  return -1;
}

double SinceLog(double day, double as_of) {
  return std::log1p(day < 0 ? kNever : std::min(as_of - day, kNever));
}

// Adds the events before `end` (oldest first) to `s`.
void AddEvents(std::span<const store::EventPoint> points, Instant end, double dd, EventState& s) {
  for (const store::EventPoint& e : points) {
    if (e.at >= end) break;
    const double day = UtcDate(e.at).days();
    const bool recent = dd - day < 90;
    int channel = -1;
    switch (e.type) {
      case EventType::kEmailOpen:
      case EventType::kEmailClick:
        channel = 0;
        break;
      case EventType::kSmsClick:
        channel = 1;
        break;
      case EventType::kWhatsappRead:
      case EventType::kWhatsappReply:
        channel = 2;
        break;
      case EventType::kVisit:
        s.last_visit = day;
        s.visits90 += recent ? 1 : 0;
        break;
      case EventType::kChat:
      case EventType::kCall:
        s.last_chat = day;
        break;
      case EventType::kComplaint:
        s.complaints += 1;
        s.complaints90 += recent ? 1 : 0;
        break;
      case EventType::kTicketResolved:
        if (e.reason == "unsatisfied") s.unsatisfied += 1;
        if (e.reason == "satisfied") s.satisfied += 1;
        break;
      case EventType::kReview:
        if (e.score) {
          s.review_sum += static_cast<double>(*e.score);
          s.reviews += 1;
        }
        break;
      case EventType::kCartAbandoned:
        s.carts90 += recent ? 1 : 0;
        break;
      case EventType::kPaymentDefault:
        s.payment_defaults += 1;
        break;
      case EventType::kReferral:
        s.referrals += 1;
        break;
      case EventType::kUnsubscribe:
      case EventType::kBounce: {
        const int c = ChannelIndex(e.channel);
        if (c >= 0) {
          std::uint32_t& bits = e.type == EventType::kUnsubscribe ? s.unsubscribed : s.bounced;
          bits |= 1u << c;
        }
        break;
      }
      case EventType::kSubscriptionCancelled:
      case EventType::kExitSurvey:
        if (e.type == EventType::kSubscriptionCancelled) s.subscription_cancelled = 1;
        s.exit_day = day;
        s.exit_reason = 5;
        for (int r = 0; r < 6; ++r) {
          if (e.reason == kExitReasons[r]) s.exit_reason = r;
        }
        break;
      default:
        break;
    }
    if (channel >= 0) {
      s.last_engagement[channel] = day;
      s.engagement90[channel] += recent ? 1 : 0;
    }
  }
}

// Writes the event features; the exit one-hot columns must be 0 before.
void WriteEventFeatures(const EventState& s, double dd, double* row) {
  for (std::size_t c = 0; c < 3; ++c) row[kSinceEmail + c] = SinceLog(s.last_engagement[c], dd);
  row[kSinceVisit] = SinceLog(s.last_visit, dd);
  row[kSinceChat] = SinceLog(s.last_chat, dd);
  row[kVisits90] = std::log1p(s.visits90);
  for (std::size_t c = 0; c < 3; ++c) row[kEmail90 + c] = std::log1p(s.engagement90[c]);
  row[kComplaints] = std::log1p(s.complaints);
  row[kComplaints90] = std::log1p(s.complaints90);
  row[kTicketsUnsatisfied] = std::log1p(s.unsatisfied);
  row[kTicketsSatisfied] = std::log1p(s.satisfied);
  row[kReviewMean] = s.reviews > 0 ? s.review_sum / s.reviews : 0;
  row[kReviews] = std::log1p(s.reviews);
  row[kCarts90] = std::log1p(s.carts90);
  row[kPaymentDefaults] = std::log1p(s.payment_defaults);
  row[kReferrals] = std::log1p(s.referrals);
  row[kUnsubscribed] = std::popcount(s.unsubscribed);
  row[kBounced] = std::popcount(s.bounced);
  if (s.exit_reason >= 0) row[kExitPrice + static_cast<std::size_t>(s.exit_reason)] = 1;
  row[kSinceExit] = SinceLog(s.exit_day, dd);
  row[kSubscriptionCancelled] = s.subscription_cancelled;
}

// The BTYD features of one customer: from the fitted model when there is one (P(alive) = 1 and
// the unconditional expectation for a customer not in the summary), else P(alive) = 1 and 0.
void WriteBtydFeatures(const BgNbdModel* model, const std::optional<CustomerRfm>& rfm, double h,
                       double* row) {
  row[kPAlive] = 1.0;
  row[kExpectedPurchases] = 0.0;
  if (model == nullptr) return;
  if (rfm) {
    row[kPAlive] = model->ProbabilityAlive(*rfm);
    row[kExpectedPurchases] = std::log1p(model->ConditionalExpectedPurchases(*rfm, h));
  } else {
    row[kExpectedPurchases] = std::log1p(model->ExpectedPurchases(h));
  }
}

// Appends the feature rows (BTYD columns at P(alive) = 1 and 0) and labels of the customers of
// `ranges` (ascending, disjoint) with a completed order by `as_of`, and each one's RFM as of
// `as_of`. One orders scan and one events scan per range.
Status AppendRows(store::Store& store, std::span<const store::KeyRange> ranges, Date as_of,
                  int horizon_days, ChurnDataset& out,
                  std::vector<std::optional<CustomerRfm>>& rfm) {
  const std::int32_t d = as_of.days();
  const std::int32_t label_end = d + horizon_days;
  const double dd = d;
  const std::size_t first_row = out.keys.size();
  for (const store::KeyRange& range : ranges) {
    WINBACK_RETURN_IF_ERROR(store.ForEachCustomerOrdersInRange(
        range, [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
          const internal::PurchaseHistory h = internal::MergePurchaseDays(orders, d);
          if (h.days.empty()) return Status::Ok();
          const OrderFacts f = FactsOf(h, orders, d, label_end);
          out.keys.push_back(key);
          const std::size_t at = out.features.size();
          out.features.resize(at + kFeatureCount, 0.0);
          WriteOrderFeatures(f, dd, &out.features[at]);
          out.features[at + kPAlive] = 1.0;
          out.labels.push_back(f.future ? 0.0 : 1.0);
          rfm.push_back(RfmOf(f.first, f.last, f.days, d));
          return Status::Ok();
        }));
  }
  const Instant end = as_of.PlusDays(1).StartUtc();
  std::size_t row = first_row;  // rows and event callbacks are both in key order
  for (const store::KeyRange& range : ranges) {
    WINBACK_RETURN_IF_ERROR(store.ForEachCustomerEventsInRange(
        range, [&](CustomerKey key, std::span<const store::EventPoint> points) -> Status {
          while (row < out.keys.size() && out.keys[row] < key) {
            EventState none;
            WriteEventFeatures(none, dd, &out.features[row * kFeatureCount]);
            ++row;
          }
          if (row == out.keys.size() || out.keys[row] != key) return Status::Ok();
          EventState s;
          AddEvents(points, end, dd, s);
          WriteEventFeatures(s, dd, &out.features[row * kFeatureCount]);
          ++row;
          return Status::Ok();
        }));
  }
  for (; row < out.keys.size(); ++row) {
    EventState none;
    WriteEventFeatures(none, dd, &out.features[row * kFeatureCount]);
  }
  return Status::Ok();
}

bool BlockInSample(std::int64_t block, double fraction) {
  if (fraction >= 1) return true;
  if (!(fraction > 0)) return false;
  // fraction * 2^64 without overflow: compare the top 53 bits.
  const auto threshold = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
  return (Mix64(static_cast<std::uint64_t>(block)) >> 11) < threshold;
}

}  // namespace

bool InChurnTrainingSample(CustomerKey key, double fraction) {
  return BlockInSample(key.value() / kChurnSampleBlock, fraction);
}

std::string_view ChurnModelName(ChurnModelKind kind) {
  return kind == ChurnModelKind::kXgboost ? "xgboost" : "logistic";
}

std::optional<ChurnModelKind> ParseChurnModelKind(std::string_view name) {
  if (name == "logistic") return ChurnModelKind::kLogistic;
  if (name == "xgboost") return ChurnModelKind::kXgboost;
  return std::nullopt;
}

Result<ChurnDataset> BuildChurnDataset(store::Store& store, Date as_of, int horizon_days,
                                       bool btyd_features, int threads) {
  if (horizon_days < 1) return InvalidArgumentError("horizon must be at least 1 day");
  ChurnDataset out;
  out.as_of = as_of;
  out.horizon_days = horizon_days;
  out.feature_names.assign(std::begin(kFeatureNames), std::end(kFeatureNames));
  std::vector<std::optional<CustomerRfm>> rfm;
  const store::KeyRange all;
  WINBACK_RETURN_IF_ERROR(
      AppendRows(store, std::span<const store::KeyRange>(&all, 1), as_of, horizon_days, out, rfm));
  if (out.keys.empty()) {
    return InvalidArgumentError("no customer has a completed order on or before " +
                                as_of.ToString());
  }
  if (btyd_features) {
    FitOptions fo;
    fo.threads = threads;
    fo.standard_errors = false;
    Result<BgNbdFit> fit = FitBgNbd(TableOf(rfm), fo);
    const BgNbdModel* model = fit.ok() ? &fit->model : nullptr;
    for (std::size_t row = 0; row < out.keys.size(); ++row) {
      WriteBtydFeatures(model, rfm[row], horizon_days, &out.features[row * kFeatureCount]);
    }
  }
  return out;
}

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

Status CheckOptions(const ChurnOptions& options) {
  if (options.horizon_days < 1) return InvalidArgumentError("horizon must be at least 1 day");
  if (options.calibration_bins < 1) return InvalidArgumentError("calibration bins must be >= 1");
  if (options.max_training_rows < 1) {
    return InvalidArgumentError("max training rows must be >= 1");
  }
  return Status::Ok();
}

Status CheckBothClasses(const ChurnDataset& data) {
  double churned = 0;
  for (double y : data.labels) churned += y;
  if (churned == 0 || churned == static_cast<double>(data.rows())) {
    return FailedPreconditionError(
        "the training period (features as of " + data.as_of.ToString() +
        ") has only one class: " + std::to_string(static_cast<std::int64_t>(churned)) + " of " +
        std::to_string(data.rows()) + " customers churned");
  }
  return Status::Ok();
}

// What Score keeps of a customer as of the cutoff besides the key: 40 bytes of order facts,
// and the two BTYD features.
struct ScoreRow {
  OrderFacts facts;
  double p_alive = 1;
  double log_expected = 0;
};

}  // namespace

struct ChurnScorer::Impl {
  ChurnOptions options;
  std::vector<CustomerKey> keys;
  std::vector<ScoreRow> rows;
  std::size_t train_rows = 0;
  double train_churn_rate = 0;
  double sample_fraction = 1;
  std::optional<BgNbdModel> train_model;  // BG/NBD as of cutoff - H, when it could be fitted
  std::optional<LogisticRegression> logistic;
  std::optional<internal::BoostedTrees> trees;
  double intercept = 0;
  std::vector<double> weights;
};

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
  for (const ScoreRow& r : impl_->rows) out.push_back(r.facts.future ? 0.0 : 1.0);
  return out;
}

Result<ChurnTrainingSample> ChurnScorer::ReadTrainingSample(store::Store& store,
                                                            const ChurnOptions& options) {
  WINBACK_RETURN_IF_ERROR(CheckOptions(options));
  WINBACK_ASSIGN_OR_RETURN(const std::int64_t key_limit, store.CustomerKeyLimit());
  const auto customers = static_cast<std::size_t>(std::max<std::int64_t>(key_limit - 1, 0));
  ChurnTrainingSample sample;
  sample.fraction =
      customers <= options.max_training_rows
          ? 1.0
          : static_cast<double>(options.max_training_rows) / static_cast<double>(customers);
  std::vector<store::KeyRange> ranges;
  for (std::int64_t b = 0; b * kChurnSampleBlock < key_limit; ++b) {
    if (!BlockInSample(b, sample.fraction)) continue;
    if (!ranges.empty() && ranges.back().end == b * kChurnSampleBlock) {
      ranges.back().end = (b + 1) * kChurnSampleBlock;
    } else {
      ranges.push_back({b * kChurnSampleBlock, (b + 1) * kChurnSampleBlock});
    }
  }
  sample.rows.as_of = options.cutoff.PlusDays(-options.horizon_days);
  sample.rows.horizon_days = options.horizon_days;
  sample.rows.feature_names.assign(std::begin(kFeatureNames), std::end(kFeatureNames));
  // About fraction * customers rows, fewer when not all have bought by then: reserving spares
  // the transient copies of growth.
  const std::size_t expected = std::min(customers, options.max_training_rows);
  sample.rows.keys.reserve(expected);
  sample.rows.labels.reserve(expected);
  sample.rows.features.reserve(expected * kFeatureCount);
  sample.rfm.reserve(expected);
  WINBACK_RETURN_IF_ERROR(
      AppendRows(store, ranges, sample.rows.as_of, options.horizon_days, sample.rows, sample.rfm));
  return sample;
}

Result<ChurnScorer> ChurnScorer::Prepare(store::Store& store, const ChurnOptions& options,
                                         StoreSummary* summary, double summary_days_per_unit) {
  WINBACK_RETURN_IF_ERROR(CheckOptions(options));
  if (summary != nullptr &&
      (!(summary_days_per_unit > 0) || !std::isfinite(summary_days_per_unit))) {
    return InvalidArgumentError("days per unit must be positive and finite");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const Date train_as_of = options.cutoff.PlusDays(-options.horizon_days);
  const std::int32_t c = options.cutoff.days();
  const std::int32_t d1 = train_as_of.days();
  const double h = options.horizon_days;

  // One pass over every customer's orders: the facts as of the cutoff, and the BG/NBD summary
  // as of cutoff - H (its purchase days are those of the cutoff up to cutoff - H).
  struct TrainSummary {
    std::int32_t last = 0;
    std::uint32_t days = 0;  // 0: no order by cutoff - H
  };
  std::vector<TrainSummary> train_summary;
  WINBACK_ASSIGN_OR_RETURN(const std::int64_t key_limit, store.CustomerKeyLimit());
  impl->keys.reserve(static_cast<std::size_t>(key_limit));
  impl->rows.reserve(static_cast<std::size_t>(key_limit));
  train_summary.reserve(static_cast<std::size_t>(key_limit));
  if (summary != nullptr) {
    *summary = StoreSummary();
    const auto n = static_cast<std::size_t>(std::max<std::int64_t>(key_limit - 1, 0));
    summary->table.Reserve(n);
    summary->table.monetary_value.reserve(n);
    summary->keys.reserve(n);
    summary->currencies.reserve(n);
  }
  std::size_t train_population = 0;
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerOrders(
      [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
        const internal::PurchaseHistory hist = internal::MergePurchaseDays(orders, c);
        if (hist.days.empty()) return Status::Ok();
        if (summary != nullptr) {
          internal::AppendSummaryRow(key, hist, c, summary_days_per_unit, false, *summary);
        }
        ScoreRow row;
        row.facts = FactsOf(hist, orders, c, c + options.horizon_days);
        std::uint32_t train_days = 0;
        std::int32_t train_last = 0;
        for (const internal::PurchaseDay& p : hist.days) {
          if (p.day > d1) break;
          ++train_days;
          train_last = p.day;
        }
        train_population += train_days > 0 ? 1 : 0;
        train_summary.push_back({train_last, train_days});
        impl->keys.push_back(key);
        impl->rows.push_back(row);
        return Status::Ok();
      }));
  if (train_population == 0) {
    return InvalidArgumentError("no customer has a completed order on or before " +
                                train_as_of.ToString());
  }

  // BG/NBD as of both dates, fitted on every customer.
  if (options.btyd_features) {
    FitOptions fo;
    fo.threads = options.threads;
    fo.standard_errors = false;
    SummaryTable table;
    table.Reserve(train_population);
    for (std::size_t i = 0; i < impl->rows.size(); ++i) {
      const TrainSummary& t = train_summary[i];
      if (t.days == 0) continue;
      const std::optional<CustomerRfm> r = RfmOf(impl->rows[i].facts.first, t.last, t.days, d1);
      if (!r) continue;
      table.frequency.push_back(r->frequency);
      table.recency.push_back(r->recency);
      table.age.push_back(r->age);
    }
    std::vector<TrainSummary>().swap(train_summary);
    if (Result<BgNbdFit> fit = FitBgNbd(table, fo); fit.ok()) impl->train_model = fit->model;
    table = SummaryTable();
    table.Reserve(impl->rows.size());
    for (const ScoreRow& row : impl->rows) {
      const std::optional<CustomerRfm> r =
          RfmOf(row.facts.first, row.facts.last, row.facts.days, c);
      if (!r) continue;
      table.frequency.push_back(r->frequency);
      table.recency.push_back(r->recency);
      table.age.push_back(r->age);
    }
    Result<BgNbdFit> fit = FitBgNbd(table, fo);
    if (fit.ok()) {
      WINBACK_ASSIGN_OR_RETURN(Predictions p,
                               PredictCustomers(fit->model, table, h, options.threads));
      table = SummaryTable();
      const double unconditional = std::log1p(fit->model.ExpectedPurchases(h));
      std::size_t j = 0;
      for (ScoreRow& r : impl->rows) {
        if (r.facts.first < c) {
          r.p_alive = p.p_alive[j];
          r.log_expected = std::log1p(p.expected_purchases[j]);
          ++j;
        } else {
          r.log_expected = unconditional;
        }
      }
    }
  }
  return ChurnScorer(std::move(impl));
}

Status ChurnScorer::Fit(ChurnTrainingSample sample) {
  Impl& m = *impl_;
  const ChurnOptions& options = m.options;
  ChurnDataset& train = sample.rows;
  if (train.as_of != options.cutoff.PlusDays(-options.horizon_days) ||
      train.horizon_days != options.horizon_days || sample.rfm.size() != train.rows()) {
    return InvalidArgumentError("the training sample was read with other options");
  }
  if (train.rows() == 0) {
    return InvalidArgumentError("no customer of the training sample has a completed order on " +
                                std::string("or before ") + train.as_of.ToString());
  }
  if (options.btyd_features) {
    const BgNbdModel* model = m.train_model ? &*m.train_model : nullptr;
    for (std::size_t row = 0; row < train.rows(); ++row) {
      WriteBtydFeatures(model, sample.rfm[row], options.horizon_days,
                        &train.features[row * kFeatureCount]);
    }
  }
  WINBACK_RETURN_IF_ERROR(CheckBothClasses(train));
  m.sample_fraction = sample.fraction;
  m.train_rows = train.rows();
  double churned = 0;
  for (double y : train.labels) churned += y;
  m.train_churn_rate = churned / static_cast<double>(train.rows());
  if (options.model == ChurnModelKind::kLogistic) {
    LogisticOptions lo;
    lo.l2 = options.l2;
    WINBACK_ASSIGN_OR_RETURN(
        LogisticRegression model,
        LogisticRegression::Fit(train.features, kFeatureCount, train.labels, lo));
    m.intercept = model.intercept();
    m.weights = model.weights();
    m.logistic.emplace(std::move(model));
  } else {
    internal::BoostedTreesOptions bo;
    bo.trees = options.trees;
    bo.max_depth = options.max_depth;
    bo.learning_rate = options.learning_rate;
    bo.threads = options.threads;
    WINBACK_ASSIGN_OR_RETURN(
        internal::BoostedTrees model,
        internal::BoostedTrees::Train(train.features, kFeatureCount, train.labels, bo));
    m.trees.emplace(std::move(model));
  }
  return Status::Ok();
}

Result<ChurnScorer> ChurnScorer::Train(store::Store& store, const ChurnOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(ChurnScorer scorer, Prepare(store, options));
  WINBACK_ASSIGN_OR_RETURN(ChurnTrainingSample sample, ReadTrainingSample(store, options));
  WINBACK_RETURN_IF_ERROR(scorer.Fit(std::move(sample)));
  return scorer;
}

Result<std::vector<double>> ChurnScorer::Score(std::span<store::Store* const> stores) const {
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
      const ScoreRow& r = m.rows[row];
      WriteOrderFeatures(r.facts, dd, x);
      EventState s;
      AddEvents(points, end, dd, s);
      WriteEventFeatures(s, dd, x);
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
    const Status scan = stores[part]->ForEachCustomerEventsInRange(
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

Result<ChurnEvaluation> EvaluateChurnClassifier(store::Store& store, const ChurnOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  WINBACK_RETURN_IF_ERROR(CheckOptions(options));
  WINBACK_ASSIGN_OR_RETURN(store::TimeRange order_times, store.OrderTimeRange());
  const Date held_out_end = options.cutoff.PlusDays(options.horizon_days);
  if (!order_times.last || UtcDate(*order_times.last) < held_out_end) {
    return FailedPreconditionError(
        "the held-out period " + options.cutoff.PlusDays(1).ToString() + ".." +
        held_out_end.ToString() + " extends past the store's last order (" +
        (order_times.last ? UtcDate(*order_times.last).ToString() : "none") +
        "): choose an earlier cutoff or a shorter horizon");
  }
  WINBACK_ASSIGN_OR_RETURN(ChurnScorer scorer, ChurnScorer::Train(store, options));
  store::Store* const one[] = {&store};
  WINBACK_ASSIGN_OR_RETURN(std::vector<double> p, scorer.Score(one));
  const std::vector<double> labels = scorer.HeldOutLabels();
  ChurnEvaluation ev;
  ev.model = options.model;
  ev.train_as_of = options.cutoff.PlusDays(-options.horizon_days);
  ev.test_as_of = options.cutoff;
  ev.horizon_days = options.horizon_days;
  ev.train_rows = scorer.train_rows();
  ev.test_rows = labels.size();
  ev.feature_names.assign(std::begin(kFeatureNames), std::end(kFeatureNames));
  ev.train_churn_rate = scorer.train_churn_rate();
  ev.sample_fraction = scorer.sample_fraction();
  double test_churned = 0;
  for (double y : labels) test_churned += y;
  ev.test_churn_rate = test_churned / static_cast<double>(labels.size());
  ev.intercept = scorer.intercept();
  ev.weights = scorer.weights();
  ev.auc = AreaUnderRoc(labels, p);
  ev.log_loss = LogLoss(labels, p);
  ev.brier = BrierScore(labels, p);
  const std::vector<double> baseline(p.size(), ev.train_churn_rate);
  ev.baseline_log_loss = LogLoss(labels, baseline);
  ev.calibration = CalibrationTable(labels, p, options.calibration_bins);
  ev.seconds = Seconds(start);
  return ev;
}

Result<std::vector<std::optional<double>>> ScoreChurnRisk(store::Store& store,
                                                          const ChurnOptions& options) {
  WINBACK_ASSIGN_OR_RETURN(ChurnScorer scorer, ChurnScorer::Train(store, options));
  store::Store* const one[] = {&store};
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
