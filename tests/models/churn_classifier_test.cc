// The churn classifier and the customer values on a simulated shop imported through
// ingest::Import: a time split at 2024-06-30 with a 90-day horizon.

#include "models/churn_classifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/money.h"
#include "models/bgnbd.h"
#include "models/customer_values.h"
#include "models/gamma_gamma.h"
#include "models/internal/purchase_days.h"
#include "models/logistic_regression.h"
#include "models/store_summary.h"
#include "sim/simulator.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/models/test_store.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

// One simulated shop shared by the tests of this file (simulating and importing is the slow
// part).
class ChurnClassifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::ScratchDir("churn");
    sim::SimOptions options;
    options.customers = 6000;
    options.seed = 7;
    options.threads = 2;
    Result<sim::SimStats> stats = sim::Simulate(options, dir_->path());
    ASSERT_THAT(stats, IsOk());
    auto db = testing::ImportCsv(dir_->File("winback.db"), dir_->File("customers.csv"),
                                 dir_->File("orders.csv"), dir_->File("events.csv"));
    ASSERT_THAT(db, IsOk());
    db_ = std::move(db).value().release();
  }
  static void TearDownTestSuite() {
    delete db_;
    delete dir_;
  }
  static ChurnOptions Options(ChurnModelKind kind) {
    ChurnOptions o;
    o.cutoff = Date::FromYmd(2024, 6, 30).value();
    o.horizon_days = 90;
    o.model = kind;
    // One thread: XGBoost's OpenMP workers spin on a loaded machine (24 s instead of 2 s).
    o.threads = 1;
    return o;
  }
  static void Print(const ChurnEvaluation& e) {
    std::printf(
        "%s: train %zu rows (churn %.3f), test %zu rows (churn %.3f): AUC %.4f, "
        "log-loss %.4f (baseline %.4f), Brier %.4f, %.2f s\n",
        std::string(ChurnModelName(e.model)).c_str(), e.train_rows, e.train_churn_rate, e.test_rows,
        e.test_churn_rate, e.auc, e.log_loss, e.baseline_log_loss, e.brier, e.seconds);
    for (const CalibrationBin& b : e.calibration) {
      if (b.count == 0) continue;
      std::printf("  [%.1f, %.1f): %6lld predicted %.3f observed %.3f\n", b.lower, b.upper,
                  static_cast<long long>(b.count), b.mean_predicted, b.observed_rate);
    }
  }
  static testing::ScratchDir* dir_;
  static store::Store* db_;
};

testing::ScratchDir* ChurnClassifierTest::dir_ = nullptr;
store::Store* ChurnClassifierTest::db_ = nullptr;

// The AUC of the baseline every classifier must match: ranking the held-out customers of `e` by
// their BG/NBD expected purchases in the next H days alone (fewer expected purchases = more
// likely to churn). NotFound when the dataset has no such feature column.
Result<double> BtydBaselineAuc(store::Store& db, const ChurnEvaluation& e) {
  WINBACK_ASSIGN_OR_RETURN(ChurnDataset test,
                           BuildChurnDataset(db, {.as_of = e.test_as_of, .threads = 2}));
  const auto it = std::find(test.feature_names.begin(), test.feature_names.end(),
                            "btyd_log_expected_purchases");
  if (it == test.feature_names.end()) {
    return NotFoundError("no feature btyd_log_expected_purchases");
  }
  const auto column = static_cast<std::size_t>(it - test.feature_names.begin());
  std::vector<double> fewer;
  for (std::size_t i = 0; i < test.rows(); ++i) {
    fewer.push_back(-test.features[i * test.feature_names.size() + column]);
  }
  const double auc = AreaUnderRoc(test.labels, fewer);
  std::printf("AUC of the BG/NBD expected purchases alone: %.4f\n", auc);
  return auc;
}

// The completed orders in the store up to local day `last_day`, as Gamma-Gamma rows WITHOUT
// SummarizeStore's merging of a customer's orders of the same local day: per customer with a
// completed order, x = completed orders after the first and m_x = their mean amount (major
// units of `currency`, the only currency allowed). Only frequency and monetary_value mean
// anything (recency and age are placeholders that pass ValidateSummaryTable).
struct OrderLevelSpend {
  SummaryTable table;
  std::size_t repeat_days = 0;         // local days after each customer's first purchase day
  std::size_t merged_repeat_days = 0;  // of which with two or more completed orders
};

