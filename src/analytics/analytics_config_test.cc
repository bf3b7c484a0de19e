#include "analytics/analytics_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/registry.h"
#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

using testing::Eq;
using testing::HasSubstr;

config::Registry AnalyticsSections() {
  config::Registry registry;
  AddConfigSections(registry);
  return registry;
}

Result<AnalyticsConfig> Load(const std::string& text) {
  WINBACK_ASSIGN_OR_RETURN(config::Config c, AnalyticsSections().Parse(text, "winback.toml"));
  return c.Get<AnalyticsConfig>();
}

// The message of a load that must fail with InvalidArgument ("" when it loads).
std::string Error(const std::string& text) {
  Result<AnalyticsConfig> c = Load(text);
  if (c.ok()) return "";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  return c.status().message();
}

void ExpectDefaults(const AnalyticsConfig& c) {
  const AnalyticsConfig d;
  ASSERT_EQ(c.scoring.inactivity.rules.size(), d.scoring.inactivity.rules.size());
  for (std::size_t i = 0; i < d.scoring.inactivity.rules.size(); ++i) {
    EXPECT_EQ(c.scoring.inactivity.rules[i].name, d.scoring.inactivity.rules[i].name);
    EXPECT_EQ(c.scoring.inactivity.rules[i].signal, d.scoring.inactivity.rules[i].signal);
    EXPECT_EQ(c.scoring.inactivity.rules[i].days, d.scoring.inactivity.rules[i].days);
  }
  EXPECT_EQ(c.scoring.inactivity.combine, d.scoring.inactivity.combine);
  EXPECT_EQ(c.scoring.monetary, d.scoring.monetary);
  ASSERT_EQ(c.scoring.segments.rules().size(), d.scoring.segments.rules().size());
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      for (int m = 1; m <= 5; ++m) {
        EXPECT_EQ(c.scoring.segments.Lookup(r, f, m).name, d.scoring.segments.Lookup(r, f, m).name);
      }
    }
  }
  const LifecycleConfig& l = c.scoring.lifecycle;
  const LifecycleConfig& dl = d.scoring.lifecycle;
  EXPECT_EQ(l.new_days, dl.new_days);
  EXPECT_EQ(l.at_risk_days, dl.at_risk_days);
  EXPECT_EQ(l.inactive_days, dl.inactive_days);
  EXPECT_EQ(l.lost_days, dl.lost_days);
  EXPECT_EQ(l.reactivation_gap_days, dl.reactivation_gap_days);
  EXPECT_EQ(l.reactivated_days, dl.reactivated_days);
  const ReadinessConfig& r = c.scoring.readiness;
  const ReadinessConfig& dr = d.scoring.readiness;
  EXPECT_EQ(r.referred_others, dr.referred_others);
  EXPECT_EQ(r.never_complained, dr.never_complained);
  EXPECT_EQ(r.issues_resolved, dr.issues_resolved);
  EXPECT_EQ(r.left_over_price, dr.left_over_price);
  const LetGoConfig& g = c.scoring.let_go;
  const LetGoConfig& dg = d.scoring.let_go;
  EXPECT_EQ(g.payment_defaults, dg.payment_defaults);
  EXPECT_EQ(g.unresolved_complaints, dg.unresolved_complaints);
  EXPECT_EQ(g.max_refund_share, dg.max_refund_share);
  EXPECT_EQ(g.unsubscribed_everywhere, dg.unsubscribed_everywhere);
  EXPECT_EQ(c.activity_days, d.activity_days);
  EXPECT_EQ(c.currency, d.currency);
}

TEST(AnalyticsConfigTest, ExampleParsesToTheDefaults) {
  WINBACK_ASSERT_OK_AND_ASSIGN(AnalyticsConfig c, Load(ExampleAnalyticsConfig()));
  ExpectDefaults(c);
  WINBACK_ASSERT_OK_AND_ASSIGN(AnalyticsConfig empty, Load(""));
  ExpectDefaults(empty);
  // The defaults are those of src/analytics.
  EXPECT_EQ(c.activity_days, 180);
  EXPECT_EQ(c.scoring.lifecycle.lost_days, 365);
  EXPECT_EQ(c.scoring.segments.rules().size(), 11u);
  EXPECT_EQ(c.scoring.inactivity.rules.size(), DefaultInactivityConfig().rules.size());
}

