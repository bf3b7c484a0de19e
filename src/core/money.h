#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace winback {

// An ISO 4217 currency: its three-letter code and minor-unit exponent (USD 2, JPY 0, KWD 3).
// Value type; compares by code.
class Currency {
 public:
  // Returns InvalidArgument for a code that is not an active ISO 4217 currency. Codes are
  // upper case; "usd" is rejected so that stored codes are canonical.
  static Result<Currency> FromCode(std::string_view code);

  std::string_view code() const { return {code_, 3}; }
  // Number of decimal places of the minor unit.
  int exponent() const { return exponent_; }

  friend bool operator==(const Currency& a, const Currency& b) { return a.code() == b.code(); }

 private:
  Currency(const char* code, int exponent) : exponent_(exponent) {
    code_[0] = code[0];
    code_[1] = code[1];
    code_[2] = code[2];
  }
  char code_[3];
  int exponent_;
};

// An amount of money in integer minor units of its currency. Money is never a float in winback:
// 12.34 USD is {1234, USD}.
struct Money {
  std::int64_t minor = 0;
  Currency currency;
};

// Parses a decimal amount ("12", "12.5", "-0.99", "1234.567") into minor units of `currency`,
// exactly. Returns InvalidArgument for anything that is not a plain decimal, for more decimal
// places than the currency has (12.345 USD), and for amounts beyond +-9.2e18 minor units.
// Thousands separators and exponents are rejected, so no locale can change a value.
Result<std::int64_t> ParseMinorUnits(std::string_view text, const Currency& currency);

// Formats minor units as a plain decimal with exactly `currency.exponent()` places: "12.50".
// The form for files and JSON, read back by ParseMinorUnits.
std::string FormatMinorUnits(std::int64_t minor, const Currency& currency);

// Whether FormatMoney and FormatCount separate thousands with commas.
enum class DigitGrouping : std::uint8_t { kNone, kThousands };

// An integer with thousands separators: 1234567 -> "1,234,567", -1234 -> "-1,234".
std::string FormatCount(std::int64_t n);

// The one formatter of money for people (reports, the command line): the amount with exactly
// `exponent()` decimals, without a currency code, and with DigitGrouping::kThousands a comma
// every three whole digits: {123456789, USD} -> "1234567.89" or "1,234,567.89"; JPY 1500000
// -> "1,500,000". Every int64 formats, INT64_MIN included.
std::string FormatMoney(const Money& money, DigitGrouping grouping = DigitGrouping::kNone);

// The same for a currency given by its code, as the store and reports carry it. A code that is
// not an ISO 4217 currency (the empty code of a store without orders) prints the integer
// `minor` with the same grouping.
std::string FormatMoney(std::int64_t minor, std::string_view currency_code,
                        DigitGrouping grouping = DigitGrouping::kNone);

}  // namespace winback
