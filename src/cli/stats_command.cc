#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"

namespace winback::cli {
namespace {

nlohmann::json TimeJson(const std::optional<Instant>& t) {
  return t ? nlohmann::json(FormatTimestamp(*t)) : nlohmann::json(nullptr);
}

int RunStats(const GlobalOptions& globals, bool json) {
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals);
  if (!store.ok()) return ReportError(store.status());
  Result<store::StoreStats> st = (*store)->Stats();
  if (!st.ok()) return ReportError(st.status());
  if (json) {
    nlohmann::json j;
    j["schema_version"] = st->schema_version;
    j["customers"] = st->customers;
    j["orders"] = st->orders;
    j["completed_orders"] = st->completed_orders;
    j["order_items"] = st->order_items;
    j["events"] = st->events;
    j["consents_granted"] = st->consents_granted;
    j["imports"] = st->imports;
    j["first_order_at"] = TimeJson(st->first_order_at);
    j["last_order_at"] = TimeJson(st->last_order_at);
    j["first_event_at"] = TimeJson(st->first_event_at);
    j["last_event_at"] = TimeJson(st->last_event_at);
    nlohmann::json by_type = nlohmann::json::object();
    for (int t = 0; t < kEventTypeCount; ++t) {
      by_type[std::string(EventTypeName(static_cast<EventType>(t)))] = st->events_by_type[t];
    }
    j["events_by_type"] = by_type;
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("customers        {:>14}\n", FormatCount(st->customers));
  fmt::print("orders           {:>14}  ({} completed, {} items)\n", FormatCount(st->orders),
             FormatCount(st->completed_orders), FormatCount(st->order_items));
  fmt::print("events           {:>14}\n", FormatCount(st->events));
  fmt::print("consents granted {:>14}\n", FormatCount(st->consents_granted));
  fmt::print("imports          {:>14}\n", FormatCount(st->imports));
  fmt::print("orders from      {}  to {}\n", TimeOrDash(st->first_order_at),
             TimeOrDash(st->last_order_at));
  fmt::print("events from      {}  to {}\n", TimeOrDash(st->first_event_at),
             TimeOrDash(st->last_event_at));
  for (int t = 0; t < kEventTypeCount; ++t) {
    if (st->events_by_type[t] == 0) continue;
    fmt::print("  {:<24} {:>12}\n", EventTypeName(static_cast<EventType>(t)),
               FormatCount(st->events_by_type[t]));
  }
  fmt::print("schema version   {}\n", st->schema_version);
  return kExitOk;
}

}  // namespace

void RegisterStatsCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("stats", "Row counts and the date range of the store");
  cmd->add_flag("--json", *json, "print one JSON document");
  cmd->callback([&globals, json, &exit_code] { exit_code = RunStats(globals, *json); });
}

}  // namespace winback::cli
