#include "channels/smtp_channel.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

#include "channels/internal/http_client.h"

namespace winback::channels {
namespace {

struct Transfer {
  std::string_view body;
  std::size_t body_read = 0;
  std::string last_reply;   // The last reply line, CRLF removed.
  std::string error_reply;  // The first 4xx or 5xx reply line (libcurl QUITs after it).
};

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = std::min(size * count, t->body.size() - t->body_read);
  std::memcpy(buffer, t->body.data() + t->body_read, n);
  t->body_read += n;
  return n;
}

// libcurl passes every SMTP reply line through the header callback.
std::size_t ReadReply(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0]))) {
    t->last_reply.assign(line);
    if ((line[0] == '4' || line[0] == '5') && t->error_reply.empty()) t->error_reply.assign(line);
  }
  return size * count;
}

// "250 2.0.0 Ok: queued as 4BKfdr6Zt2z" gives "4BKfdr6Zt2z".
std::string QueueId(const std::string& reply) {
  static constexpr std::string_view kMarker = "queued as ";
  const std::size_t at = reply.find(kMarker);
  if (at == std::string::npos) return "";
  std::string id = reply.substr(at + kMarker.size());
  const std::size_t end = id.find_first_of(" \t");
  if (end != std::string::npos) id.resize(end);
  return id;
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

bool IsLoginFailure(CURLcode code) { return code == CURLE_LOGIN_DENIED; }

class SmtpChannel final : public Channel {
 public:
  SmtpChannel(CURL* curl, ChannelConfig config, SmtpCredentials credentials)
      : curl_(curl), config_(std::move(config)), credentials_(std::move(credentials)) {}
  ~SmtpChannel() override { curl_easy_cleanup(curl_); }

  DeliveryResult Send(const OutboundMessage& message) override {
    DeliveryResult result;
    const std::string& raw_from = message.from.empty() ? config_.from : message.from;
    if (HasControl(raw_from) || HasControl(message.to)) {
      result.outcome = DeliveryOutcome::kDead;
      result.detail = "control character in a sender or recipient address";
      return result;
    }
    const std::string from = MailboxAddress(message.from.empty() ? config_.from : message.from);
    const std::string to = MailboxAddress(message.to);
    if (to.empty() || to.find_first_of("\r\n<>") != std::string::npos) {
      result.outcome = DeliveryOutcome::kDead;
      result.detail = "bad recipient address \"" + message.to + "\"";
      return result;
    }
    if (message.email_mime.empty()) {
      result.outcome = DeliveryOutcome::kDead;
      result.detail = "empty message (email_mime)";
      return result;
    }
    if (from.find_first_of("\r\n<>") != std::string::npos) {
      result.outcome = DeliveryOutcome::kDead;
      result.detail = "bad sender address \"" + from + "\"";
      return result;
    }
    // Reset keeps the connection cache: the next message reuses the SMTP session.
    curl_easy_reset(curl_);
    Transfer t;
    t.body = message.email_mime;
    const std::string mail_from = "<" + from + ">";
    const std::string rcpt = "<" + to + ">";
    curl_slist* recipients = curl_slist_append(nullptr, rcpt.c_str());
    char error[CURL_ERROR_SIZE] = {};
    const long timeout_ms = static_cast<long>(config_.timeout_seconds * 1000);
    curl_easy_setopt(curl_, CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(message.email_mime.size()));
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(curl_, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &ReadReply);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    if (config_.url.rfind("smtp://", 0) == 0) {
      curl_easy_setopt(curl_, CURLOPT_USE_SSL,
                       static_cast<long>(config_.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
    }
    if (!credentials_.username.empty()) {
      curl_easy_setopt(curl_, CURLOPT_USERNAME, credentials_.username.c_str());
      curl_easy_setopt(curl_, CURLOPT_PASSWORD, credentials_.password.c_str());
    }
    const CURLcode code = curl_easy_perform(curl_);
    curl_slist_free_all(recipients);
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, nullptr);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(curl_, CURLOPT_USERNAME, nullptr);
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, nullptr);

    long reply = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply);
    const std::string what = error[0] != '\0' ? error : curl_easy_strerror(code);
    if (code == CURLE_OK) {
      result.outcome = DeliveryOutcome::kSent;
      result.provider_id = QueueId(t.last_reply);
      result.detail = t.last_reply;
      return result;
    }
    const std::string& reply_text = t.error_reply.empty() ? t.last_reply : t.error_reply;
    result.detail = reply_text.empty() ? what : reply_text + " (" + what + ")";
    // A refused login is the credentials' fault, not the message's: retry, like a 4xx.
    const bool refused_for_now = IsLoginFailure(code) || (reply >= 400 && reply < 500);
    const bool handed_over = t.body_read == message.email_mime.size() && t.body_read > 0;
    if (!refused_for_now && reply >= 500 && reply < 600) {
      result.outcome = DeliveryOutcome::kDead;
    } else if (!refused_for_now && handed_over) {
      // Everything was handed over after DATA's 354; whether the server took it is unknown.
      result.outcome = DeliveryOutcome::kUnknown;
    } else {
      result.outcome = DeliveryOutcome::kRetry;
    }
    return result;
  }

  const std::string& transport() const override { return transport_; }

 private:
  CURL* curl_;
  ChannelConfig config_;
  SmtpCredentials credentials_;
  std::string transport_ = "smtp";
};

}  // namespace

std::string MailboxAddress(const std::string& mailbox) {
  const std::size_t open = mailbox.rfind('<');
  std::string_view address = mailbox;
  if (open != std::string::npos) {
    const std::size_t close = mailbox.find('>', open);
    address = std::string_view(mailbox).substr(
        open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
  }
  while (!address.empty() && std::isspace(static_cast<unsigned char>(address.front()))) {
    address.remove_prefix(1);
  }
  while (!address.empty() && std::isspace(static_cast<unsigned char>(address.back()))) {
    address.remove_suffix(1);
  }
  return std::string(address);
}

Result<std::unique_ptr<Channel>> MakeSmtpChannel(const ChannelConfig& config,
                                                 SmtpCredentials credentials) {
  internal::EnsureCurlInitialised();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return InternalError("smtp channel: curl_easy_init failed");
  return std::unique_ptr<Channel>(
      std::make_unique<SmtpChannel>(curl, config, std::move(credentials)));
}

}  // namespace winback::channels
