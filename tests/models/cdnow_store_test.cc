// CDNOW validation through winback's own import path: the public logs are converted to
// customers/orders CSV, imported with ingest::Import into a SQLite store, summarised from the
// store (SummarizeStore, calibration end 1997-09-30, weeks) and fitted; the estimates must
// match the published ones in ../shared/data/cdnow/README.md.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "models/bgnbd.h"
#include "models/cdnow.h"
#include "models/gamma_gamma.h"
#include "models/pareto_nbd.h"
#include "models/store_summary.h"
#include "models/summary.h"
#include "tests/models/test_store.h"
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

std::string StripZeros(const std::string& id) {
  std::size_t i = 0;
  while (i + 1 < id.size() && id[i] == '0') ++i;
  return id.substr(i);
}

// Converts a CDNOW log (whitespace separated; sample: master id, sample id, YYYYMMDD, CDs,
// dollars; master: id, YYYYMMDD, CDs, dollars) into customers.csv and orders.csv. Dollar
// strings are copied verbatim, so amounts are exact. Returns the number of orders.
Result<std::size_t> ConvertCdnow(const std::string& path, CdnowLayout layout,
                                 const std::string& customers_csv, const std::string& orders_csv) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot open " + path);
  std::ostringstream customers;
  std::ostringstream orders;
  customers << "id\n";
  orders << "id,customer_id,time,amount,currency,status\n";
  std::map<std::string, bool> seen;
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string master, id, date, cds, dollars;
    if (layout == CdnowLayout::kSample) {
      fields >> master >> id >> date >> cds >> dollars;
    } else {
      fields >> id >> date >> cds >> dollars;
    }
    if (id.empty() || date.size() != 8 || !std::isdigit(static_cast<unsigned char>(id[0]))) {
      continue;  // header or blank line
    }
    id = StripZeros(id);
    if (!seen[id]) {
      seen[id] = true;
      customers << id << "\n";
    }
    ++n;
    orders << "o" << n << "," << id << "," << date.substr(0, 4) << "-" << date.substr(4, 2) << "-"
           << date.substr(6, 2) << "," << dollars << ",USD,completed\n";
  }
  WINBACK_RETURN_IF_ERROR(testing::WriteText(customers_csv, customers.str()));
  WINBACK_RETURN_IF_ERROR(testing::WriteText(orders_csv, orders.str()));
  return n;
}

struct StoreDesign {
  StoreSummary summary;
  std::size_t orders = 0;
};

Result<StoreDesign> ImportAndSummarize(const std::string& file, CdnowLayout layout,
                                       const testing::ScratchDir& dir) {
  StoreDesign out;
  WINBACK_ASSIGN_OR_RETURN(
      out.orders,
      ConvertCdnow(kDir + "/" + file, layout, dir.File("customers.csv"), dir.File("orders.csv")));
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db,
                           testing::ImportCsv(dir.File("winback.db"), dir.File("customers.csv"),
                                              dir.File("orders.csv"), ""));
  StoreSummaryOptions options;
  WINBACK_ASSIGN_OR_RETURN(options.calibration_end, Date::FromYmd(1997, 9, 30));
  WINBACK_ASSIGN_OR_RETURN(options.holdout_end, Date::FromYmd(1998, 6, 30));
  options.days_per_unit = 7.0;
  WINBACK_ASSIGN_OR_RETURN(out.summary, SummarizeStore(*db, options));
  return out;
}

