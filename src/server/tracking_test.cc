// Tests of the public handlers (tracking.h, preferences.h, inbound.h), called directly with
// Requests against a real SQLite store in memory.
#include "server/tracking.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/registry.h"
#include "core/hmac.h"
#include "messages/link_token.h"
#include "messages/tracking_links.h"
#include "server/inbound.h"
#include "server/preferences.h"
#include "store/open_store.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSigningKey[] = "0123456789abcdef0123456789abcdef-tracking";
constexpr char kBase[] = "https://shop.example/wb";
constexpr char kTwilioToken[] = "twilio-auth-token-for-tests";
constexpr char kAppSecret[] = "whatsapp-app-secret-for-tests";
constexpr char kVerifyToken[] = "verify-me";
constexpr char kEmailKey[] = "winback/come_back/c1/1";
constexpr char kSmsKey[] = "winback/incentive/c1/1";
constexpr char kWhatsappKey[] = "winback/come_back/c2/1";

Instant At(const char* text) { return ParseTimestamp(text)->instant; }

class TrackingTest : public testing::Test {
 protected:
  void SetUp() override {
    WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> store, store::OpenStore(":memory:"));
    {
      WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store->BeginImport("test"));
      store::CustomerRecord c1;
      c1.id = "c1";
      c1.email = "c1@example.com";
      c1.phone = "+905551234567";
      c1.first_name = "<script>alert(1)</script>";
      c1.language = "tr";
      c1.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kGranted;
      c1.consent[static_cast<int>(ChannelKind::kSms)] = Consent::kGranted;
      ASSERT_THAT(session->UpsertCustomer(c1).status(), IsOk());
      store::CustomerRecord c2;
      c2.id = "c2";
      c2.phone = "+989121234567";
      c2.first_name = "Sara";
      c2.language = "fa";
      c2.consent[static_cast<int>(ChannelKind::kWhatsapp)] = Consent::kGranted;
      ASSERT_THAT(session->UpsertCustomer(c2).status(), IsOk());
      ASSERT_THAT(session->Commit().status(), IsOk());
    }
    {
      WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store->BeginWrite());
      store::OutboxMessage email = Message(kEmailKey, 1, ChannelKind::kEmail);
      email.body_html =
          "<html><body><a href=\"https://shop.example/p/tea?a=1&amp;b=2\">tea</a>"
          "<a href='https://shop.example/yeni&#xFC;r\xC3\xBCn'>new</a>"
          "<a href=\"https://shop.example/wb/u/x\">unsubscribe</a></body></html>";
      store::OutboxMessage sms = Message(kSmsKey, 1, ChannelKind::kSms);
      sms.provider_id = "SM0001";
      store::OutboxMessage wa = Message(kWhatsappKey, 2, ChannelKind::kWhatsapp);
      wa.provider_id = "wamid.ABC";
      for (store::OutboxMessage* m : {&email, &sms, &wa}) {
        ASSERT_THAT(write->AddMessage(*m).status(), IsOk());
      }
      ASSERT_THAT(write->Commit(), IsOk());
    }
    raw_ = store.get();
    context_.store = std::make_shared<SharedStore>(std::move(store));
    context_.signing_key = kSigningKey;
    context_.base_url = kBase;
    context_.shop_name = "Çay & Co <b>";
    context_.kinds = {MessageKind::kOffers, MessageKind::kOccasions};
    context_.clock = [] { return At("2024-07-02T10:00:00Z"); };
    context_.secrets = {kTwilioToken, kAppSecret, kVerifyToken};
    context_.inbound.stop_reply = "You are unsubscribed.";
    context_.inbound.stop_whatsapp_template = "stop_confirmation";
    context_.inbound.replies = {
        {"hours", {"hours", "saat", "ساعت"}, "We are open 9-18 & on Sundays.", "opening_hours"},
        {"return", {"return policy"}, "30 days.", ""}};
    context_.send_whatsapp = [this](const WhatsappReply& reply) {
      sent_whatsapp_.push_back(reply);
      return Status::Ok();
    };
    AddTrackingRoutes(router_, context_);
  }

  static store::OutboxMessage Message(const std::string& key, std::int64_t customer,
                                      ChannelKind channel) {
    store::OutboxMessage m;
    m.key = key;
    m.customer = CustomerKey(customer);
    m.campaign = "winback";
    m.step = key.substr(8, key.find('/', 8) - 8);
    m.channel = channel;
    m.status = store::MessageStatus::kSent;
    m.planned_at = At("2024-07-01T00:00:00Z");
    m.scheduled_at = At("2024-07-01T09:00:00Z");
    m.sent_at = At("2024-07-01T09:00:01Z");
    m.attempts = 1;
    m.address = channel == ChannelKind::kEmail ? "c1@example.com" : "+905551234567";
    m.body_text = "hi";
    return m;
  }

  // Runs the request through the router, as the server does.
  Response Call(std::string method, std::string path, std::string body = "",
                std::vector<std::pair<std::string, std::string>> headers = {},
                std::vector<std::pair<std::string, std::string>> query = {}) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.query = std::move(query);
    Router::Match match = router_.Find(r.method, r.path);
    if (match.route == nullptr) return Response::Error(404, "not_found", "no route");
    EXPECT_EQ(match.route->access, Access::kPublic);
    r.params = match.params;
    return match.route->handler(r);
  }

  std::vector<store::EventRecord> Events(const char* customer) {
    auto profile = raw_->LoadCustomer(customer);
    EXPECT_THAT(profile.status(), IsOk());
    auto events = raw_->LoadEvents(profile->key);
    EXPECT_THAT(events.status(), IsOk());
    return *events;
  }

  store::CustomerProfile Profile(const char* customer) {
    auto profile = raw_->LoadCustomer(customer);
    EXPECT_THAT(profile.status(), IsOk());
    return *profile;
  }

  store::OutboxMessage Stored(const char* key) {
    auto m = raw_->LoadMessage(key);
    EXPECT_THAT(m.status(), IsOk());
    return *m;
  }

  static std::string Token(std::string_view payload) {
    return messages::SignToken(kSigningKey, payload);
  }

  static const std::string* Header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return &v;
    }
    return nullptr;
  }

  TrackingContext context_;
  store::Store* raw_ = nullptr;
  Router router_;
  std::vector<WhatsappReply> sent_whatsapp_;
};

