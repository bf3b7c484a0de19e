#pragma once

#include <string>

#include "campaigns/campaign_config.h"
#include "core/status.h"
#include "measure/campaign.h"
#include "store/outbox_store.h"

namespace winback::report {

// One campaign's measurement (measure::MeasureCampaign) as the JSON object `winback measure
// --campaign NAME --json` prints in its "campaigns" list and `GET
// /v1/campaigns/{name}/results` returns: funnel, arms, lift (plain, CUPED, always-valid),
// incremental customers, revenue and profit, variants, afterwards, notes. Compact JSON.
std::string CampaignResultJson(const measure::CampaignResult& result);

// The configured campaigns with their journeys by state and, per step, the journeys waiting for
// it and the step's messages by status: the document `winback campaigns --json` prints and `GET
// /v1/campaigns` returns (indented by 2). One pass over the journeys and one over the outbox;
// Unavailable for store errors.
Result<std::string> CampaignsJson(const campaigns::CampaignSettings& settings,
                                  store::OutboxStore& outbox);

}  // namespace winback::report
