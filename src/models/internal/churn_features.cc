#include "models/internal/churn_features.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>

namespace winback::models::internal {

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

OrderFacts FactsOf(const PurchaseHistory& h, std::span<const store::OrderPoint> orders,
                   std::int32_t d, std::int32_t label_end) {
  OrderFacts f;
  f.first = h.days.front().day;
  f.last = h.days.back().day;
  f.days = static_cast<std::uint32_t>(h.days.size());
  double value = 0, valued = 0;
  for (const PurchaseDay& p : h.days) {
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
    const std::int32_t day = LocalDay(o);
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

std::optional<CustomerRfm> RfmOf(std::int32_t first, std::int32_t last, std::uint32_t days,
                                 std::int32_t d) {
  if (first >= d) return std::nullopt;
  return CustomerRfm{static_cast<double>(days - 1), static_cast<double>(last - first),
                     static_cast<double>(d - first)};
}

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

namespace {

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

void AddEvents(std::span<const store::EventPoint> points, Instant end, double dd, EventState& s) {
  for (const store::EventPoint& e : points) {
    if (e.at >= end) break;
    const double day = UtcDate(e.at).days();
    const bool recent = dd - day < 90;
    int channel = -1;
    switch (e.type) {
      case EventType::kEmailOpen:
      case EventType::kEmailClick:
      case EventType::kEmailReply:
        channel = 0;
        break;
      case EventType::kSmsClick:
      case EventType::kSmsReply:
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

Status AppendRows(store::Scanner& store, std::span<const store::KeyRange> ranges, Date as_of,
                  int horizon_days, ChurnDataset& out,
                  std::vector<std::optional<CustomerRfm>>& rfm) {
  const std::int32_t d = as_of.days();
  const std::int32_t label_end = d + horizon_days;
  const double dd = d;
  const std::size_t first_row = out.keys.size();
  for (const store::KeyRange& range : ranges) {
    WINBACK_RETURN_IF_ERROR(store.ForEachCustomerOrdersInRange(
        range, [&](CustomerKey key, std::span<const store::OrderPoint> orders) -> Status {
          const PurchaseHistory h = MergePurchaseDays(orders, d);
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

}  // namespace winback::models::internal
