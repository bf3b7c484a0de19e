#include "models/churn_classifier.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <span>

#include "models/bgnbd.h"
#include "models/internal/boosted_trees.h"
#include "models/internal/purchase_days.h"
#include "models/logistic_regression.h"
#include "models/store_summary.h"

namespace winback::models {
namespace {

constexpr double kNever = 3650;  // days used for "never happened"
constexpr std::string_view kExitReasons[] = {"price", "service", "selection",
                                             "feature", "moved", "other"};

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

const char* const kFeatureNames[kFeatureCount] = {
    "log_recency_days", "log_tenure_days", "log_purchase_days", "log_purchase_days_30d",
    "log_purchase_days_90d", "log_purchase_days_365d", "log_mean_day_value", "overdue_ratio",
    "log_refunded_orders", "log_cancelled_orders", "log_days_since_email_engagement",
    "log_days_since_sms_engagement", "log_days_since_whatsapp_engagement",
    "log_days_since_visit", "log_days_since_chat", "log_visits_90d", "log_email_engagement_90d",
    "log_sms_engagement_90d", "log_whatsapp_engagement_90d", "log_complaints",
    "log_complaints_90d", "log_tickets_unsatisfied", "log_tickets_satisfied",
    "review_mean_score", "log_reviews", "log_carts_abandoned_90d", "log_payment_defaults",
    "log_referrals", "unsubscribed_channels", "bounced_channels", "exit_price", "exit_service",
    "exit_selection", "exit_feature", "exit_moved", "exit_other", "log_days_since_exit",
    "subscription_cancelled", "btyd_p_alive", "btyd_log_expected_purchases"};

// Raw per-customer state gathered from the events pass.
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

}  // namespace

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
  const std::int32_t d = as_of.days();
  const std::int32_t label_end = d + horizon_days;
  const double dd = d;
  ChurnDataset out;
  out.as_of = as_of;
  out.horizon_days = horizon_days;
  out.feature_names.assign(std::begin(kFeatureNames), std::end(kFeatureNames));
  std::vector<std::int64_t> row_of_key;  // -1 = not in the population
  auto row_of = [&](CustomerKey key) -> std::int64_t {
    const auto k = static_cast<std::size_t>(key.value());
    return k < row_of_key.size() ? row_of_key[k] : -1;
  };
  auto at = [&](std::size_t row, std::size_t feature) -> double& {
    return out.features[row * kFeatureCount + feature];
  };

  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerOrders(
      [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
        const internal::PurchaseHistory h = internal::MergePurchaseDays(orders, d);
        if (h.days.empty()) return Status::Ok();
        const auto k = static_cast<std::size_t>(key.value());
        if (row_of_key.size() <= k) row_of_key.resize(k + 1, -1);
        row_of_key[k] = static_cast<std::int64_t>(out.keys.size());
        out.keys.push_back(key);
        const std::size_t row = out.features.size() / kFeatureCount;
        out.features.resize(out.features.size() + kFeatureCount, 0.0);
        const double first = h.days.front().day;
        const double last = h.days.back().day;
        const double n = static_cast<double>(h.days.size());
        double in30 = 0, in90 = 0, in365 = 0, value = 0, valued = 0;
        for (const internal::PurchaseDay& p : h.days) {
          const double age = dd - p.day;
          in30 += age < 30 ? 1 : 0;
          in90 += age < 90 ? 1 : 0;
          in365 += age < 365 ? 1 : 0;
          if (p.valued) {
            value += p.value;
            valued += 1;
          }
        }
        double refunded = 0, cancelled = 0;
        bool future = false;
        for (const store::OrderPoint& o : orders) {
          const std::int32_t day = internal::LocalDay(o);
          if (day <= d) {
            refunded += o.status == store::OrderStatus::kRefunded ? 1 : 0;
            cancelled += o.status == store::OrderStatus::kCancelled ? 1 : 0;
          } else if (day <= label_end && o.status == store::OrderStatus::kCompleted) {
            future = true;
          }
        }
        at(row, kRecency) = std::log1p(dd - last);
        at(row, kTenure) = std::log1p(dd - first);
        at(row, kPurchaseDays) = std::log1p(n);
        at(row, kDays30) = std::log1p(in30);
        at(row, kDays90) = std::log1p(in90);
        at(row, kDays365) = std::log1p(in365);
        at(row, kMeanValue) = std::log1p(valued > 0 ? value / valued : 0);
        at(row, kOverdue) = n > 1 ? std::min((dd - last) / ((last - first) / (n - 1)), 20.0) : 0;
        at(row, kRefunded) = std::log1p(refunded);
        at(row, kCancelled) = std::log1p(cancelled);
        at(row, kPAlive) = 1.0;
        out.labels.push_back(future ? 0.0 : 1.0);
        return Status::Ok();
      }));
  if (out.keys.empty()) {
    return InvalidArgumentError("no customer has a completed order on or before " +
                                as_of.ToString());
  }

  std::vector<EventState> events(out.keys.size());
  const Instant end = as_of.PlusDays(1).StartUtc();
  WINBACK_RETURN_IF_ERROR(store.ForEachCustomerEvents(
      [&](CustomerKey key, std::span<const store::EventPoint> points) -> Status {
        const std::int64_t row = row_of(key);
        if (row < 0) return Status::Ok();
        EventState& s = events[static_cast<std::size_t>(row)];
        for (const store::EventPoint& e : points) {
          if (e.at >= end) break;  // oldest first
          const double day = UtcDate(e.at).days();
          const bool recent = dd - day < 90;
          int channel = -1;
          switch (e.type) {
            case store::EventType::kEmailOpen:
            case store::EventType::kEmailClick:
              channel = 0;
              break;
            case store::EventType::kSmsClick:
              channel = 1;
              break;
            case store::EventType::kWhatsappRead:
            case store::EventType::kWhatsappReply:
              channel = 2;
              break;
            case store::EventType::kVisit:
              s.last_visit = day;
              s.visits90 += recent ? 1 : 0;
              break;
            case store::EventType::kChat:
            case store::EventType::kCall:
              s.last_chat = day;
              break;
            case store::EventType::kComplaint:
              s.complaints += 1;
              s.complaints90 += recent ? 1 : 0;
              break;
            case store::EventType::kTicketResolved:
              if (e.reason == "unsatisfied") s.unsatisfied += 1;
              if (e.reason == "satisfied") s.satisfied += 1;
              break;
            case store::EventType::kReview:
              if (e.score) {
                s.review_sum += static_cast<double>(*e.score);
                s.reviews += 1;
              }
              break;
            case store::EventType::kCartAbandoned:
              s.carts90 += recent ? 1 : 0;
              break;
            case store::EventType::kPaymentDefault:
              s.payment_defaults += 1;
              break;
            case store::EventType::kReferral:
              s.referrals += 1;
              break;
            case store::EventType::kUnsubscribe:
            case store::EventType::kBounce: {
              const int c = ChannelIndex(e.channel);
              if (c >= 0) {
                std::uint32_t& bits = e.type == store::EventType::kUnsubscribe ? s.unsubscribed
                                                                                : s.bounced;
                bits |= 1u << c;
              }
              break;
            }
            case store::EventType::kSubscriptionCancelled:
            case store::EventType::kExitSurvey:
              if (e.type == store::EventType::kSubscriptionCancelled) {
                s.subscription_cancelled = 1;
              }
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
        return Status::Ok();
      }));
  for (std::size_t row = 0; row < events.size(); ++row) {
    const EventState& s = events[row];
    for (std::size_t c = 0; c < 3; ++c) {
      at(row, kSinceEmail + c) = SinceLog(s.last_engagement[c], dd);
    }
    at(row, kSinceVisit) = SinceLog(s.last_visit, dd);
    at(row, kSinceChat) = SinceLog(s.last_chat, dd);
    at(row, kVisits90) = std::log1p(s.visits90);
    for (std::size_t c = 0; c < 3; ++c) at(row, kEmail90 + c) = std::log1p(s.engagement90[c]);
    at(row, kComplaints) = std::log1p(s.complaints);
    at(row, kComplaints90) = std::log1p(s.complaints90);
    at(row, kTicketsUnsatisfied) = std::log1p(s.unsatisfied);
    at(row, kTicketsSatisfied) = std::log1p(s.satisfied);
    at(row, kReviewMean) = s.reviews > 0 ? s.review_sum / s.reviews : 0;
    at(row, kReviews) = std::log1p(s.reviews);
    at(row, kCarts90) = std::log1p(s.carts90);
    at(row, kPaymentDefaults) = std::log1p(s.payment_defaults);
    at(row, kReferrals) = std::log1p(s.referrals);
    at(row, kUnsubscribed) = std::popcount(s.unsubscribed);
    at(row, kBounced) = std::popcount(s.bounced);
    if (s.exit_reason >= 0) at(row, kExitPrice + static_cast<std::size_t>(s.exit_reason)) = 1;
    at(row, kSinceExit) = SinceLog(s.exit_day, dd);
    at(row, kSubscriptionCancelled) = s.subscription_cancelled;
  }

  if (btyd_features) {
    StoreSummaryOptions so;
    so.calibration_end = as_of;
    so.days_per_unit = 1.0;
    WINBACK_ASSIGN_OR_RETURN(StoreSummary summary, SummarizeStore(store, so));
    FitOptions fo;
    fo.threads = threads;
    fo.standard_errors = false;
    Result<BgNbdFit> fit = FitBgNbd(summary.table, fo);
    const double h = horizon_days;
    for (std::size_t row = 0; row < out.keys.size(); ++row) {
      at(row, kExpectedPurchases) =
          fit.ok() ? std::log1p(fit->model.ExpectedPurchases(h)) : 0.0;
    }
    if (fit.ok()) {
      for (std::size_t i = 0; i < summary.table.size(); ++i) {
        const std::int64_t row = row_of(summary.keys[i]);
        if (row < 0) continue;
        const CustomerRfm c = summary.table.rfm(i);
        const auto r = static_cast<std::size_t>(row);
        at(r, kPAlive) = fit->model.ProbabilityAlive(c);
        at(r, kExpectedPurchases) = std::log1p(fit->model.ConditionalExpectedPurchases(c, h));
      }
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
  return Status::Ok();
}

Status CheckBothClasses(const ChurnDataset& data) {
  double churned = 0;
  for (double y : data.labels) churned += y;
  if (churned == 0 || churned == static_cast<double>(data.rows())) {
    return FailedPreconditionError("the training period (features as of " +
                                   data.as_of.ToString() + ") has only one class: " +
                                   std::to_string(static_cast<std::int64_t>(churned)) + " of " +
                                   std::to_string(data.rows()) + " customers churned");
  }
  return Status::Ok();
}

// Trains the chosen classifier on `train` and returns probabilities for `test`; fills the
// logistic weights into `evaluation` when given.
Result<std::vector<double>> TrainAndPredict(const ChurnDataset& train, const ChurnDataset& test,
                                            const ChurnOptions& options,
                                            ChurnEvaluation* evaluation) {
  const std::size_t cols = train.feature_names.size();
  if (options.model == ChurnModelKind::kLogistic) {
    LogisticOptions lo;
    lo.l2 = options.l2;
    WINBACK_ASSIGN_OR_RETURN(LogisticRegression model,
                             LogisticRegression::Fit(train.features, cols, train.labels, lo));
    if (evaluation != nullptr) {
      evaluation->intercept = model.intercept();
      evaluation->weights = model.weights();
    }
    return model.PredictProbability(test.features);
  }
  internal::BoostedTreesOptions bo;
  bo.trees = options.trees;
  bo.max_depth = options.max_depth;
  bo.learning_rate = options.learning_rate;
  bo.threads = options.threads;
  WINBACK_ASSIGN_OR_RETURN(
      internal::BoostedTrees model,
      internal::BoostedTrees::Train(train.features, cols, train.labels, bo));
  return model.PredictProbability(test.features);
}

}  // namespace

Result<ChurnEvaluation> EvaluateChurnClassifier(store::Store& store,
                                                const ChurnOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  WINBACK_RETURN_IF_ERROR(CheckOptions(options));
  WINBACK_ASSIGN_OR_RETURN(store::StoreStats stats, store.Stats());
  const Date held_out_end = options.cutoff.PlusDays(options.horizon_days);
  if (!stats.last_order_at || UtcDate(*stats.last_order_at) < held_out_end) {
    return FailedPreconditionError(
        "the held-out period " + options.cutoff.PlusDays(1).ToString() + ".." +
        held_out_end.ToString() + " extends past the store's last order (" +
        (stats.last_order_at ? UtcDate(*stats.last_order_at).ToString() : "none") +
        "): choose an earlier cutoff or a shorter horizon");
  }
  const Date train_as_of = options.cutoff.PlusDays(-options.horizon_days);
  WINBACK_ASSIGN_OR_RETURN(ChurnDataset train,
                           BuildChurnDataset(store, train_as_of, options.horizon_days,
                                             options.btyd_features, options.threads));
  WINBACK_RETURN_IF_ERROR(CheckBothClasses(train));
  WINBACK_ASSIGN_OR_RETURN(ChurnDataset test,
                           BuildChurnDataset(store, options.cutoff, options.horizon_days,
                                             options.btyd_features, options.threads));
  ChurnEvaluation ev;
  ev.model = options.model;
  ev.train_as_of = train_as_of;
  ev.test_as_of = options.cutoff;
  ev.horizon_days = options.horizon_days;
  ev.train_rows = train.rows();
  ev.test_rows = test.rows();
  ev.feature_names = train.feature_names;
  double train_churned = 0;
  for (double y : train.labels) train_churned += y;
  ev.train_churn_rate = train_churned / static_cast<double>(train.rows());
  double test_churned = 0;
  for (double y : test.labels) test_churned += y;
  ev.test_churn_rate = test_churned / static_cast<double>(test.rows());
  WINBACK_ASSIGN_OR_RETURN(std::vector<double> p, TrainAndPredict(train, test, options, &ev));
  ev.auc = AreaUnderRoc(test.labels, p);
  ev.log_loss = LogLoss(test.labels, p);
  ev.brier = BrierScore(test.labels, p);
  const std::vector<double> baseline(p.size(), ev.train_churn_rate);
  ev.baseline_log_loss = LogLoss(test.labels, baseline);
  ev.calibration = CalibrationTable(test.labels, p, options.calibration_bins);
  ev.seconds = Seconds(start);
  return ev;
}

Result<std::vector<std::optional<double>>> ScoreChurnRisk(store::Store& store,
                                                          const ChurnOptions& options) {
  WINBACK_RETURN_IF_ERROR(CheckOptions(options));
  WINBACK_ASSIGN_OR_RETURN(
      ChurnDataset train,
      BuildChurnDataset(store, options.cutoff.PlusDays(-options.horizon_days),
                        options.horizon_days, options.btyd_features, options.threads));
  WINBACK_RETURN_IF_ERROR(CheckBothClasses(train));
  WINBACK_ASSIGN_OR_RETURN(ChurnDataset now,
                           BuildChurnDataset(store, options.cutoff, options.horizon_days,
                                             options.btyd_features, options.threads));
  WINBACK_ASSIGN_OR_RETURN(std::vector<double> p, TrainAndPredict(train, now, options, nullptr));
  std::int64_t max_key = 0;
  for (CustomerKey k : now.keys) max_key = std::max(max_key, k.value());
  std::vector<std::optional<double>> out(static_cast<std::size_t>(max_key) + 1);
  for (std::size_t i = 0; i < now.rows(); ++i) {
    out[static_cast<std::size_t>(now.keys[i].value())] = p[i];
  }
  return out;
}

}  // namespace winback::models
