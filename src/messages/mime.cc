#include "messages/mime.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

#include "core/html.h"
#include "core/utf8.h"
#include "messages/internal/base64.h"

namespace winback::messages {
namespace {

constexpr std::size_t kMaxLine = 78;       // RFC 5322 section 2.1.1 "SHOULD".
constexpr std::size_t kMaxWord = 75;       // RFC 2047 section 2.
constexpr std::size_t kMaxQpLine = 76;     // RFC 2045 section 6.7 rule 5.
constexpr std::size_t kMaxUnfolded = 900;  // Below the 998 hard limit of a header line.
constexpr std::string_view kCrlf = "\r\n";

std::string Sha256Hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &n, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

bool IsControl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }

// Header injection: no CR, LF or other control character may reach a header.
Status CheckHeaderInput(std::string_view field, std::string_view value) {
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r' || c == '\n') {
      return InvalidArgumentError("email " + std::string(field) +
                                  ": contains a line break (header injection)");
    }
    if (IsControl(c)) {
      return InvalidArgumentError("email " + std::string(field) + ": contains control character " +
                                  FormatCodePoint(c));
    }
  }
  if (!IsValidUtf8(value)) {
    return InvalidArgumentError("email " + std::string(field) + ": not valid UTF-8");
  }
  return Status::Ok();
}

bool IsPrintableAscii(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// Printable ASCII without spaces, at most kMaxUnfolded characters, none of `forbidden`.
Status CheckToken(std::string_view field, std::string_view value, std::string_view forbidden) {
  if (value.size() > kMaxUnfolded) {
    return InvalidArgumentError("email " + std::string(field) + ": longer than " +
                                std::to_string(kMaxUnfolded) + " characters");
  }
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c > 0x7E || forbidden.find(ch) != std::string_view::npos) {
      return InvalidArgumentError("email " + std::string(field) + ": character '" +
                                  std::string(1, ch) + "' not allowed (printable ASCII only)");
    }
  }
  return Status::Ok();
}

