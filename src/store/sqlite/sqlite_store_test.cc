#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <latch>
#include <set>
#include <thread>
#include <vector>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::store {
namespace {

using ::testing::HasSubstr;

Instant T(const char* s) { return ParseTimestamp(s)->instant; }

CustomerRecord Customer(const std::string& id) {
  CustomerRecord c;
  c.id = id;
  c.first_name = "Ayşe";
  c.last_name = "Yılmaz";
  c.country = "TR";
  c.time_zone = "Europe/Istanbul";
  c.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kGranted;
  return c;
}

OrderRecord Order(const std::string& id, const std::string& customer, const char* at,
                  std::int64_t amount) {
  OrderRecord o;
  o.id = id;
  o.customer_id = customer;
  o.placed_at = T(at);
  o.amount_minor = amount;
  o.currency = "TRY";
  return o;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(":memory:");
    ASSERT_THAT(s, IsOk());
    store_ = std::move(s).value();
  }
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, FreshStoreHasCurrentSchema) {
  EXPECT_EQ(store_->schema_version(), sqlite::kSchemaVersion);
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 0);
  EXPECT_FALSE(st.first_order_at.has_value());
}

TEST_F(SqliteStoreTest, ImportCommitsCustomersOrdersAndAggregates) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("test"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
  OrderRecord o1 = Order("o1", "c1", "2024-01-01T10:00:00+03:00", 12990);
  o1.utc_offset_minutes = 180;
  o1.items = {{"TEA-1", 2, 6495}};
  EXPECT_THAT(session->UpsertOrder(c1, o1), IsOk());
  EXPECT_THAT(session->UpsertOrder(c1, Order("o2", "c1", "2024-02-01T10:00:00Z", 1000)), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, session->Commit());
  EXPECT_EQ(counts.customers_written, 1);
  EXPECT_EQ(counts.orders_written, 2);
  EXPECT_EQ(counts.aggregates_updated, 1);

  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store_->LoadCustomer("c1"));
  EXPECT_EQ(p.record.first_name, "Ayşe");
  EXPECT_EQ(p.record.last_name, "Yılmaz");
  EXPECT_EQ(p.record.consent[0], Consent::kGranted);
  EXPECT_EQ(p.record.consent[1], Consent::kUnknown);
  EXPECT_EQ(p.aggregates.orders, 2);
  EXPECT_EQ(p.aggregates.revenue_minor, 13990);
  EXPECT_EQ(p.aggregates.purchase_days, 2);
  WINBACK_ASSERT_OK_AND_ASSIGN(auto orders, store_->LoadOrders(p.key));
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].id, "o1");
  EXPECT_EQ(orders[0].utc_offset_minutes, 180);
  ASSERT_EQ(orders[0].items.size(), 1u);
  EXPECT_EQ(orders[0].items[0].sku, "TEA-1");
  EXPECT_EQ(orders[0].items[0].quantity, 2);
}

TEST_F(SqliteStoreTest, UnchangedRowsAreNotWritten) {
  for (int round = 0; round < 2; ++round) {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("round"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
    WINBACK_ASSERT_OK_AND_ASSIGN(bool written,
                                 session->UpsertOrder(c1, Order("o1", "c1", "2024-01-01", 100)));
    EXPECT_EQ(written, round == 0);
    WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, session->Commit());
    EXPECT_EQ(counts.customers_written, round == 0 ? 1 : 0);
    EXPECT_EQ(counts.aggregates_updated, round == 0 ? 1 : 0);
  }
}

// Each field of a stored customer, changed alone, updates the row (and only that customer's
// row); a customer's own fields do not feed the aggregates, so none are recomputed.
TEST_F(SqliteStoreTest, ChangedCustomerFieldUpdatesTheRow) {
  auto full = [] {
    CustomerRecord c = Customer("c1");
    c.email = "a@example.com";
    c.phone = "+905551112233";
    c.birth_date = Date::FromYmd(1990, 2, 3).value();
    c.birth_year = 1990;
    c.gender = "female";
    c.education = "master";
    c.region = "Marmara";
    c.city = "İstanbul";
    c.language = "tr";
    c.signup_at = T("2023-01-02T03:04:05Z");
    c.preferred_channel = "sms";
    c.referred_by = "c0";
    return c;
  };
  const std::vector<std::function<void(CustomerRecord&)>> changes = {
      [](CustomerRecord& c) { c.email = "b@example.com"; },
      [](CustomerRecord& c) { c.phone.clear(); },
      [](CustomerRecord& c) { c.first_name = "Zeynep"; },
      [](CustomerRecord& c) { c.last_name = "Kaya"; },
      [](CustomerRecord& c) { c.birth_date = Date::FromYmd(1990, 2, 4).value(); },
      [](CustomerRecord& c) { c.birth_year.reset(); },
      [](CustomerRecord& c) { c.gender = "male"; },
      [](CustomerRecord& c) { c.education = "bachelor"; },
      [](CustomerRecord& c) { c.country = "IR"; },
      [](CustomerRecord& c) { c.region = "تهران"; },
      [](CustomerRecord& c) { c.city = "Ankara"; },
      [](CustomerRecord& c) { c.time_zone = "Asia/Tehran"; },
      [](CustomerRecord& c) { c.language = "fa"; },
      [](CustomerRecord& c) { c.signup_at = T("2023-01-02T03:04:06Z"); },
      [](CustomerRecord& c) { c.preferred_channel = "email"; },
      [](CustomerRecord& c) { c.referred_by = "c9"; },
  };
  auto import = [&](const CustomerRecord& c) {
    auto session = store_->BeginImport("customers");
    EXPECT_THAT(session, IsOk());
    EXPECT_THAT((*session)->UpsertCustomer(Customer("other")), IsOk());
    EXPECT_THAT((*session)->UpsertCustomer(c), IsOk());
    auto counts = (*session)->Commit();
    EXPECT_THAT(counts, IsOk());
    return counts.ok() ? *counts : ImportCounts{};
  };
  import(full());
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile before, store_->LoadCustomer("c1"));
  for (std::size_t i = 0; i < changes.size(); ++i) {
    CustomerRecord c = full();
    changes[i](c);
    ImportCounts counts = import(c);
    EXPECT_EQ(counts.customers_written, 1) << i;
    EXPECT_EQ(counts.aggregates_updated, 0) << i;
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store_->LoadCustomer("c1"));
    EXPECT_EQ(p.key, before.key);
    EXPECT_EQ(p.record.email, c.email) << i;
    EXPECT_EQ(p.record.phone, c.phone) << i;
    EXPECT_EQ(p.record.first_name, c.first_name) << i;
    EXPECT_EQ(p.record.last_name, c.last_name) << i;
    EXPECT_EQ(p.record.birth_date, c.birth_date) << i;
    EXPECT_EQ(p.record.birth_year, c.birth_year) << i;
    EXPECT_EQ(p.record.gender, c.gender) << i;
    EXPECT_EQ(p.record.education, c.education) << i;
    EXPECT_EQ(p.record.country, c.country) << i;
    EXPECT_EQ(p.record.region, c.region) << i;
    EXPECT_EQ(p.record.city, c.city) << i;
    EXPECT_EQ(p.record.time_zone, c.time_zone) << i;
    EXPECT_EQ(p.record.language, c.language) << i;
    EXPECT_EQ(p.record.signup_at, c.signup_at) << i;
    EXPECT_EQ(p.record.preferred_channel, c.preferred_channel) << i;
    EXPECT_EQ(p.record.referred_by, c.referred_by) << i;
    EXPECT_EQ(import(c).customers_written, 0) << i;  // The same again: nothing.
    import(full());
  }
}

