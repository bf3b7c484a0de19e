#include "server/http_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
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

// The whole-request deadline that cpp-httplib 0.11 lacks: its read and write timeouts apply to
// each read and write, so a client that sends a byte just faster than the read timeout (or reads
// the response that slowly) could hold a worker as long as its headers, body or response last,
// and the headers have no limit in count.
//
// A connection is, at any moment, waiting for a request (from the accept or the end of the
// previous response until the handler is called: keep-alive idle time, request line, headers,
// body), handled (the handler runs: no deadline), or being written (from the handler's return
// until the library has written the response). When a wait or a write has lasted longer than
// the deadline, the connection's socket is shut down (shutdown(2), both ways): the worker's
// blocked read or write fails at once and the library closes the connection.
//
// The library does not show the accepted sockets to its user, so a watchdog thread finds them:
// once a second it lists this process's descriptors (/proc/self/fd), keeps the TCP sockets whose
// local port is the server's (the listening socket aside), and knows each by its inode (a new
// inode on a descriptor number is a new connection) and its peer address. The handler and the
// logger (which the library calls after writing each response) report the phases by peer
// address, which the library's Request carries. Before a socket is shut down its inode is read
// again, so a descriptor number reused by a newer connection in the meantime is left alone.
class RequestDeadlines {
 public:
  RequestDeadlines(double deadline_seconds, int listen_fd)
      : deadline_ns_(static_cast<std::int64_t>(deadline_seconds * 1e9)),
        listen_fd_(listen_fd),
        listen_port_(LocalPort(listen_fd)),
        watchdog_([this] { Watch(); }) {}
  ~RequestDeadlines() {
    {
      MutexLock lock(&mu_);
      stopping_ = true;
      wake_.SignalAll();
    }
    watchdog_.join();
  }
  RequestDeadlines(const RequestDeadlines&) = delete;
  RequestDeadlines& operator=(const RequestDeadlines&) = delete;

