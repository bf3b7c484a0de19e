#include "analytics/readiness.h"

#include <gtest/gtest.h>

#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

TEST(ReadinessTest, AllFourCriteria) {
  EngagementMetrics e;
  e.referrals = 2;
  e.exit_reason = ExitReason::kPrice;
  Readiness r = ScoreReadiness(ReadinessConfig{}, e);
  // Referred, never complained, left over price; no resolved issue.
  EXPECT_DOUBLE_EQ(r.score, 0.75);
  EXPECT_EQ(ReadinessReasonNames(r.reasons), "referred_others,never_complained,left_over_price");

  e.complaints = 1;
  e.tickets_satisfied = 1;
  r = ScoreReadiness(ReadinessConfig{}, e);
  EXPECT_DOUBLE_EQ(r.score, 0.75);
  EXPECT_EQ(ReadinessReasonNames(r.reasons), "referred_others,issues_resolved,left_over_price");

  e.tickets_unsatisfied = 1;  // One resolution left them unhappy.
  e.exit_reason = ExitReason::kService;
  r = ScoreReadiness(ReadinessConfig{}, e);
  EXPECT_DOUBLE_EQ(r.score, 0.25);
  EXPECT_EQ(ReadinessReasonNames(r.reasons), "referred_others");
}

TEST(ReadinessTest, MoreComplaintsThanSatisfiedResolutionsIsNotResolved) {
  EngagementMetrics e;
  e.complaints = 2;
  e.tickets_satisfied = 1;
  EXPECT_EQ(ScoreReadiness(ReadinessConfig{}, e).reasons, 0);
}

TEST(ReadinessTest, WeightsAreConfigurable) {
  ReadinessConfig c;
  c.left_over_price = 2;  // total 5
  EngagementMetrics e;
  e.complaints = 1;
  e.exit_reason = ExitReason::kPrice;
  EXPECT_DOUBLE_EQ(ScoreReadiness(c, e).score, 0.4);
  c = ReadinessConfig{0, 0, 0, 0};
  EXPECT_THAT(ValidateReadinessConfig(c), StatusIs(StatusCode::kInvalidArgument));
  c = ReadinessConfig{-1, 1, 1, 1};
  EXPECT_THAT(ValidateReadinessConfig(c),
              StatusIsWith(StatusCode::kInvalidArgument, testing::HasSubstr("referred_others")));
  EXPECT_THAT(ValidateReadinessConfig(ReadinessConfig{}), IsOk());
}

TEST(LetGoTest, EachRule) {
  const LetGoConfig c;
  OrderMetrics o;
  o.orders = 2;
  EngagementMetrics e;
  EXPECT_EQ(EvaluateLetGo(c, o, e), 0);
  e.payment_defaults = 1;
  EXPECT_EQ(LetGoReasonNames(EvaluateLetGo(c, o, e)), "payment_default");
  e = EngagementMetrics{};
  e.complaints = 3;
  e.tickets_satisfied = 1;  // 2 unresolved
  EXPECT_EQ(LetGoReasonNames(EvaluateLetGo(c, o, e)), "unresolved_complaints");
  e.tickets_satisfied = 2;  // 1 unresolved
  EXPECT_EQ(EvaluateLetGo(c, o, e), 0);
  e = EngagementMetrics{};
  o.refunded_orders = 2;  // 2 / 4 = 0.5
  EXPECT_EQ(LetGoReasonNames(EvaluateLetGo(c, o, e)), "refunds");
  o.orders = 3;  // 2 / 5 = 0.4
  EXPECT_EQ(EvaluateLetGo(c, o, e), 0);
  e.unsubscribed_channels = 7;
  EXPECT_EQ(LetGoReasonNames(EvaluateLetGo(c, o, e)), "unsubscribed");
  e.unsubscribed_channels = 3;
  EXPECT_EQ(EvaluateLetGo(c, o, e), 0);
}

TEST(LetGoTest, RulesSwitchOff) {
  LetGoConfig c;
  c.payment_defaults = 0;
  c.unresolved_complaints = 0;
  c.max_refund_share = 0;
  c.unsubscribed_everywhere = false;
  OrderMetrics o;
  o.refunded_orders = 5;
  EngagementMetrics e;
  e.payment_defaults = 3;
  e.complaints = 9;
  e.unsubscribed_channels = 7;
  EXPECT_EQ(EvaluateLetGo(c, o, e), 0);
  c.max_refund_share = 1.5;
  EXPECT_THAT(ValidateLetGoConfig(c), StatusIs(StatusCode::kInvalidArgument));
  c = LetGoConfig{};
  c.payment_defaults = -1;
  EXPECT_THAT(ValidateLetGoConfig(c),
              StatusIsWith(StatusCode::kInvalidArgument, testing::HasSubstr("payment_defaults")));
}

}  // namespace
}  // namespace winback::analytics
