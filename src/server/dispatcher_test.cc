#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "config/registry.h"
#include "server/api_keys.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/rate_limiter.h"
#include "server/server_config.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

const std::string* HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

Request Make(std::string method, std::string path, std::string key = "") {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  if (!key.empty()) r.headers.emplace_back("authorization", "Bearer " + key);
  return r;
}

TEST(ApiKeysTest, Sha256MatchesTheStandardVector) {
  // FIPS 180-2, appendix B.1.
  EXPECT_EQ(ApiKeys::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiKeysTest, AcceptsConfiguredDigestsAndTheEnvironmentKey) {
  Result<ApiKeys> keys = ApiKeys::Make({ApiKeys::Sha256Hex("from-config")}, "from-env");
  ASSERT_THAT(keys, IsOk());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_THAT(keys->Find("from-config"), Optional(ApiKeys::Sha256Hex("from-config").substr(0, 12)));
  EXPECT_TRUE(keys->Find("from-env").has_value());
  EXPECT_FALSE(keys->Find("from-confi").has_value());
  EXPECT_FALSE(keys->Find("").has_value());
}

TEST(ApiKeysTest, RejectsAMalformedDigest) {
  EXPECT_THAT(ApiKeys::Make({"not-hex"}, ""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ApiKeysTest, ReadsBearerTokens) {
  Request r = Make("GET", "/");
  EXPECT_FALSE(ApiKeys::BearerToken(r).has_value());
  r.headers.emplace_back("authorization", "bearer  k1 ");
  EXPECT_THAT(ApiKeys::BearerToken(r), Optional(std::string_view("k1")));
  Request basic = Make("GET", "/");
  basic.headers.emplace_back("authorization", "Basic abc");
  EXPECT_FALSE(ApiKeys::BearerToken(basic).has_value());
}

TEST(RateLimiterTest, AllowsTheBurstThenRefillsAtTheRate) {
  RateLimiter limiter(2.0, 3.0);  // 2 per second, bursts of 3.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("k", 100.0).allowed);
  RateLimiter::Decision refused = limiter.Allow("k", 100.0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_DOUBLE_EQ(refused.retry_after_seconds, 0.5);  // One token at 2/s.
  EXPECT_TRUE(limiter.Allow("other", 100.0).allowed);  // Buckets are per key.
  EXPECT_TRUE(limiter.Allow("k", 100.5).allowed);      // 0.5 s later: one token back.
  EXPECT_FALSE(limiter.Allow("k", 100.5).allowed);
}

TEST(RateLimiterTest, ZeroRateMeansNoLimit) {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Allow("k", 0).allowed);
}

TEST(ServerConfigTest, ParsesTheSection) {
  config::Registry registry;
  AddConfigSections(registry);
  const std::string digest = ApiKeys::Sha256Hex("k");
  Result<config::Config> c =
      registry.Parse("[server]\nlisten = \"0.0.0.0:9000\"\napi_key_sha256 = [\"" + digest +
                         "\"]\nrate_per_second = 5\nthreads = 4\n",
                     "winback.toml");
  ASSERT_THAT(c, IsOk());
  const ServerSettings& s = c->Get<ServerSettings>();
  EXPECT_EQ(s.listen, "0.0.0.0:9000");
  EXPECT_THAT(s.api_key_sha256, ::testing::ElementsAre(digest));
  EXPECT_EQ(s.rate_per_second, 5);
  EXPECT_EQ(s.threads, 4);
}

TEST(ServerConfigTest, RefusesAPlaintextKeyNamingTheLine) {
  config::Registry registry;
  AddConfigSections(registry);
  Result<config::Config> c =
      registry.Parse("[server]\napi_key_sha256 = [\"secret\"]\n", "winback.toml");
  EXPECT_THAT(c, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(c.status().message(), HasSubstr("winback.toml:2: server.api_key_sha256"));
  EXPECT_THAT(registry.Parse("[server]\nthreads = 0\n", "winback.toml"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ServerConfigTest, PlanIntervalDefaultsOnAndIsChecked) {
  config::Registry registry;
  AddConfigSections(registry);
  Result<config::Config> none = registry.Parse("", "winback.toml");
  ASSERT_THAT(none, IsOk());
  EXPECT_EQ(none->Get<ServerSettings>().plan_interval_seconds, 300);
  Result<config::Config> off = registry.Parse("[server]\nplan_interval_seconds = 0\n", "w.toml");
  ASSERT_THAT(off, IsOk());
  EXPECT_EQ(off->Get<ServerSettings>().plan_interval_seconds, 0);
  Result<config::Config> negative =
      registry.Parse("[server]\nplan_interval_seconds = -5\n", "winback.toml");
  EXPECT_THAT(negative, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(negative.status().message(),
              HasSubstr("winback.toml:2: server.plan_interval_seconds"));
  EXPECT_THAT(registry.Parse("[server]\nplan_interval_secs = 60\n", "winback.toml"),
              StatusIs(StatusCode::kInvalidArgument));
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest()
      : auth_(*ApiKeys::Make({}, "good-key")),
        limiter_(1.0, 2.0),
        dispatcher_({.router = &router_,
                     .api_keys = &auth_,
                     .dashboard = &dashboard_,
                     .rate_limiter = &limiter_,
                     .metrics = &metrics_,
                     .now_seconds = [this] { return now_; }}) {
    router_.Add("GET", "/v1/thing", Access::kApiKey,
                [](const Request&) { return Response::Json("{\"ok\":true}"); });
    router_.Add("POST", "/v1/thing", Access::kApiKey,
                [](const Request&) { return Response::Json("{}"); });
    router_.Add("GET", "/public", Access::kPublic,
                [](const Request&) { return Response::Json("{}"); });
    router_.Add("GET", "/dash", Access::kDashboard,
                [](const Request&) { return Response::Html("secret"); });
    router_.Add("GET", "/v1/throws", Access::kApiKey, [](const Request&) -> Response {
      throw std::runtime_error("database password is hunter2");
    });
  }
  Router router_;
  ApiKeyAuthenticator auth_;
  DenyAllAuthenticator dashboard_;
  RateLimiter limiter_;
  Metrics metrics_;
  double now_ = 10;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherTest, MissingKeyIs401WithChallenge) {
  Response r = dispatcher_.Dispatch(Make("GET", "/v1/thing"));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"unauthorized\""));
  ASSERT_NE(HeaderOf(r, "WWW-Authenticate"), nullptr);
}

TEST_F(DispatcherTest, WrongKeyIs401) {
  EXPECT_EQ(dispatcher_.Dispatch(Make("GET", "/v1/thing", "bad-key")).status, 401);
}

TEST_F(DispatcherTest, GoodKeyReachesTheHandler) {
  Response r = dispatcher_.Dispatch(Make("GET", "/v1/thing", "good-key"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"ok\":true}");
}

TEST_F(DispatcherTest, PublicRoutesNeedNoKey) {
  EXPECT_EQ(dispatcher_.Dispatch(Make("GET", "/public")).status, 200);
}

TEST_F(DispatcherTest, DashboardIsDeniedUntilItExists) {
  Response r = dispatcher_.Dispatch(Make("GET", "/dash", "good-key"));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, Not(HasSubstr("secret")));
}

TEST_F(DispatcherTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  EXPECT_EQ(dispatcher_.Dispatch(Make("GET", "/v1/nothing", "good-key")).status, 404);
  Response r = dispatcher_.Dispatch(Make("DELETE", "/v1/thing", "good-key"));
  EXPECT_EQ(r.status, 405);
  ASSERT_NE(HeaderOf(r, "Allow"), nullptr);
  EXPECT_EQ(*HeaderOf(r, "Allow"), "GET, POST");
}

TEST_F(DispatcherTest, RateLimitIs429WithRetryAfter) {
  EXPECT_EQ(dispatcher_.Dispatch(Make("GET", "/v1/thing", "good-key")).status, 200);
  EXPECT_EQ(dispatcher_.Dispatch(Make("GET", "/v1/thing", "good-key")).status, 200);
  Response r = dispatcher_.Dispatch(Make("GET", "/v1/thing", "good-key"));
  EXPECT_EQ(r.status, 429);
  ASSERT_NE(HeaderOf(r, "Retry-After"), nullptr);
  EXPECT_EQ(*HeaderOf(r, "Retry-After"), "1");
  now_ += 1.0;
  EXPECT_EQ(dispatcher_.Dispatch(Make("GET", "/v1/thing", "good-key")).status, 200);
  // Unauthenticated requests do not spend the key's tokens.
  EXPECT_EQ(dispatcher_.Dispatch(Make("GET", "/public")).status, 200);
}

TEST_F(DispatcherTest, AnExceptionIs500WithoutDetails) {
  Response r = dispatcher_.Dispatch(Make("GET", "/v1/throws", "good-key"));
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"internal\""));
  EXPECT_THAT(r.body, Not(HasSubstr("hunter2")));
}

TEST_F(DispatcherTest, CountsRequestsByRoutePatternAndStatus) {
  (void)dispatcher_.Dispatch(Make("GET", "/v1/thing", "good-key"));
  (void)dispatcher_.Dispatch(Make("GET", "/v1/thing"));
  (void)dispatcher_.Dispatch(Make("GET", "/nothing/here"));
  EXPECT_EQ(metrics_.Count("/v1/thing", "GET", 200), 1);
  EXPECT_EQ(metrics_.Count("/v1/thing", "GET", 401), 1);
  EXPECT_EQ(metrics_.Count("unmatched", "GET", 404), 1);
  const std::string text = metrics_.Render();
  EXPECT_THAT(text, HasSubstr("winback_http_requests_total{route=\"/v1/thing\",method=\"GET\","
                              "status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("winback_http_request_duration_seconds_bucket{route=\"/v1/thing\","
                              "method=\"GET\",status=\"200\",le=\"+Inf\"} 1\n"));
}

TEST(ErrorMappingTest, EveryStatusCodeHasAnHttpStatus) {
  EXPECT_EQ(HttpStatusOf(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusOf(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusOf(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusOf(StatusCode::kInternal), 500);
  Response r = ErrorResponse(InternalError("secret detail"));
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, Not(HasSubstr("secret detail")));
  Response nf = ErrorResponse(NotFoundError("no customer 'x'"));
  EXPECT_EQ(nf.status, 404);
  EXPECT_THAT(nf.body, HasSubstr("no customer 'x'"));
}

TEST(MetricsTest, EscapesLabelValues) { EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd"); }

}  // namespace
}  // namespace winback::server
