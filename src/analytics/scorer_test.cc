#include "analytics/scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <vector>

#include "analytics/internal/test_points.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

using internal::D;
using internal::Event;
using internal::Order;

const Date kAsOf = D("2024-06-30");

void AddCustomer(ScoreBuilder& builder, std::int64_t key,
                 const std::vector<store::OrderPoint>& orders,
                 const std::vector<store::EventPoint>& events = {}) {
  builder.Add(CustomerKey(key), ComputeOrderMetrics(orders, kAsOf, 180),
              ComputeEngagementMetrics(events, kAsOf));
}

// Hand-computed: see the comments for each customer's R, F, M.
TEST(ScoreBuilderTest, HandComputedScoresSegmentsAndStates) {
  const ScoringConfig config;
  ScoreBuilder builder(config, kAsOf);
  // Added out of key order on purpose.
  AddCustomer(builder, 6, {Order("2024-06-01", 5000, "TRY"), Order("2024-06-15", 5000, "TRY")});
  AddCustomer(builder, 1,
              {Order("2024-04-01", 10000), Order("2024-05-01", 10000), Order("2024-06-10", 10000),
               Order("2024-06-20", 10000), Order("2024-06-29", 10000)});
  AddCustomer(builder, 2, {Order("2024-06-25", 500)});
  AddCustomer(builder, 3,
              {Order("2023-01-01", 20000), Order("2023-02-01", 20000), Order("2023-03-01", 20000),
               Order("2023-04-01", 20000)},
              {Event("2023-05-01", EventType::kReferral),
               Event("2023-06-01", EventType::kExitSurvey, "price")});
  AddCustomer(builder, 4, {Order("2023-10-01", 100)});
  AddCustomer(builder, 5, {}, {Event("2024-01-01", EventType::kPaymentDefault)});
  EXPECT_EQ(builder.size(), 6u);
  const std::vector<store::CustomerScore> s = builder.Finish();
  ASSERT_EQ(s.size(), 6u);
  for (std::size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i].key.value(), std::int64_t(i + 1));

  // Recency (days): 1, 5, 456, 273, -, 15. Frequency: 5, 1, 4, 1, -, 2.
  // R (lower is better, n = 5): worse = 4, 3, 0, 1, 2 -> 5, 4, 1, 2, 3.
  // F: worse = 4, 0, 3, 0, 2 -> 5, 1, 4, 1, 3.
  // M within USD (n = 4; means 10000, 500, 20000, 100): worse 2, 1, 3, 0 -> 3, 2, 4, 1;
  // the only TRY customer: 1.
  const int expected[6][3] = {{5, 5, 3}, {4, 1, 2}, {1, 4, 4}, {2, 1, 1}, {0, 0, 0}, {3, 3, 1}};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(s[i].r, expected[i][0]) << "customer " << i + 1;
    EXPECT_EQ(s[i].f, expected[i][1]) << "customer " << i + 1;
    EXPECT_EQ(s[i].m, expected[i][2]) << "customer " << i + 1;
  }
  EXPECT_EQ(s[0].segment, "loyal");
  EXPECT_EQ(s[0].group, "loyal");
  EXPECT_EQ(s[1].segment, "promising");
  EXPECT_EQ(s[1].group, "potentially_loyal");
  EXPECT_EQ(s[2].segment, "cant_lose_them");
  EXPECT_EQ(s[2].group, "high_value_lost");
  EXPECT_EQ(s[3].segment, "hibernating");
  EXPECT_EQ(s[3].group, "lost");
  EXPECT_EQ(s[4].segment, "");
  EXPECT_EQ(s[5].segment, "need_attention");  // (3, 3, 1)
  EXPECT_EQ(s[5].group, "loyal_at_risk");

  EXPECT_EQ(s[0].lifecycle, "active");  // first order exactly 90 days ago: no longer new
  EXPECT_EQ(s[1].lifecycle, "new");
  EXPECT_EQ(s[2].lifecycle, "lost");
  EXPECT_EQ(s[3].lifecycle, "inactive");
  EXPECT_EQ(s[4].lifecycle, "prospect");
  EXPECT_EQ(s[5].lifecycle, "new");

  EXPECT_EQ(s[0].recency_days, 1);
  EXPECT_EQ(s[0].tenure_days, 90);
  EXPECT_EQ(s[0].frequency, 5);
  EXPECT_EQ(s[0].monetary_total_minor, 50000);
  EXPECT_EQ(s[0].monetary_mean_minor, 10000);
  EXPECT_EQ(s[0].currency, "USD");
  EXPECT_EQ(s[5].currency, "TRY");
  EXPECT_EQ(s[4].recency_days, std::nullopt);

  EXPECT_FALSE(s[0].inactive);
  EXPECT_EQ(s[0].inactive_rules, "no_email_90d,no_chat_90d");
  EXPECT_TRUE(s[3].inactive);
  EXPECT_EQ(s[3].inactive_rules, "no_order_180d,no_email_90d,no_chat_90d");
  EXPECT_FALSE(s[4].inactive);  // never bought

  EXPECT_DOUBLE_EQ(s[2].readiness, 0.75);
  EXPECT_EQ(s[2].readiness_reasons, "referred_others,never_complained,left_over_price");
  EXPECT_EQ(s[4].let_go, "payment_default");
  EXPECT_EQ(s[0].let_go, "");

  const ScoreSummary summary = SummarizeScores(s);
  EXPECT_EQ(summary.customers, 6);
  EXPECT_EQ(summary.buyers, 5);
  EXPECT_EQ(summary.inactive, 2);
  EXPECT_EQ(summary.let_go, 1);
  EXPECT_EQ(summary.by_group.at("loyal"), 1);
  EXPECT_EQ(summary.by_group.at("loyal_at_risk"), 1);
  EXPECT_EQ(summary.by_lifecycle.at("new"), 2);
  EXPECT_EQ(summary.by_segment.at("hibernating"), 1);
}

