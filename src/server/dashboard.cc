#include "server/dashboard.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "analytics/analytics_config.h"
#include "analytics/lifecycle.h"
#include "analytics/revenue.h"
#include "campaigns/campaign_config.h"
#include "core/html.h"
#include "core/money.h"
#include "core/vocabulary.h"
#include "measure/campaign.h"
#include "report/customer_timeline.h"
#include "report/customer_view.h"
#include "report/report_data.h"
#include "server/dashboard_assets.h"

namespace winback::server {

struct Dashboard::Settings {
  analytics::AnalyticsConfig analytics;
  measure::MeasurementSettings measurement;
  campaigns::CampaignSettings campaigns;
  std::int64_t cache_seconds = 60;
};

namespace {

constexpr std::int64_t kPageSize = 100;

std::string E(std::string_view text) { return EscapeHtml(text); }

// Percent-encodes one path segment or query value (RFC 3986 unreserved characters stay).
std::string PercentEncode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string Count(std::int64_t n) { return FormatCount(n); }

// A number people read, with its exact value in data-value for scripts and tests.
std::string Stat(std::string_view id, std::string_view label, std::int64_t n,
                 std::string_view note = {}) {
  return fmt::format(
      "<div class=\"stat\"><div class=\"label\">{}</div>"
      "<div class=\"value\" id=\"{}\" data-value=\"{}\">{}</div>{}</div>",
      E(label), id, n, Count(n), note.empty() ? "" : "<div class=\"note\">" + E(note) + "</div>");
}

std::string Percent(std::optional<double> fraction, int decimals = 1) {
  if (!fraction || !std::isfinite(*fraction)) return "-";
  return fmt::format("{:.{}f}%", 100 * *fraction, decimals);
}

std::string Money(std::int64_t minor, std::string_view currency) {
  if (currency.empty()) return "-";
  return FormatMoney(minor, currency, DigitGrouping::kThousands) + " " + std::string(currency);
}

std::string MoneyOpt(const std::optional<double>& minor, const std::string& currency) {
  if (!minor) return "-";
  return Money(static_cast<std::int64_t>(std::llround(*minor)), currency);
}

std::string Num(const std::optional<double>& v, int decimals) {
  if (!v || !std::isfinite(*v)) return "-";
  return fmt::format("{:.{}f}", *v, decimals);
}

std::string Time(const std::optional<Instant>& t, std::int32_t offset = 0) {
  return t ? FormatTimestamp(*t, offset) : std::string("-");
}

// A group's CSS class: g-loyal, g-potentially_loyal, ...
std::string GroupClass(std::string_view group) {
  return group.empty() ? std::string("g-none") : "g-" + E(group);
}

// "12" -> 12; anything else (or below 1) -> 1.
std::int64_t PageNumber(const Request& request) {
  const std::string* p = request.Query("page");
  if (p == nullptr || p->empty() || p->size() > 9) return 1;
  std::int64_t n = 0;
  for (char c : *p) {
    if (c < '0' || c > '9') return 1;
    n = n * 10 + (c - '0');
  }
  return std::max<std::int64_t>(n, 1);
}

std::string Pager(std::string_view base, std::int64_t page, std::int64_t total) {
  const std::int64_t pages = std::max<std::int64_t>(1, (total + kPageSize - 1) / kPageSize);
  const char sep = base.find('?') == std::string_view::npos ? '?' : '&';
  std::string out =
      fmt::format("<p class=\"pager\">page {} of {} ({} rows)", page, pages, Count(total));
  if (page > 1) out += fmt::format(" <a href=\"{}{}page={}\">previous</a>", base, sep, page - 1);
  if (page < pages) out += fmt::format(" <a href=\"{}{}page={}\">next</a>", base, sep, page + 1);
  return out + "</p>";
}

// A path for ?next=: local only (one leading slash, no scheme, no backslash, no control bytes).
bool SafeNext(std::string_view next) {
  if (next.empty() || next.front() != '/' || next.size() > 512) return false;
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return false;
  return std::none_of(next.begin(), next.end(), [](char c) {
    return c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

void AddSecurityHeaders(Response& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; img-src "
                         "'self'; connect-src 'none'; form-action 'self'; frame-ancestors "
                         "'none'; base-uri 'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-store");
}

std::string Document(std::string_view title, std::string_view body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{} - winback</title><link rel=\"stylesheet\" href=\"/assets/dashboard.css\">"
      "<script src=\"/assets/chart.js\" defer></script>"
      "<script src=\"/assets/dashboard.js\" defer></script></head>\n<body>{}</body></html>\n",
      E(title), body);
}

std::optional<std::string> FormValue(const std::vector<std::pair<std::string, std::string>>& form,
                                     std::string_view name) {
  for (const auto& [k, v] : form) {
    if (k == name) return v;
  }
  return std::nullopt;
}

Response ErrorPage(int status, std::string_view title, std::string_view message) {
  Response r = Response::Html(
      Document(title, fmt::format("<main><h1>{}</h1><p>{}</p><p><a href=\"/\">overview</a></p>"
                                  "</main>",
                                  E(title), E(message))),
      status);
  AddSecurityHeaders(r);
  return r;
}

}  // namespace

Instant SystemNow() {
  return Instant::FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

std::string CookieValue(const Request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view part = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      size_t eq = part.find('=');
      if (eq != std::string_view::npos && part.substr(0, eq) == name) {
        return std::string(part.substr(eq + 1));
      }
    }
  }
  return "";
}

Result<std::unique_ptr<Dashboard>> Dashboard::Create(const config::Config& config,
                                                     std::optional<std::string_view> admin_password,
                                                     StoreOpener open_store, bool tls,
                                                     Clock clock) {
  const DashboardSettings& ds = config.Get<DashboardSettings>();
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<SessionManager> sessions,
                           SessionManager::Create(ds, admin_password));
  auto settings = std::make_unique<Settings>();
  settings->analytics = config.Get<analytics::AnalyticsConfig>();
  settings->measurement = config.Get<measure::MeasurementSettings>();
  settings->campaigns = config.Get<campaigns::CampaignSettings>();
  settings->cache_seconds = ds.cache_seconds;
  return std::unique_ptr<Dashboard>(new Dashboard(std::move(sessions), std::move(settings),
                                                  std::move(open_store), tls || ds.secure_cookie,
                                                  std::move(clock)));
}

Dashboard::Dashboard(std::unique_ptr<SessionManager> sessions, std::unique_ptr<Settings> settings,
                     StoreOpener open_store, bool secure, Clock clock)
    : sessions_(std::move(sessions)),
      settings_(std::move(settings)),
      open_store_(std::move(open_store)),
      secure_(secure),
      clock_(std::move(clock)) {}

Dashboard::~Dashboard() = default;

bool Dashboard::has_users() const { return sessions_->user_count() > 0; }

bool Dashboard::Authorised(const Request& request) const { return User(request).has_value(); }

std::optional<std::string> Dashboard::User(const Request& request) const {
  return sessions_->SessionUser(CookieValue(request, kSessionCookie), clock_());
}

