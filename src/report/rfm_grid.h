#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "analytics/rfm.h"
#include "store/records.h"

namespace winback::report {

// Customers of one segment inside one cell of the RFM grid.
struct RfmCellSegment {
  std::string segment;  // e.g. "champions"
  std::string group;    // its group of article 004, e.g. "loyal"
  std::int64_t customers = 0;
};

// One cell of the grid: the customers with recency score r and frequency score f (1..5). A
// cell may hold several segments, because the segment map also looks at M (with the default
// map, R 1-2 / F 4-5 splits into cant_lose_them and at_risk).
struct RfmCell {
  int r = 0;
  int f = 0;
  std::int64_t customers = 0;
  std::vector<RfmCellSegment> segments;  // largest first, ties by name
};

// The R x F grid of article 004's RFM matrix with counts, per segment and per group.
struct RfmGrid {
  std::array<RfmCell, 25> cells;  // index (r - 1) * 5 + (f - 1)
  // Customers per group, indexed by analytics::Group.
  std::array<std::int64_t, analytics::kGroupCount> by_group{};
  std::int64_t customers = 0;  // customers in the grid: those with RFM scores

  const RfmCell& at(int r, int f) const;  // r, f in 1..5 (programmer error otherwise)
};

// BuildRfmGrid one customer at a time, for scores that are streamed rather than kept.
class RfmGridBuilder {
 public:
  void Add(const store::CustomerScore& s);
  // The grid of the customers added; leaves the builder empty.
  RfmGrid Finish();

 private:
  RfmGrid grid_;
  // Per cell: segment -> (group, customers). Segment maps have a handful of rules, so a map
  // per cell is cheap.
  std::array<std::map<std::string, RfmCellSegment>, 25> by_segment_;
};

// Counts scored customers into the grid. Customers without RFM scores (r, f or m outside 1..5:
// they never ordered) are left out, and so is a group name that is not one of the five (the
// config parser accepts no other). Pure; O(n).
RfmGrid BuildRfmGrid(std::span<const store::CustomerScore> scores);

}  // namespace winback::report