Result<OrderLevelSpend> OrderLevelSpendOf(store::Store& db, Date last_day,
                                          std::string_view currency) {
  WINBACK_ASSIGN_OR_RETURN(const Currency money, Currency::FromCode(currency));
  const double scale = std::pow(10.0, money.exponent());
  OrderLevelSpend out;
  std::vector<std::pair<std::int32_t, double>> orders;  // (local day, amount), oldest first
  WINBACK_RETURN_IF_ERROR(db.ForEachCustomerOrders(
      [&](CustomerKey key, std::span<const store::OrderPoint> all) -> Status {
        orders.clear();
        for (const store::OrderPoint& o : all) {
          if (o.currency != currency) {
            return InvalidArgumentError("customer " + std::to_string(key.value()) +
                                        " has an order in " + o.currency);
          }
          const std::int32_t day = internal::LocalDay(o);
          if (o.status != OrderStatus::kCompleted || day > last_day.days()) continue;
          orders.emplace_back(day, static_cast<double>(o.amount_minor) / scale);
        }
        if (orders.empty()) return Status::Ok();
        double sum = 0;
        for (std::size_t k = 1; k < orders.size(); ++k) {
          sum += orders[k].second;
          if (orders[k].first == orders[k - 1].first) continue;
          ++out.repeat_days;
          if (k + 1 < orders.size() && orders[k + 1].first == orders[k].first) {
            ++out.merged_repeat_days;
          }
        }
        const double x = static_cast<double>(orders.size() - 1);
        out.table.frequency.push_back(x);
        out.table.recency.push_back(x > 0 ? 1.0 : 0.0);
        out.table.age.push_back(1.0);
        out.table.monetary_value.push_back(x > 0 ? sum / x : 0.0);
        return Status::Ok();
      }));
  return out;
}

// Thresholds: a classifier that ignores the features has AUC 0.5; ranking by the BG/NBD
// expected purchases in the next H days alone (fitted on the same data) is the baseline the
// classifier must not fall below. (P(alive) alone ranks badly: BG/NBD gives every one-time
// buyer P(alive) = 1, and most of them do not buy again within 90 days.)
// Measured (seed 7, 6,000 customers, cutoff 2024-06-30, H = 90 days): logistic AUC 0.815,
// XGBoost 0.790, log-loss 0.332 / 0.362 against 0.424 for the base rate. The thresholds sit
// about 0.035 below the measured values: the held-out set has ~600 non-churners, so the AUC's
// standard error is about 0.01.
TEST_F(ChurnClassifierTest, LogisticRegressionRanksChurnersOnTheHeldOutPeriod) {
  ASSERT_NE(db_, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnEvaluation e,
                               EvaluateChurnClassifier(*db_, Options(ChurnModelKind::kLogistic)));
  Print(e);
  WINBACK_ASSERT_OK_AND_ASSIGN(const double btyd_auc, BtydBaselineAuc(*db_, e));
  EXPECT_GT(e.auc, 0.78);
  EXPECT_GT(e.auc, btyd_auc - 0.01);
  EXPECT_LT(e.log_loss, e.baseline_log_loss);
  EXPECT_EQ(e.weights.size(), e.feature_names.size());
  EXPECT_GT(e.test_rows, 1000u);
  // Calibrated to within 0.1 in every well-populated bin, and there must be such bins: with
  // ~1,700 held-out rows in ten bins, at least one holds 200.
  int well_populated = 0;
  for (const CalibrationBin& b : e.calibration) {
    if (b.count >= 200) {
      ++well_populated;
      EXPECT_NEAR(b.observed_rate, b.mean_predicted, 0.1) << b.lower;
    }
  }
  EXPECT_GE(well_populated, 1);
}