AuthDecision DashboardAuthenticator::Check(const Request& request) const {
  if (std::optional<std::string> user = dashboard_.SessionUser(request)) {
    return AuthDecision{true, "dashboard:" + *user, {}};
  }
  return AuthDecision{false, "", dashboard_.LoginRedirect(request)};
}

Response Dashboard::LoginRedirect(const Request& request) const {
  std::string location = "/login";
  if (request.method == "GET" && request.path != "/" && SafeNext(request.path)) {
    location += "?next=" + PercentEncode(request.path);
  }
  Response r = Response::Redirect(location, 302);
  AddSecurityHeaders(r);
  return r;
}

Result<store::Store*> Dashboard::Store() {
  if (store_ == nullptr) {
    WINBACK_ASSIGN_OR_RETURN(store_, open_store_());
  }
  return store_.get();
}

Result<Date> Dashboard::AsOf() {
  MutexLock lock(&store_mu_);
  WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
  WINBACK_ASSIGN_OR_RETURN(std::vector<Date> dates, store->ScoreDates());
  if (!dates.empty()) return dates.back();
  return UtcDate(clock_());
}

Result<std::shared_ptr<const report::ReportData>> Dashboard::Report() {
  WINBACK_ASSIGN_OR_RETURN(Date as_of, AsOf());
  const Instant now = clock_();
  {
    MutexLock lock(&cache_mu_);
    if (cached_ != nullptr && cached_->as_of == as_of &&
        now < cached_at_.PlusSeconds(settings_->cache_seconds)) {
      return cached_;
    }
  }
  std::shared_ptr<const report::ReportData> built;
  {
    MutexLock lock(&store_mu_);
    WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
    WINBACK_ASSIGN_OR_RETURN(std::string currency,
                             analytics::RevenueCurrency(*store, settings_->analytics.currency));
    report::ReportOptions options;
    options.as_of = as_of;
    options.scoring = settings_->analytics.scoring;
    options.activity_days = settings_->analytics.activity_days;
    options.currency = currency;
    WINBACK_ASSIGN_OR_RETURN(report::ReportData data, report::BuildReport(*store, options));
    built = std::make_shared<const report::ReportData>(std::move(data));
  }
  MutexLock lock(&cache_mu_);
  cached_ = built;
  cached_at_ = now;
  return built;
}

Handler Dashboard::Page(
    std::function<Result<Response>(const Request&, const std::string& user)> page) {
  return [this, page = std::move(page)](const Request& request) {
    std::optional<std::string> user = User(request);
    if (!user) return LoginRedirect(request);
    Result<Response> r = page(request, *user);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) {
        return ErrorPage(404, "Not found", r.status().message());
      }
      // The message may name files and tables: the page says only that it failed.
      return ErrorPage(500, "Something went wrong",
                       "The page could not be built; the server's log has the reason.");
    }
    Response out = std::move(r).value();
    AddSecurityHeaders(out);
    return out;
  };
}

std::string Dashboard::Frame(const Request& request, const std::string& user,
                             std::string_view title, std::string_view body) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kNav = {{
      {"/", "Overview"},
      {"/rfm", "RFM grid"},
      {"/segments", "Segments"},
      {"/cohorts", "Cohorts"},
      {"/campaigns", "Campaigns"},
      {"/outbox", "Outbox"},
  }};
  const std::string session = CookieValue(request, kSessionCookie);
  const std::string csrf = sessions_->CsrfToken(session);
  std::string nav = "<nav><span class=\"brand\">winback</span>";
  for (const auto& [href, label] : kNav) {
    const bool here =
        href == "/" ? request.path == "/" : request.path.starts_with(std::string(href));
    nav += fmt::format("<a href=\"{}\"{}>{}</a>", href, here ? " class=\"here\"" : "", label);
  }
  nav += fmt::format(
      "<form class=\"find\" method=\"post\" action=\"/customers\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"{}\">"
      "<input name=\"id\" placeholder=\"customer id\" aria-label=\"customer id\" required>"
      "<button>Open</button></form>"
      "<span class=\"user\">{}</span>"
      "<form class=\"logout\" method=\"post\" action=\"/logout\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><button id=\"logout\">Log out</button>"
      "</form></nav>",
      csrf, E(user), csrf);
  return Document(title, nav + "<main>" + std::string(body) + "</main>");
}

void Dashboard::AddRoutes(Router& router) {
  router.Add("GET", "/login", Access::kPublic,
             [this](const Request& r) { return LoginForm(r, "", 200); });
  router.Add("POST", "/login", Access::kPublic, [this](const Request& r) { return LoginPost(r); });
  router.Add("POST", "/logout", Access::kDashboard,
             [this](const Request& r) { return LogoutPost(r); });
  const auto page = [this](auto method) {
    return Page(
        [this, method](const Request& r, const std::string& u) { return (this->*method)(r, u); });
  };
  router.Add("GET", "/", Access::kDashboard, page(&Dashboard::Overview));
  router.Add("GET", "/rfm", Access::kDashboard, page(&Dashboard::RfmPage));
  router.Add("GET", "/segments", Access::kDashboard, page(&Dashboard::SegmentsPage));
  router.Add("GET", "/segments/{name}", Access::kDashboard, page(&Dashboard::SegmentPage));
  router.Add("GET", "/customers/{id}", Access::kDashboard, page(&Dashboard::CustomerPage));
  router.Add("POST", "/customers", Access::kDashboard, page(&Dashboard::CustomerFind));
  router.Add("GET", "/cohorts", Access::kDashboard, page(&Dashboard::CohortsPage));
  router.Add("GET", "/campaigns", Access::kDashboard, page(&Dashboard::CampaignsPage));
  router.Add("GET", "/campaigns/{name}", Access::kDashboard, page(&Dashboard::CampaignPage));
  router.Add("GET", "/outbox", Access::kDashboard, page(&Dashboard::OutboxPage));
  for (const DashboardAsset& asset : DashboardAssets()) {
    router.Add("GET", std::string(asset.path), Access::kPublic, [asset](const Request&) {
      Response r;
      r.content_type = std::string(asset.content_type);
      r.body = std::string(asset.bytes);
      r.headers.emplace_back("X-Content-Type-Options", "nosniff");
      r.headers.emplace_back("Cache-Control", "max-age=3600");
      return r;
    });
  }
}

// ---- Login and logout -------------------------------------------------------------------

