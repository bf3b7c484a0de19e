// winback serve [--listen HOST:PORT] [--tls-cert F --tls-key F]: the HTTP API (src/server),
// until SIGTERM or SIGINT. Wiring only: the store, the writer, the router, the adapter.
#include <fmt/core.h>
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/serve_tracking.h"
#include "cli/store_open.h"
#include "server/api.h"
#include "server/api_keys.h"
#include "server/dashboard.h"
#include "server/http_server.h"
#include "server/ingest_writer.h"
#include "server/rate_limiter.h"
#include "server/server_config.h"
#include "server/store_pool.h"
#include "store/open_store.h"

namespace winback::cli {
namespace {

struct ServeOptions {
  std::string listen;
  std::string tls_cert;
  std::string tls_key;
};

Result<std::pair<std::string, int>> SplitListen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgumentError("--listen: expected HOST:PORT, got '" + listen + "'");
  }
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return InvalidArgumentError("--listen: port '" + port_text + "' is not 0..65535");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, static_cast<int>(port));
}

int RunServe(const GlobalOptions& globals, const ServeOptions& o) {
  Result<config::Config> config = LoadConfig(globals);
  if (!config.ok()) return ReportError(config.status());
  const auto& settings = config->Get<server::ServerSettings>();
  Result<std::pair<std::string, int>> address =
      SplitListen(o.listen.empty() ? settings.listen : o.listen);
  if (!address.ok()) return ReportError(address.status());
  const char* env_key = std::getenv("WINBACK_API_KEY");
  Result<server::ApiKeys> keys =
      server::ApiKeys::Make(settings.api_key_sha256, env_key ? env_key : "");
  if (!keys.ok()) return ReportError(keys.status());
  if (keys->empty()) {
    fmt::print(stderr,
               "winback serve: warning: no API keys ([server] api_key_sha256 or "
               "WINBACK_API_KEY): every /v1 request will be refused with 401\n");
  }
  const std::string db = DatabasePath(globals, *config);
  // The writer's connection fsyncs every commit: a 200 means durable.
  Result<std::unique_ptr<store::Store>> writer_store =
      store::OpenStore(db, store::OpenOptions{.mode = store::OpenMode::kMustExist,
                                              .upgrade_notice = UpgradeNotice(db),
                                              .sync = store::Sync::kFull});
  if (!writer_store.ok()) return ReportError(writer_store.status());
  if ((*writer_store)->read_only()) {
    return ReportError(FailedPreconditionError("'" + db + "' cannot be written by this process"));
  }

  // SIGTERM and SIGINT go to one waiting thread only (blocked before any thread starts).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::IngestWriter writer(
      std::move(*writer_store),
      {.max_group_requests = static_cast<std::size_t>(settings.group_commit_max_requests)});
  server::StorePool readers(db, static_cast<std::size_t>(settings.threads));
  server::Metrics metrics;
  server::Router router;
  server::AddApiRoutes(
      router, server::ApiContext{.readers = &readers,
                                 .writer = &writer,
                                 .config = &*config,
                                 .metrics = &metrics,
                                 .now = [] {
                                   return Instant::FromUnixMicros(
                                       std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
                                 }});
  // The public side: tracking links, the preference centre, inbound webhooks.
  if (Status s = AddPublicRoutes(router, *config, db); !s.ok()) return ReportError(s);
  server::ApiKeyAuthenticator api_auth(std::move(*keys));
  // The dashboard, when it has a user (WINBACK_ADMIN_PASSWORD or [[dashboard.user]]); its pages
  // read through their own read-only connection.
  const bool tls = !o.tls_cert.empty();
  const char* admin_password = std::getenv("WINBACK_ADMIN_PASSWORD");
  Result<std::unique_ptr<server::Dashboard>> dashboard = server::Dashboard::Create(
      *config, admin_password ? std::optional<std::string_view>(admin_password) : std::nullopt,
      [db] {
        return store::OpenStore(
            db, store::OpenOptions{.mode = store::OpenMode::kReadOnly, .upgrade_notice = {}});
      },
      tls);
  std::unique_ptr<server::Authenticator> dashboard_auth;
  if (dashboard.ok()) {
    (*dashboard)->AddRoutes(router);
    dashboard_auth = std::make_unique<server::DashboardAuthenticator>(**dashboard);
  } else if (dashboard.status().code() == StatusCode::kFailedPrecondition) {
    fmt::print(stderr, "winback serve: warning: dashboard off: {}\n", dashboard.status().message());
    dashboard_auth = std::make_unique<server::DenyAllAuthenticator>();
  } else {
    return ReportError(dashboard.status());
  }
  server::RateLimiter limiter(settings.rate_per_second, static_cast<double>(settings.rate_burst));
  server::Dispatcher dispatcher({.router = &router,
                                 .api_keys = &api_auth,
                                 .dashboard = dashboard_auth.get(),
                                 .rate_limiter = &limiter,
                                 .metrics = &metrics,
                                 .now_seconds = {}});
  server::HttpServer http(
      dispatcher,
      server::HttpServerOptions{
          .host = address->first,
          .port = address->second,
          .tls_cert = o.tls_cert,
          .tls_key = o.tls_key,
          .max_body_bytes = static_cast<std::size_t>(settings.max_body_bytes),
          .read_timeout_seconds = settings.read_timeout_seconds,
          .write_timeout_seconds = settings.write_timeout_seconds,
          .request_timeout_seconds = settings.request_timeout_seconds,
          .keep_alive_seconds = settings.keep_alive_seconds,
          .keep_alive_max_requests = 1000,
          .threads = static_cast<std::size_t>(settings.threads),
          .max_queued_connections = static_cast<std::size_t>(settings.max_queued_connections),
          .listen_backlog = 1024});
  Result<int> port = http.Bind();
  if (!port.ok()) return ReportError(port.status());
  fmt::print("winback serve: listening on {}://{}:{} (store {})\n", tls ? "https" : "http",
             address->first, *port, db);
  std::fflush(stdout);

  std::thread waiter([&http, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    fmt::print(stderr, "winback serve: {} received, stopping\n",
               sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http.Stop();
  });
  Status served = http.Run();
  // Run() can return without a signal (the socket failed): wake the waiter so it can be joined.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  writer.Stop();
  if (!served.ok()) return ReportError(served);
  const server::IngestWriter::Stats stats = writer.stats();
  fmt::print(stderr, "winback serve: stopped; {} write requests in {} commits\n", stats.requests,
             stats.groups);
  return kExitOk;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "The HTTP API: ingest customers, orders, events and products; read customers, "
      "segments, campaigns, rates; /healthz and /metrics");
  cmd->add_option("--listen", o->listen,
                  "HOST:PORT to listen on (default: [server] listen, else 127.0.0.1:8080; port 0 "
                  "picks a free one)");
  cmd->add_option("--tls-cert", o->tls_cert, "PEM certificate chain: serve HTTPS");
  cmd->add_option("--tls-key", o->tls_key, "PEM private key of --tls-cert");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunServe(globals, *o); });
}

}  // namespace winback::cli
