// Every feature of the churn classifier against a customer written by hand: orders and events
// chosen so that each column has a known value, computed here by hand (days counted on the
// calendar), so a feature written to the wrong column, or computed on the wrong window, fails.
// As-of day D = 2024-06-30, horizon 90 days.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/bgnbd.h"
#include "models/churn_dataset.h"
#include "models/summary.h"
#include "store/store.h"
#include "tests/models/test_store.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

// Customer "a" is the hand-computed one. "b" buys once, on D itself; "c" never buys; d0..d9
// give the BG/NBD fit something to fit.
constexpr char kCustomers[] =
    "id\n"
    "a\nb\nc\n"
    "d0\nd1\nd2\nd3\nd4\nd5\nd6\nd7\nd8\nd9\n";

// Purchase days of "a" by D (completed, local day): 2024-01-01 (two orders, 100 + 20),
// 2024-03-01 (50), 2024-06-10 (30 USD and 99 EUR: the EUR order counts as a purchase but adds no
// value, USD being the main currency). Days before D = 2024-06-30: 181, 121 and 20.
constexpr char kOrdersOfA[] =
    "o1,a,2024-01-01T10:00:00Z,100.00,USD,completed\n"
    "o2,a,2024-01-01T18:00:00Z,20.00,USD,completed\n"
    "o3,a,2024-03-01T10:00:00Z,50.00,USD,completed\n"
    "o4,a,2024-06-10T10:00:00Z,30.00,USD,completed\n"
    "o5,a,2024-06-10T11:00:00Z,99.00,EUR,completed\n"
    "o6,a,2024-05-01T10:00:00Z,40.00,USD,refunded\n"
    "o7,a,2024-06-20T10:00:00Z,10.00,USD,cancelled\n"
    "o11,a,2024-02-02T10:00:00Z,10.00,USD,cancelled\n"
    "o8,a,2024-07-15T10:00:00Z,40.00,USD,refunded\n"   // after D: not counted
    "o9,a,2024-08-01T10:00:00Z,25.00,USD,completed\n"  // in (D, D + 90]: label 0
    // Local day 2024-06-30 (UTC 2024-07-01): by D.
    "o10,b,2024-06-30T23:30:00-05:00,15.00,USD,completed\n";

