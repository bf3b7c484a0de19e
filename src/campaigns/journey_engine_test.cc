#include "campaigns/journey_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/random.h"
#include "testutil/status_matchers.h"

namespace winback::campaigns {
namespace {

using store::Journey;
using store::JourneyState;
using store::MessageStatus;

Date D(std::string_view ymd) { return *ParseDate(ymd); }
Instant At(std::string_view text) { return ParseTimestamp(text)->instant; }

CampaignSettings Settings() {
  CampaignSettings s;
  Offer ten;
  ten.name = "ten_off";
  ten.kind = OfferKind::kPercentOff;
  ten.value = 10;
  ten.cost_minor = 500;
  ten.exit_reasons = {"price"};
  ten.next = "twenty_off";
  Offer twenty = ten;
  twenty.name = "twenty_off";
  twenty.value = 20;
  twenty.cost_minor = 1000;
  twenty.next = "";
  Offer credit;
  credit.name = "credit";
  credit.kind = OfferKind::kCredit;
  credit.cost_minor = 300;
  s.offers = {ten, twenty, credit};
  Campaign w;
  w.name = "winback";
  w.trigger = TriggerKind::kWinback;
  w.holdout = 0;
  w.reenter = true;
  w.reenter_after_days = 180;
  w.max_entries = 3;
  Step come_back;
  come_back.name = "come_back";
  Step incentive;
  incentive.name = "incentive";
  incentive.wait_days = 10;
  incentive.offer = "by_reason";
  Step last_chance;
  last_chance.name = "last_chance";
  last_chance.wait_days = 14;
  last_chance.offer = "by_reason";
  last_chance.escalate = 1;
  w.steps = {come_back, incentive, last_chance};
  s.campaigns = {w};
  s.policy.expected_return = 0.5;
  return s;
}

CustomerState Lapsed(std::string id = "C1") {
  CustomerState s;
  s.key = CustomerKey(1);
  s.record.id = std::move(id);
  s.record.email = "a@example.com";
  s.record.language = "tr";
  s.record.country = "TR";
  s.record.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kGranted;
  s.zone = *TimeZone::Find("Europe/Istanbul");
  s.aggregates.orders = 4;
  s.aggregates.revenue_minor = 40'000;
  s.aggregates.first_order_at = At("2023-01-05T10:00:00Z");
  s.aggregates.last_order_at = At("2024-01-05T10:00:00Z");
  s.aggregates.exit_reason = "price";
  store::CustomerScore score;
  score.lifecycle = "inactive";
  score.segment = "hibernating";
  s.score = score;
  return s;
}

// Runs the engine day by day from `from` for `days` days, storing journeys and messages as the
// planner would, and returns every message.
std::vector<store::OutboxMessage> RunDays(
    const CampaignSettings& settings, CustomerState& s, Date from, int days,
    const std::function<void(Date, CustomerState&)>& each = nullptr) {
  std::vector<store::OutboxMessage> all;
  for (int d = 0; d < days; ++d) {
    const Date day = from.PlusDays(d);
    if (each) each(day, s);
    PlanContext ctx;
    ctx.settings = &settings;
    ctx.as_of = day;
    CustomerPlan plan;
    PlanCustomer(s, ctx, plan);
    for (const Journey& j : plan.journeys) {
      auto it = std::find_if(s.journeys.begin(), s.journeys.end(), [&](const Journey& x) {
        return x.campaign == j.campaign && x.occurrence == j.occurrence;
      });
      if (it == s.journeys.end()) {
        s.journeys.push_back(j);
      } else {
        *it = j;
      }
    }
    for (const MessageDraft& m : plan.messages) {
      all.push_back(m.message);
      if (m.message.status != MessageStatus::kExpired) {
        s.scheduled.push_back(m.message.scheduled_at);
        std::sort(s.scheduled.begin(), s.scheduled.end());
      }
    }
  }
  return all;
}

TEST(JourneyEngineTest, WinbackStepsAtTheirGapsWithEscalatingOffers) {
  const CampaignSettings settings = Settings();
  CustomerState s = Lapsed();
  const std::vector<store::OutboxMessage> sent = RunDays(settings, s, D("2024-08-01"), 60);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].step, "come_back");
  EXPECT_EQ(sent[0].key, "winback/come_back/C1/1");
  EXPECT_EQ(sent[0].offer, "");
  // 10:00 in Istanbul (UTC+3).
  EXPECT_EQ(FormatTimestamp(sent[0].scheduled_at), "2024-08-01T07:00:00Z");
  EXPECT_EQ(sent[0].utc_offset_minutes, 180);
  EXPECT_EQ(sent[0].language, "tr");
  EXPECT_EQ(sent[0].channel, ChannelKind::kEmail);
  EXPECT_EQ(sent[1].step, "incentive");
  EXPECT_EQ(FormatTimestamp(sent[1].scheduled_at), "2024-08-11T07:00:00Z");
  EXPECT_EQ(sent[1].offer, "ten_off");  // price -> ten_off
  EXPECT_EQ(sent[2].step, "last_chance");
  EXPECT_EQ(FormatTimestamp(sent[2].scheduled_at), "2024-08-25T07:00:00Z");
  EXPECT_EQ(sent[2].offer, "twenty_off");  // escalated once
  ASSERT_EQ(s.journeys.size(), 1u);
  EXPECT_EQ(s.journeys[0].state, JourneyState::kCompleted);
}

