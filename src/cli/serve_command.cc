// winback serve [--listen HOST:PORT] [--tls-cert F --tls-key F]: the HTTP API (src/server),
// until SIGTERM or SIGINT. Wiring only: the store, the writer, the router, the adapter.
#include <fmt/core.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "analytics/analytics_config.h"
#include "campaigns/campaign_config.h"
#include "campaigns/sender.h"
#include "channels/channel_settings.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/plan_command.h"
#include "cli/serve_tracking.h"
#include "cli/store_open.h"
#include "messages/link_token.h"
#include "scoring/score_models.h"
#include "scoring/score_run.h"
#include "server/api.h"
#include "server/api_keys.h"
#include "server/dashboard.h"
#include "server/http_server.h"
#include "server/ingest_writer.h"
#include "server/journey_loop.h"
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

Instant WallClock() {
  return Instant::FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

// Why the journey loop cannot run, or "" when it can; fills `send` with the secrets it needs
// (the link signing key, the DKIM key) and this process's claim owner.
std::string JourneyLoopOff(const server::ServerSettings& settings, const config::Config& config,
                           campaigns::SendOptions& send) {
  if (settings.plan_interval_seconds == 0) return "[server] plan_interval_seconds = 0";
  const auto& channels = config.Get<channels::ChannelSettings>();
  bool any_channel = false;
  for (int c = 0; c < kChannelKindCount; ++c) {
    any_channel |= channels.For(static_cast<ChannelKind>(c)).has_value();
  }
  if (!any_channel) return "no [channels.email|sms|whatsapp] transport in the config";
  Result<std::string> key = messages::SigningKeyFromEnv();
  if (!key.ok()) return key.status().message();
  Result<std::string> dkim = DkimKeyForSending(channels);
  if (!dkim.ok()) return dkim.status().message();
  send.signing_key = *key;
  send.dkim_private_key = *dkim;
  send.owner = campaigns::SenderOwner();
  send.clock = WallClock;
  return "";
}

// One step of the journey loop: the code of `winback run`. A full step first scores everyone
// as of the current UTC day when the store has no scoring run of that day yet (once a day; a
// `winback run` or `score` of the day counts), then plans everyone; a step for customers plans
// those only; both then send what is due. The loop's own connections are opened on its thread
// at its first step.
server::LoopStepFunction MakeLoopStep(const GlobalOptions& globals, const config::Config& config,
                                      campaigns::SendOptions send) {
  auto stores = std::make_shared<std::vector<std::unique_ptr<store::Store>>>();
  return [&globals, &config, send, stores](
             const server::LoopStep& step,
             const std::function<bool()>& stopping) -> Result<server::LoopStepResult> {
    if (stores->empty()) {
      WINBACK_ASSIGN_OR_RETURN(*stores,
                               OpenExistingStores(globals, config, scoring::ScoreReaderCount()));
    }
    store::Store& store = *(*stores)[0];
    campaigns::SendOptions options = send;
    options.now = WallClock();
    const Date today = UtcDate(options.now);
    if (step.everyone) {
      WINBACK_ASSIGN_OR_RETURN(std::vector<Date> dates, store.ScoreDates());
      if (std::find(dates.begin(), dates.end(), today) == dates.end()) {
        WINBACK_ASSIGN_OR_RETURN(
            scoring::ScoreRun run,
            scoring::ScoreAndSave(StorePointers(*stores),
                                  config.Get<analytics::AnalyticsConfig>().scoring, today,
                                  scoring::ScoreModelOptions{}));
        fmt::print(stderr, "winback serve: journey loop: scored {} customers as of {}\n",
                   run.summary.customers, today.ToString());
      }
    }
    WINBACK_ASSIGN_OR_RETURN(
        PlanAndSendSummary done,
        PlanAndSend(globals, config, store, today, options, step.customers, stopping));
    return server::LoopStepResult{done.planned.added, done.sent.total.sent};
  };
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
  // The writer's connection fsyncs every commit (and so does the ingest log's): a 200 means
  // durable.
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

  server::Metrics metrics;
  // Real-time journeys: the plan-and-send loop (when it can run) and, in the writer, orders
  // exiting journeys before their request is answered.
  campaigns::SendOptions send;
  const std::string loop_off = JourneyLoopOff(settings, *config, send);
  std::unique_ptr<server::JourneyLoop> loop;
  if (!loop_off.empty()) {
    fmt::print(stderr, "winback serve: journey loop off: {}\n", loop_off);
  } else {
    auto last_error = std::make_shared<std::string>();
    loop = std::make_unique<server::JourneyLoop>(
        MakeLoopStep(globals, *config, send),
        server::JourneyLoop::Options{
            .interval_seconds = settings.plan_interval_seconds,
            .on_step = [&metrics, last_error](const server::LoopStep& step,
                                              const Result<server::LoopStepResult>& r) {
              metrics.RecordLoopStep(step.everyone, r.ok(), r.ok() ? r->planned : 0,
                                     r.ok() ? r->sent : 0);
              if (!r.ok()) {
                // Once per distinct error, not once per interval.
                if (r.status().message() != *last_error) {
                  fmt::print(stderr, "winback serve: journey loop: {}\n", r.status().message());
                  *last_error = r.status().message();
                }
                return;
              }
              last_error->clear();
              if (r->planned > 0 || r->sent > 0) {
                fmt::print(stderr,
                           "winback serve: journey loop: planned {}, sent {} ({}) in {:.3f} s\n",
                           r->planned, r->sent,
                           step.everyone ? std::string("everyone")
                                         : std::to_string(step.customers.size()) + " customers",
                           r->seconds);
              }
            }});
  }
  const auto& campaign_settings = config->Get<campaigns::CampaignSettings>();
  server::JourneyLoop* loop_ptr = loop.get();
  auto after_commit = [&campaign_settings, &metrics, loop_ptr](
                          store::Store& store, const server::CommittedRecords& records) -> Status {
    std::vector<server::OrderArrival> orders;
    for (const auto& [key, order] : records.orders) {
      if (order->status == OrderStatus::kCompleted) {
        orders.push_back(server::OrderArrival{key, order->id, order->placed_at});
      }
    }
    if (!orders.empty()) {
      WINBACK_ASSIGN_OR_RETURN(server::OrderExitCounts exits,
                               server::ExitJourneysOnOrders(store, campaign_settings, orders));
      metrics.RecordOrderExits(exits.journeys_exited, exits.messages_cancelled);
    }
    if (loop_ptr == nullptr) return Status::Ok();
    std::vector<CustomerKey> customers;
    bool everyone = false;
    for (const auto& [key, event] : records.events) {
      if (event->type == EventType::kCartAbandoned || event->type == EventType::kTicketResolved) {
        customers.push_back(key);
      }
      everyone |= event->type == EventType::kFeatureShipped;
    }
    if (everyone) {
      loop_ptr->PlanEveryone();
    } else {
      loop_ptr->PlanCustomers(customers);
    }
    return Status::Ok();
  };
  const server::IngestWriter::Options writer_options{
      .max_group_requests = static_cast<std::size_t>(settings.group_commit_max_requests)};
  std::unique_ptr<server::IngestWriter> writer;
  if (settings.ingest_log) {
    // Entries a killed server logged and did not apply are applied here, before serving.
    // The log belongs to this database file (device and inode): a replaced store never gets
    // another's entries.
    struct stat db_stat {};
    if (::stat(db.c_str(), &db_stat) != 0) {
      return ReportError(UnavailableError("cannot read '" + db + "': " + std::strerror(errno)));
    }
    Result<server::IngestLog> log = server::IngestLog::Open(
        db + "-ingest", {.owner = fmt::format("{}:{}", db_stat.st_dev, db_stat.st_ino)});
    if (!log.ok()) return ReportError(log.status());
    Result<std::unique_ptr<store::Store>> reader = store::OpenStore(
        db, store::OpenOptions{.mode = store::OpenMode::kMustExist, .upgrade_notice = {}});
    if (!reader.ok()) return ReportError(reader.status());
    Result<std::unique_ptr<server::IngestWriter>> w =
        server::IngestWriter::WithLog(std::move(*writer_store), std::move(*reader), std::move(*log),
                                      writer_options, after_commit);
    if (!w.ok()) return ReportError(w.status());
    writer = std::move(*w);
    if (const std::int64_t n = writer->stats().recovered; n > 0) {
      fmt::print(stderr, "winback serve: applied {} logged request{} left by an earlier run\n", n,
                 n == 1 ? "" : "s");
    }
  } else {
    writer = std::make_unique<server::IngestWriter>(std::move(*writer_store), writer_options,
                                                    after_commit);
  }
  server::StorePool readers(db, static_cast<std::size_t>(settings.threads));
  server::Router router;
  server::AddApiRoutes(
      router, server::ApiContext{.readers = &readers,
                                 .writer = writer.get(),
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
  // The dashboard; its users: WINBACK_ADMIN_PASSWORD and [[dashboard.user]]. Its pages read
  // through their own read-only connection.
  const bool tls = !o.tls_cert.empty();
  const char* admin_password = std::getenv("WINBACK_ADMIN_PASSWORD");
  Result<std::unique_ptr<server::Dashboard>> dashboard = server::Dashboard::Create(
      *config, admin_password ? std::optional<std::string_view>(admin_password) : std::nullopt,
      [db] {
        return store::OpenStore(
            db, store::OpenOptions{.mode = store::OpenMode::kReadOnly, .upgrade_notice = {}});
      },
      tls);
  if (!dashboard.ok()) return ReportError(dashboard.status());
  if (!(*dashboard)->has_users()) {
    fmt::print(stderr,
               "winback serve: warning: the dashboard has no user, so no one can log in: set "
               "WINBACK_ADMIN_PASSWORD or add [[dashboard.user]] with a password_hash from "
               "`winback passwd`\n");
  }
  (*dashboard)->AddRoutes(router);
  auto dashboard_auth = std::make_unique<server::DashboardAuthenticator>(**dashboard);
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

  if (loop) loop->Start();

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
  writer->Stop();
  // The loop ends its current step (a send returns its claims) before the process exits.
  if (loop) loop->Stop();
  if (!served.ok()) return ReportError(served);
  const server::IngestWriter::Stats stats = writer->stats();
  fmt::print(stderr, "winback serve: stopped; {} write requests in {} commits", stats.requests,
             stats.groups);
  if (settings.ingest_log) {
    fmt::print(stderr, " ({} log commits; {} requests answered once logged)", stats.log_commits,
               stats.early_answers);
  }
  fmt::print(stderr, "\n");
  if (loop) {
    const server::JourneyLoop::Stats ls = loop->stats();
    fmt::print(stderr,
               "winback serve: journey loop: {} steps ({} failed), {} messages planned, {} sent\n",
               ls.steps, ls.failed, ls.planned, ls.sent);
  }
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
