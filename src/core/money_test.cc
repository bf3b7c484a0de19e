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

}  // namespace
}  // namespace winback
