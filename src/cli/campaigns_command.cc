// winback campaigns [--json]: the configured campaigns with their journeys' counts per step.
// winback preview --campaign C --step S --customer ID [--as-of D]: one message rendered as the
// planner would make it, recorded nowhere.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "campaigns/campaign_config.h"
#include "campaigns/planner.h"
#include "channels/channel_settings.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "messages/link_token.h"
#include "messages/template_set.h"
#include "report/campaign_json.h"

namespace winback::cli {
namespace {

struct CampaignsOptions {
  bool json = false;
};

// Journey and message counts of one campaign.
struct CampaignCounts {
  std::map<std::string, std::int64_t> journeys;  // "active", "completed", "exited", ...
  std::vector<std::int64_t> waiting_for_step;    // Active journeys whose next step is i.
  std::map<std::string, std::map<std::string, std::int64_t>> messages;  // step -> status -> n
};

int RunCampaigns(const GlobalOptions& globals, const CampaignsOptions& o) {
  Result<config::Config> loaded = LoadConfig(globals);
  if (!loaded.ok()) return ReportError(loaded.status());
  const auto& settings = loaded->Get<campaigns::CampaignSettings>();
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals, *loaded);
  if (!store.ok()) return ReportError(store.status());
  if (o.json) {
    Result<std::string> doc = report::CampaignsJson(settings, **store);
    if (!doc.ok()) return ReportError(doc.status());
    fmt::print("{}\n", *doc);
    return kExitOk;
  }
  std::map<std::string, CampaignCounts> counts;
  for (const campaigns::Campaign& c : settings.campaigns) {
    counts[c.name].waiting_for_step.assign(c.steps.size(), 0);
  }
  Status s = (*store)->ForEachJourney([&](const store::Journey& j) {
    CampaignCounts& c = counts[j.campaign];
    ++c.journeys[std::string(store::JourneyStateName(j.state))];
    if (j.holdout) ++c.journeys["holdout"];
    if (j.state == store::JourneyState::kActive &&
        static_cast<std::size_t>(j.next_step) < c.waiting_for_step.size()) {
      ++c.waiting_for_step[static_cast<std::size_t>(j.next_step)];
    }
    return Status::Ok();
  });
  if (s.ok()) {
    s = (*store)->ForEachMessage({}, [&](const store::OutboxMessage& m) {
      ++counts[m.campaign].messages[m.step][std::string(store::MessageStatusName(m.status))];
      return Status::Ok();
    });
  }
  if (!s.ok()) return ReportError(s);
  if (settings.campaigns.empty()) {
    fmt::print("no campaigns in {} (winback init writes an example)\n", globals.config_path);
    return kExitOk;
  }
  for (const campaigns::Campaign& c : settings.campaigns) {
    const CampaignCounts& n = counts[c.name];
    std::string journeys;
    for (const auto& [state, k] : n.journeys) {
      journeys += (journeys.empty() ? "" : ", ") + FormatCount(k) + " " + state;
    }
    fmt::print("{} (trigger {}, priority {}, holdout {:.0f}%): {}\n", c.name,
               campaigns::TriggerKindName(c.trigger), c.priority, 100 * c.holdout,
               journeys.empty() ? "no journeys yet" : journeys);
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      const campaigns::Step& step = c.steps[i];
      std::string messages;
      if (auto it = n.messages.find(step.name); it != n.messages.end()) {
        for (const auto& [status, k] : it->second) {
          messages += (messages.empty() ? "" : ", ") + FormatCount(k) + " " + status;
        }
      }
      fmt::print("  {}. {:<24} after {:>3} d {:>2} h  offer {:<10} waiting {:>7}  {}\n", i + 1,
                 step.name, step.wait_days, step.wait_hours, step.offer.empty() ? "-" : step.offer,
                 FormatCount(n.waiting_for_step[i]), messages.empty() ? "no messages" : messages);
    }
  }
  return kExitOk;
}

