#include "cli/config.h"

#include <filesystem>

#include "analytics/analytics_config.h"
#include "campaigns/campaign_config.h"
#include "channels/channel_settings.h"

namespace winback::cli {
namespace {

Status ParseStore(const config::SectionView& s, StoreSettings& store) {
  if (const config::Value* v = s.Find("database")) {
    const std::filesystem::path db(v->AsString());
    if (db.empty()) return s.Error(*v, "database", "must not be empty");
    store.database = db.is_absolute()
                         ? db.string()
                         : (std::filesystem::path(s.file()).parent_path() / db).string();
  }
  return Status::Ok();
}

Status ParseImport(const config::SectionView& s, ImportSettings& import) {
  if (const config::Value* v = s.Find("allow_partial")) import.allow_partial = v->AsBoolean();
  if (const config::Value* v = s.Find("rejects_dir")) {
    if (v->AsString().empty()) return s.Error(*v, "rejects_dir", "must not be empty");
    import.rejects_dir = v->AsString();
  }
  return Status::Ok();
}

config::Registry MakeConfigSections() {
  config::Registry registry;
  registry.Add<StoreSettings>("store", {config::String("database")}, ParseStore);
  registry.Add<ImportSettings>(
      "import", {config::Boolean("allow_partial"), config::String("rejects_dir")}, ParseImport);
  analytics::AddConfigSections(registry);
  campaigns::AddConfigSections(registry);
  channels::AddConfigSections(registry);
  return registry;
}

}  // namespace

const config::Registry& ConfigSections() {
  static const config::Registry registry = MakeConfigSections();
  return registry;
}

Result<config::Config> LoadConfig(const GlobalOptions& globals) {
  WINBACK_ASSIGN_OR_RETURN(
      config::Config config,
      ConfigSections().Load(globals.config_path, globals.config_given
                                                     ? config::IfMissing::kNotFound
                                                     : config::IfMissing::kUseDefaults));
  WINBACK_RETURN_IF_ERROR(campaigns::ValidateCampaignSettings(
      config.Get<campaigns::CampaignSettings>(),
      config.path().empty() ? globals.config_path : config.path()));
  return config;
}

std::string DatabasePath(const GlobalOptions& globals, const config::Config& config) {
  if (!globals.db_path.empty()) return globals.db_path;
  const std::string& database = config.Get<StoreSettings>().database;
  if (!database.empty()) return database;
  return "winback.db";
}

std::string ExampleConfig() {
  return R"toml(# winback.toml: the business rules of one winback installation.
# Every command reads ./winback.toml (or --config FILE) and checks all of it: an unknown
# section or key, a wrong type or an out-of-range value is an error naming its line and the
# closest valid name, so a typo never silently changes behaviour.

[store]
# The SQLite database, relative to this file. --db on the command line overrides it.
database = "winback.db"

[import]
# false: a file with any bad row imports nothing (the safe default).
# true: good rows are imported and bad rows are written to rejects_dir for fixing.
allow_partial = false
rejects_dir = "rejects"
)toml" + analytics::ExampleAnalyticsConfig() +
         R"toml(
# ---- Campaigns and sending: `winback plan`, `winback send`, `winback outbox` -------------
# Nothing is planned or sent until campaigns and channels are written here. An example:
#
# [[campaign]]
# name = "winback"
# trigger = "winback"          # winback, birthday, cart_abandoned, long_inactive, ...
# [[campaign.step]]
# name = "come_back"
# offer = "ten_off"
#
# [[offer]]
# name = "ten_off"
# kind = "percent_off"
# value = 10
#
# [[holiday]]
# name = "nowruz"
# dates = ["03-21"]
#
# [policy]
# quiet_hours = { start = "21:00", end = "09:00" }   # the customer's local time
# frequency_cap = { messages = 3, days = 7 }
# time_zone = "UTC"                                    # for customers without one
#
# [tracking]
# base_url = "https://example.com/winback"             # unsubscribe links: BASE/u/TOKEN
#
# [channels.email]                  # also [channels.sms], [channels.whatsapp]
# transport = "smtp"                # file | smtp | webhook
# url = "smtp://mail.example.com:587"
# from = "Shop <shop@example.com>"
# Secrets come from the environment only: WINBACK_SIGNING_KEY (links, 32+ bytes; required to
# send email), WINBACK_SMTP_USERNAME / WINBACK_SMTP_PASSWORD, WINBACK_TWILIO_*, ...
)toml";
}

}  // namespace winback::cli
