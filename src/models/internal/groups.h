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
//
// The b and c columns (t_x and T) are also dictionary-encoded: b_code / c_code index into
// `values`, so a likelihood can compute a function of t_x or T (ln(alpha + T), ...) once per
// entry of `values` instead of once per group. On GroupTriples' fast path (times on a grid,
// the usual case) `values` holds the distinct values of b and c together, in order of first
// appearance; on its general path (continuous times, where a dictionary would not pay) every
// group has its own two entries.
struct Groups {
  std::vector<double> a;
  std::vector<double> b;
  std::vector<double> c;
  std::vector<double> weight;               // number of rows (or summed row weights)
  std::vector<std::uint32_t> group_of_row;  // filled only when requested
  std::vector<double> values;               // distinct values of b and c
  std::vector<std::uint32_t> b_code;        // values[b_code[g]] == b[g]
  std::vector<std::uint32_t> c_code;        // values[c_code[g]] == c[g]
  std::size_t size() const { return a.size(); }
};

// Groups rows i = 0..n-1 by the exact bit pattern of (a[i], b[i], c[i]) (-0.0 counts as 0.0).
// `weights` is empty (each row weighs 1) or has n entries. When `row_map` is true,
// group_of_row[i] is the group of row i. n must be below 2^32. O(n) expected time.
//
// Fast path (unit weights, and at most one new t_x or T value per four among the first 2^16
// rows): each column is dictionary-encoded (small hash tables, in cache) and the three codes
// are packed into one 64-bit key, grouped in a hash table that keeps each group's row count in
// the key's slot (one cache line per row, prefetched ahead). Large inputs are split into
// contiguous blocks grouped on up to `threads` threads and merged in block order; the result
// (groups, their order, weights, codes, row map) is exactly the sequential one for any thread
// count. Otherwise (explicit weights, continuous times, or more than 2^21 distinct values in a
// column) the general single-threaded path below is used: the same groups, order, weights and
// row map, with one `values` entry per group and time.
Groups GroupTriples(std::span<const double> a, std::span<const double> b, std::span<const double> c,
                    std::span<const double> weights, bool row_map, int threads = 1);

// The general path of GroupTriples (one hash table over the raw values), for any input; also
// the reference for tests of the fast path.
Groups GroupTriplesGeneral(std::span<const double> a, std::span<const double> b,
                           std::span<const double> c, std::span<const double> weights,
                           bool row_map);

// Every k-th group (k >= 1) with its weight multiplied by k: an unbiased cheap approximation
// of the weighted sum over all groups, used to warm-start fits on large inputs. The value
// dictionary is kept (some values may then be unused).
Groups Subsample(const Groups& groups, std::size_t k);

}  // namespace winback::models::internal
