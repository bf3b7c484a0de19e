#pragma once

// The contact policy, applied in one place: who may be contacted on which channel, when
// (quiet hours in the customer's time zone, a frequency cap across all campaigns and
// channels), and the stable assignment to holdout and variants. Pure functions of their
// arguments: the planner calls them when it decides, and the sender calls the contact checks
// again just before it hands a message over.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "campaigns/campaign_config.h"
#include "core/time.h"
#include "core/vocabulary.h"

namespace winback::campaigns {

// What the policy needs to know about reaching one customer.
struct ContactInfo {
  Consent consent[kChannelKindCount] = {};
  bool has_address[kChannelKindCount] = {};  // email for kEmail, phone for kSms and kWhatsapp
  std::uint32_t unsubscribed_channels = 0;   // Bit c: an unsubscribe on channel c.
  std::uint32_t bounced_channels = 0;        // Bit c: a hard bounce on channel c.
  std::optional<ChannelKind> preferred;      // The customer's stated preference.
  // Bit k (KindBit): the customer opted out of MessageKind k in the preference centre
  // (store::KindOptOut).
  std::uint32_t opted_out_kinds = 0;
};

// The bit of `kind` in ContactInfo::opted_out_kinds.
constexpr std::uint32_t KindBit(MessageKind kind) { return 1u << static_cast<unsigned>(kind); }

// True when a message may go to the customer on `channel`: consent granted (unknown is not
// consent), an address, no unsubscribe and no bounce on that channel. The one definition of
// "contactable", used at planning and again at sending.
bool Contactable(const ContactInfo& contact, ChannelKind channel);

// True when the customer has not opted out of `kind` of message. The one definition of the
// preference rule, beside Contactable and used in the same places: the planner lets no one
// into a campaign of a kind they opted out of and ends their active journeys of it; the sender
// cancels a message whose customer opted out of its campaign's kind after it was planned.
bool WantsKind(const ContactInfo& contact, MessageKind kind);

// Why a message or journey of `kind` is refused: "preference: opted out of KIND" (KIND as
// MessageKindName spells it). The suppression, exit and cancel reason of WantsKind.
std::string KindRefusal(MessageKind kind);

// The channel for one message and why.
struct ChannelChoice {
  std::optional<ChannelKind> channel;  // nullopt: no channel may be used.
  std::string reason;  // "preferred", "learned: whatsapp 31% of 120 like them", "order: ..."
};

// Engagement rates of customers like this one (same age band, country and language), per
// channel: the share of those with consent on the channel who engaged on it, and how many
// that share is of. Filled by the planner from the store; `samples` 0 = unknown.
struct ChannelRates {
  double rate[kChannelKindCount] = {};
  std::int64_t samples[kChannelKindCount] = {};
};

// Chooses among the contactable channels: the stated preference when contactable; else the
// channel on which customers like them engage most, when at least `policy.learn_min_sample`
// of them back its rate; else the first contactable channel of `policy.channel_order`.
ChannelChoice ChooseChannel(const ContactInfo& contact, const ChannelRates& like_them,
                            const Policy& policy);

// True when `seconds_of_day` (local) falls in the quiet hours [start, end), which wrap past
// midnight when start > end; start == end means no quiet hours.
bool InQuietHours(std::int32_t seconds_of_day, const Policy& policy);

// The first instant at or after `t` that is outside the quiet hours in `zone` (the end of the
// quiet period, on the right local day, DST gaps handled by TimeZone::AtLocalTime).
Instant AfterQuietHours(Instant t, const TimeZone& zone, const Policy& policy);

// True when one more message at `t` keeps every window [s, s + cap_days) at no more than
// `policy.cap_messages` messages, counting `scheduled` (the customer's other messages, any
// campaign and channel, sorted ascending).
bool FitsFrequencyCap(std::span<const Instant> scheduled, Instant t, const Policy& policy);

// The first instant at or after `t` outside the quiet hours that fits the frequency cap: a
// capped message is moved later, never dropped here (expiry is the caller's rule).
Instant EarliestAllowed(std::span<const Instant> scheduled, Instant t, const TimeZone& zone,
                        const Policy& policy);

// Stable assignment, the same on every run and machine: a 64-bit hash of the parts (FNV-1a
// with a splitmix64 finaliser) mapped to [0, 1).
double AssignmentUnit(std::string_view campaign, std::string_view part,
                      std::string_view customer_id);

// True for the `share` of customers kept as the campaign's holdout group.
bool InHoldout(std::string_view campaign, std::string_view customer_id, double share);

// The variant index in 0..count-1 for a customer at one step (count >= 1).
std::size_t VariantIndex(std::string_view campaign, std::string_view step,
                         std::string_view customer_id, std::size_t count);

}  // namespace winback::campaigns
