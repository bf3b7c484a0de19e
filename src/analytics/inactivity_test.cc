#include "analytics/inactivity.h"

#include <gtest/gtest.h>

#include "analytics/internal/test_points.h"
#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

using internal::D;

// A buyer whose last order was on `order_day`, last email engagement on `email_day`, last chat
// on `chat_day` (kNever allowed).
struct Customer {
  OrderMetrics orders;
  EngagementMetrics engagement;
};

Customer Make(std::int32_t order_day, std::int32_t email_day, std::int32_t chat_day) {
  Customer c;
  if (order_day != kNever) {
    c.orders.orders = 1;
    c.orders.first_order_day = order_day;
    c.orders.last_order_day = order_day;
  }
  c.engagement.last_email_day = email_day;
  c.engagement.last_chat_day = chat_day;
  return c;
}

const Date kAsOf = D("2024-06-30");
const std::int32_t kAsOfDay = kAsOf.days();

TEST(InactivityTest, DefaultRulesAllMustMatch) {
  const InactivityConfig config = DefaultInactivityConfig();
  // 180 days without an order (exactly the threshold), 90 without email, never chatted.
  Customer c = Make(kAsOfDay - 180, kAsOfDay - 90, kNever);
  InactivityResult r = EvaluateInactivity(config, c.orders, c.engagement, kAsOf);
  EXPECT_TRUE(r.inactive);
  EXPECT_EQ(r.matched, 0b111u);
  EXPECT_EQ(MatchedRuleNames(config, r.matched), "no_order_180d,no_email_90d,no_chat_90d");

  // One day short of the order threshold: not inactive, other rules still recorded.
  c = Make(kAsOfDay - 179, kAsOfDay - 90, kNever);
  r = EvaluateInactivity(config, c.orders, c.engagement, kAsOf);
  EXPECT_FALSE(r.inactive);
  EXPECT_EQ(MatchedRuleNames(config, r.matched), "no_email_90d,no_chat_90d");

  // An email click 89 days ago keeps an otherwise dormant customer active under "all".
  c = Make(kAsOfDay - 400, kAsOfDay - 89, kNever);
  EXPECT_FALSE(EvaluateInactivity(config, c.orders, c.engagement, kAsOf).inactive);
}

TEST(InactivityTest, AnyMatchesOnOneRule) {
  InactivityConfig config = DefaultInactivityConfig();
  config.combine = RuleCombination::kAny;
  Customer c = Make(kAsOfDay - 10, kAsOfDay - 10, kAsOfDay - 91);
  const InactivityResult r = EvaluateInactivity(config, c.orders, c.engagement, kAsOf);
  EXPECT_TRUE(r.inactive);
  EXPECT_EQ(MatchedRuleNames(config, r.matched), "no_chat_90d");
}

TEST(InactivityTest, NeverBoughtIsNotInactive) {
  Customer c = Make(kNever, kNever, kNever);
  const InactivityResult r =
      EvaluateInactivity(DefaultInactivityConfig(), c.orders, c.engagement, kAsOf);
  EXPECT_FALSE(r.inactive);
  EXPECT_EQ(r.matched, 0b111u);
}

TEST(InactivityTest, NoRulesNobodyInactive) {
  Customer c = Make(kAsOfDay - 1000, kNever, kNever);
  EXPECT_FALSE(EvaluateInactivity(InactivityConfig{}, c.orders, c.engagement, kAsOf).inactive);
}

TEST(InactivityTest, SignalsEngagementAndAny) {
  OrderMetrics o;
  o.orders = 1;
  o.last_order_day = kAsOfDay - 300;
  EngagementMetrics e;
  e.last_sms_day = kAsOfDay - 20;
  e.last_visit_day = kAsOfDay - 5;
  EXPECT_EQ(LastSignalDay(ActivitySignal::kEngagement, o, e), kAsOfDay - 20);
  EXPECT_EQ(LastSignalDay(ActivitySignal::kAny, o, e), kAsOfDay - 5);
  EXPECT_EQ(LastSignalDay(ActivitySignal::kWhatsapp, o, e), kNever);
  InactivityConfig config;
  config.rules = {{"quiet_30d", ActivitySignal::kAny, 30},
                  {"no_visit_5d", ActivitySignal::kVisit, 5}};
  const InactivityResult r = EvaluateInactivity(config, o, e, kAsOf);
  EXPECT_FALSE(r.inactive);
  EXPECT_EQ(r.matched, 0b10u);
}

TEST(InactivityTest, ParsesSignalNames) {
  EXPECT_EQ(ParseActivitySignal("chat"), ActivitySignal::kChat);
  EXPECT_EQ(ParseActivitySignal("engagement"), ActivitySignal::kEngagement);
  EXPECT_EQ(ParseActivitySignal("mail"), std::nullopt);
  EXPECT_EQ(ActivitySignalName(ActivitySignal::kAny), "any");
}

TEST(InactivityTest, ValidationNamesTheRule) {
  InactivityConfig config;
  config.rules = {{"a", ActivitySignal::kOrder, 10}, {"a", ActivitySignal::kEmail, 10}};
  EXPECT_THAT(ValidateInactivityConfig(config),
              StatusIsWith(StatusCode::kInvalidArgument, testing::HasSubstr("'a': duplicate")));
  config.rules = {{"b", ActivitySignal::kOrder, 0}};
  EXPECT_THAT(ValidateInactivityConfig(config), StatusIs(StatusCode::kInvalidArgument));
  config.rules = {{"", ActivitySignal::kOrder, 3}};
  EXPECT_THAT(ValidateInactivityConfig(config), StatusIs(StatusCode::kInvalidArgument));
  config.rules.assign(33, {"x", ActivitySignal::kOrder, 3});
  EXPECT_THAT(ValidateInactivityConfig(config), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateInactivityConfig(DefaultInactivityConfig()), IsOk());
}

}  // namespace
}  // namespace winback::analytics
