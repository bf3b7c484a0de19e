#pragma once

// The preference centre: the page behind GET /u/{token} and /p/{token} (an unsubscribe or
// preferences link of a message) and its form, POST /p/{token}.
//
// The page shows, for each channel the customer has an address for (email, SMS, WhatsApp),
// whether winback may write there, with a checkbox to change it, and the question of the
// last-chance message (DESIGN.md #8, article 004): "Do you want to stay on our list?". "No"
// unsubscribes every channel; "yes" keeps the checked channels. A channel the customer
// unsubscribed from shows as such and cannot be re-checked here (an unsubscribe is final for
// winback; a new consent comes from the shop's own data).
//
// Below the channels, the kinds of message (core/vocabulary.h: MessageKind) the configured
// campaigns send (TrackingContext::kinds) and any kind the customer opted out of before, each
// with a checkbox, ticked unless opted out of. Unticking a kind opts the customer out of every
// campaign of that kind on every channel (stored with its time: store::KindOptOut), ticking it
// again opts them back in; the planner and the sender honour it (campaigns/policy.h:
// WantsKind). "No" to staying on the list unsubscribes every channel and leaves the kinds as
// they were.
//
// The form is CSRF-safe: it carries csrf = hex HMAC-SHA256(signing key, "csrf\n" TOKEN), bound
// to the link token and compared in constant time; a missing or wrong one is 403 and changes
// nothing. Every piece of customer data is HTML-escaped (core/html.h). The page loads nothing
// from elsewhere (inline CSS, no scripts, no images) and is sent with a Content-Security-Policy
// that forbids it, X-Frame-Options DENY and Referrer-Policy no-referrer (the URL holds the token).

#include <string>
#include <string_view>

#include "server/http.h"

namespace winback::server {

struct TrackingContext;

// GET: the page, 200; 404 for a bad token (tracking.h).
Response HandlePreferencesPage(const TrackingContext& context, const Request& request);

// POST (application/x-www-form-urlencoded): fields csrf, stay (yes|no), and channel_email,
// channel_sms, channel_whatsapp ("on" when checked; absent when not); kind_shown (repeated: each
// kind of message the page offered) and kind_offers, kind_reminders, kind_occasions,
// kind_service, kind_news ("on" when checked). Only the kinds named by kind_shown change: a
// form without them (an older page) leaves every kind as it was. 200 with the page and a note of
// what changed, every change committed first. 404 for a bad token, 403 for a missing or wrong
// csrf, 400 for a malformed form, a stay other than yes or no, or a kind_shown that is not a
// kind of message.
Response HandlePreferencesForm(const TrackingContext& context, const Request& request);

// The csrf value of the form for link token `token`.
std::string CsrfToken(std::string_view signing_key, std::string_view token);

}  // namespace winback::server
