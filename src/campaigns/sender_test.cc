#include "campaigns/sender.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "store/open_store.h"
#include "testutil/status_matchers.h"

namespace winback::campaigns {
namespace {

using channels::DeliveryOutcome;
using channels::DeliveryResult;
using channels::OutboundMessage;
using store::MessageStatus;
using store::OutboxMessage;
using ::testing::HasSubstr;

Instant T(const char* s) { return ParseTimestamp(s)->instant; }

// What the fake channels of one test saw, and the outcomes they answer with (in order; then
// kSent).
struct Script {
  std::mutex mu;
  std::deque<DeliveryResult> outcomes;
  std::vector<OutboundMessage> sent;
  std::map<std::string, int> times_by_key;
};

class FakeChannel final : public channels::Channel {
 public:
  explicit FakeChannel(Script& script) : script_(script) {}
  DeliveryResult Send(const OutboundMessage& message) override {
    std::lock_guard<std::mutex> lock(script_.mu);
    script_.sent.push_back(message);
    ++script_.times_by_key[message.key];
    if (script_.outcomes.empty()) return DeliveryResult{};
    DeliveryResult r = script_.outcomes.front();
    script_.outcomes.pop_front();
    return r;
  }
  const std::string& transport() const override { return transport_; }

 private:
  Script& script_;
  std::string transport_ = "fake";
};

DeliveryResult Outcome(DeliveryOutcome outcome, std::string detail = "",
                       std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  return DeliveryResult{.outcome = outcome,
                        .provider_id = "",
                        .detail = std::move(detail),
                        .retry_after = retry_after};
}

// A fresh 2048-bit RSA key as PEM, made by the test: no private key is committed.
std::string NewRsaKeyPem() {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    return "";
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  EVP_PKEY_free(key);
  std::string pem(BIO_ctrl_pending(bio.get()), '\0');
  const int n = BIO_read(bio.get(), pem.data(), static_cast<int>(pem.size()));
  pem.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return pem;
}

class SenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("sender_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "winback.db").string();
    WINBACK_ASSERT_OK_AND_ASSIGN(store_, store::OpenStore(path_));
    Campaign winback;
    winback.name = "winback";
    winback.trigger = TriggerKind::kWinback;
    Campaign birthday;
    birthday.name = "birthday";
    birthday.trigger = TriggerKind::kBirthday;
    settings_.campaigns = {winback, birthday};
    settings_.tracking.base_url = "https://shop.example/wb";
    channels::ChannelConfig email;
    email.transport = "file";
    email.url = (dir_ / "out").string();
    email.from = "Shop <shop@example.com>";
    channels_.email = email;
    channels_.sms = email;
    channels_.whatsapp = email;
    options_.now = T("2024-07-01T09:00:00Z");  // 12:00 in Istanbul.
    options_.owner = "test-sender";
    options_.signing_key = std::string(32, 'k');
    options_.jitter_seed = 7;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ChannelFactory Factory() {
    return [this](ChannelKind,
                  const channels::ChannelConfig&) -> Result<std::unique_ptr<channels::Channel>> {
      return std::unique_ptr<channels::Channel>(std::make_unique<FakeChannel>(script_));
    };
  }

  // Customers c1..cN: email and phone, email consent granted, in Istanbul; each customer i in
  // `ordered` has an order on 2024-06-20.
  void ImportCustomers(int n, const std::vector<int>& ordered = {},
                       const std::vector<int>& unsubscribed = {}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("customers"));
    for (int i = 1; i <= n; ++i) {
      store::CustomerRecord c;
      c.id = "c" + std::to_string(i);
      c.email = c.id + "@example.com";
      c.phone = "+90555000" + std::to_string(1000 + i);
      c.time_zone = "Europe/Istanbul";
      c.language = "tr";
      for (int ch = 0; ch < kChannelKindCount; ++ch) c.consent[ch] = Consent::kGranted;
      WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey key, session->UpsertCustomer(c));
      if (std::find(ordered.begin(), ordered.end(), i) != ordered.end()) {
        store::OrderRecord o;
        o.id = c.id + "-o";
        o.customer_id = c.id;
        o.placed_at = T("2024-06-20T10:00:00Z");
        o.amount_minor = 1000;
        o.currency = "TRY";
        ASSERT_THAT(session->UpsertOrder(key, o), IsOk());
      }
      if (std::find(unsubscribed.begin(), unsubscribed.end(), i) != unsubscribed.end()) {
        store::EventRecord e;
        e.id = c.id + "-u";
        e.customer_id = c.id;
        e.type = EventType::kUnsubscribe;
        e.at = T("2024-06-20T10:00:00Z");
        e.channel = "email";
        ASSERT_THAT(session->UpsertEvent(key, e), IsOk());
      }
    }
    ASSERT_THAT(session->Commit(), IsOk());
  }

