#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace winback::messages {

// What goes into one marketing email. Every string is UTF-8.
struct EmailParts {
  std::string from;        // "Shop <shop@example.com>", "\"Shop, Inc.\" <a@b.c>" or a bare address.
  std::string to;          // Same forms as `from`; one recipient.
  std::string subject;     // Plain text, one line.
  std::string preheader;   // Plain text shown as the inbox preview; hidden at the top of the HTML
                           // body (BuildEmail HTML-escapes it). Empty: none.
  std::string text;        // The plain-text part; line ends LF or CRLF.
  std::string html;        // The HTML part, already escaped by its template.
  std::string language;    // "en", "tr", "fa" -> Content-Language; empty: no header.
  std::string message_id;  // Without <>, e.g. MessageIdForKey(key, domain).
  std::string idempotency_key;  // -> X-Winback-Key; empty: no header.
  std::string unsubscribe_url;  // -> List-Unsubscribe: <url> and List-Unsubscribe-Post:
                                // List-Unsubscribe=One-Click (RFC 8058; the URL must be https
                                // and accept a POST). Empty: neither header.
  Instant date;                 // -> Date, in UTC ("+0000").
};

// Builds the complete RFC 5322 message (headers and body, CRLF line ends throughout), ready for
// SMTP DATA (the transport still does dot-stuffing, though no body line starts with '.'):
// - headers Date, From, To, Subject, Message-ID, MIME-Version, Content-Language,
//   List-Unsubscribe, List-Unsubscribe-Post, X-Winback-Key, Content-Type, each folded to lines
//   of at most 78 characters where it has places to fold (a URL or key does not);
// - Subject and non-ASCII display names as RFC 2047 encoded-words (=?UTF-8?B?...?=, each at
//   most 75 characters, split between UTF-8 characters) when they are not plain ASCII text;
//   ASCII display names with specials are quoted;
// - body multipart/alternative with text/plain then text/html, charset=UTF-8, both
//   quoted-printable (RFC 2045: lines of at most 76 characters with soft breaks, '=' and
//   non-ASCII bytes encoded, trailing whitespace encoded, a leading '.' and "From " encoded);
// - the boundary "=_winback_" + 32 hex digits derived from `boundary_seed` alone, so equal
//   inputs give equal bytes; it cannot occur in a quoted-printable body ("=_" is not QP).
// Errors: InvalidArgument naming the field when a header input holds CR, LF or another control
// character (header injection), a text is not valid UTF-8, an address is empty, malformed or
// not ASCII (no SMTPUTF8), message_id is not "left@right" in printable ASCII, the language is
// not a language tag, or the URL or key is not printable ASCII. Thread-safe.
Result<std::string> BuildEmail(const EmailParts& parts, std::string_view boundary_seed);

// `html` with `preheader` (plain text, HTML-escaped here) in a hidden <div> right after the
// <body ...> tag, or first when there is none: the line inboxes show beside the subject.
// An empty preheader returns `html` unchanged. BuildEmail applies it to EmailParts::html;
// the planner applies it when it renders, so the outbox holds the HTML part as it is sent.
// Thread-safe.
std::string HtmlWithPreheader(std::string_view html, std::string_view preheader);

// A Message-ID (without <>) that is stable for an idempotency key, so a retried send carries
// the same id and receivers can drop duplicates: the first 32 hex digits (128 bits) of
// SHA-256(key), "@", `domain`. Thread-safe.
std::string MessageIdForKey(std::string_view key, std::string_view domain);

}  // namespace winback::messages
