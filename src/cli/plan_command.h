#pragma once

// Planning shared by `plan`, `run` and `demo`.

#include <functional>
#include <string>
#include <vector>

#include "campaigns/planner.h"
#include "campaigns/sender.h"
#include "cli/commands.h"
#include "config/config.h"
#include "store/store.h"

namespace winback::cli {

// Plans as of `as_of` with the config's campaigns, templates ([templates] dir) and enabled
// channels; the link signing key from WINBACK_SIGNING_KEY (required unless `dry_run`).
// `progress` prints a progress line on stderr. With `only_customers`, plans those customers
// only (campaigns::PlanOptions::only_customers).
Result<campaigns::PlanSummary> PlanWithConfig(const GlobalOptions& globals,
                                              const config::Config& config, store::Store& store,
                                              Date as_of, bool dry_run, bool progress,
                                              std::vector<CustomerKey> only_customers = {});

// What PlanAndSend did.
struct PlanAndSendSummary {
  campaigns::PlanSummary planned;
  campaigns::SendSummary sent;
};

// The plan-and-send half of the daily job, shared by `winback run` and the loop of `winback
// serve`: PlanWithConfig as of `as_of` (only `only_customers` when not empty), then
// campaigns::SendDue with `send` and the config's campaigns and channels. Without `stopping`,
// one SendDue sends every due message; with it, SendDue runs in claims of send.batch messages
// and the send stops between two of them once `stopping()` is true (each finished SendDue has
// resolved or returned all its claims). Errors of either half pass through.
Result<PlanAndSendSummary> PlanAndSend(const GlobalOptions& globals, const config::Config& config,
                                       store::Store& store, Date as_of,
                                       const campaigns::SendOptions& send,
                                       std::vector<CustomerKey> only_customers = {},
                                       const std::function<bool()>& stopping = {});

// The summary as one JSON object (text).
std::string PlanSummaryJson(const campaigns::PlanSummary& summary);
void PrintPlanSummary(const campaigns::PlanSummary& summary);

}  // namespace winback::cli
