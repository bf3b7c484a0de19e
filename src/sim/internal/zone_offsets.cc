#include "sim/internal/zone_offsets.h"

namespace winback::sim::internal {
namespace {

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

Result<ZoneOffsets> ZoneOffsets::Build(std::string_view zone_name, Date first, Date last) {
  WINBACK_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Find(zone_name));
  ZoneOffsets table(zone);
  table.first_day_ = first.days();
  const std::int64_t n = std::int64_t{last.days()} - first.days() + 1;
  if (n <= 0) return table;
  table.days_.reserve(static_cast<std::size_t>(n));
  auto offset_at = [&zone](std::int64_t s) {
    return zone.OffsetMinutesAt(Instant::FromUnixSeconds(s));
  };
  std::int32_t next_offset = offset_at(table.first_day_ * 86'400);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t day_start = (table.first_day_ + i) * 86'400;
    const std::int32_t before = next_offset;
    next_offset = offset_at(day_start + 86'400);
    Day day{static_cast<std::int16_t>(before), static_cast<std::int16_t>(before), 86'400};
    if (next_offset != before) {
      // Binary search for the first second with the new offset.
      std::int64_t lo = 0;
      std::int64_t hi = 86'400;
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (offset_at(day_start + mid) == before) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      day.after = static_cast<std::int16_t>(next_offset);
      day.transition = static_cast<std::int32_t>(lo);
      // Two transitions in one day would make the search unreliable: verify, else go slow.
      if (offset_at(day_start + lo) != next_offset) day.transition = -1;
    }
    table.days_.push_back(day);
  }
  return table;
}

std::int32_t ZoneOffsets::OffsetMinutesAt(std::int64_t unix_seconds) const {
  const std::int64_t day = FloorDiv(unix_seconds, 86'400);
  const std::int64_t i = day - first_day_;
  if (i < 0 || i >= static_cast<std::int64_t>(days_.size())) {
    return zone_.OffsetMinutesAt(Instant::FromUnixSeconds(unix_seconds));
  }
  const Day& d = days_[static_cast<std::size_t>(i)];
  if (d.transition < 0) return zone_.OffsetMinutesAt(Instant::FromUnixSeconds(unix_seconds));
  return (unix_seconds - day * 86'400) < d.transition ? d.before : d.after;
}

std::int64_t ZoneOffsets::LocalToUnix(std::int64_t local_seconds) const {
  const std::int32_t guess = OffsetMinutesAt(local_seconds);
  std::int64_t unix_seconds = local_seconds - std::int64_t{guess} * 60;
  const std::int32_t actual = OffsetMinutesAt(unix_seconds);
  if (actual != guess) unix_seconds = local_seconds - std::int64_t{actual} * 60;
  return unix_seconds;
}

}  // namespace winback::sim::internal
