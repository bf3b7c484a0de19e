// Scores a simulated business and checks the result against the simulator's ground truth.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>

#include "analytics/customer_metrics.h"
#include "analytics/rates.h"
#include "analytics/scorer.h"
#include "analytics/trends.h"
#include "ingest/importer.h"
#include "sim/simulator.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback {
namespace {

namespace fs = std::filesystem;

struct Truth {
  bool buyer = false;
  std::optional<Instant> died_at;
};

// truth.csv: id,buyer,acquired_at,lambda_per_day,p_dropout,spend_mean,alive_at_end,died_at,...
std::unordered_map<std::string, Truth> ReadTruth(const fs::path& path) {
  std::unordered_map<std::string, Truth> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) f.push_back(field);
    if (f.size() < 8) continue;
    Truth t;
    t.buyer = f[1] == "1" || f[1] == "true";
    if (!f[7].empty()) {
      Result<ParsedTimestamp> ts = ParseTimestamp(f[7]);
      if (ts.ok()) t.died_at = ts->instant;
    }
    out[f[0]] = t;
  }
  return out;
}

class SimulatedBusinessTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("winback_analytics_sim_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    sim::SimOptions options = sim::DefaultOptions();
    options.customers = 20'000;
    options.seed = 7;
    end_ = options.end;
    Result<sim::SimStats> stats = sim::Simulate(options, dir_->string());
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    Result<std::unique_ptr<store::Store>> st = store::OpenSqliteStore(":memory:");
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = st->release();
    ingest::ImportOptions import;
    import.files = {{ingest::FileKind::kCustomers, (*dir_ / "customers.csv").string(), std::nullopt},
                    {ingest::FileKind::kOrders, (*dir_ / "orders.csv").string(), std::nullopt},
                    {ingest::FileKind::kEvents, (*dir_ / "events.csv").string(), std::nullopt}};
    Result<ingest::ImportReport> report = ingest::Import(*store_, import);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->committed);
  }
  static void TearDownTestSuite() {
    delete store_;
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }

  static fs::path* dir_;
  static store::Store* store_;
  static Date end_;
};

fs::path* SimulatedBusinessTest::dir_ = nullptr;
store::Store* SimulatedBusinessTest::store_ = nullptr;
Date SimulatedBusinessTest::end_;

TEST_F(SimulatedBusinessTest, CustomersKilledEarlyAreInactiveOrLost) {
  ASSERT_NE(store_, nullptr);
  const analytics::ScoringConfig config;
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<store::CustomerScore> scores,
                               analytics::ScoreStore(*store_, config, end_));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::string> ids, store_->CustomerIds());
  EXPECT_EQ(scores.size(), 20'000u);
  const auto truth = ReadTruth(*dir_ / "truth.csv");
  ASSERT_EQ(truth.size(), 20'000u);

  // Killed early: dropped out at least 180 days before the end of the window.
  const Instant early = end_.PlusDays(-180).StartUtc();
  std::int64_t killed = 0, killed_gone = 0, alive_buyers = 0, alive_gone = 0;
  for (const store::CustomerScore& s : scores) {
    const Truth& t = truth.at(ids[static_cast<std::size_t>(s.key.value())]);
    const bool gone = s.lifecycle == "inactive" || s.lifecycle == "lost";
    if (t.died_at && *t.died_at < early) {
      ++killed;
      if (gone) ++killed_gone;
    } else if (t.buyer && !t.died_at) {
      ++alive_buyers;
      if (gone) ++alive_gone;
    }
  }
  const double killed_share = static_cast<double>(killed_gone) / static_cast<double>(killed);
  const double alive_share = static_cast<double>(alive_gone) / static_cast<double>(alive_buyers);
  std::printf("killed early: %lld, of them inactive/lost: %.4f; alive buyers: %lld, of them "
              "inactive/lost: %.4f\n",
              static_cast<long long>(killed), killed_share, static_cast<long long>(alive_buyers),
              alive_share);
  ASSERT_GT(killed, 1000);
  // The dropout happens right after the last purchase, so 180 days of silence follow it.
  EXPECT_GE(killed_share, 0.99);
  // Alive customers with low purchase rates look dormant too: the lifecycle is a signal, not
  // the truth. Still, far fewer of them.
  EXPECT_LT(alive_share, killed_share - 0.2);
}

TEST_F(SimulatedBusinessTest, ScoresRoundTripThroughTheStoreAndGroupsCoverBuyers) {
  ASSERT_NE(store_, nullptr);
  const analytics::ScoringConfig config;
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<store::CustomerScore> scores,
                               analytics::ScoreStore(*store_, config, end_));
  ASSERT_THAT(store_->WriteScores(end_, scores), IsOk());
  analytics::SegmentTableBuilder table("USD");
  std::int64_t read = 0;
  ASSERT_THAT(store_->ForEachScore(end_, [&](const store::CustomerScore& s) {
    ++read;
    table.Add(s);
    return Status::Ok();
  }), IsOk());
  EXPECT_EQ(read, 20'000);
  const analytics::SegmentTable t = table.Finish();
  const analytics::ScoreSummary summary = analytics::SummarizeScores(scores);
  EXPECT_EQ(t.segmented, summary.buyers);
  double share = 0;
  for (const analytics::SegmentRow& g : t.groups) share += g.revenue_share;
  EXPECT_NEAR(share, 1.0, 1e-9);
  // About 90% of simulated customers buy (never_buy_share = 0.1).
  EXPECT_NEAR(static_cast<double>(summary.buyers) / 20'000.0, 0.9, 0.02);
  // Quintiles: every R score 1..5 is used.
  std::map<int, std::int64_t> r;
  for (const store::CustomerScore& s : scores) ++r[s.r];
  for (int k = 1; k <= 5; ++k) EXPECT_GT(r[k], 0) << "R=" << k;
}

TEST_F(SimulatedBusinessTest, MonthlyRatesAreConsistent) {
  ASSERT_NE(store_, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<Date> b,
      analytics::PeriodBoundaries(analytics::Period::kMonth, end_.PlusDays(-729), end_));
  analytics::RatesAccumulator acc(b, 180);
  std::vector<std::int32_t> days;
  ASSERT_THAT(store_->ForEachCustomerOrders([&](CustomerKey, std::span<const store::OrderPoint> o) {
    analytics::CompletedOrderDays(o, end_, days);
    acc.Add(days);
    return Status::Ok();
  }), IsOk());
  const std::vector<analytics::PeriodRates> rates = acc.Rates();
  ASSERT_EQ(rates.size(), 24u);
  std::int64_t n = 0;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    const analytics::PeriodRates& r = rates[i];
    EXPECT_EQ(r.s, r.retained + r.churned);
    EXPECT_GE(r.e, r.retained + r.reactivated);
    EXPECT_LE(r.e, r.retained + r.reactivated + r.n);
    if (i > 0) {
      EXPECT_EQ(r.s, rates[i - 1].e);  // the end of one period is the next start
    }
    n += r.n;
  }
  // N sums to the buyers whose first order (UTC) is inside the months: the simulator's local
  // times put a few first orders just outside on the UTC clock.
  std::int64_t buyers = 0;
  ASSERT_THAT(store_->ForEachAggregates([&](const store::CustomerAggregates& a) {
    if (a.first_order_at && *a.first_order_at >= b.front().StartUtc() &&
        *a.first_order_at < end_.PlusDays(1).StartUtc()) {
      ++buyers;
    }
    return Status::Ok();
  }), IsOk());
  EXPECT_EQ(n, buyers);
}

}  // namespace
}  // namespace winback