Response Dashboard::LoginForm(const Request& request, std::string_view error, int status) {
  if (request.method == "GET" && User(request)) {
    Response r = Response::Redirect("/", 302);
    AddSecurityHeaders(r);
    return r;
  }
  std::string pre = CookieValue(request, kLoginCookie);
  const bool fresh = pre.size() != 64 || !std::all_of(pre.begin(), pre.end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                     });
  if (fresh) pre = SessionManager::NewRandomId();
  std::string next = "/";
  if (const std::string* n = request.Query("next"); n != nullptr && SafeNext(*n)) next = *n;
  if (request.method == "POST") {
    if (std::optional<std::vector<std::pair<std::string, std::string>>> form =
            ParseForm(request.body)) {
      if (std::optional<std::string> n = FormValue(*form, "next"); n && SafeNext(*n)) next = *n;
    }
  }
  std::string body = fmt::format(
      "<main class=\"login\"><h1>winback</h1><p>Sign in to the dashboard.</p>{}{}"
      "<form id=\"login-form\" method=\"post\" action=\"/login\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"{}\">"
      "<input type=\"hidden\" name=\"next\" value=\"{}\">"
      "<label>User <input name=\"user\" autocomplete=\"username\" required autofocus></label>"
      "<label>Password <input type=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" required></label>"
      "<button type=\"submit\">Log in</button></form></main>",
      has_users()
          ? ""
          : "<p class=\"error\" id=\"no-users\">No one can log in: no dashboard user "
            "is configured. Start <code>winback serve</code> with "
            "<code>WINBACK_ADMIN_PASSWORD</code> set, or add <code>[[dashboard.user]]</code> "
            "with a <code>password_hash</code> from <code>winback passwd</code>.</p>",
      error.empty() ? "" : "<p class=\"error\" id=\"login-error\">" + E(error) + "</p>",
      sessions_->LoginCsrfToken(pre), E(next));
  Response r = Response::Html(Document("Log in", body), status);
  AddSecurityHeaders(r);
  r.headers.emplace_back("Set-Cookie", fmt::format("{}={}; Path=/; Max-Age=3600; HttpOnly; "
                                                   "SameSite=Strict{}",
                                                   kLoginCookie, pre, secure_ ? "; Secure" : ""));
  return r;
}

Response Dashboard::LoginPost(const Request& request) {
  std::optional<std::vector<std::pair<std::string, std::string>>> form = ParseForm(request.body);
  if (!form) return LoginForm(request, "The form could not be read; try again.", 400);
  const std::string pre = CookieValue(request, kLoginCookie);
  const std::string csrf = FormValue(*form, "csrf").value_or("");
  if (!sessions_->CheckLoginCsrf(pre, csrf)) {
    return LoginForm(request, "The form expired or did not come from this site; try again.", 403);
  }
  const std::string user = FormValue(*form, "user").value_or("");
  const std::string password = FormValue(*form, "password").value_or("");
  SessionManager::Login login = sessions_->LogIn(user, password, request.remote_addr, clock_());
  if (login.outcome == LoginOutcome::kLockedOut) {
    Response r = LoginForm(request, "Too many failed logins; wait and try again later.", 429);
    r.headers.emplace_back("Retry-After",
                           std::to_string(sessions_->settings().lockout_minutes * 60));
    return r;
  }
  if (login.outcome != LoginOutcome::kOk) {
    return LoginForm(request, "Wrong user name or password.", 401);
  }
  std::string next = FormValue(*form, "next").value_or("/");
  if (!SafeNext(next)) next = "/";
  Response r = Response::Redirect(next, 303);
  AddSecurityHeaders(r);
  r.headers.emplace_back(
      "Set-Cookie",
      fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                  login.session_id, sessions_->settings().session_minutes * 60,
                  secure_ ? "; Secure" : ""));
  r.headers.emplace_back("Set-Cookie", fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; "
                                                   "SameSite=Strict{}",
                                                   kLoginCookie, secure_ ? "; Secure" : ""));
  return r;
}

Response Dashboard::LogoutPost(const Request& request) {
  const std::string session = CookieValue(request, kSessionCookie);
  if (!User(request)) return LoginRedirect(request);
  std::optional<std::vector<std::pair<std::string, std::string>>> form = ParseForm(request.body);
  const std::string csrf = form ? FormValue(*form, "csrf").value_or("") : "";
  if (!sessions_->CheckCsrf(session, csrf)) {
    return ErrorPage(403, "Forbidden", "The form did not come from this site (CSRF token).");
  }
  sessions_->LogOut(session);
  Response r = Response::Redirect("/login", 303);
  AddSecurityHeaders(r);
  r.headers.emplace_back("Set-Cookie", fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; "
                                                   "SameSite=Strict{}",
                                                   kSessionCookie, secure_ ? "; Secure" : ""));
  return r;
}

// ---- Pages --------------------------------------------------------------------------------

