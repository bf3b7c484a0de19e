#pragma once

// The ground-truth loop after winback has planned and sent (issue 15): the simulated
// customers respond to the messages of a campaign as the outbox recorded them, their orders
// and tracking events are imported, and the campaign is measured against its holdout. Used by
// `winback demo` and by ground_truth_test.cc. Wiring only: the model is sim::Respond's.

#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "core/time.h"
#include "measure/campaign.h"
#include "sim/responder.h"
#include "sim/simulator.h"
#include "store/store.h"

namespace winback::cli {

// Every message of `campaign` in the outbox of `store` as the simulator's contacts: customer
// ids resolved from keys, MessageTime as `winback measure` takes it (sent_at when sent, else
// scheduled_at). Errors: the store's.
Result<std::vector<sim::CampaignContact>> CampaignContacts(store::Store& store,
                                                           const std::string& campaign);

// sim::Respond over the campaign's messages into `dir`, then imports dir/response_orders.csv
// and dir/response_events.csv into `store` (all or nothing). Errors: sim::Respond's, the
// import's, Internal when the importer rejects a row the simulator wrote (a bug).
Result<sim::ResponseStats> RespondAndImport(store::Store& store, const sim::SimOptions& sim_options,
                                            const sim::ResponseOptions& response,
                                            const std::string& dir);

// The options `winback measure --campaign NAME` builds from winback.toml ([measurement], the
// campaign's holdout share, [policy] message costs), as of `as_of`. Errors: InvalidArgument when
// the campaign is not in the config or has no holdout.
Result<measure::CampaignOptions> CampaignMeasureOptions(const config::Config& config,
                                                        const std::string& campaign, Instant as_of);

}  // namespace winback::cli
