#pragma once

// The campaigns, offers, policy and tracking settings of winback.toml, as the planner reads
// them. Registered with the config loader by AddConfigSections; every rule that spans keys (a
// step's offer must exist, waits add up, the quiet hours parse) is checked at load time and named
// with file and line, so a campaign that loads can be planned.
//
//   [[campaign]]            one per campaign: trigger, audience, steps, re-entry, holdout
//   [[campaign.step]]       its steps, in order, each after `wait_days` (or `wait_hours`)
//   [[offer]]               offers by exit reason and segment, with their cost
//   [[holiday]]             dates for holiday campaigns, per country
//   [policy]                frequency cap, quiet hours, daily limit, channel order, let-go
//   [tracking]              base_url of links in messages
//   [templates]             the folder of message templates

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/registry.h"
#include "core/vocabulary.h"

namespace winback::campaigns {

// What starts a customer's journey through a campaign (the list of triggers).
enum class TriggerKind : std::uint8_t {
  kWinback,            // Becoming inactive or lost by the business's rules, or entering
                       // named segments; exits on any order.
  kBirthday,           // The customer's birthday in their time zone (29 Feb -> 28 Feb).
  kAnniversary,        // The anniversary of the first purchase.
  kHoliday,            // A date of [[holiday]] for the customer's country.
  kPostPurchase,       // A completed order: thank-you, then a review request.
  kOnboarding,         // A new customer (signup or first order).
  kCartAbandoned,      // A cart_abandoned event; cancelled when they order first.
  kSpendThreshold,     // Spent >= threshold within `period_days`.
  kLongInactive,       // No order for `inactive_days`: an incentive (article 002).
  kComplaintResolved,  // A ticket_resolved event after a complaint: apology and credit.
  kFeatureShipped,     // A feature_shipped event: everyone who asked for it or left over it.
};
inline constexpr int kTriggerKindCount = 11;

std::string_view TriggerKindName(TriggerKind kind);
std::optional<TriggerKind> TriggerKindFromName(std::string_view name);

// The kind of message a campaign of `trigger` sends unless its [[campaign]] sets `kind`:
// winback, long_inactive, spend_threshold -> offers; cart_abandoned -> reminders; birthday,
// anniversary, holiday -> occasions; post_purchase, onboarding, complaint_resolved -> service;
// feature_shipped -> news (core/vocabulary.h: MessageKind).
MessageKind DefaultMessageKind(TriggerKind trigger);

// One message of a campaign.
struct Step {
  std::string name;  // "come_back"; no '/'.
  int line = 0;      // Of its [[campaign.step]] header, for errors.
  // Delay after the previous step (the first step: after entry). Hours are for fast
  // triggers (cart reminders); the two add up.
  std::int64_t wait_days = 0;
  std::int64_t wait_hours = 0;
  std::string template_name;          // Default: the step's name.
  std::vector<std::string> variants;  // Variant names; each renders TEMPLATE.VARIANT. Empty: one.
  std::string offer;                  // An [[offer]] name, "by_reason" or "" (none).
  // by_reason: the offer chosen for the customer's exit reason is escalated this many levels
  // (0 = the base offer, 1 = its `next`, ...): article 004's bigger last-chance offer.
  std::int64_t escalate = 0;
  bool auto_winner = false;  // Later sends use the A/B winner (measurement decides).
};

// Who may enter. Empty lists match everyone.
struct Audience {
  std::vector<std::string> segments;   // RFM segment names (score column `segment`).
  std::vector<std::string> groups;     // The five groups of article 004.
  std::vector<std::string> lifecycle;  // new, active, at_risk, inactive, lost, reactivated.
  std::vector<std::string> countries;  // ISO 3166-1 alpha-2.
  std::vector<std::string> languages;
  std::vector<std::string> exit_reasons;  // price, service, selection, feature, moved, other.
};

struct Campaign {
  std::string name;  // Unique; no '/'.
  int line = 0;
  TriggerKind trigger = TriggerKind::kWinback;
  // `kind` of the [[campaign]] table; nullopt: DefaultMessageKind(trigger). Read it through
  // KindOf.
  std::optional<MessageKind> kind;
  std::int64_t priority = 0;  // Higher first when the frequency cap has room for one only.
  double holdout = 0.10;      // Share of entrants kept as a holdout group.
  Audience audience;
  std::vector<Step> steps;
  // Re-entry: may a customer enter again after a journey ended, after how long, how often.
  bool reenter = false;
  std::int64_t reenter_after_days = 180;
  std::int64_t max_entries = 1;
  // The local hour messages go out when the customer has no best hour of their own.
  std::int64_t send_hour = 10;
  // How many days after its due day a message may still be sent (the cap and quiet hours move
  // messages later); past that it expires, counted and reported.
  std::int64_t expires_after_days = 7;
  std::string language_default;  // Default: [policy] fallback_language.
  // Trigger parameters.
  std::int64_t cart_hours = 4;             // kCartAbandoned: first reminder after this.
  std::int64_t inactive_days = 120;        // kLongInactive.
  std::int64_t spend_threshold_minor = 0;  // kSpendThreshold, in `currency`.
  std::string currency;                    // kSpendThreshold.
  std::int64_t period_days = 365;          // kSpendThreshold window.
  std::vector<std::string> holidays;       // kHoliday: names of [[holiday]] entries; empty: all.
  std::int64_t lookback_days = 7;          // Event triggers: events at most this old enter.
};

// What an offer gives (article 001).
enum class OfferKind : std::uint8_t {
  kPercentOff,     // value: percent
  kAmountOff,      // value: minor units of the currency
  kCredit,         // store credit, value in minor units
  kLoyaltyPoints,  // value: points
  kFreeShipping,
  kNewProducts,  // no discount: the newest offerings (too few options)
  kNotify,       // no discount: tell them when the feature ships
};

std::string_view OfferKindName(OfferKind kind);

struct Offer {
  std::string name;
  int line = 0;
  OfferKind kind = OfferKind::kPercentOff;
  std::int64_t value = 0;
  std::string text;    // How templates describe it, per the shop ("10% off your next order").
  bool coupon = true;  // Issue a unique coupon code.
  std::int64_t valid_days = 14;
  // Expected cost when redeemed, in minor units of `currency` (the discount on a typical order),
  // and the share of recipients expected to redeem it: the let-go rule's inputs until
  // measurement knows better.
  std::int64_t cost_minor = 0;
  std::string currency;
  double redemption_rate = 0.1;
  std::vector<std::string> exit_reasons;  // Offered for these reasons (by_reason); empty: any.
  std::vector<std::string> segments;      // And these segments; empty: any.
  std::string next;                       // The bigger offer one escalation step up.
  std::int64_t max_per_day = 0;           // Cap on issues per planning day; 0: no cap.
};

// A dated occasion for holiday campaigns.
struct Holiday {
  std::string name;                    // "nowruz"
  std::vector<std::string> dates;      // "YYYY-MM-DD" (moving feasts) or "MM-DD" (every year).
  std::vector<std::string> countries;  // Empty: every country.
};

struct Policy {
  // Quiet hours in the customer's time zone, as seconds since midnight; start > end wraps
  // midnight (21:00 .. 09:00). Equal: none.
  std::int32_t quiet_start_seconds = 21 * 3600;
  std::int32_t quiet_end_seconds = 9 * 3600;
  // Frequency cap across all campaigns and channels: at most `cap_messages` per `cap_days`.
  std::int64_t cap_messages = 3;
  std::int64_t cap_days = 7;
  std::int64_t daily_limit = 0;  // Messages per planning day over the store; 0: no limit.
  // Channel fallback order when neither preference nor learning decides.
  std::vector<ChannelKind> channel_order = {ChannelKind::kEmail, ChannelKind::kWhatsapp,
                                            ChannelKind::kSms};
  std::int64_t learn_min_sample = 30;  // Customers per (age band, country, language) cell.
  std::string fallback_language = "en";
  std::vector<std::string> languages = {"en", "tr", "fa"};
  std::string shop_name = "Our shop";
  std::string time_zone = "UTC";  // For customers without one.
  // The let-go rule: no win-back when expected return x value - offer cost x redemption -
  // message cost < 0. Until measurement exists these come from here.
  double expected_return = 0.15;  // P(order | message)
  std::int64_t message_cost_minor[kChannelKindCount] = {1, 5, 3};
  std::string currency = "USD";           // Of message costs.
  std::int64_t best_hour_min_events = 3;  // Past opens/clicks/orders needed for a best hour.
};

struct Tracking {
  std::string base_url = "https://example.com/winback";  // Links: BASE/u/TOKEN, BASE/c/TOKEN.
};

// The kind of message `campaign` sends, what customers opt out of in the preference centre:
// its `kind`, else DefaultMessageKind(campaign.trigger).
MessageKind KindOf(const Campaign& campaign);

// Everything above, as one settings struct of the config.
struct CampaignSettings {
  std::vector<Campaign> campaigns;
  std::vector<Offer> offers;
  std::vector<Holiday> holidays;
  Policy policy;
  Tracking tracking;
  // [templates] dir: the folder of NAME.LANG.mustache files (messages/template_set.h),
  // relative to the config file's folder; default "templates" beside it.
  std::string templates_dir = "templates";

  const Campaign* FindCampaign(std::string_view name) const;
  const Offer* FindOffer(std::string_view name) const;
  // The kinds of message the configured campaigns send, each once, in MessageKind order: the
  // kinds the preference centre offers.
  std::vector<MessageKind> KindsInUse() const;
};

// Registers [[campaign]], [[offer]], [[holiday]], [policy], [tracking] and [templates].
void AddConfigSections(config::Registry& registry);

// Checks the rules that span sections (a step's offer names an [[offer]], an offer's `next`
// exists and does not loop, campaign names are unique). Returns InvalidArgument naming the
// config file and the campaign or offer. Called by LoadConfig after the file has been read.
Status ValidateCampaignSettings(const CampaignSettings& settings, std::string_view file);

}  // namespace winback::campaigns