TEST(CdnowStoreTest, SampleImportedThroughTheStoreReproducesPublishedEstimates) {
  WINBACK_SKIP_WITHOUT_CDNOW();
  testing::ScratchDir dir("cdnow_sample");
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreDesign design,
                               ImportAndSummarize("CDNOW_sample.txt", CdnowLayout::kSample, dir));
  const SummaryTable& data = design.summary.table;
  ASSERT_EQ(data.size(), 2357u);
  EXPECT_EQ(design.orders, 6919u);

  // Row by row equal to the published summary file (ID,x,t_x,T,zbar... in weeks).
  WINBACK_ASSERT_OK_AND_ASSIGN(
      SummaryTable published,
      ReadSummaryCsv(kDir + "/cdnow_customers_summary_with_transactions.csv"));
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < published.size(); ++i) row_of[published.ids[i]] = i;
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    auto it = row_of.find(data.ids[i]);
    ASSERT_NE(it, row_of.end()) << data.ids[i];
    const std::size_t j = it->second;
    if (data.frequency[i] != published.frequency[j] ||
        std::fabs(data.recency[i] - published.recency[j]) > 0.006 ||
        std::fabs(data.age[i] - published.age[j]) > 0.006) {
      ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0u);

  WINBACK_ASSERT_OK_AND_ASSIGN(BgNbdFit bg, FitBgNbd(data));
  EXPECT_TRUE(bg.report.converged) << bg.report.message;
  ExpectRelative(bg.model.params().r, 0.2425982, 1e-3, "r");
  ExpectRelative(bg.model.params().alpha, 4.4136842, 1e-3, "alpha");
  ExpectRelative(bg.model.params().a, 0.7929899, 1e-3, "a");
  ExpectRelative(bg.model.params().b, 2.4261667, 1e-3, "b");
  EXPECT_NEAR(bg.report.log_likelihood, -9582.429, 0.1);

  WINBACK_ASSERT_OK_AND_ASSIGN(ParetoNbdFit pareto, FitParetoNbd(data));
  EXPECT_TRUE(pareto.report.converged) << pareto.report.message;
  ExpectRelative(pareto.model.params().r, 0.55315, 1e-3, "pareto r");
  ExpectRelative(pareto.model.params().alpha, 10.57633, 1e-3, "pareto alpha");
  ExpectRelative(pareto.model.params().s, 0.60625, 1e-3, "pareto s");
  ExpectRelative(pareto.model.params().beta, 11.67150, 1e-3, "pareto beta");
  EXPECT_NEAR(pareto.report.log_likelihood, -9594.976, 0.1);

  WINBACK_ASSERT_OK_AND_ASSIGN(GammaGammaFit gg, FitGammaGamma(data));
  EXPECT_TRUE(gg.report.converged) << gg.report.message;
  ExpectRelative(gg.model.params().p, 6.2496, 1e-3, "p");
  ExpectRelative(gg.model.params().q, 3.7442, 1e-3, "q");
  ExpectRelative(gg.model.params().gamma, 15.4435, 1e-3, "gamma");
  EXPECT_NEAR(gg.report.log_likelihood, -4055.9177, 0.1);

  // The published point check and the holdout total (39 weeks).
  EXPECT_NEAR(bg.model.ConditionalExpectedPurchases({2, 30.43, 38.86}, 39.0), 1.226, 0.0005);
  double observed = 0;
  double predicted = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    observed += design.summary.holdout_frequency[i];
    predicted += bg.model.ConditionalExpectedPurchases(data.rfm(i), 39.0);
  }
  EXPECT_EQ(observed, 1882.0);
  EXPECT_NEAR(predicted, 1653.0, 2.0);
  EXPECT_NEAR(design.summary.holdout_length, 39.0, 1e-12);
  std::printf("store sample: BG/NBD r=%.7f alpha=%.7f a=%.7f b=%.7f ll=%.4f\n", bg.model.params().r,
              bg.model.params().alpha, bg.model.params().a, bg.model.params().b,
              bg.report.log_likelihood);
  std::printf("store sample: Pareto/NBD r=%.5f alpha=%.5f s=%.5f beta=%.5f ll=%.4f\n",
              pareto.model.params().r, pareto.model.params().alpha, pareto.model.params().s,
              pareto.model.params().beta, pareto.report.log_likelihood);
  std::printf("store sample: Gamma-Gamma p=%.5f q=%.5f gamma=%.5f ll=%.4f\n", gg.model.params().p,
              gg.model.params().q, gg.model.params().gamma, gg.report.log_likelihood);
  std::printf("store sample: holdout observed %.0f, BG/NBD predicted %.2f\n", observed, predicted);
}