// Bad tokens of every kind, on every token route.
std::vector<std::string> BadTokens(const std::string& good) {
  std::string flipped = good;
  flipped[flipped.size() / 3] = flipped[flipped.size() / 3] == 'A' ? 'B' : 'A';
  std::string tag_flipped = good;
  tag_flipped.back() = tag_flipped.back() == 'A' ? 'Q' : 'A';
  return {flipped,
          tag_flipped,
          good.substr(0, good.size() - 1),
          good.substr(0, good.find('.')),
          good + "A",
          messages::SignToken("another-key-another-key-another-key!", kEmailKey),
          messages::SignToken(kSigningKey, "winback/come_back/nobody/1"),
          "not-a-token"};
}

TEST_F(TrackingTest, EveryPublicRouteIsRegisteredAsPublic) {
  for (const Router::Route& route : router_.routes()) {
    EXPECT_EQ(route.access, Access::kPublic) << route.method << " " << route.pattern;
  }
  EXPECT_EQ(router_.routes().size(), 9u);
}

TEST_F(TrackingTest, OpenPixelRecordsOneOpenHoweverOftenItLoads) {
  const std::string path = "/o/" + Token(messages::OpenPayload(kEmailKey));
  for (int i = 0; i < 3; ++i) {
    Response r = Call("GET", path);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "image/gif");
    EXPECT_EQ(r.body.substr(0, 6), "GIF89a");
    EXPECT_EQ(r.body.size(), 43u);
  }
  int opens = 0;
  for (const store::EventRecord& e : Events("c1")) {
    if (e.type == EventType::kEmailOpen) {
      ++opens;
      EXPECT_EQ(e.ref, kEmailKey);
      EXPECT_EQ(e.channel, "email");
      EXPECT_EQ(e.at, At("2024-07-02T10:00:00Z"));
    }
  }
  EXPECT_EQ(opens, 1);
  EXPECT_EQ(Profile("c1").aggregates.last_engagement_at[0], At("2024-07-02T10:00:00Z"));
}

TEST_F(TrackingTest, BadTokensAre404EverywhereAndChangeNothing) {
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/o/" + Token(messages::OpenPayload(kEmailKey))},
      {"GET", "/c/" + Token(messages::ClickPayload(kEmailKey, 0))},
      {"POST", "/u/" + Token(kEmailKey)},
      {"GET", "/u/" + Token(kEmailKey)},
      {"GET", "/p/" + Token(kEmailKey)},
      {"POST", "/p/" + Token(kEmailKey)}};
  for (const auto& [method, good_path] : routes) {
    const std::string prefix = good_path.substr(0, 3);
    const std::string good = good_path.substr(3);
    for (const std::string& bad : BadTokens(good)) {
      Response r = Call(method, prefix + bad, "List-Unsubscribe=One-Click");
      EXPECT_EQ(r.status, 404) << method << " " << prefix << bad;
      EXPECT_EQ(r.body, TokenNotFound().body);
    }
  }
  // A token of one kind on another kind's path.
  EXPECT_EQ(Call("GET", "/o/" + Token(kEmailKey)).status, 404);
  EXPECT_EQ(Call("GET", "/c/" + Token(messages::OpenPayload(kEmailKey))).status, 404);
  EXPECT_EQ(
      Call("POST", "/u/" + Token(messages::OpenPayload(kEmailKey)), "List-Unsubscribe=One-Click")
          .status,
      404);
  EXPECT_EQ(Events("c1").size(), 0u);
  EXPECT_EQ(Profile("c1").record.consent[0], Consent::kGranted);
  // No signing key configured: every token is unknown.
  context_.signing_key.clear();
  EXPECT_EQ(HandleOpen(context_,
                       [] {
                         Request r;
                         r.params["token"] = Token(messages::OpenPayload(kEmailKey));
                         return r;
                       }())
                .status,
            404);
}

