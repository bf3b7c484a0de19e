#include "campaigns/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "campaigns/policy.h"
#include "store/open_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::campaigns {
namespace {

namespace fs = std::filesystem;
using store::MessageStatus;
using store::OutboxMessage;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef-test-key";

Instant At(std::string_view text) { return ParseTimestamp(text)->instant; }

class PlannerTest : public testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "templates");
    for (const char* lang : {"en", "tr", "fa"}) {
      for (const char* name : {"come_back", "incentive", "last_chance"}) {
        std::ofstream(dir_.path() / "templates" / (std::string(name) + "." + lang + ".mustache"))
            << "--- subject\n{{first_name}}: " << name << "\n--- text\nHi {{first_name}} "
            << "{{#has_offer}}{{coupon}} until {{offer_deadline}}{{/has_offer}} "
            << "{{unsubscribe_url}}\n--- preheader\nA note for {{first_name}}\n"
            << "--- html\n<body><p dir=\"{{dir}}\">Hi {{first_name}}</p></body>\n"
            << "--- sms\nHi {{first_name}} {{coupon}}\n--- whatsapp\nwinback_" << name
            << "\n{{first_name}}\n";
      }
    }
    WINBACK_ASSERT_OK_AND_ASSIGN(templates_, messages::TemplateSet::Load(dir_.File("templates")));
    db_ = dir_.File("winback.db");
    WINBACK_ASSERT_OK_AND_ASSIGN(store_, store::OpenStore(db_));
    settings_ = Settings();
  }
  void TearDown() override { store_.reset(); }

  static CampaignSettings Settings() {
    CampaignSettings s;
    Offer ten;
    ten.name = "ten_off";
    ten.kind = OfferKind::kPercentOff;
    ten.value = 10;
    ten.text = "10% off";
    ten.cost_minor = 100;
    s.offers = {ten};
    Campaign w;
    w.name = "winback";
    w.holdout = 0.25;
    Step a;
    a.name = "come_back";
    Step b;
    b.name = "incentive";
    b.wait_days = 3;
    b.offer = "ten_off";
    Step c;
    c.name = "last_chance";
    c.wait_days = 3;
    c.offer = "ten_off";
    w.steps = {a, b, c};
    s.campaigns = {w};
    s.policy.expected_return = 1;
    return s;
  }

  // `n` lapsed customers with an email consent, scored inactive on 2024-06-01.
  void Populate(int n) {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("test"));
    std::vector<CustomerKey> keys;
    for (int i = 0; i < n; ++i) {
      store::CustomerRecord c;
      c.id = "C" + std::to_string(i);
      c.email = "c" + std::to_string(i) + "@example.com";
      c.phone = "+90555000" + std::to_string(1000 + i);
      c.first_name = i % 2 ? "Ayşe" : "<b>Bob</b>";
      c.language = i % 3 == 0 ? "fa" : "tr";
      c.country = "TR";
      c.time_zone = i % 2 ? "Europe/Istanbul" : "Asia/Tehran";
      c.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kGranted;
      if (i % 5 == 0) c.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kUnknown;
      if (i % 5 == 0) c.consent[static_cast<int>(ChannelKind::kSms)] = Consent::kGranted;
      WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey key, session->UpsertCustomer(c));
      keys.push_back(key);
      store::OrderRecord o;
      o.id = "O" + std::to_string(i);
      o.customer_id = c.id;
      o.placed_at = At("2023-06-01T12:00:00Z");
      o.amount_minor = 50'000;
      o.currency = "TRY";
      ASSERT_THAT(session->UpsertOrder(key, o), IsOk());
    }
    ASSERT_THAT(session->Commit(), IsOk());
    WINBACK_ASSERT_OK_AND_ASSIGN(auto writer, store_->BeginScores(*ParseDate("2024-06-01")));
    for (CustomerKey key : keys) {
      store::CustomerScore s;
      s.key = key;
      s.lifecycle = "inactive";
      s.segment = "hibernating";
      ASSERT_THAT(writer->Add(s), IsOk());
    }
    ASSERT_THAT(writer->Commit().status(), IsOk());
  }

  PlanOptions Options(std::string_view day) {
    PlanOptions o;
    o.as_of = *ParseDate(day);
    o.signing_key = kKey;
    o.templates = &*templates_;
    o.chunk_customers = 7;
    return o;
  }

  std::vector<OutboxMessage> Outbox(store::Store& s) {
    std::vector<OutboxMessage> all;
    EXPECT_THAT(s.ForEachMessage({},
                                 [&](const OutboxMessage& m) {
                                   all.push_back(m);
                                   return Status::Ok();
                                 }),
                IsOk());
    std::sort(all.begin(), all.end(),
              [](const OutboxMessage& a, const OutboxMessage& b) { return a.key < b.key; });
    return all;
  }

  testutil::ScratchDir dir_{"winback_planner"};
  std::string db_;
  std::optional<messages::TemplateSet> templates_;
  std::unique_ptr<store::Store> store_;
  CampaignSettings settings_;
};

