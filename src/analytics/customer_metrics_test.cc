#include "analytics/customer_metrics.h"

#include <gtest/gtest.h>

#include <vector>

#include "analytics/internal/test_points.h"

namespace winback::analytics {
namespace {

using internal::D;
using internal::Event;
using internal::Order;
using store::EventType;
using store::OrderStatus;

TEST(OrderMetricsTest, RecencyFrequencyMonetaryTenure) {
  // Three completed orders on two local days, one refund, one cancel, one after as_of.
  std::vector<store::OrderPoint> orders = {
      Order("2024-01-10", 1000), Order("2024-01-10", 2000), Order("2024-03-01", 4000),
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
  a.placed_at = D("2024-01-01").StartUtc().PlusSeconds(22 * 3600);
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
  std::vector<store::OrderPoint> orders = {
      Order("2024-01-01", 100, "USD", OrderStatus::kRefunded)};
  const OrderMetrics m = ComputeOrderMetrics(orders, D("2024-02-01"), 180);
  EXPECT_FALSE(m.has_order());
  EXPECT_EQ(m.refunded_orders, 1);
  EXPECT_EQ(m.first_order_day, kNever);
  EXPECT_EQ(DaysSince(m.last_order_day, D("2024-02-01")), std::nullopt);
}

TEST(CompletedOrderDaysTest, SortsAndFiltersByStatusAndDay) {
  std::vector<store::OrderPoint> orders = {
      Order("2024-01-05"), Order("2024-01-01"),
      Order("2024-01-03", 1, "USD", OrderStatus::kCancelled), Order("2024-02-01")};
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
  EXPECT_EQ(m.unsubscribed_channels, 1u << static_cast<unsigned>(store::Channel::kSms));
}

TEST(ExitReasonTest, ParsesKnownAndMapsUnknownToOther) {
  EXPECT_EQ(ParseExitReason("price"), ExitReason::kPrice);
  EXPECT_EQ(ParseExitReason("moved"), ExitReason::kMoved);
  EXPECT_EQ(ParseExitReason("weird"), ExitReason::kOther);
  EXPECT_EQ(ParseExitReason(""), ExitReason::kNone);
  EXPECT_EQ(ExitReasonName(ExitReason::kFeature), "feature");
}

}  // namespace
}  // namespace winback::analytics
