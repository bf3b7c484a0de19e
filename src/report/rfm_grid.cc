#include "report/rfm_grid.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "core/check.h"

namespace winback::report {

const RfmCell& RfmGrid::at(int r, int f) const {
  WINBACK_CHECK(r >= 1 && r <= 5 && f >= 1 && f <= 5);
  return cells[static_cast<std::size_t>(r - 1) * 5 + static_cast<std::size_t>(f - 1)];
}

void RfmGridBuilder::Add(const store::CustomerScore& s) {
  if (s.r < 1 || s.r > 5 || s.f < 1 || s.f > 5 || s.m < 1 || s.m > 5) return;
  const std::optional<analytics::Group> group = analytics::ParseGroup(s.group);
  if (!group) return;
  const auto index = static_cast<std::size_t>(s.r - 1) * 5 + static_cast<std::size_t>(s.f - 1);
  RfmCellSegment& seg = by_segment_[index][s.segment];
  if (seg.customers == 0) {
    seg.segment = s.segment;
    seg.group = s.group;
  }
  ++seg.customers;
  ++grid_.cells[index].customers;
  ++grid_.by_group[static_cast<std::size_t>(*group)];
  ++grid_.customers;
}

RfmGrid RfmGridBuilder::Finish() {
  RfmGrid grid = std::move(grid_);
  grid_ = RfmGrid();
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      const auto index = static_cast<std::size_t>(r - 1) * 5 + static_cast<std::size_t>(f - 1);
      RfmCell& cell = grid.cells[index];
      cell.r = r;
      cell.f = f;
      for (auto& [name, seg] : by_segment_[index]) cell.segments.push_back(std::move(seg));
      by_segment_[index].clear();
      // The map already ordered them by name, so a stable sort leaves ties by name.
      std::stable_sort(cell.segments.begin(), cell.segments.end(),
                       [](const RfmCellSegment& a, const RfmCellSegment& b) {
                         return a.customers > b.customers;
                       });
    }
  }
  return grid;
}

RfmGrid BuildRfmGrid(std::span<const store::CustomerScore> scores) {
  RfmGridBuilder builder;
  for (const store::CustomerScore& s : scores) builder.Add(s);
  return builder.Finish();
}

}  // namespace winback::report