Result<Response> Dashboard::Overview(const Request& request, const std::string& user) {
  WINBACK_ASSIGN_OR_RETURN(std::shared_ptr<const report::ReportData> d, Report());
  // Lifecycle counts from the saved scoring run of the same date.
  std::array<std::int64_t, analytics::kLifecycleCount> lifecycle{};
  bool saved = false;
  {
    MutexLock lock(&store_mu_);
    WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
    Status scanned = store->ForEachScore(d->as_of, [&lifecycle](const store::CustomerScore& s) {
      if (std::optional<analytics::Lifecycle> l = analytics::ParseLifecycle(s.lifecycle)) {
        ++lifecycle[static_cast<std::size_t>(*l)];
      }
      return Status::Ok();
    });
    if (scanned.ok()) {
      saved = true;
    } else if (scanned.code() != StatusCode::kNotFound) {
      return scanned;
    }
  }
  const report::ReportSummary& s = d->summary;
  std::string body = fmt::format(
      "<h1>Overview</h1><p class=\"asof\">as of <span id=\"as-of\">{}"
      "</span> (UTC day; the latest saved scoring run)</p>",
      d->as_of.ToString());
  body += "<section class=\"stats\">";
  body += Stat("customers", "customers", s.customers);
  body += Stat("buyers", "buyers", s.buyers, "with a completed order");
  body += fmt::format(
      "<div class=\"stat\"><div class=\"label\">revenue</div><div class=\"value\" id=\"revenue\" "
      "data-value=\"{}\">{}</div><div class=\"note\">completed orders{}</div></div>",
      s.revenue_minor, E(Money(s.revenue_minor, d->currency)),
      s.revenue_saturated ? " (sum too large, at the int64 limit)" : "");
  body += Stat("inactive", "inactive", s.inactive, "matching the [inactivity] rules");
  body += Stat("let-go", "let go", s.let_go, "excluded from campaigns");
  body += "</section>";
  body += "<h2>Lifecycle</h2>";
  if (saved) {
    body += "<section class=\"stats\">";
    static constexpr std::array<std::pair<analytics::Lifecycle, std::string_view>, 7> kOrder = {{
        {analytics::Lifecycle::kNew, "new"},
        {analytics::Lifecycle::kActive, "active"},
        {analytics::Lifecycle::kReactivated, "reactivated"},
        {analytics::Lifecycle::kAtRisk, "at risk"},
        {analytics::Lifecycle::kInactive, "inactive"},
        {analytics::Lifecycle::kLost, "lost"},
        {analytics::Lifecycle::kProspect, "prospects"},
    }};
    for (const auto& [l, label] : kOrder) {
      body += Stat("lc-" + std::string(analytics::LifecycleName(l)), label,
                   lifecycle[static_cast<std::size_t>(l)]);
    }
    body +=
        "</section><p class=\"note\">Lifecycle stages of the scoring run of that day "
        "([lifecycle] in winback.toml: active within at_risk_days of the last order, at risk "
        "until inactive_days, lost after lost_days).</p>";
  } else {
    body +=
        "<p class=\"note\">No saved scoring run: run <code>winback score --as-of DATE</code> "
        "for the lifecycle counts.</p>";
  }
  body += "<h2>RFM groups</h2><section class=\"stats\">";
  for (int g = 0; g < analytics::kGroupCount; ++g) {
    const std::string_view name = analytics::GroupName(static_cast<analytics::Group>(g));
    body += Stat("group-" + std::string(name), name, d->rfm.by_group[static_cast<std::size_t>(g)]);
  }
  body += "</section>";

  // CRR and churn by month: the last 24 complete months.
  body += "<h2>Retention and churn by month</h2>";
  const std::size_t from = d->monthly.size() > 24 ? d->monthly.size() - 24 : 0;
  nlohmann::json labels = nlohmann::json::array();
  nlohmann::json crr = nlohmann::json::array();
  nlohmann::json churn = nlohmann::json::array();
  std::string rows;
  for (std::size_t i = from; i < d->monthly.size(); ++i) {
    const analytics::PeriodRates& p = d->monthly[i];
    labels.push_back(p.start.ToString().substr(0, 7));
    crr.push_back(p.crr() ? nlohmann::json(*p.crr()) : nlohmann::json(nullptr));
    churn.push_back(p.churn_rate() ? nlohmann::json(100 * *p.churn_rate())
                                   : nlohmann::json(nullptr));
    rows += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"crr\">{}</td><td>{}</td>"
        "<td>{}</td></tr>",
        p.start.ToString().substr(0, 7), Count(p.s), Count(p.e), Count(p.n),
        p.crr() ? fmt::format("{:.1f}%", *p.crr()) : "-", Count(p.churned),
        Percent(p.churn_rate()));
  }
  if (rows.empty()) {
    body += "<p class=\"note\">No complete calendar month yet.</p>";
  } else {
    nlohmann::json chart = {
        {"type", "line"},
        {"labels", labels},
        {"series",
         {{{"label", "CRR %"}, {"data", crr}}, {{"label", "churn rate %"}, {"data", churn}}}}};
    body += fmt::format(
        "<div class=\"chart\"><canvas id=\"trend-chart\" data-chart=\"{}\"></canvas></div>",
        E(chart.dump()));
    body += fmt::format(
        "<table id=\"rates\"><thead><tr><th>month</th><th>S (active at start)</th><th>E (active "
        "at end)</th><th>N (new)</th><th>CRR = (E - N) / S</th><th>churned</th><th>churn rate = "
        "churned / S</th></tr></thead><tbody>{}</tbody></table>"
        "<p class=\"note\">Active: a completed order within {} days ([rates] activity_days).</p>",
        rows, d->activity_days);
  }
  return Response::Html(Frame(request, user, "Overview", body));
}

Result<Response> Dashboard::RfmPage(const Request& request, const std::string& user) {
  WINBACK_ASSIGN_OR_RETURN(std::shared_ptr<const report::ReportData> d, Report());
  std::string body = fmt::format(
      "<h1>RFM grid</h1><p class=\"asof\">as of {}; {} customers with RFM scores. Recency score "
      "R (5 = most recent) across, frequency score F (5 = most purchase days) down; quintiles "
      "of the store's own customers.</p>",
      d->as_of.ToString(), Count(d->rfm.customers));
  body += "<table class=\"rfm\" id=\"rfm-grid\"><thead><tr><th>F \\ R</th>";
  for (int r = 1; r <= 5; ++r) body += fmt::format("<th>R{}</th>", r);
  body += "</tr></thead><tbody>";
  for (int f = 5; f >= 1; --f) {
    body += fmt::format("<tr><th>F{}</th>", f);
    for (int r = 1; r <= 5; ++r) {
      const report::RfmCell& cell = d->rfm.at(r, f);
      const std::string group = cell.segments.empty() ? "" : cell.segments.front().group;
      body += fmt::format(
          "<td class=\"{}\" data-r=\"{}\" data-f=\"{}\" data-value=\"{}\">"
          "<div class=\"n\">{}</div>",
          GroupClass(group), r, f, cell.customers, Count(cell.customers));
      for (const report::RfmCellSegment& s : cell.segments) {
        body += fmt::format("<div class=\"seg\"><a href=\"/segments/{}\">{}</a> {}</div>",
                            PercentEncode(s.segment), E(s.segment), Count(s.customers));
      }
      body += "</td>";
    }
    body += "</tr>";
  }
  body +=
      "</tbody></table><h2>The five groups (article 004)</h2><table id=\"groups\"><thead><tr>"
      "<th>group</th><th>customers</th><th>share</th></tr></thead><tbody>";
  for (int g = 0; g < analytics::kGroupCount; ++g) {
    const std::string_view name = analytics::GroupName(static_cast<analytics::Group>(g));
    const std::int64_t n = d->rfm.by_group[static_cast<std::size_t>(g)];
    body +=
        fmt::format("<tr><td class=\"{}\">{}</td><td data-value=\"{}\">{}</td><td>{}</td></tr>",
                    GroupClass(name), E(name), n, Count(n),
                    d->rfm.customers > 0
                        ? Percent(static_cast<double>(n) / static_cast<double>(d->rfm.customers))
                        : "-");
  }
  body += "</tbody></table>";
  return Response::Html(Frame(request, user, "RFM grid", body));
}

Result<Response> Dashboard::SegmentsPage(const Request& request, const std::string& user) {
  WINBACK_ASSIGN_OR_RETURN(std::shared_ptr<const report::ReportData> d, Report());
  const analytics::SegmentTable& t = d->segments;
  const auto table = [&](std::string_view id, const std::vector<analytics::SegmentRow>& rows,
                         bool links) {
    std::string out = fmt::format(
        "<table id=\"{}\"><thead><tr><th>name</th><th>group</th><th>customers</th><th>share</th>"
        "<th>revenue</th><th>revenue share</th><th>mean value</th></tr></thead><tbody>",
        id);
    for (const analytics::SegmentRow& row : rows) {
      const std::string name = links ? fmt::format("<a href=\"/segments/{}\">{}</a>",
                                                   PercentEncode(row.name), E(row.name))
                                     : E(row.name);
      out += fmt::format(
          "<tr><td>{}</td><td class=\"{}\">{}</td><td data-value=\"{}\">{}</td><td>{}</td>"
          "<td>{}</td><td>{}</td><td>{}</td></tr>",
          name, GroupClass(row.group), E(row.group), row.customers, Count(row.customers),
          Percent(row.share), E(Money(row.revenue_minor, t.currency)), Percent(row.revenue_share),
          E(Money(row.mean_value_minor, t.currency)));
    }
    return out + "</tbody></table>";
  };
  std::string body = fmt::format(
      "<h1>Segments</h1><p class=\"asof\">as of {}; {} customers with a segment (buyers); money "
      "in {}{}. Open a segment for its customers.</p>",
      d->as_of.ToString(), Count(t.segmented), E(t.currency.empty() ? "-" : t.currency),
      t.other_currency_customers > 0
          ? fmt::format(" ({} customers in other currencies count with 0 revenue)",
                        Count(t.other_currency_customers))
          : "");
  body += table("segments", t.segments, true);
  body += "<h2>Groups</h2>" + table("segment-groups", t.groups, false);
  return Response::Html(Frame(request, user, "Segments", body));
}