  OutboxMessage Message(std::int64_t customer, const std::string& campaign = "winback",
                        ChannelKind channel = ChannelKind::kEmail) {
    OutboxMessage m;
    m.key = campaign + "/first/c" + std::to_string(customer) + "/1";
    m.customer = CustomerKey(customer);
    m.campaign = campaign;
    m.step = "first";
    m.channel = channel;
    m.channel_reason = "preferred";
    m.planned_at = T("2024-06-01T00:00:00Z");
    m.scheduled_at = T("2024-06-02T09:00:00Z");  // Long past: still due.
    m.utc_offset_minutes = 180;
    m.language = "tr";
    m.address = channel == ChannelKind::kEmail ? "c" + std::to_string(customer) + "@example.com"
                                               : "+905550001001";
    m.subject = "Seni özledik";
    m.body_text = "Merhaba";
    m.body_html = "<p>Merhaba</p>";
    return m;
  }

  std::vector<std::int64_t> Add(std::vector<OutboxMessage> messages) {
    std::vector<std::int64_t> ids;
    auto write = store_->BeginWrite();
    EXPECT_THAT(write.status(), IsOk());
    for (OutboxMessage& m : messages) EXPECT_THAT((*write)->AddMessage(m), IsOk());
    EXPECT_THAT((*write)->Commit(), IsOk());
    for (const OutboxMessage& m : All()) ids.push_back(m.id);
    return ids;
  }

  std::vector<OutboxMessage> All() {
    std::vector<OutboxMessage> out;
    EXPECT_THAT(store_->ForEachMessage({},
                                       [&](const OutboxMessage& m) {
                                         out.push_back(m);
                                         return Status::Ok();
                                       }),
                IsOk());
    std::sort(out.begin(), out.end(),
              [](const OutboxMessage& a, const OutboxMessage& b) { return a.key < b.key; });
    return out;
  }

  OutboxMessage ByKey(const std::string& key) {
    for (const OutboxMessage& m : All()) {
      if (m.key == key) return m;
    }
    ADD_FAILURE() << "no message " << key;
    return {};
  }

  Result<SendSummary> Send() { return SendDue(*store_, settings_, channels_, options_, Factory()); }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<store::Store> store_;
  CampaignSettings settings_;
  channels::ChannelSettings channels_;
  SendOptions options_;
  Script script_;
};

TEST_F(SenderTest, SendsADueEmailWithItsKeyAndSignedUnsubscribeLink) {
  ImportCustomers(1);
  Add({Message(1)});
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary summary, Send());
  EXPECT_EQ(summary.total.sent, 1);
  EXPECT_EQ(summary.by_channel[static_cast<int>(ChannelKind::kEmail)].sent, 1);
  ASSERT_EQ(script_.sent.size(), 1u);
  const OutboundMessage& out = script_.sent[0];
  EXPECT_EQ(out.key, "winback/first/c1/1");
  EXPECT_EQ(out.to, "c1@example.com");
  EXPECT_THAT(out.email_mime, HasSubstr("X-Winback-Key: winback/first/c1/1"));
  EXPECT_THAT(out.email_mime, HasSubstr("List-Unsubscribe: <https://shop.example/wb/u/"));
  EXPECT_THAT(out.email_mime, HasSubstr("@example.com>"));
  const OutboxMessage stored = ByKey("winback/first/c1/1");
  EXPECT_EQ(stored.status, MessageStatus::kSent);
  EXPECT_EQ(stored.attempts, 1);
  EXPECT_EQ(stored.sent_at, options_.now);
  // Nothing is due any more.
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary again, Send());
  EXPECT_EQ(again.total.total(), 0);
}

