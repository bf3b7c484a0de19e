#pragma once

// Measuring winback's own campaigns: what came back against the campaign's randomised holdout,
// per campaign, step and variant (`winback measure --campaign`). The definitions of every
// number are in src/measure/README.md ("Campaigns").

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "core/vocabulary.h"
#include "measure/stats.h"
#include "store/outbox_store.h"
#include "store/scanner.h"

namespace winback::config {
class Registry;
}  // namespace winback::config

namespace winback::measure {

// [measurement] of winback.toml.
struct MeasurementSettings {
  std::int64_t attribution_days = 30;  // [measurement] attribution_days, 1..365
  std::int64_t pre_period_days = 365;  // [measurement] pre_period_days: CUPED's covariates
  double alpha = 0.05;                 // [measurement] confidence = 1 - alpha, 0.5..0.999
};

// Registers [measurement] (MeasurementSettings, config.Get<MeasurementSettings>()).
void AddConfigSections(config::Registry& registry);

struct CampaignOptions {
  Instant as_of;  // Nothing at or after it is read: orders, events, sends.
  std::int64_t attribution_days = 30;
  std::int64_t pre_period_days = 365;
  double alpha = 0.05;
  // The designed holdout share of the campaign (its `holdout` setting), for the sample-ratio
  // check of treated against holdout. In (0, 1).
  double holdout_share = 0.10;
  // The cost of one message per channel (indexed by ChannelKind), in minor units of
  // `message_cost_currency`: [policy] message_cost_*. A cost in another currency than the
  // campaign's is ignored (counted as 0, and said so in CampaignResult::notes).
  std::int64_t message_cost_minor[kChannelKindCount] = {0, 0, 0};
  std::string message_cost_currency;
  // N* of the always-valid interval (SequentialOptions::planned_n). 0: the number of customers
  // the campaign has targeted (treated and held out, started or not) as of `as_of`.
  double planned_n = 0;
  // The days after a win-back order over which repeat orders are counted (article 004 §6).
  std::int64_t after_days = 90;
  // Per step name: the A/B comparison of the step's variants counts only the messages planned
  // before this instant. After it the step's sends went to a declared winner (`auto_winner`),
  // so they are no longer randomised and would break the split. Steps absent: every message.
  // The funnel counts every message either way.
  std::map<std::string, Instant> ab_until;
};

// One message's tracking: the event types that count for each funnel stage.
// Opened: email_open, whatsapp_read. Clicked: email_click, sms_click. Replied: email_reply,
// sms_reply, whatsapp_reply. Unsubscribed: unsubscribe. Bounced: bounce. Complained: complaint.
enum class FunnelEvent : std::uint8_t {
  kOpened,
  kClicked,
  kReplied,
  kUnsubscribed,
  kBounced,
  kComplained,
};
inline constexpr int kFunnelEventCount = 6;
// The funnel stage `type` counts for; nullopt for the other event types.
std::optional<FunnelEvent> FunnelEventOf(EventType type);

// The funnel of one step and variant: counts of messages (a customer entering twice counts
// twice). Every count is of distinct messages.
struct FunnelRow {
  std::string step;
  std::string variant;         // "" for a step with one variant
  std::int64_t planned = 0;    // messages for treated customers (every status but holdout)
  std::int64_t held_out = 0;   // messages recorded for holdout customers, never sent
  std::int64_t sent = 0;       // status sent
  std::int64_t delivered = 0;  // sent, without a bounce event
  std::int64_t opened = 0;     // with at least one event of the stage (sent or not)
  std::int64_t clicked = 0;
  std::int64_t replied = 0;
  std::int64_t unsubscribed = 0;
  std::int64_t bounced = 0;
  std::int64_t complained = 0;
  // Messages whose customer completed an order in [t, t + attribution) before as_of, t being
  // sent_at, else scheduled_at (holdout and unsent messages: the would-be time).
  std::int64_t converted = 0;           // of the planned (treated) messages
  std::int64_t held_out_converted = 0;  // of the held-out messages
  std::int64_t coupons_redeemed = 0;    // messages whose coupon a completed order carried
};

// One metric, treated against holdout: the fixed-horizon comparison, CUPED and the
// always-valid interval.
struct LiftMetric {
  Comparison plain;
  CupedComparison cuped;
  SequentialInterval sequential;
};

// Incremental totals: the per-customer difference times the treated customers, with its
// interval (the difference's, scaled), in major units of the campaign's currency (customers
// for incremental_customers).
struct Incremental {
  double value = 0;
  double ci_low = 0;
  double ci_high = 0;
};

// One variant of a step against the step's first variant, on conversion of its planned
// messages (intention to treat).
struct VariantLift {
  std::string variant;
  std::int64_t n = 0;
  std::int64_t converted = 0;
  double conversion_rate = 0;
  std::optional<Comparison> comparison;          // absent for the first variant
  std::optional<SequentialInterval> sequential;  // absent for the first variant
  std::optional<double> holm_p_value;            // Holm over the step's comparisons, of the
                                                 // always-valid p-values
  double mde = 0;  // with the first variant's variance; +inf when an arm is empty
  // Not significant (Holm-adjusted always-valid p >= alpha, or not compared) and the minimum
  // detectable effect at the current sample is larger than the observed |diff| (or infinite):
  // the sample is too small to tell a difference of the size seen from chance. Reported as a
  // warning with the MDE.
  bool underpowered = false;
};

struct StepVariants {
  std::string step;
  std::vector<VariantLift> variants;  // in the order they first appear in the outbox
  double srm_p_value = 1;             // the split against equal shares
  bool srm_mismatch = false;
  // The variant whose conversion differs from the first's with Holm-adjusted always-valid
  // p < alpha, the best of them; empty when none (or when the split is broken).
  std::string winner;
  // Messages of the step planned at or after CampaignOptions::ab_until (sent to a declared
  // winner): in the funnel, not in the comparison.
  std::int64_t after_takeover = 0;
};

// One arm's customers.
struct ArmOutcome {
  std::int64_t customers = 0;         // targeted and started (start < as_of)
  std::int64_t complete_windows = 0;  // of them, whose attribution window has ended by as_of
  std::int64_t converted = 0;         // won back: a completed order in the window
  std::int64_t orders = 0;
  std::int64_t revenue_minor = 0;  // completed orders in the window
  double conversion_rate = 0;
  double revenue_per_customer = 0;  // major units
};

// Won-back customers afterwards (article 004 §6): over the `after_days` after the first order
// of the window, for those whose after-period has ended by as_of.
struct AfterArm {
  std::int64_t customers = 0;  // won back and with a complete after-period
  std::int64_t repeaters = 0;  // of them, with another completed order in the period
  double repeat_rate = 0;
  double revenue_per_customer = 0;  // major units, completed orders of the period
};

struct AfterResult {
  std::int64_t days = 90;
  AfterArm treated;  // won back by the campaign (and those who would have come anyway)
  AfterArm holdout;  // came back on their own
  std::optional<Comparison> repeat_rate;           // when both arms have at least 2
  std::optional<Comparison> revenue_per_customer;  // when both arms have at least 2
};

struct CampaignResult {
  std::string campaign;
  Instant as_of;
  std::int64_t attribution_days = 30;
  double alpha = 0.05;
  std::string currency;           // of every money figure; empty when nothing carried money
  std::vector<FunnelRow> funnel;  // per (step, variant), steps in the order first scheduled
  std::int64_t targeted = 0;      // customers with a message of the campaign
  // The earliest start of a targeted customer (sent_at, else scheduled_at of the first
  // message of its first entry): the campaign's first step.
  Instant first_start;
  std::int64_t not_started = 0;  // of them, whose start is at or after as_of (not measured)
  ArmOutcome treated;
  ArmOutcome holdout;
  double holdout_share = 0.10;    // designed
  SampleRatioCheck sample_ratio;  // treated and holdout customers against the design
  double planned_n = 0;
  // Treated against holdout; absent when either arm has fewer than 2 customers.
  std::optional<LiftMetric> conversion_rate;
  std::optional<LiftMetric> revenue_per_customer;
  std::optional<Incremental> incremental_customers;
  std::optional<Incremental> incremental_revenue;
  std::optional<Incremental> incremental_profit;
  std::int64_t offer_cost_minor = 0;    // redeemed offers of treated customers
  std::int64_t message_cost_minor = 0;  // sent messages
  std::vector<StepVariants> variants;   // the steps with more than one variant
  AfterResult after;
  std::int64_t unmatched_events = 0;  // events whose ref names no message of the campaign
  std::vector<std::string> notes;     // what the reader should know (costs not counted, ...)
};

// Measures campaign `name` on the store. Targeted customers: those with a message of the
// campaign; each counts once, by its first entry (occurrence). Holdout when that entry's
// messages are held out, treated otherwise (intention to treat: a treated customer whose
// message was cancelled or not yet sent stays treated). Start: the entry's earliest message's
// sent_at, else its scheduled_at. Won back: a completed order in [start, min(start +
// attribution, as_of)). Errors: NotFound when the outbox has no message of the campaign;
// InvalidArgument for options out of range and for money in more than one currency (orders of
// the targeted customers in their windows and pre-periods, the redeemed offers' costs); the
// store's errors (Unavailable) as they come.
Result<CampaignResult> MeasureCampaign(std::string_view name, const CampaignOptions& options,
                                       store::OutboxStore& outbox, store::Scanner& scanner);

// One day of a campaign's win-back conversion, treated against holdout, as MeasureCampaign
// reports it with as_of = day + 1 (00:00 UTC).
struct DailyConversion {
  Date day;
  std::int64_t treated = 0;  // started customers per arm (ArmOutcome::customers)
  std::int64_t treated_converted = 0;
  std::int64_t holdout = 0;
  std::int64_t holdout_converted = 0;
  SampleRatioCheck sample_ratio;
  // MeasureCampaign's conversion_rate->plain and ->sequential; absent while an arm has fewer
  // than 2 customers.
  std::optional<Comparison> plain;
  std::optional<SequentialInterval> sequential;
};

// The cumulative lift of campaign `name` day by day: for every UTC day in [first, last] on
// which a message had been planned, the conversion numbers MeasureCampaign gives with as_of =
// that day + 1 and the other options as given (options.as_of is not read; options.planned_n,
// when > 0, fixes N* for every day, so the always-valid intervals form one confidence
// sequence). Reads the outbox and the orders once instead of once per day. Errors: NotFound
// when no message was planned before last + 1; InvalidArgument for options out of range; the
// store's. Unlike MeasureCampaign it reads no money, so it does not check currencies.
Result<std::vector<DailyConversion>> MeasureConversionByDay(std::string_view name,
                                                            const CampaignOptions& options,
                                                            Date first, Date last,
                                                            store::OutboxStore& outbox,
                                                            store::Scanner& scanner);

// The distinct campaign names of the outbox, sorted.
Result<std::vector<std::string>> CampaignNames(store::OutboxStore& outbox);

}  // namespace winback::measure