Result<Response> Dashboard::SegmentPage(const Request& request, const std::string& user) {
  const std::string segment(request.Param("name"));
  WINBACK_ASSIGN_OR_RETURN(Date as_of, AsOf());
  const std::int64_t page = PageNumber(request);
  std::vector<store::CustomerScore> rows;
  std::int64_t total = 0;
  std::vector<std::string> ids;
  {
    MutexLock lock(&store_mu_);
    WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
    Status scanned = store->ForEachScore(as_of, [&](const store::CustomerScore& s) {
      if (s.segment != segment) return Status::Ok();
      if (total >= (page - 1) * kPageSize && total < page * kPageSize) rows.push_back(s);
      ++total;
      return Status::Ok();
    });
    if (!scanned.ok() && scanned.code() == StatusCode::kNotFound) {
      return NotFoundError("no saved scoring run: run `winback score --as-of DATE` first");
    }
    WINBACK_RETURN_IF_ERROR(scanned);
    for (const store::CustomerScore& s : rows) {
      WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile p, store->LoadCustomerByKey(s.key));
      ids.push_back(p.record.id);
    }
  }
  if (total == 0) return NotFoundError("no customer is in segment \"" + segment + "\"");
  std::string body = fmt::format(
      "<h1>Segment {}</h1><p class=\"asof\">as of {}: <span id=\"segment-count\" "
      "data-value=\"{}\">{}</span> customers</p>",
      E(segment), as_of.ToString(), total, Count(total));
  body +=
      "<table id=\"segment-customers\"><thead><tr><th>customer</th><th>R F M</th>"
      "<th>recency (days)</th><th>purchase days</th><th>spent</th><th>lifecycle</th>"
      "<th>P(alive)</th><th>churn risk</th><th>12-month CLV</th><th>let go</th></tr></thead>"
      "<tbody>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const store::CustomerScore& s = rows[i];
    body += fmt::format(
        "<tr><td><a href=\"/customers/{}\">{}</a></td><td>{} {} {}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        PercentEncode(ids[i]), E(ids[i]), s.r, s.f, s.m,
        s.recency_days ? std::to_string(*s.recency_days) : "-", s.frequency,
        E(Money(s.monetary_total_minor, s.currency)), E(s.lifecycle), Num(s.p_alive, 3),
        Num(s.churn_risk, 3), E(MoneyOpt(s.clv_12m_minor, s.currency)),
        E(s.let_go.empty() ? "-" : s.let_go));
  }
  body += "</tbody></table>" + Pager("/segments/" + PercentEncode(segment), page, total);
  return Response::Html(Frame(request, user, "Segment " + segment, body));
}

Result<Response> Dashboard::CustomerFind(const Request& request, const std::string& /*user*/) {
  std::optional<std::vector<std::pair<std::string, std::string>>> form = ParseForm(request.body);
  const std::string csrf = form ? FormValue(*form, "csrf").value_or("") : "";
  if (!sessions_->CheckCsrf(CookieValue(request, kSessionCookie), csrf)) {
    return ErrorPage(403, "Forbidden", "The form did not come from this site (CSRF token).");
  }
  const std::string id = form ? FormValue(*form, "id").value_or("") : "";
  if (id.empty()) return Response::Redirect("/", 303);
  return Response::Redirect("/customers/" + PercentEncode(id), 303);
}

