#include "server/dashboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
// GCC 12 at -O1 with the sanitizers (the asan preset) warns maybe-uninitialized inside
// libstdc++'s <regex> automaton, a false positive of GCC 12; -Werror would fail
// the build. The test uses std::regex only to pick values out of the pages.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>

#include "analytics/analytics_config.h"
#include "analytics/lifecycle.h"
#include "campaigns/campaign_config.h"
#include "config/registry.h"
#include "measure/campaign.h"
#include "scoring/score_run.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kPassword = "open sesame 42";

Instant Noon(int year, int month, int day) {
  return Date::FromYmd(year, month, day)->StartUtc().PlusSeconds(12 * 3600);
}

std::string HeaderValue(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

std::vector<std::string> SetCookies(const Response& r) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers) {
    if (k == "Set-Cookie") out.push_back(v);
  }
  return out;
}

// "name=value; ..." -> value of the Set-Cookie for `name`.
std::string CookieFrom(const Response& r, std::string_view name) {
  for (const std::string& c : SetCookies(r)) {
    if (c.starts_with(std::string(name) + "=")) {
      return c.substr(name.size() + 1, c.find(';') - name.size() - 1);
    }
  }
  return "";
}

std::string Match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return "";
  return m[1];
}

std::int64_t DataValue(const std::string& html, const std::string& id) {
  const std::string v = Match(html, "id=\"" + id + "\" data-value=\"(-?[0-9]+)\"");
  return v.empty() ? -1 : std::stoll(v);
}

