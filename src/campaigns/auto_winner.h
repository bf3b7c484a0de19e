#pragma once

// `auto_winner = true` on a step: once its A/B variants have a declared winner, later sends of
// the step use the winner for every newly planned customer (PlanOptions::winners). Declaring
// the winner is measurement's job (src/measure, wired by the cli); this file finds, from the
// outbox alone, the steps where a winner has already taken over, so the takeover is kept across
// runs without state of its own and the measurement can leave those sends out of the test.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "campaigns/campaign_config.h"
#include "campaigns/planner.h"
#include "core/status.h"
#include "core/time.h"
#include "store/outbox_store.h"

namespace winback::campaigns {

// A step whose sends went to a declared winner.
struct Takeover {
  std::string variant;  // The winner the later messages got.
  Instant since;        // planned_at of the first plan that used it (the earliest such message).
  // Messages whose variant is not their random one. The messages of a takeover whose random
  // variant happens to be the winner (1 in k for k variants) cannot be told apart, so the
  // takeover is found from the first plan that gave at least one message another variant.
  std::int64_t messages = 0;
};

// The customer id inside a message key "CAMPAIGN/STEP/CUSTOMER_ID/OCCURRENCE" (MessageKey) of
// `campaign` and `step`; nullopt when the key is not of that form.
std::optional<std::string_view> CustomerIdOfKey(std::string_view key, std::string_view campaign,
                                                std::string_view step);

// For every step of `settings` with auto_winner = true: the messages of the outbox whose
// variant differs from the stable random split (policy.h VariantIndex of the customer id in the
// key) were given by a winner. Returns the steps with any, each with the winner (the variant
// most of them got; ties by name) and the earliest planned_at. Reads every message of the
// campaigns that have such a step. Errors: the store's (Unavailable).
Result<std::map<StepRef, Takeover>> FindTakeovers(store::OutboxStore& outbox,
                                                  const CampaignSettings& settings);

}  // namespace winback::campaigns