TEST(ScoreBuilderTest, MonetaryTotalBasis) {
  ScoringConfig config;
  config.monetary = MonetaryBasis::kTotal;
  ScoreBuilder builder(config, kAsOf);
  // Means 100 and 60, totals 100 and 300: the total basis ranks customer 2 higher.
  AddCustomer(builder, 1, {Order("2024-06-01", 100)});
  AddCustomer(builder, 2,
              {Order("2024-06-01", 60), Order("2024-06-02", 120), Order("2024-06-03", 120)});
  const std::vector<store::CustomerScore> s = builder.Finish();
  EXPECT_EQ(s[0].m, 1);
  EXPECT_EQ(s[1].m, 3);  // worse = 1 of 2 -> 1 + 5/2 = 3
}

TEST(ScoringConfigTest, ValidatesEveryPart) {
  ScoringConfig config;
  EXPECT_THAT(ValidateScoringConfig(config), IsOk());
  config.lifecycle.lost_days = 10;
  EXPECT_THAT(ValidateScoringConfig(config), StatusIs(StatusCode::kInvalidArgument));
  config = ScoringConfig{};
  config.inactivity.rules.push_back({"", ActivitySignal::kOrder, 5});
  EXPECT_THAT(ValidateScoringConfig(config), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ScoreBuilderTest, MergedBuildersEqualOneBuilder) {
  const ScoringConfig config;
  ScoreBuilder one(config, kAsOf), first(config, kAsOf), second(config, kAsOf);
  // Different currencies first in each half, so Merge has to remap them.
  const std::vector<std::vector<store::OrderPoint>> orders = {
      {Order("2024-06-01", 5000, "TRY")},
      {Order("2024-05-01", 700)},
      {Order("2023-06-01", 900), Order("2024-06-20", 100)},
      {},
      {Order("2024-06-10", 300, "TRY"), Order("2024-06-11", 200, "TRY")},
      {Order("2024-01-01", 50)}};
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const auto key = static_cast<std::int64_t>(i + 1);
    AddCustomer(one, key, orders[i]);
    AddCustomer(i < 3 ? second : first, key, orders[i]);  // also out of key order
  }
  second.Merge(std::move(first));
  EXPECT_EQ(second.size(), orders.size());
  const std::vector<store::CustomerScore> a = one.Finish(), b = second.Finish();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key, b[i].key);
    EXPECT_EQ(a[i].currency, b[i].currency);
    EXPECT_EQ(a[i].r * 100 + a[i].f * 10 + a[i].m, b[i].r * 100 + b[i].f * 10 + b[i].m);
    EXPECT_EQ(a[i].segment, b[i].segment);
    EXPECT_EQ(a[i].lifecycle, b[i].lifecycle);
  }
}