TEST(AnalyticsConfigTest, RulesSegmentsAndSettings) {
  WINBACK_ASSERT_OK_AND_ASSIGN(AnalyticsConfig c, Load(R"(
[inactivity]
combine = "any"
[[inactivity.rule]]
signal = "visit"
days = 30
[[inactivity.rule]]
name = "quiet"
signal = "engagement"
days = 45
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
[lifecycle]
new_days = 30
at_risk_days = 60
inactive_days = 120
lost_days = 400
reactivation_gap_days = 100
reactivated_days = 50
[readiness]
referred_others = 2
never_complained = 0.5
issues_resolved = 0
left_over_price = 3.25
[let_go]
payment_defaults = 0
unresolved_complaints = 5
max_refund_share = 0
unsubscribed_everywhere = false
[rates]
activity_days = 90
currency = "TRY"
)"));
  ASSERT_EQ(c.scoring.inactivity.rules.size(), 2u);
  EXPECT_EQ(c.scoring.inactivity.rules[0].name, "no_visit_30d");
  EXPECT_EQ(c.scoring.inactivity.rules[0].signal, ActivitySignal::kVisit);
  EXPECT_EQ(c.scoring.inactivity.rules[1].name, "quiet");
  EXPECT_EQ(c.scoring.inactivity.rules[1].signal, ActivitySignal::kEngagement);
  EXPECT_EQ(c.scoring.inactivity.rules[1].days, 45);
  EXPECT_EQ(c.scoring.inactivity.combine, RuleCombination::kAny);
  EXPECT_EQ(c.scoring.monetary, MonetaryBasis::kTotal);
  EXPECT_EQ(c.scoring.segments.Lookup(5, 4, 1).name, "best");
  EXPECT_EQ(c.scoring.segments.Lookup(5, 3, 1).name, "everyone");
  EXPECT_EQ(c.scoring.segments.Lookup(4, 4, 1).name, "everyone");
  EXPECT_EQ(c.scoring.lifecycle.new_days, 30);
  EXPECT_EQ(c.scoring.lifecycle.at_risk_days, 60);
  EXPECT_EQ(c.scoring.lifecycle.inactive_days, 120);
  EXPECT_EQ(c.scoring.lifecycle.lost_days, 400);
  EXPECT_EQ(c.scoring.lifecycle.reactivation_gap_days, 100);
  EXPECT_EQ(c.scoring.lifecycle.reactivated_days, 50);
  EXPECT_EQ(c.scoring.readiness.referred_others, 2.0);
  EXPECT_EQ(c.scoring.readiness.never_complained, 0.5);
  EXPECT_EQ(c.scoring.readiness.issues_resolved, 0.0);
  EXPECT_EQ(c.scoring.readiness.left_over_price, 3.25);
  EXPECT_EQ(c.scoring.let_go.payment_defaults, 0);
  EXPECT_EQ(c.scoring.let_go.unresolved_complaints, 5);
  EXPECT_EQ(c.scoring.let_go.max_refund_share, 0.0);
  EXPECT_FALSE(c.scoring.let_go.unsubscribed_everywhere);
  EXPECT_EQ(c.activity_days, 90);
  EXPECT_EQ(c.currency, "TRY");
}

TEST(AnalyticsConfigTest, UnknownSectionSuggestsTheClosest) {
  EXPECT_EQ(Error("[rates]\nactivity_days = 90\n\n\n\n\n[inactivty]\ncombine = \"any\"\n"),
            "winback.toml:7: [inactivty]: unknown section; did you mean [inactivity]?");
  EXPECT_EQ(Error("[letgo]\n"), "winback.toml:1: [letgo]: unknown section; did you mean [let_go]?");
  EXPECT_EQ(Error("[lifecylce]\n"),
            "winback.toml:1: [lifecylce]: unknown section; did you mean [lifecycle]?");
  EXPECT_EQ(Error("[[rfm.segmnet]]\nname = \"a\"\ngroup = \"lost\"\n"),
            "winback.toml:1: rfm.segmnet: unknown key; did you mean segment?");
}

// Every section: an unknown key (with the suggestion), a wrong type and an out-of-range value
// are errors naming the file, line and key.
struct SectionCase {
  std::string unknown_key, unknown_message;
  std::string wrong_type, wrong_type_message;
  std::string out_of_range, out_of_range_message;
};

TEST(AnalyticsConfigTest, EverySectionChecksKeysTypesAndRanges) {
  const std::vector<SectionCase> cases = {
      {"[inactivity]\ncombin = \"all\"\n",
       "winback.toml:2: inactivity.combin: unknown key; did you mean combine?",
       "[inactivity]\ncombine = true\n",
       "winback.toml:2: inactivity.combine: expected \"all\" or \"any\", got true",
       "[inactivity]\ncombine = \"most\"\n",
       "winback.toml:2: inactivity.combine: expected \"all\" or \"any\", got \"most\""},
      {"[inactivity]\n[[inactivity.rule]]\nsignal = \"order\"\nday = 3\n",
       "winback.toml:4: inactivity.rule[1].day: unknown key; did you mean days?",
       "[inactivity]\n[[inactivity.rule]]\nsignal = \"order\"\ndays = \"90\"\n",
       "winback.toml:4: inactivity.rule[1].days: expected an integer in 1..36500, got \"90\"",
       "[[inactivity.rule]]\nsignal = \"order\"\ndays = 0\n",
       "winback.toml:3: inactivity.rule[1].days: expected an integer in 1..36500, got 0"},
      {"[rfm]\nmonetery = \"mean\"\n",
       "winback.toml:2: rfm.monetery: unknown key; did you mean monetary?", "[rfm]\nmonetary = 1\n",
       "winback.toml:2: rfm.monetary: expected \"mean\" or \"total\", got 1",
       "[rfm]\nmonetary = \"median\"\n",
       "winback.toml:2: rfm.monetary: expected \"mean\" or \"total\", got \"median\"; did you "
       "mean \"mean\"?"},
      {"[[rfm.segment]]\nname = \"a\"\ngroup = \"lost\"\nrr = 5\n",
       "winback.toml:4: rfm.segment[1].rr: unknown key; did you mean r?",
       "[[rfm.segment]]\nname = 3\ngroup = \"lost\"\n",
       "winback.toml:2: rfm.segment[1].name: expected a string, got 3",
       "[[rfm.segment]]\nname = \"a\"\nr = [3, 9]\ngroup = \"lost\"\n",
       "winback.toml:3: rfm.segment[1].r: expected an integer in 1..5 or a range [lo, hi] with 1 "
       "<= lo <= hi <= 5, got an array"},
      {"[lifecycle]\nnew_dayz = 3\n",
       "winback.toml:2: lifecycle.new_dayz: unknown key; did you mean new_days?",
       "[lifecycle]\nlost_days = 365.0\n",
       "winback.toml:2: lifecycle.lost_days: expected an integer in 1..36500, got 365",
       "[lifecycle]\nnew_days = 0\n",
       "winback.toml:2: lifecycle.new_days: expected an integer in 1..36500, got 0"},
      {"[readiness]\nreferred_other = 1\n",
       "winback.toml:2: readiness.referred_other: unknown key; did you mean referred_others?",
       "[readiness]\nnever_complained = \"a lot\"\n",
       "winback.toml:2: readiness.never_complained: expected a number in [0, 1000000], got \"a "
       "lot\"",
       "[readiness]\nissues_resolved = -1\n",
       "winback.toml:2: readiness.issues_resolved: expected a number in [0, 1000000], got -1"},
      {"[let_go]\npayment_default = 1\n",
       "winback.toml:2: let_go.payment_default: unknown key; did you mean payment_defaults?",
       "[let_go]\nunsubscribed_everywhere = \"yes\"\n",
       "winback.toml:2: let_go.unsubscribed_everywhere: expected true or false, got \"yes\"",
       "[let_go]\nmax_refund_share = 1.5\n",
       "winback.toml:2: let_go.max_refund_share: expected a number in [0, 1], got 1.5"},
      {"[rates]\ncurency = \"TRY\"\n",
       "winback.toml:2: rates.curency: unknown key; did you mean currency?",
       "[rates]\nactivity_days = true\n",
       "winback.toml:2: rates.activity_days: expected an integer in 1..36500, got true",
       "[rates]\nactivity_days = 36501\n",
       "winback.toml:2: rates.activity_days: expected an integer in 1..36500, got 36501"},
  };
  for (const SectionCase& c : cases) {
    EXPECT_EQ(Error(c.unknown_key), c.unknown_message);
    EXPECT_EQ(Error(c.wrong_type), c.wrong_type_message);
    EXPECT_EQ(Error(c.out_of_range), c.out_of_range_message);
  }
  // A key of one section written in another.
  EXPECT_EQ(Error("[rates]\nlost_days = 3\n"),
            "winback.toml:2: rates.lost_days: unknown key; rates knows activity_days, currency");
}

TEST(AnalyticsConfigTest, RulesAcrossKeysNameTheSection) {
  EXPECT_THAT(Error("[inactivity]\n[[inactivity.rule]]\nsignal = \"fax\"\ndays = 3\n"),
              HasSubstr("winback.toml:3: inactivity.rule[1].signal: expected \"order\", \"email\", "
                        "\"sms\", \"whatsapp\", \"engagement\", \"chat\", \"visit\" or \"any\", "
                        "got \"fax\""));
  EXPECT_THAT(Error("[[inactivity.rule]]\nsignal = \"emial\"\ndays = 3\n"),
              HasSubstr("did you mean \"email\"?"));
  EXPECT_EQ(Error("[inactivity]\n[[inactivity.rule]]\ndays = 3\n"),
            "winback.toml:2: inactivity.rule[1]: missing key signal");
  EXPECT_EQ(Error("[[inactivity.rule]]\nname = \"a\"\nsignal = \"order\"\ndays = 3\n"
                  "[[inactivity.rule]]\nname = \"a\"\nsignal = \"email\"\ndays = 3\n"),
            "winback.toml:1: inactivity rule 'a': duplicate name");
  EXPECT_EQ(Error("[rfm]\n[[rfm.segment]]\nname = \"a\"\n"),
            "winback.toml:2: rfm.segment[1]: missing key group");
  EXPECT_THAT(Error("[rfm]\n[[rfm.segment]]\nname = \"top\"\nr = 5\ngroup = \"loyal\"\n"),
              HasSubstr("winback.toml:2: rfm segments: no segment covers R=1"));
  EXPECT_THAT(Error("[[rfm.segment]]\nname = \"a\"\ngroup = \"gold\"\n"),
              HasSubstr("winback.toml:3: rfm.segment[1].group: expected \"loyal\", "
                        "\"potentially_loyal\", \"loyal_at_risk\", \"high_value_lost\" or "
                        "\"lost\", got \"gold\""));
  EXPECT_EQ(Error("[lifecycle]\nlost_days = 100\n"),
            "winback.toml:1: lifecycle: need at_risk_days <= inactive_days <= lost_days, got 90, "
            "180, 100");
  EXPECT_EQ(Error("[readiness]\nreferred_others = 0\nnever_complained = 0\nissues_resolved = 0\n"
                  "left_over_price = 0\n"),
            "winback.toml:1: readiness: all weights are zero");
  EXPECT_EQ(Error("[rates]\ncurrency = \"XYZ\"\n"),
            "winback.toml:2: rates.currency: 'XYZ' is not an ISO 4217 currency code");
  EXPECT_EQ(Error("rates = 3\n"),
            "winback.toml:1: rates: expected a table [rates], got an integer");
  EXPECT_THAT(Error("[let_go\n"), HasSubstr("winback.toml:1: "));
}

}  // namespace
}  // namespace winback::analytics
