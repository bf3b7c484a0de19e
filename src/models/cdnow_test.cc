// External validation on the CDNOW data (../shared/data/cdnow/README.md): the published
// maximum-likelihood estimates, log-likelihoods and point predictions.

#include "models/cdnow.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "models/mbgnbd.h"
#include "models/pareto_nbd.h"
#include "testutil/shared_data.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

const std::string kDir = "../shared/data/cdnow";

#define WINBACK_SKIP_WITHOUT_CDNOW() WINBACK_REQUIRE_SHARED_DATA_DIR(kDir)

void ExpectRelative(double actual, double expected, double tolerance, const char* what) {
  EXPECT_LE(std::fabs(actual - expected), tolerance * std::fabs(expected))
      << what << ": " << actual << " vs published " << expected;
}

TEST(CdnowTest, BgNbdReproducesPublishedEstimates) {
  WINBACK_SKIP_WITHOUT_CDNOW();
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable data,
                               ReadSummaryCsv(kDir + "/cdnow_customers_summary.csv"));
  ASSERT_EQ(data.size(), 2357u);
  WINBACK_ASSERT_OK_AND_ASSIGN(BgNbdFit fit, FitBgNbd(data));
  EXPECT_TRUE(fit.report.converged) << fit.report.message;
  const BgNbdParams& p = fit.model.params();
  ExpectRelative(p.r, 0.2425982, 1e-3, "r");
  ExpectRelative(p.alpha, 4.4136842, 1e-3, "alpha");
  ExpectRelative(p.a, 0.7929899, 1e-3, "a");
  ExpectRelative(p.b, 2.4261667, 1e-3, "b");
  EXPECT_NEAR(fit.report.log_likelihood, -9582.429, 0.1);
  // Standard errors (inverse Hessian of the log-likelihood at the optimum) against the Python
  // library lifetimes: BetaGeoFitter().fit() on its load_cdnow_summary() (this same 2,357-row
  // file) prints in `summary` the se(coef) r 0.012557, alpha 0.378221, a 0.185719, b 0.705345
  // (lifetimes documentation, Quickstart; verified here as reproduced verbatim, with the
  // estimates r 0.242593, alpha 4.413532, a 0.792886, b 2.425752, in a public tutorial that runs
  // that code). Our estimates agree with those within 1e-6 and our SEs matched to the digits
  // printed when this check was written (b: 0.705346), so the tolerance is 2e-4 relative: a few
  // units in the last printed digit of se(r), and far below what a wrong Hessian (a missing
  // term, the log-parameter scale, a factor of n) would give.
  ASSERT_EQ(fit.report.standard_errors.size(), 4u);
  ExpectRelative(fit.report.standard_errors[0], 0.012557, 2e-4, "se(r)");
  ExpectRelative(fit.report.standard_errors[1], 0.378221, 2e-4, "se(alpha)");
  ExpectRelative(fit.report.standard_errors[2], 0.185719, 2e-4, "se(a)");
  ExpectRelative(fit.report.standard_errors[3], 0.705345, 2e-4, "se(b)");
  std::printf("BG/NBD: r=%.7f alpha=%.7f a=%.7f b=%.7f ll=%.4f iter=%d evals=%d\n", p.r, p.alpha,
              p.a, p.b, fit.report.log_likelihood, fit.report.iterations, fit.report.evaluations);
  std::printf("  se: %.6f %.6f %.6f %.6f\n", fit.report.standard_errors[0],
              fit.report.standard_errors[1], fit.report.standard_errors[2],
              fit.report.standard_errors[3]);
}

