#include "messages/tracking_links.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "messages/link_token.h"

namespace winback::messages {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";
constexpr std::string_view kBase = "https://shop.example/wb";

TEST(TrackingPayloadTest, RoundTripsEachKind) {
  auto message = ParseTrackingPayload("winback/come_back/c1/1");
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->kind, TrackingPayload::Kind::kMessage);
  EXPECT_EQ(message->key, "winback/come_back/c1/1");
  auto open = ParseTrackingPayload(OpenPayload("winback/come_back/c1/1"));
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->kind, TrackingPayload::Kind::kOpen);
  EXPECT_EQ(open->key, "winback/come_back/c1/1");
  auto click = ParseTrackingPayload(ClickPayload("winback/come_back/c1/1", 12));
  ASSERT_TRUE(click.has_value());
  EXPECT_EQ(click->kind, TrackingPayload::Kind::kClick);
  EXPECT_EQ(click->link, 12);
  EXPECT_EQ(click->key, "winback/come_back/c1/1");
}

TEST(TrackingPayloadTest, RejectsMalformedPayloads) {
  EXPECT_FALSE(ParseTrackingPayload("").has_value());
  EXPECT_FALSE(ParseTrackingPayload("o\n").has_value());
  EXPECT_FALSE(ParseTrackingPayload("c\nx\nkey").has_value());
  EXPECT_FALSE(ParseTrackingPayload("c\n\nkey").has_value());
  EXPECT_FALSE(ParseTrackingPayload("c\n1234567\nkey").has_value());
  EXPECT_FALSE(ParseTrackingPayload("c\n1").has_value());
  EXPECT_FALSE(ParseTrackingPayload("key\twith tab").has_value());
  EXPECT_FALSE(ParseTrackingPayload("x\nkey").has_value());
}

TEST(TrackedLinksTest, FindsHttpLinksOfAnchorsDecodedSkippingOwnLinks) {
  const std::string html =
      "<html><body><a href=\"https://shop.example/p/1?a=1&amp;b=2\">one</a>"
      "<a class=\"x\" title='href=\"https://evil.example\"' HREF='http://shop.example/two'>2</a>"
      "<a href=\"mailto:help@shop.example\">mail</a>"
      "<link href=\"https://cdn.example/style.css\">"
      "<!-- <a href=\"https://commented.example\"> -->"
      "<a href=\"https://shop.example/wb/u/TOKEN\">unsubscribe</a>"
      "<a href=https://shop.example/&#x15F;>bare</a></body></html>";
  EXPECT_THAT(TrackedLinks(html, kBase),
              ElementsAre("https://shop.example/p/1?a=1&b=2", "http://shop.example/two",
                          "https://shop.example/\xC5\x9F"));
  EXPECT_THAT(TrackedLinks("<p>no links</p>", kBase), IsEmpty());
}

TEST(AddTrackingTest, RewritesTrackedLinksAndAddsThePixel) {
  const std::string html =
      "<html><body><a href=\"https://shop.example/p/1?a=1&amp;b=2\">one</a>"
      "<a href=\"https://shop.example/wb/u/TOKEN\">unsubscribe</a></body></html>";
  const std::string out = AddTracking(html, kBase, kKey, "winback/come_back/c1/1");
  const std::string click =
      std::string(kBase) + "/c/" + SignToken(kKey, ClickPayload("winback/come_back/c1/1", 0));
  const std::string open =
      std::string(kBase) + "/o/" + SignToken(kKey, OpenPayload("winback/come_back/c1/1"));
  EXPECT_THAT(out, HasSubstr("<a href=\"" + click + "\">one</a>"));
  EXPECT_THAT(out, Not(HasSubstr("https://shop.example/p/1")));
  EXPECT_THAT(out, HasSubstr("<a href=\"https://shop.example/wb/u/TOKEN\">unsubscribe</a>"));
  EXPECT_THAT(out, HasSubstr("<img src=\"" + open + "\""));
  EXPECT_LT(out.find(open), out.find("</body>"));
  // The rewritten links are the server's own, so nothing is tracked twice.
  EXPECT_THAT(TrackedLinks(out, kBase), IsEmpty());
  EXPECT_EQ(AddTracking("", kBase, kKey, "k"), "");
  EXPECT_THAT(AddTracking("<p>hi</p>", kBase, kKey, "k"), HasSubstr("<p>hi</p><img src="));
}

}  // namespace
}  // namespace winback::messages
