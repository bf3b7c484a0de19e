#include "cli/command_helpers.h"

#include <cstdint>
#include <map>
#include <memory>

#include "messages/dkim_signer.h"

namespace winback::cli {

Result<Date> ParseDateOption(std::string_view option, std::string_view text) {
  Result<Date> d = ParseDate(text);
  if (!d.ok()) {
    return InvalidArgumentError(std::string(option) + ": " + d.status().message());
  }
  return d;
}

Result<std::string> DkimKeyForSending(const channels::ChannelSettings& channels) {
  if (!channels.email || channels.email->dkim_domain.empty()) return std::string();
  const std::string context =
      "[channels.email] dkim_domain = \"" + channels.email->dkim_domain + "\" signs email: ";
  Result<std::string> key = messages::DkimKeyFromEnv();
  if (!key.ok()) return FailedPreconditionError(context + key.status().message());
  Result<std::unique_ptr<messages::DkimSigner>> signer = messages::DkimSigner::Create(
      channels.email->dkim_domain, channels.email->dkim_selector, *key);
  if (!signer.ok()) {
    return FailedPreconditionError(context + signer.status().message());
  }
  return key;
}

}  // namespace winback::cli