TEST_F(SqliteStoreTest, ChangedOrderUpdatesAndReplacesItems) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("one"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
    OrderRecord o = Order("o1", "c1", "2024-01-01", 100);
    o.items = {{"A", 1, 50}, {"B", 1, 50}};
    ASSERT_THAT(session->UpsertOrder(c1, o), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("two"));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerKey> c1, session->FindCustomer("c1"));
  ASSERT_TRUE(c1.has_value());
  OrderRecord o = Order("o1", "c1", "2024-01-01", 250);
  o.items = {{"C", 5, 50}};
  WINBACK_ASSERT_OK_AND_ASSIGN(bool written, session->UpsertOrder(*c1, o));
  EXPECT_TRUE(written);
  ASSERT_THAT(session->Commit(), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(auto orders, store_->LoadOrders(*c1));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].amount_minor, 250);
  ASSERT_EQ(orders[0].items.size(), 1u);
  EXPECT_EQ(orders[0].items[0].sku, "C");
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.order_items, 1);
}

TEST_F(SqliteStoreTest, MovingAnOrderUpdatesBothCustomers) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("one"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
    ASSERT_THAT(session->UpsertCustomer(Customer("c2")), IsOk());
    ASSERT_THAT(session->UpsertOrder(c1, Order("o1", "c1", "2024-01-01", 100)), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("two"));
    WINBACK_ASSERT_OK_AND_ASSIGN(auto c2, session->FindCustomer("c2"));
    ASSERT_THAT(session->UpsertOrder(*c2, Order("o1", "c2", "2024-01-01", 100)), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  EXPECT_EQ(store_->LoadCustomer("c1")->aggregates.orders, 0);
  EXPECT_EQ(store_->LoadCustomer("c2")->aggregates.orders, 1);
}

// A small import into a large store recomputes its few customers by seeking them (a large one
// scans the key range, as the first import here does); the seek path must find exactly the
// touched customers' rows.
TEST_F(SqliteStoreTest, SparseAndDenseRecomputationAgree) {
  constexpr int kCustomers = 200;
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("all"));
    for (int i = 0; i < kCustomers; ++i) {
      const std::string id = "c" + std::to_string(i);
      WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey key, session->UpsertCustomer(Customer(id)));
      for (int k = 0; k <= i % 3; ++k) {
        const std::string day = "2024-01-" + std::to_string(10 + k);
        ASSERT_THAT(
            session->UpsertOrder(key, Order("o" + std::to_string(i) + "-" + std::to_string(k), id,
                                            day.c_str(), std::int64_t{100} * (k + 1))),
            IsOk());
      }
    }
    ASSERT_THAT(session->Commit(), IsOk());
  }
  {
    // Touches c10 (loses o10-0 to c150) and c150: 2 of 200 customers, the seek path.
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("move"));
    WINBACK_ASSERT_OK_AND_ASSIGN(auto c150, session->FindCustomer("c150"));
    WINBACK_ASSERT_OK_AND_ASSIGN(
        bool written, session->UpsertOrder(*c150, Order("o10-0", "c150", "2024-02-01", 7)));
    EXPECT_TRUE(written);
    WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, session->Commit());
    EXPECT_EQ(counts.aggregates_updated, 2);
  }
  std::int64_t orders = 0;
  ASSERT_THAT(store_->ForEachAggregates([&](const CustomerAggregates& a) {
    orders += a.orders;
    return Status::Ok();
  }),
              IsOk());
  EXPECT_EQ(orders, kCustomers / 3 * 6 + 1 + 2);  // 66 full rounds of 1+2+3, then c198, c199.
  EXPECT_EQ(store_->LoadCustomer("c10")->aggregates.orders, 1);
  EXPECT_EQ(store_->LoadCustomer("c150")->aggregates.orders, 2);
  EXPECT_EQ(store_->LoadCustomer("c150")->aggregates.revenue_minor, 107);
  EXPECT_EQ(store_->LoadCustomer("c150")->aggregates.purchase_days, 2);
  EXPECT_EQ(store_->LoadCustomer("c11")->aggregates.orders, 3);  // Untouched.
}
TEST_F(SqliteStoreTest, BulkLoadOfEmptyTableRefusesAnIdWrittenTwice) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("bulk"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
  ASSERT_THAT(session->UpsertOrder(c1, Order("o1", "c1", "2024-01-01", 100)), IsOk());
  ASSERT_THAT(session->UpsertOrder(c1, Order("o1", "c1", "2024-01-02", 200)), IsOk());
  EXPECT_THAT(session->Commit(),
              StatusIsWith(StatusCode::kInternal, HasSubstr("an id written twice")));
  session.reset();
  // Nothing was committed, and the indexes the bulk load dropped are back.
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.orders, 0);
  WINBACK_ASSERT_OK_AND_ASSIGN(auto again, store_->BeginImport("upsert"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey k, again->UpsertCustomer(Customer("c1")));
  ASSERT_THAT(again->UpsertOrder(k, Order("o1", "c1", "2024-01-01", 100)), IsOk());
  ASSERT_THAT(again->Commit(), IsOk());
}