// A small shop as of 2024-06-30: eight customers with orders over the first half of 2024, one
// of them named <script>, one who never ordered.
class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<store::Store>> opened = store::OpenSqliteStore(":memory:");
    ASSERT_THAT(opened, IsOk());
    store_ = std::move(opened).value();
    Populate();
    config::Registry registry;
    AddDashboardConfigSections(registry);
    analytics::AddConfigSections(registry);
    campaigns::AddConfigSections(registry);
    measure::AddConfigSections(registry);
    config_ = registry.Defaults();
    const analytics::AnalyticsConfig& analytics = config_.Get<analytics::AnalyticsConfig>();
    std::array<store::Store*, 1> readers = {store_.get()};
    ASSERT_THAT(scoring::ScoreAndSave(readers, analytics.scoring, *Date::FromYmd(2024, 6, 30),
                                      std::nullopt),
                IsOk());
    MakeDashboard(false);
  }

  void MakeDashboard(bool tls, std::optional<std::string_view> password = kPassword) {
    router_ = Router();
    // The dashboard opens its store once; the test keeps a pointer to read the same data.
    auto holder = std::make_shared<std::unique_ptr<store::Store>>(std::move(store_));
    reader_ = holder->get();
    Result<std::unique_ptr<Dashboard>> d = Dashboard::Create(
        config_, password,
        [holder]() -> Result<std::unique_ptr<store::Store>> {
          if (*holder == nullptr) return InternalError("opened twice");
          return std::move(*holder);
        },
        tls, [this] { return now_; });
    ASSERT_THAT(d, IsOk());
    dashboard_ = std::move(d).value();
    dashboard_->AddRoutes(router_);
  }

  void Populate() {
    Result<std::unique_ptr<store::ImportSession>> session = store_->BeginImport("test");
    ASSERT_THAT(session, IsOk());
    store::ImportSession& s = **session;
    int order_id = 0;
    auto customer = [&](const std::string& id, const std::string& first_name) {
      store::CustomerRecord c;
      c.id = id;
      c.first_name = first_name;
      Result<CustomerKey> key = s.UpsertCustomer(c);
      EXPECT_THAT(key, IsOk());
      return *key;
    };
    auto order = [&](CustomerKey key, const std::string& id, Instant at, std::int64_t cents) {
      store::OrderRecord o;
      o.id = "o" + std::to_string(++order_id);
      o.customer_id = id;
      o.placed_at = at;
      o.amount_minor = cents;
      o.currency = "EUR";
      o.status = OrderStatus::kCompleted;
      EXPECT_THAT(s.UpsertOrder(key, o), IsOk());
    };
    const std::array<int, 8> first_month = {1, 1, 2, 2, 3, 4, 5, 6};
    for (int i = 0; i < 8; ++i) {
      const std::string id = "c" + std::to_string(i + 1);
      const CustomerKey key = customer(id, i == 5 ? "<script>alert(1)</script>" : "Ann");
      for (int m = first_month[static_cast<std::size_t>(i)]; m <= 6; m += 1 + i % 3) {
        order(key, id, Noon(2024, m, 3 + i), 1000 + 250 * i);
      }
    }
    customer("c9", "Never");
    store::EventRecord note;
    note.id = "e1";
    note.customer_id = "c6";
    note.type = EventType::kNote;
    note.at = Noon(2024, 5, 1);
    note.text = "<img src=x onerror=alert(2)>";
    ASSERT_THAT(s.UpsertEvent(CustomerKey(6), note), IsOk());
    ASSERT_THAT(s.Commit(), IsOk());
  }

  // What the server does: route, check the route's access, call the handler.
  Response Send(const std::string& method, const std::string& target,
                const std::string& cookie = "", const std::string& body = "") {
    Request r;
    r.method = method;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = *ParseForm(target.substr(q + 1));
    if (!cookie.empty()) r.headers.emplace_back("cookie", cookie);
    r.body = body;
    r.remote_addr = "127.0.0.1";
    Router::Match m = router_.Find(r.method, r.path);
    if (m.route == nullptr) return Response::Error(m.method_not_allowed ? 405 : 404, "x", "x");
    r.params = m.params;
    if (m.route->access == Access::kDashboard && !dashboard_->Authorised(r)) {
      return dashboard_->LoginRedirect(r);
    }
    return m.route->handler(r);
  }

  // Logs in through the form; returns the session cookie ("wb_session=...").
  std::string LogIn(std::string_view password = kPassword) {
    Response form = Send("GET", "/login");
    EXPECT_EQ(form.status, 200);
    const std::string pre = CookieFrom(form, kLoginCookie);
    const std::string csrf = Match(form.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
    Response r = Send("POST", "/login", "wb_login=" + pre,
                      "csrf=" + csrf + "&user=admin&password=" + *PercentEncodeForm(password));
    last_login_ = r;
    const std::string id = CookieFrom(r, kSessionCookie);
    return id.empty() ? "" : "wb_session=" + id;
  }

  static std::optional<std::string> PercentEncodeForm(std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == ' ') {
        out += '+';
      } else {
        out += c;
      }
    }
    return out;
  }

  std::unique_ptr<store::Store> store_;
  store::Store* reader_ = nullptr;
  config::Config config_;
  Instant now_ = Noon(2025, 1, 10);
  Router router_;
  std::unique_ptr<Dashboard> dashboard_;
  Response last_login_;
};

// Without any user the pages still lead to the login form, which says why no one can log in;
// a login is refused.
TEST_F(DashboardTest, WithoutAnyUserTheLoginPageSaysNoOneCanLogIn) {
  EXPECT_NE(Send("GET", "/login").body.find("id=\"login-form\""), std::string::npos);
  EXPECT_EQ(Send("GET", "/login").body.find("id=\"no-users\""), std::string::npos);
  MakeDashboard(false, std::nullopt);
  EXPECT_FALSE(dashboard_->has_users());
  Response root = Send("GET", "/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(HeaderValue(root, "Location"), "/login");
  Response form = Send("GET", "/login");
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("id=\"login-form\""), std::string::npos);
  EXPECT_NE(form.body.find("id=\"no-users\""), std::string::npos);
  EXPECT_NE(form.body.find("WINBACK_ADMIN_PASSWORD"), std::string::npos);
  EXPECT_EQ(LogIn(), "");
  EXPECT_EQ(last_login_.status, 401);
  EXPECT_EQ(Send("GET", "/").status, 302);
}