TEST_F(PlannerTest, PlansRendersAndIsIdempotent) {
  Populate(40);
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary first, Plan(*store_, settings_, Options("2024-06-02")));
  EXPECT_EQ(first.customers, 40);
  EXPECT_EQ(first.score_date, "2024-06-01");
  EXPECT_EQ(first.entered["winback"], 40);
  const std::vector<OutboxMessage> out = Outbox(*store_);
  ASSERT_EQ(static_cast<std::int64_t>(out.size()), first.added);
  ASSERT_EQ(out.size(), 40u);
  int holdout = 0;
  for (const OutboxMessage& m : out) {
    EXPECT_EQ(m.step, "come_back");
    if (m.status == MessageStatus::kHoldout) {
      ++holdout;
      EXPECT_TRUE(m.body_text.empty());
      continue;
    }
    ASSERT_EQ(m.status, MessageStatus::kPlanned) << m.key;
    if (m.channel == ChannelKind::kEmail) {
      EXPECT_NE(m.address.find("@example.com"), std::string::npos);
      EXPECT_NE(m.body_text.find("https://example.com/winback/u/"), std::string::npos);
      // HTML escapes the name; text keeps it.
      if (m.body_text.find("<b>Bob</b>") != std::string::npos) {
        EXPECT_NE(m.body_html.find("&lt;b&gt;Bob"), std::string::npos);
      }
    } else {
      EXPECT_EQ(m.channel, ChannelKind::kSms);  // The customers without email consent.
      EXPECT_EQ(m.address.substr(0, 4), "+905");
    }
    if (m.channel == ChannelKind::kEmail) {
      EXPECT_EQ(m.body_html.find("dir=\"rtl\"") != std::string::npos, m.language == "fa");
    }
  }
  EXPECT_EQ(holdout, first.holdout["winback"]);
  EXPECT_GT(holdout, 0);
  // The same day again adds nothing.
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary again, Plan(*store_, settings_, Options("2024-06-02")));
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(Outbox(*store_).size(), 40u);
  // Three days on: the incentive, with a unique coupon that expires.
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary later, Plan(*store_, settings_, Options("2024-06-05")));
  EXPECT_EQ(later.added, 40);
  std::set<std::string> coupons;
  for (const OutboxMessage& m : Outbox(*store_)) {
    if (m.step != "incentive" || m.status != MessageStatus::kPlanned) continue;
    EXPECT_EQ(m.offer, "ten_off");
    EXPECT_EQ(m.coupon.size(), 10u);
    EXPECT_TRUE(coupons.insert(m.coupon).second);
    ASSERT_TRUE(m.coupon_expires_at.has_value());
    EXPECT_NE(m.body_text.find(m.coupon), std::string::npos);
  }
  EXPECT_GT(coupons.size(), 20u);
}

