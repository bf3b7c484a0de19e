#include "analytics/rfm.h"

#include <algorithm>
#include <limits>
#include <set>

#include "core/check.h"

namespace winback::analytics {

std::vector<std::uint8_t> QuintileScores(std::span<const std::int64_t> values, Better better) {
  std::vector<std::uint8_t> scores(values.size());
  if (values.empty()) return scores;
  WINBACK_CHECK(values.size() <= std::numeric_limits<std::uint32_t>::max());
  const auto n = static_cast<std::int64_t>(values.size());
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  // Small value ranges (recency, frequency): count the values instead of sorting them.
  const std::uint64_t range = static_cast<std::uint64_t>(*hi) - static_cast<std::uint64_t>(*lo);
  if (range < static_cast<std::uint64_t>(std::max<std::int64_t>(n, 4096))) {
    const std::int64_t base = *lo;
    std::vector<std::uint32_t> count(range + 1, 0);
    for (std::int64_t v : values) ++count[static_cast<std::size_t>(v - base)];
    // count[i] becomes the score of value base + i.
    std::int64_t below = 0;
    for (std::uint32_t& c : count) {
      const std::int64_t equal = c;
      const std::int64_t worse = better == Better::kHigher ? below : n - below - equal;
      c = static_cast<std::uint32_t>(1 + (5 * worse) / n);
      below += equal;
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      scores[i] = static_cast<std::uint8_t>(count[static_cast<std::size_t>(values[i] - base)]);
    }
    return scores;
  }
  // Sort (value, position) once and walk the tie groups: sequential, unlike a binary search
  // per value, which misses the cache at every step for a million values.
  std::vector<std::pair<std::int64_t, std::uint32_t>> sorted(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    sorted[i] = {values[i], static_cast<std::uint32_t>(i)};
  }
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t begin = 0; begin < sorted.size();) {
    std::size_t end = begin + 1;
    while (end < sorted.size() && sorted[end].first == sorted[begin].first) ++end;
    // Values strictly worse: smaller ones for kHigher, larger ones for kLower.
    const std::int64_t worse = better == Better::kHigher ? static_cast<std::int64_t>(begin)
                                                         : n - static_cast<std::int64_t>(end);
    const auto score = static_cast<std::uint8_t>(1 + (5 * worse) / n);
    for (std::size_t k = begin; k < end; ++k) scores[sorted[k].second] = score;
    begin = end;
  }
  return scores;
}

namespace {
// The 125 (R, F, M) cells in row-major order, each score 1..5.
std::size_t CellIndex(int r, int f, int m) {
  return static_cast<std::size_t>(r - 1) * 25 + static_cast<std::size_t>(f - 1) * 5 +
         static_cast<std::size_t>(m - 1);
}

constexpr std::array<std::string_view, kGroupCount> kGroupNames = {
    "loyal", "potentially_loyal", "loyal_at_risk", "high_value_lost", "lost"};

std::string RangeText(const ScoreRange& r) {
  return std::to_string(r.lo) + ".." + std::to_string(r.hi);
}
}  // namespace

std::string_view GroupName(Group g) { return kGroupNames[static_cast<std::size_t>(g)]; }

std::optional<Group> ParseGroup(std::string_view name) {
  for (std::size_t i = 0; i < kGroupNames.size(); ++i) {
    if (kGroupNames[i] == name) return static_cast<Group>(i);
  }
  return std::nullopt;
}

Result<SegmentMap> SegmentMap::Create(std::vector<SegmentRule> rules) {
  if (rules.empty()) return InvalidArgumentError("rfm segments: no segment rules");
  if (rules.size() > 250) return InvalidArgumentError("rfm segments: more than 250 rules");
  std::set<std::string, std::less<>> names;
  for (const SegmentRule& rule : rules) {
    if (rule.name.empty()) return InvalidArgumentError("rfm segment: empty name");
    if (!names.insert(rule.name).second) {
      return InvalidArgumentError("rfm segment '" + rule.name + "': duplicate name");
    }
    for (const auto& [letter, range] :
         {std::pair{'r', rule.r}, std::pair{'f', rule.f}, std::pair{'m', rule.m}}) {
      if (range.lo < 1 || range.hi > 5 || range.lo > range.hi) {
        return InvalidArgumentError("rfm segment '" + rule.name + "': " + letter + " range " +
                                    RangeText(range) + " is not within 1..5 with lo <= hi");
      }
    }
  }
  SegmentMap map;
  map.rules_ = std::move(rules);
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      for (int m = 1; m <= 5; ++m) {
        std::size_t found = map.rules_.size();
        for (std::size_t i = 0; i < map.rules_.size(); ++i) {
          const SegmentRule& rule = map.rules_[i];
          if (rule.r.Contains(r) && rule.f.Contains(f) && rule.m.Contains(m)) {
            found = i;
            break;
          }
        }
        if (found == map.rules_.size()) {
          return InvalidArgumentError("rfm segments: no segment covers R=" + std::to_string(r) +
                                      " F=" + std::to_string(f) + " M=" + std::to_string(m) +
                                      " (add a catch-all rule at the end)");
        }
        map.cell_[CellIndex(r, f, m)] = static_cast<std::uint8_t>(found);
      }
    }
  }
  return map;
}

SegmentMap SegmentMap::Default() {
  using G = Group;
  std::vector<SegmentRule> rules = {
      {"champions", {4, 5}, {4, 5}, {4, 5}, G::kLoyal},
      {"loyal", {3, 5}, {4, 5}, {1, 5}, G::kLoyal},
      {"potential_loyalist", {4, 5}, {2, 3}, {1, 5}, G::kPotentiallyLoyal},
      {"new", {5, 5}, {1, 1}, {1, 5}, G::kPotentiallyLoyal},
      {"promising", {4, 4}, {1, 1}, {1, 5}, G::kPotentiallyLoyal},
      {"need_attention", {3, 3}, {2, 3}, {1, 5}, G::kLoyalAtRisk},
      {"about_to_sleep", {3, 3}, {1, 1}, {1, 5}, G::kLoyalAtRisk},
      {"cant_lose_them", {1, 2}, {4, 5}, {4, 5}, G::kHighValueLost},
      {"at_risk", {1, 2}, {4, 5}, {1, 5}, G::kLoyalAtRisk},
      {"hibernating", {2, 2}, {1, 3}, {1, 5}, G::kLost},
      {"lost", {1, 1}, {1, 3}, {1, 5}, G::kLost},
  };
  Result<SegmentMap> map = Create(std::move(rules));
  WINBACK_CHECK(map.ok());
  return std::move(map).value();
}

std::size_t SegmentMap::LookupIndex(int r, int f, int m) const {
  WINBACK_CHECK(r >= 1 && r <= 5 && f >= 1 && f <= 5 && m >= 1 && m <= 5);
  return cell_[CellIndex(r, f, m)];
}

const SegmentRule& SegmentMap::Lookup(int r, int f, int m) const {
  return rules_[LookupIndex(r, f, m)];
}

}  // namespace winback::analytics
