#pragma once

#include <memory>
#include <string>

#include "channels/channel.h"
#include "channels/channel_settings.h"
#include "core/status.h"

namespace winback::channels {

// The "whatsapp_cloud" transport (Meta's WhatsApp Cloud API, template messages): POST
// `{config.url}/{config.phone_number_id}/messages` with "Authorization: Bearer {access_token}",
// an Idempotency-Key header (the message's key) and the JSON body
//   {"messaging_product": "whatsapp", "recipient_type": "individual",
//    "to": <the message's `to` without its leading '+'>, "type": "template",
//    "template": {"name": <whatsapp_template>, "language": {"code": <whatsapp_language>},
//                 "components": [{"type": "body", "parameters":
//                                 [{"type": "text", "text": <parameter>}, ...]}]}}
// ("components" is left out when there are no parameters). provider_id is the answer's
// messages[0].id; the detail of a refusal carries error.message. Classification:
// internal::HttpClient's. Every attempt ends after `config.timeout_seconds`.
// Errors: Internal when libcurl cannot make a handle.
Result<std::unique_ptr<Channel>> MakeWhatsappCloudChannel(const ChannelConfig& config,
                                                          std::string access_token);

// The request body above for `message` (exposed for tests).
std::string WhatsappCloudBody(const OutboundMessage& message);

}  // namespace winback::channels
