#include "analytics/customer_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "analytics/internal/test_points.h"
#include "analytics/lifecycle.h"
#include "store/aggregate_builder.h"

namespace winback::analytics {
namespace {

using internal::D;
using internal::Event;
using internal::Order;

TEST(OrderMetricsTest, RecencyFrequencyMonetaryTenure) {
  // Three completed orders on two local days, one refund, one cancel, one after as_of.
  std::vector<store::OrderPoint> orders = {Order("2024-01-10", 1000),
                                           Order("2024-01-10", 2000),
                                           Order("2024-03-01", 4000),
                                           Order("2024-03-05", 999, "USD", OrderStatus::kRefunded),
                                           Order("2024-03-06", 999, "USD", OrderStatus::kCancelled),
                                           Order("2024-07-01", 8000)};
  const OrderMetrics m = ComputeOrderMetrics(orders, D("2024-06-30"), 180);
  EXPECT_EQ(m.orders, 3);
  EXPECT_EQ(m.refunded_orders, 1);
  EXPECT_EQ(m.cancelled_orders, 1);
  EXPECT_EQ(m.frequency, 2);
  EXPECT_EQ(m.total_minor, 7000);
  EXPECT_EQ(m.mean_minor, 2333);  // 7000 / 3 = 2333.33
  EXPECT_EQ(m.currency, "USD");
  // Recency: 2024-03-01 -> 2024-06-30 is 121 days; tenure from 2024-01-10 is 172 days.
  EXPECT_EQ(DaysSince(m.last_order_day, D("2024-06-30")), 121);
  EXPECT_EQ(DaysSince(m.first_order_day, D("2024-06-30")), 172);
  EXPECT_EQ(m.last_return_day, kNever);  // gap 51 days < 180
}

TEST(OrderMetricsTest, OrderOnAsOfDayCountsAndRecencyIsZero) {
  std::vector<store::OrderPoint> orders = {Order("2024-06-30")};
  const OrderMetrics m = ComputeOrderMetrics(orders, D("2024-06-30"), 180);
  EXPECT_EQ(m.orders, 1);
  EXPECT_EQ(DaysSince(m.last_order_day, D("2024-06-30")), 0);
  EXPECT_FALSE(ComputeOrderMetrics(orders, D("2024-06-29"), 180).has_order());
}

TEST(OrderMetricsTest, FrequencyUsesLocalDays) {
  // 22:00Z and 23:00Z on 2024-01-01, the second written at +03:00: local 2024-01-02.
  store::OrderPoint a = Order("2024-01-01");
  a.placed_at = D("2024-01-01").StartUtc().PlusSeconds(std::int64_t{22} * 3600);
  store::OrderPoint b = a;
  b.placed_at = a.placed_at.PlusSeconds(3600);
  b.utc_offset_minutes = 180;
  std::vector<store::OrderPoint> orders = {a, b};
  const OrderMetrics m = ComputeOrderMetrics(orders, D("2024-02-01"), 180);
  EXPECT_EQ(m.frequency, 2);
  EXPECT_EQ(m.last_order_day, D("2024-01-01").days());  // Recency stays on UTC days.
}

TEST(OrderMetricsTest, MainCurrencyIsTheMostUsedAndOthersAreCounted) {
  std::vector<store::OrderPoint> orders = {Order("2024-01-01", 100, "EUR"),
                                           Order("2024-01-02", 5000, "TRY"),
                                           Order("2024-01-03", 7000, "TRY")};
  const OrderMetrics m = ComputeOrderMetrics(orders, D("2024-02-01"), 180);
  EXPECT_EQ(m.currency, "TRY");
  EXPECT_EQ(m.total_minor, 12000);
  EXPECT_EQ(m.mean_minor, 6000);
  EXPECT_EQ(m.other_currency_orders, 1);
}

TEST(OrderMetricsTest, CurrencyTieGoesToTheEarliestOrder) {
  std::vector<store::OrderPoint> orders = {Order("2024-01-02", 5000, "TRY"),
                                           Order("2024-01-01", 100, "EUR")};
  const OrderMetrics m = ComputeOrderMetrics(orders, D("2024-02-01"), 180);
  EXPECT_EQ(m.currency, "EUR");
  EXPECT_EQ(m.total_minor, 100);
}

TEST(OrderMetricsTest, LastReturnIsTheLatestOrderAfterALongGap) {
  std::vector<store::OrderPoint> orders = {Order("2023-01-01"), Order("2023-08-01"),
                                           Order("2023-08-05"), Order("2024-03-01"),
                                           Order("2024-03-02")};
  // Gaps: 212 (return on 2023-08-01), 4, 209 (return on 2024-03-01), 1.
  const OrderMetrics m = ComputeOrderMetrics(orders, D("2024-06-30"), 180);
  EXPECT_EQ(m.last_return_day, D("2024-03-01").days());
  EXPECT_EQ(ComputeOrderMetrics(orders, D("2024-06-30"), 210).last_return_day,
            D("2023-08-01").days());
}

TEST(OrderMetricsTest, NoCompletedOrders) {
  std::vector<store::OrderPoint> orders = {Order("2024-01-01", 100, "USD", OrderStatus::kRefunded)};
  const OrderMetrics m = ComputeOrderMetrics(orders, D("2024-02-01"), 180);
  EXPECT_FALSE(m.has_order());
  EXPECT_EQ(m.refunded_orders, 1);
  EXPECT_EQ(m.first_order_day, kNever);
  EXPECT_EQ(DaysSince(m.last_order_day, D("2024-02-01")), std::nullopt);
}

TEST(CompletedOrderDaysTest, SortsAndFiltersByStatusAndDay) {
  std::vector<store::OrderPoint> orders = {Order("2024-01-05"), Order("2024-01-01"),
                                           Order("2024-01-03", 1, "USD", OrderStatus::kCancelled),
                                           Order("2024-02-01")};
  std::vector<std::int32_t> days = {42};
  CompletedOrderDays(orders, D("2024-01-31"), days);
  EXPECT_EQ(days, (std::vector<std::int32_t>{D("2024-01-01").days(), D("2024-01-05").days()}));
}

TEST(EngagementMetricsTest, LatestDaysCountsAndExitReason) {
  std::vector<store::EventPoint> events = {
      Event("2024-01-01", EventType::kEmailOpen),
      Event("2024-02-01", EventType::kEmailClick),
      Event("2024-01-15", EventType::kSmsClick),
      Event("2024-01-20", EventType::kWhatsappReply),
      Event("2024-01-10", EventType::kCall),
      Event("2024-01-05", EventType::kChat),
      Event("2024-01-06", EventType::kVisit),
      Event("2024-01-07", EventType::kComplaint),
      Event("2024-01-08", EventType::kComplaint),
      Event("2024-01-09", EventType::kTicketResolved, "satisfied"),
      Event("2024-01-11", EventType::kTicketResolved, "unsatisfied"),
      Event("2024-01-12", EventType::kReferral),
      Event("2024-01-13", EventType::kPaymentDefault),
      Event("2024-03-01", EventType::kExitSurvey, "service"),
      Event("2024-04-01", EventType::kSubscriptionCancelled, "price"),
      Event("2024-02-02", EventType::kUnsubscribe, "", "sms"),
      Event("2024-09-01", EventType::kEmailOpen),  // after as_of
  };
  const EngagementMetrics m = ComputeEngagementMetrics(events, D("2024-06-30"));
  EXPECT_EQ(m.last_email_day, D("2024-02-01").days());
  EXPECT_EQ(m.last_sms_day, D("2024-01-15").days());
  EXPECT_EQ(m.last_whatsapp_day, D("2024-01-20").days());
  EXPECT_EQ(m.last_chat_day, D("2024-01-10").days());
  EXPECT_EQ(m.last_visit_day, D("2024-01-06").days());
  EXPECT_EQ(m.complaints, 2);
  EXPECT_EQ(m.tickets_satisfied, 1);
  EXPECT_EQ(m.tickets_unsatisfied, 1);
  EXPECT_EQ(m.referrals, 1);
  EXPECT_EQ(m.payment_defaults, 1);
  EXPECT_EQ(m.exit_reason, ExitReason::kPrice);
  EXPECT_EQ(m.exit_day, D("2024-04-01").days());
  EXPECT_EQ(m.unsubscribed_channels, 1u << static_cast<unsigned>(ChannelKind::kSms));
}

TEST(ExitReasonTest, ParsesKnownAndMapsUnknownToOther) {
  EXPECT_EQ(ParseExitReason("price"), ExitReason::kPrice);
  EXPECT_EQ(ParseExitReason("moved"), ExitReason::kMoved);
  EXPECT_EQ(ParseExitReason("weird"), ExitReason::kOther);
  EXPECT_EQ(ParseExitReason(""), ExitReason::kNone);
  EXPECT_EQ(ExitReasonName(ExitReason::kFeature), "feature");
}

// The aggregates of `orders` and `events`, as the store's import computes them.
store::CustomerAggregates Aggregate(const std::vector<store::OrderPoint>& orders,
                                    const std::vector<store::EventPoint>& events) {
  store::AggregateBuilder b{CustomerKey(1)};
  for (const store::OrderPoint& o : orders) {
    b.AddOrder(o.placed_at, o.utc_offset_minutes, o.amount_minor, o.currency, o.status);
  }
  for (const store::EventPoint& e : events) b.AddEvent(e.type, e.at, e.channel, e.reason, e.score);
  return b.Finish();
}

TEST(MetricsFromAggregatesTest, EqualToTheStreamsWhenCurrent) {
  std::vector<store::OrderPoint> orders = {
      Order("2024-01-10", 1000, "TRY"),
      Order("2024-01-10", 2000),
      Order("2024-03-01", 4001),
      Order("2024-02-01", 500, "TRY"),
      Order("2024-02-02", 700),
      Order("2024-03-05", 999, "USD", OrderStatus::kRefunded),
      Order("2024-03-06", 999, "USD", OrderStatus::kCancelled)};
  orders[1].utc_offset_minutes = -13 * 60;  // the previous local day
  std::vector<store::EventPoint> events = {
      Event("2024-01-02", EventType::kEmailOpen),
      Event("2024-02-02", EventType::kEmailClick),
      Event("2024-01-03", EventType::kSmsClick),
      Event("2024-01-04", EventType::kWhatsappRead),
      Event("2024-01-05", EventType::kVisit),
      Event("2024-01-06", EventType::kCall),
      Event("2024-01-07", EventType::kComplaint),
      Event("2024-01-08", EventType::kComplaint),
      Event("2024-01-09", EventType::kTicketResolved, "satisfied"),
      Event("2024-01-10", EventType::kTicketResolved, "unsatisfied"),
      Event("2024-01-11", EventType::kReferral),
      Event("2024-01-12", EventType::kPaymentDefault),
      Event("2024-02-01", EventType::kExitSurvey, "service"),
      Event("2024-02-01", EventType::kSubscriptionCancelled, "price"),
      Event("2024-01-13", EventType::kUnsubscribe, "", "sms"),
      Event("2024-01-14", EventType::kUnsubscribe, "", "whatsapp"),
      Event("2024-01-15", EventType::kNote),
      Event("2024-01-16", EventType::kBounce, "", "email")};
  const store::CustomerAggregates a = Aggregate(orders, events);
  const Date as_of = D("2024-03-06");
  ASSERT_TRUE(AggregatesCurrentAsOf(a, as_of));
  const OrderMetrics x = ComputeOrderMetrics(orders, as_of, 180);
  const OrderMetrics y = OrderMetricsFromAggregates(a);
  EXPECT_EQ(y.orders, x.orders);
  EXPECT_EQ(y.refunded_orders, x.refunded_orders);
  EXPECT_EQ(y.cancelled_orders, x.cancelled_orders);
  EXPECT_EQ(y.frequency, x.frequency);
  EXPECT_EQ(y.first_order_day, x.first_order_day);
  EXPECT_EQ(y.last_order_day, x.last_order_day);
  EXPECT_EQ(y.total_minor, x.total_minor);
  EXPECT_EQ(y.mean_minor, x.mean_minor);
  EXPECT_EQ(y.currency, x.currency);
  EXPECT_EQ(y.other_currency_orders, x.other_currency_orders);
  EXPECT_EQ(y.last_return_day, kNever);  // not in the aggregates
  const EngagementMetrics e = ComputeEngagementMetrics(events, as_of);
  const EngagementMetrics f = EngagementMetricsFromAggregates(a);
  EXPECT_EQ(f.last_email_day, e.last_email_day);
  EXPECT_EQ(f.last_sms_day, e.last_sms_day);
  EXPECT_EQ(f.last_whatsapp_day, e.last_whatsapp_day);
  EXPECT_EQ(f.last_chat_day, e.last_chat_day);
  EXPECT_EQ(f.last_visit_day, e.last_visit_day);
  EXPECT_EQ(f.complaints, e.complaints);
  EXPECT_EQ(f.tickets_satisfied, e.tickets_satisfied);
  EXPECT_EQ(f.tickets_unsatisfied, e.tickets_unsatisfied);
  EXPECT_EQ(f.referrals, e.referrals);
  EXPECT_EQ(f.payment_defaults, e.payment_defaults);
  EXPECT_EQ(f.exit_reason, e.exit_reason);  // the later of two at the same time: price
  EXPECT_EQ(f.exit_reason, ExitReason::kPrice);
  EXPECT_EQ(f.exit_day, e.exit_day);
  EXPECT_EQ(f.unsubscribed_channels, e.unsubscribed_channels);
  // A customer with nothing at all.
  const store::CustomerAggregates none = Aggregate({}, {});
  EXPECT_TRUE(AggregatesCurrentAsOf(none, as_of));
  EXPECT_FALSE(OrderMetricsFromAggregates(none).has_order());
  EXPECT_EQ(EngagementMetricsFromAggregates(none).exit_reason, ExitReason::kNone);
}

TEST(MetricsFromAggregatesTest, CurrentOnlyFromTheDayOfTheLastActivity) {
  store::CustomerAggregates a;
  a.last_activity_at = D("2024-03-06").StartUtc().PlusSeconds(86'399);
  EXPECT_TRUE(AggregatesCurrentAsOf(a, D("2024-03-06")));
  EXPECT_FALSE(AggregatesCurrentAsOf(a, D("2024-03-05")));
}

TEST(ReturnLookbackTest, HandComputedCases) {
  // as_of 2024-06-30, window 90 days, gap 180: L = as_of - 268 = 2023-10-06.
  const Date as_of = D("2024-06-30");
  const Date lookback = ReturnLookbackStart(as_of, 90, 180);
  EXPECT_EQ(lookback, D("2023-10-06"));
  auto times = [](const std::vector<const char*>& days) {
    std::vector<Instant> out;
    out.reserve(days.size());
    for (const char* d : days) out.push_back(D(d).StartUtc());
    return out;
  };
  const std::int32_t early = D("2022-01-01").days();
  // An older order exists: the first order of the look-back is a return.
  EXPECT_EQ(LastReturnDayFromLookback(times({"2024-06-01"}), early, lookback, 180),
            D("2024-06-01").days());
  // The first order ever is in the look-back: not a return.
  EXPECT_EQ(LastReturnDayFromLookback(times({"2024-06-01"}), D("2024-06-01").days(), lookback, 180),
            kNever);
  // A gap inside the look-back.
  EXPECT_EQ(LastReturnDayFromLookback(times({"2023-11-01", "2024-06-01", "2024-06-20"}),
                                      D("2023-11-01").days(), lookback, 180),
            D("2024-06-01").days());
  EXPECT_EQ(LastReturnDayFromLookback({}, early, lookback, 180), kNever);
}

TEST(ReturnLookbackTest, DecidesTheLifecycleLikeTheFullHistory) {
  std::mt19937 rng(42);
  const Date as_of = D("2024-06-30");
  for (int trial = 0; trial < 3000; ++trial) {
    const std::int32_t window = 1 + static_cast<std::int32_t>(rng() % 200);
    const std::int32_t gap = 1 + static_cast<std::int32_t>(rng() % 300);
    std::vector<store::OrderPoint> orders;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      store::OrderPoint o = Order("2024-01-01");
      o.placed_at = as_of.StartUtc()
                        .PlusDays(-static_cast<std::int64_t>(rng() % 900))
                        .PlusSeconds(static_cast<std::int64_t>(rng() % 86'400));
      orders.push_back(o);
    }
    std::sort(orders.begin(), orders.end(),
              [](const store::OrderPoint& a, const store::OrderPoint& b) {
                return a.placed_at < b.placed_at;
              });
    const OrderMetrics full = ComputeOrderMetrics(orders, as_of, gap);
    const Date lookback = ReturnLookbackStart(as_of, window, gap);
    std::vector<Instant> recent;
    for (const store::OrderPoint& o : orders) {
      if (o.placed_at >= lookback.StartUtc()) recent.push_back(o.placed_at);
    }
    const std::int32_t got = LastReturnDayFromLookback(recent, full.first_order_day, lookback, gap);
    const bool in_window =
        full.last_return_day != kNever && as_of.days() - full.last_return_day < window;
    const bool got_in_window = got != kNever && as_of.days() - got < window;
    ASSERT_EQ(got_in_window, in_window) << "trial " << trial;
    if (in_window) {
      ASSERT_EQ(got, full.last_return_day) << "trial " << trial;
    }
  }
}

}  // namespace
}  // namespace winback::analytics
