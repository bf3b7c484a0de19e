// winback send: delivers the due messages of the outbox through the configured channels, under
// the claim protocol (store/outbox_store.h), and prints what became of them.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "campaigns/campaign_config.h"
#include "campaigns/sender.h"
#include "channels/channel_settings.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "messages/link_token.h"

namespace winback::cli {
namespace {

struct SendCommandOptions {
  std::int64_t limit = 0;
  bool json = false;
  bool retry_unknown = false;
  std::string now;
};

Instant WallClock() {
  return Instant::FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

nlohmann::json CountsJson(const campaigns::SendCounts& c) {
  return {{"sent", c.sent},       {"retry", c.retry},         {"dead", c.dead},
          {"unknown", c.unknown}, {"cancelled", c.cancelled}, {"deferred", c.deferred},
          {"total", c.total()}};
}

std::string CountsText(const campaigns::SendCounts& c) {
  return fmt::format("{} sent, {} retry, {} dead, {} unknown, {} cancelled, {} deferred",
                     FormatCount(c.sent), FormatCount(c.retry), FormatCount(c.dead),
                     FormatCount(c.unknown), FormatCount(c.cancelled), FormatCount(c.deferred));
}

int RunSend(const GlobalOptions& globals, const SendCommandOptions& o) {
  if (o.limit < 0) return ReportError(InvalidArgumentError("--limit: must be 0 (all) or more"));
  campaigns::SendOptions options;
  if (!o.now.empty()) {
    Result<ParsedTimestamp> now = ParseTimestamp(o.now);
    if (!now.ok()) {
      return ReportError(InvalidArgumentError("--now: " + now.status().message()));
    }
    options.now = now->instant;
  } else {
    options.now = WallClock();
    options.clock = WallClock;
  }
  Result<config::Config> loaded = LoadConfig(globals);
  if (!loaded.ok()) return ReportError(loaded.status());
  const auto& settings = loaded->Get<campaigns::CampaignSettings>();
  const auto& channel_settings = loaded->Get<channels::ChannelSettings>();
  if (channel_settings.email) {
    Result<std::string> key = messages::SigningKeyFromEnv();
    if (!key.ok()) {
      return ReportError(FailedPreconditionError("sending email needs signed unsubscribe links: " +
                                                 key.status().message()));
    }
    options.signing_key = *key;
  }
  Result<std::string> dkim_key = DkimKeyForSending(channel_settings);
  if (!dkim_key.ok()) return ReportError(dkim_key.status());
  options.dkim_private_key = std::move(*dkim_key);
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals, *loaded);
  if (!store.ok()) return ReportError(store.status());
  options.limit = o.limit;
  options.retry_unknown = o.retry_unknown;
  options.owner = campaigns::SenderOwner();
  Result<campaigns::SendSummary> summary =
      campaigns::SendDue(**store, settings, channel_settings, options);
  if (!summary.ok()) return ReportError(summary.status());
  if (o.json) {
    nlohmann::json j = CountsJson(summary->total);
    nlohmann::json by_channel = nlohmann::json::object();
    for (int ch = 0; ch < kChannelKindCount; ++ch) {
      by_channel[std::string(ChannelKindName(static_cast<ChannelKind>(ch)))] =
          CountsJson(summary->by_channel[ch]);
    }
    j["by_channel"] = by_channel;
    j["recovered"] = summary->recovered;
    j["requeued_unknown"] = summary->requeued_unknown;
    j["now"] = FormatTimestamp(options.now);
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  if (summary->recovered > 0) {
    fmt::print("recovered {} claims of stopped senders or expired leases\n",
               FormatCount(summary->recovered));
  }
  if (summary->requeued_unknown > 0) {
    fmt::print("requeued {} unknown messages\n", FormatCount(summary->requeued_unknown));
  }
  fmt::print("send: {}\n", CountsText(summary->total));
  for (int ch = 0; ch < kChannelKindCount; ++ch) {
    const campaigns::SendCounts& c = summary->by_channel[ch];
    if (c.total() == 0) continue;
    fmt::print("  {:<9} {}\n", ChannelKindName(static_cast<ChannelKind>(ch)), CountsText(c));
  }
  if (summary->total.unknown > 0) {
    fmt::print(
        "unknown: the provider may have them; see `winback outbox --status unknown` and resend "
        "with `winback send --retry-unknown`\n");
  }
  return kExitOk;
}

}  // namespace

void RegisterSendCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<SendCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "send",
      "Deliver the due messages of the outbox through [channels] (consent, orders, let-go and "
      "quiet hours checked again at send time); email needs WINBACK_SIGNING_KEY, and "
      "WINBACK_DKIM_PRIVATE_KEY when [channels.email] sets dkim_domain");
  cmd->add_option("--limit", o->limit, "send at most N messages (default 0: every due one)");
  cmd->add_flag("--retry-unknown", o->retry_unknown,
                "first requeue the `unknown` messages (handed over, fate unknown): they may "
                "arrive twice");
  cmd->add_option("--now", o->now,
                  "ISO 8601 time to use instead of the wall clock (replays and tests): what is "
                  "due, quiet hours, backoff")
      ->type_name("TIME");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunSend(globals, *o); });
}

}  // namespace winback::cli
