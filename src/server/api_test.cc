#include "server/api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "analytics/analytics_config.h"
#include "campaigns/campaign_config.h"
#include "config/registry.h"
#include "measure/campaign.h"
#include "server/http_server.h"
#include "store/open_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A real SQLite store in a scratch file: the writer and the readers are separate connections.
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("winback.db");
    ASSERT_THAT(store::OpenStore(path_), IsOk());  // Creates the schema.
    Result<std::unique_ptr<store::Store>> w = store::OpenStore(
        path_,
        {.mode = store::OpenMode::kMustExist, .upgrade_notice = {}, .sync = store::Sync::kFull});
    ASSERT_THAT(w, IsOk());
    // As `winback serve` runs: with the ingest log (the group tests below make their own
    // writers without one, to pause the applier with every request queued).
    Result<IngestLog> log = IngestLog::Open(path_ + "-ingest");
    ASSERT_THAT(log, IsOk());
    Result<std::unique_ptr<store::Store>> reader =
        store::OpenStore(path_, {.mode = store::OpenMode::kMustExist, .upgrade_notice = {}});
    ASSERT_THAT(reader, IsOk());
    Result<std::unique_ptr<IngestWriter>> logged = IngestWriter::WithLog(
        std::move(*w), std::move(*reader), std::move(*log), IngestWriter::Options{});
    ASSERT_THAT(logged, IsOk());
    writer_ = std::move(*logged);
    readers_ = std::make_unique<StorePool>(path_, 2);
    analytics::AddConfigSections(registry_);
    campaigns::AddConfigSections(registry_);
    measure::AddConfigSections(registry_);
    config_ = registry_.Defaults();
    ctx_ = ApiContext{.readers = readers_.get(),
                      .writer = writer_.get(),
                      .config = &config_,
                      .metrics = &metrics_,
                      .now = [] { return Instant::FromUnixMicros(1'735'689'600'000'000); }};
    AddApiRoutes(router_, ctx_);
  }
  void TearDown() override {
    writer_.reset();
    readers_.reset();
  }

  Response Call(std::string method, std::string path, std::string body = "",
                std::vector<std::pair<std::string, std::string>> query = {}) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.query = std::move(query);
    r.headers.emplace_back("content-type", "application/json");
    Router::Match m = router_.Find(r.method, r.path);
    if (m.route == nullptr) return Response::Error(404, "not_found", "no route");
    r.params = m.params;
    return m.route->handler(r);
  }

  void AddCustomer(const std::string& id) {
    Response r = Call("POST", "/v1/customers", "{\"id\":\"" + id + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  testutil::ScratchDir dir_{"winback_api"};
  std::string path_;
  config::Registry registry_;
  config::Config config_;
  Metrics metrics_;
  std::unique_ptr<IngestWriter> writer_;
  std::unique_ptr<StorePool> readers_;
  ApiContext ctx_;
  Router router_;
};

constexpr const char* kTwoOrders =
    R"([{"id":"o1","customer_id":"c1","time":"2024-06-01T10:00:00Z","amount":"10.00","currency":"EUR","status":"completed"},
        {"id":"o2","customer_id":"c1","time":"2024-07-01T10:00:00Z","amount":"5.00","currency":"EUR","status":"completed"}])";

TEST_F(ApiTest, PostsACustomerAndReadsItBack) {
  Response r = Call("POST", "/v1/customers",
                    R"({"id":"c1","first_name":"<script>","email":"c1@x.example"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"records\":1"));
  Response got = Call("GET", "/v1/customers/c1");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.content_type, "application/json");
  EXPECT_THAT(got.body, HasSubstr("\"first_name\": \"<script>\""));
  EXPECT_THAT(got.body, HasSubstr("\"email\": \"c1@x.example\""));
}

TEST_F(ApiTest, ACustomerShowsTheKindsOfMessageOptedOutOf) {
  AddCustomer("c1");
  Response got = Call("GET", "/v1/customers/c1");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_THAT(got.body, HasSubstr("\"opted_out_kinds\": []"));
  {
    Result<std::unique_ptr<store::Store>> s = store::OpenStore(path_);
    ASSERT_THAT(s, IsOk());
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey key, [&]() -> Result<CustomerKey> {
      WINBACK_ASSIGN_OR_RETURN(store::CustomerProfile p, (*s)->LoadCustomer("c1"));
      return p.key;
    }());
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, (*s)->BeginWrite());
    ASSERT_THAT(write->SetKindOptOut(key, MessageKind::kOffers,
                                     ParseTimestamp("2024-06-03T12:00:00Z")->instant),
                IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  got = Call("GET", "/v1/customers/c1");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_THAT(got.body, HasSubstr("\"kind\": \"offers\""));
  EXPECT_THAT(got.body, HasSubstr("\"at\": \"2024-06-03T12:00:00Z\""));
}