// Splits `text` into RFC 2047 B encoded-words: the first at most `first_max` characters long,
// the others at most kMaxWord, each ending between two UTF-8 characters.
std::vector<std::string> EncodedWords(std::string_view text, std::size_t first_max) {
  std::vector<std::string> words;
  std::size_t max = first_max;
  std::size_t i = 0;
  while (i < text.size()) {
    // "=?UTF-8?B?" + base64 + "?=": 12 characters of frame, 4 of base64 per 3 bytes.
    const std::size_t max_bytes = (max - 12) / 4 * 3;
    std::size_t end = std::min(text.size(), i + max_bytes);
    while (end < text.size() && end > i &&
           (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
      --end;
    }
    words.push_back("=?UTF-8?B?" + internal::Base64Encode(text.substr(i, end - i)) + "?=");
    i = end;
    max = kMaxWord;
  }
  return words;
}

// "Name: t1 t2 ...", starting a continuation line (CRLF SP) before a token that would make the
// line longer than kMaxLine. The separator between tokens is one space either way, so folding
// changes nothing once unfolded (RFC 5322 section 2.2.3).
std::string Fold(std::string_view name, const std::vector<std::string>& tokens) {
  std::string out(name);
  out += ':';
  std::size_t line = out.size();
  bool first = true;
  for (const std::string& token : tokens) {
    if (!first && !token.empty() && line + 1 + token.size() > kMaxLine) {
      out += kCrlf;
      line = 0;
    }
    out += ' ';
    out += token;
    line += 1 + token.size();
    first = false;
  }
  out += kCrlf;
  return out;
}

std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t sp = s.find(' ', start);
    out.emplace_back(s.substr(start, sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return out;
}

// Plain ASCII text that needs no encoding: printable, no "=?" that a reader would decode, no
// word too long to fold, no leading or trailing space that unfolding would lose.
bool IsPlainHeaderText(std::string_view s) {
  if (!IsPrintableAscii(s) || s.find("=?") != std::string_view::npos) return false;
  if (!s.empty() && (s.front() == ' ' || s.back() == ' ')) return false;
  for (const std::string& word : SplitSpaces(s)) {
    if (word.size() > kMaxLine - 12) return false;
  }
  return true;
}

// Header tokens for unstructured text (Subject).
std::vector<std::string> TextTokens(std::string_view name, std::string_view text) {
  if (IsPlainHeaderText(text)) return SplitSpaces(text);
  return EncodedWords(text, kMaxLine - name.size() - 2);
}

struct Mailbox {
  std::string display;  // Unquoted display name; may be empty.
  std::string address;
};

Result<Mailbox> ParseMailbox(std::string_view field, std::string_view value) {
  WINBACK_RETURN_IF_ERROR(CheckHeaderInput(field, value));
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  value = trim(value);
  Mailbox box;
  std::string_view address = value;
  const std::size_t lt = value.rfind('<');
  if (lt != std::string_view::npos) {
    if (value.back() != '>') {
      return InvalidArgumentError("email " + std::string(field) + ": '<' without a closing '>'");
    }
    address = value.substr(lt + 1, value.size() - lt - 2);
    std::string_view display = trim(value.substr(0, lt));
    if (display.size() >= 2 && display.front() == '"' && display.back() == '"') {
      display = display.substr(1, display.size() - 2);
      for (std::size_t i = 0; i < display.size(); ++i) {
        if (display[i] == '\\' && i + 1 < display.size()) ++i;
        box.display += display[i];
      }
    } else {
      box.display = std::string(display);
    }
  }
  const std::size_t at = address.find('@');
  if (address.empty() || at == 0 || at == std::string_view::npos || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return InvalidArgumentError("email " + std::string(field) + ": '" + std::string(address) +
                                "' is not an address (local@domain)");
  }
  for (const char ch : address) {
    if (static_cast<unsigned char>(ch) > 0x7E) {
      return InvalidArgumentError("email " + std::string(field) +
                                  ": non-ASCII addresses need SMTPUTF8, which winback does not "
                                  "use");
    }
  }
  WINBACK_RETURN_IF_ERROR(CheckToken(field, address, "<>()[],;:\\\""));
  box.address = std::string(address);
  return box;
}

std::vector<std::string> MailboxTokens(std::string_view name, const Mailbox& box) {
  std::vector<std::string> tokens;
  if (!box.display.empty()) {
    static constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";
    if (!IsPlainHeaderText(box.display) || box.display.size() > 60) {
      tokens = EncodedWords(box.display, kMaxLine - name.size() - 2);
    } else if (box.display.find_first_of(kSpecials) != std::string::npos) {
      std::string quoted = "\"";
      for (const char c : box.display) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
      tokens.push_back(quoted + "\"");
    } else {
      tokens = SplitSpaces(box.display);
    }
  }
  tokens.push_back(box.display.empty() ? box.address : "<" + box.address + ">");
  return tokens;
}

// "Mon, 02 Jan 2006 15:04:05 +0000" (RFC 5322 section 3.3).
std::string FormatDate(Instant t) {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Date day = UtcDate(t);
  const std::int64_t secs = t.unix_seconds() - std::int64_t{day.days()} * 86'400;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[day.weekday()],
                day.day(), kMonths[day.month() - 1], day.year(), static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

// Quoted-printable (RFC 2045 section 6.7) of `text`, whose line breaks (LF, CRLF or CR) become
// CRLF. Literal: printable ASCII except '='; spaces and tabs except at the end of a line.
// Encoded: everything else, plus '.' and the 'F' of "From " at the start of a line, which some
// transports would otherwise alter.
std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    std::string physical;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool at_end = i + 1 == line.size();
      bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
      if (physical.empty() && (c == '.' || (c == 'F' && line.substr(i, 5) == "From "))) {
        literal = false;
      }
      std::string token = literal ? std::string(1, static_cast<char>(c))
                                  : std::string{'=', kHex[c >> 4], kHex[c & 15]};
      // The last token of a line may reach column 76; others leave room for the soft break.
      const std::size_t limit = at_end ? kMaxQpLine : kMaxQpLine - 1;
      if (physical.size() + token.size() > limit) {
        out += physical;
        out += "=\r\n";
        physical.clear();
        if (c == '.' || (c == 'F' && line.substr(i, 5) == "From ")) {
          token = std::string{'=', kHex[c >> 4], kHex[c & 15]};
        }
      }
      physical += token;
    }
    out += physical;
    if (last) break;
    out += kCrlf;
    start = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }
  return out;
}

