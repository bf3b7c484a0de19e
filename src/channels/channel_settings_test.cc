#include "channels/channel_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/registry.h"
#include "testutil/status_matchers.h"

namespace winback::channels {
namespace {

using ::testing::HasSubstr;

Result<ChannelSettings> Parse(const std::string& text, const std::string& file = "winback.toml") {
  config::Registry registry;
  AddConfigSections(registry);
  WINBACK_ASSIGN_OR_RETURN(config::Config config, registry.Parse(text, file));
  return config.Get<ChannelSettings>();
}

TEST(ChannelSettingsTest, NoSectionMeansNoChannels) {
  Result<ChannelSettings> s = Parse("");
  ASSERT_THAT(s, IsOk());
  EXPECT_FALSE(s->email.has_value());
  EXPECT_FALSE(s->For(ChannelKind::kSms).has_value());
  EXPECT_FALSE(s->For(ChannelKind::kWhatsapp).has_value());
}

TEST(ChannelSettingsTest, ReadsTheDocumentedExample) {
  Result<ChannelSettings> s = Parse(R"([channels.email]
transport = "smtp"
url = "smtp://mail.example.com:587"
from = "Shop <shop@example.com>"
timeout_seconds = 20
[channels.sms]
transport = "twilio"
url = "https://api.twilio.com"
from = "+15005550006"
[channels.whatsapp]
transport = "whatsapp_cloud"
url = "https://graph.facebook.com/v19.0"
phone_number_id = "1234567890"
)");
  ASSERT_THAT(s, IsOk());
  ASSERT_TRUE(s->email.has_value());
  EXPECT_EQ(s->email->transport, "smtp");
  EXPECT_EQ(s->email->url, "smtp://mail.example.com:587");
  EXPECT_EQ(s->email->from, "Shop <shop@example.com>");
  EXPECT_EQ(s->email->timeout_seconds, 20);
  EXPECT_TRUE(s->email->starttls);  // Not loopback: required by default.
  ASSERT_TRUE(s->sms.has_value());
  EXPECT_EQ(s->sms->transport, "twilio");
  EXPECT_EQ(s->sms->from, "+15005550006");
  EXPECT_EQ(s->sms->timeout_seconds, 10);
  ASSERT_TRUE(s->whatsapp.has_value());
  EXPECT_EQ(s->whatsapp->phone_number_id, "1234567890");
  EXPECT_EQ(&s->For(ChannelKind::kWhatsapp), &s->whatsapp);
}

TEST(ChannelSettingsTest, StarttlsDefaultsOffOnLoopbackOnly) {
  const std::string base = "[channels.email]\ntransport = \"smtp\"\nfrom = \"a@b.c\"\n";
  EXPECT_FALSE(Parse(base + "url = \"smtp://127.0.0.1:2525\"\n")->email->starttls);
  EXPECT_FALSE(Parse(base + "url = \"smtp://localhost\"\n")->email->starttls);
  EXPECT_FALSE(Parse(base + "url = \"smtp://[::1]:25\"\n")->email->starttls);
  EXPECT_TRUE(Parse(base + "url = \"smtp://relay.example\"\n")->email->starttls);
  EXPECT_TRUE(Parse(base + "url = \"smtp://127.0.0.1\"\nstarttls = true\n")->email->starttls);
  EXPECT_FALSE(Parse(base + "url = \"smtp://relay.example\"\nstarttls = false\n")->email->starttls);
}

TEST(ChannelSettingsTest, RelativeFileFolderIsRelativeToTheConfigFile) {
  const std::string text = "[channels.sms]\ntransport = \"file\"\nurl = \"outbox\"\n";
  EXPECT_EQ(Parse(text, "conf/shop/winback.toml")->sms->url, "conf/shop/outbox");
  EXPECT_EQ(Parse(text, "/etc/winback/winback.toml")->sms->url, "/etc/winback/outbox");
  EXPECT_EQ(Parse(text, "winback.toml")->sms->url, "outbox");
  EXPECT_EQ(
      Parse("[channels.sms]\ntransport = \"file\"\nurl = \"/var/outbox/\"\n", "conf/winback.toml")
          ->sms->url,
      "/var/outbox/");
}

TEST(ChannelSettingsTest, FileSyncDefaultsOnAndIsFileOnly) {
  const std::string file = "[channels.sms]\ntransport = \"file\"\nurl = \"outbox\"\n";
  EXPECT_TRUE(Parse(file)->sms->sync);
  EXPECT_FALSE(Parse(file + "sync = false\n")->sms->sync);
  EXPECT_THAT(Parse("[channels.email]\ntransport = \"smtp\"\nurl = \"smtp://127.0.0.1\"\n"
                    "sync = false\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::HasSubstr("winback.toml:4: channels.email.sync: only the file "
                                              "transport has sync")));
}

TEST(ChannelSettingsTest, TransportMustFitTheKind) {
  EXPECT_THAT(Parse("[channels.sms]\ntransport = \"smtp\"\nurl = \"smtp://x\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("winback.toml:2: channels.sms.transport")));
  EXPECT_THAT(Parse("[channels.email]\ntransport = \"twilio\"\nurl = \"https://x\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("winback.toml:2")));
  EXPECT_THAT(Parse("[channels.whatsapp]\ntransport = \"twilio\"\nurl = \"https://x\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("channels.whatsapp.transport")));
  EXPECT_THAT(Parse("[channels.email]\ntransport = \"whatsapp_cloud\"\nurl = \"https://x\"\n"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ChannelSettingsTest, RequiresTransportUrlAndTheTransportsKeys) {
  EXPECT_THAT(Parse("[channels.email]\nurl = \"outbox\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("missing key transport")));
  EXPECT_THAT(Parse("[channels.email]\ntransport = \"file\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("missing key url")));
  EXPECT_THAT(
      Parse("[channels.email]\ntransport = \"smtp\"\nurl = \"smtp://h\"\n"),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("smtp needs a non-empty key from")));
  EXPECT_THAT(
      Parse("[channels.sms]\ntransport = \"twilio\"\nurl = \"https://h\"\n"),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("twilio needs a non-empty key from")));
  EXPECT_THAT(Parse("[channels.whatsapp]\ntransport = \"whatsapp_cloud\"\nurl = \"https://h\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("phone_number_id")));
}

TEST(ChannelSettingsTest, UrlSchemeMustFitTheTransport) {
  EXPECT_THAT(
      Parse("[channels.email]\ntransport = \"smtp\"\nfrom = \"a@b\"\n\nurl = \"http://h\"\n"),
      StatusIsWith(
          StatusCode::kInvalidArgument,
          HasSubstr("winback.toml:5: channels.email.url: smtp needs an smtp:// or smtps://")));
  EXPECT_THAT(
      Parse("[channels.sms]\ntransport = \"webhook\"\nurl = \"ftp://h\"\n"),
      StatusIsWith(StatusCode::kInvalidArgument,
                   HasSubstr("channels.sms.url: webhook needs an http:// or https:// URL")));
  EXPECT_THAT(Parse("[channels.sms]\ntransport = \"file\"\nurl = \"\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("must not be empty")));
  EXPECT_THAT(Parse("[channels.sms]\ntransport = \"webhook\"\nurl = \"https:///x\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("no host")));
}

TEST(ChannelSettingsTest, ReadsDkimDomainAndSelector) {
  const std::string base = "[channels.email]\ntransport = \"file\"\nurl = \"outbox\"\n";
  Result<ChannelSettings> s =
      Parse(base + "dkim_domain = \"mail.example.com\"\ndkim_selector = \"winback-2024\"\n");
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->email->dkim_domain, "mail.example.com");
  EXPECT_EQ(s->email->dkim_selector, "winback-2024");
  Result<ChannelSettings> unsigned_email = Parse(base);
  ASSERT_THAT(unsigned_email, IsOk());
  EXPECT_EQ(unsigned_email->email->dkim_domain, "");
  EXPECT_EQ(unsigned_email->email->dkim_selector, "");
  EXPECT_THAT(Parse(base + "dkim_domain = \"\"\ndkim_selector = \"\"\n"), IsOk());
}

TEST(ChannelSettingsTest, DkimNeedsDomainAndSelectorTogether) {
  const std::string base = "[channels.email]\ntransport = \"file\"\nurl = \"outbox\"\n";
  EXPECT_THAT(Parse(base + "dkim_domain = \"example.com\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("winback.toml:4: channels.email: dkim_domain needs "
                                     "dkim_selector (set both or neither)")));
  EXPECT_THAT(Parse(base + "\ndkim_selector = \"s1\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("winback.toml:5: channels.email: dkim_selector needs "
                                     "dkim_domain")));
  EXPECT_THAT(Parse(base + "dkim_domain = \"\"\ndkim_selector = \"s1\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("needs dkim_domain")));
}

TEST(ChannelSettingsTest, DkimDomainAndSelectorAreDnsNames) {
  const std::string base = "[channels.email]\ntransport = \"file\"\nurl = \"outbox\"\n";
  EXPECT_THAT(
      Parse(base + "dkim_domain = \"example.com; h=to\"\ndkim_selector = \"s1\"\n"),
      StatusIsWith(StatusCode::kInvalidArgument,
                   HasSubstr("winback.toml:4: channels.email.dkim_domain: \"example.com; h=to\" "
                             "is not a DNS name")));
  EXPECT_THAT(Parse(base + "dkim_domain = \"example.com\"\ndkim_selector = \"-s1\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("winback.toml:5: channels.email.dkim_selector")));
  for (const char* bad : {"example..com", "example.com.", ".example.com", "ex_ample.com"}) {
    EXPECT_THAT(Parse(base + "dkim_domain = \"" + bad + "\"\ndkim_selector = \"s1\"\n"),
                StatusIs(StatusCode::kInvalidArgument))
        << bad;
  }
  EXPECT_THAT(
      Parse(base + "dkim_domain = \"" + std::string(64, 'a') + ".com\"\ndkim_selector = \"s1\"\n"),
      StatusIs(StatusCode::kInvalidArgument));
}

TEST(ChannelSettingsTest, DkimKeysAreForEmailOnly) {
  EXPECT_THAT(Parse("[channels.sms]\ntransport = \"file\"\nurl = \"o\"\ndkim_domain = \"a.b\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("channels.sms.dkim_domain")));
  EXPECT_THAT(Parse("[channels.email]\ntransport = \"file\"\nurl = \"o\"\ndkim_domain = 1\n"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ChannelSettingsTest, KeyChecksComeFromTheLoader) {
  EXPECT_THAT(Parse("[channels.sms]\ntransport = \"file\"\nurl = \"o\"\nstarttls = true\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("channels.sms.starttls")));
  EXPECT_THAT(Parse("[channels.email]\ntransport = \"file\"\nurl = \"o\"\ntimeout_seconds = 0\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("1..600")));
  EXPECT_THAT(Parse("[channels.fax]\ntransport = \"file\"\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("channels.fax")));
}

}  // namespace
}  // namespace winback::channels