TEST_F(SqliteStoreTest, DroppedSessionRollsBack) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("abandoned"));
    ASSERT_THAT(session->UpsertCustomer(Customer("c1")), IsOk());
  }
  EXPECT_THAT(store_->LoadCustomer("c1"), StatusIs(StatusCode::kNotFound));
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 0);
  EXPECT_EQ(st.imports, 0);
}

TEST_F(SqliteStoreTest, CommittedSessionRefusesMoreWork) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("x"));
  ASSERT_THAT(session->Commit(), IsOk());
  EXPECT_THAT(session->UpsertCustomer(Customer("c1")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(session->Commit(), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(SqliteStoreTest, StatedConsentReplacesUnstatedKeeps) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("one"));
    CustomerRecord c = Customer("c1");
    c.consent[1] = Consent::kGranted;
    ASSERT_THAT(session->UpsertCustomer(c), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("two"));
    CustomerRecord c = Customer("c1");
    c.consent[0] = Consent::kDenied;  // Email withdrawn; sms not stated this time.
    ASSERT_THAT(session->UpsertCustomer(c), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store_->LoadCustomer("c1"));
  EXPECT_EQ(p.record.consent[0], Consent::kDenied);
  EXPECT_EQ(p.record.consent[1], Consent::kGranted);
}

TEST_F(SqliteStoreTest, EventsFeedAggregates) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("ev"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
  EventRecord e;
  e.id = "e1";
  e.customer_id = "c1";
  e.type = EventType::kExitSurvey;
  e.at = T("2024-05-01T10:00:00+03:00");
  e.utc_offset_minutes = 180;
  e.reason = "price";
  e.text = "Fiyatlar çok yükseldi";
  WINBACK_ASSERT_OK_AND_ASSIGN(bool written, session->UpsertEvent(c1, e));
  EXPECT_TRUE(written);
  ASSERT_THAT(session->Commit(), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store_->LoadCustomer("c1"));
  EXPECT_EQ(p.aggregates.exit_reason, "price");
  WINBACK_ASSERT_OK_AND_ASSIGN(auto events, store_->LoadEvents(c1));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].text, "Fiyatlar çok yükseldi");
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.events_by_type[static_cast<int>(EventType::kExitSurvey)], 1);
}

TEST_F(SqliteStoreTest, StatsCountAndSpanEveryRow) {
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeRange none, store_->OrderTimeRange());
  EXPECT_FALSE(none.first.has_value());
  EXPECT_FALSE(none.last.has_value());
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("stats"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c2, session->UpsertCustomer(Customer("c2")));
  OrderRecord refunded = Order("o1", "c2", "2023-03-04T05:06:07Z", 100);  // The earliest.
  refunded.status = OrderStatus::kRefunded;
  ASSERT_THAT(session->UpsertOrder(c2, refunded), IsOk());
  ASSERT_THAT(session->UpsertOrder(c1, Order("o2", "c1", "2024-01-01T00:00:00Z", 200)), IsOk());
  ASSERT_THAT(session->UpsertOrder(c1, Order("o3", "c1", "2024-12-31T23:59:59+03:00", 300)),
              IsOk());
  const EventType types[] = {EventType::kVisit, EventType::kVisit, EventType::kBounce};
  const char* times[] = {"2024-02-01T00:00:00Z", "2022-01-01T00:00:00Z", "2025-01-01T00:00:00Z"};
  for (int i = 0; i < 3; ++i) {
    EventRecord e;
    e.id = "e" + std::to_string(i);
    e.customer_id = "c1";
    e.type = types[i];
    e.at = T(times[i]);
    ASSERT_THAT(session->UpsertEvent(c1, e), IsOk());
  }
  ASSERT_THAT(session->Commit(), IsOk());

  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 2);
  EXPECT_EQ(st.orders, 3);
  EXPECT_EQ(st.completed_orders, 2);
  EXPECT_EQ(st.events, 3);
  EXPECT_EQ(st.first_order_at, T("2023-03-04T05:06:07Z"));
  EXPECT_EQ(st.last_order_at, T("2024-12-31T20:59:59Z"));
  EXPECT_EQ(st.first_event_at, T("2022-01-01T00:00:00Z"));
  EXPECT_EQ(st.last_event_at, T("2025-01-01T00:00:00Z"));
  EXPECT_EQ(st.events_by_type[static_cast<int>(EventType::kVisit)], 2);
  EXPECT_EQ(st.events_by_type[static_cast<int>(EventType::kBounce)], 1);
  EXPECT_EQ(st.events_by_type[static_cast<int>(EventType::kChat)], 0);
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeRange orders, store_->OrderTimeRange());
  EXPECT_EQ(orders.first, st.first_order_at);
  EXPECT_EQ(orders.last, st.last_order_at);
}

