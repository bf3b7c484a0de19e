#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback::analytics {

enum class Better : std::uint8_t { kHigher, kLower };

// Quintile scores 1..5 with ties kept together. For each value v among n values,
//   score(v) = 1 + floor(5 * worse(v) / n)
// where worse(v) counts the values strictly worse than v (smaller for Better::kHigher, larger
// for Better::kLower). Equal values therefore always get the same score, and a tie group gets
// the score of its worst-ranked member's position: with n distinct values the scores are
// exact quintiles (ranks 1..n/5 -> 1, ...), and a value shared by 60% of customers that are
// also the worst all score 1, the next value starting at 4. O(n log n). Returns one score per
// input, in input order; an empty input gives an empty result.
std::vector<std::uint8_t> QuintileScores(std::span<const std::int64_t> values, Better better);

// The five groups of article 004 (RFM matrix colours).
enum class Group : std::uint8_t {
  kLoyal = 0,         // dark green: fine, make them ambassadors
  kPotentiallyLoyal,  // light green: good, keep engaging
  kLoyalAtRisk,       // yellow: loyal, big customers drifting away
  kHighValueLost,     // orange: were very valuable, gone; one irresistible offer
  kLost,              // grey: not worth the effort
};
inline constexpr int kGroupCount = 5;
// "loyal", "potentially_loyal", "loyal_at_risk", "high_value_lost", "lost".
std::string_view GroupName(Group g);
std::optional<Group> ParseGroup(std::string_view name);

// Inclusive range of scores 1..5.
struct ScoreRange {
  int lo = 1;
  int hi = 5;
  bool Contains(int s) const { return lo <= s && s <= hi; }
};

// "Customers with R in r, F in f and M in m are <name>, in group <group>."
struct SegmentRule {
  std::string name;
  ScoreRange r, f, m;
  Group group = Group::kLost;
};

// A map from (R, F, M) to a named segment: the first rule (in order) whose ranges contain the
// scores. Every one of the 125 cells must be covered, so no customer is left unnamed.
class SegmentMap {
 public:
  // InvalidArgument naming the rule or the cell: empty or duplicate names, a range outside
  // 1..5 or with lo > hi, a cell (r, f, m) that no rule covers.
  static Result<SegmentMap> Create(std::vector<SegmentRule> rules);

  // The default map (documented in src/analytics/README.md):
  //   champions          R 4-5, F 4-5, M 4-5   loyal
  //   loyal              R 3-5, F 4-5          loyal
  //   potential_loyalist R 4-5, F 2-3          potentially_loyal
  //   new                R 5,   F 1            potentially_loyal
  //   promising          R 4,   F 1            potentially_loyal
  //   need_attention     R 3,   F 2-3          loyal_at_risk
  //   about_to_sleep     R 3,   F 1            loyal_at_risk
  //   cant_lose_them     R 1-2, F 4-5, M 4-5   high_value_lost
  //   at_risk            R 1-2, F 4-5          loyal_at_risk
  //   hibernating        R 2,   F 1-3          lost
  //   lost               R 1,   F 1-3          lost
  // F is banded 1 | 2-3 | 4-5 because ties are never split: where most customers bought on
  // one day only, they all score F = 1 and the next frequency already scores 3 or 4.
  static SegmentMap Default();

  // The rule for scores r, f, m in 1..5 (programmer error otherwise).
  const SegmentRule& Lookup(int r, int f, int m) const;
  // Index of that rule in rules().
  std::size_t LookupIndex(int r, int f, int m) const;
  const std::vector<SegmentRule>& rules() const { return rules_; }

 private:
  SegmentMap() = default;
  std::vector<SegmentRule> rules_;
  std::array<std::uint8_t, 125> cell_ = {};
};

}  // namespace winback::analytics
