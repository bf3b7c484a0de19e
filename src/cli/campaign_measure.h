#pragma once

// Measuring winback's campaigns from the cli: the options `measure`, `report` and the planner's
// auto_winner share, and the A/B winners that `plan`, `run` and `demo` hand to the planner
// (campaigns does not depend on measure; the cli wires the two).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "campaigns/auto_winner.h"
#include "campaigns/campaign_config.h"
#include "campaigns/planner.h"
#include "config/config.h"
#include "core/status.h"
#include "core/time.h"
#include "measure/campaign.h"
#include "store/store.h"

namespace winback::cli {

// The options `winback measure --campaign` measures `campaign` with as of `as_of`:
// [measurement] attribution_days, pre_period_days and confidence, [policy] message costs, the
// campaign's holdout share, and per auto_winner step whose winner has taken over
// (`takeovers`, campaigns::FindTakeovers) the A/B cutoff (measure::CampaignOptions::ab_until).
measure::CampaignOptions CampaignMeasureOptions(
    const config::Config& config, const campaigns::Campaign& campaign, Instant as_of,
    const std::map<campaigns::StepRef, campaigns::Takeover>& takeovers);

// Why a campaign of the outbox cannot be measured against its holdout ("" when it can): not in
// the config (its designed holdout share is unknown), or holdout = 0.
std::string CampaignSkipReason(const campaigns::Campaign* campaign);

// What the cli decided for one auto_winner step.
struct WinnerDecision {
  campaigns::StepRef step;
  std::string variant;  // The winner new messages get; "" while the split stays random.
  std::string text;     // For people: why (the winner and its evidence, or what is missing).
};

// The winners of every auto_winner step of the config as of plan day `as_of`, measured with
// what happened before that day starts (as_of 00:00 UTC): a step whose winner already took
// over keeps it (found in the outbox, so it never flips back); otherwise the campaign is
// measured (measure::MeasureCampaign) and the step's winner, declared on the always-valid
// interval after Holm's correction, takes over. A step without one keeps the random split; its
// text names the minimum detectable effect when the sample is too small, or why the campaign
// cannot be measured (measure's InvalidArgument: money in two currencies). Errors: the
// store's.
Result<std::vector<WinnerDecision>> DecideWinners(const config::Config& config, store::Store& store,
                                                  Date as_of);

}  // namespace winback::cli
