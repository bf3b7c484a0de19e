#include "report/p_alive_histogram.h"

#include <gtest/gtest.h>

#include <limits>

namespace winback::report {
namespace {

TEST(PAliveHistogramTest, BinsAreTenthsWithOneInTheLastBin) {
  EXPECT_EQ(PAliveHistogram::Bin(0.0), 0);
  EXPECT_EQ(PAliveHistogram::Bin(0.0999), 0);
  EXPECT_EQ(PAliveHistogram::Bin(0.1), 1);
  EXPECT_EQ(PAliveHistogram::Bin(0.55), 5);
  EXPECT_EQ(PAliveHistogram::Bin(0.95), 9);
  EXPECT_EQ(PAliveHistogram::Bin(1.0), 9);
}

TEST(PAliveHistogramTest, ClampsValuesOutsideZeroToOne) {
  EXPECT_EQ(PAliveHistogram::Bin(-0.5), 0);
  EXPECT_EQ(PAliveHistogram::Bin(1.5), 9);
  EXPECT_EQ(PAliveHistogram::Bin(std::numeric_limits<double>::quiet_NaN()), 0);
}

TEST(PAliveHistogramTest, CountsOneTimeAndRepeatBuyersApart) {
  PAliveHistogram h;
  h.Add(1.0, BuyerKind::kOneTime);
  h.Add(1.0, BuyerKind::kOneTime);
  h.Add(0.25, BuyerKind::kRepeat);
  h.Add(0.05, BuyerKind::kRepeat);
  EXPECT_EQ(h.customers, 4);
  EXPECT_EQ(h.one_time[9], 2);
  EXPECT_EQ(h.repeat[2], 1);
  EXPECT_EQ(h.repeat[0], 1);
  EXPECT_EQ(h.repeat[9], 0);
  EXPECT_DOUBLE_EQ(h.mean(), (1.0 + 1.0 + 0.25 + 0.05) / 4);
  EXPECT_EQ(PAliveHistogram().mean(), 0);
}

}  // namespace
}  // namespace winback::report