TEST_F(TrackingTest, ClickRedirectsOnlyToTheRecordedUrl) {
  Response r = Call("GET", "/c/" + Token(messages::ClickPayload(kEmailKey, 0)), "", {},
                    {{"url", "https://evil.example/"}, {"next", "//evil.example"}});
  EXPECT_EQ(r.status, 302);
  ASSERT_NE(Header(r, "Location"), nullptr);
  EXPECT_EQ(*Header(r, "Location"), "https://shop.example/p/tea?a=1&b=2");
  Response second = Call("GET", "/c/" + Token(messages::ClickPayload(kEmailKey, 1)));
  EXPECT_EQ(*Header(second, "Location"), "https://shop.example/yeni%C3%BCr%C3%BCn");
  // The third link is winback's own unsubscribe link, which is not tracked: index 2 is none.
  EXPECT_EQ(Call("GET", "/c/" + Token(messages::ClickPayload(kEmailKey, 2))).status, 404);
  // An SMS has no HTML, hence no tracked link.
  EXPECT_EQ(Call("GET", "/c/" + Token(messages::ClickPayload(kSmsKey, 0))).status, 404);
  // Clicked twice: one event per link.
  Call("GET", "/c/" + Token(messages::ClickPayload(kEmailKey, 0)));
  int clicks = 0;
  for (const store::EventRecord& e : Events("c1")) {
    if (e.type != EventType::kEmailClick) continue;
    ++clicks;
    EXPECT_EQ(e.ref, kEmailKey);
  }
  EXPECT_EQ(clicks, 2);
}

TEST_F(TrackingTest, OneClickUnsubscribeCommitsBeforeAnswering200WithoutRedirect) {
  Response r = Call("POST", "/u/" + Token(kEmailKey), "List-Unsubscribe=One-Click",
                    {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Header(r, "Location"), nullptr);
  const store::CustomerProfile p = Profile("c1");
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kEmail)], Consent::kDenied);
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kSms)], Consent::kGranted);
  EXPECT_EQ(p.aggregates.unsubscribed_channels, 1u << static_cast<int>(ChannelKind::kEmail));
  std::vector<store::EventRecord> events = Events("c1");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kUnsubscribe);
  EXPECT_EQ(events[0].channel, "email");
  EXPECT_EQ(events[0].ref, kEmailKey);
  // Twice is harmless.
  EXPECT_EQ(Call("POST", "/u/" + Token(kEmailKey), "List-Unsubscribe=One-Click").status, 200);
  EXPECT_EQ(Events("c1").size(), 1u);
}