Status CheckLanguage(std::string_view language) {
  if (language.size() > 35) return InvalidArgumentError("email language: too long");
  for (const char c : language) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
      return InvalidArgumentError("email language '" + std::string(language) +
                                  "': not a language tag (letters, digits, '-')");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string HtmlWithPreheader(std::string_view html, std::string_view preheader) {
  if (preheader.empty()) return std::string(html);
  const std::string block =
      "<div style=\"display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;"
      "opacity:0;overflow:hidden;mso-hide:all\">" +
      EscapeHtml(preheader) + "</div>";
  std::size_t at = 0;
  for (std::size_t i = 0; i + 5 <= html.size(); ++i) {
    if (html[i] != '<') continue;
    std::string tag;
    for (std::size_t k = 1; k < 5; ++k) tag += static_cast<char>(std::tolower(html[i + k]));
    const char after = i + 5 < html.size() ? html[i + 5] : '>';
    if (tag == "body" && (after == '>' || after == ' ' || after == '\t' || after == '\n' ||
                          after == '\r' || after == '/')) {
      const std::size_t close = html.find('>', i);
      if (close != std::string_view::npos) at = close + 1;
      break;
    }
  }
  std::string out(html.substr(0, at));
  out += block;
  out += html.substr(at);
  return out;
}

std::string MessageIdForKey(std::string_view key, std::string_view domain) {
  return Sha256Hex(key).substr(0, 32) + "@" + std::string(domain);
}

Result<std::string> BuildEmail(const EmailParts& parts, std::string_view boundary_seed) {
  WINBACK_ASSIGN_OR_RETURN(const Mailbox from, ParseMailbox("from", parts.from));
  WINBACK_ASSIGN_OR_RETURN(const Mailbox to, ParseMailbox("to", parts.to));
  WINBACK_RETURN_IF_ERROR(CheckHeaderInput("subject", parts.subject));
  WINBACK_RETURN_IF_ERROR(CheckHeaderInput("message_id", parts.message_id));
  WINBACK_RETURN_IF_ERROR(CheckHeaderInput("language", parts.language));
  WINBACK_RETURN_IF_ERROR(CheckHeaderInput("idempotency_key", parts.idempotency_key));
  WINBACK_RETURN_IF_ERROR(CheckHeaderInput("unsubscribe_url", parts.unsubscribe_url));
  WINBACK_RETURN_IF_ERROR(CheckLanguage(parts.language));
  const std::size_t at = parts.message_id.find('@');
  if (at == 0 || at == std::string::npos || at + 1 == parts.message_id.size()) {
    return InvalidArgumentError("email message_id '" + parts.message_id + "': must be left@right");
  }
  WINBACK_RETURN_IF_ERROR(CheckToken("message_id", parts.message_id, "<>\"\\()[],;:"));
  WINBACK_RETURN_IF_ERROR(CheckToken("unsubscribe_url", parts.unsubscribe_url, "<>\""));
  if (!IsPrintableAscii(parts.idempotency_key) || parts.idempotency_key.size() > kMaxUnfolded) {
    return InvalidArgumentError("email idempotency_key: must be printable ASCII, at most " +
                                std::to_string(kMaxUnfolded) + " characters");
  }
  for (const auto& [field, body] :
       {std::pair<std::string_view, const std::string&>{"text", parts.text},
        {"html", parts.html},
        {"preheader", parts.preheader}}) {
    if (!IsValidUtf8(body))
      return InvalidArgumentError("email " + std::string(field) + ": not valid UTF-8");
  }

  const std::string text = QuotedPrintable(parts.text);
  const std::string html = QuotedPrintable(HtmlWithPreheader(parts.html, parts.preheader));
  std::string boundary;
  for (int i = 0;; ++i) {
    boundary = "=_winback_" +
               Sha256Hex(std::string(boundary_seed) + "/" + std::to_string(i)).substr(0, 32);
    if (text.find(boundary) == std::string::npos && html.find(boundary) == std::string::npos) {
      break;
    }
  }

  std::string out;
  out.reserve(text.size() + html.size() + 2048);
  out += "Date: " + FormatDate(parts.date) + "\r\n";
  out += Fold("From", MailboxTokens("From", from));
  out += Fold("To", MailboxTokens("To", to));
  out += Fold("Subject", TextTokens("Subject", parts.subject));
  out += "Message-ID: <" + parts.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (!parts.language.empty()) out += "Content-Language: " + parts.language + "\r\n";
  if (!parts.unsubscribe_url.empty()) {
    out += "List-Unsubscribe: <" + parts.unsubscribe_url + ">\r\n";
    out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  if (!parts.idempotency_key.empty()) {
    out += Fold("X-Winback-Key", SplitSpaces(parts.idempotency_key));
  }
  out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
  out += kCrlf;
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += text;
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += html;
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace winback::messages
