#include "store/aggregate_builder.h"

#include <algorithm>
#include <iterator>
#include <optional>

namespace winback::store {
namespace {

void KeepLatest(std::optional<Instant>& slot, Instant t) {
  if (!slot || *slot < t) slot = t;
}

void KeepLatest(std::optional<Instant>& slot, std::optional<Instant> t) {
  if (t) KeepLatest(slot, *t);
}

// The largest UTC offset an order can be stored with (core/time.h: -14:00 .. +14:00).
constexpr std::int64_t kMaxUtcOffsetSeconds = 14 * 60 * 60;

std::optional<int> ChannelBit(std::string_view channel) {
  const std::optional<ChannelKind> c = ParseChannelKind(channel);
  if (!c) return std::nullopt;
  return static_cast<int>(*c);
}

}  // namespace

AggregateBuilder::AggregateBuilder(CustomerKey key) { agg_.key = key; }

void AggregateBuilder::AddOrder(Instant placed_at, std::int32_t utc_offset_minutes,
                                std::int64_t amount_minor, std::string_view currency,
                                OrderStatus status) {
  KeepLatest(agg_.last_activity_at, placed_at);
  if (status == OrderStatus::kRefunded) {
    ++agg_.refunded_orders;
    return;
  }
  if (status == OrderStatus::kCancelled) {
    ++agg_.cancelled_orders;
    return;
  }
  ++agg_.orders;
  if (!agg_.first_order_at || placed_at < *agg_.first_order_at) agg_.first_order_at = placed_at;
  KeepLatest(agg_.last_order_at, placed_at);
  local_days_.push_back(
      UtcDate(placed_at.PlusSeconds(std::int64_t{utc_offset_minutes} * 60)).days());
  auto it = std::find_if(currencies_.begin(), currencies_.end(),
                         [&](const CurrencyTotal& c) { return c.code == currency; });
  if (it == currencies_.end()) {
    currencies_.push_back({std::string(currency), 0, 0, placed_at});
    it = currencies_.end() - 1;
  }
  ++it->orders;
  it->revenue_minor += amount_minor;
  if (placed_at < it->first_at) it->first_at = placed_at;
}

void AggregateBuilder::AddEvent(EventType type, Instant at, std::string_view channel,
                                std::string_view reason, std::optional<std::int64_t> score) {
  KeepLatest(agg_.last_activity_at, at);
  switch (type) {
    case EventType::kVisit:
      KeepLatest(agg_.last_visit_at, at);
      break;
    case EventType::kEmailOpen:
    case EventType::kEmailClick:
    case EventType::kEmailReply:
      KeepLatest(agg_.last_engagement_at[static_cast<int>(ChannelKind::kEmail)], at);
      break;
    case EventType::kSmsClick:
    case EventType::kSmsReply:
      KeepLatest(agg_.last_engagement_at[static_cast<int>(ChannelKind::kSms)], at);
      break;
    case EventType::kWhatsappRead:
    case EventType::kWhatsappReply:
      KeepLatest(agg_.last_engagement_at[static_cast<int>(ChannelKind::kWhatsapp)], at);
      break;
    case EventType::kChat:
    case EventType::kCall:
      KeepLatest(agg_.last_chat_at, at);
      break;
    case EventType::kNote:
      break;
    case EventType::kTicketOpened:
      ++agg_.tickets_opened;
      break;
    case EventType::kTicketResolved:
      if (reason == "satisfied") ++agg_.tickets_satisfied;
      if (reason == "unsatisfied") ++agg_.tickets_unsatisfied;
      break;
    case EventType::kComplaint:
      ++agg_.complaints;
      KeepLatest(agg_.last_complaint_at, at);
      break;
    case EventType::kReview:
      ++agg_.reviews;
      agg_.review_score_sum += score.value_or(0);
      break;
    case EventType::kReferral:
      ++agg_.referrals;
      break;
    case EventType::kCartAbandoned:
      ++agg_.carts_abandoned;
      KeepLatest(agg_.last_cart_abandoned_at, at);
      break;
    case EventType::kSubscriptionCancelled:
    case EventType::kExitSurvey:
      // The latest stated reason wins; at equal times, the later row.
      if (!agg_.exit_at || !(at < *agg_.exit_at)) {
        exit_tie_ = agg_.exit_at == at;
        agg_.exit_at = at;
        agg_.exit_reason = std::string(reason);
      }
      break;
    case EventType::kFeatureRequested:
      ++agg_.feature_requests;
      break;
    case EventType::kFeatureShipped:
      break;
    case EventType::kPaymentDefault:
      ++agg_.payment_defaults;
      break;
    case EventType::kUnsubscribe:
      if (auto bit = ChannelBit(channel)) agg_.unsubscribed_channels |= 1u << *bit;
      break;
    case EventType::kBounce:
      if (auto bit = ChannelBit(channel)) agg_.bounced_channels |= 1u << *bit;
      break;
  }
}

std::vector<AggregateBuilder::CurrencyTotal>::const_iterator AggregateBuilder::MainCurrency(
    bool& tie) const {
  const auto main = std::max_element(
      currencies_.begin(), currencies_.end(), [](const CurrencyTotal& a, const CurrencyTotal& b) {
        if (a.orders != b.orders) return a.orders < b.orders;
        return b.first_at < a.first_at;  // Ties: the earliest-used currency is "larger".
      });
  tie = false;
  for (auto it = currencies_.begin(); it != currencies_.end(); ++it) {
    if (it != main && it->orders == main->orders && it->first_at == main->first_at) tie = true;
  }
  return main;
}

CustomerAggregates AggregateBuilder::Finish() {
  std::sort(local_days_.begin(), local_days_.end());
  agg_.purchase_days = std::unique(local_days_.begin(), local_days_.end()) - local_days_.begin();
  if (!currencies_.empty()) {
    bool tie = false;
    const auto main = MainCurrency(tie);
    agg_.currency = main->code;
    agg_.revenue_minor = main->revenue_minor;
    agg_.other_currency_orders = agg_.orders - main->orders;
  }
  return std::move(agg_);
}

std::optional<CustomerAggregates> AggregateBuilder::MergeInto(const CustomerAggregates& stored) && {
  const CustomerAggregates& d = agg_;
  CustomerAggregates out = stored;
  if (d.exit_at) {
    if (!stored.exit_at || *stored.exit_at < *d.exit_at) {
      if (exit_tie_) return std::nullopt;
      out.exit_at = d.exit_at;
      out.exit_reason = d.exit_reason;
    } else if (*stored.exit_at == *d.exit_at) {
      return std::nullopt;
    }
  }
  if (d.orders > 0) {
    std::sort(local_days_.begin(), local_days_.end());
    const std::int64_t new_days =
        std::unique(local_days_.begin(), local_days_.end()) - local_days_.begin();
    if (stored.orders > 0) {
      if (!stored.last_order_at) return std::nullopt;  // Not aggregates of stored rows.
      const std::int32_t last_stored_day =
          UtcDate(stored.last_order_at->PlusSeconds(kMaxUtcOffsetSeconds)).days();
      if (local_days_.front() <= last_stored_day) return std::nullopt;
      // The stored main currency stays main when it then has more completed orders than all
      // the others together; otherwise the counts of the others decide, and they are not kept.
      std::int64_t main_orders = stored.orders - stored.other_currency_orders;
      std::int64_t revenue = stored.revenue_minor;
      for (const CurrencyTotal& c : currencies_) {
        if (c.code != stored.currency) continue;
        main_orders += c.orders;
        revenue += c.revenue_minor;
      }
      const std::int64_t others = stored.orders + d.orders - main_orders;
      if (main_orders <= others) return std::nullopt;
      out.revenue_minor = revenue;
      out.other_currency_orders = others;
    } else {
      bool tie = false;
      const auto main = MainCurrency(tie);
      if (tie) return std::nullopt;
      out.currency = main->code;
      out.revenue_minor = main->revenue_minor;
      out.other_currency_orders = d.orders - main->orders;
    }
    out.orders = stored.orders + d.orders;
    out.purchase_days = stored.purchase_days + new_days;
    if (!out.first_order_at || *d.first_order_at < *out.first_order_at) {
      out.first_order_at = d.first_order_at;
    }
    KeepLatest(out.last_order_at, d.last_order_at);
  }
  out.refunded_orders += d.refunded_orders;
  out.cancelled_orders += d.cancelled_orders;
  for (std::size_t c = 0; c < std::size(out.last_engagement_at); ++c) {
    KeepLatest(out.last_engagement_at[c], d.last_engagement_at[c]);
  }
  KeepLatest(out.last_visit_at, d.last_visit_at);
  KeepLatest(out.last_chat_at, d.last_chat_at);
  out.complaints += d.complaints;
  KeepLatest(out.last_complaint_at, d.last_complaint_at);
  out.tickets_opened += d.tickets_opened;
  out.tickets_satisfied += d.tickets_satisfied;
  out.tickets_unsatisfied += d.tickets_unsatisfied;
  out.referrals += d.referrals;
  out.reviews += d.reviews;
  out.review_score_sum += d.review_score_sum;
  out.carts_abandoned += d.carts_abandoned;
  KeepLatest(out.last_cart_abandoned_at, d.last_cart_abandoned_at);
  out.payment_defaults += d.payment_defaults;
  out.feature_requests += d.feature_requests;
  out.unsubscribed_channels |= d.unsubscribed_channels;
  out.bounced_channels |= d.bounced_channels;
  KeepLatest(out.last_activity_at, d.last_activity_at);
  return out;
}

}  // namespace winback::store
