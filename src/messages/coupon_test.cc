#include "messages/coupon.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <unordered_set>

#include "testutil/status_matchers.h"

namespace winback::messages {
namespace {

using ::testing::HasSubstr;

TEST(NewCouponCodeTest, DefaultIsTenSymbolsFromTheAlphabet) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::string code, NewCouponCode());
  EXPECT_EQ(code.size(), 10U);
  for (const char c : code) EXPECT_NE(kCouponAlphabet.find(c), std::string_view::npos) << c;
}

TEST(NewCouponCodeTest, AlphabetHasNoLookAlikes) {
  EXPECT_EQ(kCouponAlphabet.size(), 32U);
  for (const char c : std::string_view("01OI")) {
    EXPECT_EQ(kCouponAlphabet.find(c), std::string_view::npos) << c;
  }
}

TEST(NewCouponCodeTest, HonoursLength) {
  for (int length : {8, 12, 64}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(std::string code, NewCouponCode(length));
    EXPECT_EQ(code.size(), static_cast<std::size_t>(length));
  }
}

TEST(NewCouponCodeTest, RejectsFewerThanFortyBits) {
  EXPECT_THAT(NewCouponCode(7),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("at least 40 bits")));
  EXPECT_THAT(NewCouponCode(0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(NewCouponCode(-3), StatusIs(StatusCode::kInvalidArgument));
}

TEST(NewCouponCodeTest, RejectsOverlongCodes) {
  EXPECT_THAT(NewCouponCode(kMaxCouponLength + 1), StatusIs(StatusCode::kInvalidArgument));
}

// 100k codes of 50 bits: the chance of any duplicate is about n^2 / 2^51 = 4e-6.
// Over the 1M symbols each of the 32 symbols is expected 31250 times; the chi-square statistic
// has 31 degrees of freedom (mean 31, sd 7.9) and exceeds 90 with probability below 1e-9.
TEST(NewCouponCodeTest, HundredThousandCodesAreDistinctAndUniform) {
  constexpr int kCodes = 100'000;
  std::unordered_set<std::string> seen;
  seen.reserve(kCodes);
  std::array<long, 32> counts{};
  for (int i = 0; i < kCodes; ++i) {
    WINBACK_ASSERT_OK_AND_ASSIGN(std::string code, NewCouponCode());
    ASSERT_TRUE(seen.insert(code).second) << "duplicate " << code;
    for (const char c : code) ++counts[kCouponAlphabet.find(c)];
  }
  const double expected = kCodes * 10.0 / 32.0;
  double chi2 = 0;
  for (const long count : counts) {
    const double d = static_cast<double>(count) - expected;
    chi2 += d * d / expected;
  }
  EXPECT_LT(chi2, 90.0);
}

}  // namespace
}  // namespace winback::messages
