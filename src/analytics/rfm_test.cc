#include "analytics/rfm.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

using Scores = std::vector<std::uint8_t>;

TEST(QuintileScoresTest, TenDistinctValuesGiveTwoPerQuintile) {
  const std::vector<std::int64_t> v = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  EXPECT_EQ(QuintileScores(v, Better::kHigher), (Scores{5, 1, 5, 1, 4, 2, 4, 2, 3, 3}));
  // Lower is better (recency): the order reverses.
  EXPECT_EQ(QuintileScores(v, Better::kLower), (Scores{1, 5, 1, 5, 2, 4, 2, 4, 3, 3}));
}

TEST(QuintileScoresTest, TiesAreNeverSplit) {
  // n = 10; six customers bought once (worse = 0 -> 1), two twice (worse = 6 -> 1 + 30/10 = 4),
  // one 3 times (worse = 8 -> 5), one 7 times (worse = 9 -> 5).
  const std::vector<std::int64_t> f = {1, 1, 1, 1, 1, 1, 2, 2, 3, 7};
  EXPECT_EQ(QuintileScores(f, Better::kHigher), (Scores{1, 1, 1, 1, 1, 1, 4, 4, 5, 5}));
  // Recency in days, lower is better: 5 customers at 0 days (worse = 5 -> 1 + 25/10 = 3),
  // 3 at 100 (worse = 2 -> 2), 2 at 400 (worse = 0 -> 1).
  const std::vector<std::int64_t> r = {0, 0, 0, 0, 0, 100, 100, 100, 400, 400};
  EXPECT_EQ(QuintileScores(r, Better::kLower), (Scores{3, 3, 3, 3, 3, 2, 2, 2, 1, 1}));
}

TEST(QuintileScoresTest, AllEqualAndSmallInputs) {
  EXPECT_EQ(QuintileScores(std::vector<std::int64_t>{4, 4, 4}, Better::kHigher), (Scores{1, 1, 1}));
  EXPECT_EQ(QuintileScores(std::vector<std::int64_t>{7}, Better::kLower), (Scores{1}));
  // n = 3 distinct: worse 0, 1, 2 -> 1, 1 + 5/3 = 2, 1 + 10/3 = 4.
  EXPECT_EQ(QuintileScores(std::vector<std::int64_t>{1, 2, 3}, Better::kHigher), (Scores{1, 2, 4}));
  EXPECT_TRUE(QuintileScores({}, Better::kHigher).empty());
}

TEST(SegmentMapTest, DefaultMapNamesTheCells) {
  const SegmentMap map = SegmentMap::Default();
  EXPECT_EQ(map.Lookup(5, 5, 5).name, "champions");
  EXPECT_EQ(map.Lookup(5, 5, 1).name, "loyal");
  EXPECT_EQ(map.Lookup(3, 4, 3).name, "loyal");
  EXPECT_EQ(map.Lookup(3, 3, 3).name, "need_attention");
  EXPECT_EQ(map.Lookup(5, 3, 1).name, "potential_loyalist");
  EXPECT_EQ(map.Lookup(5, 1, 5).name, "new");
  EXPECT_EQ(map.Lookup(4, 1, 1).name, "promising");
  EXPECT_EQ(map.Lookup(4, 2, 3).name, "potential_loyalist");
  EXPECT_EQ(map.Lookup(3, 2, 1).name, "need_attention");
  EXPECT_EQ(map.Lookup(3, 1, 5).name, "about_to_sleep");
  EXPECT_EQ(map.Lookup(1, 5, 5).name, "cant_lose_them");
  EXPECT_EQ(map.Lookup(1, 5, 3).name, "at_risk");
  EXPECT_EQ(map.Lookup(2, 4, 1).name, "at_risk");
  EXPECT_EQ(map.Lookup(2, 3, 1).name, "hibernating");
  EXPECT_EQ(map.Lookup(2, 1, 5).name, "hibernating");
  EXPECT_EQ(map.Lookup(1, 2, 1).name, "lost");
  EXPECT_EQ(map.Lookup(1, 5, 5).group, Group::kHighValueLost);
  EXPECT_EQ(map.Lookup(2, 4, 1).group, Group::kLoyalAtRisk);
  EXPECT_EQ(map.Lookup(5, 2, 1).group, Group::kPotentiallyLoyal);
  EXPECT_EQ(map.Lookup(2, 2, 2).group, Group::kLost);
  EXPECT_EQ(map.rules().size(), 11u);
}