TEST_F(ApiTest, UnknownCustomerIs404) {
  Response r = Call("GET", "/v1/customers/nobody");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"not_found\""));
}

TEST_F(ApiTest, OrdersBatchIsWrittenOnceAndARetryChangesNothing) {
  AddCustomer("c1");
  Response first = Call("POST", "/v1/orders", kTwoOrders);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_THAT(first.body, HasSubstr("\"written\":2"));
  Response retry = Call("POST", "/v1/orders", kTwoOrders);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_THAT(retry.body, HasSubstr("\"written\":0"));
  Response got = Call("GET", "/v1/customers/c1");
  EXPECT_THAT(got.body, HasSubstr("\"orders\": 2"));
  EXPECT_THAT(got.body, HasSubstr("\"revenue\": \"15.00 EUR\""));
}

TEST_F(ApiTest, InvalidRecordsAre400WithEveryErrorAndNothingWritten) {
  AddCustomer("c1");
  Response r = Call(
      "POST", "/v1/orders",
      R"([{"id":"o1","customer_id":"c1","time":"2024-06-01T10:00:00Z","amount":"10.00","currency":"EUR"},
                        {"id":"o2","customer_id":"c1","time":"yesterday","amount":"1.00","currency":"EUR"},
                        {"id":"o3","customer_id":"c1","time":"2024-06-01T10:00:00Z","amount":"1.001","currency":"EUR"}])");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"invalid_records\""));
  EXPECT_THAT(r.body, HasSubstr("{\"record\":1,\"field\":\"time\""));
  EXPECT_THAT(r.body, HasSubstr("{\"record\":2,\"field\":\"amount\""));
  EXPECT_THAT(r.body, HasSubstr("\"record\":1"));
  EXPECT_THAT(r.body, HasSubstr("\"record\":2"));
  EXPECT_THAT(Call("GET", "/v1/customers/c1").body, HasSubstr("\"orders\": 0"));
}

TEST_F(ApiTest, UnknownCustomerInABatchRefusesTheWholeBatch) {
  AddCustomer("c1");
  Response r = Call("POST", "/v1/events",
                    R"([{"id":"e1","customer_id":"c1","type":"visit","time":"2024-06-01T10:00:00Z"},
                        {"id":"e2","customer_id":"c9","type":"visit","time":"2024-06-01T10:00:00Z"}])");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"field\":\"customer_id\""));
  EXPECT_THAT(r.body, HasSubstr("no customer 'c9'"));
  EXPECT_THAT(Call("GET", "/v1/customers/c1").body, Not(HasSubstr("\"e1\"")));
}

TEST_F(ApiTest, ProductsAreUpsertedBySku) {
  Response r = Call("POST", "/v1/products",
                    R"({"sku":"TEA-1","name":"Rize","price":"64.95","currency":"TRY"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"written\":1"));
  EXPECT_THAT(Call("POST", "/v1/products",
                   R"({"sku":"TEA-1","name":"Rize","price":"64.95","currency":"TRY"})")
                  .body,
              HasSubstr("\"written\":0"));
}

TEST_F(ApiTest, RefusesAContentTypeThatIsNotJson) {
  Request r;
  r.method = "POST";
  r.path = "/v1/customers";
  r.body = "id\nc1\n";
  r.headers.emplace_back("content-type", "text/csv");
  Response resp = HandleIngest(ctx_, ingest::FileKind::kCustomers, r);
  EXPECT_EQ(resp.status, 415);
}

TEST_F(ApiTest, ConcurrentGroupKeepsGoodBatchesBesideABadOne) {
  // A paused writer, so that the three requests below form one group.
  writer_ = std::make_unique<IngestWriter>(
      *store::OpenStore(
          path_,
          {.mode = store::OpenMode::kMustExist, .upgrade_notice = {}, .sync = store::Sync::kFull}),
      IngestWriter::Options{.max_group_requests = 16, .start_paused = true});
  ctx_.writer = writer_.get();
  router_ = Router();
  AddApiRoutes(router_, ctx_);
  std::vector<Response> out(3);
  std::vector<std::thread> threads;
  threads.emplace_back(
      [&] { out[0] = Call("POST", "/v1/customers", R"([{"id":"g1"},{"id":"g2"}])"); });
  threads.emplace_back([&] {
    out[1] =
        Call("POST", "/v1/events",
             R"({"id":"e1","customer_id":"ghost","type":"visit","time":"2024-06-01T10:00:00Z"})");
  });
  threads.emplace_back([&] { out[2] = Call("POST", "/v1/customers", R"({"id":"g3"})"); });
  while (writer_->queued() < 3) std::this_thread::yield();
  writer_->Resume();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(out[0].status, 200) << out[0].body;
  EXPECT_EQ(out[1].status, 400) << out[1].body;
  EXPECT_EQ(out[2].status, 200) << out[2].body;
  EXPECT_EQ(writer_->stats().groups, 1);  // One commit for both good requests.
  EXPECT_EQ(writer_->stats().requests, 2);
  for (const char* id : {"g1", "g2", "g3"}) {
    EXPECT_EQ(Call("GET", std::string("/v1/customers/") + id).status, 200) << id;
  }
}

