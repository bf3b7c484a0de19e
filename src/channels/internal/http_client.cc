#include "channels/internal/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

namespace winback::channels::internal {
namespace {

// Answers longer than this are cut: we read ids and error messages, not documents.
constexpr std::size_t kMaxResponseBytes = 1 << 20;

struct Transfer {
  std::string_view body;
  std::size_t body_read = 0;  // Bytes handed to libcurl so far.
  std::string response;
  std::optional<std::chrono::seconds> retry_after;
};

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = std::min(size * count, t->body.size() - t->body_read);
  std::memcpy(buffer, t->body.data() + t->body_read, n);
  t->body_read += n;
  return n;
}

std::size_t WriteResponse(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  t->response.append(
      data, std::min(n, kMaxResponseBytes - std::min(kMaxResponseBytes, t->response.size())));
  return n;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Keeps Retry-After when it is a number of seconds; an HTTP-date is ignored (the sender's own
// backoff applies then).
std::size_t ReadHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  const std::size_t colon = line.find(':');
  if (colon != std::string_view::npos && EqualsIgnoreCase(line.substr(0, colon), "retry-after")) {
    const std::string_view value = Trim(line.substr(colon + 1));
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
      t->retry_after = std::chrono::seconds(seconds);
    }
  }
  return size * count;
}

bool IsConnectFailure(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return true;
    default:
      return false;
  }
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
};

}  // namespace

std::string JsonStringAt(std::string_view body, const std::string& pointer) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "";
  try {
    const nlohmann::json::json_pointer at(pointer);
    if (!j.contains(at)) return "";
    const nlohmann::json& v = j.at(at);
    return v.is_string() ? v.get<std::string>() : "";
  } catch (const nlohmann::json::exception&) {
    // A pointer through a non-container, or an array index that is not a number.
    return "";
  }
}

void EnsureCurlInitialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HttpClient::Impl {
  CURL* curl = nullptr;
  long timeout_ms = 0;
  ~Impl() { curl_easy_cleanup(curl); }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(std::int64_t timeout_seconds) {
  EnsureCurlInitialised();
  auto impl = std::make_unique<Impl>();
  impl->curl = curl_easy_init();
  if (impl->curl == nullptr) return InternalError("libcurl: curl_easy_init failed");
  impl->timeout_ms = static_cast<long>(timeout_seconds * 1000);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

DeliveryResult HttpClient::Post(const HttpRequest& request, const ResponseReader& reader) {
  for (const std::string& h : request.headers) {
    if (h.find_first_of("\r\n") != std::string::npos) {
      DeliveryResult bad;
      bad.outcome = DeliveryOutcome::kDead;
      bad.detail = "a header value holds a line break (idempotency key?)";
      return bad;
    }
  }
  CURL* curl = impl_->curl;
  // Reset keeps the connection cache: the next request to the host reuses the connection.
  curl_easy_reset(curl);
  Transfer t;
  t.body = request.body;
  HeaderList headers;
  for (const std::string& h : request.headers)
    headers.list = curl_slist_append(headers.list, h.c_str());
  // No "Expect: 100-continue" round trip: the body goes with the headers.
  headers.list = curl_slist_append(headers.list, "Expect:");
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadBody);
  curl_easy_setopt(curl, CURLOPT_READDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteResponse);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, impl_->timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, impl_->timeout_ms);
  if (!request.basic_user.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.basic_user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.basic_password.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  // Credentials must not outlive the call inside the handle.
  curl_easy_setopt(curl, CURLOPT_USERNAME, nullptr);
  curl_easy_setopt(curl, CURLOPT_PASSWORD, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);

  DeliveryResult result;
  if (code != CURLE_OK) {
    const std::string what = error[0] != '\0' ? error : curl_easy_strerror(code);
    const bool body_sent = t.body_read == request.body.size() && !IsConnectFailure(code);
    result.outcome = body_sent ? DeliveryOutcome::kUnknown : DeliveryOutcome::kRetry;
    result.detail = (body_sent ? "no answer after the request was sent: " : "not sent: ") + what;
    return result;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  const std::string status_text = "HTTP " + std::to_string(status);
  if (status >= 200 && status < 300) {
    result.outcome = DeliveryOutcome::kSent;
    result.provider_id = reader.provider_id ? reader.provider_id(t.response) : "";
    result.detail = status_text;
    return result;
  }
  const std::string text = reader.error_text ? reader.error_text(t.response) : "";
  result.detail = text.empty() ? status_text : status_text + ": " + text;
  if (status == 429 || status == 408 || status >= 500) {
    result.outcome = DeliveryOutcome::kRetry;
    result.retry_after = t.retry_after;
  } else {
    result.outcome = DeliveryOutcome::kDead;
  }
  return result;
}

}  // namespace winback::channels::internal