TEST_F(ChurnClassifierTest, XgboostRanksChurnersOnTheHeldOutPeriod) {
  ASSERT_NE(db_, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnEvaluation e,
                               EvaluateChurnClassifier(*db_, Options(ChurnModelKind::kXgboost)));
  Print(e);
  WINBACK_ASSERT_OK_AND_ASSIGN(const double btyd_auc, BtydBaselineAuc(*db_, e));
  EXPECT_GT(e.auc, 0.75);
  EXPECT_GT(e.auc, btyd_auc - 0.01);
  EXPECT_LT(e.log_loss, e.baseline_log_loss);
}

TEST_F(ChurnClassifierTest, RejectsAHeldOutPeriodBeyondTheData) {
  ASSERT_NE(db_, nullptr);
  ChurnOptions o = Options(ChurnModelKind::kLogistic);
  o.cutoff = Date::FromYmd(2024, 12, 1).value();
  EXPECT_THAT(EvaluateChurnClassifier(*db_, o), StatusIs(StatusCode::kFailedPrecondition));
  o.horizon_days = 0;
  EXPECT_THAT(EvaluateChurnClassifier(*db_, o), StatusIs(StatusCode::kInvalidArgument));
  o = Options(ChurnModelKind::kLogistic);
  o.cutoff = Date::FromYmd(2022, 1, 1).value();
  EXPECT_THAT(ScoreChurnRisk(*db_, o), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ChurnClassifierTest, ScoresChurnRiskForEveryBuyer) {
  ASSERT_NE(db_, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::optional<double>> risk,
                               ScoreChurnRisk(*db_, Options(ChurnModelKind::kLogistic)));
  std::size_t scored = 0;
  for (const auto& r : risk) {
    if (!r) continue;
    ++scored;
    EXPECT_TRUE(*r >= 0 && *r <= 1);
  }
  EXPECT_GT(scored, 1000u);
}

// The streamed scores (features as of the cutoff built customer by customer and fed to the
// model) are the materialised path's: BuildChurnDataset as of cutoff - H and as of the cutoff,
// logistic regression fitted on the first and applied to the second. 6,000 customers are fewer
// than max_training_rows, so every customer trains. Splitting the events scan over two stores
// changes nothing.
TEST_F(ChurnClassifierTest, StreamedScoresEqualTheMaterialisedPath) {
  ASSERT_NE(db_, nullptr);
  const ChurnOptions o = Options(ChurnModelKind::kLogistic);
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnDataset train,
                               BuildChurnDataset(*db_, {.as_of = o.cutoff.PlusDays(-90)}));
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnDataset now, BuildChurnDataset(*db_, {.as_of = o.cutoff}));
  WINBACK_ASSERT_OK_AND_ASSIGN(
      LogisticRegression model,
      LogisticRegression::Fit(train.features, train.feature_names.size(), train.labels, {}));
  const std::vector<double> expected = model.PredictProbability(now.features);

  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnScorer scorer, ChurnScorer::Train(*db_, o));
  EXPECT_EQ(scorer.train_rows(), train.rows());
  EXPECT_EQ(scorer.sample_fraction(), 1.0);
  ASSERT_EQ(scorer.keys(), now.keys);
  EXPECT_EQ(scorer.HeldOutLabels(), now.labels);
  store::Scanner* const one[] = {db_};
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<double> risk, scorer.Score(one));
  ASSERT_EQ(risk.size(), expected.size());
  for (std::size_t i = 0; i < risk.size(); ++i) {
    ASSERT_EQ(risk[i], expected[i]) << "customer " << now.keys[i].value();
  }

  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<store::Store> second,
      store::OpenSqliteStore(dir_->File("winback.db"), store::OpenMode::kMustExist));
  store::Scanner* const two[] = {db_, second.get()};
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<double> split, scorer.Score(two));
  EXPECT_EQ(split, risk);

  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::optional<double>> by_key, ScoreChurnRisk(*db_, o));
  for (std::size_t i = 0; i < risk.size(); ++i) {
    ASSERT_TRUE(by_key[static_cast<std::size_t>(now.keys[i].value())].has_value());
    EXPECT_EQ(*by_key[static_cast<std::size_t>(now.keys[i].value())], risk[i]);
  }
}

