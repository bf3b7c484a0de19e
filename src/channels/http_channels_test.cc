// The three HTTP transports (twilio, whatsapp_cloud, webhook) against a loopback receiver
// that checks their wire format (testdata/http_receiver.py): every classification for each.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "channels/internal/test_receiver.h"
#include "channels/twilio_channel.h"
#include "channels/webhook_channel.h"
#include "channels/whatsapp_cloud_channel.h"
#include "core/hmac.h"
#include "testutil/status_matchers.h"

namespace winback::channels {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSid[] = "AC0123456789";
constexpr char kToken[] = "twilio-token";
constexpr char kWhatsappToken[] = "wa-token";
constexpr char kSecret[] = "hook-secret";

enum class Provider { kTwilio, kWhatsapp, kWebhook };

std::string ProviderName(Provider p) {
  switch (p) {
    case Provider::kTwilio:
      return "twilio";
    case Provider::kWhatsapp:
      return "whatsapp_cloud";
    case Provider::kWebhook:
      return "webhook";
  }
  return "";
}

class HttpChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<internal::TestReceiver>> r = internal::TestReceiver::Start(
        "http_receiver.py", {},
        {std::string("RECEIVER_TWILIO_SID=") + kSid, std::string("RECEIVER_TWILIO_TOKEN=") + kToken,
         std::string("RECEIVER_WHATSAPP_TOKEN=") + kWhatsappToken,
         std::string("RECEIVER_WEBHOOK_SECRET=") + kSecret});
    ASSERT_THAT(r, IsOk());
    receiver_ = std::move(r).value();
  }

  std::string Base(const std::string& mode) const {
    return "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/" + mode;
  }

  // A channel of `provider` whose requests carry `mode` for the receiver.
  std::unique_ptr<Channel> Make(Provider provider, const std::string& mode,
                                std::int64_t timeout_seconds = 3, std::string secret = kSecret) {
    ChannelConfig c;
    c.timeout_seconds = timeout_seconds;
    c.transport = ProviderName(provider);
    Result<std::unique_ptr<Channel>> channel = InternalError("unset");
    switch (provider) {
      case Provider::kTwilio:
        c.url = Base(mode);
        c.from = "+15005550006";
        channel = MakeTwilioChannel(c, {kSid, kToken});
        break;
      case Provider::kWhatsapp:
        c.url = Base(mode) + "/";
        c.phone_number_id = "1234567890";
        channel = MakeWhatsappCloudChannel(c, kWhatsappToken);
        break;
      case Provider::kWebhook:
        c.url = Base(mode) + "/hook";
        c.from = "Shop <shop@example.com>";
        channel = MakeWebhookChannel(c, std::move(secret));
        break;
    }
    EXPECT_THAT(channel, IsOk());
    return std::move(channel).value();
  }

  static OutboundMessage Message(Provider provider) {
    OutboundMessage m;
    m.key = "winback/come_back/C123/1";
    m.to = "+905551234567";
    if (provider == Provider::kWhatsapp) {
      m.kind = ChannelKind::kWhatsapp;
      m.whatsapp_template = "come_back";
      m.whatsapp_language = "tr";
      m.whatsapp_parameters = {"Ayşe", "%10 & more"};
    } else {
      m.kind = ChannelKind::kSms;
      m.text = "We miss you, Ayşe! 10% off & free shipping: https://x.test/?a=1&b=2";
    }
    return m;
  }

  nlohmann::json OnlyRecord() const {
    const std::vector<std::string> records = receiver_->Records();
    EXPECT_EQ(records.size(), 1u);
    return records.empty() ? nlohmann::json() : nlohmann::json::parse(records[0]);
  }

  std::unique_ptr<internal::TestReceiver> receiver_;
};

class EveryHttpChannelTest : public HttpChannelTest,
                             public ::testing::WithParamInterface<Provider> {};

TEST_P(EveryHttpChannelTest, AcceptedIsSentWithTheProviderId) {
  std::unique_ptr<Channel> channel = Make(GetParam(), "ok");
  EXPECT_EQ(channel->transport(), ProviderName(GetParam()));
  const DeliveryResult r = channel->Send(Message(GetParam()));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.detail;
  const nlohmann::json record = OnlyRecord();
  EXPECT_EQ(record["provider"], ProviderName(GetParam()));
  EXPECT_EQ(record["headers"]["Idempotency-Key"], "winback/come_back/C123/1");
  switch (GetParam()) {
    case Provider::kTwilio:
      EXPECT_EQ(r.provider_id, "SM00000000000000000000000000000001");
      break;
    case Provider::kWhatsapp:
      EXPECT_EQ(r.provider_id, "wamid.1");
      break;
    case Provider::kWebhook:
      EXPECT_EQ(r.provider_id, "hook-1");
      break;
  }
}