Result<Response> Dashboard::CustomerPage(const Request& request, const std::string& user) {
  const std::string id(request.Param("id"));
  report::CustomerView v;
  {
    MutexLock lock(&store_mu_);
    WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
    Result<report::CustomerView> loaded = report::LoadCustomerView(*store, id);
    if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound) {
      return NotFoundError("no customer has the id \"" + id + "\"");
    }
    WINBACK_RETURN_IF_ERROR(loaded.status());
    v = std::move(loaded).value();
  }
  const std::vector<report::TimelineEntry> timeline = report::CustomerTimeline(v);
  const store::CustomerRecord& c = v.profile.record;
  const store::CustomerAggregates& a = v.profile.aggregates;
  const auto row = [](std::string_view k, const std::string& value) {
    return fmt::format("<tr><th>{}</th><td>{}</td></tr>", E(k), E(value));
  };
  const auto or_dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  std::string name = c.first_name + (c.last_name.empty() ? "" : " " + c.last_name);
  std::string body = fmt::format(
      "<h1>Customer <span id=\"customer-id\">{}</span></h1>"
      "<p class=\"name\" id=\"customer-name\">{}</p>",
      E(c.id), E(or_dash(name)));
  body += "<div class=\"columns\"><section><h2>Profile</h2><table class=\"kv\" id=\"profile\">";
  body += row("email", or_dash(c.email)) + row("phone", or_dash(c.phone));
  body += row("place", or_dash(c.city + (c.city.empty() ? "" : ", ") + c.region +
                               (c.region.empty() ? "" : ", ") + c.country));
  body += row("time zone", or_dash(c.time_zone)) + row("language", or_dash(c.language));
  body += row("signed up", Time(c.signup_at));
  body += row("consent", fmt::format("email {}, sms {}, whatsapp {}", ConsentName(c.consent[0]),
                                     ConsentName(c.consent[1]), ConsentName(c.consent[2])));
  std::string opted_out;
  for (const store::KindOptOut& o : v.kind_opt_outs) {
    if (!opted_out.empty()) opted_out += ", ";
    opted_out += std::string(MessageKindName(o.kind)) + " since " + Time(o.at);
  }
  body += row("opted out of", or_dash(opted_out));
  body += row("preferred channel", or_dash(c.preferred_channel));
  body += row("referred by", or_dash(c.referred_by));
  body += "</table></section><section><h2>History</h2><table class=\"kv\" id=\"aggregates\">";
  body += row("completed orders", fmt::format("{} on {} days", a.orders, a.purchase_days));
  body +=
      row("refunded / cancelled", fmt::format("{} / {}", a.refunded_orders, a.cancelled_orders));
  body += row("revenue", Money(a.revenue_minor, a.currency));
  body += row("first / last order", Time(a.first_order_at) + " / " + Time(a.last_order_at));
  body += row("last email engagement", Time(a.last_engagement_at[0]));
  body += row("last visit / chat", Time(a.last_visit_at) + " / " + Time(a.last_chat_at));
  body += row("complaints", std::to_string(a.complaints));
  body += row(
      "tickets opened / satisfied / unsatisfied",
      fmt::format("{} / {} / {}", a.tickets_opened, a.tickets_satisfied, a.tickets_unsatisfied));
  body += row("referrals / reviews", fmt::format("{} / {}", a.referrals, a.reviews));
  body += row("exit reason", or_dash(a.exit_reason));
  body += "</table></section><section><h2>Scores</h2>";
  if (v.score) {
    const store::CustomerScore& s = *v.score;
    body += fmt::format("<table class=\"kv\" id=\"scores\"><caption>saved run of {}</caption>",
                        v.score_date->ToString());
    body += row("RFM", s.r > 0 ? fmt::format("R{} F{} M{}", s.r, s.f, s.m) : "-");
    body += row("segment (group)", s.segment.empty() ? "-" : s.segment + " (" + s.group + ")");
    body += row("lifecycle", s.lifecycle + (s.inactive ? " (inactive: " + s.inactive_rules + ")"
                                                       : std::string()));
    body += row("win-back readiness",
                fmt::format("{:.2f} {}", s.readiness,
                            s.readiness_reasons.empty() ? "" : "(" + s.readiness_reasons + ")"));
    body += row("let go", or_dash(s.let_go));
    body += row("P(alive)", Num(s.p_alive, 3));
    body += row("expected purchases, 90 days", Num(s.expected_purchases_90d, 2));
    body += row("expected value", MoneyOpt(s.expected_value_minor, s.currency));
    body += row("12-month CLV", MoneyOpt(s.clv_12m_minor, s.currency));
    body += row("churn risk (no order in 90 days)", Num(s.churn_risk, 3));
    body += "</table>";
  } else {
    body += "<p class=\"note\">No saved score for this customer.</p>";
  }
  body += "</section></div><h2>Journeys</h2>";
  if (v.journeys.empty()) {
    body += "<p class=\"note\">In no campaign.</p>";
  } else {
    body +=
        "<table id=\"journeys\"><thead><tr><th>campaign</th><th>entry</th><th>state</th>"
        "<th>entered</th><th>next step</th><th>due</th><th>ended because</th></tr></thead>"
        "<tbody>";
    for (const store::Journey& j : v.journeys) {
      body += fmt::format(
          "<tr><td><a href=\"/campaigns/{}\">{}</a></td><td>{}</td><td>{}{}</td><td>{}</td>"
          "<td>{}</td><td>{}</td><td>{}</td></tr>",
          PercentEncode(j.campaign), E(j.campaign), j.occurrence,
          E(store::JourneyStateName(j.state)), j.holdout ? " (holdout)" : "", Time(j.entered_at),
          j.next_step, Time(j.next_due_at), E(or_dash(j.exit_reason)));
    }
    body += "</tbody></table>";
  }
  body += fmt::format(
      "<h2>Timeline</h2><p class=\"note\"><span id=\"timeline-count\" "
      "data-value=\"{}\">{}</span> entries: orders, events (visits, notes, "
      "calls, tickets, reviews, ...) and messages, oldest first, at the "
      "customer's local time.</p>",
      timeline.size(), timeline.size());
  body +=
      "<table id=\"timeline\"><thead><tr><th>time</th><th>what</th><th>id</th><th>detail</th>"
      "</tr></thead><tbody>";
  for (const report::TimelineEntry& e : timeline) {
    const char* kind = e.kind == report::TimelineEntry::Kind::kOrder   ? "t-order"
                       : e.kind == report::TimelineEntry::Kind::kEvent ? "t-event"
                                                                       : "t-message";
    body += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", kind,
                        E(FormatTimestamp(e.at, e.utc_offset_minutes)), E(e.label), E(e.id),
                        E(e.detail));
  }
  body += "</tbody></table>";
  return Response::Html(Frame(request, user, "Customer " + c.id, body));
}

Result<Response> Dashboard::CohortsPage(const Request& request, const std::string& user) {
  WINBACK_ASSIGN_OR_RETURN(std::shared_ptr<const report::ReportData> d, Report());
  constexpr std::size_t kCohorts = 24;
  constexpr std::size_t kMonths = 13;
  const std::vector<analytics::CohortRow>& all = d->cohorts.rows;
  const std::size_t from = all.size() > kCohorts ? all.size() - kCohorts : 0;
  std::string body = fmt::format(
      "<h1>Cohorts</h1><p class=\"asof\">as of {}. Each row is the customers whose first "
      "completed order fell in that month; month k shows the share of them ordering again in "
      "the k-th month after (month 0 is the first order's month, 100%). The latest {} cohorts "
      "and months 0..{}.</p>",
      d->as_of.ToString(), kCohorts, kMonths - 1);
  body += "<table class=\"heat\" id=\"cohorts\"><thead><tr><th>cohort</th><th>customers</th>";
  for (std::size_t k = 0; k < kMonths; ++k) body += fmt::format("<th>{}</th>", k);
  body += "</tr></thead><tbody>";
  for (std::size_t i = from; i < all.size(); ++i) {
    const analytics::CohortRow& row = all[i];
    const std::vector<double> share = row.ActiveShare();
    body += fmt::format("<tr><th>{:04}-{:02}</th><td data-value=\"{}\">{}</td>", row.year,
                        row.month, row.customers, Count(row.customers));
    for (std::size_t k = 0; k < kMonths; ++k) {
      if (k >= share.size()) {
        body += "<td></td>";
        continue;
      }
      // Heat classes h0..h9 by tenths of the largest repeat share we expect (50%).
      const int bucket = k == 0 ? 9 : std::clamp(static_cast<int>(share[k] * 20), 0, 9);
      body += fmt::format("<td class=\"h{}\">{}</td>", bucket, Percent(share[k], 0));
    }
    body += "</tr>";
  }
  body += "</tbody></table>";
  return Response::Html(Frame(request, user, "Cohorts", body));
}

namespace {

std::string Interval(const measure::Comparison& c, double scale, int decimals,
                     std::string_view unit) {
  return fmt::format("{:+.{}f}{} [{:+.{}f}, {:+.{}f}], p = {:.3f}", scale * c.diff, decimals, unit,
                     scale * c.ci_low, decimals, scale * c.ci_high, decimals, c.p_value);
}

}  // namespace

