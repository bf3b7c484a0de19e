#include "channels/file_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::channels {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class FileChannelTest : public ::testing::Test {
 protected:
  std::vector<std::string> Names(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  std::unique_ptr<Channel> Make() {
    ChannelConfig config;
    config.transport = "file";
    config.url = root_.File("outbox");
    Result<std::unique_ptr<Channel>> channel = MakeFileChannel(config);
    EXPECT_THAT(channel, IsOk());
    return std::move(channel).value();
  }
  testutil::ScratchDir root_{"winback_file_channel"};
};

TEST(FileNameForKeyTest, KeepsSafeBytesAndEscapesTheRest) {
  EXPECT_EQ(FileNameForKey("winback/come_back/C123/1"), "winback__come_back__C123__1");
  EXPECT_EQ(FileNameForKey("a b%c:d"), "a%20b%25c%3Ad");
  EXPECT_EQ(FileNameForKey(".hidden/.."), "%2Ehidden__..");
  EXPECT_EQ(FileNameForKey("x\ny"), "x%0Ay");
  EXPECT_EQ(FileNameForKey("müşteri/Ö1"), "müşteri__Ö1");
}

TEST(FileNameForKeyTest, LongKeysAreCutWithAHash) {
  const std::string a(300, 'a');
  const std::string name = FileNameForKey(a);
  EXPECT_EQ(name.size(), 180u + 1 + 16);
  EXPECT_EQ(name.substr(0, 181), std::string(180, 'a') + "~");
  EXPECT_NE(FileNameForKey(a + "b"), name);
  // A cut never splits a UTF-8 sequence: 179 ASCII bytes then "ö" (2 bytes) straddles 180.
  const std::string utf8 = FileNameForKey(std::string(179, 'x') + "ööööööööööööööööööööö");
  EXPECT_EQ(utf8.substr(179, 1), "~");
}

TEST_F(FileChannelTest, WritesEmailAsEmlAndCreatesTheFolder) {
  std::unique_ptr<Channel> channel = Make();
  EXPECT_EQ(channel->transport(), "file");
  OutboundMessage m;
  m.key = "winback/come_back/C123/1";
  m.kind = ChannelKind::kEmail;
  m.email_mime = "From: a@b\r\nTo: c@d\r\nSubject: hi\r\n\r\nbody\r\n";
  const DeliveryResult r = channel->Send(m);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent);
  const fs::path file = root_.path() / "outbox" / "winback__come_back__C123__1.eml";
  EXPECT_EQ(r.provider_id, file.string());
  EXPECT_EQ(Slurp(file), m.email_mime);
  EXPECT_THAT(Names(root_.path() / "outbox"), ::testing::ElementsAre(file.filename().string()));
}

TEST_F(FileChannelTest, WritesSmsAndWhatsappAsJsonWithEveryField) {
  std::unique_ptr<Channel> channel = Make();
  OutboundMessage m;
  m.key = "k/1";
  m.kind = ChannelKind::kWhatsapp;
  m.to = "+905551234567";
  m.whatsapp_template = "come_back";
  m.whatsapp_language = "tr";
  m.whatsapp_parameters = {"Ayşe", "10%"};
  ASSERT_EQ(channel->Send(m).outcome, DeliveryOutcome::kSent);
  const nlohmann::json j = nlohmann::json::parse(Slurp(root_.path() / "outbox" / "k__1.json"));
  EXPECT_EQ(j["key"], "k/1");
  EXPECT_EQ(j["kind"], "whatsapp");
  EXPECT_EQ(j["to"], "+905551234567");
  EXPECT_EQ(j["whatsapp_template"], "come_back");
  EXPECT_EQ(j["whatsapp_language"], "tr");
  EXPECT_EQ(j["whatsapp_parameters"], nlohmann::json({"Ayşe", "10%"}));
  for (const char* field : {"from", "text", "subject", "email_mime"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  m.kind = ChannelKind::kSms;
  m.key = "sms/1";
  m.text = "Come back";
  ASSERT_EQ(channel->Send(m).outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(nlohmann::json::parse(Slurp(root_.path() / "outbox" / "sms__1.json"))["text"],
            "Come back");
}

TEST_F(FileChannelTest, SameKeyTwiceOverwritesOneFileAndLeavesNoTemporaries) {
  std::unique_ptr<Channel> channel = Make();
  OutboundMessage m;
  m.key = "winback/x/1";
  m.email_mime = "first\r\n";
  ASSERT_EQ(channel->Send(m).outcome, DeliveryOutcome::kSent);
  m.email_mime = "second\r\n";
  ASSERT_EQ(channel->Send(m).outcome, DeliveryOutcome::kSent);
  EXPECT_THAT(Names(root_.path() / "outbox"), ::testing::ElementsAre("winback__x__1.eml"));
  EXPECT_EQ(Slurp(root_.path() / "outbox" / "winback__x__1.eml"), "second\r\n");
}

TEST_F(FileChannelTest, AFailedWriteIsRetryAndLeavesTheOldFileWhole) {
  std::unique_ptr<Channel> channel = Make();
  OutboundMessage m;
  m.key = "k";
  m.email_mime = "old\r\n";
  ASSERT_EQ(channel->Send(m).outcome, DeliveryOutcome::kSent);
  // A file size limit makes the write fail half-way, for root too (the disk-full case).
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  void (*old_handler)(int) = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 4;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  m.email_mime = "a much longer new message\r\n";
  const DeliveryResult r = channel->Send(m);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(Slurp(root_.path() / "outbox" / "k.eml"), "old\r\n");
  EXPECT_THAT(Names(root_.path() / "outbox"), ::testing::ElementsAre("k.eml"));
}

TEST_F(FileChannelTest, AFolderThatVanishedIsRetry) {
  // Works as root too (root ignores the permissions of the test above).
  std::unique_ptr<Channel> channel = Make();
  fs::remove_all(root_.path() / "outbox");
  std::ofstream(root_.path() / "outbox") << "not a folder";
  OutboundMessage m;
  m.key = "k";
  m.email_mime = "x\r\n";
  const DeliveryResult r = channel->Send(m);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_THAT(r.detail, ::testing::HasSubstr("Not a directory"));
  fs::remove(root_.path() / "outbox");
}

TEST_F(FileChannelTest, EmptyKeyIsDead) {
  OutboundMessage m;
  m.email_mime = "x";
  EXPECT_EQ(Make()->Send(m).outcome, DeliveryOutcome::kDead);
}

TEST_F(FileChannelTest, FolderThatIsAFileIsFailedPrecondition) {
  std::ofstream(root_.path() / "plain") << "x";
  ChannelConfig config;
  config.transport = "file";
  config.url = root_.File("plain");
  EXPECT_THAT(MakeFileChannel(config), StatusIs(StatusCode::kFailedPrecondition));
  config.url = root_.File("plain/sub");
  EXPECT_THAT(MakeFileChannel(config), StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace winback::channels
