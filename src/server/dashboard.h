#pragma once

// The web dashboard: server-rendered HTML pages behind a login, reading the store through the
// report, analytics and measure libraries (no number is computed twice). Routes:
//
//   GET  /login, POST /login           the login form (public; CSRF-checked, rate limited)
//   POST /logout                       ends the session (CSRF-checked)
//   GET  /                             overview: customers, lifecycle, groups, CRR and churn
//   GET  /rfm                          the RFM grid with the five groups
//   GET  /segments, /segments/{name}   the segment table; a segment's customers (?page=N)
//   GET  /customers/{id}               profile, scores, journeys, timeline
//   POST /customers                    the "open customer" form (CSRF-checked)
//   GET  /cohorts                      cohort retention heatmap
//   GET  /campaigns, /campaigns/{name} campaigns; funnel, lift and A/B of one
//   GET  /outbox                       the outbox (?status=S&page=N)
//   GET  /assets/...                   style sheet, script, Chart.js (public, no data)
//
// Every page but /login and the assets is Access::kDashboard, and each handler checks the
// session itself as well, so a server that forgot the check still shows nothing. A request
// without a live session is redirected to /login. See src/server/README.md ("Dashboard").

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/time.h"
#include "server/http.h"
#include "server/http_server.h"
#include "server/session.h"
#include "store/store.h"

namespace winback::report {
struct ReportData;
}  // namespace winback::report

namespace winback::server {

// Opens a store for the dashboard's reads (one connection, used by one request at a time).
using StoreOpener = std::function<Result<std::unique_ptr<store::Store>>()>;
// The wall clock; tests pass a fake.
using Clock = std::function<Instant()>;
// The system clock.
Instant SystemNow();

// The name of the session cookie and of the login form's pre-session cookie.
inline constexpr std::string_view kSessionCookie = "wb_session";
inline constexpr std::string_view kLoginCookie = "wb_login";

// The value of cookie `name` in the request's Cookie header, or "".
std::string CookieValue(const Request& request, std::string_view name);

class Dashboard {
 public:
  // Reads [dashboard], [rfm]/[inactivity]/[lifecycle]/[rates] (analytics), [[campaign]] and
  // [policy] (holdout shares, message costs) and [measurement] from `config`.
  // `admin_password`: WINBACK_ADMIN_PASSWORD, which defines the user "admin". `tls`: the
  // server speaks TLS itself, so cookies are Secure (as with [dashboard] secure_cookie).
  // Without any user (no [[dashboard.user]] and no admin password) the pages still answer, but
  // the login page says that no one can log in and how to add a user (has_users() is false;
  // the server warns at start). Internal when libsodium fails.
  static Result<std::unique_ptr<Dashboard>> Create(const config::Config& config,
                                                   std::optional<std::string_view> admin_password,
                                                   StoreOpener open_store, bool tls,
                                                   Clock clock = SystemNow);
  ~Dashboard();

  // False when no user is configured: nobody can log in.
  bool has_users() const;

  // Adds every dashboard route (see above) to `router`.
  void AddRoutes(Router& router);

  // For the server's check of Access::kDashboard routes: whether the request carries the
  // cookie of a live session.
  bool Authorised(const Request& request) const;
  // The user of the request's live session, or nullopt: for the server's logs and limits
  // (never a secret).
  std::optional<std::string> SessionUser(const Request& request) const { return User(request); }
  // What the server answers a kDashboard route without a session: 302 to /login (with the
  // page asked for as ?next=, when it was a GET).
  Response LoginRedirect(const Request& request) const;

  SessionManager& sessions() { return *sessions_; }

  // The date the pages describe: the latest saved scoring run (`winback score`, `winback
  // demo`), else the clock's UTC day. Store errors as they come.
  Result<Date> AsOf();

 private:
  struct Settings;
  Dashboard(std::unique_ptr<SessionManager> sessions, std::unique_ptr<Settings> settings,
            StoreOpener open_store, bool secure, Clock clock);

  // The session's user, or nullopt.
  std::optional<std::string> User(const Request& request) const;
  // Wraps a page: no session -> LoginRedirect; store errors -> a 500 page that names no
  // internals; security headers on every response.
  Handler Page(std::function<Result<Response>(const Request&, const std::string& user)> page);

  Response LoginForm(const Request& request, std::string_view error, int status);
  Response LoginPost(const Request& request);
  Response LogoutPost(const Request& request);
  Result<Response> Overview(const Request& request, const std::string& user);
  Result<Response> RfmPage(const Request& request, const std::string& user);
  Result<Response> SegmentsPage(const Request& request, const std::string& user);
  Result<Response> SegmentPage(const Request& request, const std::string& user);
  Result<Response> CustomerPage(const Request& request, const std::string& user);
  Result<Response> CustomerFind(const Request& request, const std::string& user);
  Result<Response> CohortsPage(const Request& request, const std::string& user);
  Result<Response> CampaignsPage(const Request& request, const std::string& user);
  Result<Response> CampaignPage(const Request& request, const std::string& user);
  Result<Response> OutboxPage(const Request& request, const std::string& user);

  // The page frame: navigation, user, logout form, `body`.
  std::string Frame(const Request& request, const std::string& user, std::string_view title,
                    std::string_view body);
  // The store, opened on first use. Callers hold store_mu_.
  Result<store::Store*> Store() REQUIRES(store_mu_);
  // The report numbers as of AsOf(), reused for cache_seconds.
  Result<std::shared_ptr<const report::ReportData>> Report();

  std::unique_ptr<SessionManager> sessions_;
  std::unique_ptr<Settings> settings_;
  StoreOpener open_store_;
  bool secure_;
  Clock clock_;
  Mutex store_mu_;
  std::unique_ptr<store::Store> store_ GUARDED_BY(store_mu_);
  Mutex cache_mu_;
  std::shared_ptr<const report::ReportData> cached_ GUARDED_BY(cache_mu_);
  Instant cached_at_ GUARDED_BY(cache_mu_);
};

// The server's check of Access::kDashboard routes (Dispatcher::Parts::dashboard): allowed with
// the session's user as the principal, else Dashboard::LoginRedirect. Thread-safe; `dashboard`
// must outlive it.
class DashboardAuthenticator final : public Authenticator {
 public:
  explicit DashboardAuthenticator(const Dashboard& dashboard) : dashboard_(dashboard) {}
  AuthDecision Check(const Request& request) const override;

 private:
  const Dashboard& dashboard_;
};

}  // namespace winback::server