TEST_F(ApiTest, SameIdInOneGroupWaitsForTheNextCommit) {
  writer_ = std::make_unique<IngestWriter>(
      *store::OpenStore(
          path_,
          {.mode = store::OpenMode::kMustExist, .upgrade_notice = {}, .sync = store::Sync::kFull}),
      IngestWriter::Options{.max_group_requests = 16, .start_paused = true});
  ctx_.writer = writer_.get();
  router_ = Router();
  AddApiRoutes(router_, ctx_);
  std::vector<Response> out(2);
  std::thread a([&] { out[0] = Call("POST", "/v1/customers", R"({"id":"d1","first_name":"A"})"); });
  std::thread b([&] { out[1] = Call("POST", "/v1/customers", R"({"id":"d1","first_name":"B"})"); });
  while (writer_->queued() < 2) std::this_thread::yield();
  writer_->Resume();
  a.join();
  b.join();
  EXPECT_EQ(out[0].status, 200);
  EXPECT_EQ(out[1].status, 200);
  EXPECT_EQ(writer_->stats().groups, 2);
}

TEST_F(ApiTest, SegmentsNeedAScoreRun) {
  Response r = Call("GET", "/v1/segments");
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(r.body, HasSubstr("winback score"));
  EXPECT_EQ(Call("GET", "/v1/segments", "", {{"as_of", "2024-13-01"}}).status, 400);
}

TEST_F(ApiTest, RatesPerPeriod) {
  EXPECT_EQ(Call("GET", "/v1/rates", "", {{"period", "month"}}).status, 409);  // No orders.
  AddCustomer("c1");
  ASSERT_EQ(Call("POST", "/v1/orders", kTwoOrders).status, 200);
  Response r = Call("GET", "/v1/rates", "", {{"period", "month"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"period\""));
  EXPECT_EQ(Call("GET", "/v1/rates", "", {{"period", "fortnight"}}).status, 400);
}

TEST_F(ApiTest, CampaignsAndResults) {
  Response list = Call("GET", "/v1/campaigns");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body, HasSubstr("\"campaigns\""));
  EXPECT_EQ(Call("GET", "/v1/campaigns/nope/results").status, 404);
}

TEST_F(ApiTest, HealthAndMetrics) {
  Response h = Call("GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_THAT(h.body, HasSubstr("\"status\":\"ok\""));
  metrics_.RecordRequest("/healthz", "GET", 200, 0.001);
  Response m = Call("GET", "/metrics");
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_THAT(m.content_type, HasSubstr("text/plain"));
  EXPECT_THAT(m.body, HasSubstr("winback_http_requests_total{route=\"/healthz\",method=\"GET\","
                                "status=\"200\"} 1"));
  EXPECT_THAT(m.body, HasSubstr("winback_outbox_messages{status=\"planned\"} 0"));
  // The ingest log's counters: one customer logged (and applied before the read above).
  AddCustomer("m1");
  m = Call("GET", "/metrics");
  EXPECT_THAT(m.body, HasSubstr("winback_ingest_pending_records 0\n"));
  EXPECT_THAT(m.body, HasSubstr("winback_ingest_commits_total{target=\"log\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("winback_ingest_commits_total{target=\"store\"} 1\n"));
  EXPECT_THAT(m.body, HasSubstr("winback_ingest_early_answers_total 0\n"));
}

TEST_F(ApiTest, HealthIs503WhenTheStoreIsGone) {
  StorePool missing(dir_.File("missing.db"), 1);
  ApiContext ctx = ctx_;
  ctx.readers = &missing;
  Router router;
  AddApiRoutes(router, ctx);
  Router::Match m = router.Find("GET", "/healthz");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->handler(Request{}).status, 503);
}

}  // namespace
}  // namespace winback::server
