#include "cli/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "analytics/analytics_config.h"
#include "measure/campaign.h"
#include "server/server_config.h"
#include "server/session.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::cli {
namespace {

using testing::Eq;
using testing::HasSubstr;

class ConfigTest : public testing::Test {
 protected:
  // Writes `text` to DIR/winback.toml and loads it as --config would.
  Result<config::Config> Load(const std::string& text) {
    std::ofstream(path()) << text;
    GlobalOptions globals;
    globals.config_path = path();
    globals.config_given = true;
    return LoadConfig(globals);
  }
  std::string path() const { return dir_.File("winback.toml"); }

  testutil::ScratchDir dir_{"winback_cli_config"};
};

TEST_F(ConfigTest, ExampleLoadsToTheDefaults) {
  WINBACK_ASSERT_OK_AND_ASSIGN(config::Config c, Load(ExampleConfig()));
  const config::Config d = ConfigSections().Defaults();
  EXPECT_EQ(c.Get<StoreSettings>().database, dir_.File("winback.db"));
  EXPECT_EQ(c.Get<ImportSettings>().allow_partial, d.Get<ImportSettings>().allow_partial);
  EXPECT_EQ(c.Get<ImportSettings>().rejects_dir, d.Get<ImportSettings>().rejects_dir);
  const analytics::AnalyticsConfig& a = c.Get<analytics::AnalyticsConfig>();
  const analytics::AnalyticsConfig& da = d.Get<analytics::AnalyticsConfig>();
  EXPECT_EQ(a.activity_days, da.activity_days);
  EXPECT_EQ(a.currency, da.currency);
  ASSERT_EQ(a.scoring.inactivity.rules.size(), da.scoring.inactivity.rules.size());
  EXPECT_EQ(a.scoring.lifecycle.lost_days, da.scoring.lifecycle.lost_days);
  EXPECT_EQ(a.scoring.segments.rules().size(), da.scoring.segments.rules().size());
  const server::ServerSettings& sv = c.Get<server::ServerSettings>();
  const server::ServerSettings& dsv = d.Get<server::ServerSettings>();
  EXPECT_EQ(sv.listen, dsv.listen);
  EXPECT_EQ(sv.max_body_bytes, dsv.max_body_bytes);
  EXPECT_EQ(sv.rate_per_second, dsv.rate_per_second);
  EXPECT_EQ(sv.rate_burst, dsv.rate_burst);
  EXPECT_EQ(sv.threads, dsv.threads);
  EXPECT_EQ(sv.group_commit_max_requests, dsv.group_commit_max_requests);
  EXPECT_EQ(sv.plan_interval_seconds, dsv.plan_interval_seconds);
  const server::DashboardSettings& db = c.Get<server::DashboardSettings>();
  const server::DashboardSettings& ddb = d.Get<server::DashboardSettings>();
  EXPECT_EQ(db.session_minutes, ddb.session_minutes);
  EXPECT_EQ(db.max_failed_logins, ddb.max_failed_logins);
  EXPECT_EQ(db.lockout_minutes, ddb.lockout_minutes);
  EXPECT_EQ(db.secure_cookie, ddb.secure_cookie);
  EXPECT_EQ(db.cache_seconds, ddb.cache_seconds);
  EXPECT_TRUE(db.users.empty());
  // The example names every section there is: [name], [[name]] or [name.table].
  const std::string example = ExampleConfig();
  for (const std::string& name : ConfigSections().SectionNames()) {
    const bool named = example.find("\n[" + name + "]\n") != std::string::npos ||
                       example.find("\n[[" + name + "]]\n") != std::string::npos ||
                       example.find("\n[" + name + ".") != std::string::npos;
    EXPECT_TRUE(named) << name;
  }
}

TEST_F(ConfigTest, MeasurementSection) {
  const config::Config d = ConfigSections().Defaults();
  EXPECT_EQ(d.Get<measure::MeasurementSettings>().attribution_days, 30);
  EXPECT_EQ(d.Get<measure::MeasurementSettings>().pre_period_days, 365);
  WINBACK_ASSERT_OK_AND_ASSIGN(config::Config c,
                               Load("[measurement]\nattribution_days = 14\nconfidence = 0.9\n"));
  EXPECT_EQ(c.Get<measure::MeasurementSettings>().attribution_days, 14);
  EXPECT_NEAR(c.Get<measure::MeasurementSettings>().alpha, 0.1, 1e-12);
  EXPECT_THAT(Load("[measurement]\nattribution_days = 0\n"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ConfigTest, StoreAndImportSections) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      config::Config c,
      Load("[store]\ndatabase = \"data/shop.db\"\n[import]\nallow_partial = true\n"
           "rejects_dir = \"bad\"\n"));
  EXPECT_EQ(c.Get<StoreSettings>().database, dir_.File("data/shop.db"));
  EXPECT_TRUE(c.Get<ImportSettings>().allow_partial);
  EXPECT_EQ(c.Get<ImportSettings>().rejects_dir, "bad");
  GlobalOptions globals;
  EXPECT_EQ(DatabasePath(globals, c), dir_.File("data/shop.db"));
  globals.db_path = "other.db";
  EXPECT_EQ(DatabasePath(globals, c), "other.db");
  EXPECT_EQ(DatabasePath(GlobalOptions{}, ConfigSections().Defaults()), "winback.db");
  WINBACK_ASSERT_OK_AND_ASSIGN(config::Config absolute,
                               Load("[store]\ndatabase = \"/srv/winback.db\"\n"));
  EXPECT_EQ(absolute.Get<StoreSettings>().database, "/srv/winback.db");
}

TEST_F(ConfigTest, StoreAndImportKeysTypesAndValues) {
  const std::string f = path();
  EXPECT_THAT(Load("[store]\ndatabase = \"x.db\"\ndatabse = 1\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":3: store.databse: unknown key; did you mean database?")));
  EXPECT_THAT(Load("[store]\ndatabase = 1\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":2: store.database: expected a string, got 1")));
  EXPECT_THAT(
      Load("[store]\ndatabase = \"\"\n"),
      StatusIsWith(StatusCode::kInvalidArgument, Eq(f + ":2: store.database: must not be empty")));
  EXPECT_THAT(Load("[import]\nallow_partal = true\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":2: import.allow_partal: unknown key; did you mean "
                                  "allow_partial?")));
  EXPECT_THAT(Load("[import]\nallow_partial = \"yes\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":2: import.allow_partial: expected true or false, got "
                                  "\"yes\"")));
  EXPECT_THAT(Load("[import]\nrejects_dir = \"\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":2: import.rejects_dir: must not be empty")));
}

TEST_F(ConfigTest, EverySectionIsKnownToEveryCommand) {
  const std::string f = path();
  EXPECT_THAT(Load("[store]\ndatabase = \"x.db\"\n\n[inactivty]\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":4: [inactivty]: unknown section; did you mean [inactivity]?")));
  EXPECT_THAT(Load("[imports]\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":1: [imports]: unknown section; did you mean [import]?")));
  EXPECT_THAT(Load("[campaigns]\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":1: [campaigns]: unknown section; did you mean [campaign]?")));
  EXPECT_THAT(Load("[shop]\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::StartsWith(f + ":1: [shop]: unknown section; the sections "
                                                   "are [store], [import], [inactivity]")));
  EXPECT_THAT(Load("database = \"x.db\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           Eq(f + ":1: database: a key outside any section; did you mean [store] "
                                  "database?")));
}

TEST_F(ConfigTest, ConfigFileMustBeAFileWhenNamed) {
  GlobalOptions globals;
  globals.config_path = dir_.File("missing.toml");
  globals.config_given = true;
  EXPECT_THAT(LoadConfig(globals),
              StatusIsWith(StatusCode::kNotFound,
                           Eq("config file '" + globals.config_path + "' does not exist")));
  // The default ./winback.toml may be missing: the defaults apply.
  globals.config_given = false;
  WINBACK_ASSERT_OK_AND_ASSIGN(config::Config defaults, LoadConfig(globals));
  EXPECT_EQ(defaults.path(), "");
  EXPECT_EQ(defaults.Get<analytics::AnalyticsConfig>().activity_days, 180);
  // A directory is an error, named or not.
  globals.config_path = dir_.path().string();
  for (bool given : {true, false}) {
    globals.config_given = given;
    EXPECT_THAT(LoadConfig(globals), StatusIsWith(StatusCode::kInvalidArgument,
                                                  HasSubstr("config file '" + dir_.path().string() +
                                                            "' is a directory")));
  }
}

}  // namespace
}  // namespace winback::cli
