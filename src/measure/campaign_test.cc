#include "measure/campaign.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::measure {
namespace {

using store::MessageStatus;
using store::OutboxMessage;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Instant At(const char* timestamp) { return ParseTimestamp(timestamp)->instant; }

// Campaign "winback", one step "first" with variants a and b, holdout share 1/2, on 8
// customers c1..c8 (keys 1..8): c1..c4 treated (sent 2024-07-01 10:00), c5..c8 held out (due
// then). Orders in USD:
//
//   customer  arm      before the start     window [07-01, 07-31)          afterwards
//   c1        a, sent  03-01 50             07-05 30 (coupon WB-1)         08-01 20
//   c2        b, sent  02-01 100            -                              08-15 40
//   c3        a, sent  01-10 20             07-20 60                       -
//   c4        b, sent  -                    07-10 70 refunded              -
//   c5        a, hold  04-01 80             07-10 40, 07-25 10             (07-25 10)
//   c6        b, hold  -                    -                              -
//   c7        a, hold  05-01 30             -                              -
//   c8        b, hold  06-20 25             -                              -
//
// Tracking: c1 opened and clicked, c3 opened, c2 bounced, c4 unsubscribed; one event names a
// message that does not exist, one comes after as_of.
class MeasureCampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<store::Store>> st = store::OpenSqliteStore(":memory:");
    ASSERT_THAT(st, IsOk());
    store_ = *std::move(st);
    {
      WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("test"));
      for (int i = 1; i <= 8; ++i) {
        store::CustomerRecord c;
        c.id = "c" + std::to_string(i);
        ASSERT_THAT(session->UpsertCustomer(c), IsOk());
      }
      int n = 0;
      auto order = [&](int customer, const char* at, std::int64_t amount,
                       const std::string& coupon = "",
                       OrderStatus status = OrderStatus::kCompleted) {
        store::OrderRecord o;
        o.id = "o" + std::to_string(++n);
        o.customer_id = "c" + std::to_string(customer);
        o.placed_at = At(at);
        o.amount_minor = amount;
        o.currency = "USD";
        o.coupon = coupon;
        o.status = status;
        ASSERT_THAT(session->UpsertOrder(CustomerKey(customer), o), IsOk());
      };
      order(1, "2024-03-01T10:00:00Z", 5000);
      order(1, "2024-07-05T10:00:00Z", 3000, "WB-1");
      order(1, "2024-08-01T10:00:00Z", 2000);
      order(2, "2024-02-01T10:00:00Z", 10000);
      order(2, "2024-08-15T10:00:00Z", 4000);
      order(3, "2024-01-10T10:00:00Z", 2000);
      order(3, "2024-07-20T10:00:00Z", 6000);
      order(4, "2024-07-10T10:00:00Z", 7000, "", OrderStatus::kRefunded);
      order(5, "2024-04-01T10:00:00Z", 8000);
      order(5, "2024-07-10T10:00:00Z", 4000);
      order(5, "2024-07-25T10:00:00Z", 1000);
      order(7, "2024-05-01T10:00:00Z", 3000);
      order(8, "2024-06-20T10:00:00Z", 2500);
      auto event = [&](int customer, EventType type, const char* at, const std::string& ref) {
        store::EventRecord e;
        e.id = "e" + std::to_string(++n);
        e.customer_id = "c" + std::to_string(customer);
        e.type = type;
        e.at = At(at);
        e.ref = ref;
        if (type == EventType::kBounce || type == EventType::kUnsubscribe) e.channel = "email";
        ASSERT_THAT(session->UpsertEvent(CustomerKey(customer), e), IsOk());
      };
      event(1, EventType::kEmailOpen, "2024-07-01T12:00:00Z", "winback/first/c1/1");
      event(1, EventType::kEmailOpen, "2024-07-02T12:00:00Z", "winback/first/c1/1");
      event(1, EventType::kEmailClick, "2024-07-01T12:01:00Z", "winback/first/c1/1");
      event(3, EventType::kEmailOpen, "2024-07-03T12:00:00Z", "winback/first/c3/1");
      event(2, EventType::kBounce, "2024-07-01T10:01:00Z", "winback/first/c2/1");
      event(4, EventType::kUnsubscribe, "2024-07-02T10:00:00Z", "winback/first/c4/1");
      event(4, EventType::kEmailOpen, "2024-07-02T10:00:00Z", "winback/first/c99/1");
      event(3, EventType::kEmailClick, "2024-09-02T10:00:00Z", "winback/first/c3/1");
      event(3, EventType::kVisit, "2024-07-02T10:00:00Z", "winback/first/c3/1");
      ASSERT_THAT(session->Commit(), IsOk());
    }
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    for (int i = 1; i <= 8; ++i) {
      OutboxMessage m;
      m.key = "winback/first/c" + std::to_string(i) + "/1";
      m.customer = CustomerKey(i);
      m.campaign = "winback";
      m.step = "first";
      m.variant = i % 2 == 1 ? "a" : "b";
      m.channel = ChannelKind::kEmail;
      m.planned_at = At("2024-06-30T00:00:00Z");
      m.scheduled_at = At("2024-07-01T10:00:00Z");
      m.offer = "10off";
      m.coupon = "WB-" + std::to_string(i);
      m.offer_cost_minor = 500;
      m.currency = "USD";
      if (i <= 4) {
        m.status = MessageStatus::kSent;
        m.sent_at = At("2024-07-01T10:00:00Z");
      } else {
        m.status = MessageStatus::kHoldout;
      }
      Result<bool> added = write->AddMessage(m);
      ASSERT_THAT(added, IsOk());
      ASSERT_TRUE(*added);
    }
    ASSERT_THAT(write->Commit(), IsOk());
  }

  CampaignOptions Options() const {
    CampaignOptions o;
    o.as_of = At("2024-09-01T00:00:00Z");
    o.attribution_days = 30;
    o.holdout_share = 0.5;
    o.after_days = 30;
    o.message_cost_minor[0] = 10;
    o.message_cost_currency = "USD";
    return o;
  }

  std::unique_ptr<store::Store> store_;
};