TEST_F(TrackingTest, OneClickNeedsTheRfc8058Body) {
  for (const char* body : {"", "List-Unsubscribe=Yes", "one-click", "%zz"}) {
    Response r = Call("POST", "/u/" + Token(kEmailKey), body);
    EXPECT_EQ(r.status, 400) << body;
  }
  EXPECT_EQ(Profile("c1").record.consent[0], Consent::kGranted);
  // multipart/form-data, as some mailbox providers send it.
  Response r = Call("POST", "/u/" + Token(kEmailKey),
                    "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                    "One-Click\r\n--b--\r\n",
                    {{"content-type", "multipart/form-data; boundary=b"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Profile("c1").record.consent[0], Consent::kDenied);
}

// ---- Preference centre ----

TEST_F(TrackingTest, PreferencePageEscapesCustomerDataAndLoadsNothingFromElsewhere) {
  const std::string token = Token(kEmailKey);
  for (const char* prefix : {"/u/", "/p/"}) {
    Response r = Call("GET", prefix + token);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_THAT(r.body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
    EXPECT_THAT(r.body, Not(HasSubstr("<script")));
    EXPECT_THAT(r.body, HasSubstr("Çay &amp; Co &lt;b&gt;"));
    EXPECT_THAT(r.body, HasSubstr("name=\"csrf\" value=\"" + CsrfToken(kSigningKey, token)));
    EXPECT_THAT(r.body, HasSubstr("action=\"https://shop.example/wb/p/" + token + "\""));
    EXPECT_THAT(r.body, HasSubstr("name=\"channel_email\" checked"));
    EXPECT_THAT(r.body, HasSubstr("name=\"channel_sms\" checked"));
    EXPECT_THAT(r.body, Not(HasSubstr("channel_whatsapp\" checked")));
    EXPECT_THAT(r.body, HasSubstr("Do you want to stay on our list?"));
    EXPECT_THAT(r.body, Not(HasSubstr(" src=")));
    EXPECT_THAT(r.body, Not(HasSubstr("<link")));
    ASSERT_NE(Header(r, "Content-Security-Policy"), nullptr);
    EXPECT_THAT(*Header(r, "Content-Security-Policy"), HasSubstr("default-src 'none'"));
    EXPECT_EQ(*Header(r, "X-Frame-Options"), "DENY");
  }
}

TEST_F(TrackingTest, PreferenceFormNeedsTheCsrfTokenOfThisLink) {
  const std::string token = Token(kEmailKey);
  const std::string other = Token(kSmsKey);
  for (const std::string& body : std::vector<std::string>{
           "stay=no", "csrf=&stay=no", "csrf=" + CsrfToken(kSigningKey, other) + "&stay=no",
           "csrf=" + CsrfToken("another-key-another-key-another-key", token) + "&stay=no",
           "csrf=" + CsrfToken(kSigningKey, token).substr(1) + "&stay=no"}) {
    Response r = Call("POST", "/p/" + token, body);
    EXPECT_EQ(r.status, 403) << body;
  }
  EXPECT_EQ(Profile("c1").record.consent[0], Consent::kGranted);
  EXPECT_EQ(Events("c1").size(), 0u);
  const std::string csrf = "csrf=" + CsrfToken(kSigningKey, token);
  EXPECT_EQ(Call("POST", "/p/" + token, csrf + "&stay=maybe").status, 400);
  EXPECT_EQ(Call("POST", "/p/" + token, csrf + "&stay=%G0").status, 400);
}

TEST_F(TrackingTest, PreferenceFormTurnsChannelsOffAndStayNoLeavesEveryList) {
  const std::string token = Token(kEmailKey);
  const std::string csrf = "csrf=" + CsrfToken(kSigningKey, token);
  Response r = Call("POST", "/p/" + token, csrf + "&stay=yes&channel_email=on");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Saved: SMS off."));
  store::CustomerProfile p = Profile("c1");
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kEmail)], Consent::kGranted);
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kSms)], Consent::kDenied);
  EXPECT_THAT(r.body, HasSubstr("SMS: unsubscribed"));
  r = Call("POST", "/p/" + token, csrf + "&stay=no&channel_email=on");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("you are off every list"));
  p = Profile("c1");
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kEmail)], Consent::kDenied);
  EXPECT_EQ(p.aggregates.unsubscribed_channels, 3u);
}

std::vector<store::KindOptOut> OptOuts(store::Store& store, CustomerKey key) {
  Result<std::vector<store::KindOptOut>> o = store.LoadKindOptOuts(key);
  EXPECT_THAT(o.status(), IsOk());
  return o.ok() ? *o : std::vector<store::KindOptOut>();
}

TEST_F(TrackingTest, PreferencePageListsTheKindsOfMessageInUseTicked) {
  const std::string token = Token(kEmailKey);
  Response r = Call("GET", "/p/" + token);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("name=\"kind_shown\" value=\"offers\""));
  EXPECT_THAT(r.body, HasSubstr("name=\"kind_offers\" checked> Offers and discounts"));
  EXPECT_THAT(r.body, HasSubstr("name=\"kind_shown\" value=\"occasions\""));
  EXPECT_THAT(r.body, HasSubstr("name=\"kind_occasions\" checked>"));
  // No configured campaign sends the others.
  for (const char* kind : {"reminders", "service", "news"}) {
    EXPECT_THAT(r.body, Not(HasSubstr(std::string("kind_") + kind))) << kind;
  }
}

TEST_F(TrackingTest, PreferenceFormOptsOutOfAKindAndBackInKeepingTheChannels) {
  const std::string token = Token(kEmailKey);
  const std::string form = "csrf=" + CsrfToken(kSigningKey, token) +
                           "&stay=yes&channel_email=on&channel_sms=on"
                           "&kind_shown=offers&kind_shown=occasions";
  Response r = Call("POST", "/p/" + token, form + "&kind_occasions=on");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Saved: Offers off."));
  EXPECT_THAT(r.body, HasSubstr("name=\"kind_offers\"> Offers"));  // Unticked now.
  EXPECT_THAT(r.body, HasSubstr("name=\"kind_occasions\" checked>"));
  const Instant first = At("2024-07-02T10:00:00Z");  // The context's clock.
  EXPECT_EQ(OptOuts(*raw_, CustomerKey(1)),
            (std::vector<store::KindOptOut>{{CustomerKey(1), MessageKind::kOffers, first}}));
  store::CustomerProfile p = Profile("c1");
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kEmail)], Consent::kGranted);
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kSms)], Consent::kGranted);
  EXPECT_EQ(p.aggregates.unsubscribed_channels, 0u);
  EXPECT_EQ(Events("c1").size(), 0u);  // A kind is not an unsubscribe.

  // The same form again changes nothing and keeps the first time.
  r = Call("POST", "/p/" + token, form + "&kind_occasions=on");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Saved."));
  EXPECT_THAT(r.body, Not(HasSubstr("Offers off")));
  EXPECT_EQ(OptOuts(*raw_, CustomerKey(1)).size(), 1u);

  // A form that did not show kinds (an older page) leaves them as they are.
  r = Call("POST", "/p/" + token,
           "csrf=" + CsrfToken(kSigningKey, token) + "&stay=yes&channel_email=on&channel_sms=on");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(OptOuts(*raw_, CustomerKey(1)).size(), 1u);

  // Ticked again: back in.
  r = Call("POST", "/p/" + token, form + "&kind_offers=on&kind_occasions=on");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Saved: Offers on."));
  EXPECT_TRUE(OptOuts(*raw_, CustomerKey(1)).empty());
}