TEST_F(SenderTest, RecordsEveryOutcome) {
  ImportCustomers(4);
  Add({Message(1), Message(2), Message(3), Message(4)});
  script_.outcomes = {Outcome(DeliveryOutcome::kSent, "250 ok"),
                      Outcome(DeliveryOutcome::kRetry, "451 later"),
                      Outcome(DeliveryOutcome::kDead, "550 no such user"),
                      Outcome(DeliveryOutcome::kUnknown, "reset after DATA")};
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary summary, Send());
  EXPECT_EQ(summary.total.sent, 1);
  EXPECT_EQ(summary.total.retry, 1);
  EXPECT_EQ(summary.total.dead, 1);
  EXPECT_EQ(summary.total.unknown, 1);
  // Same scheduled_at: claimed in id order, which is c1..c4.
  EXPECT_EQ(ByKey("winback/first/c1/1").status, MessageStatus::kSent);
  const OutboxMessage retry = ByKey("winback/first/c2/1");
  EXPECT_EQ(retry.status, MessageStatus::kRetry);
  EXPECT_EQ(retry.detail, "451 later");
  EXPECT_EQ(retry.next_attempt_at, options_.now.PlusSeconds(1));  // 1 s x 2^0, jitter rounds.
  EXPECT_EQ(ByKey("winback/first/c3/1").status, MessageStatus::kDead);
  EXPECT_EQ(ByKey("winback/first/c4/1").status, MessageStatus::kUnknown);
  // unknown is never retried by itself; --retry-unknown requeues it.
  options_.now = options_.now.PlusSeconds(10);
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary later, Send());
  EXPECT_EQ(later.total.sent, 1);  // The retry.
  EXPECT_EQ(ByKey("winback/first/c4/1").status, MessageStatus::kUnknown);
  options_.retry_unknown = true;
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary requeued, Send());
  EXPECT_EQ(requeued.requeued_unknown, 1);
  EXPECT_EQ(requeued.total.sent, 1);
  EXPECT_EQ(ByKey("winback/first/c4/1").status, MessageStatus::kSent);
  EXPECT_EQ(ByKey("winback/first/c4/1").attempts, 2);
}

TEST(RetryDelayTest, DoublesWithJitterUpToAnHourAndRetryAfterWins) {
  EXPECT_EQ(RetryDelaySeconds(1, 1.0, std::nullopt), 1);
  EXPECT_EQ(RetryDelaySeconds(2, 1.0, std::nullopt), 2);
  EXPECT_EQ(RetryDelaySeconds(5, 1.0, std::nullopt), 16);
  EXPECT_EQ(RetryDelaySeconds(5, 0.75, std::nullopt), 12);
  EXPECT_EQ(RetryDelaySeconds(5, 1.25, std::nullopt), 20);
  EXPECT_EQ(RetryDelaySeconds(13, 1.0, std::nullopt), 3600);
  EXPECT_EQ(RetryDelaySeconds(60, 1.25, std::nullopt), 3600);
  EXPECT_EQ(RetryDelaySeconds(5, 1.0, 120), 120);  // Retry-After larger: it wins.
  EXPECT_EQ(RetryDelaySeconds(5, 1.0, 3), 16);     // Smaller: the backoff wins.
}

TEST_F(SenderTest, RetryAfterAndJitteredBackoff) {
  ImportCustomers(2);
  OutboxMessage a = Message(1);
  OutboxMessage b = Message(2);
  Add({a, b});
  script_.outcomes = {Outcome(DeliveryOutcome::kRetry, "429", std::chrono::seconds(120)),
                      Outcome(DeliveryOutcome::kRetry, "503")};
  ASSERT_THAT(Send(), IsOk());
  EXPECT_EQ(ByKey(a.key).next_attempt_at, options_.now.PlusSeconds(120));
  // Attempts 2..5 of b: each delay within +-25% of 2^(n-1).
  for (int attempt = 2; attempt <= 5; ++attempt) {
    const OutboxMessage before = ByKey(b.key);
    ASSERT_EQ(before.status, MessageStatus::kRetry);
    options_.now = *before.next_attempt_at;
    script_.outcomes = {Outcome(DeliveryOutcome::kRetry, "503")};
    WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
    EXPECT_EQ(s.total.retry, 1);
    const OutboxMessage after = ByKey(b.key);
    const double delay =
        static_cast<double>(after.next_attempt_at->unix_micros() - options_.now.unix_micros()) /
        1e6;
    const double base = static_cast<double>(1 << (attempt - 1));
    EXPECT_GE(delay, std::floor(base * 0.75)) << attempt;
    EXPECT_LE(delay, std::ceil(base * 1.25)) << attempt;
    EXPECT_EQ(after.attempts, attempt);
  }
}

