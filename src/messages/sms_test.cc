#include "messages/sms.h"

#include <gtest/gtest.h>

#include <string>

namespace winback::messages {
namespace {

using Encoding = SmsSegments::Encoding;

std::string Times(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

void ExpectCount(std::string_view text, Encoding encoding, int units, int segments) {
  const SmsSegments got = CountSmsSegments(text);
  EXPECT_EQ(got.encoding, encoding) << text;
  EXPECT_EQ(got.units, units) << text;
  EXPECT_EQ(got.segments, segments) << text;
}

TEST(CountSmsSegmentsTest, EmptyTextIsNoSegment) { ExpectCount("", Encoding::kGsm7, 0, 0); }

TEST(CountSmsSegmentsTest, GsmSingleSegmentHolds160) {
  ExpectCount(Times("a", 160), Encoding::kGsm7, 160, 1);
  ExpectCount(Times("a", 161), Encoding::kGsm7, 161, 2);
}

TEST(CountSmsSegmentsTest, GsmLongTextUses153PerSegment) {
  ExpectCount(Times("a", 306), Encoding::kGsm7, 306, 2);
  ExpectCount(Times("a", 307), Encoding::kGsm7, 307, 3);
}

TEST(CountSmsSegmentsTest, WholeDefaultAlphabetIsGsm7) {
  const std::string all =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  ExpectCount(all, Encoding::kGsm7, 127, 1);
}

TEST(CountSmsSegmentsTest, ExtensionCharactersCountTwo) {
  ExpectCount("€", Encoding::kGsm7, 2, 1);
  ExpectCount("^{}\\[~]|€\f", Encoding::kGsm7, 20, 1);
  ExpectCount(Times("€", 80), Encoding::kGsm7, 160, 1);
  ExpectCount(Times("€", 80) + "a", Encoding::kGsm7, 161, 2);
}

TEST(CountSmsSegmentsTest, ExtensionCharacterIsNotSplitBetweenSegments) {
  // 152 septets, then an extension character: it does not fit in the first 153 and moves on.
  ExpectCount(Times("a", 152) + "€" + Times("a", 152), Encoding::kGsm7, 306, 3);
  ExpectCount(Times("a", 151) + "€" + Times("a", 153), Encoding::kGsm7, 306, 2);
}

TEST(CountSmsSegmentsTest, TurkishCedillaSIsUcs2) {
  ExpectCount("Sizi özledik, ş", Encoding::kUcs2, 15, 1);
  ExpectCount(Times("ş", 70), Encoding::kUcs2, 70, 1);
  ExpectCount(Times("ş", 71), Encoding::kUcs2, 71, 2);
  ExpectCount(Times("ş", 134), Encoding::kUcs2, 134, 2);
  ExpectCount(Times("ş", 135), Encoding::kUcs2, 135, 3);
}

TEST(CountSmsSegmentsTest, PersianIsUcs2) {
  // 21 characters: 18 letters and 3 spaces.
  ExpectCount("دلمان برایتان تنگ شده", Encoding::kUcs2, 21, 1);
}

TEST(CountSmsSegmentsTest, EmojiCountTwoUnitsAndAreNotSplit) {
  ExpectCount("😀", Encoding::kUcs2, 2, 1);
  ExpectCount(Times("😀", 35), Encoding::kUcs2, 70, 1);
  // 66 units, then a surrogate pair that does not fit in 67.
  ExpectCount(Times("a", 66) + "😀" + Times("a", 4), Encoding::kUcs2, 72, 2);
  ExpectCount(Times("a", 66) + "😀" + Times("a", 66), Encoding::kUcs2, 134, 3);
}

TEST(CountSmsSegmentsTest, InvalidUtf8CountsAsReplacementCharacter) {
  ExpectCount("a\xff", Encoding::kUcs2, 2, 1);
}

}  // namespace
}  // namespace winback::messages