TEST_F(SqliteStoreTest, ForEachAggregatesVisitsEveryCustomerInKeyOrder) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("many"));
  for (int i = 0; i < 5; ++i)
    ASSERT_THAT(session->UpsertCustomer(Customer("c" + std::to_string(i))), IsOk());
  ASSERT_THAT(session->Commit(), IsOk());
  std::vector<std::int64_t> keys;
  ASSERT_THAT(store_->ForEachAggregates([&](const CustomerAggregates& a) {
    keys.push_back(a.key.value());
    return Status::Ok();
  }),
              IsOk());
  EXPECT_EQ(keys, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_THAT(
      store_->ForEachAggregates([](const CustomerAggregates&) { return CancelledError("stop"); }),
      StatusIs(StatusCode::kCancelled));
}

TEST_F(SqliteStoreTest, StreamsOrdersAndEventsPerCustomer) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("stream"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c2, session->UpsertCustomer(Customer("c2")));
  ASSERT_THAT(session->UpsertCustomer(Customer("c3")), IsOk());  // No orders: skipped.
  ASSERT_THAT(session->UpsertOrder(c2, Order("o3", "c2", "2024-03-01", 300)), IsOk());
  ASSERT_THAT(session->UpsertOrder(c1, Order("o2", "c1", "2024-02-01", 200)), IsOk());
  ASSERT_THAT(session->UpsertOrder(c1, Order("o1", "c1", "2024-01-01", 100)), IsOk());
  EventRecord e;
  e.id = "e1";
  e.customer_id = "c2";
  e.type = EventType::kComplaint;
  e.at = T("2024-03-02T00:00:00Z");
  ASSERT_THAT(session->UpsertEvent(c2, e), IsOk());
  ASSERT_THAT(session->Commit(), IsOk());
  std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>> seen;
  ASSERT_THAT(store_->ForEachCustomerOrders([&](CustomerKey k, std::span<const OrderPoint> orders) {
    std::vector<std::int64_t> amounts;
    for (const OrderPoint& o : orders) amounts.push_back(o.amount_minor);
    seen.emplace_back(k.value(), amounts);
    return Status::Ok();
  }),
              IsOk());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], (std::pair<std::int64_t, std::vector<std::int64_t>>{c1.value(), {100, 200}}));
  EXPECT_EQ(seen[1], (std::pair<std::int64_t, std::vector<std::int64_t>>{c2.value(), {300}}));
  int event_customers = 0;
  ASSERT_THAT(store_->ForEachCustomerEvents([&](CustomerKey k, std::span<const EventPoint> events) {
    ++event_customers;
    EXPECT_EQ(k, c2);
    EXPECT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, EventType::kComplaint);
    return Status::Ok();
  }),
              IsOk());
  EXPECT_EQ(event_customers, 1);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::string> ids, store_->CustomerIds());
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[static_cast<std::size_t>(c2.value())], "c2");
}

TEST_F(SqliteStoreTest, StreamsEventsOfChosenTypesOnly) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("types"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c2, session->UpsertCustomer(Customer("c2")));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c3, session->UpsertCustomer(Customer("c3")));
  struct Row {
    CustomerKey key;
    const char* customer;
    EventType type;
    const char* at;
  };
  const Row rows[] = {
      {c1, "c1", EventType::kExitSurvey, "2024-05-01T00:00:00Z"},
      {c1, "c1", EventType::kVisit, "2024-04-01T00:00:00Z"},
      {c1, "c1", EventType::kSubscriptionCancelled, "2024-03-01T00:00:00Z"},
      {c2, "c2", EventType::kVisit, "2024-01-01T00:00:00Z"},  // c2: no chosen type.
      {c3, "c3", EventType::kExitSurvey, "2024-02-01T00:00:00Z"},
  };
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    EventRecord e;
    e.id = "e" + std::to_string(i);
    e.customer_id = rows[i].customer;
    e.type = rows[i].type;
    e.at = T(rows[i].at);
    e.reason = "price";
    ASSERT_THAT(session->UpsertEvent(rows[i].key, e), IsOk());
  }
  ASSERT_THAT(session->Commit(), IsOk());
  const EventType chosen[] = {EventType::kExitSurvey, EventType::kSubscriptionCancelled};
  std::vector<std::pair<std::int64_t, std::vector<EventType>>> seen;
  ASSERT_THAT(
      store_->ForEachCustomerEventsOfTypes(chosen,
                                           [&](CustomerKey k, std::span<const EventPoint> events) {
                                             std::vector<EventType> types;
                                             for (const EventPoint& e : events) {
                                               types.push_back(e.type);
                                               EXPECT_EQ(e.reason, "price");
                                             }
                                             seen.emplace_back(k.value(), types);
                                             return Status::Ok();
                                           }),
      IsOk());
  ASSERT_EQ(seen.size(), 2u);  // c2 has none of the chosen types.
  EXPECT_EQ(seen[0].first, c1.value());
  EXPECT_EQ(seen[0].second, (std::vector<EventType>{EventType::kSubscriptionCancelled,
                                                    EventType::kExitSurvey}));  // By time.
  EXPECT_EQ(seen[1].first, c3.value());
  EXPECT_EQ(seen[1].second, std::vector<EventType>{EventType::kExitSurvey});
  int calls = 0;
  ASSERT_THAT(store_->ForEachCustomerEventsOfTypes({},
                                                   [&](CustomerKey, std::span<const EventPoint>) {
                                                     ++calls;
                                                     return Status::Ok();
                                                   }),
              IsOk());
  EXPECT_EQ(calls, 0);
}

