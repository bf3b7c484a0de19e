#include "store/aggregate_builder.h"

#include <algorithm>

namespace winback::store {
namespace {

void KeepLatest(std::optional<Instant>& slot, Instant t) {
  if (!slot || *slot < t) slot = t;
}

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

CustomerAggregates AggregateBuilder::Finish() {
  std::sort(local_days_.begin(), local_days_.end());
  agg_.purchase_days = std::unique(local_days_.begin(), local_days_.end()) - local_days_.begin();
  if (!currencies_.empty()) {
    const auto main = std::max_element(
        currencies_.begin(), currencies_.end(), [](const CurrencyTotal& a, const CurrencyTotal& b) {
          if (a.orders != b.orders) return a.orders < b.orders;
          return b.first_at < a.first_at;  // Ties: the earliest-used currency is "larger".
        });
    agg_.currency = main->code;
    agg_.revenue_minor = main->revenue_minor;
    agg_.other_currency_orders = agg_.orders - main->orders;
  }
  return std::move(agg_);
}

}  // namespace winback::store
