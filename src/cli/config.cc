#include "cli/config.h"

#include <filesystem>
#include <fstream>

#include "analytics/analytics_config.h"
#include "campaigns/campaign_config.h"
#include "campaigns/example_config.h"
#include "campaigns/example_templates.h"
#include "channels/channel_settings.h"
#include "measure/campaign.h"
#include "server/inbound.h"
#include "server/server_config.h"
#include "server/session.h"

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
  measure::AddConfigSections(registry);
  server::AddDashboardConfigSections(registry);
  server::AddConfigSections(registry);
  server::AddInboundConfigSection(registry);
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
      config.Get<campaigns::CampaignSettings>(), globals.config_path));
  return config;
}

std::string TemplatesDir(const GlobalOptions& globals, const config::Config& config) {
  const std::filesystem::path dir(config.Get<campaigns::CampaignSettings>().templates_dir);
  if (dir.is_absolute()) return dir.string();
  return (std::filesystem::path(globals.config_path).parent_path() / dir).string();
}

std::string DatabasePath(const GlobalOptions& globals, const config::Config& config) {
  if (!globals.db_path.empty()) return globals.db_path;
  const std::string& database = config.Get<StoreSettings>().database;
  if (!database.empty()) return database;
  return "winback.db";
}

namespace {

constexpr const char* kExampleMeasurement = R"toml(
# ---- Measurement: `winback measure --campaign` ------------------------------------------
[measurement]
attribution_days = 30   # won back = a completed order within this many days of the first message
pre_period_days = 365   # CUPED's covariates: each customer's orders and spend this long before
confidence = 0.95       # of every interval (0.5 .. 0.999)
)toml";

constexpr const char* kExampleDashboard = R"toml(
# ---- Dashboard: the web pages of `winback serve` (README, Dashboard) ----------------------
[dashboard]
session_minutes = 480     # a login lasts this long
max_failed_logins = 5     # failures per user name or client address within lockout_minutes
lockout_minutes = 15      # ... lock it out (429) until the window ends
secure_cookie = false     # true when a reverse proxy serves the dashboard over HTTPS
cache_seconds = 60        # report numbers are reused this long
# WINBACK_ADMIN_PASSWORD in the environment defines the user "admin". More users: a hash from
# `winback passwd` (never a password):
# [[dashboard.user]]
# name = "maria"
# password_hash = "$argon2id$v=19$m=65536,t=2,p=1$..."
)toml";

constexpr const char* kExampleServer = R"toml(
# ---- Server: `winback serve` (README, Server) ----------------------------------------------
[server]
listen = "127.0.0.1:8080"        # --listen overrides; behind a reverse proxy for the internet
api_key_sha256 = []              # SHA-256 digests of API keys (printf %s KEY | sha256sum);
                                 # WINBACK_API_KEY in the environment is one more valid key
max_body_bytes = 8388608         # a larger request body is 413
rate_per_second = 1000           # token bucket per API key (0: no limit) ...
rate_burst = 2000                # ... and its largest burst
read_timeout_seconds = 5         # a client silent this long while sending is cut off
write_timeout_seconds = 5
request_timeout_seconds = 30     # a whole request (idle wait included) or response; then cut
keep_alive_seconds = 5
threads = 16                     # workers, one connection each at a time
max_queued_connections = 256
group_commit_max_requests = 256  # write requests committed (and fsync'd) together at most
ingest_log = true                # answer new events once in the fsync'd ingest log (README)
plan_interval_seconds = 300      # the journey loop plans and sends this often (0: off); it
                                 # needs WINBACK_SIGNING_KEY and a [channels.*] transport
)toml";

}  // namespace

constexpr const char* kExampleInbound = R"toml(
# ---- Inbound SMS and WhatsApp: winback serve's /v1/inbound/twilio and /v1/inbound/whatsapp --
# STOP, UNSUBSCRIBE, IPTAL, DUR, لغو, توقف (whole message, any case) always unsubscribe that
# channel and are confirmed once; other messages get the first reply with a keyword among their
# words, else go on the customer's timeline for a person. Secrets come from the environment:
# WINBACK_TWILIO_AUTH_TOKEN, WINBACK_WHATSAPP_APP_SECRET, WINBACK_WHATSAPP_VERIFY_TOKEN.
[inbound]
stop_reply = "You will get no more messages from us on this number."
# stop_whatsapp_template = "stop_confirmation"   # an approved WhatsApp template; none by default
# twilio_url = "https://shop.example.com/winback/v1/inbound/twilio"   # default: base_url + path

[[inbound.reply]]
name = "hours"
keywords = ["hours", "saat", "ساعت"]
text = "We are open 9:00-18:00, Monday to Saturday."
# whatsapp_template = "opening_hours"   # without it, WhatsApp questions go to a person
)toml";

std::string ExampleConfig() {
  return ExampleCoreConfig() + campaigns::ExampleCampaignConfig() + kExampleMeasurement +
         kExampleServer + kExampleDashboard + kExampleInbound;
}

Result<bool> WriteExampleTemplates(const std::string& dir) {
  const std::filesystem::path folder = std::filesystem::path(dir) / "templates";
  std::error_code ec;
  if (std::filesystem::exists(folder, ec)) return false;
  std::filesystem::create_directories(folder, ec);
  if (ec) return UnavailableError("cannot create " + folder.string() + ": " + ec.message());
  for (const campaigns::EmbeddedFile& f : campaigns::ExampleTemplates()) {
    const std::filesystem::path path = folder / std::string(f.name);
    std::ofstream out(path, std::ios::binary);
    out << f.bytes;
    out.close();
    if (!out) return UnavailableError("cannot write " + path.string());
  }
  return true;
}

std::string ExampleCoreConfig() {
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
)toml" + analytics::ExampleAnalyticsConfig();
}

}  // namespace winback::cli