TEST(CdnowTest, ParetoNbdReproducesPublishedEstimates) {
  WINBACK_SKIP_WITHOUT_CDNOW();
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable data,
                               ReadSummaryCsv(kDir + "/cdnow_customers_summary.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(ParetoNbdFit fit, FitParetoNbd(data));
  EXPECT_TRUE(fit.report.converged) << fit.report.message;
  const ParetoNbdParams& p = fit.model.params();
  ExpectRelative(p.r, 0.55315, 1e-3, "r");
  ExpectRelative(p.alpha, 10.57633, 1e-3, "alpha");
  ExpectRelative(p.s, 0.60625, 1e-3, "s");
  ExpectRelative(p.beta, 11.67150, 1e-3, "beta");
  EXPECT_NEAR(fit.report.log_likelihood, -9594.976, 0.1);
  std::printf("Pareto/NBD: r=%.7f alpha=%.7f s=%.7f beta=%.7f ll=%.4f iter=%d evals=%d\n", p.r,
              p.alpha, p.s, p.beta, fit.report.log_likelihood, fit.report.iterations,
              fit.report.evaluations);
}

TEST(CdnowTest, GammaGammaReproducesPublishedEstimates) {
  WINBACK_SKIP_WITHOUT_CDNOW();
  WINBACK_ASSERT_OK_AND_ASSIGN(
      SummaryTable data, ReadSummaryCsv(kDir + "/cdnow_customers_summary_with_transactions.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(GammaGammaFit fit, FitGammaGamma(data));
  EXPECT_TRUE(fit.report.converged) << fit.report.message;
  EXPECT_EQ(fit.report.customers, 946u);
  const GammaGammaParams& p = fit.model.params();
  ExpectRelative(p.p, 6.2496, 1e-3, "p");
  ExpectRelative(p.q, 3.7442, 1e-3, "q");
  ExpectRelative(p.gamma, 15.4435, 1e-3, "gamma");
  EXPECT_NEAR(fit.report.log_likelihood, -4055.9177, 0.1);
  std::printf("Gamma-Gamma: p=%.6f q=%.6f gamma=%.6f ll=%.4f iter=%d\n", p.p, p.q, p.gamma,
              fit.report.log_likelihood, fit.report.iterations);
}

// Holdout purchases per customer of CDNOW_sample.txt, keyed by the sample id.
struct SampleDesign {
  CalibrationHoldout design;
  std::map<std::string, std::size_t> row_of_id;
};

SampleDesign SummarizeSample() {
  SampleDesign out;
  Result<std::vector<TransactionRecord>> records =
      ReadCdnowTransactions(kDir + "/CDNOW_sample.txt", CdnowLayout::kSample);
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  if (!records.ok()) return out;
  Result<CalibrationHoldout> design = SummarizeTransactions(*records, CdnowCalibrationOptions());
  EXPECT_TRUE(design.ok()) << design.status().ToString();
  if (!design.ok()) return out;
  out.design = *std::move(design);
  for (std::size_t i = 0; i < out.design.calibration.size(); ++i) {
    out.row_of_id[out.design.calibration.ids[i]] = i;
  }
  return out;
}

TEST(CdnowTest, SampleTransactionsSummarizeToThePublishedSummary) {
  WINBACK_SKIP_WITHOUT_CDNOW();
  WINBACK_ASSERT_OK_AND_ASSIGN(
      SummaryTable published,
      ReadSummaryCsv(kDir + "/cdnow_customers_summary_with_transactions.csv"));
  const SampleDesign sample = SummarizeSample();
  const SummaryTable& mine = sample.design.calibration;
  ASSERT_EQ(mine.size(), published.size());
  EXPECT_DOUBLE_EQ(sample.design.holdout_length, 39.0);
  for (std::size_t i = 0; i < published.size(); ++i) {
    const auto it = sample.row_of_id.find(published.ids[i]);
    ASSERT_NE(it, sample.row_of_id.end()) << published.ids[i];
    const std::size_t j = it->second;
    EXPECT_EQ(mine.frequency[j], published.frequency[i]) << published.ids[i];
    EXPECT_NEAR(mine.recency[j], published.recency[i], 0.005 + 1e-9) << published.ids[i];
    EXPECT_NEAR(mine.age[j], published.age[i], 0.005 + 1e-9) << published.ids[i];
    EXPECT_NEAR(mine.monetary_value[j], published.monetary_value[i], 0.005 + 1e-9)
        << published.ids[i];
  }
}

TEST(CdnowTest, BgNbdPointChecksAndHoldoutTotal) {
  WINBACK_SKIP_WITHOUT_CDNOW();
  const BgNbdModel model = BgNbdModel::Create({0.2425982, 4.4136842, 0.7929899, 2.4261667}).value();
  // Fader, Hardie & Lee (2005): x = 2, t_x = 30.43, T = 38.86 -> 1.226 in the next 39 weeks.
  EXPECT_NEAR(model.ConditionalExpectedPurchases({2, 30.43, 38.86}, 39.0), 1.226, 0.0005);
  // Summed over the sample: about 1,653 predicted against 1,882 observed holdout purchases.
  const SampleDesign sample = SummarizeSample();
  double observed = 0;
  double predicted = 0;
  const SummaryTable& cal = sample.design.calibration;
  for (std::size_t i = 0; i < cal.size(); ++i) {
    observed += sample.design.holdout_frequency[i];
    predicted += model.ConditionalExpectedPurchases(cal.rfm(i), 39.0);
  }
  EXPECT_EQ(observed, 1882.0);
  EXPECT_NEAR(predicted, 1653.0, 1.0);
  std::printf("holdout: observed %.0f, BG/NBD predicted %.2f\n", observed, predicted);
}

TEST(CdnowTest, FitsTheFullMasterFile) {
  WINBACK_SKIP_WITHOUT_CDNOW();
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<TransactionRecord> records,
      ReadCdnowTransactions(kDir + "/CDNOW_master.txt", CdnowLayout::kMaster));
  WINBACK_ASSERT_OK_AND_ASSIGN(CalibrationHoldout design,
                               SummarizeTransactions(records, CdnowCalibrationOptions()));
  ASSERT_EQ(design.calibration.size(), 23570u);
  FitOptions options;
  options.threads = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(BgNbdFit bg, FitBgNbd(design.calibration, options));
  EXPECT_TRUE(bg.report.converged) << bg.report.message;
  // The sample (CDNOW_sample.txt) is a 1/10 random draw of these customers (README), so the
  // published sample estimates differ from the master's by sampling error alone: an estimate
  // from a random tenth deviates from the full-data one with a standard deviation of about
  // SE_sample * sqrt(1 - 1/10) = 0.95 SE_sample. Every parameter must lie within 3 sample SEs
  // (3.2 of those standard deviations) of the published sample estimate; the data are fixed, so
  // this is deterministic, and the deviations measured 0.4-1.2 SE when it was written. A master
  // fit in the wrong time unit or stuck away from the optimum lands far outside. BG/NBD sample
  // SEs: lifetimes' BetaGeoFitter summary on the sample, 0.012557, 0.378221, 0.185719, 0.705345
  // (matched by our own in BgNbdReproducesPublishedEstimates).
  const double kBgSampleSe[] = {0.012557, 0.378221, 0.185719, 0.705345};
  EXPECT_NEAR(bg.model.params().r, 0.2425982, 3 * kBgSampleSe[0]);
  EXPECT_NEAR(bg.model.params().alpha, 4.4136842, 3 * kBgSampleSe[1]);
  EXPECT_NEAR(bg.model.params().a, 0.7929899, 3 * kBgSampleSe[2]);
  EXPECT_NEAR(bg.model.params().b, 2.4261667, 3 * kBgSampleSe[3]);
  // Standard errors shrink with the square root of the number of customers: by sqrt(10) = 3.16
  // against the sample's, up to the difference in information per customer between the two
  // (the ratios measured 2.9-3.6; 25% either way).
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(kBgSampleSe[i] / bg.report.standard_errors[i], std::sqrt(10.0),
                0.25 * std::sqrt(10.0))
        << "BG/NBD parameter " << i;
  }
  // Pareto/NBD: no published SEs were found, so the sample's come from our fit of the sample
  // (the same fit driver whose BG/NBD SEs match lifetimes'); estimates from CLVTools, as in
  // ParetoNbdReproducesPublishedEstimates.
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable sample,
                               ReadSummaryCsv(kDir + "/cdnow_customers_summary.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(ParetoNbdFit pareto_sample, FitParetoNbd(sample, options));
  const std::vector<double>& pareto_se = pareto_sample.report.standard_errors;
  ASSERT_EQ(pareto_se.size(), 4u);
  WINBACK_ASSERT_OK_AND_ASSIGN(ParetoNbdFit pareto, FitParetoNbd(design.calibration, options));
  EXPECT_TRUE(pareto.report.converged) << pareto.report.message;
  EXPECT_NEAR(pareto.model.params().r, 0.55315, 3 * pareto_se[0]);
  EXPECT_NEAR(pareto.model.params().alpha, 10.57633, 3 * pareto_se[1]);
  EXPECT_NEAR(pareto.model.params().s, 0.60625, 3 * pareto_se[2]);
  EXPECT_NEAR(pareto.model.params().beta, 11.67150, 3 * pareto_se[3]);
  // Per customer, the log-likelihood is a mean over customers, so the sample's (-9582.429 /
  // 2357, BTYD walkthrough) differs from the master's by the sampling error of a mean of 2,357
  // drawn from 23,570 without replacement: sd * sqrt(1/2357 - 1/23570), sd the standard
  // deviation of the customers' log-likelihoods. Within 3 of those (it measured 0.2).
  double sum = 0;
  double sum2 = 0;
  const SummaryTable& cal = design.calibration;
  for (std::size_t i = 0; i < cal.size(); ++i) {
    const double ll = bg.model.LogLikelihood(cal.rfm(i));
    sum += ll;
    sum2 += ll * ll;
  }
  const double n = static_cast<double>(cal.size());
  const double ll_sd = std::sqrt(sum2 / n - (sum / n) * (sum / n));
  EXPECT_NEAR(sum, bg.report.log_likelihood, 1e-6 * std::fabs(sum));
  EXPECT_NEAR(bg.report.log_likelihood / n, -9582.429 / 2357.0,
              3 * ll_sd * std::sqrt(1 / 2357.0 - 1 / n));
  // And the master fits are maxima: the master data are less likely under the sample's
  // published estimates than under the master's own.
  const BgNbdModel bg_sample =
      BgNbdModel::Create({0.2425982, 4.4136842, 0.7929899, 2.4261667}).value();
  const ParetoNbdModel pareto_published =
      ParetoNbdModel::Create({0.55315, 10.57633, 0.60625, 11.67150}).value();
  double bg_at_sample = 0;
  double pareto_at_sample = 0;
  double pareto_at_master = 0;
  for (std::size_t i = 0; i < cal.size(); ++i) {
    bg_at_sample += bg_sample.LogLikelihood(cal.rfm(i));
    pareto_at_sample += pareto_published.LogLikelihood(cal.rfm(i));
    pareto_at_master += pareto.model.LogLikelihood(cal.rfm(i));
  }
  EXPECT_NEAR(pareto_at_master, pareto.report.log_likelihood, 1e-6 * std::fabs(pareto_at_master));
  EXPECT_GT(bg.report.log_likelihood, bg_at_sample);
  EXPECT_GT(pareto.report.log_likelihood, pareto_at_sample);
  std::printf(
      "master: Pareto/NBD sample SEs %.4f %.4f %.4f %.4f; BG/NBD SEs %.5f %.4f %.4f %.4f; "
      "per-customer LL sd %.3f\n",
      pareto_se[0], pareto_se[1], pareto_se[2], pareto_se[3], bg.report.standard_errors[0],
      bg.report.standard_errors[1], bg.report.standard_errors[2], bg.report.standard_errors[3],
      ll_sd);
  std::printf("master BG/NBD: r=%.4f alpha=%.4f a=%.4f b=%.4f ll=%.2f (%zu distinct)\n",
              bg.model.params().r, bg.model.params().alpha, bg.model.params().a,
              bg.model.params().b, bg.report.log_likelihood, bg.report.distinct);
  std::printf("master Pareto/NBD: r=%.4f alpha=%.4f s=%.4f beta=%.4f ll=%.2f\n",
              pareto.model.params().r, pareto.model.params().alpha, pareto.model.params().s,
              pareto.model.params().beta, pareto.report.log_likelihood);
}

TEST(CdnowTest, ReaderReportsMissingFileAndBadLines) {
  EXPECT_THAT(ReadCdnowTransactions("/nonexistent/CDNOW_master.txt", CdnowLayout::kMaster),
              StatusIs(StatusCode::kNotFound));
  // The pid keeps concurrent runs of this test (several build directories) apart.
  const std::string path =
      ::testing::TempDir() + "/cdnow_bad_" + std::to_string(::getpid()) + ".txt";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(" 00001 19970101  1   11.77\n 00002 19971301  1   12.00\n", f);
    std::fclose(f);
  }
  EXPECT_THAT(ReadCdnowTransactions(path, CdnowLayout::kMaster),
              StatusIsWith(StatusCode::kInvalidArgument, ::testing::HasSubstr(":2: date:")));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace winback::models