constexpr char kEventsOfA[] =
    "id,customer_id,type,time,channel,reason,score,value,currency,ref,text\n"
    "e1,a,email_click,2024-02-01T09:00:00Z,,,,,,,\n"
    "e2,a,email_open,2024-06-25T09:00:00Z,,,,,,,\n"
    "e3,a,whatsapp_read,2024-04-01T09:00:00Z,,,,,,,\n"  // 90 days before D: not within 90
    "e4,a,visit,2024-01-15T09:00:00Z,,,,,,,\n"
    "e5,a,visit,2024-06-29T09:00:00Z,,,,,,,\n"
    "e6,a,visit,2024-06-30T23:30:00Z,,,,,,,\n"  // last UTC minute of D: counted
    "e7,a,visit,2024-07-01T00:00:00Z,,,,,,,\n"  // D + 1 at 00:00 UTC: not counted
    "e8,a,call,2024-05-31T09:00:00Z,,,,,,,\n"
    "e9,a,complaint,2023-12-01T09:00:00Z,,,,,,,\n"
    "e10,a,complaint,2024-06-01T09:00:00Z,,,,,,,\n"
    "e11,a,complaint,2024-07-05T09:00:00Z,,,,,,,\n"  // after D
    "e12,a,ticket_resolved,2024-02-10T09:00:00Z,,satisfied,,,,t1,\n"
    "e13,a,ticket_resolved,2024-06-02T09:00:00Z,,unsatisfied,,,,t2,\n"
    "e14,a,ticket_resolved,2024-06-03T09:00:00Z,,unsatisfied,,,,t3,\n"
    "e15,a,review,2024-03-05T09:00:00Z,,,4,,,,\n"
    "e16,a,review,2024-06-05T09:00:00Z,,,1,,,,\n"
    "e17,a,cart_abandoned,2024-01-20T09:00:00Z,,,,10.00,USD,,\n"
    "e18,a,cart_abandoned,2024-06-15T09:00:00Z,,,,12.00,USD,,\n"
    "e19,a,payment_default,2024-05-05T09:00:00Z,,,,5.00,USD,,\n"
    "e20,a,referral,2024-02-20T09:00:00Z,,,,,,c,\n"
    "e21,a,unsubscribe,2024-05-10T09:00:00Z,sms,,,,,,\n"
    "e22,a,unsubscribe,2024-05-11T09:00:00Z,sms,,,,,,\n"  // the same channel again
    "e24,a,bounce,2024-04-10T09:00:00Z,email,,,,,,\n"
    "e25,a,exit_survey,2024-03-10T09:00:00Z,,price,,,,,\n"
    "e26,a,subscription_cancelled,2024-06-12T09:00:00Z,,moved,,,,,\n"  // the latest exit
    // More of some kinds, so that counts differ from column to column.
    "e27,a,sms_click,2024-06-26T09:00:00Z,,,,,,,\n"
    "e28,a,sms_click,2024-06-27T09:00:00Z,,,,,,,\n"
    "e29,a,sms_click,2024-06-28T09:00:00Z,,,,,,,\n"
    "e30,a,payment_default,2024-01-10T09:00:00Z,,,,5.00,USD,,\n"
    "e31,a,payment_default,2024-02-10T09:00:00Z,,,,5.00,USD,,\n"
    "e32,a,payment_default,2024-03-10T09:00:00Z,,,,5.00,USD,,\n"
    "e33,a,referral,2024-03-01T09:00:00Z,,,,,,c,\n"
    "e34,a,referral,2024-03-02T09:00:00Z,,,,,,c,\n"
    "e35,a,referral,2024-03-03T09:00:00Z,,,,,,c,\n"
    "e36,a,referral,2024-03-04T09:00:00Z,,,,,,c,\n"
    "e37,a,unsubscribe,2024-05-13T09:00:00Z,whatsapp,,,,,,\n";

// d<i>: first purchase on 2024-01-01 + 7 i days, then (i % 4) more, 30 days apart.
struct Filler {
  std::string id;
  std::vector<Date> days;
};

std::vector<Filler> Fillers() {
  std::vector<Filler> out;
  const Date start = Date::FromYmd(2024, 1, 1).value();
  for (int i = 0; i < 10; ++i) {
    Filler f{"d" + std::to_string(i), {}};
    for (int k = 0; k <= i % 4; ++k) f.days.push_back(start.PlusDays(7 * i + 30 * k));
    out.push_back(f);
  }
  return out;
}

class ChurnFeaturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<testing::ScratchDir>("churn_features");
    std::string orders = "id,customer_id,time,amount,currency,status\n";
    orders += kOrdersOfA;
    int n = 0;
    for (const Filler& f : Fillers()) {
      for (const Date& d : f.days) {
        orders += "f" + std::to_string(++n) + "," + f.id + "," + d.ToString() +
                  "T12:00:00Z,10.00,USD,completed\n";
      }
    }
    ASSERT_THAT(testing::WriteText(dir_->File("customers.csv"), kCustomers), IsOk());
    ASSERT_THAT(testing::WriteText(dir_->File("orders.csv"), orders), IsOk());
    ASSERT_THAT(testing::WriteText(dir_->File("events.csv"), kEventsOfA), IsOk());
    auto db = testing::ImportCsv(dir_->File("winback.db"), dir_->File("customers.csv"),
                                 dir_->File("orders.csv"), dir_->File("events.csv"));
    ASSERT_THAT(db, IsOk());
    db_ = std::move(db).value();
  }

  // Feature name -> value of the customer with external id `id`.
  std::map<std::string, double> Row(const ChurnDataset& data, const std::string& id) {
    Result<store::CustomerProfile> profile = db_->LoadCustomer(id);
    EXPECT_THAT(profile, IsOk());
    std::map<std::string, double> out;
    if (!profile.ok()) return out;
    const std::size_t width = data.feature_names.size();
    for (std::size_t r = 0; r < data.rows(); ++r) {
      if (data.keys[r] != profile->key) continue;
      for (std::size_t c = 0; c < width; ++c)
        out[data.feature_names[c]] = data.features[r * width + c];
      out["label"] = data.labels[r];
    }
    return out;
  }

  const Date as_of_ = Date::FromYmd(2024, 6, 30).value();
  std::unique_ptr<testing::ScratchDir> dir_;
  std::unique_ptr<store::Store> db_;
};