TEST(JourneyEngineTest, AnOrderAfterTheFirstStepEndsTheJourney) {
  const CampaignSettings settings = Settings();
  CustomerState s = Lapsed();
  const std::vector<store::OutboxMessage> sent =
      RunDays(settings, s, D("2024-08-01"), 60, [](Date day, CustomerState& st) {
        if (day == D("2024-08-05")) st.aggregates.last_order_at = At("2024-08-04T12:00:00Z");
      });
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].step, "come_back");
  ASSERT_EQ(s.journeys.size(), 1u);
  EXPECT_EQ(s.journeys[0].state, JourneyState::kExited);
  EXPECT_EQ(s.journeys[0].exit_reason, "ordered");
}

TEST(JourneyEngineTest, ACappedMessageArrivesLaterInsteadOfNever) {
  CampaignSettings settings = Settings();
  settings.policy.cap_messages = 1;
  settings.policy.cap_days = 7;
  CustomerState s = Lapsed();
  // Another campaign's message two days before the incentive is due.
  s.scheduled = {At("2024-08-09T07:00:00Z")};
  const std::vector<store::OutboxMessage> sent = RunDays(settings, s, D("2024-08-01"), 60);
  ASSERT_EQ(sent.size(), 3u);
  // Due 2024-08-11 10:00 local; the window frees at 2024-08-16 07:00Z (10:00 local).
  EXPECT_EQ(FormatTimestamp(sent[1].scheduled_at), "2024-08-16T07:00:00Z");
  EXPECT_EQ(sent[1].status, MessageStatus::kPlanned);
  // The gap to the last step counts from when the incentive goes out.
  EXPECT_EQ(FormatTimestamp(sent[2].scheduled_at), "2024-08-30T07:00:00Z");
}

TEST(JourneyEngineTest, LetGoAndNegativeValueAreSuppressedWithTheReason) {
  const CampaignSettings settings = Settings();
  CustomerState s = Lapsed();
  s.score->let_go = "payment_defaults";
  EXPECT_TRUE(RunDays(settings, s, D("2024-08-01"), 5).empty());
  ASSERT_EQ(s.journeys.size(), 1u);
  EXPECT_EQ(s.journeys[0].state, JourneyState::kSuppressed);
  EXPECT_EQ(s.journeys[0].exit_reason, "let go: payment_defaults");

  CustomerState cheap = Lapsed();
  cheap.aggregates.revenue_minor = 400;  // 1.00 per order: 0.5 x 100 < offer costs
  EXPECT_TRUE(RunDays(settings, cheap, D("2024-08-01"), 5).empty());
  ASSERT_EQ(cheap.journeys.size(), 1u);
  EXPECT_EQ(cheap.journeys[0].state, JourneyState::kSuppressed);
  EXPECT_NE(cheap.journeys[0].exit_reason.find("negative expected value"), std::string::npos);
}

// Settings() plus a birthday campaign (kind occasions by its trigger).
CampaignSettings WithBirthday() {
  CampaignSettings settings = Settings();
  Campaign b;
  b.name = "birthday";
  b.trigger = TriggerKind::kBirthday;
  b.holdout = 0;
  Step greet;
  greet.name = "greeting";
  b.steps = {greet};
  settings.campaigns.push_back(b);
  return settings;
}