TEST_F(SenderTest, MaxAttemptsMakesItDead) {
  ImportCustomers(1);
  Add({Message(1)});
  options_.max_attempts = 2;
  script_.outcomes = {Outcome(DeliveryOutcome::kRetry, "451"),
                      Outcome(DeliveryOutcome::kRetry, "451")};
  ASSERT_THAT(Send(), IsOk());
  EXPECT_EQ(All()[0].status, MessageStatus::kRetry);
  options_.now = options_.now.PlusSeconds(3600);
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(s.total.dead, 1);
  EXPECT_EQ(All()[0].status, MessageStatus::kDead);
  EXPECT_EQ(All()[0].attempts, 2);
  EXPECT_THAT(All()[0].detail, HasSubstr("gave up after 2 attempts"));
}

TEST_F(SenderTest, CancelsOnOrderUnsubscribeLetGoAndAGoneCampaign) {
  ImportCustomers(5, /*ordered=*/{1}, /*unsubscribed=*/{2});
  store::CustomerScore let_go;
  let_go.key = CustomerKey(3);
  let_go.let_go = "low_value";
  ASSERT_THAT(store_->WriteScores(Date::FromDays(DaysFromCivil(2024, 6, 30)),
                                  std::vector<store::CustomerScore>{let_go}),
              IsOk());
  OutboxMessage gone = Message(4, "old_campaign");
  OutboxMessage birthday_ordered = Message(1, "birthday");  // Birthdays do not exit on orders.
  OutboxMessage fine = Message(5);
  Add({Message(1), Message(2), Message(3), gone, birthday_ordered, fine});
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(s.total.cancelled, 4);
  EXPECT_EQ(s.total.sent, 2);
  EXPECT_THAT(ByKey("winback/first/c1/1").detail, HasSubstr("ordered at 2024-06-20"));
  EXPECT_EQ(ByKey("winback/first/c2/1").detail, "unsubscribed from email");
  EXPECT_EQ(ByKey("winback/first/c3/1").detail, "let go: low_value");
  EXPECT_THAT(ByKey(gone.key).detail, HasSubstr("no longer configured"));
  EXPECT_EQ(ByKey(birthday_ordered.key).status, MessageStatus::kSent);
  EXPECT_EQ(ByKey(fine.key).status, MessageStatus::kSent);
  for (const OutboundMessage& m : script_.sent) {
    EXPECT_TRUE(m.key == birthday_ordered.key || m.key == fine.key) << m.key;
  }
}

// The order must come after the journey began, not merely after the plan's day began: a
// journey entered after the customer's last order (a cart abandoned an hour after an order the
// same day) keeps its message; one entered before the order loses it.
TEST_F(SenderTest, AnOrderCancelsOnlyTheJourneysItFollows) {
  ImportCustomers(2, /*ordered=*/{1, 2});  // Both ordered at 2024-06-20T10:00Z.
  {
    auto write = store_->BeginWrite();
    ASSERT_THAT(write.status(), IsOk());
    for (int i = 1; i <= 2; ++i) {
      store::Journey j;
      j.customer = CustomerKey(i);
      j.campaign = "winback";
      j.occurrence = 1;
      j.entered_at = T(i == 1 ? "2024-06-20T11:00:00Z" : "2024-06-20T09:00:00Z");
      ASSERT_THAT((*write)->PutJourney(j), IsOk());
    }
    ASSERT_THAT((*write)->Commit(), IsOk());
  }
  Add({Message(1), Message(2)});  // Both planned_at 2024-06-01, before the order.
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(ByKey("winback/first/c1/1").status, MessageStatus::kSent);
  EXPECT_EQ(ByKey("winback/first/c2/1").status, MessageStatus::kCancelled);
  EXPECT_THAT(ByKey("winback/first/c2/1").detail, HasSubstr("ordered at 2024-06-20"));
  EXPECT_EQ(s.total.sent, 1);
  EXPECT_EQ(s.total.cancelled, 1);
}

