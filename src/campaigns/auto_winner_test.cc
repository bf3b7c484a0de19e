#include "campaigns/auto_winner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "campaigns/journey_engine.h"
#include "campaigns/policy.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::campaigns {
namespace {

Instant At(std::string_view text) { return ParseTimestamp(text)->instant; }

TEST(CustomerIdOfKeyTest, TakesTheIdOutOfAMessageKey) {
  EXPECT_EQ(CustomerIdOfKey("winback/come_back/c42/1", "winback", "come_back"), "c42");
  // Ids may hold '/': campaign and step names cannot, and the occurrence is the last part.
  EXPECT_EQ(CustomerIdOfKey("winback/come_back/a/b/12", "winback", "come_back"), "a/b");
  EXPECT_EQ(CustomerIdOfKey("winback/come_back/c42/x", "winback", "come_back"), std::nullopt);
  EXPECT_EQ(CustomerIdOfKey("winback/come_back//1", "winback", "come_back"), std::nullopt);
  EXPECT_EQ(CustomerIdOfKey("winback/other/c42/1", "winback", "come_back"), std::nullopt);
  EXPECT_EQ(CustomerIdOfKey("winback/come_back", "winback", "come_back"), std::nullopt);
}

// Step come_back of campaign winback, variants plain and emoji, auto_winner. Customers c0..c39
// were planned on 06-02 by the random split; c40..c79 on 06-05, all with emoji.
TEST(FindTakeoversTest, FindsTheFirstPlanThatUsedTheWinner) {
  CampaignSettings settings;
  Campaign c;
  c.name = "winback";
  Step step;
  step.name = "come_back";
  step.variants = {"plain", "emoji"};
  step.auto_winner = true;
  Step plain_step;
  plain_step.name = "incentive";
  plain_step.variants = {"x", "y"};  // no auto_winner: never a takeover
  c.steps = {step, plain_step};
  settings.campaigns = {c};

  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> st,
                               store::OpenSqliteStore(":memory:"));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, st->BeginImport("test"));
    for (int i = 0; i < 80; ++i) {
      store::CustomerRecord r;
      r.id = "c" + std::to_string(i);
      ASSERT_THAT(session->UpsertCustomer(r).status(), IsOk());
    }
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(auto none, FindTakeovers(*st, settings));
  EXPECT_TRUE(none.empty());

  std::int64_t off_split = 0;
  WINBACK_ASSERT_OK_AND_ASSIGN(auto write, st->BeginWrite());
  for (int i = 0; i < 80; ++i) {
    const std::string id = "c" + std::to_string(i);
    for (const Step* s : {&step, &plain_step}) {
      store::OutboxMessage m;
      m.key = MessageKey("winback", s->name, id, 1);
      m.customer = CustomerKey(i + 1);
      m.campaign = "winback";
      m.step = s->name;
      m.planned_at = At(i < 40 ? "2024-06-02T00:00:00Z" : "2024-06-05T00:00:00Z");
      m.scheduled_at = m.planned_at;
      const std::string random = s->variants[VariantIndex("winback", s->name, id, 2)];
      // The second step's variants are swapped for everyone: without auto_winner that is no
      // takeover.
      m.variant = s == &plain_step ? (random == "x" ? "y" : "x") : i < 40 ? random : "emoji";
      if (s == &step && m.variant != random) ++off_split;
      ASSERT_THAT(write->AddMessage(m).status(), IsOk());
    }
  }
  ASSERT_THAT(write->Commit(), IsOk());
  ASSERT_GT(off_split, 5);  // about half of the 40 later ones

  WINBACK_ASSERT_OK_AND_ASSIGN(auto found, FindTakeovers(*st, settings));
  ASSERT_EQ(found.size(), 1u);
  const Takeover& t = found.at({"winback", "come_back"});
  EXPECT_EQ(t.variant, "emoji");
  EXPECT_EQ(t.since, At("2024-06-05T00:00:00Z"));
  EXPECT_EQ(t.messages, off_split);
}

}  // namespace
}  // namespace winback::campaigns
