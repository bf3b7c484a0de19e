#include "analytics/recommendations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Instant T(const char* s) { return ParseTimestamp(s)->instant; }

store::ProductRecord Product(const char* sku, const char* category, const char* launched) {
  store::ProductRecord p;
  p.sku = sku;
  p.name = std::string("Product ") + sku;
  p.category = category;
  if (launched != nullptr) p.launched_at = T(launched);
  return p;
}

// Catalogue: A, B tea; C, D cups; E without a category. Launches: A 2024-01-01, B and C
// 2024-03-01, D and E never stated.
std::vector<store::ProductRecord> Catalogue() {
  return {Product("D", "cups", nullptr), Product("A", "tea", "2024-01-01"),
          Product("C", "cups", "2024-03-01"), Product("B", "tea", "2024-03-01"),
          Product("E", "", nullptr)};
}

// One item line per sku, a day apart, oldest first.
Recommender::CustomerItems Bought(std::int64_t key,
                                  std::vector<std::pair<const char*, std::int64_t>> skus) {
  Recommender::CustomerItems c{CustomerKey(key), {}};
  std::int64_t day = 0;
  for (const auto& [sku, quantity] : skus) {
    store::OrderItemPoint p;
    p.placed_at = Instant::FromUnixMicros((19'800 + day++) * 86'400'000'000LL);
    p.sku = sku;
    p.quantity = quantity;
    p.price_minor = 100;
    c.second.push_back(p);
  }
  return c;
}

// Hand-computed: customers 1 {A, B}, 2 {A, C x3}, 3 {A, B, D}, 4 {B x2, C x2}, 5 {E}.
// Co-purchases (distinct customers): AB 2 (1, 3), AC 1 (2), AD 1 (3), BD 1 (3), BC 1 (4).
std::vector<Recommender::CustomerItems> Example() {
  return {Bought(1, {{"A", 1}, {"B", 1}}), Bought(2, {{"A", 1}, {"C", 3}}),
          Bought(3, {{"A", 1}, {"B", 1}, {"D", 1}, {"A", 1}}), Bought(4, {{"B", 2}, {"C", 2}}),
          Bought(5, {{"E", 4}})};
}

TEST(RecommenderTest, RecommendsByCoPurchaseScoreExcludingWhatWasBought) {
  const auto items = Example();
  WINBACK_ASSERT_OK_AND_ASSIGN(Recommender r, Recommender::FromItems(items, Catalogue()));
  EXPECT_EQ(r.customers_with_items(), 5);
  EXPECT_EQ(r.pairs(), 5);
  // 1 {A, B}: C = AC 1 + BC 1 = 2, D = AD 1 + BD 1 = 2; tie by sku.
  EXPECT_THAT(r.Recommend(CustomerKey(1), 5), ElementsAre("C", "D"));
  // 2 {A, C}: B = AB 2 + BC 1 = 3, D = AD 1.
  EXPECT_THAT(r.Recommend(CustomerKey(2), 5), ElementsAre("B", "D"));
  // 4 {B, C}: A = AB 2 + AC 1 = 3, D = BD 1; n cuts.
  EXPECT_THAT(r.Recommend(CustomerKey(4), 1), ElementsAre("A"));
  // 3 {A, B, D}: C = AC 1 + BC 1 = 2.
  EXPECT_THAT(r.Recommend(CustomerKey(3), 5), ElementsAre("C"));
  // Nothing bought together with E; unknown keys and n <= 0 give nothing.
  EXPECT_THAT(r.Recommend(CustomerKey(5), 5), IsEmpty());
  EXPECT_THAT(r.Recommend(CustomerKey(6), 5), IsEmpty());
  EXPECT_THAT(r.Recommend(CustomerKey(0), 5), IsEmpty());
  EXPECT_THAT(r.Recommend(CustomerKey(1), 0), IsEmpty());
}

TEST(RecommenderTest, FavouriteCategoryByUnitsTiesByName) {
  const auto items = Example();
  WINBACK_ASSERT_OK_AND_ASSIGN(Recommender r, Recommender::FromItems(items, Catalogue()));
  EXPECT_EQ(r.FavouriteCategory(CustomerKey(1)), "tea");   // tea 2
  EXPECT_EQ(r.FavouriteCategory(CustomerKey(2)), "cups");  // tea 1, cups 3
  EXPECT_EQ(r.FavouriteCategory(CustomerKey(3)), "tea");   // tea 3, cups 1
  EXPECT_EQ(r.FavouriteCategory(CustomerKey(4)), "cups");  // tea 2, cups 2: by name
  EXPECT_EQ(r.FavouriteCategory(CustomerKey(5)), "");      // E has no category
  EXPECT_EQ(r.FavouriteCategory(CustomerKey(9)), "");
}

TEST(RecommenderTest, NewSinceIsStrictlyAfterNewestFirst) {
  WINBACK_ASSERT_OK_AND_ASSIGN(Recommender r, Recommender::FromItems({}, Catalogue()));
  auto skus = [](const std::vector<const store::ProductRecord*>& ps) {
    std::vector<std::string> out;
    for (const auto* p : ps) out.push_back(p->sku);
    return out;
  };
  EXPECT_THAT(skus(r.NewSince(T("2024-02-01"), 10)), ElementsAre("B", "C"));
  EXPECT_THAT(skus(r.NewSince(T("2023-06-01"), 10)), ElementsAre("B", "C", "A"));
  EXPECT_THAT(skus(r.NewSince(T("2023-06-01"), 1)), ElementsAre("B"));
  EXPECT_THAT(r.NewSince(T("2024-03-01"), 10), IsEmpty());
  ASSERT_NE(r.FindProduct("C"), nullptr);
  EXPECT_EQ(r.FindProduct("C")->category, "cups");
  EXPECT_EQ(r.FindProduct("Z"), nullptr);
}

TEST(RecommenderTest, PairsUseOnlyTheMostRecentDistinctSkus) {
  // With recent_skus 2, customer 1's X (the oldest) pairs with nothing: only YZ counts.
  const std::vector<Recommender::CustomerItems> items = {
      Bought(1, {{"X", 1}, {"Y", 1}, {"Z", 1}, {"Y", 1}}), Bought(2, {{"Y", 1}}),
      Bought(3, {{"X", 1}})};
  RecommenderOptions options;
  options.recent_skus = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(Recommender r, Recommender::FromItems(items, {}, options));
  EXPECT_EQ(r.pairs(), 1);
  EXPECT_THAT(r.Recommend(CustomerKey(2), 5), ElementsAre("Z"));
  EXPECT_THAT(r.Recommend(CustomerKey(3), 5), IsEmpty());
  // Customer 1 bought X, Y and Z: nothing left to recommend.
  EXPECT_THAT(r.Recommend(CustomerKey(1), 5), IsEmpty());
}

TEST(RecommenderTest, RefusesBadOptionsAndKeysOutOfOrder) {
  RecommenderOptions options;
  options.recent_skus = 0;
  EXPECT_THAT(Recommender::FromItems({}, {}, options), StatusIs(StatusCode::kInvalidArgument));
  options = {};
  options.neighbours_per_sku = 0;
  EXPECT_THAT(Recommender::FromItems({}, {}, options), StatusIs(StatusCode::kInvalidArgument));
  options = {};
  options.remembered_skus = 5;
  EXPECT_THAT(Recommender::FromItems({}, {}, options), StatusIs(StatusCode::kInvalidArgument));
  const std::vector<Recommender::CustomerItems> items = {Bought(2, {{"A", 1}}),
                                                         Bought(1, {{"B", 1}})};
  EXPECT_THAT(Recommender::FromItems(items, {}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(RecommenderTest, BuildsFromTheStoresCompletedOrderItems) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> st,
                               store::OpenSqliteStore(":memory:"));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, st->BeginImport("test"));
    for (const char* id : {"c1", "c2"}) {
      store::CustomerRecord c;
      c.id = id;
      ASSERT_THAT(session->UpsertCustomer(c), IsOk());
    }
    auto order = [&](const char* id, std::int64_t key, OrderStatus status,
                     std::vector<store::OrderItem> items) {
      store::OrderRecord o;
      o.id = id;
      o.customer_id = key == 1 ? "c1" : "c2";
      o.placed_at = T("2024-05-01");
      o.amount_minor = 100;
      o.currency = "USD";
      o.status = status;
      o.items = std::move(items);
      ASSERT_THAT(session->UpsertOrder(CustomerKey(key), o), IsOk());
    };
    order("o1", 1, OrderStatus::kCompleted, {{"A", 1, 50}, {"B", 1, 50}});
    order("o2", 2, OrderStatus::kCompleted, {{"A", 1, 100}});
    order("o3", 2, OrderStatus::kRefunded, {{"C", 1, 100}});
    ASSERT_THAT(session->UpsertProduct(Product("B", "tea", "2024-06-01")), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<store::ProductRecord> products, st->LoadProducts());
  WINBACK_ASSERT_OK_AND_ASSIGN(Recommender r, Recommender::Build(*st, std::move(products)));
  EXPECT_THAT(r.Recommend(CustomerKey(2), 3), ElementsAre("B"));  // C was refunded
  EXPECT_EQ(r.FavouriteCategory(CustomerKey(1)), "tea");
  EXPECT_EQ(r.NewSince(T("2024-05-01"), 3).size(), 1u);
}

TEST(RecommenderTest, ManyCustomersStayWithinTheBounds) {
  // 300,000 customers with 3 items each of 200 skus: every sku pair at most once, at most n
  // recommendations each (speed: bench/plan, not here).
  std::vector<Recommender::CustomerItems> items;
  constexpr std::int64_t kCustomers = 300'000;
  items.reserve(kCustomers);
  std::uint64_t x = 88172645463325252ULL;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  static const std::vector<std::string> skus = [] {
    std::vector<std::string> v;
    for (int i = 0; i < 200; ++i) v.push_back("SKU-" + std::to_string(i));
    return v;
  }();
  for (std::int64_t k = 1; k <= kCustomers; ++k) {
    std::vector<std::pair<const char*, std::int64_t>> bought;
    for (int i = 0; i < 3; ++i) bought.emplace_back(skus[next() % 200].c_str(), 1);
    items.push_back(Bought(k, bought));
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(Recommender r, Recommender::FromItems(items, {}));
  for (std::int64_t k = 1; k <= kCustomers; k += 97) {
    EXPECT_LE(r.Recommend(CustomerKey(k), 5).size(), 5u);
  }
  EXPECT_EQ(r.customers_with_items(), kCustomers);
  EXPECT_LE(r.pairs(), 200 * 199 / 2);
}

}  // namespace
}  // namespace winback::analytics
