#include "report/rfm_grid.h"

#include <gtest/gtest.h>

#include <vector>

namespace winback::report {
namespace {

store::CustomerScore Score(int r, int f, int m, std::string segment, std::string group) {
  store::CustomerScore s;
  s.r = r;
  s.f = f;
  s.m = m;
  s.segment = std::move(segment);
  s.group = std::move(group);
  return s;
}

TEST(RfmGridTest, CountsCustomersByCellSegmentAndGroup) {
  const std::vector<store::CustomerScore> scores = {
      Score(5, 5, 5, "champions", "loyal"),
      Score(5, 5, 5, "champions", "loyal"),
      Score(5, 5, 1, "loyal", "loyal"),
      Score(1, 4, 5, "cant_lose_them", "high_value_lost"),
      Score(1, 4, 2, "at_risk", "loyal_at_risk"),
      Score(1, 4, 3, "at_risk", "loyal_at_risk"),
      Score(1, 1, 1, "lost", "lost"),
  };
  const RfmGrid grid = BuildRfmGrid(scores);
  EXPECT_EQ(grid.customers, 7);
  EXPECT_EQ(grid.at(5, 5).customers, 3);
  ASSERT_EQ(grid.at(5, 5).segments.size(), 2u);
  EXPECT_EQ(grid.at(5, 5).segments[0].segment, "champions");
  EXPECT_EQ(grid.at(5, 5).segments[0].customers, 2);
  EXPECT_EQ(grid.at(5, 5).segments[1].segment, "loyal");
  // A cell split by M holds both segments, largest first.
  const RfmCell& split = grid.at(1, 4);
  EXPECT_EQ(split.r, 1);
  EXPECT_EQ(split.f, 4);
  EXPECT_EQ(split.customers, 3);
  ASSERT_EQ(split.segments.size(), 2u);
  EXPECT_EQ(split.segments[0].segment, "at_risk");
  EXPECT_EQ(split.segments[0].group, "loyal_at_risk");
  EXPECT_EQ(split.segments[0].customers, 2);
  EXPECT_EQ(split.segments[1].segment, "cant_lose_them");
  EXPECT_EQ(grid.at(1, 1).customers, 1);
  EXPECT_EQ(grid.at(3, 3).customers, 0);
  EXPECT_TRUE(grid.at(3, 3).segments.empty());
  EXPECT_EQ(grid.by_group[static_cast<std::size_t>(analytics::Group::kLoyal)], 3);
  EXPECT_EQ(grid.by_group[static_cast<std::size_t>(analytics::Group::kPotentiallyLoyal)], 0);
  EXPECT_EQ(grid.by_group[static_cast<std::size_t>(analytics::Group::kLoyalAtRisk)], 2);
  EXPECT_EQ(grid.by_group[static_cast<std::size_t>(analytics::Group::kHighValueLost)], 1);
  EXPECT_EQ(grid.by_group[static_cast<std::size_t>(analytics::Group::kLost)], 1);
}

TEST(RfmGridTest, LeavesOutCustomersWithoutScores) {
  const std::vector<store::CustomerScore> scores = {
      Score(0, 0, 0, "", ""),                    // never ordered
      Score(3, 3, 3, "need_attention", "nope"),  // not one of the five groups
      Score(3, 2, 3, "need_attention", "loyal_at_risk"),
  };
  const RfmGrid grid = BuildRfmGrid(scores);
  EXPECT_EQ(grid.customers, 1);
  EXPECT_EQ(grid.at(3, 2).customers, 1);
  EXPECT_EQ(grid.at(3, 3).customers, 0);
}

TEST(RfmGridTest, TiesInACellAreOrderedByName) {
  const std::vector<store::CustomerScore> scores = {
      Score(2, 2, 1, "zeta", "lost"),
      Score(2, 2, 2, "alpha", "lost"),
  };
  const RfmGrid grid = BuildRfmGrid(scores);
  ASSERT_EQ(grid.at(2, 2).segments.size(), 2u);
  EXPECT_EQ(grid.at(2, 2).segments[0].segment, "alpha");
  EXPECT_EQ(grid.at(2, 2).segments[1].segment, "zeta");
}

}  // namespace
}  // namespace winback::report
