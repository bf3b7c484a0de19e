#include "server/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <deque>
#include <exception>
#include <thread>
#include <vector>

#include "core/mutex.h"

namespace winback::server {
namespace {

std::atomic<std::uint64_t> next_error_id{1};

// Logs `what` (never sent to the client) and returns the id the client gets.
std::string LogInternal(std::string_view what) {
  const std::uint64_t id = next_error_id.fetch_add(1);
  std::fprintf(stderr, "winback serve: internal error %llu: %.*s\n",
               static_cast<unsigned long long>(id), static_cast<int>(what.size()), what.data());
  return std::to_string(id);
}

std::string_view ReasonCode(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "request_timeout";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 415:
      return "unsupported_media_type";
    case 416:
      return "range_not_satisfiable";
    case 429:
      return "rate_limited";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

// A fixed pool of workers with a bounded queue: when `max_queued` connections wait, enqueue
// (called by the accepting thread) blocks, so the kernel's backlog holds the rest instead of
// this process's memory.
class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(std::size_t threads, std::size_t max_queued) : max_queued_(max_queued) {
    for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  void enqueue(std::function<void()> fn) override {
    MutexLock lock(&mu_);
    while (jobs_.size() >= max_queued_ && !shutdown_) not_full_.Wait(&mu_);
    jobs_.push_back(std::move(fn));
    not_empty_.Signal();
  }
  void shutdown() override {
    {
      MutexLock lock(&mu_);
      shutdown_ = true;
      not_empty_.SignalAll();
      not_full_.SignalAll();
    }
    for (std::thread& t : workers_) t.join();
  }

 private:
  void Work() {
    while (true) {
      std::function<void()> fn;
      {
        MutexLock lock(&mu_);
        while (jobs_.empty() && !shutdown_) not_empty_.Wait(&mu_);
        if (jobs_.empty()) return;  // Shut down and drained.
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        not_full_.Signal();
      }
      fn();
    }
  }
  const std::size_t max_queued_;
  Mutex mu_;
  CondVar not_empty_;
  CondVar not_full_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  bool shutdown_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      return 503;
    default:
      return 500;
  }
}

std::string_view ErrorCodeOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      return "unavailable";
    default:
      return "internal";
  }
}

Response ErrorResponse(const Status& status) {
  const int http = HttpStatusOf(status.code());
  if (http == 500) {
    const std::string id = LogInternal(status.message());
    return Response::Error(500, "internal",
                           "internal error " + id + "; the server log has the details");
  }
  return Response::Error(http, ErrorCodeOf(status.code()), status.message());
}

AuthDecision ApiKeyAuthenticator::Check(const Request& request) const {
  std::optional<std::string_view> token = ApiKeys::BearerToken(request);
  if (token) {
    if (std::optional<std::string> id = keys_.Find(*token)) return AuthDecision{true, *id, {}};
  }
  Response r = Response::Error(401, "unauthorized",
                               token ? "the API key is not valid"
                                     : "an API key is required: Authorization: Bearer KEY");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return AuthDecision{false, "", std::move(r)};
}

AuthDecision DenyAllAuthenticator::Check(const Request&) const {
  return AuthDecision{
      false, "",
      Response::Error(401, "dashboard_unavailable", "the dashboard login is not available")};
}