TEST_F(SenderTest, CancelsAMessageOfAKindOptedOutOfSinceItWasPlanned) {
  ImportCustomers(2);
  // Customer 1 unticked offers in the preference centre after the messages were planned.
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(
        write->SetKindOptOut(CustomerKey(1), MessageKind::kOffers, T("2024-06-01T12:00:00Z")),
        IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  OutboxMessage offer = Message(1);                 // winback: offers.
  OutboxMessage greeting = Message(1, "birthday");  // occasions: still wanted.
  OutboxMessage other = Message(2);                 // Another customer's offer.
  Add({offer, greeting, other});
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(s.total.cancelled, 1);
  EXPECT_EQ(s.total.sent, 2);
  EXPECT_EQ(ByKey(offer.key).status, MessageStatus::kCancelled);
  EXPECT_EQ(ByKey(offer.key).detail, "preference: opted out of offers");
  EXPECT_EQ(ByKey(greeting.key).status, MessageStatus::kSent);
  EXPECT_EQ(ByKey(other.key).status, MessageStatus::kSent);
  for (const OutboundMessage& m : script_.sent) EXPECT_NE(m.key, offer.key);
}

TEST_F(SenderTest, DefersInsideQuietHoursToTheirEnd) {
  ImportCustomers(1);
  Add({Message(1)});
  options_.now = T("2024-07-01T20:00:00Z");  // 23:00 in Istanbul; quiet 21:00..09:00.
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(s.total.deferred, 1);
  EXPECT_TRUE(script_.sent.empty());
  const OutboxMessage m = All()[0];
  EXPECT_EQ(m.status, MessageStatus::kPlanned);
  EXPECT_EQ(m.scheduled_at, T("2024-07-02T06:00:00Z"));  // 09:00 Istanbul.
  EXPECT_EQ(m.attempts, 0);
  options_.now = T("2024-07-02T05:59:00Z");
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary early, Send());
  EXPECT_EQ(early.total.total(), 0);
  options_.now = T("2024-07-02T06:00:00Z");
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary due, Send());
  EXPECT_EQ(due.total.sent, 1);
}

TEST_F(SenderTest, RecoversAGoneSendersClaims) {
  ImportCustomers(3);
  Add({Message(1), Message(2), Message(3)});
  // A sender on this host whose process no longer exists.
  const std::string self = SenderOwner();
  const std::string host = self.substr(0, self.find(':'));
  const std::string dead = host + ":999999999:12345";
  ASSERT_TRUE(SenderIsGone(dead));
  EXPECT_FALSE(SenderIsGone(self));
  EXPECT_FALSE(SenderIsGone("another-host:1:1"));
  EXPECT_FALSE(SenderIsGone("not an owner"));
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<OutboxMessage> claimed,
      store_->ClaimDue(store::ClaimRequest{
          .owner = dead, .now = options_.now, .lease_seconds = 3600, .limit = 3}));
  ASSERT_EQ(claimed.size(), 3u);
  ASSERT_THAT(store_->MarkInFlight(claimed[0].id, dead, options_.now.PlusSeconds(3600)), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(s.recovered, 3);
  EXPECT_EQ(s.total.sent, 2);
  EXPECT_EQ(ByKey(claimed[0].key).status, MessageStatus::kUnknown);
  EXPECT_EQ(script_.times_by_key.count(claimed[0].key), 0u);
  EXPECT_EQ(ByKey(claimed[1].key).status, MessageStatus::kSent);
  EXPECT_EQ(ByKey(claimed[2].key).status, MessageStatus::kSent);
}

TEST_F(SenderTest, ALiveSendersClaimsAreLeftUntilTheirLeaseEnds) {
  ImportCustomers(1);
  Add({Message(1)});
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<OutboxMessage> claimed,
      store_->ClaimDue(store::ClaimRequest{
          .owner = SenderOwner(), .now = options_.now, .lease_seconds = 60, .limit = 1}));
  ASSERT_EQ(claimed.size(), 1u);
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(s.recovered, 0);
  EXPECT_EQ(s.total.total(), 0);
  options_.now = options_.now.PlusSeconds(61);
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary later, Send());
  EXPECT_EQ(later.recovered, 1);
  EXPECT_EQ(later.total.sent, 1);
}