TEST_F(TrackingTest, PreferenceFormRefusesUnknownKindsAndForgedTokensWithoutWriting) {
  const std::string token = Token(kEmailKey);
  const std::string csrf = "csrf=" + CsrfToken(kSigningKey, token);
  for (const char* bad :
       {"kind_shown=ofers", "kind_shown=", "kind_shown=Offers", "kind_shown=offers%00"}) {
    Response r = Call("POST", "/p/" + token, csrf + "&stay=yes&" + bad);
    EXPECT_EQ(r.status, 400) << bad;
  }
  Response r =
      Call("POST", "/p/" + token,
           "csrf=" + CsrfToken(kSigningKey, Token(kSmsKey)) + "&stay=yes&kind_shown=offers");
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(OptOuts(*raw_, CustomerKey(1)).empty());
}

TEST_F(TrackingTest, PreferencePageShowsAKindOptedOutOfThatNoCampaignSendsAnyMore) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, raw_->BeginWrite());
    ASSERT_THAT(
        write->SetKindOptOut(CustomerKey(1), MessageKind::kNews, At("2024-06-01T00:00:00Z")),
        IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  const std::string token = Token(kEmailKey);
  Response r = Call("GET", "/p/" + token);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("name=\"kind_news\"> News"));
  r = Call("POST", "/p/" + token,
           "csrf=" + CsrfToken(kSigningKey, token) +
               "&stay=yes&channel_email=on&channel_sms=on&kind_shown=news&kind_news=on");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Saved: News on."));
  EXPECT_TRUE(OptOuts(*raw_, CustomerKey(1)).empty());
}

TEST_F(TrackingTest, StayNoLeavesEveryChannelAndKeepsTheKinds) {
  const std::string token = Token(kEmailKey);
  Response r = Call("POST", "/p/" + token,
                    "csrf=" + CsrfToken(kSigningKey, token) +
                        "&stay=no&channel_email=on&kind_shown=offers&kind_shown=occasions");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("you are off every list"));
  EXPECT_EQ(Profile("c1").aggregates.unsubscribed_channels, 3u);
  EXPECT_TRUE(OptOuts(*raw_, CustomerKey(1)).empty());
}

// ---- Inbound: words ----

TEST(StopWordTest, EnglishTurkishAndPersianInAnyCase) {
  for (const char* text :
       {"STOP", "stop", " Stop! ", "UNSUBSCRIBE", "İPTAL", "iptal", "IPTAL", "ıptal", "İptal.",
        "i\xCC\x87ptal", "DUR", "dur", "لغو", "توقف", "لـغو", "توقف!",
        "\xE2\x80\x8F"
        "لغو"}) {
    EXPECT_TRUE(IsStopWord(text)) << text;
  }
  for (const char* text :
       {"", "don't stop", "stopp", "please stop now", "iptal et", "durum", "لغو شد", "hours"}) {
    EXPECT_FALSE(IsStopWord(text)) << text;
  }
  EXPECT_EQ(FoldForMatch("  ŞEKER  ÇAY, IĞDIR?! "), "şeker çay iğdir");
  EXPECT_EQ(FoldForMatch("كيك"), "کیک");
}

TEST(AutoReplyTest, MatchesWholeWordsFirstReplyWins) {
  const std::vector<AutoReply> replies = {{"hours", {"hours", "saat"}, "9-18", ""},
                                          {"return", {"return policy"}, "30 days", ""}};
  EXPECT_EQ(MatchAutoReply(replies, "What are your HOURS?"), 0);
  EXPECT_EQ(MatchAutoReply(replies, "SAAT kaçta açıksınız"), 0);
  EXPECT_EQ(MatchAutoReply(replies, "your Return  Policy, and hours"), 0);
  EXPECT_EQ(MatchAutoReply(replies, "return policy?"), 1);
  EXPECT_EQ(MatchAutoReply(replies, "hoursly"), -1);
  EXPECT_EQ(MatchAutoReply(replies, "returns"), -1);
}

