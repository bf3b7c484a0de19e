#include "channels/smtp_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "channels/internal/test_receiver.h"
#include "testutil/status_matchers.h"

namespace winback::channels {
namespace {

using ::testing::HasSubstr;

constexpr char kMime[] =
    "From: Shop <shop@example.com>\r\nTo: c@example.com\r\nSubject: We miss you\r\n"
    "Message-ID: <1@example.com>\r\n\r\nHello.\r\n.a line that starts with a dot\r\n.\r\nBye.\r\n";

class SmtpChannelTest : public ::testing::Test {
 protected:
  void StartReceiver(const std::vector<std::string>& args = {}) {
    Result<std::unique_ptr<internal::TestReceiver>> r =
        internal::TestReceiver::Start("smtp_receiver.py", args, {});
    ASSERT_THAT(r, IsOk());
    receiver_ = std::move(r).value();
  }
  ChannelConfig Config() const {
    ChannelConfig c;
    c.transport = "smtp";
    c.url = "smtp://127.0.0.1:" + std::to_string(receiver_ ? receiver_->port() : 1);
    c.from = "Shop <shop@example.com>";
    c.starttls = false;
    c.timeout_seconds = 2;
    return c;
  }
  std::unique_ptr<Channel> Make(const ChannelConfig& config, SmtpCredentials credentials = {}) {
    Result<std::unique_ptr<Channel>> c = MakeSmtpChannel(config, std::move(credentials));
    EXPECT_THAT(c, IsOk());
    return std::move(c).value();
  }
  static OutboundMessage Message(std::string to) {
    OutboundMessage m;
    m.key = "winback/come_back/C1/1";
    m.to = std::move(to);
    m.email_mime = kMime;
    return m;
  }
  std::unique_ptr<internal::TestReceiver> receiver_;
};

TEST(MailboxAddressTest, TakesTheAngleAddress) {
  EXPECT_EQ(MailboxAddress("Shop <shop@example.com>"), "shop@example.com");
  EXPECT_EQ(MailboxAddress("  a@b.c "), "a@b.c");
  EXPECT_EQ(MailboxAddress("\"A <x>\" <a@b.c>"), "a@b.c");
}

TEST_F(SmtpChannelTest, DeliversEnvelopeAndBytes) {
  StartReceiver();
  std::unique_ptr<Channel> channel = Make(Config());
  EXPECT_EQ(channel->transport(), "smtp");
  const DeliveryResult r = channel->Send(Message("c@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.detail;
  EXPECT_EQ(r.provider_id, "Q1");
  EXPECT_THAT(r.detail, HasSubstr("250"));
  const std::vector<std::string> records = receiver_->Records();
  ASSERT_EQ(records.size(), 1u);
  const nlohmann::json j = nlohmann::json::parse(records[0]);
  EXPECT_EQ(j["mail_from"], "shop@example.com");
  EXPECT_EQ(j["rcpt_tos"], nlohmann::json({"c@example.com"}));
  // Dot-stuffing is undone by the server: the bytes arrive as written.
  EXPECT_EQ(j["data"], kMime);
}

TEST_F(SmtpChannelTest, MessageFromWinsOverTheConfiguredSender) {
  StartReceiver();
  OutboundMessage m = Message("c@example.com");
  m.from = "Other <other@example.com>";
  ASSERT_EQ(Make(Config())->Send(m).outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(nlohmann::json::parse(receiver_->Records().at(0))["mail_from"], "other@example.com");
}

TEST_F(SmtpChannelTest, ConsecutiveMessagesOnOneChannel) {
  StartReceiver();
  std::unique_ptr<Channel> channel = Make(Config());
  for (int i = 0; i < 3; ++i) {
    const DeliveryResult r = channel->Send(Message("c" + std::to_string(i) + "@example.com"));
    EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.detail;
    EXPECT_EQ(r.provider_id, "Q" + std::to_string(i + 1));
  }
  // A refusal in between leaves the session usable.
  EXPECT_EQ(channel->Send(Message("dead@example.com")).outcome, DeliveryOutcome::kDead);
  EXPECT_EQ(channel->Send(Message("c@example.com")).outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(receiver_->Records().size(), 4u);
}

TEST_F(SmtpChannelTest, ConsecutiveMessagesReuseTheConnection) {
  StartReceiver();
  std::unique_ptr<Channel> channel = Make(Config());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(channel->Send(Message("c@example.com")).outcome, DeliveryOutcome::kSent);
  }
  std::ifstream in(receiver_->out_dir() / "connections.txt");
  int connections = 0;
  in >> connections;
  EXPECT_EQ(connections, 1);
}

TEST_F(SmtpChannelTest, TimeoutBeforeTheMessageIsSentIsRetry) {
  StartReceiver();
  ChannelConfig config = Config();
  config.timeout_seconds = 1;
  const DeliveryResult r = Make(config)->Send(Message("slowrcpt@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry) << r.detail;
}

TEST_F(SmtpChannelTest, RecipientRefusedWith4xxIsRetry) {
  StartReceiver();
  const DeliveryResult r = Make(Config())->Send(Message("retry@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_THAT(r.detail, HasSubstr("451 4.3.0"));
}

TEST_F(SmtpChannelTest, RecipientRefusedWith5xxIsDead) {
  StartReceiver();
  const DeliveryResult r = Make(Config())->Send(Message("dead@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDead);
  EXPECT_THAT(r.detail, HasSubstr("550 5.1.1 no such user"));
}

TEST_F(SmtpChannelTest, EndOfData4xxIsRetryAnd5xxIsDead) {
  StartReceiver();
  std::unique_ptr<Channel> channel = Make(Config());
  DeliveryResult r = channel->Send(Message("datafail4@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_THAT(r.detail, HasSubstr("452"));
  r = channel->Send(Message("datafail5@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDead);
  EXPECT_THAT(r.detail, HasSubstr("554"));
}

TEST_F(SmtpChannelTest, ConnectionDroppedAfterTheWholeMessageIsUnknown) {
  StartReceiver();
  const DeliveryResult r = Make(Config())->Send(Message("drop@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kUnknown) << r.detail;
}

TEST_F(SmtpChannelTest, TimeoutAfterTheWholeMessageIsUnknown) {
  StartReceiver();
  ChannelConfig config = Config();
  config.timeout_seconds = 1;
  const DeliveryResult r = Make(config)->Send(Message("sleep@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kUnknown) << r.detail;
}

TEST_F(SmtpChannelTest, RefusedConnectionIsRetry) {
  ChannelConfig config = Config();
  config.url = "smtp://127.0.0.1:1";
  const DeliveryResult r = Make(config)->Send(Message("c@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry) << r.detail;
}

TEST_F(SmtpChannelTest, RequiredStarttlsThatIsNotOfferedIsRetryAndSendsNothing) {
  StartReceiver();
  ChannelConfig config = Config();
  config.starttls = true;
  const DeliveryResult r = Make(config)->Send(Message("c@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry) << r.detail;
  EXPECT_TRUE(receiver_->Records().empty());
}

TEST_F(SmtpChannelTest, AuthenticatesWithCredentials) {
  StartReceiver({"--auth", "winback:s3cret"});
  const DeliveryResult r = Make(Config(), {"winback", "s3cret"})->Send(Message("c@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.detail;
  EXPECT_EQ(nlohmann::json::parse(receiver_->Records().at(0))["auth_user"], "winback");
}

TEST_F(SmtpChannelTest, RefusedCredentialsAreRetryAndNotInTheDetail) {
  StartReceiver({"--auth", "winback:s3cret"});
  const DeliveryResult r =
      Make(Config(), {"winback", "wrong-password"})->Send(Message("c@example.com"));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry) << r.detail;
  EXPECT_THAT(r.detail, ::testing::Not(HasSubstr("wrong-password")));
  EXPECT_TRUE(receiver_->Records().empty());
}

TEST_F(SmtpChannelTest, BadAddressesAndEmptyMessagesAreDeadWithoutConnecting) {
  std::unique_ptr<Channel> channel = Make(Config());
  EXPECT_EQ(channel->Send(Message("")).outcome, DeliveryOutcome::kDead);
  EXPECT_EQ(channel->Send(Message("a@b>\r\nRCPT TO:<x@y")).outcome, DeliveryOutcome::kDead);
  OutboundMessage m = Message("c@example.com");
  m.email_mime.clear();
  EXPECT_EQ(channel->Send(m).outcome, DeliveryOutcome::kDead);
}

}  // namespace
}  // namespace winback::channels
