#include "core/utf8.h"

#include <gtest/gtest.h>

#include <optional>
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

TEST(Utf8Test, FindsCodePointsNotAllowedInIds) {
  EXPECT_FALSE(FindDisallowedInId("c-1 Ayşe سلام 🎉"));
  EXPECT_FALSE(FindDisallowedInId(""));
  struct Case {
    std::string text;
    char32_t code_point;
    std::size_t offset;
  };
  const Case cases[] = {
      {"a\tb", 0x09, 1},              // C0 control.
      {"ab\x7F", 0x7F, 2},            // DEL.
      {"x\xC2\x85", 0x85, 1},         // NEL, a C1 control.
      {"\xC2\x9F", 0x9F, 0},          // The last C1 control.
      {"c1\xE2\x80\x8B", 0x200B, 2},  // Zero width space.
      {"c\xE2\x80\x8D"
       "1",
       0x200D, 1},                    // Zero width joiner.
      {"c1\xE2\x81\xA0", 0x2060, 2},  // Word joiner.
      {"\xEF\xBB\xBF"
       "c1",
       0xFEFF, 0},                   // Zero width no-break space (BOM).
      {"c\xE2\x80\xAA", 0x202A, 1},  // Left-to-right embedding.
      {"c\xE2\x80\xAE"
       "1",
       0x202E, 1},                   // Right-to-left override.
      {"c\xE2\x81\xA6", 0x2066, 1},  // Left-to-right isolate.
      {"c\xE2\x81\xA9", 0x2069, 1},  // Pop directional isolate.
      {"c\xE2\x80\x8F", 0x200F, 1},  // Right-to-left mark.
      {"c\xD8\x9C", 0x061C, 1},      // Arabic letter mark.
      {"c\xC2\xAD", 0x00AD, 1},      // Soft hyphen.
      {"c\xE2\x80\xA8", 0x2028, 1},  // Line separator.
  };
  for (const Case& c : cases) {
    const std::optional<CodePointAt> found = FindDisallowedInId(c.text);
    ASSERT_TRUE(found) << c.text;
    EXPECT_EQ(found->code_point, c.code_point) << c.text;
    EXPECT_EQ(found->offset, c.offset) << c.text;
  }
  // Neighbours of the forbidden ranges are allowed: U+00A0, U+200A, U+2027, U+2030, U+FEFE,
  // U+061B (Arabic semicolon).
  EXPECT_FALSE(
      FindDisallowedInId("\xC2\xA0\xE2\x80\x8A\xE2\x80\xA7\xE2\x80\xB0\xEF\xBB\xBE\xD8\x9B"));
  EXPECT_EQ(FormatCodePoint(0x200B), "U+200B");
  EXPECT_EQ(FormatCodePoint(0x85), "U+0085");
  EXPECT_EQ(FormatCodePoint(0x1F389), "U+1F389");
}

}  // namespace
}  // namespace winback

namespace winback {
namespace {

TEST(AppendUtf8Test, EncodesEveryLength) {
  std::string out;
  for (char32_t cp : {U'A', U'\u00fc', U'\u0130', U'\u0644', U'\u20ac', U'\U0001F600'}) {
    AppendUtf8(out, cp);
  }
  EXPECT_EQ(out, "A\xC3\xBC\xC4\xB0\xD9\x84\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_TRUE(IsValidUtf8(out));
}

}  // namespace
}  // namespace winback
