#pragma once

#include <memory>
#include <string>

#include "channels/channel.h"
#include "channels/channel_settings.h"
#include "core/status.h"

namespace winback::channels {

// A Twilio account's API credentials.
struct TwilioCredentials {
  std::string account_sid;
  std::string auth_token;
};

// The "twilio" transport (Programmable Messaging): POST
// `{config.url}/2010-04-01/Accounts/{account_sid}/Messages.json` with HTTP Basic auth
// account_sid:auth_token, Content-Type application/x-www-form-urlencoded, form fields To (the
// message's `to`), From (its `from`, or `config.from` when empty) and Body (its `text`), and
// the headers Idempotency-Key and I-Twilio-Idempotency-Token set to the message's key.
// provider_id is the answer's "sid"; the detail of a refusal carries Twilio's "message".
// Classification: internal::HttpClient's (429 and 5xx retry with Retry-After, other 4xx
// dead, a broken connection after the body was sent unknown). Every attempt ends after
// `config.timeout_seconds`; the connection is reused between messages.
// Errors: Internal when libcurl cannot make a handle.
Result<std::unique_ptr<Channel>> MakeTwilioChannel(const ChannelConfig& config,
                                                   TwilioCredentials credentials);

}  // namespace winback::channels
