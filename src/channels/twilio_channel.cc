#include "channels/twilio_channel.h"

#include <utility>

#include "channels/internal/http_client.h"

namespace winback::channels {
namespace {

// application/x-www-form-urlencoded: unreserved bytes stay, every other byte is %XX.
std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' ||
        b == '_' || b == '.' || b == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

class TwilioChannel final : public Channel {
 public:
  TwilioChannel(std::unique_ptr<internal::HttpClient> http, ChannelConfig config,
                TwilioCredentials credentials)
      : http_(std::move(http)),
        config_(std::move(config)),
        credentials_(std::move(credentials)),
        endpoint_(TrimSlash(config_.url) + "/2010-04-01/Accounts/" +
                  FormEncode(credentials_.account_sid) + "/Messages.json") {}

  DeliveryResult Send(const OutboundMessage& message) override {
    internal::HttpRequest request;
    request.url = endpoint_;
    request.headers = {"Content-Type: application/x-www-form-urlencoded",
                       "Accept: application/json", "Idempotency-Key: " + message.key,
                       "I-Twilio-Idempotency-Token: " + message.key};
    const std::string& from = message.from.empty() ? config_.from : message.from;
    request.body = "To=" + FormEncode(message.to) + "&From=" + FormEncode(from) +
                   "&Body=" + FormEncode(message.text);
    request.basic_user = credentials_.account_sid;
    request.basic_password = credentials_.auth_token;
    internal::ResponseReader reader;
    reader.provider_id = [](std::string_view body) { return internal::JsonStringAt(body, "/sid"); };
    reader.error_text = [](std::string_view body) {
      return internal::JsonStringAt(body, "/message");
    };
    return http_->Post(request, reader);
  }

  const std::string& transport() const override { return transport_; }

 private:
  std::unique_ptr<internal::HttpClient> http_;
  ChannelConfig config_;
  TwilioCredentials credentials_;
  std::string endpoint_;
  std::string transport_ = "twilio";
};

}  // namespace

Result<std::unique_ptr<Channel>> MakeTwilioChannel(const ChannelConfig& config,
                                                   TwilioCredentials credentials) {
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<internal::HttpClient> http,
                           internal::HttpClient::Create(config.timeout_seconds));
  return std::unique_ptr<Channel>(
      std::make_unique<TwilioChannel>(std::move(http), config, std::move(credentials)));
}

}  // namespace winback::channels