TEST(ScoreBuilderTest, SinkGetsEveryScoreAndTheSummaryCountsThem) {
  const ScoringConfig config;
  ScoreBuilder builder(config, kAsOf);
  AddCustomer(builder, 2, {Order("2024-06-25", 500)});
  AddCustomer(builder, 1, {Order("2023-01-01"), Order("2023-02-01")},
              {Event("2024-01-01", EventType::kPaymentDefault)});
  AddCustomer(builder, 3, {});
  std::vector<store::CustomerScore> seen;
  WINBACK_ASSERT_OK_AND_ASSIGN(ScoreSummary summary, builder.Finish([&](store::CustomerScore& s) {
    seen.push_back(s);
    return Status::Ok();
  }));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].key, CustomerKey(1));
  EXPECT_EQ(seen[2].key, CustomerKey(3));
  EXPECT_FALSE(seen[2].recency_days.has_value());  // reused object, cleared for a prospect
  EXPECT_EQ(seen[2].segment, "");
  const ScoreSummary expected = SummarizeScores(seen);
  EXPECT_EQ(summary.customers, expected.customers);
  EXPECT_EQ(summary.buyers, expected.buyers);
  EXPECT_EQ(summary.let_go, 1);
  EXPECT_EQ(summary.by_lifecycle, expected.by_lifecycle);
  EXPECT_EQ(summary.by_group, expected.by_group);
  EXPECT_EQ(summary.by_segment, expected.by_segment);
  EXPECT_EQ(builder.size(), 0u);
  // A failing sink stops Finish with its error.
  ScoreBuilder again(config, kAsOf);
  AddCustomer(again, 1, {});
  AddCustomer(again, 2, {});
  int calls = 0;
  EXPECT_THAT(again
                  .Finish([&](store::CustomerScore&) {
                    ++calls;
                    return UnavailableError("disk full");
                  })
                  .status(),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(calls, 1);
}

TEST(ScoreBuilderTest, LastReturnDayTurnsActiveIntoReactivated) {
  const ScoringConfig config;
  ScoreBuilder builder(config, kAsOf);
  // Active: first order long ago, last one 10 days ago; the return is not known yet.
  const std::vector<store::OrderPoint> orders = {Order("2023-01-01"), Order("2024-06-20")};
  OrderMetrics m = ComputeOrderMetrics(orders, kAsOf, 180);
  m.last_return_day = kNever;
  EXPECT_EQ(builder.Add(CustomerKey(1), m, {}), Lifecycle::kActive);
  EXPECT_EQ(builder.Add(CustomerKey(2), m, {}), Lifecycle::kActive);
  builder.SetLastReturnDay(0, D("2024-06-20").days());  // 10 days ago: reactivated
  builder.SetLastReturnDay(1, D("2024-03-01").days());  // 121 days ago: still active
  const std::vector<store::CustomerScore> s = builder.Finish();
  EXPECT_EQ(s[0].lifecycle, "reactivated");
  EXPECT_EQ(s[1].lifecycle, "active");
}

// A store with three customers whose last activity is on 2024-06-30.
std::unique_ptr<store::Store> SmallStore() {
  Result<std::unique_ptr<store::Store>> st = store::OpenSqliteStore(":memory:");
  WINBACK_CHECK(st.ok());
  auto session = (*st)->BeginImport("test");
  WINBACK_CHECK(session.ok());
  auto order = [&](CustomerKey k, const char* id, const char* day, OrderStatus status) {
    store::OrderRecord o;
    o.id = id;
    o.placed_at = D(day).StartUtc().PlusSeconds(3600);
    o.amount_minor = 1000;
    o.currency = "USD";
    o.status = status;
    WINBACK_CHECK((*session)->UpsertOrder(k, o).ok());
  };
  std::vector<CustomerKey> keys;
  for (const char* id : {"a", "b", "c"}) {
    store::CustomerRecord c;
    c.id = id;
    Result<CustomerKey> k = (*session)->UpsertCustomer(c);
    WINBACK_CHECK(k.ok());
    keys.push_back(*k);
  }
  // a: came back after a long gap (reactivated); b: three orders with a return in the middle
  // of them; c: a refund on the last day.
  order(keys[0], "a1", "2023-01-01", OrderStatus::kCompleted);
  order(keys[0], "a2", "2024-06-01", OrderStatus::kCompleted);
  order(keys[1], "b1", "2023-01-01", OrderStatus::kCompleted);
  order(keys[1], "b2", "2024-05-01", OrderStatus::kCompleted);
  order(keys[1], "b3", "2024-06-10", OrderStatus::kCompleted);
  order(keys[2], "c1", "2024-01-01", OrderStatus::kCompleted);
  order(keys[2], "c2", "2024-06-30", OrderStatus::kRefunded);
  store::EventRecord e;
  e.id = "e1";
  e.type = EventType::kComplaint;
  e.at = D("2024-06-15").StartUtc();
  WINBACK_CHECK((*session)->UpsertEvent(keys[2], e).ok());
  WINBACK_CHECK((*session)->Commit().ok());
  return std::move(st).value();
}