TEST_F(SenderTest, TwoSendersAtOnceNeverDeliverAMessageTwice) {
  constexpr int kMessages = 200;
  ImportCustomers(kMessages);
  std::vector<OutboxMessage> messages;
  for (int i = 1; i <= kMessages; ++i) messages.push_back(Message(i));
  Add(messages);
  WINBACK_ASSERT_OK_AND_ASSIGN(auto other, store::OpenStore(path_));
  std::atomic<int> failures = 0;
  auto run = [&](store::Store* store, std::string owner) {
    SendOptions options = options_;
    options.owner = std::move(owner);
    options.batch = 7;
    Result<SendSummary> r = SendDue(*store, settings_, channels_, options, Factory());
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      ++failures;
    }
  };
  std::thread a(run, store_.get(), "sender-a");
  std::thread b(run, other.get(), "sender-b");
  a.join();
  b.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(script_.times_by_key.size(), static_cast<std::size_t>(kMessages));
  for (const auto& [key, times] : script_.times_by_key) EXPECT_EQ(times, 1) << key;
  for (const OutboxMessage& m : All()) EXPECT_EQ(m.status, MessageStatus::kSent) << m.key;
}

TEST_F(SenderTest, ALimitClaimsNoMore) {
  ImportCustomers(5);
  Add({Message(1), Message(2), Message(3), Message(4), Message(5)});
  options_.limit = 3;
  options_.batch = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(s.total.sent, 3);
}

TEST_F(SenderTest, SmsAndWhatsappFields) {
  ImportCustomers(2);
  OutboxMessage sms = Message(1, "winback", ChannelKind::kSms);
  sms.body_text = "Seni özledik: KOD10";
  OutboxMessage wa = Message(2, "winback", ChannelKind::kWhatsapp);
  wa.key = "winback/wa/c2/1";
  wa.body_text = R"({"template":"come_back","language":"tr","parameters":["Ayşe","KOD10"]})";
  OutboxMessage bad = Message(2, "winback", ChannelKind::kWhatsapp);
  bad.body_text = "not json";
  Add({sms, wa, bad});
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary s, Send());
  EXPECT_EQ(s.by_channel[static_cast<int>(ChannelKind::kSms)].sent, 1);
  EXPECT_EQ(s.by_channel[static_cast<int>(ChannelKind::kWhatsapp)].sent, 1);
  EXPECT_EQ(s.by_channel[static_cast<int>(ChannelKind::kWhatsapp)].dead, 1);
  for (const OutboundMessage& m : script_.sent) {
    if (m.kind == ChannelKind::kSms) {
      EXPECT_EQ(m.text, sms.body_text);
      EXPECT_EQ(m.to, sms.address);
    } else {
      EXPECT_EQ(m.whatsapp_template, "come_back");
      EXPECT_EQ(m.whatsapp_language, "tr");
      EXPECT_THAT(m.whatsapp_parameters, ::testing::ElementsAre("Ayşe", "KOD10"));
    }
  }
  EXPECT_THAT(ByKey(bad.key).detail, HasSubstr("not sent"));
  EXPECT_EQ(ByKey(bad.key).attempts, 1);
}

TEST_F(SenderTest, NoChannelForAKindIsAnErrorAndLeavesTheQueueAsItWas) {
  ImportCustomers(2);
  Add({Message(1), Message(2)});
  channels_.email.reset();
  EXPECT_THAT(Send(), StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("[channels.email]")));
  for (const OutboxMessage& m : All()) EXPECT_EQ(m.status, MessageStatus::kPlanned);
}

TEST_F(SenderTest, EmailWithoutSigningKeyIsAnError) {
  ImportCustomers(2);
  Add({Message(1), Message(2)});
  options_.signing_key.clear();
  EXPECT_THAT(Send(),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("WINBACK_SIGNING_KEY")));
  for (const OutboxMessage& m : All()) EXPECT_EQ(m.status, MessageStatus::kPlanned);
  EXPECT_TRUE(script_.sent.empty());
}

