#pragma once

#include <memory>

#include "channels/channel.h"
#include "channels/channel_settings.h"
#include "core/status.h"
#include "core/vocabulary.h"

namespace winback::channels {

// Makes the channel `config.transport` for `kind`. Secrets come only from the environment
// and are never logged or put in a Status or DeliveryResult:
//   smtp            WINBACK_SMTP_USERNAME, WINBACK_SMTP_PASSWORD (username empty or unset:
//                   no SMTP AUTH)
//   twilio          WINBACK_TWILIO_ACCOUNT_SID, WINBACK_TWILIO_AUTH_TOKEN (both required)
//   whatsapp_cloud  WINBACK_WHATSAPP_TOKEN (required)
//   webhook         WINBACK_WEBHOOK_SECRET (required: the HMAC key of X-Winback-Signature)
// A required variable that is unset or empty is FailedPrecondition naming the variable
// ("twilio channel: environment variable WINBACK_TWILIO_AUTH_TOKEN is not set"). A transport
// not valid for `kind` (config built by hand rather than by the [channels] parser) is
// InvalidArgument. The file channel's FailedPrecondition (folder cannot be created) and
// libcurl's Internal pass through. The channel reads the environment only here, once.
Result<std::unique_ptr<Channel>> MakeChannel(ChannelKind kind, const ChannelConfig& config);

}  // namespace winback::channels
