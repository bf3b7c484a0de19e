#pragma once

#include "measure/campaign.h"

namespace winback::cli {

// Prints a campaign's measurement for people, as `winback measure --campaign NAME` does:
// funnel, arms, split check, lift with its intervals, variants, afterwards.
void PrintCampaignResult(const measure::CampaignResult& result);

}  // namespace winback::cli
