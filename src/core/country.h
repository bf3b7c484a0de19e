#pragma once

#include <optional>
#include <string_view>

namespace winback {

// True when `code` is one of the 249 officially assigned ISO 3166-1 alpha-2 country codes
// ("TR", "IR", "DE"), upper case. User-assigned codes (XX, ZZ) and exceptionally reserved ones
// (EU, UK, EL) are not countries.
bool IsCountryCode(std::string_view code);

// For a code that is not a country code but is often used as one, the country code meant:
// "UK" -> "GB", "EL" -> "GR"; for a lower-case code of a country, its upper case ("tr" -> "TR").
// Otherwise nullopt.
std::optional<std::string_view> CountryCodeHint(std::string_view code);

}  // namespace winback
