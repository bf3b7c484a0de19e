// An unsubscribe through the one-click link stops the next message of every campaign on that
// channel: the real planner (campaigns/planner.h) plans, the handler unsubscribes, the planner
// plans again and sends nothing more on that channel to that customer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "campaigns/campaign_config.h"
#include "campaigns/planner.h"
#include "messages/link_token.h"
#include "messages/template_set.h"
#include "server/tracking.h"
#include "store/open_store.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

namespace fs = std::filesystem;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef-unsubscribe";

TEST(UnsubscribePlanTest, OneClickStopsTheNextMessageOfEveryCampaignOnThatChannel) {
  const fs::path dir =
      fs::temp_directory_path() / ("winback_unsubscribe_plan_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "templates");
  for (const char* name : {"come_back", "incentive", "birthday"}) {
    std::ofstream(dir / "templates" / (std::string(name) + ".en.mustache"))
        << "--- subject\nHi {{first_name}}\n--- text\n"
        << name << " {{unsubscribe_url}}\n"
        << "--- html\n<body><a href=\"https://shop.example/\">shop</a></body>\n"
        << "--- sms\n"
        << name << "\n--- whatsapp\nwb_" << name << "\n{{first_name}}\n";
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(messages::TemplateSet templates,
                               messages::TemplateSet::Load((dir / "templates").string()));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> store,
                               store::OpenStore((dir / "winback.db").string()));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store->BeginImport("test"));
    for (int i = 0; i < 4; ++i) {
      store::CustomerRecord c;
      c.id = "C" + std::to_string(i);
      c.email = "c" + std::to_string(i) + "@example.com";
      c.language = "en";
      c.time_zone = "Europe/London";
      c.birth_date = *ParseDate("1990-06-20");
      c.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kGranted;
      WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey key, session->UpsertCustomer(c));
      store::OrderRecord o;
      o.id = "O" + std::to_string(i);
      o.customer_id = c.id;
      o.placed_at = ParseTimestamp("2023-06-01T12:00:00Z")->instant;
      o.amount_minor = 50'000;
      o.currency = "GBP";
      ASSERT_THAT(session->UpsertOrder(key, o), IsOk());
    }
    ASSERT_THAT(session->Commit().status(), IsOk());
    WINBACK_ASSERT_OK_AND_ASSIGN(auto writer, store->BeginScores(*ParseDate("2024-06-01")));
    for (int i = 1; i <= 4; ++i) {
      store::CustomerScore s;
      s.key = CustomerKey(i);
      s.lifecycle = "inactive";
      s.segment = "hibernating";
      ASSERT_THAT(writer->Add(s), IsOk());
    }
    ASSERT_THAT(writer->Commit().status(), IsOk());
  }
  // Two campaigns: a win-back journey and birthday greetings.
  campaigns::CampaignSettings settings;
  campaigns::Campaign winback;
  winback.name = "winback";
  winback.holdout = 0;
  campaigns::Step come_back;
  come_back.name = "come_back";
  campaigns::Step incentive;
  incentive.name = "incentive";
  incentive.wait_days = 3;
  winback.steps = {come_back, incentive};
  campaigns::Campaign birthday;
  birthday.name = "birthday";
  birthday.holdout = 0;
  birthday.trigger = campaigns::TriggerKind::kBirthday;
  campaigns::Step greet;
  greet.name = "birthday";
  birthday.steps = {greet};
  settings.campaigns = {winback, birthday};
  settings.policy.expected_return = 1;
  settings.policy.cap_messages = 10;

  TrackingContext context;
  context.store = std::make_shared<SharedStore>(std::move(store));
  auto plan = [&](const char* day) {
    campaigns::PlanOptions o;
    o.as_of = *ParseDate(day);
    o.signing_key = kKey;
    o.templates = &templates;
    o.threads = 1;
    return context.store->Run(
        [&](store::Store& s) { return campaigns::Plan(s, settings, o).status(); });
  };
  // The customer's messages on email that are planned to go out, of `step` ("" any).
  auto planned = [&](std::string_view customer_id, std::string_view step) {
    std::vector<store::OutboxMessage> out;
    Status status = context.store->Run([&](store::Store& s) -> Status {
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
  };
  ASSERT_THAT(plan("2024-06-02"), IsOk());
  std::vector<store::OutboxMessage> first = planned("C1", "");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].step, "come_back");

  // C1 follows the one-click link of that message.
  context.signing_key = kKey;
  context.base_url = settings.tracking.base_url;
  context.clock = [] { return ParseTimestamp("2024-06-03T08:00:00Z")->instant; };
  Request request;
  request.method = "POST";
  request.params["token"] = messages::SignToken(kKey, first[0].key);
  request.body = "List-Unsubscribe=One-Click";
  ASSERT_EQ(HandleOneClickUnsubscribe(context, request).status, 200);

  // The incentive (3 days on) and the birthday (June 20) reach the others, not C1.
  ASSERT_THAT(plan("2024-06-05"), IsOk());
  ASSERT_THAT(plan("2024-06-20"), IsOk());
  for (const char* other : {"C0", "C2", "C3"}) {
    EXPECT_EQ(planned(other, "incentive").size(), 1u) << other;
    EXPECT_EQ(planned(other, "birthday").size(), 1u) << other;
  }
  EXPECT_EQ(planned("C1", "incentive").size(), 0u);
  EXPECT_EQ(planned("C1", "birthday").size(), 0u);
  EXPECT_EQ(planned("C1", "come_back").size(), 1u);  // Planned before; the sender cancels it.
  fs::remove_all(dir);
}

}  // namespace
}  // namespace winback::server
