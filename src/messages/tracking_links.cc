#include "messages/tracking_links.h"

#include <cctype>
#include <charconv>

#include "core/utf8.h"
#include "messages/link_token.h"

namespace winback::messages {
namespace {

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != Lower(prefix[i])) return false;
  }
  return true;
}

// Decodes the entities an HTML escaper writes; anything else is kept as written.
std::string DecodeEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    const std::size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    if (name == "amp") {
      out.push_back('&');
    } else if (name == "lt") {
      out.push_back('<');
    } else if (name == "gt") {
      out.push_back('>');
    } else if (name == "quot") {
      out.push_back('"');
    } else if (name == "apos") {
      out.push_back('\'');
    } else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      std::uint32_t cp = 0;
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || cp == 0 ||
          cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        out.push_back('&');
        continue;
      }
      AppendUtf8(out, cp);
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

// One href attribute value of an <a> element: where its raw value sits in the HTML.
struct Href {
  std::size_t begin = 0;  // The first byte of the value (inside the quotes).
  std::size_t end = 0;    // One past its last byte.
  std::string url;        // Decoded.
};

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == ':';
}

// The href values of every <a> element, in order. Tags are read attribute by attribute, so an
// "href=" inside another attribute's quoted value is not mistaken for one.
std::vector<Href> FindHrefs(std::string_view html) {
  std::vector<Href> out;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    ++i;
    if (html.substr(i, 3) == "!--") {
      const std::size_t close = html.find("-->", i);
      if (close == std::string_view::npos) break;
      i = close + 3;
      continue;
    }
    const bool is_a = i < html.size() && (html[i] == 'a' || html[i] == 'A') &&
                      i + 1 < html.size() &&
                      std::isspace(static_cast<unsigned char>(html[i + 1])) != 0;
    std::size_t p = i;
    while (p < html.size() && IsNameChar(html[p])) ++p;
    // Attributes until '>'.
    while (p < html.size() && html[p] != '>') {
      if (std::isspace(static_cast<unsigned char>(html[p])) != 0 || html[p] == '/') {
        ++p;
        continue;
      }
      const std::size_t name_begin = p;
      while (p < html.size() && html[p] != '=' && html[p] != '>' &&
             std::isspace(static_cast<unsigned char>(html[p])) == 0) {
        ++p;
      }
      const std::string_view name = html.substr(name_begin, p - name_begin);
      while (p < html.size() && std::isspace(static_cast<unsigned char>(html[p])) != 0) ++p;
      if (p >= html.size() || html[p] != '=') continue;
      ++p;
      while (p < html.size() && std::isspace(static_cast<unsigned char>(html[p])) != 0) ++p;
      if (p >= html.size()) break;
      std::size_t vbegin = p;
      std::size_t vend = p;
      if (html[p] == '"' || html[p] == '\'') {
        const char quote = html[p];
        vbegin = p + 1;
        vend = html.find(quote, vbegin);
        if (vend == std::string_view::npos) return out;
        p = vend + 1;
      } else {
        while (p < html.size() && html[p] != '>' &&
               std::isspace(static_cast<unsigned char>(html[p])) == 0) {
          ++p;
        }
        vend = p;
      }
      if (is_a && name.size() == 4 && StartsWithNoCase(name, "href")) {
        out.push_back(Href{vbegin, vend, DecodeEntities(html.substr(vbegin, vend - vbegin))});
      }
    }
    i = p;
  }
  return out;
}

bool Tracked(const std::string& url, std::string_view base_url) {
  if (!StartsWithNoCase(url, "http://") && !StartsWithNoCase(url, "https://")) return false;
  if (!base_url.empty() && url.starts_with(base_url)) return false;
  return !HasControl(url);
}

}  // namespace

std::optional<TrackingPayload> ParseTrackingPayload(std::string_view payload) {
  TrackingPayload out;
  if (payload.starts_with("o\n")) {
    out.kind = TrackingPayload::Kind::kOpen;
    payload.remove_prefix(2);
  } else if (payload.starts_with("c\n")) {
    out.kind = TrackingPayload::Kind::kClick;
    payload.remove_prefix(2);
    const std::size_t nl = payload.find('\n');
    if (nl == std::string_view::npos || nl == 0 || nl > 6) return std::nullopt;
    for (std::size_t i = 0; i < nl; ++i) {
      if (payload[i] < '0' || payload[i] > '9') return std::nullopt;
    }
    auto [end, ec] = std::from_chars(payload.data(), payload.data() + nl, out.link);
    if (ec != std::errc() || end != payload.data() + nl) return std::nullopt;
    payload.remove_prefix(nl + 1);
  }
  if (payload.empty() || HasControl(payload)) return std::nullopt;
  out.key = std::string(payload);
  return out;
}

std::string OpenPayload(std::string_view key) { return "o\n" + std::string(key); }

std::string ClickPayload(std::string_view key, std::int64_t link) {
  return "c\n" + std::to_string(link) + "\n" + std::string(key);
}

std::vector<std::string> TrackedLinks(std::string_view html, std::string_view base_url) {
  std::vector<std::string> out;
  for (Href& h : FindHrefs(html)) {
    if (Tracked(h.url, base_url)) out.push_back(std::move(h.url));
  }
  return out;
}

std::string AddTracking(std::string_view html, std::string_view base_url,
                        std::string_view signing_key, std::string_view message_key) {
  if (html.empty()) return std::string();
  std::string out;
  out.reserve(html.size() + 512);
  std::size_t copied = 0;
  std::int64_t index = 0;
  for (const Href& h : FindHrefs(html)) {
    if (!Tracked(h.url, base_url)) continue;
    out.append(html.substr(copied, h.begin - copied));
    out.append(base_url);
    out.append("/c/");
    out.append(SignToken(signing_key, ClickPayload(message_key, index++)));
    copied = h.end;
  }
  out.append(html.substr(copied));
  const std::string pixel = "<img src=\"" + std::string(base_url) + "/o/" +
                            SignToken(signing_key, OpenPayload(message_key)) +
                            "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
  // The last </body>, in any case.
  std::size_t body = std::string::npos;
  for (std::size_t i = out.size(); i-- > 0;) {
    if (out[i] == '<' && StartsWithNoCase(std::string_view(out).substr(i), "</body")) {
      body = i;
      break;
    }
  }
  if (body == std::string::npos) {
    out.append(pixel);
  } else {
    out.insert(body, pixel);
  }
  return out;
}

}  // namespace winback::messages
