#pragma once

// The one HTTP POST and its classification, shared by the twilio, whatsapp_cloud and webhook
// channels (libcurl stays in http_client.cc).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "channels/channel.h"
#include "core/status.h"

namespace winback::channels::internal {

// One POST request.
struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value", Content-Type included.
  std::string body;
  // HTTP Basic credentials; an empty user sends none. Never logged or put in a detail.
  std::string basic_user;
  std::string basic_password;
};

// How a provider's answer body is read: its message id on 2xx, its error text otherwise. Both
// may return an empty string, and must not throw.
struct ResponseReader {
  std::function<std::string(std::string_view body)> provider_id;
  std::function<std::string(std::string_view body)> error_text;
};

// Posts requests over one libcurl easy handle, so consecutive requests to the same host reuse
// the connection. Not thread-safe: one thread at a time.
//
// Classification of Post (the table of src/channels/README.md):
//   2xx                                         kSent, provider_id from the reader
//   429, 5xx, 408                               kRetry, retry_after from Retry-After (seconds)
//   other 1xx-4xx (3xx too: redirects are not followed) kDead, detail "HTTP 400: <error_text>"
//   no connection (refused, unresolved, TLS handshake, connect timeout), or a failure while
//   the body was still being handed over           kRetry
//   the whole body was handed to the connection, then a timeout, reset or close came
//   before a complete answer                        kUnknown
// The body is streamed through a read callback without a seek callback, so libcurl cannot
// silently resend it on a fresh connection (it fails the transfer instead, which then counts
// as kUnknown): a POST is never sent twice by this class.
class HttpClient {
 public:
  // A client whose every request, connecting included, ends after `timeout_seconds`.
  // Internal when libcurl cannot make a handle.
  static Result<std::unique_ptr<HttpClient>> Create(std::int64_t timeout_seconds);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  DeliveryResult Post(const HttpRequest& request, const ResponseReader& reader);

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The string at JSON pointer `pointer` ("/sid", "/messages/0/id") of the JSON text `body`;
// empty when the body is not JSON or has no string there. Never throws.
std::string JsonStringAt(std::string_view body, const std::string& pointer);

// Initialises libcurl's global state once per process (thread-safe; every channel that uses
// libcurl calls it before making a handle).
void EnsureCurlInitialised();

}  // namespace winback::channels::internal