// come_back as an A/B test of "plain" and "emoji" (no come_back.emoji template: both render
// the step's own).
CampaignSettings WithVariants(CampaignSettings s, bool auto_winner) {
  Step& step = s.campaigns[0].steps[0];
  step.variants = {"plain", "emoji"};
  step.auto_winner = auto_winner;
  return s;
}

std::map<std::string, std::int64_t> ComeBackVariants(const std::vector<OutboxMessage>& all) {
  std::map<std::string, std::int64_t> n;
  for (const OutboxMessage& m : all) {
    if (m.step == "come_back") ++n[m.variant];
  }
  return n;
}

TEST_F(PlannerTest, WithoutAWinnerTheSplitStaysRandom) {
  Populate(40);
  settings_ = WithVariants(settings_, true);
  PlanOptions o = Options("2024-06-02");
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary s, Plan(*store_, settings_, o));
  EXPECT_TRUE(s.winner_messages.empty());
  const std::vector<OutboxMessage> all = Outbox(*store_);
  for (const OutboxMessage& m : all) {
    if (m.step != "come_back") continue;
    const std::string id =
        m.key.substr(std::string("winback/come_back/").size(),
                     m.key.rfind('/') - std::string("winback/come_back/").size());
    EXPECT_EQ(m.variant, VariantIndex("winback", "come_back", id, 2) == 0 ? "plain" : "emoji")
        << m.key;
  }
  const auto n = ComeBackVariants(all);
  EXPECT_GT(n.at("plain"), 5);
  EXPECT_GT(n.at("emoji"), 5);
}

TEST_F(PlannerTest, AutoWinnerStepUsesTheWinnerForEveryNewMessage) {
  Populate(40);
  settings_ = WithVariants(settings_, true);
  PlanOptions o = Options("2024-06-02");
  o.winners[{"winback", "come_back"}] = "emoji";
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary s, Plan(*store_, settings_, o));
  const auto n = ComeBackVariants(Outbox(*store_));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_GT(n.at("emoji"), 20);
  // Every come_back message counts, held-out ones included (their records carry a variant too).
  ASSERT_EQ(s.winner_messages.size(), 1u);
  EXPECT_EQ(s.winner_messages.at({"winback", "come_back"}), n.at("emoji"));
}

TEST_F(PlannerTest, AWinnerIsIgnoredWithoutAutoWinnerAndCheckedAgainstTheConfig) {
  Populate(40);
  settings_ = WithVariants(settings_, false);
  PlanOptions o = Options("2024-06-02");
  o.winners[{"winback", "come_back"}] = "emoji";
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary s, Plan(*store_, settings_, o));
  EXPECT_TRUE(s.winner_messages.empty());
  EXPECT_EQ(ComeBackVariants(Outbox(*store_)).size(), 2u);

  settings_ = WithVariants(settings_, true);
  for (const auto& [ref, variant] :
       {std::pair{StepRef{"winback", "come_back"}, std::string("bold")},
        std::pair{StepRef{"winback", "nostep"}, std::string("emoji")},
        std::pair{StepRef{"nocampaign", "come_back"}, std::string("emoji")}}) {
    PlanOptions bad = Options("2024-06-03");
    bad.winners[ref] = variant;
    EXPECT_THAT(Plan(*store_, settings_, bad),
                StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("winner for")));
  }
}

TEST_F(PlannerTest, TheEmailHtmlCarriesThePreheader) {
  // The outbox has no preheader of its own, so the sender cannot add it: the HTML part the
  // planner stores must already hold it, hidden right after <body> and escaped.
  Populate(4);
  ASSERT_THAT(Plan(*store_, settings_, Options("2024-06-02")).status(), IsOk());
  int emails = 0;
  for (const OutboxMessage& m : Outbox(*store_)) {
    if (m.channel != ChannelKind::kEmail || m.status != MessageStatus::kPlanned) continue;
    ++emails;
    const std::string name =
        m.body_text.find("Ayşe") != std::string::npos ? "Ayşe" : "&lt;b&gt;Bob&lt;/b&gt;";
    EXPECT_THAT(m.body_html, StartsWith("<body><div style=\"display:none;")) << m.key;
    EXPECT_THAT(m.body_html, HasSubstr(">A note for " + name + "</div><p dir=")) << m.key;
  }
  EXPECT_GT(emails, 0);
}

