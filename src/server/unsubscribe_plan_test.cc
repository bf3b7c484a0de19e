// An unsubscribe through the one-click link stops the next message of every campaign on that
// channel: the real planner (campaigns/planner.h) plans, the handler unsubscribes, the planner
// plans again and sends nothing more on that channel to that customer. Unticking a kind of
// message in the preference centre stops that kind only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "campaigns/campaign_config.h"
#include "campaigns/planner.h"
#include "messages/link_token.h"
#include "messages/template_set.h"
#include "server/plan_fixture_test_util.h"
#include "server/preferences.h"
#include "server/tracking.h"
#include "store/open_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef-unsubscribe";

// Four customers (C0..C3, keys 1..4) with an email address, lapsed and with a birthday on
// June 20; two campaigns: a win-back journey (come_back, then incentive 3 days on; kind offers)
// and birthday greetings (kind occasions); the real planner over a SQLite file.
class PlanTest : public testing::Test {
 protected:
  void SetUp() override {
    WINBACK_ASSERT_OK_AND_ASSIGN(
        templates_,
        testing_plan::WriteTemplates(dir_.path(), {"come_back", "incentive", "birthday"}));
    WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> store,
                                 store::OpenStore(dir_.File("winback.db")));
    ASSERT_THAT(testing_plan::AddLapsedCustomers(*store, {.count = 4,
                                                          .time_zone = "Europe/London",
                                                          .birth_date = "1990-06-20",
                                                          .currency = "GBP"}),
                IsOk());
    settings_.campaigns = {testing_plan::WinbackCampaign(), testing_plan::BirthdayCampaign()};
    settings_.policy.expected_return = 1;
    settings_.policy.cap_messages = 10;
    context_.store = std::make_shared<SharedStore>(std::move(store));
    context_.signing_key = kKey;
    context_.base_url = settings_.tracking.base_url;
    context_.kinds = settings_.KindsInUse();
    context_.clock = [] { return ParseTimestamp("2024-06-03T08:00:00Z")->instant; };
  }

  Status Plan(const char* day) {
    campaigns::PlanOptions o;
    o.as_of = *ParseDate(day);
    o.signing_key = kKey;
    o.templates = &*templates_;
    o.threads = 1;
    return context_.store->Run(
        [&](store::Store& s) { return campaigns::Plan(s, settings_, o).status(); });
  }

  // The customer's messages on email that are planned to go out, of `step` ("" any).
  std::vector<store::OutboxMessage> Planned(std::string_view customer_id, std::string_view step) {
    std::vector<store::OutboxMessage> out;
    Status status = context_.store->Run([&](store::Store& s) -> Status {
      WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile profile, s.LoadCustomer(customer_id));
      store::MessageFilter filter;
      filter.customer = profile.key;
      filter.status = store::MessageStatus::kPlanned;
      return s.ForEachMessage(filter, [&](const store::OutboxMessage& m) {
        if ((step.empty() || m.step == step) && m.channel == ChannelKind::kEmail) {
          out.push_back(m);
        }
        return Status::Ok();
      });
    });
    EXPECT_THAT(status, IsOk());
    return out;
  }

  std::vector<store::Journey> Journeys(CustomerKey key) {
    Result<std::vector<store::Journey>> journeys =
        context_.store->Run([&](store::Store& s) { return s.LoadJourneys(key); });
    EXPECT_THAT(journeys.status(), IsOk());
    return journeys.ok() ? *journeys : std::vector<store::Journey>();
  }

  testutil::ScratchDir dir_{"winback_unsubscribe_plan"};
  std::optional<messages::TemplateSet> templates_;
  campaigns::CampaignSettings settings_;
  TrackingContext context_;
};

TEST_F(PlanTest, OneClickStopsTheNextMessageOfEveryCampaignOnThatChannel) {
  ASSERT_THAT(Plan("2024-06-02"), IsOk());
  std::vector<store::OutboxMessage> first = Planned("C1", "");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].step, "come_back");

  // C1 follows the one-click link of that message.
  Request request;
  request.method = "POST";
  request.params["token"] = messages::SignToken(kKey, first[0].key);
  request.body = "List-Unsubscribe=One-Click";
  ASSERT_EQ(HandleOneClickUnsubscribe(context_, request).status, 200);

  // The incentive (3 days on) and the birthday (June 20) reach the others, not C1.
  ASSERT_THAT(Plan("2024-06-05"), IsOk());
  ASSERT_THAT(Plan("2024-06-20"), IsOk());
  for (const char* other : {"C0", "C2", "C3"}) {
    EXPECT_EQ(Planned(other, "incentive").size(), 1u) << other;
    EXPECT_EQ(Planned(other, "birthday").size(), 1u) << other;
  }
  EXPECT_EQ(Planned("C1", "incentive").size(), 0u);
  EXPECT_EQ(Planned("C1", "birthday").size(), 0u);
  EXPECT_EQ(Planned("C1", "come_back").size(), 1u);  // Planned before; the sender cancels it.
}

TEST_F(PlanTest, UntickingOffersStopsTheWinbackJourneyButNotTheBirthdayGreeting) {
  ASSERT_THAT(Plan("2024-06-02"), IsOk());
  std::vector<store::OutboxMessage> first = Planned("C1", "");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].step, "come_back");

  // C1 opens the preference centre from that message and unticks offers, keeping email.
  const std::string token = messages::SignToken(kKey, first[0].key);
  Request get;
  get.method = "GET";
  get.params["token"] = token;
  Response page = HandlePreferencesPage(context_, get);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("name=\"kind_offers\" checked"));
  EXPECT_THAT(page.body, HasSubstr("name=\"kind_occasions\" checked"));
  EXPECT_THAT(page.body, Not(HasSubstr("kind_news")));  // No campaign sends news.
  Request post;
  post.method = "POST";
  post.params["token"] = token;
  post.body = "csrf=" + CsrfToken(kKey, token) +
              "&channel_email=on&kind_shown=offers&kind_shown=occasions&kind_occasions=on&stay=yes";
  Response saved = HandlePreferencesForm(context_, post);
  ASSERT_EQ(saved.status, 200);
  EXPECT_THAT(saved.body, HasSubstr("Saved: Offers off."));
  EXPECT_THAT(saved.body, HasSubstr("name=\"kind_offers\">"));  // Now unticked.

  // The incentive (3 days on) reaches the others, not C1, whose journey ends; the birthday
  // greeting (June 20) reaches everyone, C1 included: email is still on.
  ASSERT_THAT(Plan("2024-06-05"), IsOk());
  ASSERT_THAT(Plan("2024-06-20"), IsOk());
  for (const char* customer : {"C0", "C1", "C2", "C3"}) {
    EXPECT_EQ(Planned(customer, "birthday").size(), 1u) << customer;
  }
  for (const char* other : {"C0", "C2", "C3"}) {
    EXPECT_EQ(Planned(other, "incentive").size(), 1u) << other;
  }
  EXPECT_EQ(Planned("C1", "incentive").size(), 0u);
  bool exited = false;
  for (const store::Journey& j : Journeys(CustomerKey(2))) {
    if (j.campaign != "winback") continue;
    exited = true;
    EXPECT_EQ(j.state, store::JourneyState::kExited);
    EXPECT_EQ(j.exit_reason, "preference: opted out of offers");
  }
  EXPECT_TRUE(exited);
}

}  // namespace
}  // namespace winback::server
