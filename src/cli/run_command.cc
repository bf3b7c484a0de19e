// winback run --as-of DATE [--now TIME] [--no-models] [--json]: the daily job. Scores every
// customer as of DATE, plans the messages due as of DATE, and sends what is due by the wall
// clock (or --now). Each stage is the same code as `score`, `plan` and `send`, so running them
// separately, or this twice, never sends a message twice.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "analytics/analytics_config.h"
#include "campaigns/sender.h"
#include "channels/channel_settings.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/plan_command.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "messages/link_token.h"
#include "scoring/score_models.h"
#include "scoring/score_run.h"

namespace winback::cli {
namespace {

struct RunOptions {
  std::string as_of;
  std::string now;
  bool no_models = false;
  bool json = false;
};

Instant Wall() {
  return Instant::FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

int RunRun(const GlobalOptions& globals, const RunOptions& o) {
  Result<Date> as_of = ParseDateOption("--as-of", o.as_of);
  if (!as_of.ok()) return ReportError(as_of.status());
  campaigns::SendOptions send;
  if (!o.now.empty()) {
    Result<ParsedTimestamp> now = ParseTimestamp(o.now);
    if (!now.ok()) return ReportError(InvalidArgumentError("--now: " + now.status().message()));
    send.now = now->instant;
  } else {
    send.now = Wall();
    send.clock = Wall;
  }
  Result<config::Config> loaded = LoadConfig(globals);
  if (!loaded.ok()) return ReportError(loaded.status());
  // Every precondition before any work: the signing key the plan and the emails need, and the
  // DKIM key when email is DKIM-signed.
  Result<std::string> key = messages::SigningKeyFromEnv();
  if (!key.ok()) return ReportError(key.status());
  send.signing_key = *key;
  Result<std::string> dkim_key = DkimKeyForSending(loaded->Get<channels::ChannelSettings>());
  if (!dkim_key.ok()) return ReportError(dkim_key.status());
  send.dkim_private_key = std::move(*dkim_key);
  send.owner = campaigns::SenderOwner();

  // 1. Score.
  Result<std::vector<std::unique_ptr<store::Store>>> stores =
      OpenExistingStores(globals, *loaded, scoring::ScoreReaderCount());
  if (!stores.ok()) return ReportError(stores.status());
  std::optional<scoring::ScoreModelOptions> models;
  if (!o.no_models) models.emplace();
  Result<scoring::ScoreRun> scored = scoring::ScoreAndSave(
      StorePointers(*stores), loaded->Get<analytics::AnalyticsConfig>().scoring, *as_of, models);
  if (!scored.ok()) return ReportError(scored.status());
  if (scored->models) {
    for (const std::string& note : scored->models->notes()) {
      fmt::print(stderr, "winback run: {}\n", note);
    }
  }
  store::Store& store = *(*stores)[0];

  // 2. Plan and 3. send: the code the loop of `winback serve` runs too.
  Result<PlanAndSendSummary> done = PlanAndSend(globals, *loaded, store, *as_of, send);
  if (!done.ok()) return ReportError(done.status());
  const campaigns::PlanSummary* planned = &done->planned;

  const campaigns::SendCounts& c = done->sent.total;
  if (o.json) {
    nlohmann::json j;
    j["as_of"] = as_of->ToString();
    j["now"] = FormatTimestamp(send.now);
    j["scored"] = scored->summary.customers;
    j["plan"] = nlohmann::json::parse(PlanSummaryJson(*planned));
    j["send"] = {{"sent", c.sent},       {"retry", c.retry},         {"dead", c.dead},
                 {"unknown", c.unknown}, {"cancelled", c.cancelled}, {"deferred", c.deferred}};
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("scored {} customers as of {}\n", FormatCount(scored->summary.customers),
             as_of->ToString());
  fmt::print("planned {} new messages ({} were already planned)\n", FormatCount(planned->added),
             FormatCount(planned->already_planned));
  for (const std::string& note : planned->notes) fmt::print("auto_winner: {}\n", note);
  fmt::print("sent {}, retry {}, dead {}, unknown {}, cancelled {}, deferred {} (now {})\n",
             FormatCount(c.sent), FormatCount(c.retry), FormatCount(c.dead), FormatCount(c.unknown),
             FormatCount(c.cancelled), FormatCount(c.deferred), FormatTimestamp(send.now));
  return kExitOk;
}

}  // namespace

void RegisterRunCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "The daily job: score as of a date, plan the messages due, send what is due now");
  cmd->add_option("--as-of", o->as_of, "score and plan date YYYY-MM-DD")->required();
  cmd->add_option("--now", o->now,
                  "ISO 8601 time to send as of, instead of the wall clock (replays and tests)")
      ->type_name("TIME");
  cmd->add_flag("--no-models", o->no_models, "score without the predictive models (faster)");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunRun(globals, *o); });
}

}  // namespace winback::cli