TEST_F(DashboardTest, RootWithoutSessionLeadsToTheLoginForm) {
  Response r = Send("GET", "/");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(HeaderValue(r, "Location"), "/login");
  Response form = Send("GET", HeaderValue(r, "Location"));
  EXPECT_EQ(form.status, 200);
  EXPECT_THAT(form.body, HasSubstr("<form id=\"login-form\" method=\"post\" action=\"/login\">"));
  EXPECT_THAT(form.body, HasSubstr("type=\"password\" name=\"password\""));
  EXPECT_THAT(form.body, HasSubstr("name=\"csrf\""));
}

TEST_F(DashboardTest, RightPasswordSetsAStrictHttpOnlySessionCookie) {
  const std::string cookie = LogIn();
  ASSERT_FALSE(cookie.empty());
  EXPECT_EQ(last_login_.status, 303);
  EXPECT_EQ(HeaderValue(last_login_, "Location"), "/");
  const std::vector<std::string> cookies = SetCookies(last_login_);
  ASSERT_FALSE(cookies.empty());
  EXPECT_THAT(cookies[0], HasSubstr("; HttpOnly"));
  EXPECT_THAT(cookies[0], HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(cookies[0], HasSubstr("; Path=/"));
  EXPECT_THAT(cookies[0], Not(HasSubstr("Secure")));
  EXPECT_EQ(cookie.size(), std::string("wb_session=").size() + 64);
  Response home = Send("GET", "/", cookie);
  EXPECT_EQ(home.status, 200);
  EXPECT_THAT(home.body, HasSubstr("Overview"));
  EXPECT_THAT(home.body, HasSubstr("<span class=\"user\">admin</span>"));
}

TEST_F(DashboardTest, OverTlsTheCookieIsSecure) {
  MakeDashboard(true);
  ASSERT_FALSE(LogIn().empty());
  EXPECT_THAT(SetCookies(last_login_)[0], HasSubstr("; Secure"));
}

TEST_F(DashboardTest, WrongPasswordIs401WithoutSession) {
  EXPECT_EQ(LogIn("open sesame 43"), "");
  EXPECT_EQ(last_login_.status, 401);
  EXPECT_THAT(last_login_.body, HasSubstr("Wrong user name or password."));
  EXPECT_EQ(dashboard_->sessions().session_count(), 0u);
}

TEST_F(DashboardTest, LoginWithoutOrWithAWrongCsrfTokenIs403) {
  Response form = Send("GET", "/login");
  const std::string pre = CookieFrom(form, kLoginCookie);
  const std::string csrf = Match(form.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  const std::string credentials = "&user=admin&password=open+sesame+42";
  // No token.
  EXPECT_EQ(Send("POST", "/login", "wb_login=" + pre, credentials.substr(1)).status, 403);
  // The token without its cookie, and with another pre-session's cookie.
  EXPECT_EQ(Send("POST", "/login", "", "csrf=" + csrf + credentials).status, 403);
  Response other = Send("GET", "/login");
  EXPECT_EQ(Send("POST", "/login", "wb_login=" + CookieFrom(other, kLoginCookie),
                 "csrf=" + csrf + credentials)
                .status,
            403);
  // A forged token.
  EXPECT_EQ(Send("POST", "/login", "wb_login=" + pre, "csrf=" + std::string(64, 'a') + credentials)
                .status,
            403);
  EXPECT_EQ(dashboard_->sessions().session_count(), 0u);
  // The real pair works.
  EXPECT_EQ(Send("POST", "/login", "wb_login=" + pre, "csrf=" + csrf + credentials).status, 303);
}

TEST_F(DashboardTest, RepeatedFailuresAre429EvenWithTheRightPassword) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(LogIn("guess"), "");
    EXPECT_EQ(last_login_.status, 401);
  }
  EXPECT_EQ(LogIn(), "");
  EXPECT_EQ(last_login_.status, 429);
  EXPECT_EQ(HeaderValue(last_login_, "Retry-After"), "900");
  now_ = now_.PlusSeconds(15 * 60);
  EXPECT_NE(LogIn(), "");
}

