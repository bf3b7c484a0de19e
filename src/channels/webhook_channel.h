#pragma once

#include <memory>
#include <string>

#include "channels/channel.h"
#include "channels/channel_settings.h"
#include "core/status.h"

namespace winback::channels {

// The "webhook" transport, for any kind: POST `config.url` with Content-Type application/json
// and the body WebhookBody(message), and the headers Idempotency-Key and X-Winback-Key (the
// message's key) and X-Winback-Signature: "sha256=" + lower-case hex of
// HMAC-SHA256(secret, body) over the exact body bytes. provider_id is the answer's "id"
// string, when it is JSON with one; the detail of a refusal carries its "error" or "message"
// string. Classification: internal::HttpClient's. Every attempt ends after
// `config.timeout_seconds`.
// Errors: Internal when libcurl cannot make a handle.
Result<std::unique_ptr<Channel>> MakeWebhookChannel(const ChannelConfig& config,
                                                    std::string secret);

// One JSON object with every OutboundMessage field under its own name (key, kind as "email" /
// "sms" / "whatsapp", from, to, email_mime, text, subject, whatsapp_template,
// whatsapp_language, whatsapp_parameters as an array of strings), with `from` defaulted to
// `default_from` when empty. Bytes that are not UTF-8 become U+FFFD.
std::string WebhookBody(const OutboundMessage& message, const std::string& default_from);

}  // namespace winback::channels