TEST_F(ChurnFeaturesTest, EveryFeatureOfAHandWrittenCustomer) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ChurnDataset data,
      BuildChurnDataset(*db_, {.as_of = as_of_, .btyd_features = BtydFeatures::kExclude}));
  std::map<std::string, double> a = Row(data, "a");
  ASSERT_FALSE(a.empty());
  const std::map<std::string, double> expected = {
      // Orders: purchase days 181, 121 and 20 days before D.
      {"log_recency_days", std::log1p(20.0)},
      {"log_tenure_days", std::log1p(181.0)},
      {"log_purchase_days", std::log1p(3.0)},
      {"log_purchase_days_30d", std::log1p(1.0)},
      {"log_purchase_days_90d", std::log1p(1.0)},
      {"log_purchase_days_365d", std::log1p(3.0)},
      {"log_mean_day_value", std::log1p((120.0 + 50.0 + 30.0) / 3.0)},
      {"overdue_ratio", 20.0 / ((181.0 - 20.0) / 2.0)},  // days since last / mean gap
      {"log_refunded_orders", std::log1p(1.0)},
      {"log_cancelled_orders", std::log1p(2.0)},
      // Events: last email engagement 2024-06-25, sms 2024-06-28, whatsapp 2024-04-01, visit
      // 2024-06-30, call 2024-05-31.
      {"log_days_since_email_engagement", std::log1p(5.0)},
      {"log_days_since_sms_engagement", std::log1p(2.0)},
      {"log_days_since_whatsapp_engagement", std::log1p(90.0)},
      {"log_days_since_visit", std::log1p(0.0)},
      {"log_days_since_chat", std::log1p(30.0)},
      {"log_visits_90d", std::log1p(2.0)},
      {"log_email_engagement_90d", std::log1p(1.0)},
      {"log_sms_engagement_90d", std::log1p(3.0)},
      {"log_whatsapp_engagement_90d", std::log1p(0.0)},
      {"log_complaints", std::log1p(2.0)},
      {"log_complaints_90d", std::log1p(1.0)},
      {"log_tickets_unsatisfied", std::log1p(2.0)},
      {"log_tickets_satisfied", std::log1p(1.0)},
      {"review_mean_score", (4.0 + 1.0) / 2.0},
      {"log_reviews", std::log1p(2.0)},
      {"log_carts_abandoned_90d", std::log1p(1.0)},
      {"log_payment_defaults", std::log1p(4.0)},
      {"log_referrals", std::log1p(5.0)},
      {"unsubscribed_channels", 2.0},
      {"bounced_channels", 1.0},
      // The latest exit: subscription cancelled, reason moved, 2024-06-12.
      {"exit_price", 0.0},
      {"exit_service", 0.0},
      {"exit_selection", 0.0},
      {"exit_feature", 0.0},
      {"exit_moved", 1.0},
      {"exit_other", 0.0},
      {"log_days_since_exit", std::log1p(18.0)},
      {"subscription_cancelled", 1.0},
      // Without the BG/NBD fit.
      {"btyd_p_alive", 1.0},
      {"btyd_log_expected_purchases", 0.0},
      // A completed order on 2024-08-01, within the horizon.
      {"label", 0.0},
  };
  ASSERT_EQ(data.feature_names.size() + 1, expected.size()) << "a feature without a test";
  for (const auto& [name, value] : expected) {
    ASSERT_TRUE(a.count(name)) << name;
    EXPECT_NEAR(a[name], value, 1e-12) << name;
  }
}

