#include "messages/link_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "messages/internal/base64.h"
#include "testutil/status_matchers.h"

namespace winback::messages {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

std::string Repeat(unsigned char byte, std::size_t n) {
  return std::string(n, static_cast<char>(byte));
}

// RFC 4231 test case 5 is HMAC-SHA256 truncated to 128 bits, exactly our token tag.
TEST(SignTokenTest, TagIsRfc4231TruncatedVector) {
  const std::string token = SignToken(Repeat(0x0c, 20), "Test With Truncation");
  const std::size_t dot = token.rfind('.');
  ASSERT_NE(dot, std::string::npos);
  EXPECT_EQ(token.substr(0, dot), internal::Base64UrlEncode("Test With Truncation"));
  const std::optional<std::string> tag = internal::Base64UrlDecode(token.substr(dot + 1));
  ASSERT_TRUE(tag.has_value());
  std::string hex;
  for (const char c : *tag) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[static_cast<unsigned char>(c) >> 4];
    hex += kHex[static_cast<unsigned char>(c) & 15];
  }
  EXPECT_EQ(hex, "a3b6167473100ee06e0c796c2955552b");
}

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";

TEST(SignTokenTest, IsUrlSafe) {
  const std::string token = SignToken(kKey, std::string("u:42\xff\xfe?&/+=\0", 12));
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos)
      << token;
}

TEST(VerifyTokenTest, RoundTrips) {
  for (const std::string& payload : {std::string(), std::string("u:42"), std::string("a.b.c"),
                                     std::string("\0\x01\xff", 3), std::string(1000, 'x')}) {
    EXPECT_THAT(VerifyToken(kKey, SignToken(kKey, payload)), Optional(payload));
  }
}

TEST(VerifyTokenTest, RejectsWrongKey) {
  EXPECT_EQ(VerifyToken("another key of thirty-two bytes!", SignToken(kKey, "u:42")), std::nullopt);
}

TEST(VerifyTokenTest, RejectsEveryOneCharacterChange) {
  const std::string token = SignToken(kKey, "unsubscribe:customer=42");
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (const char c : std::string_view("Ab9-_.")) {
      if (token[i] == c) continue;
      std::string tampered = token;
      tampered[i] = c;
      EXPECT_EQ(VerifyToken(kKey, tampered), std::nullopt) << tampered;
    }
  }
}

TEST(VerifyTokenTest, RejectsTruncatedAndExtended) {
  const std::string token = SignToken(kKey, "u:42");
  for (std::size_t n = 0; n < token.size(); ++n) {
    EXPECT_EQ(VerifyToken(kKey, token.substr(0, n)), std::nullopt) << n;
  }
  EXPECT_EQ(VerifyToken(kKey, token + "A"), std::nullopt);
  EXPECT_EQ(VerifyToken(kKey, token + "="), std::nullopt);
  EXPECT_EQ(VerifyToken(kKey, "x" + token), std::nullopt);
}

TEST(VerifyTokenTest, RejectsGarbage) {
  for (const std::string_view garbage :
       {"", ".", "..", "abc", "a.b", "%%%.%%%", "dTo0Mg.", "dTo0Mg==.AAAAAAAAAAAAAAAAAAAAAA"}) {
    EXPECT_EQ(VerifyToken(kKey, garbage), std::nullopt) << garbage;
  }
}

TEST(VerifyTokenTest, RejectsPayloadSwap) {
  const std::string a = SignToken(kKey, "u:1");
  const std::string b = SignToken(kKey, "u:2");
  const std::string swapped = a.substr(0, a.find('.')) + b.substr(b.find('.'));
  EXPECT_EQ(VerifyToken(kKey, swapped), std::nullopt);
}

TEST(Base64UrlTest, RejectsNonCanonicalTrailingBits) {
  EXPECT_THAT(internal::Base64UrlDecode("QQ"), Optional(std::string("A")));
  EXPECT_EQ(internal::Base64UrlDecode("QR"), std::nullopt);
  EXPECT_EQ(internal::Base64UrlDecode("Q"), std::nullopt);
}

TEST(Base64Test, StandardAlphabetWithPadding) {
  EXPECT_EQ(internal::Base64Encode(""), "");
  EXPECT_EQ(internal::Base64Encode("f"), "Zg==");
  EXPECT_EQ(internal::Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(internal::Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(internal::Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(internal::Base64UrlEncode("\xfb\xff"), "-_8");
}

class SigningKeyFromEnvTest : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv("WINBACK_SIGNING_KEY"); }
};

TEST_F(SigningKeyFromEnvTest, ReadsTheVariable) {
  ASSERT_EQ(setenv("WINBACK_SIGNING_KEY", std::string(kKey).c_str(), 1), 0);
  EXPECT_THAT(SigningKeyFromEnv(), IsOk());
  EXPECT_EQ(*SigningKeyFromEnv(), kKey);
}

TEST_F(SigningKeyFromEnvTest, UnsetIsFailedPrecondition) {
  unsetenv("WINBACK_SIGNING_KEY");
  EXPECT_THAT(SigningKeyFromEnv(),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("WINBACK_SIGNING_KEY")));
}

TEST_F(SigningKeyFromEnvTest, ShortKeyIsFailedPreconditionWithoutTheKey) {
  ASSERT_EQ(setenv("WINBACK_SIGNING_KEY", "hunter2-secret", 1), 0);
  const Result<std::string> key = SigningKeyFromEnv();
  EXPECT_THAT(key, StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("WINBACK_SIGNING_KEY")));
  EXPECT_THAT(key.status().message(), Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace winback::messages
