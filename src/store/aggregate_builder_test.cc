#include "store/aggregate_builder.h"

#include <gtest/gtest.h>

namespace winback::store {
namespace {

Instant T(const char* s) { return ParseTimestamp(s)->instant; }

TEST(AggregateBuilderTest, CountsCompletedOrdersOnly) {
  AggregateBuilder b{CustomerKey(7)};
  b.AddOrder(T("2024-01-05T10:00:00Z"), 0, 1000, "USD", OrderStatus::kCompleted);
  b.AddOrder(T("2024-01-01T10:00:00Z"), 0, 500, "USD", OrderStatus::kCompleted);
  b.AddOrder(T("2024-02-01T10:00:00Z"), 0, 9999, "USD", OrderStatus::kRefunded);
  b.AddOrder(T("2024-03-01T10:00:00Z"), 0, 9999, "USD", OrderStatus::kCancelled);
  const CustomerAggregates a = b.Finish();
  EXPECT_EQ(a.key, CustomerKey(7));
  EXPECT_EQ(a.orders, 2);
  EXPECT_EQ(a.refunded_orders, 1);
  EXPECT_EQ(a.cancelled_orders, 1);
  EXPECT_EQ(a.revenue_minor, 1500);
  EXPECT_EQ(a.currency, "USD");
  EXPECT_EQ(a.first_order_at, T("2024-01-01T10:00:00Z"));
  EXPECT_EQ(a.last_order_at, T("2024-01-05T10:00:00Z"));
  EXPECT_EQ(a.purchase_days, 2);
}

TEST(AggregateBuilderTest, PurchaseDaysUseTheLocalDay) {
  AggregateBuilder b{CustomerKey(1)};
  // 23:30 and 00:30 UTC fall on two UTC days but one Tehran day (+03:30): 03:00 and 04:00.
  b.AddOrder(T("2024-01-01T23:30:00Z"), 210, 100, "IRR", OrderStatus::kCompleted);
  b.AddOrder(T("2024-01-02T00:30:00Z"), 210, 100, "IRR", OrderStatus::kCompleted);
  // 21:00 UTC on Jan 2 is 00:30 on Jan 3 in Tehran: a second day.
  b.AddOrder(T("2024-01-02T21:00:00Z"), 210, 100, "IRR", OrderStatus::kCompleted);
  EXPECT_EQ(b.Finish().purchase_days, 2);
}

TEST(AggregateBuilderTest, MainCurrencyIsTheMostUsed) {
  AggregateBuilder b{CustomerKey(1)};
  b.AddOrder(T("2024-01-01T00:00:00Z"), 0, 100, "EUR", OrderStatus::kCompleted);
  b.AddOrder(T("2024-01-02T00:00:00Z"), 0, 200, "TRY", OrderStatus::kCompleted);
  b.AddOrder(T("2024-01-03T00:00:00Z"), 0, 300, "TRY", OrderStatus::kCompleted);
  const CustomerAggregates a = b.Finish();
  EXPECT_EQ(a.currency, "TRY");
  EXPECT_EQ(a.revenue_minor, 500);
  EXPECT_EQ(a.other_currency_orders, 1);
}

TEST(AggregateBuilderTest, CurrencyTieGoesToTheEarliest) {
  AggregateBuilder b{CustomerKey(1)};
  b.AddOrder(T("2024-01-02T00:00:00Z"), 0, 200, "TRY", OrderStatus::kCompleted);
  b.AddOrder(T("2024-01-01T00:00:00Z"), 0, 100, "EUR", OrderStatus::kCompleted);
  EXPECT_EQ(b.Finish().currency, "EUR");
}

TEST(AggregateBuilderTest, EventsFeedEngagementComplaintsAndExit) {
  AggregateBuilder b{CustomerKey(1)};
  b.AddEvent(EventType::kEmailOpen, T("2024-01-01T00:00:00Z"), "", "", std::nullopt);
  b.AddEvent(EventType::kEmailClick, T("2024-01-03T00:00:00Z"), "", "", std::nullopt);
  b.AddEvent(EventType::kWhatsappReply, T("2024-01-04T00:00:00Z"), "", "", std::nullopt);
  b.AddEvent(EventType::kVisit, T("2024-01-05T00:00:00Z"), "", "", std::nullopt);
  b.AddEvent(EventType::kCall, T("2024-01-06T00:00:00Z"), "", "", std::nullopt);
  b.AddEvent(EventType::kComplaint, T("2024-02-01T00:00:00Z"), "", "", std::nullopt);
  b.AddEvent(EventType::kComplaint, T("2024-01-15T00:00:00Z"), "", "", std::nullopt);
  b.AddEvent(EventType::kTicketResolved, T("2024-02-02T00:00:00Z"), "", "satisfied", std::nullopt);
  b.AddEvent(EventType::kTicketResolved, T("2024-02-03T00:00:00Z"), "", "unsatisfied",
             std::nullopt);
  b.AddEvent(EventType::kReview, T("2024-02-04T00:00:00Z"), "", "", 4);
  b.AddEvent(EventType::kReview, T("2024-02-05T00:00:00Z"), "", "", 2);
  b.AddEvent(EventType::kExitSurvey, T("2024-03-01T00:00:00Z"), "", "service", std::nullopt);
  b.AddEvent(EventType::kSubscriptionCancelled, T("2024-02-20T00:00:00Z"), "", "price",
             std::nullopt);
  b.AddEvent(EventType::kUnsubscribe, T("2024-03-02T00:00:00Z"), "sms", "", std::nullopt);
  b.AddEvent(EventType::kBounce, T("2024-03-02T00:00:00Z"), "email", "", std::nullopt);
  b.AddEvent(EventType::kPaymentDefault, T("2024-03-03T00:00:00Z"), "", "", std::nullopt);
  const CustomerAggregates a = b.Finish();
  EXPECT_EQ(a.last_engagement_at[0], T("2024-01-03T00:00:00Z"));
  EXPECT_FALSE(a.last_engagement_at[1].has_value());
  EXPECT_EQ(a.last_engagement_at[2], T("2024-01-04T00:00:00Z"));
  EXPECT_EQ(a.last_visit_at, T("2024-01-05T00:00:00Z"));
  EXPECT_EQ(a.last_chat_at, T("2024-01-06T00:00:00Z"));
  EXPECT_EQ(a.complaints, 2);
  EXPECT_EQ(a.last_complaint_at, T("2024-02-01T00:00:00Z"));
  EXPECT_EQ(a.tickets_satisfied, 1);
  EXPECT_EQ(a.tickets_unsatisfied, 1);
  EXPECT_EQ(a.reviews, 2);
  EXPECT_EQ(a.review_score_sum, 6);
  EXPECT_EQ(a.exit_reason, "service");  // The latest reason wins.
  EXPECT_EQ(a.unsubscribed_channels, 1u << 1);
  EXPECT_EQ(a.bounced_channels, 1u << 0);
  EXPECT_EQ(a.payment_defaults, 1);
  EXPECT_EQ(a.orders, 0);
  EXPECT_TRUE(a.currency.empty());
}

}  // namespace
}  // namespace winback::store