TEST_P(EveryHttpChannelTest, ConsecutiveMessagesOnOneChannel) {
  std::unique_ptr<Channel> channel = Make(GetParam(), "ok");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(channel->Send(Message(GetParam())).outcome, DeliveryOutcome::kSent);
  }
  EXPECT_EQ(receiver_->Records().size(), 3u);
}

TEST_P(EveryHttpChannelTest, ServerErrorIsRetry) {
  const DeliveryResult r = Make(GetParam(), "e500")->Send(Message(GetParam()));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_THAT(r.detail, StartsWith("HTTP 500"));
  EXPECT_FALSE(r.retry_after.has_value());
}

TEST_P(EveryHttpChannelTest, TooManyRequestsIsRetryWithRetryAfter) {
  const DeliveryResult r = Make(GetParam(), "e429")->Send(Message(GetParam()));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, std::chrono::seconds(7));
}

TEST_P(EveryHttpChannelTest, ClientErrorIsDeadWithTheProvidersMessage) {
  const DeliveryResult r = Make(GetParam(), "e400")->Send(Message(GetParam()));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDead);
  EXPECT_THAT(r.detail, StartsWith("HTTP 400: "));
  EXPECT_THAT(r.detail, HasSubstr(GetParam() == Provider::kWhatsapp ? "(#131009)"
                                                                    : "'To' number is not valid"));
}

TEST_P(EveryHttpChannelTest, NoAnswerWithinTheTimeoutAfterTheBodyIsUnknown) {
  const DeliveryResult r = Make(GetParam(), "sleep", 1)->Send(Message(GetParam()));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kUnknown) << r.detail;
  EXPECT_EQ(receiver_->Records().size(), 1u);
}

TEST_P(EveryHttpChannelTest, ConnectionClosedAfterTheBodyIsUnknownAndNotResent) {
  // One channel, so the second request goes out on the connection the first one opened; the
  // receiver then closes it after reading the body. libcurl must not quietly resend the body
  // on a fresh connection.
  std::unique_ptr<Channel> channel = Make(GetParam(), "ctl");
  ASSERT_EQ(channel->Send(Message(GetParam())).outcome, DeliveryOutcome::kSent);
  std::ofstream(receiver_->scratch_dir() / "mode") << "close\n";
  const DeliveryResult r = channel->Send(Message(GetParam()));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kUnknown) << r.detail;
  EXPECT_EQ(receiver_->Records().size(), 2u);
  // On a fresh connection too.
  const DeliveryResult fresh = Make(GetParam(), "close")->Send(Message(GetParam()));
  EXPECT_EQ(fresh.outcome, DeliveryOutcome::kUnknown) << fresh.detail;
  EXPECT_EQ(receiver_->Records().size(), 3u);
  // And the channel recovers for the next message.
  std::ofstream(receiver_->scratch_dir() / "mode") << "ok\n";
  EXPECT_EQ(channel->Send(Message(GetParam())).outcome, DeliveryOutcome::kSent);
}

TEST_P(EveryHttpChannelTest, RefusedConnectionIsRetry) {
  ChannelConfig c;
  c.transport = ProviderName(GetParam());
  c.url = "http://127.0.0.1:1/hook";
  c.from = "+15005550006";
  c.phone_number_id = "1";
  c.timeout_seconds = 2;
  Result<std::unique_ptr<Channel>> channel = InternalError("unset");
  switch (GetParam()) {
    case Provider::kTwilio:
      channel = MakeTwilioChannel(c, {kSid, kToken});
      break;
    case Provider::kWhatsapp:
      channel = MakeWhatsappCloudChannel(c, kWhatsappToken);
      break;
    case Provider::kWebhook:
      channel = MakeWebhookChannel(c, kSecret);
      break;
  }
  ASSERT_THAT(channel, IsOk());
  const DeliveryResult r = (*channel)->Send(Message(GetParam()));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry) << r.detail;
  EXPECT_THAT(r.detail, StartsWith("not sent: "));
}

INSTANTIATE_TEST_SUITE_P(Providers, EveryHttpChannelTest,
                         ::testing::Values(Provider::kTwilio, Provider::kWhatsapp,
                                           Provider::kWebhook),
                         [](const ::testing::TestParamInfo<Provider>& p) {
                           return ProviderName(p.param);
                         });

