#include "models/internal/groups.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace winback::models::internal {
namespace {

// The value dictionary and codes must describe the groups exactly.
void ExpectConsistentCodes(const Groups& g) {
  ASSERT_EQ(g.b_code.size(), g.size());
  ASSERT_EQ(g.c_code.size(), g.size());
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!(g.values[g.b_code[i]] == g.b[i]) || !(g.values[g.c_code[i]] == g.c[i])) ++wrong;
  }
  EXPECT_EQ(wrong, 0u);
}

TEST(GroupTriplesTest, GroupsExactValuesInOrderOfFirstAppearance) {
  const std::vector<double> a = {1, 0, 1, 1, 0, 2};
  const std::vector<double> b = {2.5, 0, 2.5, 2.5, -0.0, 3};
  const std::vector<double> c = {3, 3, 3, 3.0000000001, 3, 3};
  const Groups g = GroupTriples(a, b, c, {}, true);
  EXPECT_EQ(g.a, (std::vector<double>{1, 0, 1, 2}));
  EXPECT_EQ(g.b, (std::vector<double>{2.5, 0, 2.5, 3}));
  EXPECT_EQ(g.c, (std::vector<double>{3, 3, 3.0000000001, 3}));
  EXPECT_EQ(g.weight, (std::vector<double>{2, 2, 1, 1}));  // -0.0 counts as 0.0
  EXPECT_EQ(g.group_of_row, (std::vector<std::uint32_t>{0, 1, 0, 2, 1, 3}));
  EXPECT_EQ(g.values, (std::vector<double>{2.5, 3, 0, 3.0000000001}));
  ExpectConsistentCodes(g);
  EXPECT_TRUE(GroupTriples(a, b, c, {}, false).group_of_row.empty());
}

TEST(GroupTriplesTest, SumsExplicitWeights) {
  const std::vector<double> a = {1, 1, 2};
  const std::vector<double> zero = {0, 0, 0};
  const std::vector<double> w = {0.5, 0.25, 2};
  const Groups g = GroupTriples(a, zero, zero, w, false, 4);
  EXPECT_EQ(g.weight, (std::vector<double>{0.75, 2}));
}

TEST(GroupTriplesTest, ParallelBlocksGiveExactlyTheSequentialResult) {
  // 400k rows: up to three blocks of 2^17 rows. Frequencies, daily-grid times and some
  // off-grid times, so that the dictionaries and the triple table grow in every block.
  const std::size_t n = 400'000;
  std::vector<double> a(n), b(n), c(n);
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t u = next();
    c[i] = static_cast<double>(180 + u % 90) / 7.0;
    a[i] = static_cast<double>((u >> 8) % 13);
    b[i] = a[i] == 0 ? 0.0 : static_cast<double>((u >> 16) % (180 + u % 90)) / 7.0;
    if (u % 1000 == 0) c[i] += 1e-3 * static_cast<double>(i % 97);
  }
  const Groups one = GroupTriples(a, b, c, {}, true, 1);
  ExpectConsistentCodes(one);
  double total = 0;
  for (double w : one.weight) total += w;
  EXPECT_EQ(total, static_cast<double>(n));
  for (int threads : {2, 3, 8}) {
    const Groups many = GroupTriples(a, b, c, {}, true, threads);
    EXPECT_EQ(many.a, one.a) << threads;
    EXPECT_EQ(many.b, one.b) << threads;
    EXPECT_EQ(many.c, one.c) << threads;
    EXPECT_EQ(many.weight, one.weight) << threads;
    EXPECT_EQ(many.group_of_row, one.group_of_row) << threads;
    EXPECT_EQ(many.values, one.values) << threads;
    EXPECT_EQ(many.b_code, one.b_code) << threads;
    EXPECT_EQ(many.c_code, one.c_code) << threads;
  }
  for (std::size_t i = 0; i < n; i += 997) {
    const std::uint32_t g = one.group_of_row[i];
    EXPECT_EQ(one.a[g], a[i]);
    EXPECT_EQ(one.b[g], b[i]);
    EXPECT_EQ(one.c[g], c[i]);
  }
}

// Same groups, order, weights and row map (the value dictionaries may differ).
void ExpectSameGroups(const Groups& x, const Groups& y) {
  EXPECT_EQ(x.a, y.a);
  EXPECT_EQ(x.b, y.b);
  EXPECT_EQ(x.c, y.c);
  EXPECT_EQ(x.weight, y.weight);
  EXPECT_EQ(x.group_of_row, y.group_of_row);
  ExpectConsistentCodes(x);
  ExpectConsistentCodes(y);
}

TEST(GroupTriplesTest, FastPathEqualsGeneralPath) {
  const std::vector<double> a = {1, 0, 1, 1, 0, 2, 300, 300, 1e9, 2.5};
  const std::vector<double> b = {2.5, 0, 2.5, 2.5, -0.0, 3, 7, 7, 1, 0.1};
  const std::vector<double> c = {3, 3, 3, 3.0000000001, 3, 3, 7, 8, 2, 0.2};
  const Groups general = GroupTriplesGeneral(a, b, c, {}, true);
  ExpectSameGroups(GroupTriples(a, b, c, {}, true), general);
  EXPECT_EQ(general.values.size(), 2 * general.size());
}

TEST(GroupTriplesTest, ContinuousTimesTakeTheGeneralPath) {
  // Distinct continuous times (every second row repeats the previous one): the dictionaries
  // would hold one value per row.
  const std::size_t n = 300'000;
  std::vector<double> a(n), b(n), c(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = i / 2;
    a[i] = static_cast<double>(k % 5);
    b[i] = 0.5 + static_cast<double>(k) * 1e-3;
    c[i] = 2000.5 + static_cast<double>(k) * 1e-3;
  }
  const Groups g = GroupTriples(a, b, c, {}, true, 2);
  EXPECT_EQ(g.size(), n / 2);
  EXPECT_EQ(g.values.size(), n);
  ExpectSameGroups(g, GroupTriplesGeneral(a, b, c, {}, true));
}

TEST(SubsampleTest, KeepsEveryKthGroupWithItsCodes) {
  const std::vector<double> a = {0, 1, 2, 3, 4};
  const std::vector<double> b = {0, 1, 1, 2, 2};
  const std::vector<double> c = {5, 5, 6, 6, 7};
  const Groups g = GroupTriples(a, b, c, {}, false);
  const Groups s = Subsample(g, 2);
  EXPECT_EQ(s.a, (std::vector<double>{0, 2, 4}));
  EXPECT_EQ(s.weight, (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(s.values, g.values);
  ExpectConsistentCodes(s);
}

}  // namespace
}  // namespace winback::models::internal
