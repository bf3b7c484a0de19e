#include "measure/experiment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "measure/outcomes.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::measure {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Instant At(const char* timestamp) { return ParseTimestamp(timestamp)->instant; }

// --- ParseExperiment -------------------------------------------------------------------------

TEST(ParseExperimentTest, ReadsArmsInFileOrder) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      Experiment e, ParseExperiment("\xEF\xBB\xBF"
                                    "customer_id,arm\r\nc1,b\r\nc2,control\r\n\"c,3\",b\r\n",
                                    "exp.csv"));
  EXPECT_EQ(e.file, "exp.csv");
  EXPECT_THAT(e.arms, ElementsAre("b", "control"));
  ASSERT_EQ(e.assignments.size(), 3u);
  EXPECT_EQ(e.assignments[0].customer_id, "c1");
  EXPECT_EQ(e.assignments[0].arm, 0u);
  EXPECT_EQ(e.assignments[1].arm, 1u);
  EXPECT_EQ(e.assignments[2].customer_id, "c,3");
  EXPECT_EQ(e.assignments[2].line, 4u);
}

TEST(ParseExperimentTest, AcceptsColumnsInEitherOrder) {
  WINBACK_ASSERT_OK_AND_ASSIGN(Experiment e, ParseExperiment("arm,customer_id\nx,c1\n", "f"));
  EXPECT_EQ(e.assignments[0].customer_id, "c1");
  EXPECT_THAT(e.arms, ElementsAre("x"));
}

TEST(ParseExperimentTest, RejectsBadHeaders) {
  EXPECT_THAT(ParseExperiment("", "exp.csv"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "exp.csv: empty file; expected the header customer_id,arm"));
  EXPECT_THAT(ParseExperiment("customer_id\nc1\n", "exp.csv"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "exp.csv:1: header: missing column 'arm'; expected the header "
                           "customer_id,arm"));
  EXPECT_THAT(ParseExperiment("customer_id,arm,variant\n", "exp.csv"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "exp.csv:1: header: unknown column 'variant'; the columns are "
                           "customer_id and arm"));
  EXPECT_THAT(
      ParseExperiment("customer_id,arm,arm\n", "exp.csv"),
      StatusIsWith(StatusCode::kInvalidArgument, "exp.csv:1: header: column 'arm' appears twice"));
  EXPECT_THAT(
      ParseExperiment("customer_id,arm\n", "exp.csv"),
      StatusIsWith(StatusCode::kInvalidArgument, "exp.csv: no assignments after the header"));
}

TEST(ParseExperimentTest, ListsEveryBadRowWithFileLineAndField) {
  const std::string text =
      "customer_id,arm\n"
      "c1,a\n"
      "c2\n"                // 3: too few fields
      ",a\n"                // 4: empty id
      "c3,\n"               // 5: empty arm
      "c4\xE2\x80\x8B,a\n"  // 6: zero-width space in the id
      "c1,b\n";             // 7: listed twice
  EXPECT_THAT(ParseExperiment(text, "exp.csv"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "exp.csv:3: 1 fields, expected 2\n"
                           "exp.csv:4: customer_id: empty\n"
                           "exp.csv:5: arm: empty\n"
                           "exp.csv:6: customer_id: U+200B at byte 3 is a control, invisible or "
                           "bidirectional-override character, not allowed in an id\n"
                           "exp.csv:7: customer_id: 'c1' is listed twice (first on line 2)"));
}

TEST(ParseExperimentTest, CountsErrorsBeyondTheListed) {
  std::string text = "customer_id,arm\n";
  for (int i = 0; i < 15; ++i) text += "c" + std::to_string(i) + "\n";
  const Result<Experiment> e = ParseExperiment(text, "exp.csv");
  EXPECT_THAT(e, StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("exp.csv:11: 1 fields")));
  EXPECT_THAT(e, StatusIsWith(StatusCode::kInvalidArgument, Not(HasSubstr("exp.csv:12:"))));
  EXPECT_THAT(e, StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("\n(and 5 more)")));
}

TEST(ParseExperimentTest, ReportsBrokenQuotesWithTheFile) {
  EXPECT_THAT(ParseExperiment("customer_id,arm\n\"c1,a\n", "exp.csv"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("exp.csv:2: ")));
}

TEST(ReadExperimentTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadExperiment("/nonexistent/exp.csv"), StatusIs(StatusCode::kNotFound));
}

