#include "core/money.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testutil/status_matchers.h"

namespace winback {
namespace {

using ::testing::HasSubstr;

Currency C(std::string_view code) { return *Currency::FromCode(code); }

TEST(CurrencyTest, KnowsExponents) {
  EXPECT_EQ(C("USD").exponent(), 2);
  EXPECT_EQ(C("JPY").exponent(), 0);
  EXPECT_EQ(C("KWD").exponent(), 3);
  EXPECT_EQ(C("TRY").exponent(), 2);
  EXPECT_EQ(C("IRR").exponent(), 2);
  EXPECT_EQ(C("CLF").exponent(), 4);
}

TEST(CurrencyTest, RejectsUnknownAndLowerCase) {
  EXPECT_THAT(Currency::FromCode("XYZ"),
              StatusIsWith(StatusCode::kInvalidArgument, "'XYZ' is not an ISO 4217 currency code"));
  EXPECT_THAT(Currency::FromCode("usd"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("upper case: USD")));
  EXPECT_THAT(Currency::FromCode(""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(MoneyTest, ParsesExactly) {
  EXPECT_EQ(*ParseMinorUnits("12.34", C("USD")), 1234);
  EXPECT_EQ(*ParseMinorUnits("12.3", C("USD")), 1230);
  EXPECT_EQ(*ParseMinorUnits("12", C("USD")), 1200);
  EXPECT_EQ(*ParseMinorUnits("0.10", C("USD")), 10);
  EXPECT_EQ(*ParseMinorUnits("-0.99", C("USD")), -99);
  EXPECT_EQ(*ParseMinorUnits("1500", C("JPY")), 1500);
  EXPECT_EQ(*ParseMinorUnits("1.234", C("KWD")), 1234);
  EXPECT_EQ(*ParseMinorUnits("12.340", C("USD")), 1234);  // Trailing zeros are exact.
  // 0.1 + 0.2 style float drift cannot happen: the value is built from digits.
  EXPECT_EQ(*ParseMinorUnits("92233720368547758.07", C("USD")), INT64_MAX);
}

TEST(MoneyTest, RejectsWithReason) {
  EXPECT_THAT(ParseMinorUnits("12.345", C("USD")),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "'12.345' has more decimal places than USD allows (2)"));
  EXPECT_THAT(ParseMinorUnits("1.5", C("JPY")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMinorUnits("1,234.00", C("USD")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMinorUnits("1e3", C("USD")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMinorUnits("", C("USD")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMinorUnits(".5", C("USD")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMinorUnits("5.", C("USD")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMinorUnits("92233720368547758.08", C("USD")),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("too large")));
}

TEST(MoneyTest, Formats) {
  EXPECT_EQ(FormatMinorUnits(1234, C("USD")), "12.34");
  EXPECT_EQ(FormatMinorUnits(5, C("USD")), "0.05");
  EXPECT_EQ(FormatMinorUnits(-5, C("USD")), "-0.05");
  EXPECT_EQ(FormatMinorUnits(1500, C("JPY")), "1500");
  EXPECT_EQ(FormatMinorUnits(1, C("KWD")), "0.001");
  EXPECT_EQ(FormatMinorUnits(INT64_MIN, C("USD")), "-92233720368547758.08");
}

TEST(MoneyTest, FormatsCounts) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1'000), "1,000");
  EXPECT_EQ(FormatCount(1'234'567), "1,234,567");
  EXPECT_EQ(FormatCount(-1'234), "-1,234");
  EXPECT_EQ(FormatCount(-999), "-999");
  EXPECT_EQ(FormatCount(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST(MoneyTest, FormatsMoneyForPeople) {
  EXPECT_EQ(FormatMoney(Money{123'456'789, C("USD")}), "1234567.89");
  EXPECT_EQ(FormatMoney(Money{123'456'789, C("USD")}, DigitGrouping::kThousands), "1,234,567.89");
  EXPECT_EQ(FormatMoney(Money{-5, C("USD")}, DigitGrouping::kThousands), "-0.05");
  EXPECT_EQ(FormatMoney(Money{-123'456, C("USD")}, DigitGrouping::kThousands), "-1,234.56");
  EXPECT_EQ(FormatMoney(Money{1'500'000, C("JPY")}, DigitGrouping::kThousands), "1,500,000");
  EXPECT_EQ(FormatMoney(Money{1'234'567, C("KWD")}, DigitGrouping::kThousands), "1,234.567");
  EXPECT_EQ(FormatMoney(Money{INT64_MIN, C("USD")}, DigitGrouping::kThousands),
            "-92,233,720,368,547,758.08");
  // By code, as the store carries it; an unknown or empty code prints the minor units.
  EXPECT_EQ(FormatMoney(123'456, "USD"), "1234.56");
  EXPECT_EQ(FormatMoney(123'456, "USD", DigitGrouping::kThousands), "1,234.56");
  EXPECT_EQ(FormatMoney(1'234, ""), "1234");
  EXPECT_EQ(FormatMoney(1'234, "", DigitGrouping::kThousands), "1,234");
  EXPECT_EQ(FormatMoney(1'234, "usd"), "1234");
}

}  // namespace
}  // namespace winback
