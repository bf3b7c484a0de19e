#pragma once

#include <string>
#include <vector>

#include "campaigns/campaign_config.h"
#include "core/status.h"
#include "measure/campaign.h"
#include "report/report_data.h"
#include "store/outbox_store.h"

namespace winback::report {

// A line per underpowered variant of `r` (measure::VariantLift::underpowered): the warning
// with its minimum detectable effect. The JSON's `warnings`; `winback measure` prints them.
std::vector<std::string> UnderpoweredWarnings(const measure::CampaignResult& r);

// One campaign's measurement (measure::MeasureCampaign) as the JSON object `winback measure
// --campaign NAME --json` prints in its "campaigns" list and `GET
// /v1/campaigns/{name}/results` returns: funnel, arms, lift (plain, CUPED, always-valid),
// incremental customers, revenue and profit, variants, afterwards, notes. Compact JSON.
std::string CampaignResultJson(const measure::CampaignResult& result);

// One campaign's section of the report's JSON (an element of ReportJson's "campaigns"; the
// fields are listed in src/report/README.md), compact. The funnel, arms, lift and variants
// are written by the same code as CampaignResultJson's, with the report's subset of fields and
// money in minor units; no lift with a broken split. Invalid UTF-8 is replaced, never thrown.
std::string CampaignReportJson(const CampaignReport& campaign);

// The configured campaigns with their journeys by state and, per step, the journeys waiting for
// it and the step's messages by status: the document `winback campaigns --json` prints and `GET
// /v1/campaigns` returns (indented by 2). One pass over the journeys and one over the outbox;
// Unavailable for store errors.
Result<std::string> CampaignsJson(const campaigns::CampaignSettings& settings,
                                  store::OutboxStore& outbox);

}  // namespace winback::report
