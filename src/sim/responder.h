#pragma once

// The customers' side of a campaign: after winback has planned and sent, the simulated
// customers respond to the messages they actually received, with a known true effect, and go
// on buying (or not) as their latent BG/NBD process says. See src/sim/README.md ("Responses")
// for the model and the exact true lift.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "core/vocabulary.h"
#include "sim/simulator.h"

namespace winback::sim {

// The simulator's own segments of a customer at the end of the window, from its latent state
// (truth.csv): not from anything winback computed.
enum class ResponseSegment : std::uint8_t {
  kActive = 0,       // a buyer who has not dropped out: still buys now and then, slowly
  kLapsed = 1,       // a buyer who dropped out (BG/NBD p): would never buy again on its own
  kNeverBought = 2,  // signed up, never ordered
};
inline constexpr int kResponseSegmentCount = 3;
// "active", "lapsed", "never_bought".
const char* ResponseSegmentName(ResponseSegment segment);

// One true effect: a delivered message with `offer` (its offer's name; for a message without
// an offer, "no_offer" or "no_offer/VARIANT") to a customer of `segment` makes, with
// probability `effect` when positive, the customer order because of it (within
// kResponseMaxDelayDays); with probability -effect when negative, annoys the customer, who
// unsubscribes and buys nothing more (drops out). 0: no effect.
struct ResponseEffect {
  ResponseSegment segment = ResponseSegment::kActive;
  std::string offer;
  double effect = 0;  // in [-1, 1]
};

// The effects the demo uses: positive for offers that match (discounts, credit), zero for some
// (a feature promise to active customers, anything to never-buyers), negative for some (the
// emoji come-back and the feature promise to lapsed customers). The table is in responder.cc
// and in truth.json.
std::vector<ResponseEffect> DefaultResponseEffects();

// An induced order falls uniformly in [1 hour, 3 days] after the message; a message delivered
// less than 3 days before the end of the customer's attribution window has no effect.
inline constexpr double kResponseMaxDelayDays = 3.0;

// One message of the campaign as the outbox recorded it, in plain terms (sim does not depend
// on campaigns: the caller translates).
struct CampaignContact {
  std::string customer_id;  // the simulator's id, "c<n>"
  std::string key;          // the outbox key: the `ref` of every tracking event about it
  std::int32_t occurrence = 1;
  std::string variant;  // "" for a step with one variant
  std::string offer;    // "" for none
  std::string coupon;   // "" for none
  ChannelKind channel = ChannelKind::kEmail;
  bool held_out = false;  // recorded for the holdout, never sent
  bool sent = false;      // status sent
  Instant time;           // sent_at when sent, else scheduled_at (the would-be time)
};

struct ResponseOptions {
  std::string campaign = "winback";    // the key under truth.json's "campaigns"
  std::int64_t attribution_days = 30;  // the measurement's window: [start, start + days)
  // Nothing is written at or after it: orders of every customer's continued purchase process
  // and the responses are drawn in [end of the window, horizon).
  Instant horizon;
  std::vector<ResponseEffect> effects = DefaultResponseEffects();
  // Per delivered message: P(email_open) by segment; P(email_click | open); P(sms_click);
  // P(whatsapp_read); P(bounce) of an email (a bounced message is not delivered).
  double open_active = 0.35;
  double open_lapsed = 0.20;
  double open_never_bought = 0.15;
  double click_given_open = 0.30;
  double sms_click = 0.08;
  double whatsapp_read = 0.60;
  double bounce = 0.02;
  // Another draw of the responses (and of the continued purchases) of the same business; 0 is
  // the default draw.
  std::uint64_t replicate = 0;
};

// What Respond wrote and the truth it computed.
struct ResponseStats {
  std::int64_t targeted = 0;  // customers with a message of the campaign (first entry)
  std::int64_t treated = 0;   // of them, not held out
  std::int64_t held_out = 0;
  std::int64_t delivered = 0;  // treated customers with at least one delivered message
  std::int64_t responded = 0;  // treated customers who ordered because of a message
  std::int64_t annoyed = 0;    // treated customers a message made unsubscribe and drop out
  std::int64_t orders = 0;     // rows of response_orders.csv
  std::int64_t events = 0;     // rows of response_events.csv
  // Mean over the targeted customers of P(order in window | campaign) - P(order in window |
  // none), each from the customer's latent state (README: "The true lift").
  double true_conversion_lift = 0;
  double mean_p0 = 0;  // mean baseline probability P0 of an order in the window
  std::int64_t by_segment[kResponseSegmentCount] = {0, 0, 0};  // targeted customers
  double lift_by_segment[kResponseSegmentCount] = {0, 0, 0};   // mean difference
};

// Lets the customers of the business `options` (the options Simulate was given) respond to
// `contacts`, the messages of campaign `response.campaign`, and continues every customer's
// purchase process past the window. Writes into `dir` (next to Simulate's files):
//   response_orders.csv  completed orders after the window: every customer's continued
//                        BG/NBD purchases (ids r<n>-<k>), cut at an annoyed customer's
//                        unsubscribe, and the orders the campaign caused (ids rw<n>-<k>,
//                        with the message's coupon when it carried one)
//   response_events.csv  tracking events about the delivered messages, `ref` = the key
//                        (email_open, email_click, sms_click, whatsapp_read, bounce,
//                        unsubscribe)
//   response_truth.csv   per targeted customer: arm, segment, start, P0 and true difference
// and adds "responses" (every effect parameter) and "campaigns": {campaign: {...,
// "true_conversion_lift"}} to `dir`/truth.json. A customer counts by its first entry (lowest
// occurrence), as `winback measure` counts it; messages of later entries have no effect.
// Errors: InvalidArgument for a contact whose customer id is not c1..cN, an effect outside
// [-1, 1], attribution_days < 1, a horizon before the end of the window; Unavailable when a
// file cannot be read or written. Same inputs, same bytes.
Result<ResponseStats> Respond(const SimOptions& options, const ResponseOptions& response,
                              const std::vector<CampaignContact>& contacts, const std::string& dir);

}  // namespace winback::sim