Result<Response> Dashboard::CampaignsPage(const Request& request, const std::string& user) {
  std::vector<std::string> names;
  std::vector<Result<measure::CampaignResult>> results;
  {
    MutexLock lock(&store_mu_);
    WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
    WINBACK_ASSIGN_OR_RETURN(names, measure::CampaignNames(*store));
  }
  for (const campaigns::Campaign& c : settings_->campaigns.campaigns) {
    if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
  }
  std::string body =
      "<h1>Campaigns</h1><p class=\"asof\">Measured now, against each campaign's holdout "
      "(winback measure --campaign): won back = a completed order within [measurement] "
      "attribution_days of the first message. Open one for its funnel, lift and A/B tests.</p>"
      "<table id=\"campaigns\"><thead><tr><th>campaign</th><th>in config</th><th>targeted</th>"
      "<th>treated</th><th>holdout</th><th>won back, treated</th><th>won back, holdout</th>"
      "<th>lift (points, 95% CI)</th></tr></thead><tbody>";
  for (const std::string& name : names) {
    const campaigns::Campaign* c = settings_->campaigns.FindCampaign(name);
    std::optional<measure::CampaignResult> r;
    std::string why;
    if (c == nullptr) {
      why = "not in the config";
    } else if (!(c->holdout > 0)) {
      why = "no holdout";
    } else {
      measure::CampaignOptions options;
      options.as_of = clock_();
      options.attribution_days = settings_->measurement.attribution_days;
      options.pre_period_days = settings_->measurement.pre_period_days;
      options.alpha = settings_->measurement.alpha;
      options.holdout_share = c->holdout;
      for (int k = 0; k < kChannelKindCount; ++k) {
        options.message_cost_minor[k] = settings_->campaigns.policy.message_cost_minor[k];
      }
      options.message_cost_currency = settings_->campaigns.policy.currency;
      MutexLock lock(&store_mu_);
      WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
      Result<measure::CampaignResult> m = measure::MeasureCampaign(name, options, *store, *store);
      if (m.ok()) {
        r = std::move(m).value();
      } else if (m.status().code() == StatusCode::kNotFound) {
        why = "no message yet";
      } else if (m.status().code() == StatusCode::kInvalidArgument) {
        why = m.status().message();
      } else {
        return m.status();
      }
    }
    body += fmt::format("<tr><td><a href=\"/campaigns/{}\">{}</a></td><td>{}</td>",
                        PercentEncode(name), E(name), c ? "yes" : "no");
    if (!r) {
      body += fmt::format("<td colspan=\"6\" class=\"note\">{}</td></tr>", E(why));
      continue;
    }
    body += fmt::format(
        "<td data-value=\"{}\">{}</td><td>{}</td><td>{}</td><td>{} ({})</td><td>{} ({})</td>"
        "<td>{}</td></tr>",
        r->targeted, Count(r->targeted), Count(r->treated.customers), Count(r->holdout.customers),
        Count(r->treated.converted), Percent(r->treated.conversion_rate),
        Count(r->holdout.converted), Percent(r->holdout.conversion_rate),
        r->conversion_rate ? E(Interval(r->conversion_rate->plain, 100, 1, "")) : "-");
  }
  body += "</tbody></table>";
  return Response::Html(Frame(request, user, "Campaigns", body));
}

Result<Response> Dashboard::CampaignPage(const Request& request, const std::string& user) {
  const std::string name(request.Param("name"));
  const campaigns::Campaign* c = settings_->campaigns.FindCampaign(name);
  measure::CampaignOptions options;
  options.as_of = clock_();
  options.attribution_days = settings_->measurement.attribution_days;
  options.pre_period_days = settings_->measurement.pre_period_days;
  options.alpha = settings_->measurement.alpha;
  if (c != nullptr && c->holdout > 0) options.holdout_share = c->holdout;
  for (int k = 0; k < kChannelKindCount; ++k) {
    options.message_cost_minor[k] = settings_->campaigns.policy.message_cost_minor[k];
  }
  options.message_cost_currency = settings_->campaigns.policy.currency;
  measure::CampaignResult r;
  {
    MutexLock lock(&store_mu_);
    WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
    Result<measure::CampaignResult> m = measure::MeasureCampaign(name, options, *store, *store);
    if (!m.ok() && m.status().code() == StatusCode::kInvalidArgument) {
      return Response::Html(Frame(request, user, "Campaign " + name,
                                  fmt::format("<h1>Campaign {}</h1><p class=\"error\">{}</p>",
                                              E(name), E(m.status().message()))));
    }
    WINBACK_RETURN_IF_ERROR(m.status());
    r = std::move(m).value();
  }
  const std::string cur = r.currency;
  std::string body = fmt::format(
      "<h1>Campaign {}</h1><p class=\"asof\">measured as of {}: <span id=\"targeted\" "
      "data-value=\"{}\">{}</span> customers targeted ({} not started yet); attribution {} days; "
      "{}% intervals.{}</p>",
      E(name), FormatTimestamp(r.as_of), r.targeted, Count(r.targeted), Count(r.not_started),
      r.attribution_days, fmt::format("{:.0f}", 100 * (1 - r.alpha)),
      c == nullptr ? " Not in the config: its designed holdout share is unknown (10% assumed)."
                   : "");
  body +=
      "<h2>Funnel</h2><table id=\"funnel\"><thead><tr><th>step</th><th>variant</th>"
      "<th>planned</th><th>held out</th><th>sent</th><th>delivered</th><th>opened</th>"
      "<th>clicked</th><th>replied</th><th>unsubscribed</th><th>bounced</th>"
      "<th>converted</th><th>holdout converted</th><th>coupons redeemed</th></tr></thead>"
      "<tbody>";
  for (const measure::FunnelRow& f : r.funnel) {
    body += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        E(f.step), E(f.variant.empty() ? "-" : f.variant), Count(f.planned), Count(f.held_out),
        Count(f.sent), Count(f.delivered), Count(f.opened), Count(f.clicked), Count(f.replied),
        Count(f.unsubscribed), Count(f.bounced), Count(f.converted), Count(f.held_out_converted),
        Count(f.coupons_redeemed));
  }
  body += "</tbody></table>";
  body +=
      "<h2>Lift against the holdout</h2><table id=\"lift\"><thead><tr><th></th>"
      "<th>treated</th><th>holdout</th></tr></thead><tbody>";
  body += fmt::format("<tr><th>customers started</th><td>{}</td><td>{}</td></tr>",
                      Count(r.treated.customers), Count(r.holdout.customers));
  body += fmt::format("<tr><th>won back</th><td>{} ({})</td><td>{} ({})</td></tr>",
                      Count(r.treated.converted), Percent(r.treated.conversion_rate),
                      Count(r.holdout.converted), Percent(r.holdout.conversion_rate));
  body +=
      fmt::format("<tr><th>revenue per customer</th><td>{:.2f} {}</td><td>{:.2f} {}</td></tr>",
                  r.treated.revenue_per_customer, E(cur), r.holdout.revenue_per_customer, E(cur));
  body += "</tbody></table><table class=\"kv\" id=\"lift-stats\">";
  const auto kv = [](std::string_view k, const std::string& v) {
    return fmt::format("<tr><th>{}</th><td>{}</td></tr>", E(k), E(v));
  };
  body += kv(
      "sample ratio (chi-square p)",
      fmt::format("{:.4f}{}", r.sample_ratio.p_value,
                  r.sample_ratio.mismatch ? ": the split is broken, do not read the lifts" : ""));
  if (r.conversion_rate) {
    body += kv("win-back rate lift, points", Interval(r.conversion_rate->plain, 100, 2, ""));
    body += kv("the same with CUPED", Interval(r.conversion_rate->cuped.adjusted, 100, 2, ""));
    body +=
        kv("always-valid interval, points",
           fmt::format("[{:+.2f}, {:+.2f}], p = {:.3f}", 100 * r.conversion_rate->sequential.ci_low,
                       100 * r.conversion_rate->sequential.ci_high,
                       r.conversion_rate->sequential.p_value));
  } else {
    body += kv("win-back rate lift", "needs at least 2 customers in each arm");
  }
  if (r.revenue_per_customer) {
    body +=
        kv("revenue per customer lift, " + cur, Interval(r.revenue_per_customer->plain, 1, 2, ""));
  }
  if (r.incremental_customers) {
    body += kv("incremental customers won back",
               fmt::format("{:.1f} [{:.1f}, {:.1f}]", r.incremental_customers->value,
                           r.incremental_customers->ci_low, r.incremental_customers->ci_high));
  }
  if (r.incremental_revenue) {
    body += kv("incremental revenue, " + cur,
               fmt::format("{:.2f} [{:.2f}, {:.2f}]", r.incremental_revenue->value,
                           r.incremental_revenue->ci_low, r.incremental_revenue->ci_high));
  }
  if (r.incremental_profit) {
    body += kv("incremental profit, " + cur,
               fmt::format("{:.2f} [{:.2f}, {:.2f}]", r.incremental_profit->value,
                           r.incremental_profit->ci_low, r.incremental_profit->ci_high));
  }
  body += kv("offer cost / message cost",
             Money(r.offer_cost_minor, cur) + " / " + Money(r.message_cost_minor, cur));
  body += "</table>";
  body += "<h2>A/B tests</h2>";
  if (r.variants.empty()) {
    body += "<p class=\"note\">No step of this campaign has more than one variant.</p>";
  }
  for (const measure::StepVariants& sv : r.variants) {
    body += fmt::format(
        "<h3>step {}</h3><p class=\"note\">split check p = {:.4f}{}; winner: {}</p><table "
        "class=\"ab\"><thead><tr><th>variant</th><th>messages</th><th>converted</th><th>rate</th>"
        "<th>vs first (points, 95% CI)</th><th>Holm p</th><th>MDE</th></tr></thead><tbody>",
        E(sv.step), sv.srm_p_value, sv.srm_mismatch ? " (broken split)" : "",
        E(sv.winner.empty() ? "none yet" : sv.winner));
    for (const measure::VariantLift& vl : sv.variants) {
      body += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
          E(vl.variant), Count(vl.n), Count(vl.converted), Percent(vl.conversion_rate),
          vl.comparison ? E(Interval(*vl.comparison, 100, 2, "")) : "(reference)",
          vl.holm_p_value ? fmt::format("{:.3f}", *vl.holm_p_value) : "-",
          std::isfinite(vl.mde) ? fmt::format("{:.2f} points", 100 * vl.mde) : "-");
    }
    body += "</tbody></table>";
  }
  body += fmt::format(
      "<h2>Afterwards</h2><p class=\"note\">Of the customers won back, with another order "
      "within {} days: treated {} of {} ({}), holdout {} of {} ({}).</p>",
      r.after.days, Count(r.after.treated.repeaters), Count(r.after.treated.customers),
      Percent(r.after.treated.repeat_rate), Count(r.after.holdout.repeaters),
      Count(r.after.holdout.customers), Percent(r.after.holdout.repeat_rate));
  for (const std::string& note : r.notes) {
    body += "<p class=\"note\">note: " + E(note) + "</p>";
  }
  return Response::Html(Frame(request, user, "Campaign " + name, body));
}

