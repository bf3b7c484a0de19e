#include "core/money.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

namespace winback {
namespace {

struct CurrencyInfo {
  const char* code;
  int exponent;
};

// Active ISO 4217 codes and their minor units (ISO 4217 list one), sorted by code.
constexpr std::array<CurrencyInfo, 159> kCurrencies = {{
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2},
    {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2},
    {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2},
    {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2},
    {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0},
    {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2},
    {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2},
    {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2},
    {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2},
    {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2},
    {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2},
    {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2},
    {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2},
    {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2},
    {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0},
    {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWL", 2},
}};

}  // namespace

Result<Currency> Currency::FromCode(std::string_view code) {
  if (code.size() == 3) {
    auto it = std::lower_bound(
        kCurrencies.begin(), kCurrencies.end(), code,
        [](const CurrencyInfo& c, std::string_view k) { return std::string_view(c.code, 3) < k; });
    if (it != kCurrencies.end() && std::string_view(it->code, 3) == code) {
      return Currency(it->code, it->exponent);
    }
  }
  std::string msg = "'";
  msg.append(code.substr(0, 16));
  msg += "' is not an ISO 4217 currency code";
  if (code.size() == 3) {
    std::string upper(code);
    for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    if (upper != code && FromCode(upper).ok()) msg += " (codes are upper case: " + upper + ")";
  }
  return InvalidArgumentError(std::move(msg));
}

Result<std::int64_t> ParseMinorUnits(std::string_view text, const Currency& currency) {
  auto bad = [&](std::string_view why) {
    std::string m = "'";
    m.append(text.substr(0, 32));
    m += "' ";
    m.append(why);
    return InvalidArgumentError(std::move(m));
  };
  if (text.empty()) return bad("is not an amount (empty)");
  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    pos = 1;
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t value = 0;
  std::size_t int_digits = 0;
  for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++int_digits) {
    const int digit = text[pos] - '0';
    if (value > (kMax - digit) / 10) return bad("is too large an amount");
    value = value * 10 + digit;
  }
  std::size_t frac_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++frac_digits) {
      const int digit = text[pos] - '0';
      if (static_cast<int>(frac_digits) >= currency.exponent()) {
        if (digit != 0) {
          return bad("has more decimal places than " + std::string(currency.code()) + " allows (" +
                     std::to_string(currency.exponent()) + ")");
        }
        continue;
      }
      if (value > (kMax - digit) / 10) return bad("is too large an amount");
      value = value * 10 + digit;
    }
    if (frac_digits == 0) return bad("is not an amount (no digits after the point)");
  }
  if (pos != text.size() || int_digits == 0) {
    return bad("is not an amount (expected digits with an optional '.' and decimals)");
  }
  for (int i = std::min(static_cast<int>(frac_digits), currency.exponent());
       i < currency.exponent(); ++i) {
    if (value > kMax / 10) return bad("is too large an amount");
    value *= 10;
  }
  return negative ? -value : value;
}

std::string FormatMinorUnits(std::int64_t minor, const Currency& currency) {
  const bool negative = minor < 0;
  // Work in unsigned to format INT64_MIN without overflow.
  std::uint64_t v =
      negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  std::string digits = std::to_string(v);
  const auto e = static_cast<std::size_t>(currency.exponent());
  if (e > 0) {
    if (digits.size() <= e) digits.insert(0, e - digits.size() + 1, '0');
    digits.insert(digits.size() - e, 1, '.');
  }
  return negative ? "-" + digits : digits;
}

namespace {

// Inserts a comma every three digits from the right into a run of digits.
std::string GroupDigits(std::string_view digits) {
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Groups the whole part of a plain decimal ("-1234.50" -> "-1,234.50").
std::string GroupDecimal(std::string_view plain) {
  const std::string_view sign = plain.starts_with('-') ? "-" : "";
  const std::string_view body = plain.substr(sign.size());
  const std::size_t dot = body.find('.');
  const std::string_view whole = body.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : body.substr(dot);
  return std::string(sign) + GroupDigits(whole) + std::string(fraction);
}

}  // namespace

std::string FormatCount(std::int64_t n) { return GroupDecimal(std::to_string(n)); }

std::string FormatMoney(const Money& money, DigitGrouping grouping) {
  std::string plain = FormatMinorUnits(money.minor, money.currency);
  return grouping == DigitGrouping::kThousands ? GroupDecimal(plain) : plain;
}

std::string FormatMoney(std::int64_t minor, std::string_view currency_code,
                        DigitGrouping grouping) {
  Result<Currency> currency = Currency::FromCode(currency_code);
  if (currency.ok()) return FormatMoney(Money{minor, *currency}, grouping);
  return grouping == DigitGrouping::kThousands ? FormatCount(minor) : std::to_string(minor);
}

}  // namespace winback
