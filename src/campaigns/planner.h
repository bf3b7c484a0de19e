#pragma once

// `winback plan`: decides and renders every message due as of a day into the outbox.
//
// For each chunk of customers (in key order) the planner gathers their state from the store
// (profile and consents, aggregates, orders, events, latest scores, journeys, messages already
// in the outbox), lets the journey engine decide (journey_engine.h), renders each new message
// (templates, coupon, signed links) and writes the chunk's journeys and messages in one
// transaction. Every message has an idempotency key (campaign/step/customer/occurrence) and
// the outbox adds a key only once, so planning the same day twice adds nothing, and a plan
// killed at any moment and run again yields the same outbox as one uninterrupted run (a killed
// chunk's transaction leaves nothing; the engine decides the same again, only coupon codes are
// drawn anew). Nothing here reads the wall clock: as_of is a parameter.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "campaigns/campaign_config.h"
#include "core/status.h"
#include "core/time.h"
#include "messages/template_set.h"
#include "store/store.h"

namespace winback::campaigns {

// A step of a campaign: (campaign name, step name).
using StepRef = std::pair<std::string, std::string>;

struct PlanOptions {
  Date as_of;
  bool dry_run = false;  // Decide and render, write nothing.
  // Signs the unsubscribe and preference links (messages/link_token.h). Required unless
  // dry_run.
  std::string signing_key;
  const messages::TemplateSet* templates = nullptr;  // Required.
  // Channels that have a transport configured; others are never chosen.
  std::array<bool, kChannelKindCount> channel_enabled = {true, true, true};
  std::int64_t chunk_customers = 20'000;
  // Threads that render a chunk's messages (0: one per core). Decisions stay on one thread, in
  // key order (the daily limit depends on it); the outbox is the same for any count.
  int threads = 0;
  // Called after each chunk with customers done and the total.
  std::function<void(std::int64_t, std::int64_t)> progress;
  // The declared A/B winner of steps with `auto_winner = true`, by (campaign, step): every
  // message of such a step planned now uses that variant instead of the random split (held-out
  // customers' records too; they are never sent). Who declares it is the caller's business (the
  // cli measures with src/measure: campaigns does not depend on it). Steps without auto_winner
  // ignore their entry. Plan returns InvalidArgument for a campaign, step or variant that the
  // settings do not have.
  std::map<StepRef, std::string> winners;
  // When not empty, only these customers are planned (in key order; duplicates and keys
  // outside the store are ignored), through the same code path as a full plan: the shared
  // state (scores, journeys, the outbox's schedule and daily counts, channel learning,
  // features shipped) is read for the whole store as always, and each run of consecutive keys
  // is one chunk. `winback serve` plans a customer at once when an event of theirs arrives
  // (cart_abandoned, ticket_resolved). Costs one shared load (a scan of the store's scores,
  // journeys and schedules) plus the customers themselves.
  std::vector<CustomerKey> only_customers;
};

// What one plan did. Messages are counted by (campaign, step, channel, variant, status).
struct PlanSummary {
  using MessageKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  std::map<MessageKey, std::int64_t> messages;
  std::int64_t added = 0;            // New messages written to the outbox.
  std::int64_t already_planned = 0;  // Decided again but already in the outbox.
  std::int64_t customers = 0;
  std::map<std::string, std::int64_t> entered;     // Per campaign (holdout included).
  std::map<std::string, std::int64_t> holdout;     // Per campaign: entrants held out.
  std::map<std::string, std::int64_t> exited;      // Per "campaign: reason".
  std::map<std::string, std::int64_t> suppressed;  // Per "campaign: reason".
  std::map<std::string, std::int64_t> expired;     // Per campaign.
  std::string score_date;                          // The scoring run used, "" when none.
  // Per auto_winner step that had a winner in PlanOptions::winners: the new messages that used
  // it (0 when nobody was due at that step).
  std::map<StepRef, std::int64_t> winner_messages;
  // Lines the caller adds for people (the cli: what it decided for each auto_winner step).
  std::vector<std::string> notes;
};

// Checks, before anything is planned, that every template the campaigns can use exists for
// every configured language (or the fallback) with the parts of every enabled channel.
// InvalidArgument naming the campaign, step, template, language and part.
Status CheckTemplates(const CampaignSettings& settings, const messages::TemplateSet& templates,
                      const std::array<bool, kChannelKindCount>& channel_enabled);

Result<PlanSummary> Plan(store::Store& store, const CampaignSettings& settings,
                         const PlanOptions& options);

// Renders the message step `step` of `campaign` would send customer `customer_id` as of
// options.as_of, without recording anything (winback preview): channel, language, variant,
// offer and a sample coupon as the planner would choose them, scheduled at the campaign's send
// time that day. NotFound for an unknown campaign, step or customer; FailedPrecondition when
// the customer has no channel that may be used.
Result<store::OutboxMessage> PreviewMessage(store::Store& store, const CampaignSettings& settings,
                                            const PlanOptions& options, std::string_view campaign,
                                            std::string_view step, std::string_view customer_id);

}  // namespace winback::campaigns