TEST(BuildScoresTest, AggregatesWhenCurrentElseStreams) {
  std::unique_ptr<store::Store> st = SmallStore();
  store::Scanner* readers[] = {st.get()};
  const ScoringConfig config;
  for (const char* day : {"2024-06-30", "2024-09-30"}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(BuiltScores fast,
                                 BuildScores(readers, config, D(day), ScoreSource::kAuto));
    EXPECT_EQ(fast.source, ScoreSource::kAggregates);
    WINBACK_ASSERT_OK_AND_ASSIGN(BuiltScores slow,
                                 BuildScores(readers, config, D(day), ScoreSource::kStreams));
    EXPECT_EQ(slow.source, ScoreSource::kStreams);
    const std::vector<store::CustomerScore> a = fast.builder.Finish(), b = slow.builder.Finish();
    ASSERT_EQ(a.size(), 3u);
    ASSERT_EQ(b.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(a[i].lifecycle, b[i].lifecycle) << day << " " << i;
      EXPECT_EQ(a[i].let_go, b[i].let_go) << day << " " << i;
      EXPECT_EQ(a[i].readiness_reasons, b[i].readiness_reasons) << day << " " << i;
      EXPECT_EQ(a[i].recency_days, b[i].recency_days) << day << " " << i;
    }
    if (std::string(day) == "2024-06-30") {
      EXPECT_EQ(a[0].lifecycle, "reactivated");
      EXPECT_EQ(a[1].lifecycle, "reactivated");
    }
  }
  // The day before c's refund: only the streams know what happened then.
  WINBACK_ASSERT_OK_AND_ASSIGN(BuiltScores past,
                               BuildScores(readers, config, D("2024-06-29"), ScoreSource::kAuto));
  EXPECT_EQ(past.source, ScoreSource::kStreams);
  EXPECT_THAT(BuildScores(readers, config, D("2024-06-29"), ScoreSource::kAggregates).status(),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST(BuildScoresTest, ObserverSeesWhatTheStreamsRead) {
  std::unique_ptr<store::Store> st = SmallStore();
  store::Scanner* readers[] = {st.get()};
  const ScoringConfig config;
  std::vector<std::int64_t> order_keys, event_keys;
  std::size_t orders = 0;
  StreamObserver observer;
  observer.orders = [&](std::size_t part, CustomerKey key,
                        std::span<const store::OrderPoint> rows) {
    EXPECT_EQ(part, 0u);
    EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(),
                               [](const store::OrderPoint& a, const store::OrderPoint& b) {
                                 return a.placed_at < b.placed_at;
                               }));
    order_keys.push_back(key.value());
    orders += rows.size();
    return Status::Ok();
  };
  observer.events = [&](std::size_t, CustomerKey key, std::span<const store::EventPoint> rows) {
    event_keys.push_back(key.value());
    EXPECT_EQ(rows.size(), 1u);
    return Status::Ok();
  };
  // From the streams: every customer's orders (all statuses, also after the date) and events.
  WINBACK_ASSERT_OK_AND_ASSIGN(BuiltScores past, BuildScores(readers, config, D("2024-06-29"),
                                                             ScoreSource::kAuto, &observer));
  EXPECT_EQ(past.source, ScoreSource::kStreams);
  EXPECT_EQ(order_keys, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(orders, 7u);
  EXPECT_EQ(event_keys, (std::vector<std::int64_t>{3}));
  // From the aggregates: nothing is streamed, so nothing is seen.
  order_keys.clear();
  event_keys.clear();
  WINBACK_ASSERT_OK_AND_ASSIGN(BuiltScores today, BuildScores(readers, config, D("2024-06-30"),
                                                              ScoreSource::kAuto, &observer));
  EXPECT_EQ(today.source, ScoreSource::kAggregates);
  EXPECT_TRUE(order_keys.empty());
  EXPECT_TRUE(event_keys.empty());
  // An error of the observer stops the run.
  observer.orders = [](std::size_t, CustomerKey, std::span<const store::OrderPoint>) {
    return InternalError("observer failed");
  };
  EXPECT_THAT(
      BuildScores(readers, config, D("2024-06-29"), ScoreSource::kStreams, &observer).status(),
      StatusIs(StatusCode::kInternal));
}

}  // namespace
}  // namespace winback::analytics
