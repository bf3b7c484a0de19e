#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace winback::sim::internal {

// UTC offsets of one IANA zone, precomputed per UTC day over a date range, so the hot path of
// the simulator (a few offsets per order and event) costs an array lookup instead of a tz
// database search. Outside the range it falls back to core's TimeZone, which is slower but
// exact. A day with more than one transition (none exists in the zones the simulator uses) is
// also answered by the fallback. Immutable after Build; safe to share between threads.
class ZoneOffsets {
 public:
  // Returns NotFound when `zone_name` is not in the tz database.
  static Result<ZoneOffsets> Build(std::string_view zone_name, Date first, Date last);

  const TimeZone& zone() const { return zone_; }

  // Offset from UTC in minutes at `unix_seconds`.
  std::int32_t OffsetMinutesAt(std::int64_t unix_seconds) const;

  // The instant (unix seconds) whose wall clock in this zone reads `local_seconds` (seconds
  // since 1970-01-01T00:00 local). In a DST gap the result is shifted by the gap; in an overlap
  // the earlier of the two instants is not guaranteed, only a consistent one.
  std::int64_t LocalToUnix(std::int64_t local_seconds) const;

 private:
  struct Day {
    std::int16_t before;      // offset at 00:00:00Z, minutes
    std::int16_t after;       // offset from `transition` on
    std::int32_t transition;  // seconds after 00:00Z of the change; 86400 when none; -1: slow
  };

  explicit ZoneOffsets(TimeZone zone) : zone_(zone) {}

  TimeZone zone_;
  std::int64_t first_day_ = 0;
  std::vector<Day> days_;
};

}  // namespace winback::sim::internal
