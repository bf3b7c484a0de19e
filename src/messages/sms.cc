#include "messages/sms.h"

#include <vector>

namespace winback::messages {
namespace {

// GSM 03.38 default alphabet, the 128 code points in table order (0x1B, the escape to the
// extension table, is not a character a text can contain and is left out as U+FFFF).
constexpr char32_t kGsmBasic[128] = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç',  U'\n', U'Ø', U'ø',   U'\r', U'Å',
    U'å', U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ',  U'Θ',  U'Ξ', 0xFFFF, U'Æ',  U'æ',
    U'ß', U'É', U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(',  U')', U'*',   U'+',  U',',
    U'-', U'.', U'/', U'0', U'1', U'2', U'3', U'4', U'5', U'6',  U'7',  U'8', U'9',   U':',  U';',
    U'<', U'=', U'>', U'?', U'¡', U'A', U'B', U'C', U'D', U'E',  U'F',  U'G', U'H',   U'I',  U'J',
    U'K', U'L', U'M', U'N', U'O', U'P', U'Q', U'R', U'S', U'T',  U'U',  U'V', U'W',   U'X',  U'Y',
    U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§', U'¿', U'a', U'b', U'c',  U'd',  U'e', U'f',   U'g',  U'h',
    U'i', U'j', U'k', U'l', U'm', U'n', U'o', U'p', U'q', U'r',  U's',  U't', U'u',   U'v',  U'w',
    U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à',
};

// The extension table: each is sent as escape + code, 2 septets.
constexpr char32_t kGsmExtension[] = {U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

// Septets for `c` in GSM-7: 1 (default alphabet), 2 (extension table) or 0 (not GSM-7).
int GsmSeptets(char32_t c) {
  for (const char32_t g : kGsmBasic) {
    if (g == c) return 1;
  }
  for (const char32_t g : kGsmExtension) {
    if (g == c) return 2;
  }
  return 0;
}

// Decodes one code point at `i`, advancing it; invalid sequences give U+FFFD, one byte each.
char32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(s[at]); };
  const unsigned char c = byte(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1FU;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0FU;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07U;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char cc = byte(i + k);
    if ((cc & 0xC0U) != 0x80U) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3FU);
  }
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += len;
  return cp;
}

// Segments for characters of `widths` units each: one segment when the total fits `single`,
// else greedy packing into segments of `multi` units that never split a character.
int PackSegments(const std::vector<int>& widths, int total, int single, int multi) {
  if (total == 0) return 0;
  if (total <= single) return 1;
  int segments = 1;
  int used = 0;
  for (const int w : widths) {
    if (used + w > multi) {
      ++segments;
      used = 0;
    }
    used += w;
  }
  return segments;
}

}  // namespace

SmsSegments CountSmsSegments(std::string_view utf8) {
  std::vector<int> septets;
  std::vector<int> utf16;
  septets.reserve(utf8.size());
  utf16.reserve(utf8.size());
  bool gsm = true;
  for (std::size_t i = 0; i < utf8.size();) {
    const char32_t c = NextCodePoint(utf8, i);
    const int s = GsmSeptets(c);
    if (s == 0) gsm = false;
    septets.push_back(s);
    utf16.push_back(c > 0xFFFF ? 2 : 1);
  }
  SmsSegments out;
  const std::vector<int>& widths = gsm ? septets : utf16;
  int total = 0;
  for (const int w : widths) total += w;
  out.encoding = gsm ? SmsSegments::Encoding::kGsm7 : SmsSegments::Encoding::kUcs2;
  out.units = total;
  out.segments = gsm ? PackSegments(widths, total, 160, 153) : PackSegments(widths, total, 70, 67);
  return out;
}

}  // namespace winback::messages