Dispatcher::Dispatcher(Parts parts) : p_(std::move(parts)) {
  if (!p_.now_seconds) {
    p_.now_seconds = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
}

Response Dispatcher::Dispatch(Request request) const {
  const double start = p_.now_seconds();
  std::string route = "unmatched";
  Response response;
  Router::Match m = p_.router->Find(request.method, request.path);
  if (m.route == nullptr) {
    if (m.method_not_allowed) {
      std::string allow;
      for (const Router::Route& r : p_.router->routes()) {
        if (p_.router->Find(r.method, request.path).route == &r) {
          allow += (allow.empty() ? "" : ", ") + r.method;
        }
      }
      response = Response::Error(405, "method_not_allowed",
                                 request.method + " is not allowed on " + request.path);
      response.headers.emplace_back("Allow", allow);
    } else {
      response = Response::Error(404, "not_found", "no such endpoint: " + request.path);
    }
  } else {
    route = m.route->pattern;
    request.params = std::move(m.params);
    AuthDecision auth{true, "", {}};
    if (m.route->access == Access::kApiKey) {
      auth = p_.api_keys ? p_.api_keys->Check(request)
                         : AuthDecision{false, "", Response::Error(401, "unauthorized",
                                                                   "no API keys configured")};
    } else if (m.route->access == Access::kDashboard) {
      auth = p_.dashboard ? p_.dashboard->Check(request) : DenyAllAuthenticator().Check(request);
    }
    if (!auth.allowed) {
      response = std::move(auth.denial);
    } else {
      RateLimiter::Decision rate;
      if (m.route->access == Access::kApiKey && p_.rate_limiter != nullptr) {
        rate = p_.rate_limiter->Allow(auth.principal, start);
      }
      if (!rate.allowed) {
        response = Response::Error(429, "rate_limited",
                                   "too many requests for this API key; retry later");
        response.headers.emplace_back(
            "Retry-After",
            std::to_string(static_cast<long long>(std::ceil(rate.retry_after_seconds))));
      } else {
        try {
          response = m.route->handler(request);
        } catch (const std::exception& e) {
          response = ErrorResponse(InternalError(route + ": " + e.what()));
        } catch (...) {
          response = ErrorResponse(InternalError(route + ": unknown exception"));
        }
      }
    }
  }
  if (p_.metrics != nullptr) {
    p_.metrics->RecordRequest(route, request.method, response.status, p_.now_seconds() - start);
  }
  return response;
}

struct HttpServer::Impl {
  const Dispatcher& dispatcher;
  HttpServerOptions options;
  std::unique_ptr<httplib::Server> server;
  int listen_fd = -1;
};

HttpServer::HttpServer(const Dispatcher& dispatcher, HttpServerOptions options)
    : impl_(new Impl{dispatcher, std::move(options), nullptr, -1}) {}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Bind() {
  Impl& d = *impl_;
  const HttpServerOptions& o = d.options;
  if (!o.tls_cert.empty() || !o.tls_key.empty()) {
    if (o.tls_cert.empty() || o.tls_key.empty()) {
      return InvalidArgumentError("--tls-cert and --tls-key go together");
    }
    auto ssl = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!ssl->is_valid()) {
      return InvalidArgumentError("cannot load the TLS certificate '" + o.tls_cert +
                                  "' and key '" + o.tls_key + "' (PEM files expected)");
    }
    d.server = std::move(ssl);
  } else {
    d.server = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *d.server;
  const std::size_t threads = o.threads;
  const std::size_t queued = o.max_queued_connections;
  s.new_task_queue = [threads, queued] { return new BoundedPool(threads, queued); };
  s.set_read_timeout(static_cast<time_t>(o.read_timeout_seconds), 0);
  s.set_write_timeout(static_cast<time_t>(o.write_timeout_seconds), 0);
  s.set_keep_alive_timeout(static_cast<time_t>(o.keep_alive_seconds));
  s.set_keep_alive_max_count(o.keep_alive_max_requests);
  s.set_payload_max_length(o.max_body_bytes);
  s.set_tcp_nodelay(true);
  // The library's own listen backlog is 5; remember the socket to widen it after bind.
  int* listen_fd = &d.listen_fd;
  s.set_socket_options([listen_fd](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    *listen_fd = sock;
  });
  const Dispatcher* dispatcher = &d.dispatcher;
  auto handle = [dispatcher](const httplib::Request& in, httplib::Response& out) {
    Request r;
    r.method = in.method;
    r.path = in.path;
    for (const auto& [k, v] : in.params) r.query.emplace_back(k, v);
    for (const auto& [k, v] : in.headers) {
      std::string name = k;
      for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      r.headers.emplace_back(std::move(name), v);
    }
    r.body = in.body;
    r.remote_addr = in.remote_addr;
    Response resp = dispatcher->Dispatch(std::move(r));
    out.status = resp.status;
    for (const auto& [k, v] : resp.headers) out.set_header(k, v);
    out.set_content(std::move(resp.body), resp.content_type.c_str());
  };
  s.Get(".*", handle);
  s.Post(".*", handle);
  s.Put(".*", handle);
  s.Patch(".*", handle);
  s.Delete(".*", handle);
  s.Options(".*", handle);
  // Errors the library answers itself (413, 400, ...) get the JSON error body.
  s.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Response e = Response::Error(res.status, ReasonCode(res.status),
                                 res.status == 413 ? "the request body is larger than the limit"
                                                   : "the request could not be handled");
    res.set_content(e.body, e.content_type.c_str());
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Response e = ErrorResponse(InternalError(req.path + ": " + what));
        res.status = e.status;
        res.set_content(e.body, e.content_type.c_str());
      });
  int port = o.port;
  if (port == 0) {
    port = s.bind_to_any_port(o.host);
    if (port < 0) return UnavailableError("cannot bind " + o.host + ":0");
  } else if (!s.bind_to_port(o.host, port)) {
    return UnavailableError("cannot listen on " + o.host + ":" + std::to_string(port) +
                            " (in use, or not an address of this machine)");
  }
  if (d.listen_fd >= 0) ::listen(d.listen_fd, o.listen_backlog);
  return port;
}

Status HttpServer::Run() {
  if (!impl_->server) return FailedPreconditionError("Run() before Bind()");
  if (!impl_->server->listen_after_bind()) {
    return UnavailableError("the server stopped listening");
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (impl_->server) impl_->server->stop();
}

}  // namespace winback::server
