#include "channels/whatsapp_cloud_channel.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "channels/internal/http_client.h"

namespace winback::channels {
namespace {

class WhatsappCloudChannel final : public Channel {
 public:
  WhatsappCloudChannel(std::unique_ptr<internal::HttpClient> http, const ChannelConfig& config,
                       std::string access_token)
      : http_(std::move(http)), access_token_(std::move(access_token)) {
    std::string base = config.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    endpoint_ = base + "/" + config.phone_number_id + "/messages";
  }

  DeliveryResult Send(const OutboundMessage& message) override {
    internal::HttpRequest request;
    request.url = endpoint_;
    request.headers = {"Content-Type: application/json", "Accept: application/json",
                       "Authorization: Bearer " + access_token_, "Idempotency-Key: " + message.key};
    request.body = WhatsappCloudBody(message);
    internal::ResponseReader reader;
    reader.provider_id = [](std::string_view body) {
      return internal::JsonStringAt(body, "/messages/0/id");
    };
    reader.error_text = [](std::string_view body) {
      return internal::JsonStringAt(body, "/error/message");
    };
    return http_->Post(request, reader);
  }

  const std::string& transport() const override { return transport_; }

 private:
  std::unique_ptr<internal::HttpClient> http_;
  std::string access_token_;
  std::string endpoint_;
  std::string transport_ = "whatsapp_cloud";
};

}  // namespace

std::string WhatsappCloudBody(const OutboundMessage& message) {
  const std::string to =
      !message.to.empty() && message.to.front() == '+' ? message.to.substr(1) : message.to;
  nlohmann::json tmpl = {{"name", message.whatsapp_template},
                         {"language", {{"code", message.whatsapp_language}}}};
  if (!message.whatsapp_parameters.empty()) {
    nlohmann::json parameters = nlohmann::json::array();
    for (const std::string& p : message.whatsapp_parameters) {
      parameters.push_back({{"type", "text"}, {"text", p}});
    }
    tmpl["components"] = nlohmann::json::array({{{"type", "body"}, {"parameters", parameters}}});
  }
  const nlohmann::json body = {{"messaging_product", "whatsapp"},
                               {"recipient_type", "individual"},
                               {"to", to},
                               {"type", "template"},
                               {"template", tmpl}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::unique_ptr<Channel>> MakeWhatsappCloudChannel(const ChannelConfig& config,
                                                          std::string access_token) {
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<internal::HttpClient> http,
                           internal::HttpClient::Create(config.timeout_seconds));
  return std::unique_ptr<Channel>(
      std::make_unique<WhatsappCloudChannel>(std::move(http), config, std::move(access_token)));
}

}  // namespace winback::channels
