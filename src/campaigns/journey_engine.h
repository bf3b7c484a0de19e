#pragma once

// Deciding, for one customer as of one day: which journeys they leave, which they enter, which
// step is due, and for each due step the message's channel, time, variant, offer or holdout.
// A pure function of CustomerState and the settings (plus the day's running counts in
// PlanContext), so the planner's guarantees are tested here over many random customers without
// a store. Rendering and coupons come after (planner.cc).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "campaigns/campaign_config.h"
#include "campaigns/customer_state.h"
#include "campaigns/policy.h"
#include "store/outbox_store.h"

namespace winback::campaigns {

// The day's running state across customers: the global daily limit and per-offer caps.
struct PlanContext {
  const CampaignSettings* settings = nullptr;
  Date as_of;
  // Messages per UTC day over the whole store (existing ones included), for [policy]
  // daily_limit.
  std::map<std::int32_t, std::int64_t> messages_per_day;
  // Offers issued today, per offer name, for [[offer]] max_per_day.
  std::map<std::string, std::int64_t> offers_today;
  // Engagement rates of customers like this one, per (age band, country, language) cell.
  std::map<std::string, ChannelRates> rates_by_cell;
  // Channels with a transport configured; the others are never chosen.
  std::array<bool, kChannelKindCount> channel_enabled = {true, true, true};
  // Declared winners of auto_winner steps by (campaign, step) (PlanOptions::winners); null or
  // absent: the random split.
  const std::map<std::pair<std::string, std::string>, std::string>* winners = nullptr;
};

// The variant a message of `step` gets: the declared winner when the step has auto_winner and
// `winners` names one for it, else the stable random split (VariantIndex); "" for a step with
// one variant.
std::string ChooseVariant(
    const Campaign& campaign, const Step& step, std::string_view customer_id,
    const std::map<std::pair<std::string, std::string>, std::string>* winners);

// The cell of customers "like them" for channel learning: "age band|country|language".
std::string LikeThemCell(const store::CustomerRecord& record, Date as_of);

// A message decided but not yet rendered.
struct MessageDraft {
  store::OutboxMessage message;  // Status planned, holdout or expired; no address or bodies.
  const Campaign* campaign = nullptr;
  const Step* step = nullptr;
  const Offer* offer = nullptr;  // nullptr: no offer.
};

struct CustomerPlan {
  std::vector<store::Journey> journeys;  // New or changed journeys, to store.
  std::vector<MessageDraft> messages;
};

// The offer a step gives this customer: the step's named offer, or for "by_reason" the first
// [[offer]] whose exit_reasons and segments match the customer, escalated `step.escalate`
// times along `next`. nullptr for none.
const Offer* ChooseOffer(const Step& step, const CustomerState& state,
                         const CampaignSettings& settings);

// The expected value of winning this customer back with `campaign`, in minor units of the
// policy currency: expected_return x value - sum over steps (offer cost x redemption rate +
// message cost). `value` is the spend model's expected order value when scored, else the mean
// completed order.
double ExpectedWinbackValue(const Campaign& campaign, const CustomerState& state,
                            ChannelKind channel, const CampaignSettings& settings);

// True for the triggers whose journeys end when the customer orders (winback, long_inactive,
// cart_abandoned): the planner exits them ("ordered"), `winback serve` exits them and cancels
// their pending messages when an order arrives, the sender cancels at send time.
bool ExitsOnOrder(TriggerKind trigger);

// The exit reason of a journey that ended because the customer ordered after entering it.
inline constexpr std::string_view kOrderedExitReason = "ordered";

// Decides for one customer as of ctx.as_of (messages due before the end of that UTC day).
void PlanCustomer(const CustomerState& state, PlanContext& ctx, CustomerPlan& out);

// The idempotency key of a message: "CAMPAIGN/STEP/CUSTOMER_ID/OCCURRENCE".
std::string MessageKey(std::string_view campaign, std::string_view step,
                       std::string_view customer_id, std::int32_t occurrence);
// The OCCURRENCE that ends a MessageKey; nullopt when the key does not end in "/NUMBER".
std::optional<std::int32_t> OccurrenceOfKey(std::string_view key);

// ContactInfo from what the store knows.
ContactInfo ContactOf(const CustomerState& state);

}  // namespace winback::campaigns