  // The request from `peer` has been read; its handler runs.
  void Handling(const std::string& peer) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    peers_[peer] = PeerState{true, NowNs()};
  }
  // The handler returned (the response is being written), or the response was written (the
  // next request is awaited): the deadline counts from now.
  void Waiting(const std::string& peer) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    peers_[peer] = PeerState{false, NowNs()};
  }

  static std::string PeerKey(const std::string& addr, int port) {
    return addr + "|" + std::to_string(port);
  }

 private:
  struct PeerState {
    bool handling = false;
    std::int64_t since_ns = 0;
  };
  struct Socket {
    ino_t inode = 0;
    std::string peer;
    std::int64_t first_seen_ns = 0;
    bool cut = false;
  };

  static std::int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  static int LocalPort(int fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
    if (addr.ss_family == AF_INET) {
      return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    }
    if (addr.ss_family == AF_INET6) {
      return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    }
    return -1;
  }
  // The peer of socket `fd` in PeerKey form, as the library reports it ("" if not a TCP peer).
  static std::string Peer(int fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
    char host[INET6_ADDRSTRLEN] = {};
    int port = -1;
    if (addr.ss_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
      ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
      port = ntohs(in->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
      ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
      port = ntohs(in6->sin6_port);
    } else {
      return "";
    }
    return PeerKey(host, port);
  }
  static ino_t Inode(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
    return st.st_ino;
  }

  void Watch() EXCLUDES(mu_) {
    while (true) {
      {
        MutexLock lock(&mu_);
        if (!stopping_) wake_.WaitFor(&mu_, std::chrono::seconds(1));
        if (stopping_) return;
      }
      if (listen_port_ >= 0) Scan();
    }
  }

  // Lists the server's connections (without the lock, so requests are not held up by the
  // system calls), then shuts down those past the deadline.
  void Scan() EXCLUDES(mu_) {
    const std::int64_t now = NowNs();
    std::map<int, Socket> seen;
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return;
    while (const dirent* entry = ::readdir(dir)) {
      char* end = nullptr;
      const long n = std::strtol(entry->d_name, &end, 10);
      if (end == entry->d_name || *end != '\0') continue;
      const int fd = static_cast<int>(n);
      if (fd == listen_fd_ || fd == ::dirfd(dir)) continue;
      const ino_t inode = Inode(fd);
      if (inode == 0) continue;
      auto known = sockets_.find(fd);
      if (known != sockets_.end() && known->second.inode == inode) {
        seen.emplace(fd, std::move(known->second));
        continue;
      }
      if (LocalPort(fd) != listen_port_) continue;  // Not one of the server's connections.
      Socket s;
      s.inode = inode;
      s.peer = Peer(fd);
      s.first_seen_ns = now;
      if (!s.peer.empty()) seen.emplace(fd, std::move(s));
    }
    ::closedir(dir);
    sockets_ = std::move(seen);
    MutexLock lock(&mu_);
    std::map<std::string, PeerState> live_peers;
    for (auto& [fd, s] : sockets_) {
      std::int64_t since = s.first_seen_ns;
      if (auto p = peers_.find(s.peer); p != peers_.end()) {
        live_peers.insert(*p);
        if (p->second.handling) continue;
        since = std::max(since, p->second.since_ns);
      }
      if (s.cut || now - since <= deadline_ns_) continue;
      if (Inode(fd) != s.inode) continue;  // Closed, and the number reused, since the scan.
      ::shutdown(fd, SHUT_RDWR);
      s.cut = true;
    }
    // Forget peers whose connections are gone (a handler may report a peer the scan has not
    // seen yet: keep those reported within the deadline).
    for (auto& [peer, state] : peers_) {
      if (now - state.since_ns <= deadline_ns_) live_peers.insert({peer, state});
    }
    peers_ = std::move(live_peers);
  }

  const std::int64_t deadline_ns_;
  const int listen_fd_;
  const int listen_port_;
  Mutex mu_;
  CondVar wake_;
  std::map<int, Socket> sockets_;  // The watchdog thread's own.
  std::map<std::string, PeerState> peers_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread watchdog_;  // Last: starts after everything above exists.
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
  Response r = Response::Error(
      401, "unauthorized",
      token ? "the API key is not valid" : "an API key is required: Authorization: Bearer KEY");
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
      auth = p_.api_keys
                 ? p_.api_keys->Check(request)
                 : AuthDecision{false, "",
                                Response::Error(401, "unauthorized", "no API keys configured")};
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
        response =
            Response::Error(429, "rate_limited", "too many requests for this API key; retry later");
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
  // Declared before the server, so it outlives the server's workers.
  std::unique_ptr<RequestDeadlines> deadlines;
  std::unique_ptr<httplib::Server> server;
  int listen_fd = -1;
};

HttpServer::HttpServer(const Dispatcher& dispatcher, HttpServerOptions options)
    : impl_(new Impl{dispatcher, std::move(options), nullptr, nullptr, -1}) {}

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
      return InvalidArgumentError("cannot load the TLS certificate '" + o.tls_cert + "' and key '" +
                                  o.tls_key + "' (PEM files expected)");
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
  // Made in Bind() once the listening socket exists; outlives the workers (see Impl).
  std::unique_ptr<RequestDeadlines>* deadlines = &d.deadlines;
  auto handle = [dispatcher, deadlines](const httplib::Request& in, httplib::Response& out) {
    const std::string peer = RequestDeadlines::PeerKey(in.remote_addr, in.remote_port);
    if (*deadlines) (*deadlines)->Handling(peer);
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
    if (*deadlines) (*deadlines)->Waiting(peer);
  };
  s.Get(".*", handle);
  s.Post(".*", handle);
  s.Put(".*", handle);
  s.Patch(".*", handle);
  s.Delete(".*", handle);
  s.Options(".*", handle);
  s.set_logger([deadlines](const httplib::Request& in, const httplib::Response&) {
    if (*deadlines)
      (*deadlines)->Waiting(RequestDeadlines::PeerKey(in.remote_addr, in.remote_port));
  });
  // Errors the library answers itself (413, 400, ...) get the JSON error body.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
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
  d.deadlines = std::make_unique<RequestDeadlines>(static_cast<double>(o.request_timeout_seconds),
                                                   d.listen_fd);
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
