#include "analytics/revenue.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>

#include "store/sqlite/sqlite_store.h"
#include "testutil/status_matchers.h"

namespace winback::analytics {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

store::CustomerAggregates Buyer(const std::string& currency, std::int64_t revenue_minor,
                                std::int64_t orders = 1) {
  store::CustomerAggregates a;
  a.orders = orders;
  a.currency = currency;
  a.revenue_minor = revenue_minor;
  return a;
}

TEST(MoneySumTest, AddsExactlyWithinRange) {
  MoneySum s;
  s.Add(kMax - 10);
  s.Add(10);
  EXPECT_EQ(s.minor(), kMax);
  EXPECT_FALSE(s.saturated());
  s.Add(-kMax);
  EXPECT_EQ(s.minor(), 0);
  EXPECT_FALSE(s.saturated());
}

TEST(MoneySumTest, SaturatesInsteadOfWrapping) {
  MoneySum s;
  s.Add(kMax);
  s.Add(1);  // would wrap to a negative total
  EXPECT_EQ(s.minor(), kMax);
  EXPECT_TRUE(s.saturated());
  s.Add(5);
  EXPECT_EQ(s.minor(), kMax);
  EXPECT_TRUE(s.saturated());

  MoneySum negative;
  negative.Add(kMin);
  negative.Add(-1);
  EXPECT_EQ(negative.minor(), kMin);
  EXPECT_TRUE(negative.saturated());
}

TEST(MoneySumTest, AddingASaturatedSumStaysSaturated) {
  MoneySum big;
  big.Add(kMax);
  big.Add(kMax);
  MoneySum total;
  total.Add(7);
  total.Add(big);
  EXPECT_TRUE(total.saturated());

  MoneySum half;
  half.Add(kMax / 2 + 1);
  MoneySum other = half;
  other.Add(half);  // exact sum is kMax + 1
  EXPECT_TRUE(other.saturated());
  EXPECT_EQ(other.minor(), kMax);
}

TEST(RevenueByCurrencyTest, KeepsOneTotalPerCurrency) {
  RevenueByCurrency r;
  r.Add(Buyer("EUR", 1000));
  r.Add(Buyer("USD", 250));
  r.Add(Buyer("EUR", 2000));
  r.Add(Buyer("JPY", 700));
  r.Add(Buyer("USD", 50));
  r.Add(Buyer("EUR", 0, /*orders=*/0));  // never ordered: not a buyer
  r.Add(Buyer("", 0, /*orders=*/0));
  const std::vector<CurrencyRevenue> totals = r.Totals();
  ASSERT_EQ(totals.size(), 3u);
  // Most customers first; EUR and USD tie on two, so EUR (alphabetical) comes first.
  EXPECT_EQ(totals[0].currency, "EUR");
  EXPECT_EQ(totals[0].customers, 2);
  EXPECT_EQ(totals[0].revenue.minor(), 3000);
  EXPECT_EQ(totals[1].currency, "USD");
  EXPECT_EQ(totals[1].customers, 2);
  EXPECT_EQ(totals[1].revenue.minor(), 300);
  EXPECT_EQ(totals[2].currency, "JPY");
  EXPECT_EQ(totals[2].customers, 1);
  EXPECT_EQ(totals[2].revenue.minor(), 700);
}

TEST(RevenueByCurrencyTest, TiesAreAlphabetical) {
  RevenueByCurrency r;
  r.Add(Buyer("USD", 1));
  r.Add(Buyer("TRY", 1));
  r.Add(Buyer("EUR", 1));
  const std::vector<CurrencyRevenue> totals = r.Totals();
  ASSERT_EQ(totals.size(), 3u);
  EXPECT_EQ(totals[0].currency, "EUR");
  EXPECT_EQ(totals[1].currency, "TRY");
  EXPECT_EQ(totals[2].currency, "USD");
}

TEST(RevenueByCurrencyTest, OverflowingCurrencyIsFlaggedOthersAreNot) {
  RevenueByCurrency r;
  r.Add(Buyer("USD", kMax));
  r.Add(Buyer("USD", kMax));
  r.Add(Buyer("EUR", 100));
  const std::vector<CurrencyRevenue> totals = r.Totals();
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].currency, "USD");
  EXPECT_TRUE(totals[0].revenue.saturated());
  EXPECT_EQ(totals[0].revenue.minor(), kMax);  // never negative
  EXPECT_EQ(totals[1].currency, "EUR");
  EXPECT_FALSE(totals[1].revenue.saturated());
  EXPECT_EQ(totals[1].revenue.minor(), 100);
}