TEST_F(HttpChannelTest, TwilioPostsTheForm) {
  OutboundMessage m = Message(Provider::kTwilio);
  ASSERT_EQ(Make(Provider::kTwilio, "ok")->Send(m).outcome, DeliveryOutcome::kSent);
  const nlohmann::json record = OnlyRecord();
  EXPECT_EQ(record["path"], std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json");
  EXPECT_EQ(record["parsed"]["To"], "+905551234567");
  EXPECT_EQ(record["parsed"]["From"], "+15005550006");
  EXPECT_EQ(record["parsed"]["Body"], m.text);
  EXPECT_EQ(record["headers"]["I-Twilio-Idempotency-Token"], m.key);
}

TEST_F(HttpChannelTest, TwilioWrongTokenIsRefused) {
  ChannelConfig c;
  c.transport = "twilio";
  c.url = Base("ok");
  c.from = "+1";
  Result<std::unique_ptr<Channel>> channel = MakeTwilioChannel(c, {kSid, "wrong-token"});
  ASSERT_THAT(channel, IsOk());
  const DeliveryResult r = (*channel)->Send(Message(Provider::kTwilio));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDead);
  EXPECT_THAT(r.detail, HasSubstr("Basic auth"));
  EXPECT_THAT(r.detail, ::testing::Not(HasSubstr("wrong-token")));
}

TEST_F(HttpChannelTest, WhatsappPostsTheTemplate) {
  ASSERT_EQ(Make(Provider::kWhatsapp, "ok")->Send(Message(Provider::kWhatsapp)).outcome,
            DeliveryOutcome::kSent);
  const nlohmann::json record = OnlyRecord();
  EXPECT_EQ(record["path"], "/1234567890/messages");
  EXPECT_EQ(record["headers"]["Authorization"], std::string("Bearer ") + kWhatsappToken);
  const nlohmann::json want = nlohmann::json::parse(R"({
    "messaging_product": "whatsapp", "recipient_type": "individual", "to": "905551234567",
    "type": "template",
    "template": {"name": "come_back", "language": {"code": "tr"},
                 "components": [{"type": "body", "parameters": [
                     {"type": "text", "text": "Ayşe"}, {"type": "text", "text": "%10 & more"}]}]}
  })");
  EXPECT_EQ(record["parsed"], want);
}

TEST(WhatsappCloudBodyTest, NoParametersMeansNoComponents) {
  OutboundMessage m;
  m.to = "905551234567";
  m.whatsapp_template = "hello_world";
  m.whatsapp_language = "en_US";
  const nlohmann::json j = nlohmann::json::parse(WhatsappCloudBody(m));
  EXPECT_EQ(j["to"], "905551234567");
  EXPECT_FALSE(j["template"].contains("components"));
}

TEST_F(HttpChannelTest, WebhookPostsEveryFieldSigned) {
  OutboundMessage m = Message(Provider::kWebhook);
  m.kind = ChannelKind::kEmail;
  m.to = "c@example.com";
  m.subject = "We miss you";
  m.email_mime = "Subject: We miss you\r\n\r\nHi\r\n";
  ASSERT_EQ(Make(Provider::kWebhook, "ok")->Send(m).outcome, DeliveryOutcome::kSent);
  const nlohmann::json record = OnlyRecord();
  EXPECT_EQ(record["headers"]["X-Winback-Key"], m.key);
  EXPECT_EQ(record["headers"]["X-Winback-Signature"],
            "sha256=" + HmacSha256Hex(kSecret, record["body"].get<std::string>()));
  const nlohmann::json& j = record["parsed"];
  EXPECT_EQ(j["kind"], "email");
  EXPECT_EQ(j["from"], "Shop <shop@example.com>");
  EXPECT_EQ(j["to"], "c@example.com");
  EXPECT_EQ(j["subject"], "We miss you");
  EXPECT_EQ(j["email_mime"], m.email_mime);
  EXPECT_EQ(j["text"], m.text);
  EXPECT_EQ(j["whatsapp_parameters"], nlohmann::json::array());
}

TEST_F(HttpChannelTest, WebhookWithAnotherSecretFailsTheSignatureCheck) {
  const DeliveryResult r =
      Make(Provider::kWebhook, "ok", 3, "another-secret")->Send(Message(Provider::kWebhook));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDead);
  EXPECT_THAT(r.detail, HasSubstr("signature"));
  EXPECT_TRUE(receiver_->Records().empty());
}

TEST(HttpClientTest, HeaderWithALineBreakIsDeadWithoutSending) {
  ChannelConfig config;
  config.transport = "webhook";
  config.url = "http://127.0.0.1:1/";
  config.starttls = false;
  config.timeout_seconds = 1;
  Result<std::unique_ptr<Channel>> channel = MakeWebhookChannel(config, "s");
  ASSERT_THAT(channel, IsOk());
  OutboundMessage m;
  m.key = "a\r\nX-Evil: 1";
  EXPECT_EQ((*channel)->Send(m).outcome, DeliveryOutcome::kDead);
}

}  // namespace
}  // namespace winback::channels
