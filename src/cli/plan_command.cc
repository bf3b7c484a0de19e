// winback plan --as-of DATE [--dry-run] [--json]: decides and renders every message due as of
// DATE into the outbox (campaigns/planner.h). Running it twice for one date adds nothing.
#include "cli/plan_command.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "campaigns/campaign_config.h"
#include "campaigns/planner.h"
#include "campaigns/sender.h"
#include "channels/channel_settings.h"
#include "cli/campaign_measure.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "messages/link_token.h"
#include "messages/template_set.h"

namespace winback::cli {
namespace {

struct PlanCliOptions {
  std::string as_of;
  bool dry_run = false;
  bool json = false;
};

}  // namespace

Result<campaigns::PlanSummary> PlanWithConfig(const GlobalOptions& globals,
                                              const config::Config& config, store::Store& store,
                                              Date as_of, bool dry_run, bool progress,
                                              std::vector<CustomerKey> only_customers) {
  const auto& settings = config.Get<campaigns::CampaignSettings>();
  const auto& channel_settings = config.Get<channels::ChannelSettings>();
  WINBACK_ASSIGN_OR_RETURN(messages::TemplateSet templates,
                           messages::TemplateSet::Load(TemplatesDir(globals, config)));
  campaigns::PlanOptions options;
  options.as_of = as_of;
  options.dry_run = dry_run;
  options.templates = &templates;
  options.only_customers = std::move(only_customers);
  for (int c = 0; c < kChannelKindCount; ++c) {
    options.channel_enabled[static_cast<std::size_t>(c)] =
        channel_settings.For(static_cast<ChannelKind>(c)).has_value();
  }
  Result<std::string> key = messages::SigningKeyFromEnv();
  if (key.ok()) {
    options.signing_key = *key;
  } else if (!dry_run) {
    return key.status();
  }
  WINBACK_ASSIGN_OR_RETURN(std::vector<WinnerDecision> winners,
                           DecideWinners(config, store, as_of));
  for (const WinnerDecision& w : winners) {
    if (!w.variant.empty()) options.winners[w.step] = w.variant;
  }
  if (progress) {
    options.progress = [](std::int64_t done, std::int64_t total) {
      fmt::print(stderr, "\rplanning: {} of {} customers", FormatCount(done), FormatCount(total));
      if (done == total) fmt::print(stderr, "\n");
    };
  }
  WINBACK_ASSIGN_OR_RETURN(campaigns::PlanSummary summary,
                           campaigns::Plan(store, settings, options));
  for (WinnerDecision& w : winners) summary.notes.push_back(std::move(w.text));
  return summary;
}

namespace {

void AddCounts(campaigns::SendCounts& to, const campaigns::SendCounts& from) {
  to.sent += from.sent;
  to.retry += from.retry;
  to.dead += from.dead;
  to.unknown += from.unknown;
  to.cancelled += from.cancelled;
  to.deferred += from.deferred;
}

}  // namespace

Result<PlanAndSendSummary> PlanAndSend(const GlobalOptions& globals, const config::Config& config,
                                       store::Store& store, Date as_of,
                                       const campaigns::SendOptions& send,
                                       std::vector<CustomerKey> only_customers,
                                       const std::function<bool()>& stopping) {
  PlanAndSendSummary out;
  WINBACK_ASSIGN_OR_RETURN(out.planned, PlanWithConfig(globals, config, store, as_of, false, false,
                                                       std::move(only_customers)));
  const auto& settings = config.Get<campaigns::CampaignSettings>();
  const auto& channels = config.Get<channels::ChannelSettings>();
  if (!stopping) {
    WINBACK_ASSIGN_OR_RETURN(out.sent, campaigns::SendDue(store, settings, channels, send));
    return out;
  }
  campaigns::SendOptions batch = send;
  batch.limit = std::max<std::int64_t>(1, send.batch);
  while (!stopping()) {
    WINBACK_ASSIGN_OR_RETURN(campaigns::SendSummary part,
                             campaigns::SendDue(store, settings, channels, batch));
    AddCounts(out.sent.total, part.total);
    for (int c = 0; c < kChannelKindCount; ++c)
      AddCounts(out.sent.by_channel[c], part.by_channel[c]);
    out.sent.recovered += part.recovered;
    out.sent.requeued_unknown += part.requeued_unknown;
    if (part.total.total() < batch.limit) break;  // Nothing more is due.
  }
  return out;
}

std::string PlanSummaryJson(const campaigns::PlanSummary& s) {
  nlohmann::json j;
  j["customers"] = s.customers;
  j["added"] = s.added;
  j["already_planned"] = s.already_planned;
  j["score_date"] = s.score_date.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.score_date);
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [k, n] : s.messages) {
    const auto& [campaign, step, channel, variant, status] = k;
    rows.push_back({{"campaign", campaign},
                    {"step", step},
                    {"channel", channel},
                    {"variant", variant},
                    {"status", status},
                    {"messages", n}});
  }
  j["messages"] = rows;
  j["entered"] = s.entered;
  j["holdout"] = s.holdout;
  j["exited"] = s.exited;
  j["suppressed"] = s.suppressed;
  j["expired"] = s.expired;
  nlohmann::json winners = nlohmann::json::array();
  for (const auto& [ref, n] : s.winner_messages) {
    winners.push_back({{"campaign", ref.first}, {"step", ref.second}, {"messages", n}});
  }
  j["winner_messages"] = winners;
  j["notes"] = s.notes;
  return j.dump();
}