TEST(CdnowStoreTest, MasterImportedThroughTheStoreMatchesTheTransactionSummary) {
  WINBACK_SKIP_WITHOUT_CDNOW();
  testing::ScratchDir dir("cdnow_master");
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreDesign design,
                               ImportAndSummarize("CDNOW_master.txt", CdnowLayout::kMaster, dir));
  const SummaryTable& data = design.summary.table;
  ASSERT_EQ(data.size(), 23570u);

  // The store's summary equals the one computed directly from the log, customer by customer.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<TransactionRecord> records,
      ReadCdnowTransactions(kDir + "/CDNOW_master.txt", CdnowLayout::kMaster));
  WINBACK_ASSERT_OK_AND_ASSIGN(CalibrationHoldout direct,
                               SummarizeTransactions(records, CdnowCalibrationOptions()));
  ASSERT_EQ(direct.calibration.size(), data.size());
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < direct.calibration.size(); ++i) {
    row_of[direct.calibration.ids[i]] = i;
  }
  std::size_t mismatches = 0;
  double holdout_total = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::size_t j = row_of.at(data.ids[i]);
    const SummaryTable& d = direct.calibration;
    if (data.frequency[i] != d.frequency[j] || data.recency[i] != d.recency[j] ||
        data.age[i] != d.age[j] || std::fabs(data.monetary_value[i] - d.monetary_value[j]) > 1e-9 ||
        design.summary.holdout_frequency[i] != direct.holdout_frequency[j]) {
      ++mismatches;
    }
    holdout_total += design.summary.holdout_frequency[i];
  }
  EXPECT_EQ(mismatches, 0u);

  FitOptions options;
  options.threads = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(BgNbdFit bg, FitBgNbd(data, options));
  EXPECT_TRUE(bg.report.converged) << bg.report.message;
  WINBACK_ASSERT_OK_AND_ASSIGN(BgNbdFit bg_direct, FitBgNbd(direct.calibration, options));
  ExpectRelative(bg.model.params().r, bg_direct.model.params().r, 1e-6, "master r");
  ExpectRelative(bg.model.params().b, bg_direct.model.params().b, 1e-6, "master b");
  EXPECT_NEAR(bg.report.log_likelihood, bg_direct.report.log_likelihood, 1e-6);
  ExpectRelative(bg.model.params().alpha, bg_direct.model.params().alpha, 1e-6, "master alpha");
  ExpectRelative(bg.model.params().a, bg_direct.model.params().a, 1e-6, "master a");
  // The sample is a 1/10 random draw of the master, so the master's estimates lie within three
  // sample standard errors of the published sample estimates (the argument and the measured
  // deviations are in cdnow_test.cc, FitsTheFullMasterFile). Sample SEs: lifetimes'
  // BetaGeoFitter summary on the CDNOW sample, 0.012557, 0.378221, 0.185719, 0.705345.
  EXPECT_NEAR(bg.model.params().r, 0.2425982, 3 * 0.012557);
  EXPECT_NEAR(bg.model.params().alpha, 4.4136842, 3 * 0.378221);
  EXPECT_NEAR(bg.model.params().a, 0.7929899, 3 * 0.185719);
  EXPECT_NEAR(bg.model.params().b, 2.4261667, 3 * 0.705345);
  // Pareto/NBD: the store's summary must give exactly the fit of the transaction summary, whose
  // estimates cdnow_test.cc bounds by the published sample estimates and standard errors.
  WINBACK_ASSERT_OK_AND_ASSIGN(ParetoNbdFit pareto, FitParetoNbd(data, options));
  EXPECT_TRUE(pareto.report.converged) << pareto.report.message;
  WINBACK_ASSERT_OK_AND_ASSIGN(ParetoNbdFit pareto_direct,
                               FitParetoNbd(direct.calibration, options));
  ExpectRelative(pareto.model.params().r, pareto_direct.model.params().r, 1e-6, "master r");
  ExpectRelative(pareto.model.params().alpha, pareto_direct.model.params().alpha, 1e-6,
                 "master alpha");
  ExpectRelative(pareto.model.params().s, pareto_direct.model.params().s, 1e-6, "master s");
  ExpectRelative(pareto.model.params().beta, pareto_direct.model.params().beta, 1e-6,
                 "master beta");
  EXPECT_NEAR(pareto.report.log_likelihood, pareto_direct.report.log_likelihood, 1e-6);
  // Sample estimates (CLVTools correctness tests) within three times our sample fit's SEs
  // (0.0476, 0.8427, 0.1873, 6.2110), as in cdnow_test.cc.
  EXPECT_NEAR(pareto.model.params().r, 0.55315, 3 * 0.0476);
  EXPECT_NEAR(pareto.model.params().alpha, 10.57633, 3 * 0.8427);
  EXPECT_NEAR(pareto.model.params().s, 0.60625, 3 * 0.1873);
  EXPECT_NEAR(pareto.model.params().beta, 11.67150, 3 * 6.2110);
  // A few master customers' repeat purchases are all $0.00, which the Gamma-Gamma model cannot
  // describe (m_x > 0): they are left out of the spend fit.
  SummaryTable spend = data;
  std::size_t free_repeaters = 0;
  for (std::size_t i = 0; i < spend.size(); ++i) {
    if (spend.frequency[i] > 0 && !(spend.monetary_value[i] > 0)) {
      spend.frequency[i] = 0;
      spend.recency[i] = 0;
      spend.monetary_value[i] = 0;
      ++free_repeaters;
    }
  }
  EXPECT_LT(free_repeaters, 20u);
  WINBACK_ASSERT_OK_AND_ASSIGN(GammaGammaFit gg, FitGammaGamma(spend, options));
  EXPECT_TRUE(gg.report.converged) << gg.report.message;
  std::printf("store master: %zu orders; BG/NBD r=%.4f alpha=%.4f a=%.4f b=%.4f ll=%.2f\n",
              design.orders, bg.model.params().r, bg.model.params().alpha, bg.model.params().a,
              bg.model.params().b, bg.report.log_likelihood);
  std::printf("store master: Pareto/NBD r=%.4f alpha=%.4f s=%.4f beta=%.4f ll=%.2f\n",
              pareto.model.params().r, pareto.model.params().alpha, pareto.model.params().s,
              pareto.model.params().beta, pareto.report.log_likelihood);
  std::printf("store master: Gamma-Gamma p=%.4f q=%.4f gamma=%.4f; holdout purchases %.0f\n",
              gg.model.params().p, gg.model.params().q, gg.model.params().gamma, holdout_total);
}

}  // namespace
}  // namespace winback::models
