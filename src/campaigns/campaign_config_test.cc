#include "campaigns/campaign_config.h"

#include <gtest/gtest.h>

#include "testutil/status_matchers.h"

namespace winback::campaigns {
namespace {

using testing::HasSubstr;

Result<CampaignSettings> Load(std::string_view text) {
  config::Registry registry;
  AddConfigSections(registry);
  WINBACK_ASSIGN_OR_RETURN(config::Config c, registry.Parse(text, "w.toml"));
  CampaignSettings settings = c.Get<CampaignSettings>();
  WINBACK_RETURN_IF_ERROR(ValidateCampaignSettings(settings, "w.toml"));
  return settings;
}

constexpr std::string_view kWinback = R"toml(
[policy]
quiet_hours = { start = "21:30", end = "08:00" }
frequency_cap = { messages = 2, days = 7 }
channel_order = ["sms", "email"]
currency = "TRY"
message_cost = { email = "0.05", sms = "1.20" }

[tracking]
base_url = "https://shop.example.com/wb/"

[[offer]]
name = "ten_off"
kind = "percent_off"
value = 10
cost = "25.00"
currency = "TRY"
exit_reasons = ["price"]
next = "twenty_off"

[[offer]]
name = "twenty_off"
kind = "percent_off"
value = 20

[[campaign]]
name = "winback"
trigger = "winback"
holdout = 0.2
lifecycle = ["inactive", "lost"]
countries = ["TR", "IR"]

[[campaign.step]]
name = "come_back"
variants = ["plain", "emoji"]

[[campaign.step]]
name = "incentive"
wait_days = 10
offer = "by_reason"

[[campaign.step]]
name = "last_chance"
wait_days = 14
offer = "by_reason"
escalate = 1

[[campaign]]
name = "cart"
trigger = "cart_abandoned"
cart_hours = 2

[[campaign.step]]
name = "reminder"
offer = "ten_off"
)toml";

TEST(CampaignConfigTest, ReadsCampaignsOffersPolicyAndTracking) {
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignSettings s, Load(kWinback));
  ASSERT_EQ(s.campaigns.size(), 2u);
  const Campaign& w = s.campaigns[0];
  EXPECT_EQ(w.name, "winback");
  EXPECT_EQ(w.trigger, TriggerKind::kWinback);
  EXPECT_DOUBLE_EQ(w.holdout, 0.2);
  EXPECT_EQ(w.audience.lifecycle, (std::vector<std::string>{"inactive", "lost"}));
  ASSERT_EQ(w.steps.size(), 3u);
  EXPECT_EQ(w.steps[0].variants, (std::vector<std::string>{"plain", "emoji"}));
  EXPECT_EQ(w.steps[0].template_name, "come_back");
  EXPECT_EQ(w.steps[1].wait_days, 10);
  EXPECT_EQ(w.steps[2].escalate, 1);
  EXPECT_EQ(s.campaigns[1].trigger, TriggerKind::kCartAbandoned);
  EXPECT_EQ(s.campaigns[1].cart_hours, 2);
  ASSERT_NE(s.FindOffer("ten_off"), nullptr);
  EXPECT_EQ(s.FindOffer("ten_off")->cost_minor, 2500);
  EXPECT_EQ(s.FindOffer("ten_off")->next, "twenty_off");
  EXPECT_EQ(s.policy.quiet_start_seconds, 21 * 3600 + 1800);
  EXPECT_EQ(s.policy.quiet_end_seconds, 8 * 3600);
  EXPECT_EQ(s.policy.cap_messages, 2);
  EXPECT_EQ(s.policy.cap_days, 7);
  EXPECT_EQ(s.policy.channel_order,
            (std::vector<ChannelKind>{ChannelKind::kSms, ChannelKind::kEmail}));
  EXPECT_EQ(s.policy.message_cost_minor[static_cast<int>(ChannelKind::kSms)], 120);
  EXPECT_EQ(s.tracking.base_url, "https://shop.example.com/wb");
}

TEST(CampaignConfigTest, DefaultsWithoutSections) {
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignSettings s, Load(""));
  EXPECT_TRUE(s.campaigns.empty());
  EXPECT_EQ(s.policy.cap_messages, 3);
  EXPECT_EQ(s.policy.quiet_start_seconds, 21 * 3600);
}