TEST(SegmentMapTest, FirstMatchWins) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      SegmentMap map, SegmentMap::Create({{"top", {5, 5}, {5, 5}, {5, 5}, Group::kLoyal},
                                          {"rest", {1, 5}, {1, 5}, {1, 5}, Group::kLost}}));
  EXPECT_EQ(map.Lookup(5, 5, 5).name, "top");
  EXPECT_EQ(map.Lookup(5, 5, 4).name, "rest");
  EXPECT_EQ(map.LookupIndex(1, 1, 1), 1u);
}

TEST(SegmentMapTest, RejectsGapsDuplicatesAndBadRanges) {
  EXPECT_THAT(SegmentMap::Create({{"top", {5, 5}, {1, 5}, {1, 5}, Group::kLoyal}}),
              StatusIsWith(StatusCode::kInvalidArgument, testing::HasSubstr("R=1 F=1 M=1")));
  EXPECT_THAT(SegmentMap::Create({{"a", {1, 5}, {1, 5}, {1, 5}, Group::kLoyal},
                                  {"a", {1, 5}, {1, 5}, {1, 5}, Group::kLoyal}}),
              StatusIsWith(StatusCode::kInvalidArgument, testing::HasSubstr("duplicate")));
  EXPECT_THAT(SegmentMap::Create({{"a", {0, 5}, {1, 5}, {1, 5}, Group::kLoyal}}),
              StatusIsWith(StatusCode::kInvalidArgument, testing::HasSubstr("r range 0..5")));
  EXPECT_THAT(SegmentMap::Create({{"a", {1, 5}, {4, 2}, {1, 5}, Group::kLoyal}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SegmentMap::Create({}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(GroupTest, NamesRoundTrip) {
  for (int g = 0; g < kGroupCount; ++g) {
    EXPECT_EQ(ParseGroup(GroupName(static_cast<Group>(g))), static_cast<Group>(g));
  }
  EXPECT_EQ(GroupName(Group::kHighValueLost), "high_value_lost");
  EXPECT_EQ(ParseGroup("gone"), std::nullopt);
}

// Quadratic reference: score = 1 + floor(5 * worse / n).
std::vector<std::uint8_t> NaiveQuintiles(const std::vector<std::int64_t>& v, Better better) {
  std::vector<std::uint8_t> out;
  const auto n = static_cast<std::int64_t>(v.size());
  for (std::int64_t x : v) {
    std::int64_t worse = 0;
    for (std::int64_t y : v) worse += better == Better::kHigher ? (y < x) : (y > x);
    out.push_back(static_cast<std::uint8_t>(1 + 5 * worse / n));
  }
  return out;
}

TEST(QuintileScoresTest, CountingAndSortingAgreeWithTheDefinition) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = 1 + rng() % 300;
    // Small ranges take the counting path, wide ones (and extremes) the sorting path.
    const std::uint64_t range = trial % 3 == 0 ? 5 : trial % 3 == 1 ? 100'000 : 0;
    std::vector<std::int64_t> v(n);
    for (std::int64_t& x : v) {
      x = range == 0 ? static_cast<std::int64_t>(rng())
                     : static_cast<std::int64_t>(rng() % range) - 3;
    }
    if (trial == 2)
      v = {std::numeric_limits<std::int64_t>::min(), 0, std::numeric_limits<std::int64_t>::max()};
    for (Better b : {Better::kHigher, Better::kLower}) {
      ASSERT_EQ(QuintileScores(v, b), NaiveQuintiles(v, b)) << "trial " << trial;
    }
  }
}

}  // namespace
}  // namespace winback::analytics
