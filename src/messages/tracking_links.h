#pragma once

// The links a message carries back to winback's server (`[tracking] base_url`), and what their
// signed tokens (link_token.h) say:
//
//   BASE/u/TOKEN   unsubscribe (RFC 8058 one-click POST; GET shows the preference centre)
//   BASE/p/TOKEN   the preference centre
//   BASE/o/TOKEN   the open pixel of an email (a 1x1 GIF)
//   BASE/c/TOKEN   a click on the I-th tracked link of an email, redirected to that link
//
// Payloads: the unsubscribe and preference tokens sign the outbox key itself; the open token
// signs "o\n" KEY and a click token "c\n" I "\n" KEY. An outbox key holds no control character
// (campaign and step names are [a-z0-9_], customer ids hold none), so one kind of token can
// never be read as another. A click token names a link by its index, not its URL: the server
// redirects to the URL found at that index in the message's HTML as the outbox recorded it, so
// no URL is ever taken from a request (no open redirect).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace winback::messages {

// What a tracking token's payload names.
struct TrackingPayload {
  enum class Kind : std::uint8_t { kMessage, kOpen, kClick };
  Kind kind = Kind::kMessage;
  std::string key;        // The outbox message's idempotency key.
  std::int64_t link = 0;  // kClick: the index of the link in TrackedLinks, from 0.
};

// Parses a verified token payload. nullopt for an empty key, a key holding a control
// character, or a malformed open or click payload.
std::optional<TrackingPayload> ParseTrackingPayload(std::string_view payload);

// The payloads that ParseTrackingPayload reads back.
std::string OpenPayload(std::string_view key);
std::string ClickPayload(std::string_view key, std::int64_t link);

// The tracked links of an email's HTML part, in document order: the href value of every <a>
// element whose href (after HTML entity decoding: &amp; &lt; &gt; &quot; &#39; &#NN; &#xNN;)
// is an absolute http(s) URL that does not start with `base_url` (winback's own unsubscribe and
// preference links are not rewritten). The values are returned decoded.
std::vector<std::string> TrackedLinks(std::string_view html, std::string_view base_url);

// The HTML part as it goes out: every link TrackedLinks finds replaced by
// BASE/c/SignToken(key, ClickPayload(message_key, i)), and a 1x1 open pixel
// <img src="BASE/o/..." width="1" height="1" alt=""> inserted before </body> (appended when
// there is none). An empty `html` stays empty. Pure; thread-safe.
std::string AddTracking(std::string_view html, std::string_view base_url,
                        std::string_view signing_key, std::string_view message_key);

}  // namespace winback::messages
