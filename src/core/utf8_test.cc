#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace winback {
namespace {

TEST(Utf8Test, AcceptsTurkishAndPersian) {
  EXPECT_TRUE(IsValidUtf8("İstanbul ığdır şeker Ğ"));
  EXPECT_TRUE(IsValidUtf8("سلام دنیا، مشتری گرامی"));
  EXPECT_TRUE(IsValidUtf8("emoji 🎉 and plain ASCII text longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(Utf8Test, RejectsMalformedWithOffset) {
  std::size_t at = 0;
  EXPECT_FALSE(IsValidUtf8(std::string("abcdefghij\xC3"), &at));  // Truncated.
  EXPECT_EQ(at, 10u);
  EXPECT_FALSE(IsValidUtf8(std::string("a\xC0\xAF"), &at));  // Overlong '/'.
  EXPECT_EQ(at, 1u);
  EXPECT_FALSE(IsValidUtf8(std::string("\xED\xA0\x80")));      // Surrogate U+D800.
  EXPECT_FALSE(IsValidUtf8(std::string("\xF4\x90\x80\x80")));  // Above U+10FFFF.
  EXPECT_FALSE(IsValidUtf8(std::string("\xFF")));
  EXPECT_FALSE(IsValidUtf8(std::string("ok \x80 no")));  // Stray continuation byte.
}

}  // namespace
}  // namespace winback