TEST_F(SqliteStoreTest, ScoresKeepHistoryPerDate) {
  const Date d1 = *ParseDate("2024-06-30");
  const Date d2 = *ParseDate("2024-07-31");
  EXPECT_THAT(store_->ForEachScore(d1, [](const CustomerScore&) { return Status::Ok(); }),
              StatusIs(StatusCode::kNotFound));
  CustomerScore a;
  a.key = CustomerKey(1);
  a.recency_days = 12;
  a.r = 5;
  a.segment = "champions";
  a.p_alive = 0.75;
  CustomerScore b = a;
  b.r = 3;
  b.p_alive.reset();
  ASSERT_THAT(store_->WriteScores(d1, std::vector<CustomerScore>{a}), IsOk());
  ASSERT_THAT(store_->WriteScores(d2, std::vector<CustomerScore>{b}), IsOk());
  ASSERT_THAT(store_->WriteScores(d2, std::vector<CustomerScore>{b}), IsOk());  // Replaces.
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Date> dates, store_->ScoreDates());
  EXPECT_EQ(dates, (std::vector<Date>{d1, d2}));
  std::vector<CustomerScore> got;
  ASSERT_THAT(store_->ForEachScore(d2,
                                   [&](const CustomerScore& s) {
                                     got.push_back(s);
                                     return Status::Ok();
                                   }),
              IsOk());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].r, 3);
  EXPECT_EQ(got[0].recency_days, 12);
  EXPECT_FALSE(got[0].p_alive.has_value());
  ASSERT_THAT(store_->ForEachScore(d1,
                                   [&](const CustomerScore& s) {
                                     EXPECT_EQ(s.segment, "champions");
                                     EXPECT_EQ(s.p_alive, 0.75);
                                     return Status::Ok();
                                   }),
              IsOk());
}

class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.File("w.db"); }
  testutil::ScratchDir dir_{"winback_store_test"};
  std::string path_;
};

TEST_F(SqliteFileTest, UpgradesVersionOneDatabaseAndBackfillsAggregates) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
    ASSERT_THAT(sqlite::Migrate(db, 1), IsOk());
    ASSERT_THAT(db.Exec("INSERT INTO customers (cid, id, batch) VALUES (1, 'c1', 1);"
                        "INSERT INTO orders (id, cid, placed_at, utc_offset, amount, currency, "
                        "status, items_hash, batch) VALUES ('o1', 1, 0, 0, 500, 'USD', 0, 0, 1);"),
                IsOk());
    EXPECT_EQ(*db.QueryInt("PRAGMA user_version"), 1);
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store->LoadCustomer("c1"));
  EXPECT_EQ(p.aggregates.orders, 1);
  EXPECT_EQ(p.aggregates.revenue_minor, 500);
  store.reset();
  WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
  EXPECT_EQ(*db.QueryInt("PRAGMA user_version"), sqlite::kSchemaVersion);
}

// The rows of `sql`, `columns` wide, one line each.
std::string DumpQuery(sqlite::Database& db, const std::string& sql, int columns) {
  auto stmt = db.Prepare(sql);
  EXPECT_THAT(stmt, IsOk());
  if (!stmt.ok()) return {};
  std::string out;
  while (*stmt->Step()) {
    for (int i = 0; i < columns; ++i) {
      if (stmt->IsNull(i)) {
        out += "NULL";
      } else {
        for (const char ch : stmt->ColumnBlob(i)) {  // Blobs may hold any byte.
          if (ch == '\n' || ch == '|' || ch == '\0') {
            out += "\\x" + std::to_string(static_cast<unsigned char>(ch));
          } else {
            out += ch;
          }
        }
      }
      out += '|';
    }
    out += '\n';
  }
  return out;
}