TEST(MetricNameTest, NamesAreTheJsonKeys) {
  EXPECT_EQ(MetricName(Metric::kVisitRate), "visit_rate");
  EXPECT_EQ(MetricName(Metric::kConversionRate), "conversion_rate");
  EXPECT_EQ(MetricName(Metric::kRevenuePerCustomer), "revenue_per_customer");
}

// --- A store to measure on ---------------------------------------------------------------------

struct OrderSpec {
  const char* customer;
  const char* time;
  const char* amount;  // decimal, in major units
  const char* currency = "USD";
  OrderStatus status = OrderStatus::kCompleted;
};
struct EventSpec {
  const char* customer;
  EventType type;
  const char* time;
};

std::unique_ptr<store::Store> MakeStore(const std::vector<std::string>& customers,
                                        const std::vector<OrderSpec>& orders,
                                        const std::vector<EventSpec>& events) {
  Result<std::unique_ptr<store::Store>> st = store::OpenSqliteStore(":memory:");
  EXPECT_THAT(st.status(), IsOk());
  if (!st.ok()) return nullptr;
  Result<std::unique_ptr<store::ImportSession>> session = (*st)->BeginImport("test");
  EXPECT_THAT(session.status(), IsOk());
  if (!session.ok()) return nullptr;
  int serial = 0;
  for (const std::string& id : customers) {
    store::CustomerRecord c;
    c.id = id;
    Result<CustomerKey> key = (*session)->UpsertCustomer(c);
    EXPECT_THAT(key.status(), IsOk());
    if (!key.ok()) return nullptr;
    for (const OrderSpec& o : orders) {
      if (o.customer != id) continue;
      store::OrderRecord r;
      r.id = "o" + std::to_string(++serial);
      r.placed_at = At(o.time);
      r.currency = o.currency;
      r.amount_minor = *ParseMinorUnits(o.amount, *Currency::FromCode(o.currency));
      r.status = o.status;
      EXPECT_THAT((*session)->UpsertOrder(*key, r).status(), IsOk());
    }
    for (const EventSpec& e : events) {
      if (e.customer != id) continue;
      store::EventRecord r;
      r.id = "e" + std::to_string(++serial);
      r.type = e.type;
      r.at = At(e.time);
      EXPECT_THAT((*session)->UpsertEvent(*key, r).status(), IsOk());
    }
  }
  EXPECT_THAT((*session)->Commit().status(), IsOk());
  return *std::move(st);
}

// --- CollectOutcomes ---------------------------------------------------------------------------

TEST(CollectOutcomesTest, CountsVisitsCompletedOrdersAndRevenueInTheWindowOnly) {
  // Window [2024-05-01, 2024-05-15). Keys: a = 1, b = 2, c = 3, d = 4.
  std::unique_ptr<store::Store> st =
      MakeStore({"a", "b", "c", "d"},
                {{"a", "2024-05-01T00:00:00Z", "10.00"},  // first instant: in
                 {"a", "2024-05-14T23:59:59Z", "2.50"},   // in
                 {"a", "2024-05-15T00:00:00Z", "99.00"},  // the end is excluded
                 {"b", "2024-04-30T23:59:59Z", "5.00"},   // before
                 {"b", "2024-05-03T10:00:00Z", "7.00", "USD", OrderStatus::kRefunded},
                 {"c", "2024-05-03T10:00:00+02:00", "1.25"}},
                {{"a", EventType::kEmailOpen, "2024-05-02T00:00:00Z"},  // not a visit
                 {"b", EventType::kVisit, "2024-05-02T00:00:00Z"},
                 {"c", EventType::kVisit, "2024-05-20T00:00:00Z"},  // after
                 {"d", EventType::kVisit, "2024-05-14T12:00:00Z"}});
  ASSERT_NE(st, nullptr);
  const CustomerKey keys[] = {CustomerKey(1), CustomerKey(2), CustomerKey(3), CustomerKey(4)};
  WINBACK_ASSERT_OK_AND_ASSIGN(WindowOutcomes w,
                               CollectOutcomes(keys, At("2024-05-01"), At("2024-05-15"), *st));
  EXPECT_EQ(w.currency, "USD");
  ASSERT_EQ(w.customers.size(), 4u);
  EXPECT_FALSE(w.customers[0].visited);
  EXPECT_TRUE(w.customers[0].converted);
  EXPECT_EQ(w.customers[0].orders, 2);
  EXPECT_EQ(w.customers[0].revenue_minor, 1250);
  EXPECT_TRUE(w.customers[1].visited);
  EXPECT_FALSE(w.customers[1].converted);
  EXPECT_EQ(w.customers[1].revenue_minor, 0);
  EXPECT_FALSE(w.customers[2].visited);
  EXPECT_TRUE(w.customers[2].converted);
  EXPECT_EQ(w.customers[2].revenue_minor, 125);
  EXPECT_TRUE(w.customers[3].visited);
  EXPECT_FALSE(w.customers[3].converted);

  // A subset of the keys reads only those.
  const CustomerKey some[] = {CustomerKey(2), CustomerKey(4)};
  WINBACK_ASSERT_OK_AND_ASSIGN(WindowOutcomes s,
                               CollectOutcomes(some, At("2024-05-01"), At("2024-05-15"), *st));
  EXPECT_EQ(s.currency, "");
  ASSERT_EQ(s.customers.size(), 2u);
  EXPECT_TRUE(s.customers[0].visited);
  EXPECT_TRUE(s.customers[1].visited);
  EXPECT_FALSE(s.customers[1].converted);
}

