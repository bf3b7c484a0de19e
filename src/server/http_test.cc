#include "server/http.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace winback::server {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

Response Named(std::string name) {
  Response r;
  r.body = std::move(name);
  return r;
}

Router MakeRouter() {
  Router router;
  router.Add("GET", "/v1/customers/{id}", Access::kApiKey,
             [](const Request&) { return Named("customer"); });
  router.Add("GET", "/v1/campaigns/summary", Access::kApiKey,
             [](const Request&) { return Named("summary"); });
  router.Add("GET", "/v1/campaigns/{name}", Access::kApiKey,
             [](const Request&) { return Named("campaign"); });
  router.Add("POST", "/v1/events", Access::kApiKey, [](const Request&) { return Named("events"); });
  router.Add("GET", "/t/{rest...}", Access::kPublic, [](const Request&) { return Named("track"); });
  return router;
}

TEST(RouterTest, MatchesParametersAndPrefersLiterals) {
  Router router = MakeRouter();
  Router::Match m = router.Find("GET", "/v1/customers/c-17");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->handler(Request{}).body, "customer");
  EXPECT_THAT(m.params, ElementsAre(Pair("id", "c-17")));

  m = router.Find("GET", "/v1/campaigns/summary");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->handler(Request{}).body, "summary");
  m = router.Find("GET", "/v1/campaigns/winback");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->handler(Request{}).body, "campaign");
  EXPECT_EQ(m.params.at("name"), "winback");
}

TEST(RouterTest, RestParameterTakesSlashes) {
  Router router = MakeRouter();
  Router::Match m = router.Find("GET", "/t/o/abc/def");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("rest"), "o/abc/def");
  EXPECT_EQ(router.Find("GET", "/t/").route, nullptr);
  EXPECT_EQ(router.Find("GET", "/t").route, nullptr);
}

TEST(RouterTest, DistinguishesNotFoundFromMethodNotAllowed) {
  Router router = MakeRouter();
  Router::Match m = router.Find("POST", "/v1/customers/c-17");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.method_not_allowed);
  m = router.Find("GET", "/v1/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.method_not_allowed);
  // An empty segment does not match a parameter, and extra segments do not match.
  EXPECT_EQ(router.Find("GET", "/v1/customers/").route, nullptr);
  EXPECT_EQ(router.Find("GET", "/v1/customers/a/b").route, nullptr);
}

TEST(RouterTest, AddingARouteTwiceAborts) {
  Router router = MakeRouter();
  EXPECT_DEATH(
      router.Add("POST", "/v1/events", Access::kApiKey, [](const Request&) { return Response(); }),
      "");
}

TEST(HttpTest, ParsesForms) {
  auto form = ParseForm("List-Unsubscribe=One-Click&a=b+c%2Bd&empty=&flag");
  ASSERT_TRUE(form.has_value());
  EXPECT_THAT(*form, ElementsAre(Pair("List-Unsubscribe", "One-Click"), Pair("a", "b c+d"),
                                 Pair("empty", ""), Pair("flag", "")));
  EXPECT_FALSE(ParseForm("a=%4").has_value());
  EXPECT_FALSE(ParseForm("a=%zz").has_value());
  EXPECT_EQ(PercentDecode("a+b%20c%C3%BC").value(), "a+b c\xC3\xBC");
  EXPECT_FALSE(PercentDecode("%").has_value());
}

TEST(HttpTest, HeadersQueryAndErrors) {
  Request request;
  request.headers = {{"authorization", "Bearer k"}, {"x-a", "1"}};
  request.query = {{"period", "month"}};
  EXPECT_EQ(*request.Header("authorization"), "Bearer k");
  EXPECT_EQ(request.Header("missing"), nullptr);
  EXPECT_EQ(*request.Query("period"), "month");
  Response error = Response::Error(401, "unauthorized", "a \"key\" is needed");
  EXPECT_EQ(error.status, 401);
  EXPECT_EQ(error.content_type, "application/json");
  EXPECT_EQ(error.body, R"({"error":{"code":"unauthorized","message":"a \"key\" is needed"}})");
  Response redirect = Response::Redirect("https://shop.example/");
  EXPECT_EQ(redirect.status, 302);
  EXPECT_THAT(redirect.headers, ElementsAre(Pair("Location", "https://shop.example/")));
}

}  // namespace
}  // namespace winback::server
