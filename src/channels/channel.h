#pragma once

// The one interface every delivery channel implements (listmonk's "messenger" is the model):
// the sender hands it one rendered message at a time and learns what became of it. A channel
// knows nothing of campaigns, policy or the outbox; it moves bytes to a provider and classifies
// the answer. Implementations: file, smtp, twilio, whatsapp_cloud, webhook (channel_factory.h).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/vocabulary.h"

namespace winback::channels {

// One message, rendered and ready to go. Which fields a transport reads:
//   file:            key, kind, and `email_mime` (email) or the SMS / WhatsApp fields (as JSON)
//   smtp:            from, to, email_mime (the whole RFC 5322 message, headers included)
//   twilio:          from (sender number), to (E.164), text
//   whatsapp_cloud:  to (E.164), whatsapp_template, whatsapp_language, whatsapp_parameters
//   webhook:         every field, as one JSON object
struct OutboundMessage {
  std::string key;  // The idempotency key; X-Winback-Key / Idempotency-Key on the wire.
  ChannelKind kind = ChannelKind::kEmail;
  std::string from;               // Email address, or the sender phone number.
  std::string to;                 // Email address, or an E.164 phone number ("+905551234567").
  std::string email_mime;         // kEmail: the complete message, CRLF line ends.
  std::string text;               // kSms: the body; kEmail: the plain-text part, for webhooks.
  std::string subject;            // kEmail, for webhooks and file names only.
  std::string whatsapp_template;  // kWhatsapp: the approved template's name,
  std::string whatsapp_language;  // its language code ("en", "tr", "fa"),
  std::vector<std::string> whatsapp_parameters;  // and its body parameters, in order.
};

// What became of one delivery attempt.
enum class DeliveryOutcome : std::uint8_t {
  kSent,     // The provider accepted it.
  kRetry,    // Not delivered, and trying again may work: 5xx, 429, timeouts, refused
             // connections, SMTP 4xx.
  kDead,     // Not delivered, and trying again will not help: other 4xx, SMTP 5xx, a bad
             // address.
  kUnknown,  // The provider may or may not have taken it: the connection broke after the
             // whole message was handed over (after SMTP DATA's final dot, after an HTTP body
             // was sent) and before the answer came. Never retried blindly.
};

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kSent;
  std::string provider_id;  // The provider's id for the message, when it gave one.
  std::string detail;       // For people: the status line or error ("550 5.1.1 no such user").
  // kRetry: how long the provider asked us to wait (Retry-After), when it did.
  std::optional<std::chrono::seconds> retry_after;
};

class Channel {
 public:
  virtual ~Channel() = default;
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Delivers one message. Never throws; every failure is a DeliveryResult, not a Status, so
  // the sender can record it. Not thread-safe: one sending thread per channel object (a
  // channel may keep a connection open between calls).
  virtual DeliveryResult Send(const OutboundMessage& message) = 0;

  // The transport's name, as in the config ("smtp").
  virtual const std::string& transport() const = 0;

 protected:
  Channel() = default;
};

}  // namespace winback::channels