TEST(CollectOutcomesTest, RejectsMixedCurrenciesAndBadArguments) {
  std::unique_ptr<store::Store> st = MakeStore({"a", "b"},
                                               {{"a", "2024-05-02T00:00:00Z", "10.00", "USD"},
                                                {"b", "2024-05-02T00:00:00Z", "10.00", "EUR"},
                                                {"b", "2024-06-02T00:00:00Z", "10.00", "USD"}},
                                               {});
  ASSERT_NE(st, nullptr);
  const CustomerKey keys[] = {CustomerKey(1), CustomerKey(2)};
  EXPECT_THAT(
      CollectOutcomes(keys, At("2024-05-01"), At("2024-05-15"), *st),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("more than one currency (EUR, USD)")));
  // One currency per window is enough: in June only USD was used.
  EXPECT_THAT(CollectOutcomes(keys, At("2024-06-01"), At("2024-06-15"), *st), IsOk());
  const CustomerKey unsorted[] = {CustomerKey(2), CustomerKey(1)};
  EXPECT_THAT(CollectOutcomes(unsorted, At("2024-05-01"), At("2024-05-15"), *st),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("strictly increasing")));
  EXPECT_THAT(CollectOutcomes(keys, At("2024-05-15"), At("2024-05-15"), *st),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("must end after")));
  WINBACK_ASSERT_OK_AND_ASSIGN(WindowOutcomes none,
                               CollectOutcomes({}, At("2024-05-01"), At("2024-05-15"), *st));
  EXPECT_TRUE(none.customers.empty());
}

// --- MeasureExperiment -------------------------------------------------------------------------

// Ten customers, five per arm; window [2024-05-01, 2024-05-15).
//   control t1..t5: visits t1, t2; orders t1 10.00, t2 20.00 (and t2 30.00 after the window).
//   treat   v1..v5: visits v1, v2, v3, v4; orders v1 10.00, v2 15.00 + 5.00, v3 40.00.
std::unique_ptr<store::Store> TwoArmStore() {
  return MakeStore({"t1", "t2", "t3", "t4", "t5", "v1", "v2", "v3", "v4", "v5", "other"},
                   {{"t1", "2024-05-02T09:00:00Z", "10.00"},
                    {"t2", "2024-05-03T09:00:00Z", "20.00"},
                    {"t2", "2024-05-20T09:00:00Z", "30.00"},
                    {"v1", "2024-05-02T09:00:00Z", "10.00"},
                    {"v2", "2024-05-04T09:00:00Z", "15.00"},
                    {"v2", "2024-05-05T09:00:00Z", "5.00"},
                    {"v3", "2024-05-06T09:00:00Z", "40.00"},
                    {"other", "2024-05-06T09:00:00Z", "999.00"}},
                   {{"t1", EventType::kVisit, "2024-05-01T08:00:00Z"},
                    {"t2", EventType::kVisit, "2024-05-01T08:00:00Z"},
                    {"v1", EventType::kVisit, "2024-05-01T08:00:00Z"},
                    {"v2", EventType::kVisit, "2024-05-01T08:00:00Z"},
                    {"v3", EventType::kVisit, "2024-05-01T08:00:00Z"},
                    {"v4", EventType::kVisit, "2024-05-01T08:00:00Z"},
                    {"v4", EventType::kVisit, "2024-05-02T08:00:00Z"}});
}

