#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace winback::models::internal {

// Distinct (a, b, c) triples of doubles with their total weight, in order of first
// appearance. Used to evaluate a likelihood once per distinct (x, t_x, T) (or (x, m_x, 0))
// instead of once per customer: 10 million customers cost about as much as their distinct
// triples.
struct Groups {
  std::vector<double> a;
  std::vector<double> b;
  std::vector<double> c;
  std::vector<double> weight;               // number of rows (or summed row weights)
  std::vector<std::uint32_t> group_of_row;  // filled only when requested
  std::size_t size() const { return a.size(); }
};

// Groups rows i = 0..n-1 by the exact bit pattern of (a[i], b[i], c[i]) (-0.0 counts as 0.0).
// `weights` is empty (each row weighs 1) or has n entries. When `row_map` is true,
// group_of_row[i] is the group of row i. n must be below 2^32. O(n) expected time.
Groups GroupTriples(std::span<const double> a, std::span<const double> b,
                    std::span<const double> c, std::span<const double> weights, bool row_map);

// Every k-th group (k >= 1) with its weight multiplied by k: an unbiased cheap approximation
// of the weighted sum over all groups, used to warm-start fits on very large inputs.
Groups Subsample(const Groups& groups, std::size_t k);

}  // namespace winback::models::internal