TEST_F(PlannerTest, CustomersWhoTurnedOffOffersEnterNoOfferCampaignInAnyChunk) {
  Populate(20);
  // Keys 3, 8 and 15: in the first, second and third chunk of 7.
  const std::vector<std::int64_t> opted_out = {3, 8, 15};
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    for (std::int64_t key : opted_out) {
      ASSERT_THAT(
          write->SetKindOptOut(CustomerKey(key), MessageKind::kOffers, At("2024-05-01T00:00:00Z")),
          IsOk());
    }
    // Another kind changes nothing for a campaign of offers.
    ASSERT_THAT(
        write->SetKindOptOut(CustomerKey(4), MessageKind::kNews, At("2024-05-01T00:00:00Z")),
        IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary s, Plan(*store_, settings_, Options("2024-06-02")));
  EXPECT_EQ(s.customers, 20);
  std::set<std::int64_t> messaged;
  for (const OutboxMessage& m : Outbox(*store_)) messaged.insert(m.customer.value());
  for (std::int64_t key : opted_out) {
    EXPECT_EQ(messaged.count(key), 0u) << key;
    WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<store::Journey> journeys,
                                 store_->LoadJourneys(CustomerKey(key)));
    ASSERT_EQ(journeys.size(), 1u) << key;
    EXPECT_EQ(journeys[0].state, store::JourneyState::kSuppressed);
    EXPECT_EQ(journeys[0].exit_reason, "preference: opted out of offers");
  }
  EXPECT_EQ(messaged.count(4), 1u);
  EXPECT_EQ(messaged.size(), 17u);
}

TEST_F(PlannerTest, DryRunWritesNothing) {
  Populate(10);
  PlanOptions o = Options("2024-06-02");
  o.dry_run = true;
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary s, Plan(*store_, settings_, o));
  EXPECT_EQ(s.added, 0);
  std::int64_t decided = 0;
  for (const auto& [k, n] : s.messages) decided += n;
  EXPECT_EQ(decided, 10);
  EXPECT_TRUE(Outbox(*store_).empty());
}

TEST_F(PlannerTest, MissingTemplatePartIsAnErrorBeforeAnythingIsPlanned) {
  Populate(3);
  Step extra;
  extra.name = "no_such_template";
  settings_.campaigns[0].steps.push_back(extra);
  EXPECT_THAT(Plan(*store_, settings_, Options("2024-06-02")),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::HasSubstr("step 'no_such_template' (email): template")));
  EXPECT_TRUE(Outbox(*store_).empty());
}

// A plan killed at any moment and run again gives the outbox of one uninterrupted run (keys,
// statuses, times and channels; coupon codes are drawn anew).
TEST_F(PlannerTest, KilledPlanRunAgainGivesTheSameOutbox) {
  Populate(60);
  ASSERT_THAT(Plan(*store_, settings_, Options("2024-06-02")).status(), IsOk());
  const std::vector<OutboxMessage> reference = Outbox(*store_);
  std::mt19937 rng(11);
  for (int round = 0; round < 6; ++round) {
    const std::string db = dir_.File("killed" + std::to_string(round) + ".db");
    {
      WINBACK_ASSERT_OK_AND_ASSIGN(auto s, store::OpenStore(db));
      store_.swap(s);
      Populate(60);
      store_.swap(s);
    }
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto s = store::OpenStore(db);
      if (!s.ok()) ::_exit(3);
      PlanOptions o = Options("2024-06-02");
      o.chunk_customers = 3;
      (void)Plan(**s, settings_, o);
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 40'000));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    WINBACK_ASSERT_OK_AND_ASSIGN(auto s, store::OpenStore(db));
    ASSERT_THAT(Plan(*s, settings_, Options("2024-06-02")).status(), IsOk());
    const std::vector<OutboxMessage> got = Outbox(*s);
    ASSERT_EQ(got.size(), reference.size()) << round;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].key, reference[i].key);
      EXPECT_EQ(got[i].status, reference[i].status);
      EXPECT_EQ(got[i].scheduled_at, reference[i].scheduled_at);
      EXPECT_EQ(got[i].channel, reference[i].channel);
      EXPECT_EQ(got[i].body_html, reference[i].body_html);
    }
  }
}