constexpr const char* kTwoArmFile =
    "customer_id,arm\n"
    "v1,treat\nt1,control\nv2,treat\nt2,control\nv3,treat\nt3,control\nv4,treat\nt4,control\n"
    "v5,treat\nt5,control\n";

ExperimentOptions Window() {
  ExperimentOptions o;
  o.start = At("2024-05-01");
  o.end = At("2024-05-15");
  return o;
}

TEST(MeasureExperimentTest, HandComputedTwoArmExperiment) {
  std::unique_ptr<store::Store> st = TwoArmStore();
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(Experiment e, ParseExperiment(kTwoArmFile, "exp.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(ExperimentResult r, MeasureExperiment(e, Window(), *st, *st));
  EXPECT_EQ(r.currency, "USD");
  ASSERT_EQ(r.arms.size(), 2u);
  EXPECT_EQ(r.control, 1u);  // the arm named "control", though "treat" comes first
  const ArmResult& control = r.arms[1];
  const ArmResult& treat = r.arms[0];
  EXPECT_EQ(treat.arm, "treat");
  EXPECT_EQ(control.n, 5);
  EXPECT_EQ(control.visitors, 2);
  EXPECT_EQ(control.converters, 2);
  EXPECT_EQ(control.revenue_minor, 3000);
  EXPECT_DOUBLE_EQ(control.visit_rate, 0.4);
  EXPECT_DOUBLE_EQ(control.conversion_rate, 0.4);
  EXPECT_DOUBLE_EQ(control.revenue_per_customer, 6.0);  // (10 + 20) / 5
  EXPECT_TRUE(control.lift.empty());
  EXPECT_EQ(treat.n, 5);
  EXPECT_EQ(treat.orders, 4);
  EXPECT_DOUBLE_EQ(treat.visit_rate, 0.8);
  EXPECT_DOUBLE_EQ(treat.conversion_rate, 0.6);
  EXPECT_DOUBLE_EQ(treat.revenue_per_customer, 14.0);  // (10 + 20 + 40) / 5
  ASSERT_EQ(treat.lift.size(), kMetricCount);

  // Visit rate: 0.8 - 0.4 = 0.4; se = sqrt(.8 * .2 / 5 + .4 * .6 / 5) = sqrt(0.08) = 0.282843;
  // z = 1.414214, p = 2 (1 - Phi(1.414214)) = 0.157299 (stats.norm.sf(2 ** .5) * 2);
  // relative 0.4 / 0.4 = 1.
  const Comparison& visit = treat.lift[0].comparison;
  EXPECT_NEAR(visit.diff, 0.4, 1e-15);
  EXPECT_NEAR(visit.se, std::sqrt(0.08), 1e-15);
  EXPECT_NEAR(visit.p_value, 0.15729920705028502, 1e-12);
  EXPECT_NEAR(*visit.relative_lift, 1.0, 1e-15);
  EXPECT_NEAR(visit.ci_low, 0.4 - 1.959963984540054 * std::sqrt(0.08), 1e-12);
  // Conversion: 0.6 - 0.4 = 0.2; se = sqrt(.24 / 5 + .24 / 5) = sqrt(0.096) = 0.309839.
  const Comparison& conversion = treat.lift[1].comparison;
  EXPECT_NEAR(conversion.diff, 0.2, 1e-15);
  EXPECT_NEAR(conversion.se, std::sqrt(0.096), 1e-15);
  EXPECT_NEAR(*conversion.relative_lift, 0.5, 1e-15);
  // Revenue per customer (major units): treat {10, 20, 40, 0, 0}: mean 14, s^2 = (16 + 36 +
  // 676 + 196 + 196) / 4 = 280; control {10, 20, 0, 0, 0}: mean 6, s^2 = (16 + 196 + 36 * 3) / 4
  // = 80. diff 8, se = sqrt(280 / 5 + 80 / 5) = sqrt(72) = 8.485281; df = 72^2 / (56^2 / 4 +
  // 16^2 / 4) = 5184 / 848 = 6.113208; p = 2 * stats.t.sf(8 / sqrt(72), 6.113208) = 0.381530 (also
  // stats.ttest_ind(treat, control, equal_var=False)).
  const Comparison& revenue = treat.lift[2].comparison;
  EXPECT_NEAR(revenue.diff, 8.0, 1e-12);
  EXPECT_NEAR(revenue.se, std::sqrt(72.0), 1e-12);
  EXPECT_NEAR(revenue.df, 5184.0 / 848.0, 1e-12);
  EXPECT_NEAR(revenue.p_value, 0.3815297278226523, 1e-12);
  EXPECT_NEAR(*revenue.relative_lift, 8.0 / 6.0, 1e-14);
  // One non-control arm: Holm changes nothing.
  EXPECT_EQ(treat.lift[2].holm_p_value, revenue.p_value);
  // MDE of the conversion rate at 5 per arm: 2.801585 * sqrt(0.24 * 2 / 5) = 0.868039
  // ((stats.norm.ppf(.975) + stats.norm.ppf(.8)) * np.sqrt(0.096))
  EXPECT_NEAR(treat.lift[1].mde, 0.868039431418592, 1e-12);

  // 5 / 5 against equal shares: chi^2 = 0, p = 1.
  EXPECT_TRUE(r.equal_shares);
  EXPECT_EQ(r.sample_ratio.chi_square, 0.0);
  EXPECT_EQ(r.sample_ratio.p_value, 1.0);
  EXPECT_FALSE(r.sample_ratio.mismatch);
}

TEST(MeasureExperimentTest, ControlDefaultsToTheFirstArmAndCanBeChosen) {
  std::unique_ptr<store::Store> st = TwoArmStore();
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      Experiment e, ParseExperiment("customer_id,arm\nt1,a\nv1,b\nt2,a\nv2,b\n", "exp.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(ExperimentResult first, MeasureExperiment(e, Window(), *st, *st));
  EXPECT_EQ(first.control, 0u);
  EXPECT_TRUE(first.arms[0].lift.empty());
  EXPECT_EQ(first.arms[1].lift.size(), kMetricCount);
  ExperimentOptions o = Window();
  o.control = "b";
  WINBACK_ASSERT_OK_AND_ASSIGN(ExperimentResult chosen, MeasureExperiment(e, o, *st, *st));
  EXPECT_EQ(chosen.control, 1u);
  EXPECT_EQ(chosen.arms[0].lift.size(), kMetricCount);
  o.control = "nope";
  EXPECT_THAT(MeasureExperiment(e, o, *st, *st),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "control arm 'nope' is not in exp.csv; its arms are a, b"));
}

TEST(MeasureExperimentTest, ReportsUnknownCustomersWithTheirLines) {
  std::unique_ptr<store::Store> st = TwoArmStore();
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      Experiment e, ParseExperiment("customer_id,arm\nt1,a\nx9,b\nt2,a\nv2,b\nx10,a\n", "exp.csv"));
  EXPECT_THAT(MeasureExperiment(e, Window(), *st, *st),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "exp.csv:3: customer_id: no customer 'x9' in the store\n"
                           "exp.csv:6: customer_id: no customer 'x10' in the store"));
}