TEST_F(MeasureCampaignTest, CountsTheFunnelPerStepAndVariant) {
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult r,
                               MeasureCampaign("winback", Options(), *store_, *store_));
  ASSERT_EQ(r.funnel.size(), 2u);
  const FunnelRow& a = r.funnel[0];
  EXPECT_EQ(a.step, "first");
  EXPECT_EQ(a.variant, "a");
  EXPECT_EQ(a.planned, 2);   // c1, c3
  EXPECT_EQ(a.held_out, 2);  // c5, c7
  EXPECT_EQ(a.sent, 2);
  EXPECT_EQ(a.delivered, 2);
  EXPECT_EQ(a.opened, 2);   // c1 twice: one message
  EXPECT_EQ(a.clicked, 1);  // c3's click is after as_of
  EXPECT_EQ(a.bounced, 0);
  EXPECT_EQ(a.converted, 2);           // c1, c3
  EXPECT_EQ(a.held_out_converted, 1);  // c5
  EXPECT_EQ(a.coupons_redeemed, 1);    // WB-1
  const FunnelRow& b = r.funnel[1];
  EXPECT_EQ(b.variant, "b");
  EXPECT_EQ(b.planned, 2);
  EXPECT_EQ(b.sent, 2);
  EXPECT_EQ(b.delivered, 1);  // c2 bounced
  EXPECT_EQ(b.bounced, 1);
  EXPECT_EQ(b.unsubscribed, 1);
  EXPECT_EQ(b.opened, 0);
  EXPECT_EQ(b.converted, 0);  // c4's order was refunded
  EXPECT_EQ(b.held_out_converted, 0);
  EXPECT_EQ(r.unmatched_events, 1);
}

