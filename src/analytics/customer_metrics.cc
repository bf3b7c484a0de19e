#include "analytics/customer_metrics.h"

#include <algorithm>
#include <array>

namespace winback::analytics {
namespace {

std::int32_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return static_cast<std::int32_t>(q);
}

std::int32_t LocalDayOf(const store::OrderPoint& o) {
  return FloorDiv(o.placed_at.unix_seconds() + std::int64_t{o.utc_offset_minutes} * 60, 86'400);
}

void Bump(std::int32_t& counter) {
  if (counter < std::numeric_limits<std::int32_t>::max()) ++counter;
}

}  // namespace

std::int32_t DayOf(Instant t) { return FloorDiv(t.unix_seconds(), 86'400); }

std::optional<std::int32_t> DaysSince(std::int32_t day, Date as_of) {
  if (day == kNever) return std::nullopt;
  return as_of.days() - day;
}

OrderMetrics ComputeOrderMetrics(std::span<const store::OrderPoint> orders, Date as_of,
                                 std::int32_t reactivation_gap_days) {
  OrderMetrics m;
  const Instant cutoff = AsOfCutoff(as_of);
  // Small per-customer scratch: (utc day, local day, index) of completed orders.
  struct Completed {
    std::int32_t utc_day;
    std::int32_t local_day;
    Instant at;
    std::size_t index;
  };
  std::vector<Completed> completed;
  completed.reserve(orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const store::OrderPoint& o = orders[i];
    if (o.placed_at >= cutoff) continue;
    switch (o.status) {
      case OrderStatus::kCompleted:
        completed.push_back({DayOf(o.placed_at), LocalDayOf(o), o.placed_at, i});
        break;
      case OrderStatus::kRefunded:
        ++m.refunded_orders;
        break;
      case OrderStatus::kCancelled:
        ++m.cancelled_orders;
        break;
    }
  }
  if (completed.empty()) return m;
  std::stable_sort(completed.begin(), completed.end(),
                   [](const Completed& a, const Completed& b) { return a.at < b.at; });
  m.orders = static_cast<std::int64_t>(completed.size());
  m.first_order_day = completed.front().utc_day;
  m.last_order_day = completed.back().utc_day;
  for (std::size_t i = 1; i < completed.size(); ++i) {
    if (completed[i].utc_day - completed[i - 1].utc_day >= reactivation_gap_days) {
      m.last_return_day = completed[i].utc_day;
    }
  }
  std::vector<std::int32_t> local_days;
  local_days.reserve(completed.size());
  for (const Completed& c : completed) local_days.push_back(c.local_day);
  std::sort(local_days.begin(), local_days.end());
  m.frequency = std::unique(local_days.begin(), local_days.end()) - local_days.begin();

  // Main currency: most completed orders; ties to the earliest order's currency. Usually one.
  struct Tally {
    std::string_view code;
    std::int64_t count;
    std::size_t first;
  };
  std::vector<Tally> tallies;
  for (std::size_t i = 0; i < completed.size(); ++i) {
    const std::string& code = orders[completed[i].index].currency;
    auto it = std::find_if(tallies.begin(), tallies.end(),
                           [&](const Tally& t) { return t.code == code; });
    if (it == tallies.end()) {
      tallies.push_back({code, 1, i});
    } else {
      ++it->count;
    }
  }
  const Tally* best = &tallies.front();
  for (const Tally& t : tallies) {
    if (t.count > best->count || (t.count == best->count && t.first < best->first)) best = &t;
  }
  m.currency = std::string(best->code);
  std::int64_t in_main = 0;
  for (const Completed& c : completed) {
    const store::OrderPoint& o = orders[c.index];
    if (o.currency == m.currency) {
      m.total_minor += o.amount_minor;
      ++in_main;
    } else {
      ++m.other_currency_orders;
    }
  }
  // Amounts are >= 0 (validated on import), so half-up rounding is (total + n/2) / n.
  m.mean_minor = (m.total_minor + in_main / 2) / in_main;
  return m;
}

void CompletedOrderDays(std::span<const store::OrderPoint> orders, Date last_day,
                        std::vector<std::int32_t>& out) {
  out.clear();
  const Instant cutoff = AsOfCutoff(last_day);
  for (const store::OrderPoint& o : orders) {
    if (o.status == OrderStatus::kCompleted && o.placed_at < cutoff) {
      out.push_back(DayOf(o.placed_at));
    }
  }
  if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
}

std::string_view ExitReasonName(ExitReason r) {
  static constexpr std::array<std::string_view, kExitReasonCount> kNames = {
      "none", "price", "service", "selection", "feature", "moved", "other"};
  return kNames[static_cast<std::size_t>(r)];
}

ExitReason ParseExitReason(std::string_view text) {
  if (text.empty()) return ExitReason::kNone;
  for (int i = 1; i < kExitReasonCount; ++i) {
    const auto r = static_cast<ExitReason>(i);
    if (ExitReasonName(r) == text) return r;
  }
  return ExitReason::kOther;
}

EngagementMetrics ComputeEngagementMetrics(std::span<const store::EventPoint> events, Date as_of) {
  EngagementMetrics m;
  const Instant cutoff = AsOfCutoff(as_of);
  Instant exit_at;
  for (const store::EventPoint& e : events) {
    if (e.at >= cutoff) continue;
    const std::int32_t day = DayOf(e.at);
    auto latest = [day](std::int32_t& slot) { slot = std::max(slot, day); };
    switch (e.type) {
      case EventType::kEmailOpen:
      case EventType::kEmailClick:
      case EventType::kEmailReply:
        latest(m.last_email_day);
        break;
      case EventType::kSmsClick:
      case EventType::kSmsReply:
        latest(m.last_sms_day);
        break;
      case EventType::kWhatsappRead:
      case EventType::kWhatsappReply:
        latest(m.last_whatsapp_day);
        break;
      case EventType::kChat:
      case EventType::kCall:
        latest(m.last_chat_day);
        break;
      case EventType::kVisit:
        latest(m.last_visit_day);
        break;
      case EventType::kComplaint:
        Bump(m.complaints);
        break;
      case EventType::kTicketResolved:
        if (e.reason == "satisfied") {
          Bump(m.tickets_satisfied);
        } else if (e.reason == "unsatisfied") {
          Bump(m.tickets_unsatisfied);
        }
        break;
      case EventType::kReferral:
        Bump(m.referrals);
        break;
      case EventType::kPaymentDefault:
        Bump(m.payment_defaults);
        break;
      case EventType::kExitSurvey:
      case EventType::kSubscriptionCancelled:
        // The latest reason wins; at equal times the later event in the input.
        if (m.exit_day == kNever || e.at >= exit_at) {
          m.exit_reason = ParseExitReason(e.reason);
          m.exit_day = day;
          exit_at = e.at;
        }
        break;
      case EventType::kUnsubscribe:
        if (std::optional<ChannelKind> c = ParseChannelKind(e.channel)) {
          m.unsubscribed_channels = static_cast<std::uint8_t>(m.unsubscribed_channels |
                                                              (1u << static_cast<unsigned>(*c)));
        }
        break;
      default:
        break;
    }
  }
  return m;
}

Date ReturnLookbackStart(Date as_of, std::int32_t window_days, std::int32_t gap_days) {
  return as_of.PlusDays(2 - window_days - gap_days);
}

std::int32_t LastReturnDayFromLookback(std::span<const Instant> times, std::int32_t first_order_day,
                                       Date lookback_start, std::int32_t gap_days) {
  std::int32_t last_return = kNever;
  std::int32_t previous = kNever;
  for (const Instant t : times) {
    const std::int32_t day = DayOf(t);
    // The first order of the lookback is a return when an older order exists: that one is
    // at least gap_days before any order in the window (ReturnLookbackStart).
    const bool is_return =
        previous == kNever ? first_order_day < lookback_start.days() : day - previous >= gap_days;
    if (is_return) last_return = day;
    previous = day;
  }
  return last_return;
}

bool AggregatesCurrentAsOf(const store::CustomerAggregates& a, Date as_of) {
  return !a.last_activity_at || *a.last_activity_at < AsOfCutoff(as_of);
}

namespace {

std::int32_t DayOrNever(const std::optional<Instant>& t) { return t ? DayOf(*t) : kNever; }

std::int32_t Saturate(std::int64_t n) {
  return static_cast<std::int32_t>(
      std::min<std::int64_t>(n, std::numeric_limits<std::int32_t>::max()));
}

}  // namespace

OrderMetrics OrderMetricsFromAggregates(const store::CustomerAggregates& a) {
  OrderMetrics m;
  m.orders = a.orders;
  m.refunded_orders = a.refunded_orders;
  m.cancelled_orders = a.cancelled_orders;
  if (a.orders == 0) return m;
  m.frequency = a.purchase_days;
  m.first_order_day = DayOrNever(a.first_order_at);
  m.last_order_day = DayOrNever(a.last_order_at);
  m.currency = a.currency;
  m.total_minor = a.revenue_minor;
  m.other_currency_orders = a.other_currency_orders;
  const std::int64_t in_main = a.orders - a.other_currency_orders;
  if (in_main > 0) m.mean_minor = (m.total_minor + in_main / 2) / in_main;
  return m;
}

EngagementMetrics EngagementMetricsFromAggregates(const store::CustomerAggregates& a) {
  EngagementMetrics m;
  m.last_email_day = DayOrNever(a.last_engagement_at[static_cast<int>(ChannelKind::kEmail)]);
  m.last_sms_day = DayOrNever(a.last_engagement_at[static_cast<int>(ChannelKind::kSms)]);
  m.last_whatsapp_day = DayOrNever(a.last_engagement_at[static_cast<int>(ChannelKind::kWhatsapp)]);
  m.last_chat_day = DayOrNever(a.last_chat_at);
  m.last_visit_day = DayOrNever(a.last_visit_at);
  m.complaints = Saturate(a.complaints);
  m.tickets_satisfied = Saturate(a.tickets_satisfied);
  m.tickets_unsatisfied = Saturate(a.tickets_unsatisfied);
  m.referrals = Saturate(a.referrals);
  m.payment_defaults = Saturate(a.payment_defaults);
  if (a.exit_at) {
    m.exit_reason = ParseExitReason(a.exit_reason);
    m.exit_day = DayOf(*a.exit_at);
  }
  m.unsubscribed_channels = static_cast<std::uint8_t>(a.unsubscribed_channels & 0xffu);
  return m;
}

}  // namespace winback::analytics