// ---- Inbound: Twilio ----

class TwilioTest : public TrackingTest {
 protected:
  Response Post(std::vector<std::pair<std::string, std::string>> params,
                const char* token = kTwilioToken) {
    std::string body;
    for (const auto& [k, v] : params) {
      if (!body.empty()) body += "&";
      body += Encode(k) + "=" + Encode(v);
    }
    const std::string signature =
        TwilioSignature(token, std::string(kBase) + "/v1/inbound/twilio", params);
    return Call("POST", "/v1/inbound/twilio", body, {{"x-twilio-signature", signature}});
  }
  static std::string Encode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
      const auto b = static_cast<unsigned char>(c);
      if (std::isalnum(b) != 0) {
        out.push_back(c);
      } else {
        out += '%';
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
    }
    return out;
  }
};

TEST_F(TwilioTest, SignatureFollowsTwiliosDocumentedExample) {
  EXPECT_EQ(TwilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                            {{"To", "+18005551212"},
                             {"From", "+12349013030"},
                             {"Digits", "1234"},
                             {"Caller", "+12349013030"},
                             {"CallSid", "CA1234567890ABCDE"}}),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
}

TEST_F(TwilioTest, StopUnsubscribesSmsAndIsConfirmedOnce) {
  Response r = Post({{"MessageSid", "SMa1"}, {"From", "+905551234567"}, {"Body", "İptal"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("<Response><Message>You are unsubscribed.</Message></Response>"));
  store::CustomerProfile p = Profile("c1");
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kSms)], Consent::kDenied);
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kEmail)], Consent::kGranted);
  EXPECT_EQ(p.aggregates.unsubscribed_channels, 1u << static_cast<int>(ChannelKind::kSms));
  // A second STOP (a new message) and a retried webhook (the same sid) get no reply.
  r = Post({{"MessageSid", "SMa2"}, {"From", "+905551234567"}, {"Body", "STOP"}});
  EXPECT_THAT(r.body, HasSubstr("<Response></Response>"));
  r = Post({{"MessageSid", "SMa1"}, {"From", "+905551234567"}, {"Body", "İptal"}});
  EXPECT_THAT(r.body, HasSubstr("<Response></Response>"));
}