struct PreviewOptions {
  std::string campaign;
  std::string step;
  std::string customer;
  std::string as_of;
  bool json = false;
};

int RunPreview(const GlobalOptions& globals, const PreviewOptions& o) {
  Result<config::Config> loaded = LoadConfig(globals);
  if (!loaded.ok()) return ReportError(loaded.status());
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals, *loaded);
  if (!store.ok()) return ReportError(store.status());
  Date as_of = UtcDate(Instant::FromUnixSeconds(std::time(nullptr)));
  if (!o.as_of.empty()) {
    Result<Date> d = ParseDateOption("--as-of", o.as_of);
    if (!d.ok()) return ReportError(d.status());
    as_of = *d;
  }
  Result<messages::TemplateSet> templates =
      messages::TemplateSet::Load(TemplatesDir(globals, *loaded));
  if (!templates.ok()) return ReportError(templates.status());
  campaigns::PlanOptions options;
  options.as_of = as_of;
  options.dry_run = true;
  options.templates = &*templates;
  const auto& channel_settings = loaded->Get<channels::ChannelSettings>();
  for (int c = 0; c < kChannelKindCount; ++c) {
    options.channel_enabled[static_cast<std::size_t>(c)] =
        channel_settings.For(static_cast<ChannelKind>(c)).has_value();
  }
  if (Result<std::string> key = messages::SigningKeyFromEnv(); key.ok()) options.signing_key = *key;
  Result<store::OutboxMessage> m = campaigns::PreviewMessage(
      **store, loaded->Get<campaigns::CampaignSettings>(), options, o.campaign, o.step, o.customer);
  if (!m.ok()) return ReportError(m.status());
  const std::string channel(ChannelKindName(m->channel));
  if (o.json) {
    nlohmann::json j = {{"campaign", m->campaign},
                        {"step", m->step},
                        {"customer_id", o.customer},
                        {"variant", m->variant},
                        {"channel", channel},
                        {"channel_reason", m->channel_reason},
                        {"language", m->language},
                        {"scheduled_at", FormatTimestamp(m->scheduled_at)},
                        {"local_time", FormatTimestamp(m->scheduled_at, m->utc_offset_minutes)},
                        {"offer", m->offer},
                        {"coupon", m->coupon},
                        {"address", m->address},
                        {"subject", m->subject},
                        {"text", m->body_text},
                        {"html", m->body_html}};
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("To:       {} ({}: {})\n", m->address, channel, m->channel_reason);
  fmt::print("When:     {}\n", FormatTimestamp(m->scheduled_at, m->utc_offset_minutes));
  fmt::print("Language: {}{}\n", m->language, m->variant.empty() ? "" : ", variant " + m->variant);
  if (!m->offer.empty()) {
    fmt::print("Offer:    {}{}\n", m->offer,
               m->coupon.empty() ? "" : " (sample coupon " + m->coupon + ")");
  }
  if (!m->subject.empty()) fmt::print("Subject:  {}\n", m->subject);
  fmt::print("\n{}\n", m->body_text);
  if (options.signing_key.empty()) {
    fmt::print(stderr,
               "winback preview: WINBACK_SIGNING_KEY is not set, so the links are left empty\n");
  }
  return kExitOk;
}

}  // namespace

void RegisterCampaignsCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<CampaignsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "campaigns", "List the campaigns of winback.toml with their journeys and messages per step");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunCampaigns(globals, *o); });
}

void RegisterPreviewCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<PreviewOptions>();
  CLI::App* cmd = app.add_subcommand(
      "preview", "Render the message a campaign step would send one customer, recording nothing");
  cmd->add_option("--campaign", o->campaign, "campaign name")->required();
  cmd->add_option("--step", o->step, "step name")->required();
  cmd->add_option("--customer", o->customer, "customer id")->required();
  cmd->add_option("--as-of", o->as_of, "day YYYY-MM-DD (default: today, UTC)");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunPreview(globals, *o); });
}

}  // namespace winback::cli
