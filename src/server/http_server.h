#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "server/api_keys.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/rate_limiter.h"

namespace winback::server {

// Decides whether a request may reach a route of one Access kind. `principal` names the caller
// (an API key's id, a dashboard user) for rate limits and logs; never a secret.
struct AuthDecision {
  bool allowed = false;
  std::string principal;
  Response denial;  // When not allowed: what to answer (401, or a redirect to the login page).
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual AuthDecision Check(const Request& request) const = 0;
};

// kApiKey routes: `Authorization: Bearer KEY` with a key of `keys`; otherwise 401
// (code "unauthorized") with `WWW-Authenticate: Bearer`.
class ApiKeyAuthenticator final : public Authenticator {
 public:
  explicit ApiKeyAuthenticator(ApiKeys keys) : keys_(std::move(keys)) {}
  AuthDecision Check(const Request& request) const override;

 private:
  ApiKeys keys_;
};

// kDashboard routes until the dashboard's login exists: every request is 401
// ("dashboard_unavailable"). The dashboard replaces it with its session check.
class DenyAllAuthenticator final : public Authenticator {
 public:
  AuthDecision Check(const Request& request) const override;
};

// Everything between a decoded Request and the handler, without a socket: route lookup (404,
// 405 with Allow), the route's Access checked by its Authenticator, the per-principal rate limit
// (429 with Retry-After) for kApiKey routes, the handler (an exception from it is logged and
// answered 500 "internal" without details), and the request metrics. Thread-safe.
class Dispatcher {
 public:
  struct Parts {
    const Router* router = nullptr;
    const Authenticator* api_keys = nullptr;   // For kApiKey routes.
    const Authenticator* dashboard = nullptr;  // For kDashboard routes.
    RateLimiter* rate_limiter = nullptr;       // May be null: no limit.
    Metrics* metrics = nullptr;                // May be null.
    // Seconds on a monotonic clock; tests pass their own.
    std::function<double()> now_seconds;
  };
  explicit Dispatcher(Parts parts);

  Response Dispatch(Request request) const;

 private:
  Parts p_;
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;       // 0: any free port (Bind() says which).
  std::string tls_cert;  // Both set: HTTPS with these PEM files.
  std::string tls_key;
  std::size_t max_body_bytes = 8 << 20;
  std::int64_t read_timeout_seconds = 5;
  std::int64_t write_timeout_seconds = 5;
  // The longest a request may take to arrive (from the accept or the previous response,
  // keep-alive idle time included, to the last byte of its body) and its response to be written;
  // a connection over it is shut down. The read and write timeouts apply per read and write.
  std::int64_t request_timeout_seconds = 30;
  std::int64_t keep_alive_seconds = 5;
  std::size_t keep_alive_max_requests = 1000;
  std::size_t threads = 16;
  std::size_t max_queued_connections = 256;
  int listen_backlog = 1024;
};

// The adapter over cpp-httplib, the only code that sees its types: converts its requests to
// Request, hands them to a Dispatcher, converts the Response back. Every error the library
// produces itself (413 for a body over the limit, 400 for a malformed request) gets the JSON
// error body too. Workers are a fixed pool of `threads`; at most `max_queued_connections`
// accepted connections wait for one, then accepting pauses. Not copyable.
class HttpServer {
 public:
  HttpServer(const Dispatcher& dispatcher, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket. Returns the port (useful with port 0). InvalidArgument for TLS
  // files that cannot be loaded; Unavailable when the address cannot be bound.
  Result<int> Bind();
  // Serves until Stop(); returns once the workers have finished their requests.
  Status Run();
  // Stops accepting and ends Run(). Thread-safe; may be called before Run().
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The HTTP status for a Status code: InvalidArgument 400, NotFound 404, AlreadyExists 409,
// FailedPrecondition 409, Unavailable and Cancelled 503, everything else 500.
int HttpStatusOf(StatusCode code);
// The stable error code clients see for a Status code ("invalid_argument", "not_found", ...).
std::string_view ErrorCodeOf(StatusCode code);
// The JSON error response for `status` (not ok). A 500's message is not shown to the client
// (it may hold internals): it is logged to stderr with an id, and the client gets the id.
Response ErrorResponse(const Status& status);

}  // namespace winback::server