TEST_F(TwilioTest, KeywordRepliesAndUnmatchedMessagesGoOnTheTimeline) {
  Response r = Post({{"MessageSid", "SMb1"}, {"From", "+905551234567"}, {"Body", "Saat kaçta?"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<Message>We are open 9-18 &amp; on Sundays.</Message>"));
  r = Post({{"MessageSid", "SMb2"}, {"From", "+905551234567"}, {"Body", "My tea was cold"}});
  EXPECT_THAT(r.body, HasSubstr("<Response></Response>"));
  std::vector<store::EventRecord> events = Events("c1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kSmsReply);
  EXPECT_EQ(events[0].text, "Saat kaçta?");
  EXPECT_EQ(events[0].properties, "{\"auto_reply\":\"hours\"}");
  EXPECT_EQ(events[1].text, "My tea was cold");
  EXPECT_EQ(events[1].properties, "{\"needs_answer\":true}");
  // An unknown sender is acknowledged and ignored.
  r = Post({{"MessageSid", "SMb3"}, {"From", "+15550001111"}, {"Body", "STOP"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<Response></Response>"));
}

TEST_F(TwilioTest, WrongOrMissingSignatureIs403AndChangesNothing) {
  const std::string body = "MessageSid=SMc1&From=%2B905551234567&Body=STOP";
  EXPECT_EQ(Call("POST", "/v1/inbound/twilio", body).status, 403);
  EXPECT_EQ(Call("POST", "/v1/inbound/twilio", body, {{"x-twilio-signature", "AAAA"}}).status, 403);
  EXPECT_EQ(
      Post({{"MessageSid", "SMc1"}, {"From", "+905551234567"}, {"Body", "STOP"}}, "another-token")
          .status,
      403);
  // Signed for other parameters than the ones posted.
  const std::string signature =
      TwilioSignature(kTwilioToken, std::string(kBase) + "/v1/inbound/twilio",
                      {{"Body", "hello"}, {"From", "+905551234567"}, {"MessageSid", "SMc1"}});
  EXPECT_EQ(Call("POST", "/v1/inbound/twilio", body, {{"x-twilio-signature", signature}}).status,
            403);
  EXPECT_EQ(Profile("c1").record.consent[static_cast<int>(ChannelKind::kSms)], Consent::kGranted);
  // Malformed form; missing fields; no auth token configured.
  EXPECT_EQ(Call("POST", "/v1/inbound/twilio", "Body=%ZZ", {{"x-twilio-signature", "x"}}).status,
            400);
  EXPECT_EQ(Post({{"From", "+905551234567"}, {"Body", "hi"}}).status, 400);
  EXPECT_EQ(Post({{"MessageSid", "SMc2"}, {"Body", "hi"}}).status, 400);
  context_.secrets.twilio_auth_token.clear();
  Request request;
  request.body = body;
  EXPECT_EQ(HandleTwilioInbound(context_, request).status, 503);
}

TEST_F(TwilioTest, StatusCallbacksUpdateTheOutbox) {
  EXPECT_EQ(Post({{"MessageSid", "SM0001"}, {"MessageStatus", "sent"}}).status, 200);
  EXPECT_EQ(Stored(kSmsKey).status, store::MessageStatus::kSent);
  EXPECT_EQ(Post({{"MessageSid", "SM0001"}, {"MessageStatus", "delivered"}}).status, 200);
  EXPECT_EQ(Stored(kSmsKey).status, store::MessageStatus::kSent);
  EXPECT_EQ(Stored(kSmsKey).detail, "delivered");
  EXPECT_EQ(
      Post({{"MessageSid", "SM0001"}, {"MessageStatus", "undelivered"}, {"ErrorCode", "30003"}})
          .status,
      200);
  EXPECT_EQ(Stored(kSmsKey).status, store::MessageStatus::kDead);
  EXPECT_EQ(Stored(kSmsKey).detail, "undelivered: 30003");
  // A sid winback never sent is acknowledged.
  EXPECT_EQ(Post({{"MessageSid", "SM9999"}, {"MessageStatus", "failed"}}).status, 200);
}

// ---- Inbound: WhatsApp ----

class WhatsappTest : public TrackingTest {
 protected:
  Response Post(const std::string& body, const char* secret = kAppSecret) {
    return Call("POST", "/v1/inbound/whatsapp", body,
                {{"x-hub-signature-256", "sha256=" + HmacSha256Hex(secret, body)}});
  }
  static std::string Webhook(const nlohmann::json& value) {
    return nlohmann::json(
               {{"object", "whatsapp_business_account"},
                {"entry",
                 {{{"id", "123"}, {"changes", {{{"field", "messages"}, {"value", value}}}}}}}})
        .dump();
  }
  static nlohmann::json Text(const char* id, const char* text) {
    return {{"messaging_product", "whatsapp"},
            {"contacts", {{{"wa_id", "989121234567"}, {"profile", {{"name", "Sara"}}}}}},
            {"messages",
             {{{"from", "989121234567"},
               {"id", id},
               {"timestamp", "1720000000"},
               {"type", "text"},
               {"text", {{"body", text}}}}}}};
  }
};

TEST_F(WhatsappTest, VerificationHandshake) {
  Response r = Call("GET", "/v1/inbound/whatsapp", "", {},
                    {{"hub.mode", "subscribe"},
                     {"hub.verify_token", kVerifyToken},
                     {"hub.challenge", "1158201444"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "1158201444");
  EXPECT_EQ(Call("GET", "/v1/inbound/whatsapp", "", {},
                 {{"hub.mode", "subscribe"}, {"hub.verify_token", "wrong"}, {"hub.challenge", "1"}})
                .status,
            403);
  EXPECT_EQ(
      Call(
          "GET", "/v1/inbound/whatsapp", "", {},
          {{"hub.mode", "unsubscribe"}, {"hub.verify_token", kVerifyToken}, {"hub.challenge", "1"}})
          .status,
      403);
  EXPECT_EQ(Call("GET", "/v1/inbound/whatsapp").status, 403);
}

TEST_F(WhatsappTest, PersianStopUnsubscribesWhatsappAndIsConfirmedOnce) {
  ASSERT_EQ(Post(Webhook(Text("wamid.in1", "لغو"))).status, 200);
  store::CustomerProfile p = Profile("c2");
  EXPECT_EQ(p.record.consent[static_cast<int>(ChannelKind::kWhatsapp)], Consent::kDenied);
  ASSERT_EQ(sent_whatsapp_.size(), 1u);
  EXPECT_EQ(sent_whatsapp_[0].to, "+989121234567");
  EXPECT_EQ(sent_whatsapp_[0].template_name, "stop_confirmation");
  EXPECT_EQ(sent_whatsapp_[0].language, "fa");
  ASSERT_EQ(Post(Webhook(Text("wamid.in2", "توقف"))).status, 200);
  EXPECT_EQ(sent_whatsapp_.size(), 1u);
}

TEST_F(WhatsappTest, KeywordReplyGoesThroughTheAdapterWithItsTemplate) {
  ASSERT_EQ(Post(Webhook(Text("wamid.in3", "ساعت کاری؟"))).status, 200);
  ASSERT_EQ(sent_whatsapp_.size(), 1u);
  EXPECT_EQ(sent_whatsapp_[0].template_name, "opening_hours");
  EXPECT_EQ(sent_whatsapp_[0].key, "inbound-reply:wamid.in3");
  // "return policy" has no WhatsApp template: a person answers.
  ASSERT_EQ(Post(Webhook(Text("wamid.in4", "return policy"))).status, 200);
  EXPECT_EQ(sent_whatsapp_.size(), 1u);
  std::vector<store::EventRecord> events = Events("c2");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kWhatsappReply);
  EXPECT_EQ(events[0].properties, "{\"auto_reply\":\"hours\"}");
  EXPECT_EQ(events[1].properties, "{\"needs_answer\":true}");
}

TEST_F(WhatsappTest, StatusesUpdateTheOutboxAndReadsBecomeEvents) {
  auto statuses = [](const char* status) {
    nlohmann::json s = {{"id", "wamid.ABC"},
                        {"status", status},
                        {"timestamp", "1720000000"},
                        {"recipient_id", "989121234567"}};
    if (std::string(status) == "failed") {
      s["errors"] = {{{"code", 131026}, {"title", "Message undeliverable"}}};
    }
    return Webhook({{"messaging_product", "whatsapp"}, {"statuses", {s}}});
  };
  ASSERT_EQ(Post(statuses("delivered")).status, 200);
  EXPECT_EQ(Stored(kWhatsappKey).detail, "delivered");
  ASSERT_EQ(Post(statuses("read")).status, 200);
  ASSERT_EQ(Post(statuses("read")).status, 200);
  std::vector<store::EventRecord> events = Events("c2");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kWhatsappRead);
  EXPECT_EQ(events[0].ref, kWhatsappKey);
  ASSERT_EQ(Post(statuses("failed")).status, 200);
  EXPECT_EQ(Stored(kWhatsappKey).status, store::MessageStatus::kDead);
  EXPECT_EQ(Stored(kWhatsappKey).detail, "failed: 131026 Message undeliverable");
}

TEST_F(WhatsappTest, WrongSignatureAndMalformedBodies) {
  const std::string body = Webhook(Text("wamid.in5", "STOP"));
  EXPECT_EQ(Call("POST", "/v1/inbound/whatsapp", body).status, 403);
  EXPECT_EQ(Post(body, "another-secret").status, 403);
  EXPECT_EQ(Call("POST", "/v1/inbound/whatsapp", body,
                 {{"x-hub-signature-256", HmacSha256Hex(kAppSecret, body)}})
                .status,
            403);  // Without the "sha256=" prefix.
  EXPECT_EQ(Profile("c2").record.consent[static_cast<int>(ChannelKind::kWhatsapp)],
            Consent::kGranted);
  for (const char* bad :
       {"{", "[]", "{\"entry\":{}}", "{\"entry\":[{\"changes\":[{}]}]}",
        "{\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"id\":\"x\"}]}}]}]}",
        "{\"entry\":[{\"changes\":[{\"value\":{\"statuses\":[{}]}}]}]}"}) {
    EXPECT_EQ(Post(bad).status, 400) << bad;
  }
  context_.secrets.whatsapp_app_secret.clear();
  Request request;
  request.body = body;
  EXPECT_EQ(HandleWhatsappInbound(context_, request).status, 503);
}

// ---- [inbound] ----

TEST(InboundConfigTest, ParsesRepliesAndRejectsBadOnes) {
  config::Registry registry;
  AddInboundConfigSection(registry);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      config::Config config,
      registry.Parse("[inbound]\nstop_reply = \"Bye\"\n"
                     "[[inbound.reply]]\nname = \"hours\"\nkeywords = [\"hours\", \"saat\"]\n"
                     "text = \"9-18\"\nwhatsapp_template = \"opening_hours\"\n",
                     "winback.toml"));
  const InboundSettings& s = config.Get<InboundSettings>();
  EXPECT_EQ(s.stop_reply, "Bye");
  ASSERT_EQ(s.replies.size(), 1u);
  EXPECT_EQ(s.replies[0].keywords.size(), 2u);
  EXPECT_EQ(s.replies[0].whatsapp_template, "opening_hours");
  EXPECT_THAT(registry.Parse("[inbound]\nstop_replly = \"x\"\n", "winback.toml").status(),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("winback.toml:2")));
  EXPECT_THAT(registry
                  .Parse("[[inbound.reply]]\nname = \"x\"\nkeywords = [\"STOP\"]\ntext = \"y\"\n",
                         "winback.toml")
                  .status(),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("STOP word")));
  EXPECT_THAT(
      registry.Parse("[[inbound.reply]]\nname = \"x\"\ntext = \"y\"\n", "winback.toml").status(),
      StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Parse("[inbound]\ntwilio_url = \"ftp://x\"\n", "winback.toml").status(),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::server
