#include "models/model_factory.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/csv.h"
#include "models/bgnbd.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SummaryTable SmallTable() {
  SummaryTable t;
  t.ids = {"a", "b,\"quoted\"", "c"};
  t.frequency = {0, 2, 1};
  t.recency = {0, 20, 5};
  t.age = {30, 38, 10};
  t.monetary_value = {0, 25.5, 10};
  return t;
}

TEST(ModelKindTest, NamesRoundTripAndUnknownIsAnError) {
  for (ModelKind kind :
       {ModelKind::kBgNbd, ModelKind::kParetoNbd, ModelKind::kMbgNbd, ModelKind::kGammaGamma}) {
    EXPECT_EQ(ModelKindFromName(ModelKindName(kind)).value(), kind);
  }
  EXPECT_EQ(ModelKindName(ModelKind::kParetoNbd), "pareto");
  EXPECT_THAT(ModelKindFromName("bgndb"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("'bgndb' is not one of")));
}

TEST(FitTransactionModelTest, GivenParametersAreEvaluatedNotFitted) {
  const SummaryTable t = SmallTable();
  const std::vector<double> given = {0.243, 4.414, 0.793, 2.426};
  WINBACK_ASSERT_OK_AND_ASSIGN(TransactionModelOutcome out,
                               FitTransactionModel(ModelKind::kBgNbd, t, given, {}));
  EXPECT_FALSE(out.outcome.fitted);
  EXPECT_EQ(out.model->name(), "bgnbd");
  EXPECT_THAT(out.outcome.names, ElementsAre("r", "alpha", "a", "b"));
  EXPECT_EQ(out.outcome.estimates, given);
  for (double se : out.outcome.standard_errors) EXPECT_TRUE(std::isnan(se));
  const BgNbdModel m = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  double ll = 0;
  for (std::size_t i = 0; i < t.size(); ++i) ll += m.LogLikelihood(t.rfm(i));
  EXPECT_DOUBLE_EQ(out.outcome.log_likelihood, ll);
  EXPECT_EQ(out.outcome.report.customers, 3u);
}

TEST(FitTransactionModelTest, WrongCountOrKindIsInvalidArgument) {
  const SummaryTable t = SmallTable();
  const std::vector<double> three = {1, 2, 3};
  EXPECT_THAT(FitTransactionModel(ModelKind::kParetoNbd, t, three, {}),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("pareto takes 4 parameters")));
  EXPECT_THAT(FitTransactionModel(ModelKind::kGammaGamma, t, std::nullopt, {}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(FitSpendModelTest, GivenParametersUseRepeatBuyersOnly) {
  const std::vector<double> given = {6.25, 3.74, 15.44};
  WINBACK_ASSERT_OK_AND_ASSIGN(SpendModelOutcome out, FitSpendModel(SmallTable(), given, {}));
  EXPECT_FALSE(out.outcome.fitted);
  EXPECT_EQ(out.outcome.report.customers, 2u);  // b and c; a has no repeat purchase
  const GammaGammaModel m = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  EXPECT_DOUBLE_EQ(out.outcome.log_likelihood, m.LogLikelihood(2, 25.5) + m.LogLikelihood(1, 10));
  const std::vector<double> four = {1, 2, 3, 4};
  EXPECT_THAT(FitSpendModel(SmallTable(), four, {}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(PredictForCustomersTest, SpendModelAloneNeedsMonetaryValues) {
  SummaryTable t = SmallTable();
  t.monetary_value.clear();
  const GammaGammaModel spend = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  EXPECT_THAT(PredictForCustomers(nullptr, &spend, t, {}),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("monetary_value")));
  EXPECT_THAT(PredictForCustomers(nullptr, nullptr, t, {}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(WritePredictionsCsvTest, WritesEveryColumnAndQuotesIds) {
  const SummaryTable t = SmallTable();
  const BgNbdModel model = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  const GammaGammaModel spend = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  PredictionOptions po;
  po.horizon = 39;
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerPredictions p, PredictForCustomers(&model, &spend, t, po));
  ASSERT_TRUE(p.predictions && p.values);
  const testutil::ScratchDir dir("winback_predictions");
  const std::string path = dir.File("predictions.csv");
  ASSERT_THAT(WritePredictionsCsv(path, t, p), IsOk());
  const std::string text = ReadFileToString(path).value();
  CsvReader reader(text);
  ASSERT_TRUE(reader.Next().value());
  EXPECT_THAT(reader.fields(),
              ElementsAre("id", "p_alive", "expected_purchases", "expected_value", "clv"));
  for (std::size_t i = 0; i < t.size(); ++i) {
    ASSERT_TRUE(reader.Next().value());
    const auto f = reader.fields();
    ASSERT_EQ(f.size(), 5u);
    EXPECT_EQ(f[0], t.ids[i]);
    EXPECT_NEAR(ParseCsvDouble(f[1]).value(), model.ProbabilityAlive(t.rfm(i)), 1e-9);
    EXPECT_NEAR(ParseCsvDouble(f[2]).value(), model.ConditionalExpectedPurchases(t.rfm(i), 39),
                1e-9);
    EXPECT_NEAR(ParseCsvDouble(f[3]).value(), p.values->expected_value[i],
                1e-9 * p.values->expected_value[i]);
  }
  EXPECT_FALSE(reader.Next().value());
}

TEST(WritePredictionsCsvTest, BytesDoNotDependOnTheThreadCount) {
  // More rows than one round of blocks, so that rows are formatted on several threads.
  SummaryTable t;
  for (int i = 0; i < 150000; ++i) {
    t.ids.push_back("c" + std::to_string(i));
    t.frequency.push_back(i % 7);
    t.recency.push_back(i % 7 == 0 ? 0 : static_cast<double>(i % 30) / 7.0);
    t.age.push_back(30 + static_cast<double>(i % 13) / 7.0);
    t.monetary_value.push_back(i % 7 == 0 ? 0 : 10 + static_cast<double>(i % 101) / 4.0);
  }
  const BgNbdModel model = BgNbdModel::Create({0.243, 4.414, 0.793, 2.426}).value();
  const GammaGammaModel spend = GammaGammaModel::Create({6.25, 3.74, 15.44}).value();
  PredictionOptions po;
  po.horizon = 39;
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerPredictions p, PredictForCustomers(&model, &spend, t, po));
  const testutil::ScratchDir dir("winback_predictions_threads");
  std::vector<std::string> texts;
  for (int threads : {1, 2, 5}) {
    const std::string path = dir.File("predictions_" + std::to_string(threads) + ".csv");
    ASSERT_THAT(WritePredictionsCsv(path, t, p, threads), IsOk());
    texts.push_back(ReadFileToString(path).value());
  }
  EXPECT_EQ(texts[1], texts[0]);
  EXPECT_EQ(texts[2], texts[0]);
  // Row by row, the numbers printf's %.10g writes.
  std::string expected = "id,p_alive,expected_purchases,expected_value,clv\n";
  for (std::size_t i = 0; i < t.size(); ++i) {
    expected += fmt::format("{},{:.10g},{:.10g},{:.10g},{:.10g}\n", t.ids[i],
                            p.predictions->p_alive[i], p.predictions->expected_purchases[i],
                            p.values->expected_value[i], p.values->clv[i]);
  }
  EXPECT_EQ(texts[0], expected);
}

}  // namespace
}  // namespace winback::models
