#include "channels/webhook_channel.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "channels/internal/http_client.h"
#include "core/hmac.h"

namespace winback::channels {
namespace {

class WebhookChannel final : public Channel {
 public:
  WebhookChannel(std::unique_ptr<internal::HttpClient> http, ChannelConfig config,
                 std::string secret)
      : http_(std::move(http)), config_(std::move(config)), secret_(std::move(secret)) {}

  DeliveryResult Send(const OutboundMessage& message) override {
    internal::HttpRequest request;
    request.url = config_.url;
    request.body = WebhookBody(message, config_.from);
    request.headers = {"Content-Type: application/json", "Accept: application/json",
                       "Idempotency-Key: " + message.key, "X-Winback-Key: " + message.key,
                       "X-Winback-Signature: sha256=" + HmacSha256Hex(secret_, request.body)};
    internal::ResponseReader reader;
    reader.provider_id = [](std::string_view body) { return internal::JsonStringAt(body, "/id"); };
    reader.error_text = [](std::string_view body) {
      std::string text = internal::JsonStringAt(body, "/error");
      return text.empty() ? internal::JsonStringAt(body, "/message") : text;
    };
    return http_->Post(request, reader);
  }

  const std::string& transport() const override { return transport_; }

 private:
  std::unique_ptr<internal::HttpClient> http_;
  ChannelConfig config_;
  std::string secret_;
  std::string transport_ = "webhook";
};

}  // namespace

std::string WebhookBody(const OutboundMessage& message, const std::string& default_from) {
  const nlohmann::json body = {{"key", message.key},
                               {"kind", std::string(ChannelKindName(message.kind))},
                               {"from", message.from.empty() ? default_from : message.from},
                               {"to", message.to},
                               {"email_mime", message.email_mime},
                               {"text", message.text},
                               {"subject", message.subject},
                               {"whatsapp_template", message.whatsapp_template},
                               {"whatsapp_language", message.whatsapp_language},
                               {"whatsapp_parameters", message.whatsapp_parameters}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::unique_ptr<Channel>> MakeWebhookChannel(const ChannelConfig& config,
                                                    std::string secret) {
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<internal::HttpClient> http,
                           internal::HttpClient::Create(config.timeout_seconds));
  return std::unique_ptr<Channel>(
      std::make_unique<WebhookChannel>(std::move(http), config, std::move(secret)));
}

}  // namespace winback::channels