TEST_F(MeasureCampaignTest, ComputesTheLiftAgainstTheHoldoutByHand) {
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult r,
                               MeasureCampaign("winback", Options(), *store_, *store_));
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(r.targeted, 8);
  EXPECT_EQ(r.treated.customers, 4);
  EXPECT_EQ(r.treated.complete_windows, 4);
  EXPECT_EQ(r.treated.converted, 2);
  EXPECT_EQ(r.treated.revenue_minor, 9000);
  EXPECT_DOUBLE_EQ(r.treated.revenue_per_customer, 22.5);
  EXPECT_EQ(r.holdout.customers, 4);
  EXPECT_EQ(r.holdout.converted, 1);
  EXPECT_EQ(r.holdout.orders, 2);
  EXPECT_DOUBLE_EQ(r.holdout.revenue_per_customer, 12.5);
  // 4 and 4 against shares 1/2: chi-square 0.
  EXPECT_DOUBLE_EQ(r.sample_ratio.chi_square, 0.0);
  EXPECT_FALSE(r.sample_ratio.mismatch);
  EXPECT_DOUBLE_EQ(r.planned_n, 8.0);

  // Conversion: 2/4 against 1/4; se = sqrt(.5 .5 / 4 + .25 .75 / 4) = sqrt(0.109375).
  ASSERT_TRUE(r.conversion_rate.has_value());
  const Comparison& c = r.conversion_rate->plain;
  const double se = std::sqrt(0.109375);
  EXPECT_DOUBLE_EQ(c.diff, 0.25);
  EXPECT_NEAR(c.se, se, 1e-12);
  EXPECT_NEAR(c.ci_low, 0.25 - 1.959963984540054 * se, 1e-9);
  EXPECT_NEAR(c.ci_high, 0.25 + 1.959963984540054 * se, 1e-9);
  EXPECT_NEAR(c.p_value, 0.44969179, 1e-6);  // 2 (1 - Phi(0.755929)), SciPy
  EXPECT_DOUBLE_EQ(*c.relative_lift, 1.0);
  // CUPED on the orders before the start, X = [1,1,1,0 | 1,0,1,1], Y = [1,0,1,0 | 1,0,0,0]:
  // pooled cov(Y, X) = (3 - 8 (3/8)(6/8)) / 7, var(X) = (6 - 8 (6/8)^2) / 7: theta = 0.75/1.5.
  EXPECT_NEAR(r.conversion_rate->cuped.theta, 0.5, 1e-12);
  // Both arms have mean X 0.75, the pooled mean: the adjustment moves neither mean.
  EXPECT_NEAR(r.conversion_rate->cuped.adjusted.diff, 0.25, 1e-12);
  // The always-valid interval is wider than the fixed one and centred on the same diff.
  EXPECT_LT(r.conversion_rate->sequential.ci_low, c.ci_low);
  EXPECT_GT(r.conversion_rate->sequential.ci_high, c.ci_high);

  // Revenue: [30, 0, 60, 0] against [50, 0, 0, 0]; variances 825 and 625; se = sqrt(362.5).
  ASSERT_TRUE(r.revenue_per_customer.has_value());
  const Comparison& m = r.revenue_per_customer->plain;
  EXPECT_NEAR(m.diff, 10.0, 1e-12);
  EXPECT_NEAR(m.se, std::sqrt(362.5), 1e-12);
  EXPECT_NEAR(*m.relative_lift, 0.8, 1e-12);
  // Welch-Satterthwaite: 362.5^2 / ((825/4)^2/3 + (625/4)^2/3) = 5.888...
  EXPECT_NEAR(m.df, 362.5 * 362.5 / ((206.25 * 206.25 + 156.25 * 156.25) / 3), 1e-9);

  // Incremental: times the 4 treated customers; profit net of the one redeemed offer (5.00)
  // and the 4 e-mails sent at 0.10.
  ASSERT_TRUE(r.incremental_customers && r.incremental_revenue && r.incremental_profit);
  EXPECT_DOUBLE_EQ(r.incremental_customers->value, 1.0);
  EXPECT_NEAR(r.incremental_customers->ci_low, 4 * c.ci_low, 1e-12);
  EXPECT_NEAR(r.incremental_revenue->value, 40.0, 1e-12);
  EXPECT_EQ(r.offer_cost_minor, 500);
  EXPECT_EQ(r.message_cost_minor, 40);
  EXPECT_NEAR(r.incremental_profit->value, 34.6, 1e-12);
  EXPECT_NEAR(r.incremental_profit->ci_high, 4 * m.ci_high - 5.4, 1e-9);
}

TEST_F(MeasureCampaignTest, ComparesVariantsAndFollowsWonBackCustomersAfterwards) {
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult r,
                               MeasureCampaign("winback", Options(), *store_, *store_));
  ASSERT_EQ(r.variants.size(), 1u);
  const StepVariants& sv = r.variants[0];
  EXPECT_EQ(sv.step, "first");
  ASSERT_EQ(sv.variants.size(), 2u);
  EXPECT_EQ(sv.variants[0].variant, "a");
  EXPECT_DOUBLE_EQ(sv.variants[0].conversion_rate, 1.0);
  EXPECT_FALSE(sv.variants[0].comparison.has_value());
  ASSERT_TRUE(sv.variants[1].comparison.has_value());
  EXPECT_DOUBLE_EQ(sv.variants[1].comparison->diff, -1.0);
  EXPECT_DOUBLE_EQ(sv.srm_p_value, 1.0);
  // Neither variant varies (2/2 against 0/2): se 0, so p is 0 (stats.h) and a wins.
  EXPECT_EQ(*sv.variants[1].holm_p_value, 0.0);
  EXPECT_EQ(sv.winner, "a");

  // Afterwards, 30 days after the win-back order: c1 (07-05 -> 08-01: 20.00) and c3 (none);
  // c5 of the holdout came back on its own and again (07-25: 10.00).
  EXPECT_EQ(r.after.days, 30);
  EXPECT_EQ(r.after.treated.customers, 2);
  EXPECT_EQ(r.after.treated.repeaters, 1);
  EXPECT_DOUBLE_EQ(r.after.treated.revenue_per_customer, 10.0);
  EXPECT_EQ(r.after.holdout.customers, 1);
  EXPECT_DOUBLE_EQ(r.after.holdout.repeat_rate, 1.0);
  EXPECT_FALSE(r.after.repeat_rate.has_value());  // one holdout customer: no comparison
}

