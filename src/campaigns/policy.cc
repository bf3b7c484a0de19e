#include "campaigns/policy.h"

#include <algorithm>
#include <cstdio>

namespace winback::campaigns {
namespace {

constexpr std::int64_t kMicrosPerDay = std::int64_t{86'400} * 1'000'000;

std::uint32_t Bit(ChannelKind c) { return 1u << static_cast<unsigned>(c); }

std::uint64_t Fnv1a(std::uint64_t h, std::string_view s) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t Finalise(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

bool Contactable(const ContactInfo& contact, ChannelKind channel) {
  const auto c = static_cast<std::size_t>(channel);
  return contact.consent[c] == Consent::kGranted && contact.has_address[c] &&
         (contact.unsubscribed_channels & Bit(channel)) == 0 &&
         (contact.bounced_channels & Bit(channel)) == 0;
}

bool WantsKind(const ContactInfo& contact, MessageKind kind) {
  return (contact.opted_out_kinds & KindBit(kind)) == 0;
}

std::string KindRefusal(MessageKind kind) {
  return "preference: opted out of " + std::string(MessageKindName(kind));
}

ChannelChoice ChooseChannel(const ContactInfo& contact, const ChannelRates& like_them,
                            const Policy& policy) {
  ChannelChoice choice;
  if (contact.preferred && Contactable(contact, *contact.preferred)) {
    choice.channel = contact.preferred;
    choice.reason = "preferred";
    return choice;
  }
  // Learned: the best-engaging contactable channel among those with enough evidence.
  std::optional<ChannelKind> best;
  for (int c = 0; c < kChannelKindCount; ++c) {
    const auto kind = static_cast<ChannelKind>(c);
    if (!Contactable(contact, kind) || like_them.samples[c] < policy.learn_min_sample) continue;
    if (!best || like_them.rate[c] > like_them.rate[static_cast<int>(*best)]) best = kind;
  }
  if (best) {
    const int c = static_cast<int>(*best);
    char text[96];
    std::snprintf(text, sizeof text, "learned: %.0f%% of %lld like them engage",
                  100.0 * like_them.rate[c], static_cast<long long>(like_them.samples[c]));
    choice.channel = best;
    choice.reason = text;
    return choice;
  }
  for (ChannelKind kind : policy.channel_order) {
    if (Contactable(contact, kind)) {
      choice.channel = kind;
      choice.reason = "channel order";
      return choice;
    }
  }
  choice.reason = "no channel with consent and an address";
  return choice;
}

bool InQuietHours(std::int32_t seconds_of_day, const Policy& policy) {
  const std::int32_t start = policy.quiet_start_seconds;
  const std::int32_t end = policy.quiet_end_seconds;
  if (start == end) return false;
  if (start < end) return seconds_of_day >= start && seconds_of_day < end;
  return seconds_of_day >= start || seconds_of_day < end;
}

Instant AfterQuietHours(Instant t, const TimeZone& zone, const Policy& policy) {
  const std::int32_t sod = zone.LocalSecondsOfDay(t);
  if (!InQuietHours(sod, policy)) return t;
  Date day = zone.LocalDate(t);
  // In a period that wraps midnight, the part before midnight ends tomorrow.
  if (policy.quiet_start_seconds > policy.quiet_end_seconds && sod >= policy.quiet_start_seconds) {
    day = day.PlusDays(1);
  }
  // The end of the quiet period, unless a DST gap swallows the whole allowed time of that day
  // (allowed 02:00-03:00 on a day that skips from 02:00 to 03:00): then the next day's end.
  for (int tries = 0; tries < 3; ++tries, day = day.PlusDays(1)) {
    const Instant end = std::max(zone.AtLocalTime(day, policy.quiet_end_seconds), t);
    if (!InQuietHours(zone.LocalSecondsOfDay(end), policy)) return end;
  }
  return zone.AtLocalTime(day, policy.quiet_end_seconds);
}

bool FitsFrequencyCap(std::span<const Instant> scheduled, Instant t, const Policy& policy) {
  const std::int64_t w = policy.cap_days * kMicrosPerDay;
  const std::int64_t tu = t.unix_micros();
  // Windows [s, s + w) that contain t have s in [t - w + 1, t]. Their counts change only where
  // a later message enters (s = y - w + 1), so those starts and the first one cover them all.
  const auto lo =
      std::lower_bound(scheduled.begin(), scheduled.end(), Instant::FromUnixMicros(tu - w + 1));
  const auto hi =
      std::lower_bound(scheduled.begin(), scheduled.end(), Instant::FromUnixMicros(tu + w));
  const auto count_from = [&](std::int64_t s) {
    std::int64_t n = 0;
    for (auto it = lo; it != hi; ++it) {
      const std::int64_t x = it->unix_micros();
      if (x >= s && x < s + w) ++n;
    }
    return n;
  };
  std::int64_t worst = count_from(tu - w + 1);
  for (auto it = lo; it != hi; ++it) {
    const std::int64_t y = it->unix_micros();
    if (y > tu) worst = std::max(worst, count_from(y - w + 1));
  }
  return worst + 1 <= policy.cap_messages;
}

Instant EarliestAllowed(std::span<const Instant> scheduled, Instant t, const TimeZone& zone,
                        const Policy& policy) {
  const std::int64_t w = policy.cap_days * kMicrosPerDay;
  Instant at = AfterQuietHours(t, zone, policy);
  // Each round either fits or moves past the moment one more message leaves the window, so
  // it ends within scheduled.size() + 1 rounds (more only through quiet hours, which move
  // forward too).
  for (std::size_t round = 0; round <= 2 * scheduled.size() + 2; ++round) {
    if (FitsFrequencyCap(scheduled, at, policy)) return at;
    std::optional<Instant> next;
    for (Instant x : scheduled) {
      const Instant leaves = Instant::FromUnixMicros(x.unix_micros() + w);
      if (leaves > at && (!next || leaves < *next)) next = leaves;
    }
    if (!next) break;
    at = AfterQuietHours(*next, zone, policy);
  }
  // Past every scheduled message's window: always fits.
  Instant last = scheduled.empty() ? at : std::max(at, scheduled.back());
  return AfterQuietHours(Instant::FromUnixMicros(last.unix_micros() + w), zone, policy);
}

double AssignmentUnit(std::string_view campaign, std::string_view part,
                      std::string_view customer_id) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = Fnv1a(h, campaign);
  h = Fnv1a(h, "\x1f");
  h = Fnv1a(h, part);
  h = Fnv1a(h, "\x1f");
  h = Fnv1a(h, customer_id);
  return static_cast<double>(Finalise(h) >> 11) * 0x1.0p-53;
}

bool InHoldout(std::string_view campaign, std::string_view customer_id, double share) {
  return AssignmentUnit(campaign, "holdout", customer_id) < share;
}

std::size_t VariantIndex(std::string_view campaign, std::string_view step,
                         std::string_view customer_id, std::size_t count) {
  const double u = AssignmentUnit(campaign, step, customer_id);
  return std::min(count - 1, static_cast<std::size_t>(u * static_cast<double>(count)));
}

}  // namespace winback::campaigns