// Rendering runs on several threads; the outbox is the same for any thread count.
TEST_F(PlannerTest, ThreadCountDoesNotChangeTheOutbox) {
  Populate(500);
  PlanOptions one = Options("2024-06-02");
  one.chunk_customers = 500;
  one.threads = 1;
  ASSERT_THAT(Plan(*store_, settings_, one).status(), IsOk());
  const std::vector<OutboxMessage> reference = Outbox(*store_);
  const std::string db = dir_.File("threads.db");
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto s, store::OpenStore(db));
    store_.swap(s);
    Populate(500);
    store_.swap(s);
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(auto s, store::OpenStore(db));
  PlanOptions three = one;
  three.threads = 3;
  ASSERT_THAT(Plan(*s, settings_, three).status(), IsOk());
  const std::vector<OutboxMessage> got = Outbox(*s);
  ASSERT_EQ(got.size(), reference.size());
  ASSERT_GT(got.size(), 300u);  // Several render tasks per chunk.
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].key, reference[i].key);
    EXPECT_EQ(got[i].status, reference[i].status);
    EXPECT_EQ(got[i].address, reference[i].address);
    EXPECT_EQ(got[i].subject, reference[i].subject);
    EXPECT_EQ(got[i].body_text, reference[i].body_text);
    EXPECT_EQ(got[i].body_html, reference[i].body_html);
  }
}

TEST_F(PlannerTest, OnlyCustomersPlansThoseAndTheFullPlanAddsTheRest) {
  Populate(40);
  // Keys 3, 4, 5 (one run), 17 and 40 (the last); duplicates and keys outside the store are
  // ignored.
  PlanOptions some = Options("2024-06-02");
  some.chunk_customers = 2;  // The run of three consecutive keys spans two chunks.
  some.only_customers = {CustomerKey(17), CustomerKey(5),  CustomerKey(3), CustomerKey(4),
                         CustomerKey(17), CustomerKey(40), CustomerKey(0), CustomerKey(41)};
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary partial, Plan(*store_, settings_, some));
  EXPECT_EQ(partial.customers, 5);
  EXPECT_EQ(partial.added, 5);
  std::set<std::int64_t> planned;
  for (const OutboxMessage& m : Outbox(*store_)) planned.insert(m.customer.value());
  EXPECT_EQ(planned, (std::set<std::int64_t>{3, 4, 5, 17, 40}));
  // The full plan of the same day decides the others exactly as if it had planned alone: the
  // outbox equals that of one full plan on a second store.
  WINBACK_ASSERT_OK_AND_ASSIGN(PlanSummary rest, Plan(*store_, settings_, Options("2024-06-02")));
  EXPECT_EQ(rest.customers, 40);
  EXPECT_EQ(rest.added, 35);  // The five planned already have their journeys under way.
  const std::vector<OutboxMessage> got = Outbox(*store_);
  const std::string db = dir_.File("full.db");
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto s, store::OpenStore(db));
    store_.swap(s);
    Populate(40);
    store_.swap(s);
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(auto full, store::OpenStore(db));
  ASSERT_THAT(Plan(*full, settings_, Options("2024-06-02")).status(), IsOk());
  const std::vector<OutboxMessage> want = Outbox(*full);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].key, want[i].key);
    EXPECT_EQ(got[i].status, want[i].status);
    EXPECT_EQ(got[i].channel, want[i].channel);
    EXPECT_EQ(got[i].scheduled_at, want[i].scheduled_at);
  }
}

}  // namespace
}  // namespace winback::campaigns
