#pragma once

// Planning shared by `plan`, `run` and `demo`.

#include <string>

#include "campaigns/planner.h"
#include "cli/commands.h"
#include "config/config.h"
#include "store/store.h"

namespace winback::cli {

// Plans as of `as_of` with the config's campaigns, templates ([templates] dir) and enabled
// channels; the link signing key from WINBACK_SIGNING_KEY (required unless `dry_run`).
// `progress` prints a progress line on stderr.
Result<campaigns::PlanSummary> PlanWithConfig(const GlobalOptions& globals,
                                              const config::Config& config, store::Store& store,
                                              Date as_of, bool dry_run, bool progress);

// The summary as one JSON object (text).
std::string PlanSummaryJson(const campaigns::PlanSummary& summary);
void PrintPlanSummary(const campaigns::PlanSummary& summary);

}  // namespace winback::cli
