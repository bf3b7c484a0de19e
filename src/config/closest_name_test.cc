#include "config/closest_name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace winback::config {
namespace {

TEST(EditDistanceTest, CountsEditsAndSwaps) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("inactivty", "inactivity"), 1u);  // a deletion
  EXPECT_EQ(EditDistance("databse", "database"), 1u);
  EXPECT_EQ(EditDistance("lifecylce", "lifecycle"), 1u);  // a swap of neighbours
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("Store", "store"), 0u);  // ASCII case is ignored
  EXPECT_EQ(EditDistance("rfm", "let_go"), 6u);
}

TEST(ClosestNameTest, SuggestsOnlyLikelySpellings) {
  const std::vector<std::string> sections = {"store",     "import",    "inactivity", "rfm",
                                             "lifecycle", "readiness", "let_go",     "rates"};
  EXPECT_EQ(ClosestName("inactivty", sections), "inactivity");
  EXPECT_EQ(ClosestName("letgo", sections), "let_go");
  EXPECT_EQ(ClosestName("rmf", sections), "rfm");
  EXPECT_EQ(ClosestName("Rates", sections), "rates");
  EXPECT_EQ(ClosestName("campaigns", sections), std::nullopt);
  EXPECT_EQ(ClosestName("x", sections), std::nullopt);
  // A known name needs no suggestion.
  EXPECT_EQ(ClosestName("rates", sections), std::nullopt);
  EXPECT_EQ(ClosestName("anything", std::vector<std::string>{}), std::nullopt);
}

TEST(ClosestNameTest, TieGoesToTheEarlierCandidate) {
  const std::vector<std::string> names = {"days", "dats"};
  EXPECT_EQ(ClosestName("dayz", names), "days");
}

}  // namespace
}  // namespace winback::config
