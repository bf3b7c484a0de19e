#include "channels/channel_factory.h"

#include <cstdlib>
#include <string>

#include "channels/file_channel.h"
#include "channels/smtp_channel.h"
#include "channels/twilio_channel.h"
#include "channels/webhook_channel.h"
#include "channels/whatsapp_cloud_channel.h"

namespace winback::channels {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

Result<std::string> RequiredEnv(const std::string& transport, const char* name) {
  std::string value = Env(name);
  if (value.empty()) {
    return FailedPreconditionError(transport + " channel: environment variable " +
                                   std::string(name) + " is not set");
  }
  return value;
}

}  // namespace

Result<std::unique_ptr<Channel>> MakeChannel(ChannelKind kind, const ChannelConfig& config) {
  const std::string& t = config.transport;
  const bool fits = t == "file" || t == "webhook" || (t == "smtp" && kind == ChannelKind::kEmail) ||
                    (t == "twilio" && kind == ChannelKind::kSms) ||
                    (t == "whatsapp_cloud" && kind == ChannelKind::kWhatsapp);
  if (!fits) {
    return InvalidArgumentError("channel " + std::string(ChannelKindName(kind)) + ": transport \"" +
                                t + "\" cannot deliver it");
  }
  if (t == "file") return MakeFileChannel(config);
  if (t == "smtp") {
    return MakeSmtpChannel(config, {Env("WINBACK_SMTP_USERNAME"), Env("WINBACK_SMTP_PASSWORD")});
  }
  if (t == "twilio") {
    WINBACK_ASSIGN_OR_RETURN(std::string sid, RequiredEnv(t, "WINBACK_TWILIO_ACCOUNT_SID"));
    WINBACK_ASSIGN_OR_RETURN(std::string token, RequiredEnv(t, "WINBACK_TWILIO_AUTH_TOKEN"));
    return MakeTwilioChannel(config, {std::move(sid), std::move(token)});
  }
  if (t == "whatsapp_cloud") {
    WINBACK_ASSIGN_OR_RETURN(std::string token, RequiredEnv(t, "WINBACK_WHATSAPP_TOKEN"));
    return MakeWhatsappCloudChannel(config, std::move(token));
  }
  WINBACK_ASSIGN_OR_RETURN(std::string secret, RequiredEnv(t, "WINBACK_WEBHOOK_SECRET"));
  return MakeWebhookChannel(config, std::move(secret));
}

}  // namespace winback::channels
