#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace winback::sim::internal {

// The static tables the simulator draws customers from: countries, cities with their IANA
// zones, names in their own scripts (with an ASCII form for e-mail addresses) and short texts
// per language. Plain constant data; safe to read from any thread.

struct NamePair {
  std::string_view native;  // UTF-8 as written in the country: "Ayşe", "فاطمه"
  std::string_view ascii;   // lower-case ASCII for e-mail local parts: "ayse", "fatemeh"
};

enum class Language : int { kTr = 0, kFa = 1, kEn = 2 };
inline constexpr std::size_t kLanguageCount = 3;

struct Country {
  std::string_view code;  // ISO 3166-1 alpha-2
  Language language;
  std::string_view language_code;  // "tr", "fa", "en"
  double share;                    // of all customers
  std::span<const NamePair> female;
  std::span<const NamePair> male;
  std::span<const NamePair> last;
  double consent_email;  // P(yes | has an e-mail address)
  double consent_sms;    // P(yes | has a phone)
  double consent_whatsapp;
};

struct City {
  std::size_t country;  // index into Countries()
  std::string_view region;
  std::string_view name;
  std::string_view zone;   // IANA time zone
  std::string_view phone;  // E.164 prefix of mobile numbers here, e.g. "+905"
  int phone_digits;        // random digits after the prefix
  double weight;           // share within the country
};

std::span<const Country> Countries();
std::span<const City> Cities();

// Short free texts, by language. Every entry is valid UTF-8; a few hold commas or quotes on
// purpose, so the CSV quoting of importers is exercised.
enum class TextKind : int {
  kChat = 0,
  kComplaint,
  kReviewGood,     // scores 4-5
  kReviewNeutral,  // score 3
  kReviewBad,      // scores 1-2
  kCount,
};
std::span<const std::string_view> Texts(Language language, TextKind kind);

// Exit reasons of the events format, in this order: price, service, selection, feature, moved,
// other.
inline constexpr std::size_t kExitReasonCount = 6;
std::string_view ExitReasonName(std::size_t reason);
std::span<const std::string_view> ExitTexts(Language language, std::size_t reason);

// Feature keys customers ask for (exit reason "feature").
std::span<const std::string_view> FeatureKeys();

}  // namespace winback::sim::internal