TEST(JourneyEngineTest, NoEntryIntoAKindOptedOutOfOtherKindsStillCome) {
  const CampaignSettings settings = WithBirthday();
  CustomerState s = Lapsed();
  s.record.birth_date = D("1990-08-03");
  s.opted_out_kinds = KindBit(MessageKind::kOffers);
  const std::vector<store::OutboxMessage> sent = RunDays(settings, s, D("2024-08-01"), 60);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].key, "birthday/greeting/C1/2024");
  ASSERT_EQ(s.journeys.size(), 2u);
  for (const Journey& j : s.journeys) {
    if (j.campaign != "winback") continue;
    EXPECT_EQ(j.state, JourneyState::kSuppressed);
    EXPECT_EQ(j.exit_reason, "preference: opted out of offers");
  }
}

TEST(JourneyEngineTest, OptingOutOfAKindEndsItsActiveJourneys) {
  const CampaignSettings settings = WithBirthday();
  CustomerState s = Lapsed();
  s.record.birth_date = D("1990-08-20");
  const std::vector<store::OutboxMessage> sent =
      RunDays(settings, s, D("2024-08-01"), 60, [](Date day, CustomerState& st) {
        if (day == D("2024-08-05")) st.opted_out_kinds = KindBit(MessageKind::kOffers);
      });
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].step, "come_back");  // Before the opt-out.
  EXPECT_EQ(sent[1].key, "birthday/greeting/C1/2024");
  const auto winback = std::find_if(s.journeys.begin(), s.journeys.end(),
                                    [](const Journey& j) { return j.campaign == "winback"; });
  ASSERT_NE(winback, s.journeys.end());
  EXPECT_EQ(winback->state, JourneyState::kExited);
  EXPECT_EQ(winback->exit_reason, "preference: opted out of offers");
  EXPECT_EQ(winback->exited_at, D("2024-08-05").StartUtc());

  // The same for occasions: the greeting does not come, offers do.
  CustomerState o = Lapsed();
  o.record.birth_date = D("1990-08-20");
  o.opted_out_kinds = KindBit(MessageKind::kOccasions);
  const std::vector<store::OutboxMessage> offers = RunDays(settings, o, D("2024-08-01"), 60);
  ASSERT_EQ(offers.size(), 3u);
  for (const store::OutboxMessage& m : offers) EXPECT_EQ(m.campaign, "winback");
}

TEST(JourneyEngineTest, BirthdayOnTheLocalDayAnd29FebruaryIn28InCommonYears) {
  CampaignSettings settings = Settings();
  Campaign b;
  b.name = "birthday";
  b.trigger = TriggerKind::kBirthday;
  b.holdout = 0;
  Step greet;
  greet.name = "greeting";
  b.steps = {greet};
  settings.campaigns = {b};
  CustomerState s = Lapsed();
  s.record.birth_date = D("1992-02-29");
  s.zone = *TimeZone::Find("Asia/Tehran");
  const std::vector<store::OutboxMessage> sent = RunDays(settings, s, D("2023-02-20"), 400);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].key, "birthday/greeting/C1/2023");
  // 10:00 on 28 February 2023 in Tehran (UTC+3:30).
  EXPECT_EQ(FormatTimestamp(sent[0].scheduled_at), "2023-02-28T06:30:00Z");
  EXPECT_EQ(sent[1].key, "birthday/greeting/C1/2024");
  EXPECT_EQ(FormatTimestamp(sent[1].scheduled_at), "2024-02-29T06:30:00Z");
}

TEST(JourneyEngineTest, CartReminderAfterHoursAndNotAfterAnOrder) {
  CampaignSettings settings = Settings();
  Campaign cart;
  cart.name = "cart";
  cart.trigger = TriggerKind::kCartAbandoned;
  cart.holdout = 0;
  cart.cart_hours = 4;
  Step remind;
  remind.name = "reminder";
  cart.steps = {remind};
  settings.campaigns = {cart};
  settings.policy.quiet_start_seconds = settings.policy.quiet_end_seconds = 0;
  CustomerState s = Lapsed();
  s.events.push_back(TriggerEvent{EventType::kCartAbandoned, At("2024-08-01T08:00:00Z"), "cart1"});
  std::vector<store::OutboxMessage> sent = RunDays(settings, s, D("2024-08-01"), 3);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(FormatTimestamp(sent[0].scheduled_at), "2024-08-01T12:00:00Z");

  CustomerState ordered = Lapsed();
  ordered.events.push_back(
      TriggerEvent{EventType::kCartAbandoned, At("2024-08-01T08:00:00Z"), "cart1"});
  ordered.aggregates.last_order_at = At("2024-08-01T09:00:00Z");
  EXPECT_TRUE(RunDays(settings, ordered, D("2024-08-01"), 3).empty());
}

