#include "cli/analytics_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "testutil/status_matchers.h"

namespace winback::cli {
namespace {

using testing::HasSubstr;

class AnalyticsConfigTest : public testing::Test {
 protected:
  Result<AnalyticsConfig> Load(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("winback_analytics_config_" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path_) << text;
    GlobalOptions globals;
    globals.config_path = path_.string();
    globals.config_given = true;
    return LoadAnalyticsConfig(globals);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(AnalyticsConfigTest, ExampleParsesToTheDefaults) {
  WINBACK_ASSERT_OK_AND_ASSIGN(AnalyticsConfig c, Load(ExampleAnalyticsConfig()));
  const analytics::InactivityConfig d = analytics::DefaultInactivityConfig();
  ASSERT_EQ(c.scoring.inactivity.rules.size(), d.rules.size());
  for (std::size_t i = 0; i < d.rules.size(); ++i) {
    EXPECT_EQ(c.scoring.inactivity.rules[i].name, d.rules[i].name);
    EXPECT_EQ(c.scoring.inactivity.rules[i].days, d.rules[i].days);
  }
  EXPECT_EQ(c.activity_days, 180);
  EXPECT_EQ(c.scoring.lifecycle.lost_days, 365);
  EXPECT_EQ(c.scoring.segments.rules().size(), 11u);
}

TEST_F(AnalyticsConfigTest, RulesSegmentsAndSettings) {
  WINBACK_ASSERT_OK_AND_ASSIGN(AnalyticsConfig c, Load(R"(
[store]
database = "x.db"
[inactivity]
combine = "any"
[[inactivity.rule]]
signal = "visit"
days = 30
[rfm]
monetary = "total"
[[rfm.segment]]
name = "best"
r = 5
f = [4, 5]
group = "loyal"
[[rfm.segment]]
name = "everyone"
group = "lost"
[let_go]
max_refund_share = 0
[rates]
activity_days = 90
currency = "TRY"
)"));
  ASSERT_EQ(c.scoring.inactivity.rules.size(), 1u);
  EXPECT_EQ(c.scoring.inactivity.rules[0].name, "no_visit_30d");
  EXPECT_EQ(c.scoring.inactivity.combine, analytics::RuleCombination::kAny);
  EXPECT_EQ(c.scoring.monetary, analytics::MonetaryBasis::kTotal);
  EXPECT_EQ(c.scoring.segments.Lookup(5, 4, 1).name, "best");
  EXPECT_EQ(c.scoring.segments.Lookup(4, 4, 1).name, "everyone");
  EXPECT_EQ(c.scoring.let_go.max_refund_share, 0.0);
  EXPECT_EQ(c.activity_days, 90);
  EXPECT_EQ(c.currency, "TRY");
}

TEST_F(AnalyticsConfigTest, ErrorsNameFileLineAndKey) {
  const std::string file = "winback_analytics_config_" + std::to_string(::getpid()) + ".toml";
  EXPECT_THAT(Load("[lifecycle]\nnew_dayz = 3\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr(file + ":2: lifecycle.new_dayz: unknown key")));
  EXPECT_THAT(Load("[inactivity]\n[[inactivity.rule]]\nsignal = \"fax\"\ndays = 3\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr(":3: inactivity.rule[1].signal: unknown signal \"fax\"")));
  EXPECT_THAT(Load("[rfm]\n[[rfm.segment]]\nname = \"top\"\nr = 5\ngroup = \"loyal\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("no segment covers R=1")));
  EXPECT_THAT(Load("[rfm]\n[[rfm.segment]]\nname = \"a\"\nr = [3, 9]\ngroup = \"loyal\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr(":4: rfm.segment[1].r")));
  EXPECT_THAT(Load("[rates]\ncurrency = \"XYZ\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("rates.currency")));
  EXPECT_THAT(Load("[readiness]\nnever_complained = \"a lot\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr(":2: readiness.never_complained: expected a number")));
  EXPECT_THAT(Load("[lifecycle]\nlost_days = 100\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr(":1: lifecycle: need at_risk_days <= inactive_days")));
  EXPECT_THAT(Load("[let_go\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Load("rates = 3\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("rates: expected a table")));
}

TEST_F(AnalyticsConfigTest, MissingGivenFileIsNotFound) {
  GlobalOptions globals;
  globals.config_path = "/nonexistent/winback.toml";
  globals.config_given = true;
  EXPECT_THAT(LoadAnalyticsConfig(globals), StatusIs(StatusCode::kNotFound));
  globals.config_given = false;
  EXPECT_THAT(LoadAnalyticsConfig(globals), IsOk());
}

}  // namespace
}  // namespace winback::cli