TEST_F(DashboardTest, LogoutNeedsTheCsrfTokenAndEndsTheSession) {
  const std::string cookie = LogIn();
  Response home = Send("GET", "/", cookie);
  const std::string csrf = Match(home.body,
                                 "action=\"/logout\"><input type=\"hidden\" "
                                 "name=\"csrf\" value=\"([0-9a-f]+)\"");
  ASSERT_EQ(csrf.size(), 64u);
  EXPECT_EQ(Send("POST", "/logout", cookie, "").status, 403);
  EXPECT_EQ(Send("POST", "/logout", cookie, "csrf=" + std::string(64, '0')).status, 403);
  EXPECT_EQ(Send("GET", "/", cookie).status, 200);
  Response out = Send("POST", "/logout", cookie, "csrf=" + csrf);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(HeaderValue(out, "Location"), "/login");
  EXPECT_THAT(SetCookies(out)[0], HasSubstr("wb_session=; Path=/; Max-Age=0"));
  EXPECT_EQ(Send("GET", "/", cookie).status, 302);
}

TEST_F(DashboardTest, SessionExpiresAfterEightHoursByDefault) {
  const std::string cookie = LogIn();
  now_ = now_.PlusSeconds(8 * 3600 - 1);
  EXPECT_EQ(Send("GET", "/rfm", cookie).status, 200);
  now_ = now_.PlusSeconds(1);
  Response r = Send("GET", "/rfm", cookie);
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(HeaderValue(r, "Location"), "/login?next=%2Frfm");
}