// The guarantees, over many random customers, configs and clocks: never a message without
// consent for its channel or after an unsubscribe or bounce, never to a let-go customer, never in
// quiet hours, never over the cap, never a planned message to a holdout customer, never two
// messages with one key.
TEST(JourneyEnginePropertyTest, NoMessageBreaksThePolicy) {
  Xoshiro256 rng(7);
  const char* zones[] = {"UTC", "Europe/Istanbul", "Asia/Tehran", "America/New_York",
                         "Pacific/Chatham"};
  const char* lifecycles[] = {"active", "at_risk", "inactive", "lost"};
  std::set<std::string> keys;
  std::int64_t planned = 0, held = 0;
  for (int i = 0; i < 100'000; ++i) {
    CampaignSettings settings = Settings();
    settings.campaigns[0].holdout = 0.2;
    settings.policy.cap_messages = 1 + static_cast<std::int64_t>(rng.Next() % 3);
    settings.policy.cap_days = 1 + static_cast<std::int64_t>(rng.Next() % 14);
    settings.policy.quiet_start_seconds = static_cast<std::int32_t>(rng.Next() % 24) * 3600;
    settings.policy.quiet_end_seconds = static_cast<std::int32_t>(rng.Next() % 24) * 3600;
    settings.campaigns[0].steps[1].wait_days = static_cast<std::int64_t>(rng.Next() % 5);
    settings.campaigns[0].steps[2].wait_days = static_cast<std::int64_t>(rng.Next() % 5);
    CustomerState s = Lapsed("C" + std::to_string(i));
    s.zone = *TimeZone::Find(zones[rng.Next() % 5]);
    s.record.phone = rng.Next() % 2 ? "+905551112233" : "";
    if (rng.Next() % 3 == 0) s.record.email.clear();
    for (int c = 0; c < kChannelKindCount; ++c) {
      s.record.consent[c] = static_cast<Consent>(rng.Next() % 3);
    }
    s.record.preferred_channel =
        std::string(ChannelKindName(static_cast<ChannelKind>(rng.Next() % 3)));
    s.aggregates.unsubscribed_channels = static_cast<std::uint32_t>(rng.Next() % 8);
    s.aggregates.bounced_channels =
        rng.Next() % 4 == 0 ? static_cast<std::uint32_t>(rng.Next() % 8) : 0u;
    s.score->lifecycle = lifecycles[rng.Next() % 4];
    if (rng.Next() % 10 == 0) s.score->let_go = "unresolved_complaints";
    s.best_hour =
        rng.Next() % 2 ? std::optional<int>(static_cast<int>(rng.Next() % 24)) : std::nullopt;
    const int existing = static_cast<int>(rng.Next() % 3);
    for (int k = 0; k < existing; ++k) {
      s.scheduled.push_back(
          At("2024-08-01T00:00:00Z")
              .PlusSeconds(static_cast<std::int64_t>(rng.Next() % (std::uint64_t{20} * 86'400))));
    }
    std::sort(s.scheduled.begin(), s.scheduled.end());
    const std::vector<Instant> before = s.scheduled;
    const bool let_go = !s.score->let_go.empty();
    const ContactInfo contact = ContactOf(s);
    const std::vector<store::OutboxMessage> messages =
        RunDays(settings, s, D("2024-08-01"), 1 + static_cast<int>(rng.Next() % 12));
    std::vector<Instant> placed = before;
    for (const store::OutboxMessage& m : messages) {
      ASSERT_TRUE(keys.insert(m.key).second) << "twice: " << m.key;
      if (m.status == MessageStatus::kExpired) continue;
      ASSERT_FALSE(let_go) << i;
      ASSERT_TRUE(Contactable(contact, m.channel)) << i << " " << m.key;
      ASSERT_FALSE(InQuietHours(s.zone.LocalSecondsOfDay(m.scheduled_at), settings.policy)) << i;
      ASSERT_TRUE(FitsFrequencyCap(placed, m.scheduled_at, settings.policy)) << i << " " << m.key;
      placed.insert(std::upper_bound(placed.begin(), placed.end(), m.scheduled_at), m.scheduled_at);
      const bool holdout = InHoldout("winback", s.record.id, 0.2);
      ASSERT_EQ(m.status, holdout ? MessageStatus::kHoldout : MessageStatus::kPlanned) << i;
      (holdout ? held : planned) += 1;
    }
  }
  // The generator reaches every branch: both kinds of message occur in numbers.
  EXPECT_GT(planned, 10'000);
  EXPECT_GT(held, 1'000);
}

}  // namespace
}  // namespace winback::campaigns