void PrintPlanSummary(const campaigns::PlanSummary& s) {
  fmt::print("{:<16} {:<24} {:<9} {:<8} {:<9} {:>9}\n", "campaign", "step", "channel", "variant",
             "status", "messages");
  for (const auto& [k, n] : s.messages) {
    const auto& [campaign, step, channel, variant, status] = k;
    fmt::print("{:<16} {:<24} {:<9} {:<8} {:<9} {:>9}\n", campaign, step, channel,
               variant.empty() ? "-" : variant, status, FormatCount(n));
  }
  for (const auto& [campaign, n] : s.entered) {
    const auto held = s.holdout.find(campaign);
    fmt::print("{}: {} entered, {} of them held out\n", campaign, FormatCount(n),
               FormatCount(held == s.holdout.end() ? 0 : held->second));
  }
  for (const auto& [reason, n] : s.suppressed) {
    fmt::print("not let in: {} ({})\n", reason, FormatCount(n));
  }
  for (const auto& [reason, n] : s.exited) fmt::print("left: {} ({})\n", reason, FormatCount(n));
  for (const auto& [campaign, n] : s.expired) {
    fmt::print("expired before they could be sent: {} in {}\n", FormatCount(n), campaign);
  }
  for (const auto& [ref, n] : s.winner_messages) {
    fmt::print("auto_winner: {} new messages of {} / {} use the winner\n", FormatCount(n),
               ref.first, ref.second);
  }
  for (const std::string& note : s.notes) fmt::print("auto_winner: {}\n", note);
}

namespace {

int RunPlan(const GlobalOptions& globals, const PlanCliOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  Result<Date> as_of = ParseDateOption("--as-of", o.as_of);
  if (!as_of.ok()) return ReportError(as_of.status());
  Result<config::Config> loaded = LoadConfig(globals);
  if (!loaded.ok()) return ReportError(loaded.status());
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals, *loaded);
  if (!store.ok()) return ReportError(store.status());
  Result<campaigns::PlanSummary> summary =
      PlanWithConfig(globals, *loaded, **store, *as_of, o.dry_run, !o.json);
  if (!summary.ok()) return ReportError(summary.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.json) {
    nlohmann::json j = nlohmann::json::parse(PlanSummaryJson(*summary));
    j["as_of"] = as_of->ToString();
    j["dry_run"] = o.dry_run;
    j["seconds"] = seconds;
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  PrintPlanSummary(*summary);
  fmt::print("{} {} messages for {} customers as of {} in {:.2f} s{}\n",
             o.dry_run ? "would add" : "added", FormatCount(summary->added),
             FormatCount(summary->customers), as_of->ToString(), seconds,
             summary->already_planned > 0
                 ? fmt::format(" ({} were already planned)", FormatCount(summary->already_planned))
                 : "");
  if (summary->score_date.empty()) {
    fmt::print(stderr,
               "winback plan: no scores on or before {}: win-back campaigns need `winback score "
               "--as-of DATE` first\n",
               as_of->ToString());
  }
  return kExitOk;
}

}  // namespace

void RegisterPlanCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<PlanCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Decide and render the messages due as of a date into the outbox: journeys, offers, "
      "channel and send time, with consent, the frequency cap and quiet hours applied");
  cmd->add_option("--as-of", o->as_of, "plan date YYYY-MM-DD (uses the latest scores up to it)")
      ->required();
  cmd->add_flag("--dry-run", o->dry_run, "decide and render, but write nothing");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunPlan(globals, *o); });
}

}  // namespace winback::cli
