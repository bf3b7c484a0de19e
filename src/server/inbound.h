#pragma once

// Inbound messages from customers and delivery reports from providers:
//
//   POST /v1/inbound/twilio     Twilio's form (application/x-www-form-urlencoded): an incoming
//                               SMS (From, Body, MessageSid) or a status callback (MessageSid,
//                               MessageStatus). Checked: X-Twilio-Signature = base64
//                               HMAC-SHA1(auth token, URL + every POST parameter sorted by name,
//                               name and value concatenated), auth token from
//                               WINBACK_TWILIO_AUTH_TOKEN.
//   GET  /v1/inbound/whatsapp   the WhatsApp Cloud verification handshake: hub.mode=subscribe
//                               and hub.verify_token = WINBACK_WHATSAPP_VERIFY_TOKEN answer
//                               hub.challenge; anything else is 403.
//   POST /v1/inbound/whatsapp   the WhatsApp Cloud webhook JSON (entry[].changes[].value with
//                               messages[] and statuses[]). Checked: X-Hub-Signature-256 =
//                               "sha256=" hex HMAC-SHA256(app secret, raw body), secret from
//                               WINBACK_WHATSAPP_APP_SECRET.
// A missing or wrong signature is 403 and changes nothing; a malformed form or JSON is 400; a
// route whose secret is not set answers 503 (not configured) so the provider retries later.
// Signatures are compared in constant time (core/hmac.h).
//
// What an inbound message does, in order (the customer is found by phone, E.164):
//   1. A STOP word (IsStopWord) unsubscribes the customer from that channel (consent denied and
//      an unsubscribe event) and is confirmed once: the first STOP gets `stop_reply`, a repeated
//      one gets nothing.
//   2. Otherwise the first [[inbound.reply]] with a keyword in the message answers it, and the
//      message goes on the customer's timeline (an sms_reply / whatsapp_reply event with
//      properties {"auto_reply": "NAME"}).
//   3. Otherwise it goes on the timeline with properties {"needs_answer": true} for a person.
// Each inbound message is recorded once by the provider's message id (a retried webhook does
// nothing twice, and is not answered twice). A sender with no customer is acknowledged and
// ignored.
//
// Replies. SMS replies travel in the webhook's answer as TwiML (<Response><Message>...), the
// reply path Twilio defines for incoming messages: no second API call, no outbox row, nothing
// to retry, and the answer is only sent after the unsubscribe is committed. WhatsApp cannot
// answer inline: the reply goes out through the WhatsApp channel adapter (src/channels, the
// TrackingContext's send_whatsapp) as the approved template the config names (the adapter
// sends templates, which Meta accepts at any time), after the store work is committed; a reply
// without a template, or no adapter, leaves the message on the timeline instead. Neither goes
// through the outbox: its sender would (rightly) refuse the STOP confirmation to a customer
// who just unsubscribed, and a reply is an answer, not a campaign message.
//
// Delivery reports update the outbox message with that provider id (store::OutboxStore::
// RecordDeliveryReport): Twilio delivered -> sent, detail "delivered"; failed, undelivered ->
// dead, detail "STATUS: ERROR_CODE"; WhatsApp delivered -> sent "delivered"; failed -> dead
// "failed: CODE TITLE"; read -> a whatsapp_read event on the message; other statuses (queued,
// sent, ...) change nothing.

#include <string>
#include <string_view>
#include <vector>

#include "config/registry.h"
#include "core/status.h"
#include "server/http.h"

namespace winback::server {

struct TrackingContext;

// One keyword auto-reply ([[inbound.reply]], article 002).
struct AutoReply {
  std::string name;                   // For the timeline: which reply answered.
  std::vector<std::string> keywords;  // Matched as whole words, folded as IsStopWord folds.
  std::string text;                   // The SMS answer.
  std::string whatsapp_template;      // The WhatsApp answer: an approved template; "" none.
};

// [inbound].
struct InboundSettings {
  std::string stop_reply;              // SMS confirmation of a STOP; "" sends none.
  std::string stop_whatsapp_template;  // WhatsApp confirmation template; "" sends none.
  // The URL Twilio is configured to call, for the signature; "" means [tracking] base_url +
  // "/v1/inbound/twilio".
  std::string twilio_url;
  std::vector<AutoReply> replies;
};

// Registers [inbound] with its keys: stop_reply, stop_whatsapp_template, twilio_url, and
// [[inbound.reply]] tables (name, keywords, text required; whatsapp_template).
void AddInboundConfigSection(config::Registry& registry);

// Secrets of the inbound routes, from the environment only.
struct InboundSecrets {
  std::string twilio_auth_token;      // WINBACK_TWILIO_AUTH_TOKEN
  std::string whatsapp_app_secret;    // WINBACK_WHATSAPP_APP_SECRET
  std::string whatsapp_verify_token;  // WINBACK_WHATSAPP_VERIFY_TOKEN
};
// Reads them; an unset variable leaves its route answering 503.
InboundSecrets InboundSecretsFromEnv();

// A WhatsApp auto-reply for the channel adapter.
struct WhatsappReply {
  std::string key;  // Idempotency key: "inbound-reply:" + the inbound message's id.
  std::string to;   // E.164.
  std::string template_name;
  std::string language;  // The customer's language, "en" when unknown.
};

// Folds text for matching: trims white space and punctuation at both ends, collapses inner
// white space to one space, lower-cases ASCII and the Turkish capitals (Ç Ğ Ö Ş Ü), maps every
// i (I, i, İ, ı, and i with a combining dot) to "i", and maps Arabic yeh and kaf to their
// Persian forms, dropping tatweel, ZWNJ and Arabic diacritics. So "İPTAL", "iptal", "IPTAL"
// and "ıptal" are one word: a customer whose phone has no Turkish keyboard is still heard.
std::string FoldForMatch(std::string_view text);

// True when the whole message, folded, is a STOP word: stop, stopall, unsubscribe, cancel,
// end, quit (Twilio's own opt-out words, so our state agrees with the carrier's), iptal, dur
// (Turkish), لغو, توقف (Persian). A sentence that contains one ("don't stop") is not.
bool IsStopWord(std::string_view text);

// The index of the first reply with a keyword among the message's words, or -1.
int MatchAutoReply(const std::vector<AutoReply>& replies, std::string_view text);

Response HandleTwilioInbound(const TrackingContext& context, const Request& request);
Response HandleWhatsappVerify(const TrackingContext& context, const Request& request);
Response HandleWhatsappInbound(const TrackingContext& context, const Request& request);

// X-Twilio-Signature of `params` posted to `url` with `auth_token`.
std::string TwilioSignature(std::string_view auth_token, std::string_view url,
                            std::vector<std::pair<std::string, std::string>> params);

}  // namespace winback::server
