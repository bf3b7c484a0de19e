#include "channels/channel_factory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::channels {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Sets (or, with nullptr, unsets) an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

ChannelConfig Config(std::string transport, std::string url) {
  ChannelConfig c;
  c.transport = std::move(transport);
  c.url = std::move(url);
  c.from = "+15005550006";
  c.phone_number_id = "123";
  return c;
}

TEST(MakeChannelTest, MakesEachTransport) {
  ScopedEnv sid("WINBACK_TWILIO_ACCOUNT_SID", "AC1");
  ScopedEnv token("WINBACK_TWILIO_AUTH_TOKEN", "secret-token");
  ScopedEnv wa("WINBACK_WHATSAPP_TOKEN", "wa-token");
  ScopedEnv hook("WINBACK_WEBHOOK_SECRET", "hook-secret");
  ScopedEnv user("WINBACK_SMTP_USERNAME", nullptr);
  const testutil::ScratchDir dir("winback_factory");
  const std::string folder = dir.File("outbox");  // the file channel makes it
  struct Case {
    ChannelKind kind;
    const char* transport;
    std::string url;
  };
  for (const Case& c :
       std::vector<Case>{{ChannelKind::kEmail, "file", folder},
                         {ChannelKind::kEmail, "smtp", "smtp://127.0.0.1:1"},
                         {ChannelKind::kSms, "twilio", "http://127.0.0.1:1"},
                         {ChannelKind::kWhatsapp, "whatsapp_cloud", "http://127.0.0.1:1"},
                         {ChannelKind::kSms, "webhook", "http://127.0.0.1:1/h"}}) {
    Result<std::unique_ptr<Channel>> channel = MakeChannel(c.kind, Config(c.transport, c.url));
    ASSERT_THAT(channel, IsOk()) << c.transport;
    EXPECT_EQ((*channel)->transport(), c.transport);
  }
}

TEST(MakeChannelTest, TransportThatCannotCarryTheKindIsInvalidArgument) {
  EXPECT_THAT(MakeChannel(ChannelKind::kSms, Config("smtp", "smtp://127.0.0.1")),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("sms")));
  EXPECT_THAT(MakeChannel(ChannelKind::kEmail, Config("twilio", "http://127.0.0.1")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(MakeChannel(ChannelKind::kEmail, Config("pigeon", "x")),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(MakeChannelTest, MissingSecretsAreFailedPreconditionNamingTheVariable) {
  {
    ScopedEnv sid("WINBACK_TWILIO_ACCOUNT_SID", nullptr);
    ScopedEnv token("WINBACK_TWILIO_AUTH_TOKEN", "t");
    EXPECT_THAT(
        MakeChannel(ChannelKind::kSms, Config("twilio", "http://127.0.0.1")),
        StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("WINBACK_TWILIO_ACCOUNT_SID")));
  }
  {
    ScopedEnv sid("WINBACK_TWILIO_ACCOUNT_SID", "AC1");
    ScopedEnv token("WINBACK_TWILIO_AUTH_TOKEN", "");
    EXPECT_THAT(
        MakeChannel(ChannelKind::kSms, Config("twilio", "http://127.0.0.1")),
        StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("WINBACK_TWILIO_AUTH_TOKEN")));
  }
  {
    ScopedEnv wa("WINBACK_WHATSAPP_TOKEN", nullptr);
    EXPECT_THAT(MakeChannel(ChannelKind::kWhatsapp, Config("whatsapp_cloud", "http://127.0.0.1")),
                StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("WINBACK_WHATSAPP_TOKEN")));
  }
  {
    ScopedEnv hook("WINBACK_WEBHOOK_SECRET", nullptr);
    EXPECT_THAT(MakeChannel(ChannelKind::kEmail, Config("webhook", "http://127.0.0.1")),
                StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("WINBACK_WEBHOOK_SECRET")));
  }
}

TEST(MakeChannelTest, ErrorsNeverCarryASecretValue) {
  ScopedEnv sid("WINBACK_TWILIO_ACCOUNT_SID", "AC-very-secret-sid");
  ScopedEnv token("WINBACK_TWILIO_AUTH_TOKEN", nullptr);
  Result<std::unique_ptr<Channel>> r =
      MakeChannel(ChannelKind::kSms, Config("twilio", "http://127.0.0.1"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("very-secret")));
}

TEST(MakeChannelTest, SmtpNeedsNoCredentials) {
  ScopedEnv user("WINBACK_SMTP_USERNAME", nullptr);
  ScopedEnv password("WINBACK_SMTP_PASSWORD", nullptr);
  EXPECT_THAT(MakeChannel(ChannelKind::kEmail, Config("smtp", "smtp://127.0.0.1:1")), IsOk());
}

}  // namespace
}  // namespace winback::channels
