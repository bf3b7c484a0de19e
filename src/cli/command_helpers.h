#pragma once

#include <string>
#include <string_view>

#include "channels/channel_settings.h"
#include "core/status.h"
#include "core/time.h"

namespace winback::cli {

// Helpers shared by the analytics commands.

// Parses a --as-of / --from / --to value; InvalidArgument naming the option.
Result<Date> ParseDateOption(std::string_view option, std::string_view text);

// The DKIM private key `winback send` and `winback run` pass to the sender: "" when
// [channels.email] sets no dkim_domain; else the value of WINBACK_DKIM_PRIVATE_KEY, already
// checked (messages::DkimSigner::Create), so a missing or unusable key stops the command before
// it does any work. Errors: FailedPrecondition naming the variable and the configured domain,
// never the key.
Result<std::string> DkimKeyForSending(const channels::ChannelSettings& channels);

}  // namespace winback::cli