TEST_F(ChurnFeaturesTest, CustomerWithoutEventsOrRepeatAndTheLabels) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ChurnDataset data,
      BuildChurnDataset(*db_, {.as_of = as_of_, .btyd_features = BtydFeatures::kExclude}));
  // "c" never buys: not in the population; a, b and the ten fillers are.
  EXPECT_EQ(data.rows(), 12u);
  EXPECT_TRUE(Row(data, "c").empty());
  std::map<std::string, double> b = Row(data, "b");
  ASSERT_FALSE(b.empty());
  // One purchase on D's local day (2024-06-30 at UTC-5), no events, no order after.
  EXPECT_EQ(b["log_recency_days"], 0.0);
  EXPECT_EQ(b["log_tenure_days"], 0.0);
  EXPECT_DOUBLE_EQ(b["log_purchase_days"], std::log1p(1.0));
  EXPECT_DOUBLE_EQ(b["log_mean_day_value"], std::log1p(15.0));
  EXPECT_EQ(b["overdue_ratio"], 0.0);
  EXPECT_DOUBLE_EQ(b["log_days_since_visit"], std::log1p(3650.0));
  EXPECT_DOUBLE_EQ(b["log_days_since_exit"], std::log1p(3650.0));
  EXPECT_EQ(b["review_mean_score"], 0.0);
  EXPECT_EQ(b["exit_other"], 0.0);
  EXPECT_EQ(b["label"], 1.0);
}

TEST_F(ChurnFeaturesTest, BtydColumnsComeFromBgNbdFittedOnTheSummaryInDays) {
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnDataset data, BuildChurnDataset(*db_, {.as_of = as_of_}));
  // The summary by hand, in days as of D: a has x = 2, t_x = 161, T = 181; d<i> has x = i % 4,
  // t_x = 30 x, T = 181 - 7 i; b (first purchase on D) is left out of the fit.
  SummaryTable table;
  table.frequency.push_back(2);
  table.recency.push_back(161);
  table.age.push_back(181);
  for (int i = 0; i < 10; ++i) {
    table.frequency.push_back(i % 4);
    table.recency.push_back(30.0 * (i % 4));
    table.age.push_back(181.0 - 7 * i);
  }
  FitOptions fo;
  fo.standard_errors = false;
  WINBACK_ASSERT_OK_AND_ASSIGN(BgNbdFit fit, FitBgNbd(table, fo));
  const std::map<std::string, double> a = Row(data, "a");
  ASSERT_FALSE(a.empty());
  const CustomerRfm rfm_a{2, 161, 181};
  EXPECT_NEAR(a.at("btyd_p_alive"), fit.model.ProbabilityAlive(rfm_a), 1e-12);
  EXPECT_NEAR(a.at("btyd_log_expected_purchases"),
              std::log1p(fit.model.ConditionalExpectedPurchases(rfm_a, 90)), 1e-12);
  // b is not in the summary: P(alive) 1 and the expectation of a new customer.
  const std::map<std::string, double> b = Row(data, "b");
  EXPECT_EQ(b.at("btyd_p_alive"), 1.0);
  EXPECT_NEAR(b.at("btyd_log_expected_purchases"), std::log1p(fit.model.ExpectedPurchases(90)),
              1e-12);
  // The other columns do not depend on the fit.
  const std::map<std::string, double> without = [&] {
    auto d = BuildChurnDataset(*db_, {.as_of = as_of_, .btyd_features = BtydFeatures::kExclude});
    return d.ok() ? Row(*d, "a") : std::map<std::string, double>();
  }();
  for (const auto& [name, value] : without) {
    if (name.starts_with("btyd_")) continue;
    EXPECT_EQ(a.at(name), value) << name;
  }
}

}  // namespace
}  // namespace winback::models