TEST(MeasureExperimentTest, RejectsTooSmallArmsAndSingleArms) {
  std::unique_ptr<store::Store> st = TwoArmStore();
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(Experiment small,
                               ParseExperiment("customer_id,arm\nt1,a\nv1,b\nt2,a\n", "exp.csv"));
  EXPECT_THAT(MeasureExperiment(small, Window(), *st, *st),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "exp.csv: arm 'b' has 1 customer; a comparison needs at least 2 per "
                           "arm"));
  WINBACK_ASSERT_OK_AND_ASSIGN(Experiment single,
                               ParseExperiment("customer_id,arm\nt1,a\nt2,a\n", "exp.csv"));
  EXPECT_THAT(MeasureExperiment(single, Window(), *st, *st),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("an experiment needs at least 2 arms, found 1 (a)")));
  ExperimentOptions empty_window = Window();
  empty_window.end = empty_window.start;
  WINBACK_ASSERT_OK_AND_ASSIGN(Experiment e, ParseExperiment(kTwoArmFile, "exp.csv"));
  EXPECT_THAT(MeasureExperiment(e, empty_window, *st, *st), StatusIs(StatusCode::kInvalidArgument));
}

TEST(MeasureExperimentTest, ChecksTheSplitAgainstDesignedShares) {
  // 8 in a, 2 in b. Equal shares: chi^2 = 2 * 3^2 / 5 = 3.6, p = chi2.sf(3.6, 1) = 0.0578.
  // Designed 4:1: expected 8 and 2, chi^2 = 0, p = 1.
  std::unique_ptr<store::Store> st = TwoArmStore();
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      Experiment e, ParseExperiment("customer_id,arm\nt1,a\nt2,a\nt3,a\nt4,a\nt5,a\nv1,a\nv2,a\n"
                                    "v3,a\nv4,b\nv5,b\n",
                                    "exp.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(ExperimentResult equal, MeasureExperiment(e, Window(), *st, *st));
  EXPECT_NEAR(equal.sample_ratio.chi_square, 3.6, 1e-12);
  EXPECT_NEAR(equal.sample_ratio.p_value, 0.05777957112359716, 1e-12);
  ExperimentOptions o = Window();
  o.expected_shares = {{"b", 1}, {"a", 4}};
  WINBACK_ASSERT_OK_AND_ASSIGN(ExperimentResult designed, MeasureExperiment(e, o, *st, *st));
  EXPECT_FALSE(designed.equal_shares);
  EXPECT_NEAR(designed.sample_ratio.chi_square, 0.0, 1e-12);
  o.expected_shares = {{"a", 4}};
  EXPECT_THAT(MeasureExperiment(e, o, *st, *st),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("no share given for arm 'b'")));
  o.expected_shares = {{"a", 4}, {"c", 1}};
  EXPECT_THAT(MeasureExperiment(e, o, *st, *st),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("share for arm 'c'")));
  o.expected_shares = {{"a", 4}, {"b", -1}};
  EXPECT_THAT(MeasureExperiment(e, o, *st, *st),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("must be positive")));
}