TEST_F(MeasureCampaignTest, LeavesMessagesAfterAWinnerTookOverOutOfTheComparison) {
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult all,
                               MeasureCampaign("winback", Options(), *store_, *store_));
  EXPECT_EQ(all.first_start, At("2024-07-01T10:00:00Z"));
  ASSERT_EQ(all.variants.size(), 1u);
  EXPECT_EQ(all.variants[0].after_takeover, 0);
  EXPECT_FALSE(all.variants[0].variants[1].underpowered);  // significant: a wins

  // Every message was planned 2024-06-30: a takeover then leaves none in the comparison.
  CampaignOptions o = Options();
  o.ab_until["first"] = At("2024-06-30T00:00:00Z");
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult r, MeasureCampaign("winback", o, *store_, *store_));
  ASSERT_EQ(r.funnel.size(), 2u);
  EXPECT_EQ(r.funnel[0].planned, 2);  // the funnel still counts them
  EXPECT_EQ(r.funnel[0].converted, 2);
  ASSERT_EQ(r.variants.size(), 1u);
  const StepVariants& sv = r.variants[0];
  EXPECT_EQ(sv.after_takeover, 4);  // the treated messages; held-out ones are never compared
  EXPECT_EQ(sv.variants[0].n, 0);
  EXPECT_EQ(sv.variants[1].n, 0);
  EXPECT_FALSE(sv.variants[1].comparison.has_value());
  EXPECT_EQ(sv.winner, "");
  // Empty arms: nothing is detectable, which is said.
  EXPECT_TRUE(std::isinf(sv.variants[1].mde));
  EXPECT_TRUE(sv.variants[1].underpowered);

  // A takeover one second later keeps them all; another step's takeover changes nothing.
  o.ab_until["first"] = At("2024-06-30T00:00:01Z");
  o.ab_until["second"] = At("2024-01-01T00:00:00Z");
  WINBACK_ASSERT_OK_AND_ASSIGN(r, MeasureCampaign("winback", o, *store_, *store_));
  EXPECT_EQ(r.variants[0].after_takeover, 0);
  EXPECT_EQ(r.variants[0].variants[1].n, 2);
  EXPECT_EQ(r.variants[0].winner, "a");
}

TEST_F(MeasureCampaignTest, DayByDayGivesWhatMeasuringEachDayGives) {
  CampaignOptions o = Options();
  o.planned_n = 8;
  const Date first = *Date::FromYmd(2024, 6, 28);  // before anything was planned
  const Date last = *Date::FromYmd(2024, 9, 1);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<DailyConversion> days,
                               MeasureConversionByDay("winback", o, first, last, *store_, *store_));
  // Nothing planned before 06-30: the first point is 06-30 (planned then, started 07-01).
  ASSERT_EQ(days.front().day.ToString(), "2024-06-30");
  ASSERT_EQ(days.size(), 64u);
  for (const DailyConversion& d : days) {
    CampaignOptions one = o;
    one.as_of = d.day.PlusDays(1).StartUtc();
    WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult r,
                                 MeasureCampaign("winback", one, *store_, *store_));
    SCOPED_TRACE(d.day.ToString());
    EXPECT_EQ(d.treated, r.treated.customers);
    EXPECT_EQ(d.holdout, r.holdout.customers);
    EXPECT_EQ(d.treated_converted, r.treated.converted);
    EXPECT_EQ(d.holdout_converted, r.holdout.converted);
    EXPECT_EQ(d.sample_ratio.p_value, r.sample_ratio.p_value);
    ASSERT_EQ(d.plain.has_value(), r.conversion_rate.has_value());
    if (d.plain) {
      EXPECT_EQ(d.plain->diff, r.conversion_rate->plain.diff);
      EXPECT_EQ(d.plain->ci_low, r.conversion_rate->plain.ci_low);
      EXPECT_EQ(d.sequential->ci_high, r.conversion_rate->sequential.ci_high);
    }
  }
  EXPECT_EQ(days[0].treated, 0);            // 06-30: planned, not started
  EXPECT_EQ(days[5].treated_converted, 1);  // 07-05: c1's order
  EXPECT_THAT(
      MeasureConversionByDay("winback", o, first, *Date::FromYmd(2024, 6, 29), *store_, *store_),
      StatusIs(StatusCode::kNotFound));
}