TEST(RevenueByCurrencyTest, EmptyWhenNobodyOrdered) {
  RevenueByCurrency r;
  EXPECT_TRUE(r.Totals().empty());
  r.Add(Buyer("USD", 0, /*orders=*/0));
  EXPECT_TRUE(r.Totals().empty());
}

// A store of three USD buyers, two EUR buyers (one of whom also paid once in USD) and a
// customer who never ordered.
std::unique_ptr<store::Store> TwoCurrencyStore() {
  Result<std::unique_ptr<store::Store>> st = store::OpenSqliteStore(":memory:");
  EXPECT_THAT(st.status(), IsOk());
  if (!st.ok()) return nullptr;
  Result<std::unique_ptr<store::ImportSession>> session = (*st)->BeginImport("test");
  EXPECT_THAT(session.status(), IsOk());
  if (!session.ok()) return nullptr;
  struct Order {
    const char* customer;
    std::int64_t amount_minor;
    const char* currency;
  };
  const Order orders[] = {{"u1", 1000, "USD"}, {"u1", 500, "USD"},  {"u2", 2500, "USD"},
                          {"u3", 1, "USD"},    {"e1", 4000, "EUR"}, {"e2", 300, "EUR"},
                          {"e2", 200, "EUR"},  {"e2", 9900, "USD"}};
  for (const char* id : {"u1", "u2", "u3", "e1", "e2", "nobody"}) {
    store::CustomerRecord c;
    c.id = id;
    Result<CustomerKey> key = (*session)->UpsertCustomer(c);
    EXPECT_THAT(key.status(), IsOk());
    if (!key.ok()) return nullptr;
    int n = 0;
    for (const Order& o : orders) {
      if (std::string(o.customer) != id) continue;
      store::OrderRecord r;
      r.id = std::string(id) + "-" + std::to_string(n);
      r.placed_at = ParseDate("2024-01-10")->PlusDays(n++).StartUtc();
      r.amount_minor = o.amount_minor;
      r.currency = o.currency;
      EXPECT_THAT((*session)->UpsertOrder(*key, r).status(), IsOk());
    }
  }
  EXPECT_THAT((*session)->Commit().status(), IsOk());
  return *std::move(st);
}

TEST(ComputeRevenueByCurrencyTest, TwoCurrencyStoreGivesOneTotalEach) {
  std::unique_ptr<store::Store> st = TwoCurrencyStore();
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::vector<CurrencyRevenue> totals,
                               ComputeRevenueByCurrency(*st));
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].currency, "USD");
  EXPECT_EQ(totals[0].customers, 3);
  EXPECT_EQ(totals[0].revenue.minor(), 1000 + 500 + 2500 + 1);
  EXPECT_FALSE(totals[0].revenue.saturated());
  // e2's main currency is EUR (two of three orders): the USD order is left out, not converted.
  EXPECT_EQ(totals[1].currency, "EUR");
  EXPECT_EQ(totals[1].customers, 2);
  EXPECT_EQ(totals[1].revenue.minor(), 4000 + 300 + 200);
}

TEST(RevenueCurrencyTest, ConfiguredElseMainCurrencyOfMostCustomers) {
  std::unique_ptr<store::Store> st = TwoCurrencyStore();
  ASSERT_NE(st, nullptr);
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::string main, RevenueCurrency(*st, ""));
  EXPECT_EQ(main, "USD");
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::string configured, RevenueCurrency(*st, "EUR"));
  EXPECT_EQ(configured, "EUR");
}

TEST(RevenueCurrencyTest, EmptyWhenNobodyOrdered) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> st,
                               store::OpenSqliteStore(":memory:"));
  WINBACK_ASSERT_OK_AND_ASSIGN(const std::string currency, RevenueCurrency(*st, ""));
  EXPECT_EQ(currency, "");
}

}  // namespace
}  // namespace winback::analytics