TEST(MeasureExperimentTest, HolmAdjustsAcrossNonControlArms) {
  std::unique_ptr<store::Store> st = TwoArmStore();
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      Experiment e, ParseExperiment("customer_id,arm\nt1,control\nt2,control\nt3,control\n"
                                    "v1,b\nv2,b\nv3,c\nv4,c\nv5,c\n",
                                    "exp.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(ExperimentResult r, MeasureExperiment(e, Window(), *st, *st));
  for (std::size_t m = 0; m < kMetricCount; ++m) {
    const double p[] = {r.arms[1].lift[m].comparison.p_value, r.arms[2].lift[m].comparison.p_value};
    const std::vector<double> adjusted = HolmAdjust(p);
    EXPECT_EQ(r.arms[1].lift[m].holm_p_value, adjusted[0]);
    EXPECT_EQ(r.arms[2].lift[m].holm_p_value, adjusted[1]);
  }
}

TEST(MeasureExperimentTest, MixedCurrenciesAreAnError) {
  std::unique_ptr<store::Store> st = MakeStore({"a", "b", "c", "d"},
                                               {{"a", "2024-05-02T00:00:00Z", "10.00", "USD"},
                                                {"c", "2024-05-02T00:00:00Z", "10.00", "EUR"}},
                                               {});
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(Experiment e,
                               ParseExperiment("customer_id,arm\na,x\nb,x\nc,y\nd,y\n", "exp.csv"));
  EXPECT_THAT(MeasureExperiment(e, Window(), *st, *st),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("more than one currency")));
}

TEST(MeasureExperimentTest, RevenueIsInMajorUnitsOfTheCurrency) {
  // JPY has no minor unit: 1500 JPY is 1500 minor units and 1500 in the output.
  std::unique_ptr<store::Store> st =
      MakeStore({"a", "b", "c", "d"}, {{"a", "2024-05-02T00:00:00Z", "1500", "JPY"}}, {});
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(Experiment e,
                               ParseExperiment("customer_id,arm\na,x\nb,x\nc,y\nd,y\n", "exp.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(ExperimentResult r, MeasureExperiment(e, Window(), *st, *st));
  EXPECT_EQ(r.currency, "JPY");
  EXPECT_DOUBLE_EQ(r.arms[0].revenue_per_customer, 750.0);
  EXPECT_EQ(r.arms[0].revenue_minor, 1500);
  EXPECT_DOUBLE_EQ(r.arms[1].revenue_per_customer, 0.0);
}

}  // namespace
}  // namespace winback::measure