// A bulk load (empty tables, rows in batches of 4096, indexes built at the end) stores
// exactly what row-by-row upserts store: the same customers, consents, orders, items, events
// and aggregates.
TEST_F(SqliteFileTest, BulkLoadInBatchesEqualsRowByRowUpserts) {
  constexpr int kCustomers = 300;  // With orders and events; every kIdleEvery-th customer.
  constexpr int kIdleEvery = 17;   // The others (5,000, over a batch of 4,096) have none.
  constexpr int kAllCustomers = kCustomers * kIdleEvery;
  auto customer = [](int i) {
    CustomerRecord c = Customer("c" + std::to_string(i));
    if (i % 3 == 0) c.email = "c" + std::to_string(i) + "@example.com";
    if (i % 4 == 0) c.phone = "+90555" + std::to_string(1'000'000 + i);
    if (i % 5 == 0) c.birth_date = Date::FromYmd(1980 + i % 30, 1 + i % 12, 1 + i % 28).value();
    if (i % 6 == 0) c.birth_year = 1970 + i % 40;
    if (i % 7 == 0) c.first_name = "مریم";
    if (i % 2 == 0) c.signup_at = Instant::FromUnixMicros(1'600'000'000'000'000 + i * 1'000'000LL);
    if (i % 9 == 0) c.referred_by = "c0";
    c.consent[static_cast<int>(ChannelKind::kEmail)] = static_cast<Consent>(i % 3);
    c.consent[static_cast<int>(ChannelKind::kSms)] = static_cast<Consent>((i / 3) % 3);
    return c;
  };
  constexpr int kOrders = 10'001;  // Two full batches and a partial one.
  constexpr int kEvents = 5'003;
  auto load = [&](const std::string& path, bool bulk) {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path));
    auto seed = [](ImportSession& s) {
      WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey k, s.UpsertCustomer(Customer("seed")));
      ASSERT_THAT(s.UpsertOrder(k, Order("o-seed", "seed", "2023-05-01T00:00:00Z", 1)), IsOk());
      EventRecord e;
      e.id = "e-seed";
      e.customer_id = "seed";
      e.at = T("2023-05-02T00:00:00Z");
      ASSERT_THAT(s.UpsertEvent(k, e), IsOk());
    };
    WINBACK_ASSERT_OK_AND_ASSIGN(auto first, store->BeginImport("first"));
    seed(*first);
    if (!bulk) {  // The rest goes into non-empty tables: upserts.
      ASSERT_THAT(first->Commit(), IsOk());
      first.reset();
    }
    std::unique_ptr<ImportSession> rest;
    if (bulk) {
      rest = std::move(first);
    } else {
      WINBACK_ASSERT_OK_AND_ASSIGN(rest, store->BeginImport("rest"));
    }
    std::vector<CustomerKey> keys;
    for (int i = 0; i < kAllCustomers; ++i) {
      WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey k, rest->UpsertCustomer(customer(i)));
      keys.push_back(k);
    }
    for (int i = 0; i < kOrders; ++i) {
      const int c = (i * 7) % kCustomers * kIdleEvery;
      OrderRecord o =
          Order("o" + std::to_string(i), "c" + std::to_string(c), "2024-01-01T00:00:00Z", 100 + i);
      o.placed_at = Instant::FromUnixMicros(1'700'000'000'000'000 + i * 3'600'000'000LL);
      o.utc_offset_minutes = i % 2 == 0 ? 180 : 210;
      o.currency = i % 5 == 0 ? "USD" : "TRY";
      o.status = static_cast<OrderStatus>(i % 3);
      if (i % 4 == 0) o.items = {{"SKU-" + std::to_string(i), 1 + i % 3, 50}, {"ÇAY", 2, 25}};
      ASSERT_THAT(rest->UpsertOrder(keys[static_cast<std::size_t>(c)], o), IsOk());
    }
    for (int i = 0; i < kEvents; ++i) {
      const int c = (i * 11) % kCustomers * kIdleEvery;
      EventRecord e;
      e.id = "e" + std::to_string(i);
      e.customer_id = "c" + std::to_string(c);
      e.type = static_cast<EventType>(i % kEventTypeCount);
      e.at = Instant::FromUnixMicros(1'700'000'000'000'000 + i * 7'200'000'000LL);
      e.channel = i % 3 == 0 ? "email" : "";
      e.reason = i % 7 == 0 ? "fiyat – قیمت" : "";
      if (i % 2 == 0) e.score = i % 5;
      if (i % 9 == 0) e.value_minor = i;
      e.text = i % 13 == 0 ? "İyi" : "";
      ASSERT_THAT(rest->UpsertEvent(keys[static_cast<std::size_t>(c)], e), IsOk());
    }
    WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, rest->Commit());
    EXPECT_EQ(counts.customers_written, bulk ? kAllCustomers + 1 : kAllCustomers);
    EXPECT_EQ(counts.orders_written, bulk ? kOrders + 1 : kOrders);
    EXPECT_EQ(counts.events_written, bulk ? kEvents + 1 : kEvents);
  };
  const std::string bulk_path = dir_.File("bulk.db");
  const std::string upsert_path = dir_.File("upsert.db");
  load(bulk_path, true);
  load(upsert_path, false);
  auto dump = [](const std::string& path) {
    auto db = sqlite::Database::Open(path);
    EXPECT_THAT(db, IsOk());
    std::string out = DumpQuery(
        *db,
        "SELECT id, email, phone, first_name, last_name, birth_date, birth_year, gender, "
        "education, country, region, city, time_zone, language, signup_at, preferred_channel, "
        "referred_by FROM customers ORDER BY id",
        17);
    out += DumpQuery(*db,
                     "SELECT c.id, channel, state FROM consents JOIN customers c USING (cid) "
                     "ORDER BY c.id, channel",
                     3);
    out +=
        DumpQuery(*db,
                  "SELECT o.id, c.id, placed_at, utc_offset, amount, currency, status, items_hash "
                  "FROM orders o JOIN customers c USING (cid) ORDER BY o.id",
                  8);
    out += DumpQuery(*db,
                     "SELECT o.id, line, sku, quantity, price FROM order_items i "
                     "JOIN orders o USING (oid) ORDER BY o.id, line",
                     5);
    out += DumpQuery(*db,
                     "SELECT e.id, c.id, type, at, utc_offset, channel, reason, score, value, "
                     "currency, ref, text, properties FROM events e JOIN customers c USING (cid) "
                     "ORDER BY e.id",
                     13);
    out += DumpQuery(*db,
                     "SELECT c.id, a.* FROM customer_aggregates a "
                     "JOIN customers c USING (cid) ORDER BY c.id",
                     34);
    return out;
  };
  const std::string bulk = dump(bulk_path);
  int consents = 1;  // The seed's.
  for (int i = 0; i < kAllCustomers; ++i) {
    const CustomerRecord c = customer(i);
    consents += static_cast<int>(std::count_if(std::begin(c.consent), std::end(c.consent),
                                               [](Consent x) { return x != Consent::kUnknown; }));
  }
  EXPECT_EQ(
      std::count(bulk.begin(), bulk.end(), '\n'),
      2 * (kAllCustomers + 1) + consents + (kOrders + 1) + (kOrders + 3) / 4 * 2 + (kEvents + 1));
  EXPECT_EQ(bulk, dump(upsert_path));
  // Customers without orders or events have the aggregates of no activity at all (both loads
  // write them as copies of one row: this checks the copies against the definition).
  WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(bulk_path));
  for (const int i : {1, 2, 16, 18, kAllCustomers - 1}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store->LoadCustomer("c" + std::to_string(i)));
    CustomerAggregates none;
    none.key = p.key;
    EXPECT_EQ(p.aggregates, none) << i;
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile active, store->LoadCustomer("c17"));
  EXPECT_GT(active.aggregates.orders + active.aggregates.refunded_orders +
                active.aggregates.cancelled_orders,
            0);
}