TEST_F(SenderTest, SignsEveryEmailWithDkimWhenConfigured) {
  ImportCustomers(3);
  Add({Message(1), Message(2), Message(3, "winback", ChannelKind::kSms)});
  channels_.email->dkim_domain = "example.com";
  channels_.email->dkim_selector = "winback2024";
  options_.dkim_private_key = NewRsaKeyPem();
  ASSERT_FALSE(options_.dkim_private_key.empty());
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary summary, Send());
  EXPECT_EQ(summary.total.sent, 3);
  ASSERT_EQ(script_.sent.size(), 3u);
  for (const OutboundMessage& m : script_.sent) {
    if (m.kind != ChannelKind::kEmail) {
      EXPECT_EQ(m.email_mime, "");
      continue;
    }
    EXPECT_THAT(m.email_mime,
                ::testing::StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
                                      "d=example.com;\r\n\ts=winback2024; t="));
    // The signed message is the one BuildEmail made, after the one header field.
    EXPECT_THAT(m.email_mime, HasSubstr("\r\nDate: "));
    EXPECT_THAT(m.email_mime, HasSubstr("\r\nX-Winback-Key: " + m.key + "\r\n"));
  }
}

TEST_F(SenderTest, TheFileChannelWritesTheSignedEmail) {
  ImportCustomers(1);
  Add({Message(1)});
  channels_.email->dkim_domain = "example.com";
  channels_.email->dkim_selector = "winback2024";
  options_.dkim_private_key = NewRsaKeyPem();
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary summary,
                               SendDue(*store_, settings_, channels_, options_, MakeChannel));
  EXPECT_EQ(summary.total.sent, 1);
  std::ifstream eml(dir_ / "out" / "winback__first__c1__1.eml", std::ios::binary);
  ASSERT_TRUE(eml.good());
  std::stringstream bytes;
  bytes << eml.rdbuf();
  EXPECT_THAT(bytes.str(), ::testing::StartsWith("DKIM-Signature: v=1; a=rsa-sha256; "));
}

TEST_F(SenderTest, DkimWithoutAUsableKeyIsAnErrorBeforeAnythingIsClaimed) {
  ImportCustomers(2);
  Add({Message(1), Message(2)});
  channels_.email->dkim_domain = "example.com";
  channels_.email->dkim_selector = "winback2024";
  // A claim whose lease ended an hour ago: a run that starts gives it back to the queue.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<OutboxMessage> claimed,
      store_->ClaimDue(store::ClaimRequest{.owner = "other-host:1:1",
                                           .now = options_.now.PlusSeconds(-3600),
                                           .lease_seconds = 1,
                                           .limit = 1}));
  ASSERT_EQ(claimed.size(), 1u);

  options_.dkim_private_key.clear();
  EXPECT_THAT(Send(), StatusIsWith(StatusCode::kFailedPrecondition,
                                   HasSubstr("set WINBACK_DKIM_PRIVATE_KEY")));
  const std::string pem = NewRsaKeyPem();
  options_.dkim_private_key = pem.substr(0, pem.size() / 2);
  Result<SendSummary> truncated = Send();
  EXPECT_THAT(truncated,
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("WINBACK_DKIM_PRIVATE_KEY")));
  EXPECT_THAT(truncated.status().message(), ::testing::Not(HasSubstr(pem.substr(40, 40))));
  // Nothing was recovered, claimed or handed over.
  EXPECT_TRUE(script_.sent.empty());
  EXPECT_EQ(ByKey(claimed[0].key).status, MessageStatus::kSending);
  for (const OutboxMessage& m : All()) {
    if (m.key != claimed[0].key) {
      EXPECT_EQ(m.status, MessageStatus::kPlanned);
    }
  }
  // Without dkim_domain the key is not needed.
  channels_.email->dkim_domain.clear();
  channels_.email->dkim_selector.clear();
  WINBACK_ASSERT_OK_AND_ASSIGN(SendSummary summary, Send());
  EXPECT_EQ(summary.recovered, 1);
  EXPECT_EQ(summary.total.sent, 2);
}

TEST_F(SenderTest, InvalidOptions) {
  options_.owner.clear();
  EXPECT_THAT(Send(), StatusIs(StatusCode::kInvalidArgument));
  options_.owner = "x";
  options_.max_attempts = 0;
  EXPECT_THAT(Send(), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::campaigns
