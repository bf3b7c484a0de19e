#include "analytics/lifecycle.h"

#include <gtest/gtest.h>

#include "analytics/internal/test_points.h"
#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

using internal::D;

const Date kAsOf = D("2024-06-30");

OrderMetrics Buyer(std::int32_t first_ago, std::int32_t last_ago, std::int32_t return_ago = -1) {
  OrderMetrics o;
  o.orders = 2;
  o.first_order_day = kAsOf.days() - first_ago;
  o.last_order_day = kAsOf.days() - last_ago;
  if (return_ago >= 0) o.last_return_day = kAsOf.days() - return_ago;
  return o;
}

Lifecycle Classify(const OrderMetrics& o, bool rules_inactive = false) {
  return ClassifyLifecycle(LifecycleConfig{}, o, rules_inactive, kAsOf);
}

TEST(LifecycleTest, EachStateAtItsThresholds) {
  EXPECT_EQ(Classify(OrderMetrics{}), Lifecycle::kProspect);
  EXPECT_EQ(Classify(Buyer(900, 365)), Lifecycle::kLost);
  EXPECT_EQ(Classify(Buyer(900, 364)), Lifecycle::kInactive);
  EXPECT_EQ(Classify(Buyer(900, 180)), Lifecycle::kInactive);
  EXPECT_EQ(Classify(Buyer(900, 179)), Lifecycle::kAtRisk);
  EXPECT_EQ(Classify(Buyer(900, 90)), Lifecycle::kAtRisk);
  EXPECT_EQ(Classify(Buyer(900, 89)), Lifecycle::kActive);
  EXPECT_EQ(Classify(Buyer(89, 0)), Lifecycle::kNew);
  EXPECT_EQ(Classify(Buyer(90, 0)), Lifecycle::kActive);
  EXPECT_EQ(Classify(Buyer(900, 10, 89)), Lifecycle::kReactivated);
  EXPECT_EQ(Classify(Buyer(900, 10, 90)), Lifecycle::kActive);
}

TEST(LifecycleTest, BusinessRulesMakeARecentBuyerInactiveButNotLost) {
  EXPECT_EQ(Classify(Buyer(900, 30), /*rules_inactive=*/true), Lifecycle::kInactive);
  EXPECT_EQ(Classify(Buyer(900, 400), /*rules_inactive=*/true), Lifecycle::kLost);
}

TEST(LifecycleTest, NamesRoundTrip) {
  for (int i = 0; i < kLifecycleCount; ++i) {
    EXPECT_EQ(ParseLifecycle(LifecycleName(static_cast<Lifecycle>(i))), static_cast<Lifecycle>(i));
  }
  EXPECT_EQ(LifecycleName(Lifecycle::kAtRisk), "at_risk");
}

TEST(LifecycleTest, ValidationNamesTheKey) {
  LifecycleConfig c;
  c.new_days = 0;
  EXPECT_THAT(ValidateLifecycleConfig(c),
              StatusIsWith(StatusCode::kInvalidArgument, testing::HasSubstr("lifecycle.new_days")));
  c = LifecycleConfig{};
  c.lost_days = 100;
  EXPECT_THAT(ValidateLifecycleConfig(c), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateLifecycleConfig(LifecycleConfig{}), IsOk());
}

}  // namespace
}  // namespace winback::analytics