Result<Response> Dashboard::OutboxPage(const Request& request, const std::string& user) {
  std::optional<store::MessageStatus> status;
  std::string status_name;
  if (const std::string* s = request.Query("status"); s != nullptr && !s->empty()) {
    for (int k = 0; k < store::kMessageStatusCount; ++k) {
      if (store::MessageStatusName(static_cast<store::MessageStatus>(k)) == *s) {
        status = static_cast<store::MessageStatus>(k);
        status_name = *s;
      }
    }
    if (!status) return NotFoundError("no message status is called \"" + *s + "\"");
  }
  const std::int64_t page = PageNumber(request);
  std::vector<std::int64_t> counts;
  std::vector<store::OutboxMessage> rows;
  std::vector<std::string> ids;
  std::int64_t total = 0;
  {
    MutexLock lock(&store_mu_);
    WINBACK_ASSIGN_OR_RETURN(store::Store * store, Store());
    WINBACK_ASSIGN_OR_RETURN(counts, store->CountByStatus());
    WINBACK_RETURN_IF_ERROR(store->ForEachMessage(
        store::MessageFilter{.status = status, .campaign = "", .customer = std::nullopt},
        [&](const store::OutboxMessage& m) {
          if (total >= (page - 1) * kPageSize && total < page * kPageSize) rows.push_back(m);
          ++total;
          return Status::Ok();
        }));
    for (const store::OutboxMessage& m : rows) {
      WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile p, store->LoadCustomerByKey(m.customer));
      ids.push_back(p.record.id);
    }
  }
  std::int64_t all = 0;
  for (std::int64_t n : counts) all += n;
  std::string body = fmt::format(
      "<h1>Outbox</h1><p class=\"asof\"><span id=\"outbox-total\" data-value=\"{}\">{}</span> "
      "messages in all. Status:",
      all, Count(all));
  body += fmt::format(" <a href=\"/outbox\"{}>all</a>", status ? "" : " class=\"here\"");
  for (std::size_t k = 0; k < counts.size(); ++k) {
    const std::string_view name = store::MessageStatusName(static_cast<store::MessageStatus>(k));
    body += fmt::format(
        " <a href=\"/outbox?status={}\"{}>{} <span id=\"outbox-{}\" "
        "data-value=\"{}\">{}</span></a>",
        name, name == status_name ? " class=\"here\"" : "", name, name, counts[k],
        Count(counts[k]));
  }
  body +=
      "</p><table id=\"outbox\"><thead><tr><th>scheduled (UTC)</th><th>customer</th>"
      "<th>campaign</th><th>step</th><th>variant</th><th>channel</th><th>status</th>"
      "<th>offer</th><th>attempts</th><th>sent</th><th>detail</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const store::OutboxMessage& m = rows[i];
    body += fmt::format(
        "<tr><td>{}</td><td><a href=\"/customers/{}\">{}</a></td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        E(FormatTimestamp(m.scheduled_at)), PercentEncode(ids[i]), E(ids[i]), E(m.campaign),
        E(m.step), E(m.variant.empty() ? "-" : m.variant), E(ChannelKindName(m.channel)),
        E(store::MessageStatusName(m.status)), E(m.offer.empty() ? "-" : m.offer), m.attempts,
        E(Time(m.sent_at)), E(m.detail));
  }
  body += "</tbody></table>" +
          Pager(status ? "/outbox?status=" + status_name : std::string("/outbox"), page, total);
  return Response::Html(Frame(request, user, "Outbox", body));
}

}  // namespace winback::server