TEST_F(DashboardTest, EveryDashboardPageRequiresASession) {
  const std::string cookie = LogIn();
  int checked = 0;
  for (const Router::Route& route : router_.routes()) {
    if (route.access == Access::kPublic) {
      EXPECT_TRUE(route.pattern == "/login" || route.pattern.starts_with("/assets/"))
          << route.pattern;
      continue;
    }
    EXPECT_EQ(route.access, Access::kDashboard);
    std::string path = std::regex_replace(route.pattern, std::regex("\\{[a-z]+\\}"), "c1");
    for (const std::string& bad : {std::string(), std::string("wb_session=" + std::string(64, 'f')),
                                   std::string("wb_session=")}) {
      // Through the server's check, and calling the handler directly (defence in depth).
      Response via_server = Send(route.method, path, bad);
      EXPECT_EQ(via_server.status, 302) << route.method << " " << path;
      EXPECT_THAT(HeaderValue(via_server, "Location"), ::testing::StartsWith("/login"));
      Request direct;
      direct.method = route.method;
      direct.path = path;
      if (!bad.empty()) direct.headers.emplace_back("cookie", bad);
      direct.params = router_.Find(route.method, path).params;
      Response r = route.handler(direct);
      EXPECT_EQ(r.status, 302) << route.method << " " << path;
      EXPECT_THAT(r.body, Not(HasSubstr("Ann")));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 11);
  EXPECT_FALSE(cookie.empty());
}

TEST_F(DashboardTest, EveryPageRendersWithASession) {
  const std::string cookie = LogIn();
  for (const char* page :
       {"/", "/rfm", "/segments", "/cohorts", "/campaigns", "/outbox", "/customers/c1"}) {
    Response r = Send("GET", page, cookie);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_THAT(HeaderValue(r, "Content-Security-Policy"), HasSubstr("script-src 'self'"));
    EXPECT_EQ(HeaderValue(r, "X-Frame-Options"), "DENY");
    EXPECT_EQ(HeaderValue(r, "Cache-Control"), "no-store");
    // Every form carries the session's CSRF token.
    const std::string token = dashboard_->sessions().CsrfToken(cookie.substr(11));
    const std::regex form("<form[^>]*>(<input[^>]*>)");
    int forms = 0;
    for (std::sregex_iterator it(r.body.begin(), r.body.end(), form); it != std::sregex_iterator();
         ++it) {
      EXPECT_THAT((*it)[1].str(), HasSubstr("name=\"csrf\" value=\"" + token + "\"")) << page;
      ++forms;
    }
    EXPECT_EQ(forms, 2) << page;
  }
  EXPECT_EQ(Send("GET", "/customers/nobody", cookie).status, 404);
  EXPECT_EQ(Send("GET", "/outbox?status=bogus", cookie).status, 404);
}

TEST_F(DashboardTest, ACustomerNamedScriptIsShownEscaped) {
  const std::string cookie = LogIn();
  Response r = Send("GET", "/customers/c6", cookie);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(r.body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(r.body, HasSubstr("&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_THAT(r.body, Not(HasSubstr("<img")));
  // The timeline has c6's orders and the note.
  Result<std::vector<store::OrderRecord>> orders = reader_->LoadOrders(CustomerKey(6));
  ASSERT_THAT(orders, IsOk());
  EXPECT_EQ(DataValue(r.body, "timeline-count"), static_cast<std::int64_t>(orders->size()) + 1);
}

TEST_F(DashboardTest, TheCustomerPageShowsTheKindsOptedOutOf) {
  const std::string cookie = LogIn();
  EXPECT_THAT(Send("GET", "/customers/c6", cookie).body,
              HasSubstr("<th>opted out of</th><td>-</td>"));
  {
    auto write = reader_->BeginWrite();
    ASSERT_THAT(write.status(), IsOk());
    ASSERT_THAT((*write)->SetKindOptOut(CustomerKey(6), MessageKind::kOffers,
                                        Instant::FromUnixMicros(1'718'877'600'000'000)),
                IsOk());  // 2024-06-20T10:00:00Z.
    ASSERT_THAT((*write)->Commit(), IsOk());
  }
  Response r = Send("GET", "/customers/c6", cookie);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("<th>opted out of</th><td>offers since 2024-06-20"));
}

TEST_F(DashboardTest, OverviewNumbersEqualTheStore) {
  const std::string cookie = LogIn();
  Response r = Send("GET", "/", cookie);
  ASSERT_EQ(r.status, 200);
  Result<store::StoreStats> stats = reader_->Stats();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(DataValue(r.body, "customers"), stats->customers);
  EXPECT_EQ(DataValue(r.body, "customers"), 9);
  std::int64_t buyers = 0, revenue = 0;
  ASSERT_THAT(reader_->ForEachAggregates([&](const store::CustomerAggregates& a) {
    if (a.orders > 0) ++buyers;
    revenue += a.revenue_minor;
    return Status::Ok();
  }),
              IsOk());
  EXPECT_EQ(DataValue(r.body, "buyers"), buyers);
  EXPECT_EQ(DataValue(r.body, "revenue"), revenue);
  std::map<std::string, std::int64_t> lifecycle;
  std::map<std::string, std::int64_t> groups;
  ASSERT_THAT(reader_->ForEachScore(*Date::FromYmd(2024, 6, 30),
                                    [&](const store::CustomerScore& s) {
                                      ++lifecycle[s.lifecycle];
                                      if (!s.group.empty()) ++groups[s.group];
                                      return Status::Ok();
                                    }),
              IsOk());
  std::int64_t sum = 0;
  for (int l = 0; l < analytics::kLifecycleCount; ++l) {
    const std::string name(analytics::LifecycleName(static_cast<analytics::Lifecycle>(l)));
    EXPECT_EQ(DataValue(r.body, "lc-" + name), lifecycle[name]) << name;
    sum += DataValue(r.body, "lc-" + name);
  }
  EXPECT_EQ(sum, 9);
  for (const auto& [group, n] : groups) EXPECT_EQ(DataValue(r.body, "group-" + group), n);
  EXPECT_THAT(r.body, HasSubstr("<span id=\"as-of\">2024-06-30</span>"));
  // The monthly table: January to June 2024 are complete months.
  EXPECT_THAT(r.body, HasSubstr("<td>2024-06</td>"));
  EXPECT_THAT(r.body, HasSubstr("id=\"trend-chart\""));
}

TEST_F(DashboardTest, SegmentDrillDownListsItsCustomers) {
  const std::string cookie = LogIn();
  std::map<std::string, std::int64_t> segments;
  ASSERT_THAT(reader_->ForEachScore(*Date::FromYmd(2024, 6, 30),
                                    [&](const store::CustomerScore& s) {
                                      if (!s.segment.empty()) ++segments[s.segment];
                                      return Status::Ok();
                                    }),
              IsOk());
  ASSERT_FALSE(segments.empty());
  Response list = Send("GET", "/segments", cookie);
  for (const auto& [segment, n] : segments) {
    EXPECT_THAT(list.body, HasSubstr("<a href=\"/segments/" + segment + "\">"));
    Response r = Send("GET", "/segments/" + segment, cookie);
    ASSERT_EQ(r.status, 200) << segment;
    EXPECT_EQ(DataValue(r.body, "segment-count"), n);
    const std::regex link("<a href=\"/customers/c[0-9]\">");
    EXPECT_EQ(
        static_cast<std::int64_t>(std::distance(
            std::sregex_iterator(r.body.begin(), r.body.end(), link), std::sregex_iterator())),
        n);
  }
  EXPECT_EQ(Send("GET", "/segments/no_such_segment", cookie).status, 404);
}

TEST_F(DashboardTest, LoginRedirectsOnlyToLocalPaths) {
  Response form = Send("GET", "/login?next=%2Fcohorts");
  const std::string pre = CookieFrom(form, kLoginCookie);
  const std::string csrf = Match(form.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  EXPECT_THAT(form.body, HasSubstr("name=\"next\" value=\"/cohorts\""));
  for (const auto& [next, expected] :
       std::vector<std::pair<std::string, std::string>>{{"%2Fcohorts", "/cohorts"},
                                                        {"%2F%2Fevil.example", "/"},
                                                        {"https%3A%2F%2Fevil.example", "/"},
                                                        {"%2F%5Cevil.example", "/"}}) {
    Response r = Send("POST", "/login", "wb_login=" + pre,
                      "csrf=" + csrf + "&user=admin&password=open+sesame+42&next=" + next);
    EXPECT_EQ(r.status, 303);
    EXPECT_EQ(HeaderValue(r, "Location"), expected) << next;
  }
}

TEST_F(DashboardTest, OpenCustomerFormNeedsTheCsrfToken) {
  const std::string cookie = LogIn();
  const std::string token = dashboard_->sessions().CsrfToken(cookie.substr(11));
  EXPECT_EQ(Send("POST", "/customers", cookie, "id=c2").status, 403);
  Response r = Send("POST", "/customers", cookie, "csrf=" + token + "&id=c%2F2");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(HeaderValue(r, "Location"), "/customers/c%2F2");
}

TEST_F(DashboardTest, AssetsArePublicAndHoldNoData) {
  Response css = Send("GET", "/assets/dashboard.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Send("GET", "/assets/dashboard.js").status, 200);
  EXPECT_EQ(Send("GET", "/assets/chart.js").status, 200);
}

TEST_F(DashboardTest, AuthenticatorAllowsOnlyALiveSession) {
  DashboardAuthenticator auth(*dashboard_);
  Request r;
  r.method = "GET";
  r.path = "/cohorts";
  AuthDecision denied = auth.Check(r);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.denial.status, 302);
  EXPECT_EQ(HeaderValue(denied.denial, "Location"), "/login?next=%2Fcohorts");
  r.headers.emplace_back("cookie", LogIn());
  AuthDecision allowed = auth.Check(r);
  EXPECT_TRUE(allowed.allowed);
  EXPECT_EQ(allowed.principal, "dashboard:admin");
}

TEST(CookieValueTest, FindsTheNamedCookie) {
  Request r;
  r.headers.emplace_back("cookie", "a=1; wb_session=abc;b=2");
  EXPECT_EQ(CookieValue(r, "wb_session"), "abc");
  EXPECT_EQ(CookieValue(r, "b"), "2");
  EXPECT_EQ(CookieValue(r, "wb"), "");
}

}  // namespace
}  // namespace winback::server