TEST(CampaignConfigTest, ErrorsNameFileLineAndKey) {
  const auto error = [](std::string_view text) { return Load(text).status(); };
  EXPECT_THAT(error("[[campaign]]\nname = \"a\"\ntrigger = \"winbak\"\n[[campaign.step]]\nname = "
                    "\"s\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("w.toml:3: campaign[1].trigger: expected")));
  EXPECT_THAT(error("[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("needs at least one [[campaign.step]]")));
  EXPECT_THAT(error("[[campaign]]\nname = \"a/b\"\ntrigger = \"winback\"\n[[campaign.step]]\nname "
                    "= \"s\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("w.toml:2: campaign[1].name")));
  EXPECT_THAT(error("[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\n[[campaign.step]]\nname = "
                    "\"s\"\noffer = \"nope\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("w.toml:4: campaign 'a' step 's': offer 'nope' is not")));
  EXPECT_THAT(error("[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\n[[campaign.step]]\nname = "
                    "\"s\"\n[[campaign.step]]\nname = \"s\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("two steps named 's'")));
  EXPECT_THAT(error("[policy]\nquiet_hours = { start = \"25:00\", end = \"09:00\" }\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("w.toml:2: policy.quiet_hours.start: expected a time")));
  EXPECT_THAT(error("[policy]\nfrequency_cap = { messages = 0, days = 7 }\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("policy.frequency_cap.messages: expected an integer")));
  EXPECT_THAT(error("[[offer]]\nname = \"a\"\nkind = \"credit\"\nnext = \"b\"\n[[offer]]\nname = "
                    "\"b\"\nkind = \"credit\"\nnext = \"a\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("loops")));
  EXPECT_THAT(error("[[offer]]\nname = \"a\"\nkind = \"credit\"\ncost = \"1.234\"\ncurrency = "
                    "\"USD\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("w.toml:4: offer[1].cost")));
  EXPECT_THAT(error("[tracking]\nbase_url = \"ftp://x\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("tracking.base_url")));
  EXPECT_THAT(error("[polcy]\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("did you mean [policy]?")));
}

TEST(CampaignConfigTest, KindComesFromTheTriggerUnlessSet) {
  constexpr std::string_view kText = R"toml(
[[campaign]]
name = "birthday"
trigger = "birthday"
[[campaign.step]]
name = "greeting"

[[campaign]]
name = "cart"
trigger = "cart_abandoned"
kind = "offers"
[[campaign.step]]
name = "reminder"

[[campaign]]
name = "thanks"
trigger = "post_purchase"
[[campaign.step]]
name = "thank_you"
)toml";
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignSettings s, Load(kText));
  ASSERT_EQ(s.campaigns.size(), 3u);
  EXPECT_EQ(KindOf(s.campaigns[0]), MessageKind::kOccasions);
  EXPECT_EQ(KindOf(s.campaigns[1]), MessageKind::kOffers);  // Overridden: reminders by trigger.
  EXPECT_EQ(KindOf(s.campaigns[2]), MessageKind::kService);
  EXPECT_EQ(s.KindsInUse(), (std::vector<MessageKind>{MessageKind::kOffers, MessageKind::kOccasions,
                                                      MessageKind::kService}));
  WINBACK_ASSERT_OK_AND_ASSIGN(CampaignSettings none, Load(""));
  EXPECT_TRUE(none.KindsInUse().empty());
}

TEST(CampaignConfigTest, EveryTriggerHasTheDocumentedKind) {
  const std::pair<const char*, MessageKind> expected[] = {
      {"winback", MessageKind::kOffers},         {"long_inactive", MessageKind::kOffers},
      {"spend_threshold", MessageKind::kOffers}, {"cart_abandoned", MessageKind::kReminders},
      {"birthday", MessageKind::kOccasions},     {"anniversary", MessageKind::kOccasions},
      {"holiday", MessageKind::kOccasions},      {"post_purchase", MessageKind::kService},
      {"onboarding", MessageKind::kService},     {"complaint_resolved", MessageKind::kService},
      {"feature_shipped", MessageKind::kNews}};
  static_assert(std::size(expected) == kTriggerKindCount);
  for (const auto& [trigger, kind] : expected) {
    std::optional<TriggerKind> t = TriggerKindFromName(trigger);
    ASSERT_TRUE(t.has_value()) << trigger;
    EXPECT_EQ(DefaultMessageKind(*t), kind) << trigger;
  }
  for (int k = 0; k < kMessageKindCount; ++k) {
    const auto kind = static_cast<MessageKind>(k);
    EXPECT_EQ(ParseMessageKind(MessageKindName(kind)), kind);
  }
  EXPECT_EQ(ParseMessageKind("Offers"), std::nullopt);
  EXPECT_EQ(ParseMessageKind(""), std::nullopt);
}

TEST(CampaignConfigTest, UnknownKindNamesTheLineAndTheClosestKind) {
  const Status status = Load(
                            "[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\nkind = "
                            "\"ofers\"\n[[campaign.step]]\nname = \"s\"\n")
                            .status();
  EXPECT_THAT(status, StatusIsWith(StatusCode::kInvalidArgument,
                                   HasSubstr("w.toml:4: campaign[1].kind: expected")));
  EXPECT_THAT(status, StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("\"offers\"?")));
  EXPECT_THAT(Load("[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\nkind = 3\n"
                   "[[campaign.step]]\nname = \"s\"\n")
                  .status(),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("w.toml:4: campaign[1].kind")));
}

TEST(CampaignConfigTest, AutoWinnerNeedsVariantsAndAHoldout) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      CampaignSettings s,
      Load("[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\n[[campaign.step]]\nname = "
           "\"s\"\nvariants = [\"x\", \"y\"]\nauto_winner = true\n[[campaign.step]]\nname = "
           "\"t\"\n"));
  EXPECT_TRUE(s.campaigns[0].steps[0].auto_winner);
  EXPECT_FALSE(s.campaigns[0].steps[1].auto_winner);
  EXPECT_THAT(Load("[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\n[[campaign.step]]\nname "
                   "= \"s\"\nvariants = [\"x\"]\nauto_winner = true\n")
                  .status(),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("w.toml:7: campaign[1].step.auto_winner: step 's' has no A/B "
                                     "test to win")));
  EXPECT_THAT(Load("[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\nholdout = 0\n"
                   "[[campaign.step]]\nname = \"s\"\nvariants = [\"x\", \"y\"]\n"
                   "auto_winner = true\n")
                  .status(),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("w.toml:8: campaign[1].step.auto_winner: campaign 'a' has "
                                     "holdout = 0")));
  EXPECT_THAT(Load("[[campaign]]\nname = \"a\"\ntrigger = \"winback\"\n[[campaign.step]]\nname "
                   "= \"s\"\nauto_winner = \"yes\"\n")
                  .status(),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::campaigns