TEST_F(MeasureCampaignTest, CountsOnlyWhatHappenedBeforeAsOf) {
  CampaignOptions o = Options();
  o.as_of = At("2024-07-08T00:00:00Z");  // c3's and c5's orders are still to come
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult r, MeasureCampaign("winback", o, *store_, *store_));
  EXPECT_EQ(r.treated.converted, 1);
  EXPECT_EQ(r.treated.complete_windows, 0);
  EXPECT_EQ(r.holdout.converted, 0);
  EXPECT_EQ(r.after.treated.customers, 0);
  // Planned after as_of: not there yet.
  o.as_of = At("2024-06-01T00:00:00Z");
  EXPECT_THAT(MeasureCampaign("winback", o, *store_, *store_), StatusIs(StatusCode::kNotFound));
}

TEST_F(MeasureCampaignTest, FlagsABrokenSplit) {
  CampaignOptions o = Options();
  o.holdout_share = 0.01;
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult r, MeasureCampaign("winback", o, *store_, *store_));
  // chi-square = (4 - 7.92)^2 / 7.92 + (4 - 0.08)^2 / 0.08 = 194.0...
  EXPECT_NEAR(r.sample_ratio.chi_square,
              (4 - 7.92) * (4 - 7.92) / 7.92 + (4 - 0.08) * (4 - 0.08) / 0.08, 1e-9);
  EXPECT_TRUE(r.sample_ratio.mismatch);
}

TEST_F(MeasureCampaignTest, NotesCostsInAnotherCurrency) {
  CampaignOptions o = Options();
  o.message_cost_currency = "EUR";
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignResult r, MeasureCampaign("winback", o, *store_, *store_));
  EXPECT_EQ(r.message_cost_minor, 0);
  EXPECT_THAT(r.notes, ElementsAre(HasSubstr("counted as 0")));
}

TEST_F(MeasureCampaignTest, RejectsMixedCurrenciesAndBadOptions) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("eur"));
    store::OrderRecord o;
    o.id = "eur1";
    o.customer_id = "c6";
    o.placed_at = At("2024-07-02T10:00:00Z");
    o.amount_minor = 100;
    o.currency = "EUR";
    ASSERT_THAT(session->UpsertOrder(CustomerKey(6), o), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  EXPECT_THAT(MeasureCampaign("winback", Options(), *store_, *store_),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("more than one currency")));
  CampaignOptions o = Options();
  o.attribution_days = 0;
  EXPECT_THAT(MeasureCampaign("winback", o, *store_, *store_),
              StatusIs(StatusCode::kInvalidArgument));
  o = Options();
  o.holdout_share = 0;
  EXPECT_THAT(MeasureCampaign("winback", o, *store_, *store_),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(MeasureCampaign("nope", Options(), *store_, *store_),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(MeasureCampaign("a/b", Options(), *store_, *store_),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(CampaignNamesTest, ListsTheOutboxCampaigns) {
  Result<std::unique_ptr<store::Store>> st = store::OpenSqliteStore(":memory:");
  ASSERT_THAT(st, IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, CampaignNames(**st));
  EXPECT_THAT(names, ElementsAre());
}

TEST(FunnelEventTest, MapsTrackingEventTypes) {
  EXPECT_EQ(FunnelEventOf(EventType::kWhatsappRead), FunnelEvent::kOpened);
  EXPECT_EQ(FunnelEventOf(EventType::kSmsClick), FunnelEvent::kClicked);
  EXPECT_EQ(FunnelEventOf(EventType::kEmailReply), FunnelEvent::kReplied);
  EXPECT_EQ(FunnelEventOf(EventType::kComplaint), FunnelEvent::kComplained);
  EXPECT_EQ(FunnelEventOf(EventType::kVisit), std::nullopt);
}

}  // namespace
}  // namespace winback::measure