// A first import of customers is a bulk load: they are written in batches, but a session
// reads them back as soon as they are added, and one id written twice fails the commit.
TEST_F(SqliteFileTest, BulkLoadedCustomersAreVisibleInTheirSession) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store->BeginImport("first"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey a, session->UpsertCustomer(Customer("a")));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey b, session->UpsertCustomer(Customer("b")));
    EXPECT_EQ(a.value(), 1);
    EXPECT_EQ(b.value(), 2);
    WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerKey> found, session->FindCustomer("b"));
    EXPECT_EQ(found, b);
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c, session->UpsertCustomer(Customer("c")));
    WINBACK_ASSERT_OK_AND_ASSIGN(std::int64_t bound, session->CustomerCountBound());
    EXPECT_GE(bound, 3);
    std::vector<std::pair<std::string, std::int64_t>> seen;
    ASSERT_THAT(session->ForEachCustomer([&](std::string_view id, CustomerKey key) {
      seen.emplace_back(std::string(id), key.value());
    }),
                IsOk());
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::int64_t>>{
                        {"a", a.value()}, {"b", b.value()}, {"c", c.value()}}));
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile c, store->LoadCustomer("c"));
  EXPECT_EQ(c.record.first_name, "Ayşe");
  EXPECT_EQ(c.record.consent[static_cast<int>(ChannelKind::kEmail)], Consent::kGranted);
}

TEST_F(SqliteFileTest, BulkLoadOfOneCustomerIdTwiceCommitsNothing) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store->BeginImport("twice"));
    ASSERT_THAT(session->UpsertCustomer(Customer("a")), IsOk());
    ASSERT_THAT(session->UpsertCustomer(Customer("a")), IsOk());  // Batched: not yet checked.
    EXPECT_THAT(session->Commit(),
                StatusIsWith(StatusCode::kInternal, HasSubstr("customer id written twice")));
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats stats, store->Stats());
  EXPECT_EQ(stats.customers, 0);
}

TEST_F(SqliteFileTest, RefusesNewerDatabase) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
    // A store of a later winback: its tables, and a version this one does not know.
    ASSERT_THAT(db.Exec("CREATE TABLE customers (cid INTEGER PRIMARY KEY); "
                        "CREATE TABLE imports (batch INTEGER PRIMARY KEY); "
                        "PRAGMA user_version = 99"),
                IsOk());
  }
  EXPECT_THAT(OpenSqliteStore(path_),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("schema version 99")));
}

TEST_F(SqliteFileTest, MustExistReportsMissingFile) {
  EXPECT_THAT(OpenSqliteStore(dir_.File("absent.db"), OpenMode::kMustExist),
              StatusIsWith(StatusCode::kNotFound, HasSubstr("no winback database")));
}

TEST_F(SqliteFileTest, SecondWriterIsUnavailable) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto first, OpenSqliteStore(path_));
  WINBACK_ASSERT_OK_AND_ASSIGN(auto second, OpenSqliteStore(path_));
  WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database raw, sqlite::Database::Open(path_));
  ASSERT_THAT(raw.Exec("PRAGMA busy_timeout = 0"), IsOk());
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, first->BeginImport("holder"));
    EXPECT_THAT(raw.Exec("BEGIN IMMEDIATE"), StatusIs(StatusCode::kUnavailable));
    // The second store is the writer this contract is about (store.h: BeginImport "returns
    // Unavailable when another writer holds the database"). Store has no knob for the busy
    // timeout, so this waits out OpenSqliteStore's 5 s before it gives up.
    EXPECT_THAT(second->BeginImport("second"),
                StatusIsWith(StatusCode::kUnavailable,
                             HasSubstr("database is locked (another process is writing; retry)")));
  }
  // The first session, destroyed without Commit(), released the database: the retry succeeds.
  EXPECT_THAT(second->BeginImport("second"), IsOk());
}

// Imports customers c1..cN into the store at `path` and adds, for each customer, `per_customer`
// planned messages due at `due` and one due a day later. Returns the ids of the due ones.
std::set<std::int64_t> FillOutbox(const std::string& path, int customers, int per_customer,
                                  Instant due) {
  std::set<std::int64_t> due_ids;
  auto store = OpenSqliteStore(path);
  EXPECT_THAT(store, IsOk());
  if (!store.ok()) return due_ids;
  {
    auto session = (*store)->BeginImport("customers");
    EXPECT_THAT(session, IsOk());
    for (int i = 1; i <= customers; ++i) {
      EXPECT_THAT((*session)->UpsertCustomer(Customer("c" + std::to_string(i))), IsOk());
    }
    EXPECT_THAT((*session)->Commit(), IsOk());
  }
  auto write = (*store)->BeginWrite();
  EXPECT_THAT(write, IsOk());
  for (int i = 1; i <= customers; ++i) {
    for (int k = 0; k <= per_customer; ++k) {
      OutboxMessage m;
      m.key = "winback/s" + std::to_string(k) + "/" + std::to_string(i) + "/1";
      m.customer = CustomerKey(i);
      m.campaign = "winback";
      m.step = "s" + std::to_string(k);
      m.scheduled_at = k < per_customer ? due.PlusSeconds(-k) : due.PlusDays(1);
      m.coupon = "WB-" + std::to_string(i) + "-" + std::to_string(k);
      EXPECT_THAT((*write)->AddMessage(m), IsOk());
      if (k < per_customer) due_ids.insert(m.id);
    }
  }
  EXPECT_THAT((*write)->Commit(), IsOk());
  return due_ids;
}

