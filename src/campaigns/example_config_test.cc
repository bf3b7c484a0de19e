#include "campaigns/example_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "campaigns/campaign_config.h"
#include "campaigns/example_templates.h"
#include "campaigns/planner.h"
#include "channels/channel_settings.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::campaigns {
namespace {

// The example that `winback init` writes loads, names a campaign per trigger with the three
// win-back steps, and every template it needs exists for every language and channel.
TEST(ExampleConfigTest, LoadsAndItsTemplatesCoverEveryStepLanguageAndChannel) {
  config::Registry registry;
  AddConfigSections(registry);
  channels::AddConfigSections(registry);
  WINBACK_ASSERT_OK_AND_ASSIGN(config::Config c,
                               registry.Parse(ExampleCampaignConfig(), "winback.toml"));
  const CampaignSettings& s = c.Get<CampaignSettings>();
  ASSERT_THAT(ValidateCampaignSettings(s, "winback.toml"), IsOk());
  const Campaign* w = s.FindCampaign("winback");
  ASSERT_NE(w, nullptr);
  ASSERT_EQ(w->steps.size(), 3u);
  EXPECT_EQ(w->steps[0].name, "come_back");
  EXPECT_EQ(w->steps[1].name, "incentive");
  EXPECT_EQ(w->steps[2].name, "last_chance");
  EXPECT_LT(w->steps[1].wait_days + w->steps[2].wait_days, 60);
  std::set<TriggerKind> triggers;
  for (const Campaign& campaign : s.campaigns) triggers.insert(campaign.trigger);
  EXPECT_EQ(triggers.size(), static_cast<std::size_t>(kTriggerKindCount));
  EXPECT_EQ(s.policy.quiet_start_seconds, 21 * 3600);
  EXPECT_EQ(s.policy.quiet_end_seconds, 9 * 3600);

  const testutil::ScratchDir dir("winback_example");
  ASSERT_FALSE(ExampleTemplates().empty());
  for (const EmbeddedFile& f : ExampleTemplates()) {
    std::ofstream(dir.File(f.name), std::ios::binary) << f.bytes;
  }
  Result<messages::TemplateSet> templates = messages::TemplateSet::Load(dir.path().string());
  ASSERT_THAT(templates.status(), IsOk());
  EXPECT_THAT(CheckTemplates(s, *templates, {true, true, true}), IsOk());
}

}  // namespace
}  // namespace winback::campaigns
