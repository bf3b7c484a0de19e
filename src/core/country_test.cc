#include "core/country.h"

#include <gtest/gtest.h>

namespace winback {
namespace {

TEST(CountryTest, KnowsAssignedCodesOnly) {
  for (std::string_view c : {"TR", "IR", "DE", "GB", "US", "AD", "ZW", "SS", "XK"}) {
    if (c == "XK") {
      // Kosovo's XK is user-assigned, not in ISO 3166-1.
      EXPECT_FALSE(IsCountryCode(c));
      continue;
    }
    EXPECT_TRUE(IsCountryCode(c)) << c;
  }
  for (std::string_view c : {"XX", "EU", "UK", "EL", "ZZ", "AA", "tr", "T", "TUR", ""}) {
    EXPECT_FALSE(IsCountryCode(c)) << c;
  }
}

TEST(CountryTest, HintsTheCodeMeant) {
  EXPECT_EQ(CountryCodeHint("UK"), "GB");
  EXPECT_EQ(CountryCodeHint("EL"), "GR");
  EXPECT_EQ(CountryCodeHint("tr"), "TR");
  EXPECT_EQ(CountryCodeHint("Ir"), "IR");
  EXPECT_EQ(CountryCodeHint("XX"), std::nullopt);
  EXPECT_EQ(CountryCodeHint("EU"), std::nullopt);
  EXPECT_EQ(CountryCodeHint("TR"), std::nullopt);
  EXPECT_EQ(CountryCodeHint("xx"), std::nullopt);
}

}  // namespace
}  // namespace winback