// Two senders (two store objects: two connections, as two processes have) claiming at once
// split the due messages between them: none twice, none left out.
TEST_F(SqliteFileTest, TwoSendersClaimingAtOnceNeverShareAMessage) {
  const Instant now = T("2024-07-01T09:00:00Z");
  const std::set<std::int64_t> due = FillOutbox(path_, 200, 10, now);
  ASSERT_EQ(due.size(), 2000u);
  std::vector<std::int64_t> claimed[2];
  Status errors[2];
  std::latch opened(2);
  auto sender = [&](int which) {
    auto store = OpenSqliteStore(path_, OpenMode::kMustExist);
    opened.arrive_and_wait();  // Both claim from the start.
    if (!store.ok()) {
      errors[which] = store.status();
      return;
    }
    const std::string owner = "host:" + std::to_string(which);
    while (true) {
      auto batch = (*store)->ClaimDue(
          ClaimRequest{.owner = owner, .now = now, .lease_seconds = 300, .limit = 7});
      if (!batch.ok()) {
        errors[which] = batch.status();
        return;
      }
      if (batch->empty()) return;
      for (const OutboxMessage& m : *batch) {
        if (m.claim_owner != owner) errors[which] = InternalError("claimed for another owner");
        claimed[which].push_back(m.id);
        // What a sender does with each message, interleaving with the other's claims.
        Status s = (*store)->MarkInFlight(m.id, owner, now.PlusSeconds(60));
        if (s.ok()) {
          s = (*store)->RecordOutcome(m.id, owner,
                                      DeliveryRecord{.status = MessageStatus::kSent,
                                                     .at = now,
                                                     .next_attempt_at = std::nullopt,
                                                     .detail = "250 ok",
                                                     .provider_id = ""});
        }
        if (!s.ok()) {
          errors[which] = s;
          return;
        }
      }
    }
  };
  std::thread first(sender, 0);
  std::thread second(sender, 1);
  first.join();
  second.join();
  ASSERT_THAT(errors[0], IsOk());
  ASSERT_THAT(errors[1], IsOk());
  EXPECT_FALSE(claimed[0].empty());
  EXPECT_FALSE(claimed[1].empty());
  std::set<std::int64_t> all(claimed[0].begin(), claimed[0].end());
  EXPECT_EQ(all.size(), claimed[0].size());  // No message twice to one sender either.
  std::size_t overlap = 0;
  for (const std::int64_t id : claimed[1]) overlap += all.insert(id).second ? 0u : 1u;
  EXPECT_EQ(overlap, 0u);
  EXPECT_EQ(all, due);
  WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::int64_t> counts, store->CountByStatus());
  EXPECT_EQ(counts[static_cast<int>(MessageStatus::kSent)], 2000);
  EXPECT_EQ(counts[static_cast<int>(MessageStatus::kPlanned)], 200);  // Due tomorrow.
}

TEST_F(SqliteFileTest, ReadOnlyStoreReadsTheOutboxAndRefusesItsWrites) {
  const Instant now = T("2024-07-01T09:00:00Z");
  const std::set<std::int64_t> due = FillOutbox(path_, 1, 1, now);
  ASSERT_EQ(due.size(), 1u);
  const std::int64_t id = *due.begin();
  WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_, OpenMode::kReadOnly));
  ASSERT_TRUE(store->read_only());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::int64_t> counts, store->CountByStatus());
  EXPECT_EQ(counts[static_cast<int>(MessageStatus::kPlanned)], 2);
  EXPECT_THAT(
      store->ClaimDue(ClaimRequest{.owner = "a", .now = now, .lease_seconds = 1, .limit = 1}),
      StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  EXPECT_THAT(store->MarkInFlight(id, "a", now), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->RecordOutcome(id, "a", DeliveryRecord{}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->RecoverClaims(std::nullopt, now), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->CancelMessage(id, "x"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->RequeueUnknown(now), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->ClaimOwners(), IsOk());
}

// An outbox write waits out the store's busy timeout (5 s) for another connection's write
// lock, then gives up with Unavailable.
TEST_F(SqliteFileTest, OutboxWriteBehindAnotherWriterIsUnavailable) {
  const Instant now = T("2024-07-01T09:00:00Z");
  FillOutbox(path_, 1, 1, now);
  WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_, OpenMode::kMustExist));
  WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database raw, sqlite::Database::Open(path_));
  ASSERT_THAT(raw.Exec("BEGIN IMMEDIATE"), IsOk());
  EXPECT_THAT(
      store->ClaimDue(ClaimRequest{.owner = "a", .now = now, .lease_seconds = 1, .limit = 1}),
      StatusIsWith(StatusCode::kUnavailable, HasSubstr("retry")));
  ASSERT_THAT(raw.Exec("ROLLBACK"), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<OutboxMessage> claimed,
      store->ClaimDue(ClaimRequest{.owner = "a", .now = now, .lease_seconds = 1, .limit = 1}));
  EXPECT_EQ(claimed.size(), 1u);
}

// The claim walks outbox_due, the partial index of planned and retry rows, not the table.
TEST_F(SqliteFileTest, ClaimQueryUsesTheDueIndex) {
  FillOutbox(path_, 1, 1, T("2024-07-01T09:00:00Z"));
  WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
  const std::string plan = DumpQuery(
      db,
      "EXPLAIN QUERY PLAN UPDATE outbox SET status = 1 WHERE id IN (SELECT id FROM outbox "
      "WHERE status IN (0, 3) AND scheduled_at <= 5 AND (status = 0 OR "
      "ifnull(next_attempt_at, scheduled_at) <= 5) ORDER BY scheduled_at, id LIMIT 10)",
      4);
  EXPECT_THAT(plan, HasSubstr("USING INDEX outbox_due"));
  EXPECT_THAT(plan, ::testing::Not(HasSubstr("TEMP B-TREE")));
}

}  // namespace
}  // namespace winback::store
