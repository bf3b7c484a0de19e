#include "core/hmac.h"

#include <gtest/gtest.h>

#include <string>

namespace winback {
namespace {

std::string Repeat(unsigned char byte, std::size_t n) {
  return std::string(n, static_cast<char>(byte));
}

// RFC 4231 section 4: HMAC-SHA256 test cases 1-4, 6 and 7 (case 5 is the truncated one below).
TEST(HmacSha256HexTest, Rfc4231Vectors) {
  EXPECT_EQ(HmacSha256Hex(Repeat(0x0b, 20), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex(Repeat(0xaa, 20), Repeat(0xdd, 50)),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  EXPECT_EQ(HmacSha256Hex(key4, Repeat(0xcd, 50)),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(
      HmacSha256Hex(Repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HmacSha256Hex(Repeat(0xaa, 131),
                          "This is a test using a larger than block-size key and a larger than "
                          "block-size data. The key needs to be hashed before being used by the "
                          "HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// RFC 2202 test cases 1 and 2 (hex b617318655057264e28bc0b6fb378c8ef146be00 and
// effcdf6ae5eb2fa2d27416d5f184df9c259a7c79), base64-encoded; and Twilio's documented example
// of a request signature (URL followed by the sorted POST parameters, auth token "12345").
TEST(HmacSha1Base64Test, Rfc2202AndTwilioVectors) {
  EXPECT_EQ(HmacSha1Base64(std::string(20, '\x0b'), "Hi There"), "thcxhlUFcmTii8C2+zeMjvFGvgA=");
  EXPECT_EQ(HmacSha1Base64("Jefe", "what do ya want for nothing?"), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
  EXPECT_EQ(HmacSha1Base64("12345",
                           "https://mycompany.com/myapp.php?foo=1&bar=2"
                           "CallSidCA1234567890ABCDECaller+12349013030Digits1234"
                           "From+12349013030To+18005551212"),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
}

TEST(ConstantTimeEqualTest, SameBytesOnly) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret!"));
  EXPECT_FALSE(ConstantTimeEqual("", "x"));
}

}  // namespace
}  // namespace winback