// With max_training_rows below the training population, the classifier trains on exactly the
// customers of the sampled key blocks, the same ones every time.
TEST_F(ChurnClassifierTest, TrainsOnADeterministicSampleOfKeyBlocks) {
  ASSERT_NE(db_, nullptr);
  ChurnOptions o = Options(ChurnModelKind::kLogistic);
  o.max_training_rows = 1500;
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnDataset train,
                               BuildChurnDataset(*db_, {.as_of = o.cutoff.PlusDays(-90),
                                                        .btyd_features = BtydFeatures::kExclude}));
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnScorer a, ChurnScorer::Train(*db_, o));
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnScorer b, ChurnScorer::Train(*db_, o));
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::int64_t key_limit, db_->CustomerKeyLimit());
  EXPECT_DOUBLE_EQ(a.sample_fraction(), 1500.0 / static_cast<double>(key_limit - 1));
  std::size_t in_sample = 0;
  for (CustomerKey k : train.keys)
    if (InChurnTrainingSample(k, a.sample_fraction())) ++in_sample;
  EXPECT_EQ(a.train_rows(), in_sample);
  EXPECT_GT(a.train_rows(), 0u);
  EXPECT_LT(a.train_rows(), train.rows());
  EXPECT_EQ(a.train_rows(), b.train_rows());
  EXPECT_EQ(a.weights(), b.weights());
  store::Scanner* const one[] = {db_};
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<double> ra, a.Score(one));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<double> rb, b.Score(one));
  EXPECT_EQ(ra, rb);
  // Held-out quality stays close to training on everyone (AUC 0.815 measured).
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnEvaluation e, EvaluateChurnClassifier(*db_, o));
  Print(e);
  EXPECT_EQ(e.train_rows, a.train_rows());
  EXPECT_GT(e.auc, 0.77);
  WINBACK_ASSERT_OK_AND_ASSIGN(const double btyd_auc, BtydBaselineAuc(*db_, e));
  EXPECT_GT(e.auc, btyd_auc - 0.01);
}

// Prepare's pass over the orders also yields SummarizeStore's summary as of the cutoff, and the
// customer values computed from it are those computed from the store.
TEST_F(ChurnClassifierTest, PrepareSummarizesTheStoreForTheCustomerValues) {
  ASSERT_NE(db_, nullptr);
  const ChurnOptions o = Options(ChurnModelKind::kLogistic);
  StoreSummary summary;
  WINBACK_ASSERT_OK_AND_ASSIGN(ChurnScorer scorer, ChurnScorer::Prepare(*db_, o, &summary, 7.0));
  StoreSummaryOptions so;
  so.calibration_end = o.cutoff;
  so.days_per_unit = 7.0;
  so.with_ids = false;
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreSummary expected, SummarizeStore(*db_, so));
  EXPECT_TRUE(expected.table.ids.empty());
  EXPECT_EQ(summary.keys, expected.keys);
  EXPECT_EQ(summary.currencies, expected.currencies);
  EXPECT_EQ(summary.table.frequency, expected.table.frequency);
  EXPECT_EQ(summary.table.recency, expected.table.recency);
  EXPECT_EQ(summary.table.age, expected.table.age);
  EXPECT_EQ(summary.table.monetary_value, expected.table.monetary_value);
  EXPECT_EQ(summary.customers_skipped, expected.customers_skipped);
  EXPECT_GT(summary.keys.size(), 1000u);

  CustomerValueOptions vo;
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerValueTable from_store,
                               ComputeCustomerValues(*db_, o.cutoff, vo));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerValueTable from_summary,
                               ComputeCustomerValues(std::move(summary), o.cutoff, vo));
  ASSERT_EQ(from_store.by_key.size(), from_summary.by_key.size());
  for (std::size_t k = 0; k < from_store.by_key.size(); ++k) {
    ASSERT_EQ(from_store.by_key[k].has_value(), from_summary.by_key[k].has_value()) << k;
    if (!from_store.by_key[k]) continue;
    EXPECT_EQ(from_store.by_key[k]->p_alive, from_summary.by_key[k]->p_alive);
    EXPECT_EQ(from_store.by_key[k]->clv_minor, from_summary.by_key[k]->clv_minor);
  }
  // Scoring before Fit is a precondition error.
  store::Scanner* const one[] = {db_};
  EXPECT_THAT(scorer.Score(one), StatusIs(StatusCode::kFailedPrecondition));
}

TEST(ChurnTrainingSampleTest, KeepsWholeBlocksAtTheRequestedFraction) {
  EXPECT_TRUE(InChurnTrainingSample(CustomerKey(12345), 1.0));
  EXPECT_FALSE(InChurnTrainingSample(CustomerKey(12345), 0.0));
  std::size_t kept = 0;
  const std::int64_t n = 1'000'000;
  for (std::int64_t k = 1; k <= n; ++k) {
    const bool in = InChurnTrainingSample(CustomerKey(k), 0.2);
    if (in) ++kept;
    // Whole blocks: every key of a block shares its first key's answer.
    const std::int64_t block_start = k / kChurnSampleBlock * kChurnSampleBlock;
    if (block_start >= 1 && k % 97 == 0) {
      EXPECT_EQ(in, InChurnTrainingSample(CustomerKey(block_start), 0.2)) << k;
    }
  }
  // 3,906 blocks: the kept share has a standard deviation of about 0.0064.
  EXPECT_NEAR(static_cast<double>(kept) / static_cast<double>(n), 0.2, 0.03);
}

TEST_F(ChurnClassifierTest, CustomerValuesAsOfADate) {
  ASSERT_NE(db_, nullptr);
  CustomerValueOptions options;
  options.threads = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(
      CustomerValueTable values,
      ComputeCustomerValues(*db_, Date::FromYmd(2024, 6, 30).value(), options));
  EXPECT_GT(values.customers, 1000u);
  ASSERT_TRUE(values.spend_params.has_value()) << values.spend_note;
  // The summary ComputeCustomerValues fits both models on (the same options).
  StoreSummaryOptions so;
  so.calibration_end = Date::FromYmd(2024, 6, 30).value();
  so.days_per_unit = 7.0;
  so.with_ids = false;
  WINBACK_ASSERT_OK_AND_ASSIGN(const StoreSummary summary, SummarizeStore(*db_, so));
  // The simulator draws purchases from BG/NBD r = 0.243, alpha = 30.9 days = 4.414 weeks,
  // a = 0.793, b = 2.426 (sim::SimOptions defaults, simulator.h). The BG/NBD fit on the store's
  // summary must recover each within 3 of its standard errors (the SE machinery matches
  // lifetimes' on CDNOW, cdnow_test.cc); the measured deviations were 0.3-1.3 SE (r 0.231 +-
  // 0.009, alpha 4.33 +- 0.28, a 0.97 +- 0.15, b 2.70 +- 0.54). The simulator's seasonality and
  // acquisition make the model only approximately right, so this is a bound, not a test of
  // coverage.
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(BgNbdFit fit, FitBgNbd(summary.table));
    const BgNbdParams& p = values.purchase_params;
    EXPECT_NEAR(p.r, fit.model.params().r, 1e-6 * p.r);  // the same fit
    const std::vector<double>& se = fit.report.standard_errors;
    ASSERT_EQ(se.size(), 4u);
    EXPECT_NEAR(p.r, 0.243, 3 * se[0]);
    EXPECT_NEAR(p.alpha, 30.9 / 7.0, 3 * se[1]);
    EXPECT_NEAR(p.a, 0.793, 3 * se[2]);
    EXPECT_NEAR(p.b, 2.426, 3 * se[3]);
  }
  // The simulator draws each customer's nu ~ Gamma(q = 3.74, rate gamma = 15.44 USD) and each
  // order's amount ~ Gamma(p = 6.25, rate nu) USD (SimOptions gg_p, gg_q, gg_gamma; every order
  // is in SimOptions::currency, USD, written in cents), from its own random stream: amounts
  // do not depend on the purchase process or the season. ComputeCustomerValues fits Gamma-Gamma
  // on the repeat buyers (x > 0) of the most common main currency in the summary above; here
  // every customer is in USD, so on all 1,477 repeat buyers, m_x = mean repeat-day value in
  // dollars. It fits without standard errors, so the test refits the same rows with them
  // (they match a numerical Hessian of the likelihood computed outside winback). Each parameter
  // must be within 3 SE of the truth; measured p 5.59 +- 0.77 (-0.86 SE), q 3.82 +- 0.24
  // (+0.32 SE), gamma 17.4 +- 3.5 (+0.58 SE). Two departures from the model, both small here:
  // rounding to cents (variance 1e-5 USD^2 against ~300 for an order's amount), and
  // SummarizeStore merging a customer's orders of one local day into one purchase worth their
  // sum, which the simulator's spend process does not do (60 of 4,244 repeat days, 1.4%).
  // Refitting on the store's orders unmerged (1,480 buyers: 3 more whose repeat orders
  // all share their first day) measures the merging's share of the deviations: p -0.08 SE,
  // q -0.23 SE, gamma +0.01 SE (printed below).
  {
    ASSERT_EQ(values.spend_currency, "USD");
    for (const std::string& c : summary.currencies) ASSERT_EQ(c, "USD");
    WINBACK_ASSERT_OK_AND_ASSIGN(GammaGammaFit fit, FitGammaGamma(summary.table));
    const GammaGammaParams& g = *values.spend_params;
    EXPECT_NEAR(g.p, fit.model.params().p, 1e-6 * g.p);  // the same fit
    EXPECT_NEAR(g.q, fit.model.params().q, 1e-6 * g.q);
    EXPECT_NEAR(g.gamma, fit.model.params().gamma, 1e-6 * g.gamma);
    const std::vector<double>& se = fit.report.standard_errors;
    ASSERT_EQ(se.size(), 3u);
    EXPECT_NEAR(g.p, 6.25, 3 * se[0]);
    EXPECT_NEAR(g.q, 3.74, 3 * se[1]);
    EXPECT_NEAR(g.gamma, 15.44, 3 * se[2]);
    WINBACK_ASSERT_OK_AND_ASSIGN(
        OrderLevelSpend orders, OrderLevelSpendOf(*db_, Date::FromYmd(2024, 6, 30).value(), "USD"));
    WINBACK_ASSERT_OK_AND_ASSIGN(GammaGammaFit unmerged, FitGammaGamma(orders.table));
    const GammaGammaParams& u = unmerged.model.params();
    std::printf(
        "Gamma-Gamma on %zu repeat buyers (USD): p=%.3f +- %.3f (%+.2f SE), q=%.3f +- %.3f "
        "(%+.2f SE), gamma=%.2f +- %.2f (%+.2f SE); %zu of %zu repeat days merge orders; "
        "unmerged fit on %zu: p=%.3f q=%.3f gamma=%.2f, merging moves p %+.2f SE, q %+.2f SE, "
        "gamma %+.2f SE\n",
        fit.report.customers, g.p, se[0], (g.p - 6.25) / se[0], g.q, se[1], (g.q - 3.74) / se[1],
        g.gamma, se[2], (g.gamma - 15.44) / se[2], orders.merged_repeat_days, orders.repeat_days,
        unmerged.report.customers, u.p, u.q, u.gamma, (g.p - u.p) / se[0], (g.q - u.q) / se[1],
        (g.gamma - u.gamma) / se[2]);
  }
  std::size_t present = 0;
  double clv_sum = 0;
  for (const auto& v : values.by_key) {
    if (!v) continue;
    ++present;
    EXPECT_TRUE(v->p_alive >= 0 && v->p_alive <= 1);
    EXPECT_GE(v->expected_purchases, 0);
    ASSERT_TRUE(v->clv_minor.has_value());
    EXPECT_GT(*v->expected_value_minor, 0);
    clv_sum += *v->clv_minor;
  }
  EXPECT_EQ(present, values.customers);
  std::printf(
      "values: %zu customers, BG/NBD r=%.3f alpha=%.3f a=%.3f b=%.3f (weeks), "
      "Gamma-Gamma p=%.3f q=%.3f gamma=%.3f, mean CLV %.2f USD\n",
      values.customers, values.purchase_params.r, values.purchase_params.alpha,
      values.purchase_params.a, values.purchase_params.b, values.spend_params->p,
      values.spend_params->q, values.spend_params->gamma,
      clv_sum / static_cast<double>(present) / 100.0);
}

}  // namespace
}  // namespace winback::models
