// The store conformance suite (store_conformance.h): every registered backend runs each test.
#include "store/conformance/store_conformance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "testutil/status_matchers.h"

namespace winback::store::conformance {

int RegisterConformanceBackend(ConformanceBackend backend) {
  auto& all = const_cast<std::vector<ConformanceBackend>&>(ConformanceBackends());
  all.push_back(std::move(backend));
  return static_cast<int>(all.size());
}

const std::vector<ConformanceBackend>& ConformanceBackends() {
  static std::vector<ConformanceBackend> all;
  return all;
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

MATCHER_P(IsOkAndHolds, expected, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(expected, *arg, result_listener);
}

Instant T(const char* s) { return ParseTimestamp(s)->instant; }

CustomerRecord Customer(const std::string& id) {
  CustomerRecord c;
  c.id = id;
  c.email = id + "@example.com";
  c.first_name = "Ayşe";
  c.last_name = "Yılmaz";
  c.country = "TR";
  c.time_zone = "Europe/Istanbul";
  c.language = "tr";
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

EventRecord Event(const std::string& id, const std::string& customer, EventType type,
                  const char* at) {
  EventRecord e;
  e.id = id;
  e.customer_id = customer;
  e.type = type;
  e.at = T(at);
  return e;
}

CustomerScore Score(std::int64_t key, const char* segment) {
  CustomerScore s;
  s.key = CustomerKey(key);
  s.frequency = key;
  s.r = 3;
  s.f = 2;
  s.m = 1;
  s.currency = "TRY";
  s.segment = segment;
  s.p_alive = 0.5;
  return s;
}

class StoreConformanceTest : public ::testing::TestWithParam<ConformanceBackend> {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Store>> s = GetParam().open();
    ASSERT_THAT(s, IsOk());
    store_ = std::move(s).value();
  }

  // Imports customers c1..cN (keys 1..N), each with `orders` orders and a visit, and commits.
  void ImportCustomers(int n, int orders = 1) {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("customers"));
    for (int i = 1; i <= n; ++i) {
      const std::string id = "c" + std::to_string(i);
      WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey key, session->UpsertCustomer(Customer(id)));
      for (int k = 0; k < orders; ++k) {
        const std::string at =
            "2024-0" + std::to_string(k + 1) + "-1" + std::to_string(i % 10) + "T10:00:00Z";
        ASSERT_THAT(session->UpsertOrder(key, Order(id + "-o" + std::to_string(k), id, at.c_str(),
                                                    std::int64_t{1000} * i)),
                    IsOk());
      }
      ASSERT_THAT(session->UpsertEvent(
                      key, Event(id + "-e", id, EventType::kVisit, "2024-03-01T00:00:00Z")),
                  IsOk());
    }
    ASSERT_THAT(session->Commit(), IsOk());
  }

  std::unique_ptr<Store> store_;
};

// ---- ImportStore ----

TEST_P(StoreConformanceTest, CommittedImportIsAllOfIt) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("all"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey a, session->UpsertCustomer(Customer("a")));
  OrderRecord o = Order("o1", "a", "2024-01-01T10:00:00+03:00", 12990);
  o.utc_offset_minutes = 180;
  o.items = {{"TEA-1", 2, 6495}};
  EXPECT_THAT(session->UpsertOrder(a, o), IsOkAndHolds(true));
  EXPECT_THAT(session->UpsertEvent(a, Event("e1", "a", EventType::kVisit, "2024-01-02T00:00:00Z")),
              IsOkAndHolds(true));
  WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, session->Commit());
  EXPECT_EQ(counts.customers_written, 1);
  EXPECT_EQ(counts.orders_written, 1);
  EXPECT_EQ(counts.events_written, 1);
  EXPECT_EQ(counts.aggregates_updated, 1);
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store_->LoadCustomer("a"));
  EXPECT_EQ(p.key, a);
  EXPECT_EQ(p.record.first_name, "Ayşe");
  EXPECT_EQ(p.record.consent[0], Consent::kGranted);
  EXPECT_EQ(p.aggregates.orders, 1);
  EXPECT_EQ(p.aggregates.revenue_minor, 12990);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OrderRecord> orders, store_->LoadOrders(a));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].utc_offset_minutes, 180);
  ASSERT_EQ(orders[0].items.size(), 1u);
  EXPECT_EQ(orders[0].items[0].sku, "TEA-1");
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 1);
  EXPECT_EQ(st.orders, 1);
  EXPECT_EQ(st.order_items, 1);
  EXPECT_EQ(st.events, 1);
  EXPECT_EQ(st.imports, 1);
}

TEST_P(StoreConformanceTest, DroppedImportLeavesNothing) {
  ImportCustomers(2);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("abandoned"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c, session->UpsertCustomer(Customer("new")));
    ASSERT_THAT(session->UpsertOrder(c, Order("new-o", "new", "2024-05-01", 5)), IsOk());
    CustomerRecord changed = Customer("c1");
    changed.first_name = "Zeynep";
    ASSERT_THAT(session->UpsertCustomer(changed), IsOk());
  }
  EXPECT_THAT(store_->LoadCustomer("new"), StatusIs(StatusCode::kNotFound));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile c1, store_->LoadCustomer("c1"));
  EXPECT_EQ(c1.record.first_name, "Ayşe");
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 2);
  EXPECT_EQ(st.orders, 2);
  EXPECT_EQ(st.imports, 1);
}

TEST_P(StoreConformanceTest, CommittedSessionRefusesMoreWork) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("x"));
  ASSERT_THAT(session->Commit(), IsOk());
  EXPECT_THAT(session->UpsertCustomer(Customer("c1")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(session->FindCustomer("c1"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(session->Commit(), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(StoreConformanceTest, OneWriteAtATimePerStore) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("first"));
    EXPECT_THAT(store_->BeginImport("second"), StatusIs(StatusCode::kFailedPrecondition));
    EXPECT_THAT(store_->BeginWrite(), StatusIs(StatusCode::kFailedPrecondition));
    EXPECT_THAT(store_->BeginScores(Date::FromYmd(2024, 6, 30).value()),
                StatusIs(StatusCode::kFailedPrecondition));
  }
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    EXPECT_THAT(store_->BeginImport("while writing"), StatusIs(StatusCode::kFailedPrecondition));
  }
  EXPECT_THAT(store_->BeginImport("after"), IsOk());
}

TEST_P(StoreConformanceTest, OneIdTwiceInAFirstImportCommitsNothing) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("twice"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey a, session->UpsertCustomer(Customer("a")));
    ASSERT_THAT(session->UpsertOrder(a, Order("o1", "a", "2024-01-01", 100)), IsOk());
    ASSERT_THAT(session->UpsertOrder(a, Order("o1", "a", "2024-01-02", 200)), IsOk());
    EXPECT_THAT(session->Commit(), StatusIsWith(StatusCode::kInternal, HasSubstr("written twice")));
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 0);
  EXPECT_EQ(st.orders, 0);
}

TEST_P(StoreConformanceTest, UnchangedRowsAreNotWritten) {
  ImportCustomers(2);
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("again"));
  for (int i = 1; i <= 2; ++i) {
    const std::string id = "c" + std::to_string(i);
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey key, session->UpsertCustomer(Customer(id)));
    EXPECT_EQ(key.value(), i);
    const std::string at = "2024-01-1" + std::to_string(i) + "T10:00:00Z";
    EXPECT_THAT(
        session->UpsertOrder(key, Order(id + "-o0", id, at.c_str(), std::int64_t{1000} * i)),
        IsOkAndHolds(false));
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, session->Commit());
  EXPECT_EQ(counts.customers_written, 0);
  EXPECT_EQ(counts.orders_written, 0);
  EXPECT_EQ(counts.aggregates_updated, 0);
}

// A column absent from a file leaves the stored value alone; a present one replaces it, even
// when empty (red team: re-importing a file with fewer columns erased the others).
TEST_P(StoreConformanceTest, FieldsARecordDoesNotStateKeepTheirStoredValues) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("full"));
    CustomerRecord c = Customer("a");
    c.phone = "+905551112233";
    c.birth_year = 1990;
    c.signup_at = T("2023-01-02T03:04:05Z");
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey a, session->UpsertCustomer(c));
    OrderRecord o = Order("o1", "a", "2024-01-01T10:00:00Z", 500);
    o.status = OrderStatus::kRefunded;
    o.items = {{"TEA-1", 1, 500}};
    ASSERT_THAT(session->UpsertOrder(a, o), IsOk());
    EventRecord e = Event("e1", "a", EventType::kTicketResolved, "2024-01-03T00:00:00Z");
    e.channel = "email";
    e.reason = "satisfied";
    e.score = 5;
    e.text = "thanks";
    e.properties = R"({"agent":"x"})";
    ASSERT_THAT(session->UpsertEvent(a, e), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("fewer columns"));
    CustomerRecord c;
    c.id = "a";
    c.present = FieldSet<CustomerField>::None();
    c.present.Set(CustomerField::kEmail);  // email stated empty: cleared
    c.present.Set(CustomerField::kCity);   // city stated: replaced
    c.city = "İzmir";
    c.first_name = "ignored";  // not stated: must not be written
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey a, session->UpsertCustomer(c));
    OrderRecord o = Order("o1", "a", "2024-01-01T10:00:00Z", 600);  // amount changed
    o.present = FieldSet<OrderField>::None();                       // no status, no items
    EXPECT_THAT(session->UpsertOrder(a, o), IsOkAndHolds(true));
    EventRecord e = Event("e1", "a", EventType::kTicketResolved, "2024-01-03T00:00:00Z");
    e.present = FieldSet<EventField>::None();
    e.present.Set(EventField::kText);  // stated empty: cleared
    EXPECT_THAT(session->UpsertEvent(a, e), IsOkAndHolds(true));
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store_->LoadCustomer("a"));
  EXPECT_EQ(p.record.email, "");
  EXPECT_EQ(p.record.city, "İzmir");
  EXPECT_EQ(p.record.first_name, "Ayşe");
  EXPECT_EQ(p.record.last_name, "Yılmaz");
  EXPECT_EQ(p.record.phone, "+905551112233");
  EXPECT_EQ(p.record.country, "TR");
  EXPECT_EQ(p.record.time_zone, "Europe/Istanbul");
  EXPECT_EQ(p.record.language, "tr");
  EXPECT_EQ(p.record.birth_year, 1990);
  EXPECT_EQ(p.record.signup_at, T("2023-01-02T03:04:05Z"));
  EXPECT_EQ(p.record.consent[0], Consent::kGranted);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OrderRecord> orders, store_->LoadOrders(p.key));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].amount_minor, 600);
  EXPECT_EQ(orders[0].status, OrderStatus::kRefunded);
  ASSERT_EQ(orders[0].items.size(), 1u);
  EXPECT_EQ(orders[0].items[0].sku, "TEA-1");
  EXPECT_EQ(p.aggregates.refunded_orders, 1);
  EXPECT_EQ(p.aggregates.orders, 0);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<EventRecord> events, store_->LoadEvents(p.key));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].channel, "email");
  EXPECT_EQ(events[0].reason, "satisfied");
  EXPECT_EQ(events[0].score, 5);
  EXPECT_EQ(events[0].text, "");
  EXPECT_EQ(events[0].properties, R"({"agent":"x"})");

  // A later file that states status and items replaces them.
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("status and items"));
    OrderRecord o = Order("o1", "a", "2024-01-01T10:00:00Z", 600);
    EXPECT_THAT(session->UpsertOrder(p.key, o), IsOkAndHolds(true));
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(orders, store_->LoadOrders(p.key));
  EXPECT_EQ(orders[0].status, OrderStatus::kCompleted);
  EXPECT_THAT(orders[0].items, IsEmpty());
}

// ---- Dense keys (store.h) ----

TEST_P(StoreConformanceTest, KeysAreDenseEvenAfterARolledBackImport) {
  ImportCustomers(3);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("rolled back"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey k, session->UpsertCustomer(Customer("x")));
    EXPECT_EQ(k.value(), 4);
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey k2, session->UpsertCustomer(Customer("y")));
    EXPECT_EQ(k2.value(), 5);
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("kept"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey z, session->UpsertCustomer(Customer("z")));
  ASSERT_THAT(session->Commit(), IsOk());
  EXPECT_EQ(z.value(), 4);
  EXPECT_THAT(store_->CustomerKeyLimit(), IsOkAndHolds(5));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::string> ids, store_->CustomerIds());
  EXPECT_THAT(ids, ElementsAre("", "c1", "c2", "c3", "z"));
  std::vector<std::int64_t> keys;
  ASSERT_THAT(store_->ForEachAggregates([&](const CustomerAggregates& a) {
    keys.push_back(a.key.value());
    return Status::Ok();
  }),
              IsOk());
  EXPECT_THAT(keys, ElementsAre(1, 2, 3, 4));
}

// ---- CustomerReader ----

TEST_P(StoreConformanceTest, LoadsCustomersByIdAndByKey) {
  ImportCustomers(2);
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile by_id, store_->LoadCustomer("c2"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile by_key, store_->LoadCustomerByKey(by_id.key));
  EXPECT_EQ(by_key.record.id, "c2");
  EXPECT_EQ(by_key.record.email, "c2@example.com");
  EXPECT_EQ(by_key.aggregates, by_id.aggregates);
  EXPECT_EQ(by_key.aggregates.orders, 1);
  EXPECT_THAT(store_->LoadCustomer("nobody"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->LoadCustomerByKey(CustomerKey(3)), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->LoadCustomerByKey(CustomerKey(0)), StatusIs(StatusCode::kNotFound));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OrderRecord> none, store_->LoadOrders(CustomerKey(9)));
  EXPECT_THAT(none, IsEmpty());
}

TEST_P(StoreConformanceTest, OrdersAndEventsOfACustomerOldestFirst) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("x"));
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey a, session->UpsertCustomer(Customer("a")));
  ASSERT_THAT(session->UpsertOrder(a, Order("late", "a", "2024-03-01", 3)), IsOk());
  ASSERT_THAT(session->UpsertOrder(a, Order("early", "a", "2024-01-01", 1)), IsOk());
  ASSERT_THAT(session->UpsertEvent(a, Event("e2", "a", EventType::kVisit, "2024-02-02")), IsOk());
  ASSERT_THAT(session->UpsertEvent(a, Event("e1", "a", EventType::kVisit, "2024-02-01")), IsOk());
  ASSERT_THAT(session->Commit(), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OrderRecord> orders, store_->LoadOrders(a));
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].id, "early");
  EXPECT_EQ(orders[0].customer_id, "a");
  EXPECT_EQ(orders[1].id, "late");
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<EventRecord> events, store_->LoadEvents(a));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, "e1");
  EXPECT_EQ(events[1].id, "e2");
}

TEST_P(StoreConformanceTest, ConsentsInBulkInKeyAndChannelOrder) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("x"));
  CustomerRecord a = Customer("a");  // email granted
  a.consent[static_cast<int>(ChannelKind::kWhatsapp)] = Consent::kDenied;
  CustomerRecord b = Customer("b");
  b.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kUnknown;  // none stated
  CustomerRecord c = Customer("c");
  c.consent[static_cast<int>(ChannelKind::kSms)] = Consent::kGranted;
  for (const CustomerRecord& r : {a, b, c}) ASSERT_THAT(session->UpsertCustomer(r), IsOk());
  ASSERT_THAT(session->Commit(), IsOk());
  std::vector<ConsentEntry> seen;
  ASSERT_THAT(store_->ForEachConsent([&](const ConsentEntry& e) {
    seen.push_back(e);
    return Status::Ok();
  }),
              IsOk());
  EXPECT_THAT(seen,
              ElementsAre(ConsentEntry{CustomerKey(1), ChannelKind::kEmail, Consent::kGranted},
                          ConsentEntry{CustomerKey(1), ChannelKind::kWhatsapp, Consent::kDenied},
                          ConsentEntry{CustomerKey(3), ChannelKind::kEmail, Consent::kGranted},
                          ConsentEntry{CustomerKey(3), ChannelKind::kSms, Consent::kGranted}));
  int calls = 0;
  EXPECT_THAT(store_->ForEachConsent([&](const ConsentEntry&) {
    ++calls;
    return CancelledError("enough");
  }),
              StatusIs(StatusCode::kCancelled));
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreConformanceTest, CustomersOfARangeWithTheirConsentsInKeyOrder) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("x"));
  for (const char* id : {"a", "b", "c", "d"}) {
    CustomerRecord r = Customer(id);
    r.time_zone = "Asia/Tehran";
    if (std::string_view(id) == "c")
      r.consent[static_cast<int>(ChannelKind::kSms)] = Consent::kDenied;
    if (std::string_view(id) == "b")
      r.consent[static_cast<int>(ChannelKind::kEmail)] = Consent::kUnknown;
    ASSERT_THAT(session->UpsertCustomer(r), IsOk());
  }
  ASSERT_THAT(session->Commit(), IsOk());
  std::vector<std::string> seen;
  ASSERT_THAT(store_->ForEachCustomerInRange(
                  KeyRange{2, 4},
                  [&](CustomerKey key, const CustomerRecord& r) {
                    seen.push_back(std::to_string(key.value()) + r.id + r.time_zone + "/" +
                                   std::to_string(static_cast<int>(r.consent[0])) +
                                   std::to_string(static_cast<int>(r.consent[1])));
                    return Status::Ok();
                  }),
              IsOk());
  EXPECT_THAT(seen, ElementsAre("2bAsia/Tehran/00", "3cAsia/Tehran/12"));
  int calls = 0;
  EXPECT_THAT(store_->ForEachCustomerInRange(KeyRange{},
                                             [&](CustomerKey, const CustomerRecord&) {
                                               ++calls;
                                               return CancelledError("enough");
                                             }),
              StatusIs(StatusCode::kCancelled));
  EXPECT_EQ(calls, 1);
}

// ---- Scanner ----

TEST_P(StoreConformanceTest, ScansVisitCustomersInKeyOrderAndStopAtTheFirstError) {
  ImportCustomers(5, 2);
  EXPECT_THAT(store_->CustomerKeyLimit(), IsOkAndHolds(6));
  std::vector<std::int64_t> keys;
  ASSERT_THAT(store_->ForEachCustomerOrders([&](CustomerKey k, std::span<const OrderPoint> o) {
    keys.push_back(k.value());
    EXPECT_EQ(o.size(), 2u);
    EXPECT_LT(o[0].placed_at, o[1].placed_at);
    return Status::Ok();
  }),
              IsOk());
  EXPECT_THAT(keys, ElementsAre(1, 2, 3, 4, 5));
  keys.clear();
  ASSERT_THAT(
      store_->ForEachCustomerEventsInRange(KeyRange{2, 4},
                                           [&](CustomerKey k, std::span<const EventPoint> e) {
                                             keys.push_back(k.value());
                                             EXPECT_EQ(e.size(), 1u);
                                             return Status::Ok();
                                           }),
      IsOk());
  EXPECT_THAT(keys, ElementsAre(2, 3));
  keys.clear();
  ASSERT_THAT(store_->ForEachAggregatesInRange(KeyRange{4, 100}, AggregateFields::kScoring,
                                               [&](const CustomerAggregates& a) {
                                                 keys.push_back(a.key.value());
                                                 EXPECT_EQ(a.orders, 2);
                                                 return Status::Ok();
                                               }),
              IsOk());
  EXPECT_THAT(keys, ElementsAre(4, 5));
  const EventType visits[] = {EventType::kVisit};
  const EventType complaints[] = {EventType::kComplaint};
  int calls = 0;
  ASSERT_THAT(store_->ForEachCustomerEventsOfTypes(complaints,
                                                   [&](CustomerKey, std::span<const EventPoint>) {
                                                     ++calls;
                                                     return Status::Ok();
                                                   }),
              IsOk());
  EXPECT_EQ(calls, 0);
  EXPECT_THAT(store_->ForEachCustomerEventsOfTypes(visits,
                                                   [&](CustomerKey, std::span<const EventPoint>) {
                                                     ++calls;
                                                     return CancelledError("stop");
                                                   }),
              StatusIs(StatusCode::kCancelled));
  EXPECT_EQ(calls, 1);
  const CustomerKey some[] = {CustomerKey(2), CustomerKey(5)};
  std::vector<std::size_t> sizes;
  ASSERT_THAT(
      store_->CompletedOrderTimes(some, T("2024-01-01T00:00:00Z"), T("2024-02-01T00:00:00Z"),
                                  [&](CustomerKey, std::span<const Instant> t) {
                                    sizes.push_back(t.size());
                                    return Status::Ok();
                                  }),
      IsOk());
  EXPECT_THAT(sizes, ElementsAre(1, 1));
  WINBACK_ASSERT_OK_AND_ASSIGN(StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 5);
  EXPECT_EQ(st.orders, 10);
  EXPECT_EQ(st.completed_orders, 10);
  EXPECT_EQ(st.events_by_type[static_cast<int>(EventType::kVisit)], 5);
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeRange range, store_->OrderTimeRange());
  EXPECT_EQ(range.first, st.first_order_at);
  EXPECT_EQ(range.last, st.last_order_at);
}

// ---- ScoreStore ----

TEST_P(StoreConformanceTest, ScoreRunsReplaceTheirDateAtomically) {
  ImportCustomers(3);
  const Date d1 = Date::FromYmd(2024, 6, 30).value();
  const Date d2 = Date::FromYmd(2024, 7, 31).value();
  const CustomerScore first[] = {Score(3, "lost"), Score(1, "champions")};
  ASSERT_THAT(store_->WriteScores(d1, first), IsOk());
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto writer, store_->BeginScores(d1));
    ASSERT_THAT(writer->Add(Score(2, "dropped")), IsOk());
  }  // Dropped: d1 keeps its first run.
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto writer, store_->BeginScores(d2));
    ASSERT_THAT(writer->Add(Score(2, "new")), IsOk());
    EXPECT_THAT(writer->Add(Score(2, "again")), StatusIs(StatusCode::kInvalidArgument));
    CustomerScore bad = Score(3, "bad");
    bad.r = 6;
    EXPECT_THAT(writer->Add(bad), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(writer->Commit(), IsOkAndHolds(1));
    EXPECT_THAT(writer->Add(Score(3, "late")), StatusIs(StatusCode::kFailedPrecondition));
    EXPECT_THAT(writer->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  }
  EXPECT_THAT(store_->ScoreDates(), IsOkAndHolds(ElementsAre(d1, d2)));
  std::vector<std::string> segments;
  ASSERT_THAT(store_->ForEachScore(d1,
                                   [&](const CustomerScore& s) {
                                     segments.push_back(s.segment);
                                     return Status::Ok();
                                   }),
              IsOk());
  EXPECT_THAT(segments, ElementsAre("champions", "lost"));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerScore> one,
                               store_->LoadScore(d2, CustomerKey(2)));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->segment, "new");
  EXPECT_EQ(one->p_alive, 0.5);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerScore> none,
                               store_->LoadScore(d2, CustomerKey(1)));
  EXPECT_FALSE(none.has_value());
  const Date never = Date::FromYmd(2020, 1, 1).value();
  EXPECT_THAT(store_->LoadScore(never, CustomerKey(1)), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->ForEachScore(never, [](const CustomerScore&) { return Status::Ok(); }),
              StatusIs(StatusCode::kNotFound));
}

// ---- WriteStore ----

TEST_P(StoreConformanceTest, UnitOfWorkIsAllOrNothing) {
  ImportCustomers(2);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->SetConsent(CustomerKey(1), ChannelKind::kEmail, Consent::kDenied), IsOk());
    ASSERT_THAT(write->SetConsent(CustomerKey(2), ChannelKind::kSms, Consent::kGranted), IsOk());
  }  // Dropped: nothing of it.
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile c1, store_->LoadCustomerByKey(CustomerKey(1)));
  EXPECT_EQ(c1.record.consent[static_cast<int>(ChannelKind::kEmail)], Consent::kGranted);
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile c2, store_->LoadCustomerByKey(CustomerKey(2)));
  EXPECT_EQ(c2.record.consent[static_cast<int>(ChannelKind::kSms)], Consent::kUnknown);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->SetConsent(CustomerKey(1), ChannelKind::kEmail, Consent::kDenied), IsOk());
    ASSERT_THAT(write->SetConsent(CustomerKey(2), ChannelKind::kSms, Consent::kGranted), IsOk());
    ASSERT_THAT(write->SetConsent(CustomerKey(2), ChannelKind::kEmail, Consent::kUnknown), IsOk());
    EXPECT_THAT(write->SetConsent(CustomerKey(3), ChannelKind::kEmail, Consent::kDenied),
                StatusIs(StatusCode::kNotFound));
    ASSERT_THAT(write->Commit(), IsOk());
    EXPECT_THAT(write->SetConsent(CustomerKey(1), ChannelKind::kSms, Consent::kDenied),
                StatusIs(StatusCode::kFailedPrecondition));
    EXPECT_THAT(write->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  }
  std::vector<ConsentEntry> seen;
  ASSERT_THAT(store_->ForEachConsent([&](const ConsentEntry& e) {
    seen.push_back(e);
    return Status::Ok();
  }),
              IsOk());
  EXPECT_THAT(seen,
              ElementsAre(ConsentEntry{CustomerKey(1), ChannelKind::kEmail, Consent::kDenied},
                          ConsentEntry{CustomerKey(2), ChannelKind::kSms, Consent::kGranted}));
}

// ---- Kinds of message opted out of ----

TEST_P(StoreConformanceTest, KindOptOutsAreSetClearedAndReadPerCustomerAndInBulk) {
  ImportCustomers(3);
  const Instant first = T("2024-05-01T08:00:00Z");
  const Instant later = T("2024-06-01T08:00:00Z");
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->SetKindOptOut(CustomerKey(3), MessageKind::kNews, first), IsOk());
    ASSERT_THAT(write->SetKindOptOut(CustomerKey(1), MessageKind::kOffers, first), IsOk());
    ASSERT_THAT(write->SetKindOptOut(CustomerKey(1), MessageKind::kReminders, first), IsOk());
    // A second opt-out of the same kind keeps the first time.
    ASSERT_THAT(write->SetKindOptOut(CustomerKey(1), MessageKind::kOffers, later), IsOk());
    EXPECT_THAT(write->SetKindOptOut(CustomerKey(4), MessageKind::kOffers, first),
                StatusIs(StatusCode::kNotFound));
    EXPECT_THAT(write->SetKindOptOut(CustomerKey(0), MessageKind::kOffers, std::nullopt),
                StatusIs(StatusCode::kNotFound));
    ASSERT_THAT(write->Commit(), IsOk());
    EXPECT_THAT(write->SetKindOptOut(CustomerKey(2), MessageKind::kNews, first),
                StatusIs(StatusCode::kFailedPrecondition));
  }
  EXPECT_THAT(
      store_->LoadKindOptOuts(CustomerKey(1)),
      IsOkAndHolds(ElementsAre(KindOptOut{CustomerKey(1), MessageKind::kOffers, first},
                               KindOptOut{CustomerKey(1), MessageKind::kReminders, first})));
  EXPECT_THAT(store_->LoadKindOptOuts(CustomerKey(2)), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_->LoadKindOptOuts(CustomerKey(99)), IsOkAndHolds(IsEmpty()));
  {
    // Opting in again deletes the opt-out; opting in to a kind never opted out of is a no-op.
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->SetKindOptOut(CustomerKey(1), MessageKind::kReminders, std::nullopt),
                IsOk());
    ASSERT_THAT(write->SetKindOptOut(CustomerKey(2), MessageKind::kService, std::nullopt), IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  std::vector<KindOptOut> seen;
  ASSERT_THAT(store_->ForEachKindOptOut([&](const KindOptOut& o) {
    seen.push_back(o);
    return Status::Ok();
  }),
              IsOk());
  EXPECT_THAT(seen, ElementsAre(KindOptOut{CustomerKey(1), MessageKind::kOffers, first},
                                KindOptOut{CustomerKey(3), MessageKind::kNews, first}));
  int calls = 0;
  EXPECT_THAT(store_->ForEachKindOptOut([&](const KindOptOut&) {
    ++calls;
    return CancelledError("enough");
  }),
              StatusIs(StatusCode::kCancelled));
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreConformanceTest, DroppedUnitOfWorkLeavesNoKindOptOut) {
  ImportCustomers(1);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->SetKindOptOut(CustomerKey(1), MessageKind::kOffers, T("2024-05-01")),
                IsOk());
  }  // Dropped.
  EXPECT_THAT(store_->LoadKindOptOuts(CustomerKey(1)), IsOkAndHolds(IsEmpty()));
}

TEST_P(StoreConformanceTest, ReimportingACustomerKeepsItsKindOptOuts) {
  ImportCustomers(2);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->SetKindOptOut(CustomerKey(2), MessageKind::kOccasions, T("2024-05-01")),
                IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  // The same customers again, then one of them changed (an upsert that writes the row).
  ImportCustomers(2);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("changed"));
    CustomerRecord changed = Customer("c2");
    changed.first_name = "Sara";
    changed.consent[static_cast<int>(ChannelKind::kSms)] = Consent::kGranted;
    ASSERT_THAT(session->UpsertCustomer(changed), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile c2, store_->LoadCustomer("c2"));
  EXPECT_EQ(c2.record.first_name, "Sara");
  EXPECT_THAT(
      store_->LoadKindOptOuts(c2.key),
      IsOkAndHolds(ElementsAre(KindOptOut{c2.key, MessageKind::kOccasions, T("2024-05-01")})));
}

// ---- OutboxStore and the planner's writes ----

// A planned message of customer `customer` for `step` of campaign "winback", due at
// `scheduled`.
OutboxMessage Message(std::int64_t customer, const std::string& step, const char* scheduled,
                      const std::string& coupon = "") {
  OutboxMessage m;
  m.key = "winback/" + step + "/" + std::to_string(customer) + "/1";
  m.customer = CustomerKey(customer);
  m.campaign = "winback";
  m.step = step;
  m.channel = ChannelKind::kEmail;
  m.channel_reason = "preferred";
  m.planned_at = T("2024-06-30T00:00:00Z");
  m.scheduled_at = T(scheduled);
  m.utc_offset_minutes = 180;
  m.language = "tr";
  m.offer = "10off";
  m.coupon = coupon;
  m.currency = "TRY";
  m.offer_cost_minor = 250;
  m.address = "c" + std::to_string(customer) + "@example.com";
  m.subject = "Seni özledik";
  m.body_text = "Merhaba";
  m.body_html = "<p>Merhaba</p>";
  return m;
}

Journey JourneyOf(std::int64_t customer, const std::string& campaign, std::int32_t occurrence) {
  Journey j;
  j.customer = CustomerKey(customer);
  j.campaign = campaign;
  j.occurrence = occurrence;
  j.entered_at = T("2024-06-30T00:00:00Z");
  j.next_step = 1;
  j.next_due_at = T("2024-07-03T09:00:00Z");
  return j;
}

// What ForEachMessage / ForEachJourney visit.
std::vector<OutboxMessage> Messages(Store& store, const MessageFilter& filter = {}) {
  std::vector<OutboxMessage> out;
  EXPECT_THAT(store.ForEachMessage(filter,
                                   [&](const OutboxMessage& m) {
                                     out.push_back(m);
                                     return Status::Ok();
                                   }),
              IsOk());
  return out;
}

std::vector<Journey> Journeys(Store& store) {
  std::vector<Journey> out;
  EXPECT_THAT(store.ForEachJourney([&](const Journey& j) {
    out.push_back(j);
    return Status::Ok();
  }),
              IsOk());
  return out;
}

MessageFilter Filter(std::optional<MessageStatus> status, std::string campaign = "",
                     std::optional<CustomerKey> customer = std::nullopt) {
  return MessageFilter{.status = status, .campaign = std::move(campaign), .customer = customer};
}

std::vector<std::int64_t> Ids(const std::vector<OutboxMessage>& messages) {
  std::vector<std::int64_t> ids;
  ids.reserve(messages.size());
  for (const OutboxMessage& m : messages) ids.push_back(m.id);
  return ids;
}

std::vector<std::string> Steps(const std::vector<OutboxMessage>& messages) {
  std::vector<std::string> steps;
  steps.reserve(messages.size());
  for (const OutboxMessage& m : messages) steps.push_back(m.step);
  return steps;
}

void ExpectSameMessage(const OutboxMessage& a, const OutboxMessage& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.campaign, b.campaign);
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.occurrence, b.occurrence);
  EXPECT_EQ(a.variant, b.variant);
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.channel_reason, b.channel_reason);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.planned_at, b.planned_at);
  EXPECT_EQ(a.scheduled_at, b.scheduled_at);
  EXPECT_EQ(a.utc_offset_minutes, b.utc_offset_minutes);
  EXPECT_EQ(a.language, b.language);
  EXPECT_EQ(a.offer, b.offer);
  EXPECT_EQ(a.coupon, b.coupon);
  EXPECT_EQ(a.coupon_expires_at, b.coupon_expires_at);
  EXPECT_EQ(a.offer_cost_minor, b.offer_cost_minor);
  EXPECT_EQ(a.currency, b.currency);
  EXPECT_EQ(a.address, b.address);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.body_text, b.body_text);
  EXPECT_EQ(a.body_html, b.body_html);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.next_attempt_at, b.next_attempt_at);
  EXPECT_EQ(a.detail, b.detail);
  EXPECT_EQ(a.provider_id, b.provider_id);
  EXPECT_EQ(a.sent_at, b.sent_at);
  EXPECT_EQ(a.in_flight, b.in_flight);
  EXPECT_EQ(a.claim_owner, b.claim_owner);
  EXPECT_EQ(a.lease_until, b.lease_until);
}

class OutboxConformanceTest : public StoreConformanceTest {
 protected:
  // Adds `messages` in one committed unit of work; sets their ids.
  void Add(const std::vector<OutboxMessage*>& messages) {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    for (OutboxMessage* m : messages) {
      ASSERT_THAT(write->AddMessage(*m), IsOkAndHolds(true)) << m->key;
    }
    ASSERT_THAT(write->Commit(), IsOk());
  }

  OutboxMessage Load(std::int64_t id) {
    for (const OutboxMessage& m : Messages(*store_)) {
      if (m.id == id) return m;
    }
    ADD_FAILURE() << "no message " << id;
    return {};
  }

  Result<std::vector<OutboxMessage>> Claim(const std::string& owner, const char* now,
                                           std::int64_t limit = 100) {
    return store_->ClaimDue(
        ClaimRequest{.owner = owner, .now = T(now), .lease_seconds = 300, .limit = limit});
  }
};

TEST_P(OutboxConformanceTest, AddMessageStoresEveryFieldOnceByKey) {
  ImportCustomers(1);
  OutboxMessage m = Message(1, "first", "2024-07-01T09:00:00Z", "WB-1");
  m.variant = "b";
  m.channel = ChannelKind::kSms;
  m.occurrence = 2;
  m.key = "winback/first/1/2";
  m.coupon_expires_at = T("2024-07-31T00:00:00Z");
  m.detail = "planned";
  m.next_attempt_at = T("2024-07-01T10:00:00Z");
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->AddMessage(m), IsOkAndHolds(true));
    EXPECT_GT(m.id, 0);
    OutboxMessage again = m;
    again.id = 0;
    again.subject = "changed";
    EXPECT_THAT(write->AddMessage(again), IsOkAndHolds(false));  // Planned twice: nothing.
    EXPECT_EQ(again.id, 0);
    ASSERT_THAT(write->Commit(), IsOk());
  }
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    OutboxMessage replanned = m;  // Same key and coupon, in a later plan.
    replanned.id = 0;
    EXPECT_THAT(write->AddMessage(replanned), IsOkAndHolds(false));
    ASSERT_THAT(write->Commit(), IsOk());
  }
  const std::vector<OutboxMessage> stored = Messages(*store_);
  ASSERT_EQ(stored.size(), 1u);
  ExpectSameMessage(stored[0], m);
}

TEST_P(OutboxConformanceTest, SchedulesOfEveryMessageWithoutBodies) {
  ImportCustomers(2);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    OutboxMessage a = Message(1, "first", "2024-07-01T09:00:00Z");
    OutboxMessage b = Message(2, "first", "2024-07-02T09:00:00Z");
    b.status = MessageStatus::kHoldout;
    ASSERT_THAT(write->AddMessage(a), IsOk());
    ASSERT_THAT(write->AddMessage(b), IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  std::vector<std::string> seen;
  ASSERT_THAT(store_->ForEachMessageSchedule([&](CustomerKey c, Instant at, MessageStatus st) {
    seen.push_back(std::to_string(c.value()) + " " + FormatTimestamp(at) + " " +
                   std::string(MessageStatusName(st)));
    return Status::Ok();
  }),
              IsOk());
  std::sort(seen.begin(), seen.end());
  EXPECT_THAT(seen,
              ElementsAre("1 2024-07-01T09:00:00Z planned", "2 2024-07-02T09:00:00Z holdout"));
}

TEST_P(OutboxConformanceTest, AddMessageRefusesATakenCouponAndAnUnknownCustomer) {
  ImportCustomers(2);
  WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
  OutboxMessage a = Message(1, "first", "2024-07-01T09:00:00Z", "WB-1");
  ASSERT_THAT(write->AddMessage(a), IsOkAndHolds(true));
  OutboxMessage b = Message(2, "first", "2024-07-01T09:00:00Z", "WB-1");
  EXPECT_THAT(write->AddMessage(b), StatusIsWith(StatusCode::kAlreadyExists, HasSubstr("WB-1")));
  b.coupon = "WB-2";  // The caller draws a new code; the unit of work goes on.
  EXPECT_THAT(write->AddMessage(b), IsOkAndHolds(true));
  OutboxMessage no_coupon_1 = Message(1, "second", "2024-07-02T09:00:00Z");
  OutboxMessage no_coupon_2 = Message(2, "second", "2024-07-02T09:00:00Z");
  EXPECT_THAT(write->AddMessage(no_coupon_1), IsOkAndHolds(true));  // "" is no code: no clash.
  EXPECT_THAT(write->AddMessage(no_coupon_2), IsOkAndHolds(true));
  OutboxMessage stranger = Message(3, "first", "2024-07-01T09:00:00Z");
  EXPECT_THAT(write->AddMessage(stranger), StatusIs(StatusCode::kNotFound));
  ASSERT_THAT(write->Commit(), IsOk());
  EXPECT_THAT(Steps(Messages(*store_)), ElementsAre("first", "first", "second", "second"));
}

TEST_P(OutboxConformanceTest, DroppedUnitOfWorkLeavesNoMessageOrJourney) {
  ImportCustomers(2);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    OutboxMessage m = Message(1, "first", "2024-07-01T09:00:00Z", "WB-1");
    ASSERT_THAT(write->AddMessage(m), IsOkAndHolds(true));
    ASSERT_THAT(write->PutJourney(JourneyOf(1, "winback", 1)), IsOk());
  }  // Dropped: nothing of it.
  EXPECT_THAT(Messages(*store_), IsEmpty());
  EXPECT_THAT(Journeys(*store_), IsEmpty());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::int64_t> counts, store_->CountByStatus());
  EXPECT_EQ(counts, std::vector<std::int64_t>(kMessageStatusCount, 0));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    OutboxMessage m = Message(1, "first", "2024-07-01T09:00:00Z", "WB-1");
    ASSERT_THAT(write->AddMessage(m), IsOkAndHolds(true));
    ASSERT_THAT(write->PutJourney(JourneyOf(1, "winback", 1)), IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
    OutboxMessage late = Message(2, "first", "2024-07-01T09:00:00Z");
    EXPECT_THAT(write->AddMessage(late), StatusIs(StatusCode::kFailedPrecondition));
    EXPECT_THAT(write->PutJourney(JourneyOf(2, "winback", 1)),
                StatusIs(StatusCode::kFailedPrecondition));
  }
  EXPECT_EQ(Messages(*store_).size(), 1u);
  EXPECT_EQ(Journeys(*store_).size(), 1u);
}

TEST_P(OutboxConformanceTest, PutJourneyReplacesAndJourneysComeInCustomerOrder) {
  ImportCustomers(2);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->PutJourney(JourneyOf(2, "birthday", 1)), IsOk());
    ASSERT_THAT(write->PutJourney(JourneyOf(1, "winback", 2)), IsOk());
    ASSERT_THAT(write->PutJourney(JourneyOf(1, "winback", 1)), IsOk());
    ASSERT_THAT(write->PutJourney(JourneyOf(1, "birthday", 1)), IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  Journey exited = JourneyOf(1, "winback", 1);
  exited.state = JourneyState::kExited;
  exited.holdout = true;
  exited.next_due_at.reset();
  exited.exited_at = T("2024-07-02T12:00:00Z");
  exited.exit_reason = "ordered";
  exited.trigger_ref = "o-77";
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
    ASSERT_THAT(write->PutJourney(exited), IsOk());
    ASSERT_THAT(write->Commit(), IsOk());
  }
  const std::vector<Journey> all = Journeys(*store_);
  ASSERT_EQ(all.size(), 4u);
  std::vector<std::string> order;
  order.reserve(all.size());
  for (const Journey& j : all) {
    order.push_back(std::to_string(j.customer.value()) + "/" + j.campaign + "/" +
                    std::to_string(j.occurrence));
  }
  EXPECT_THAT(order, ElementsAre("1/birthday/1", "1/winback/1", "1/winback/2", "2/birthday/1"));
  const Journey& j = all[1];
  EXPECT_EQ(j.state, JourneyState::kExited);
  EXPECT_TRUE(j.holdout);
  EXPECT_EQ(j.entered_at, exited.entered_at);
  EXPECT_EQ(j.next_step, 1);
  EXPECT_FALSE(j.next_due_at.has_value());
  EXPECT_EQ(j.exited_at, exited.exited_at);
  EXPECT_EQ(j.exit_reason, "ordered");
  EXPECT_EQ(j.trigger_ref, "o-77");
  EXPECT_EQ(all[0].next_due_at, T("2024-07-03T09:00:00Z"));
  // One customer's journeys: the same records, in (campaign, occurrence) order.
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Journey> first, store_->LoadJourneys(CustomerKey(1)));
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].campaign, "birthday");
  EXPECT_EQ(first[1].exit_reason, "ordered");
  EXPECT_EQ(first[2].occurrence, 2);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Journey> second, store_->LoadJourneys(CustomerKey(2)));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].customer, CustomerKey(2));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Journey> none, store_->LoadJourneys(CustomerKey(99)));
  EXPECT_TRUE(none.empty());
  int visited = 0;
  EXPECT_THAT(store_->ForEachJourney([&](const Journey&) {
    return ++visited == 2 ? CancelledError("enough") : Status::Ok();
  }),
              StatusIs(StatusCode::kCancelled));
  EXPECT_EQ(visited, 2);
}

TEST_P(OutboxConformanceTest, ClaimTakesDueMessagesOldestFirstUpToTheLimit) {
  ImportCustomers(3);
  OutboxMessage late = Message(1, "late", "2024-07-01T12:00:00Z");
  OutboxMessage early = Message(2, "early", "2024-07-01T08:00:00Z");
  OutboxMessage tie_a = Message(3, "tie-a", "2024-07-01T10:00:00Z");
  OutboxMessage tie_b = Message(1, "tie-b", "2024-07-01T10:00:00Z");
  OutboxMessage future = Message(2, "future", "2024-07-02T08:00:00Z");
  OutboxMessage holdout = Message(3, "holdout", "2024-07-01T08:00:00Z");
  holdout.status = MessageStatus::kHoldout;
  OutboxMessage expired = Message(3, "expired", "2024-07-01T08:00:00Z");
  expired.status = MessageStatus::kExpired;
  Add({&late, &early, &tie_a, &tie_b, &future, &holdout, &expired});

  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OutboxMessage> first,
                               Claim("host:1:a", "2024-07-01T12:00:00Z", 2));
  EXPECT_THAT(Ids(first), ElementsAre(early.id, tie_a.id));
  for (const OutboxMessage& m : first) {
    EXPECT_EQ(m.status, MessageStatus::kSending);
    EXPECT_EQ(m.claim_owner, "host:1:a");
    EXPECT_EQ(m.lease_until, T("2024-07-01T12:05:00Z"));
    EXPECT_FALSE(m.in_flight);
    EXPECT_EQ(m.attempts, 0);
  }
  EXPECT_EQ(first[1].subject, tie_a.subject);  // Whole rows.
  EXPECT_EQ(Load(early.id).status, MessageStatus::kSending);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OutboxMessage> second,
                               Claim("host:2:b", "2024-07-01T12:00:00Z", 10));
  EXPECT_THAT(Ids(second), ElementsAre(tie_b.id, late.id));
  EXPECT_THAT(Claim("host:2:b", "2024-07-01T12:00:00Z"), IsOkAndHolds(IsEmpty()));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OutboxMessage> next_day,
                               Claim("host:2:b", "2024-07-02T08:00:00Z"));
  EXPECT_THAT(Ids(next_day), ElementsAre(future.id));
  EXPECT_THAT(store_->ClaimOwners(), IsOkAndHolds(ElementsAre("host:1:a", "host:2:b")));
  EXPECT_EQ(Load(holdout.id).status, MessageStatus::kHoldout);
  EXPECT_EQ(Load(expired.id).status, MessageStatus::kExpired);
}

TEST_P(OutboxConformanceTest, ClaimRefusesAnEmptyOwnerAndLimitsBelowOne) {
  EXPECT_THAT(Claim("", "2024-07-01T12:00:00Z"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Claim("a", "2024-07-01T12:00:00Z", 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->ClaimDue(ClaimRequest{
                  .owner = "a", .now = T("2024-07-01T12:00:00Z"), .lease_seconds = 0, .limit = 1}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(OutboxConformanceTest, SentMessageRecordsItsAttempt) {
  ImportCustomers(1);
  OutboxMessage m = Message(1, "first", "2024-07-01T09:00:00Z");
  Add({&m});
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(1)));
  ASSERT_THAT(store_->MarkInFlight(m.id, "a", T("2024-07-01T09:10:00Z")), IsOk());
  OutboxMessage flying = Load(m.id);
  EXPECT_TRUE(flying.in_flight);
  EXPECT_EQ(flying.lease_until, T("2024-07-01T09:10:00Z"));
  ASSERT_THAT(store_->RecordOutcome(m.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kSent,
                                                   .at = T("2024-07-01T09:00:01Z"),
                                                   .next_attempt_at = std::nullopt,
                                                   .detail = "250 2.0.0 Ok",
                                                   .provider_id = "q-1"}),
              IsOk());
  const OutboxMessage sent = Load(m.id);
  EXPECT_EQ(sent.status, MessageStatus::kSent);
  EXPECT_EQ(sent.attempts, 1);
  EXPECT_EQ(sent.sent_at, T("2024-07-01T09:00:01Z"));
  EXPECT_EQ(sent.detail, "250 2.0.0 Ok");
  EXPECT_EQ(sent.provider_id, "q-1");
  EXPECT_FALSE(sent.in_flight);
  EXPECT_EQ(sent.claim_owner, "");
  EXPECT_FALSE(sent.lease_until.has_value());
  EXPECT_FALSE(sent.next_attempt_at.has_value());
  EXPECT_THAT(store_->ClaimOwners(), IsOkAndHolds(IsEmpty()));
  // Recorded once: the claim is gone.
  EXPECT_THAT(store_->RecordOutcome(m.id, "a", DeliveryRecord{}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->MarkInFlight(m.id, "a", T("2024-07-01T09:10:00Z")),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(OutboxConformanceTest, InFlightAndOutcomeNeedTheOwnersClaim) {
  ImportCustomers(1);
  OutboxMessage m = Message(1, "first", "2024-07-01T09:00:00Z");
  OutboxMessage unclaimed = Message(1, "second", "2024-07-05T09:00:00Z");
  Add({&m, &unclaimed});
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(1)));
  EXPECT_THAT(store_->MarkInFlight(m.id, "b", T("2024-07-01T09:10:00Z")),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("claimed by 'a'")));
  EXPECT_THAT(store_->RecordOutcome(m.id, "b", DeliveryRecord{}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->MarkInFlight(unclaimed.id, "a", T("2024-07-01T09:10:00Z")),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("planned")));
  EXPECT_THAT(store_->RecordOutcome(unclaimed.id, "a", DeliveryRecord{}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->MarkInFlight(9999, "a", T("2024-07-01T09:10:00Z")),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->RecordOutcome(9999, "a", DeliveryRecord{}), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->RecordOutcome(m.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kPlanned,
                                                   .at = {},
                                                   .next_attempt_at = {},
                                                   .detail = "",
                                                   .provider_id = ""}),
              StatusIs(StatusCode::kInvalidArgument));
  const OutboxMessage still = Load(m.id);
  EXPECT_EQ(still.status, MessageStatus::kSending);
  EXPECT_FALSE(still.in_flight);
  EXPECT_EQ(still.attempts, 0);
  // Given up before the hand-over: recorded without MarkInFlight.
  EXPECT_THAT(store_->RecordOutcome(m.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kDead,
                                                   .at = T("2024-07-01T09:00:01Z"),
                                                   .next_attempt_at = std::nullopt,
                                                   .detail = "no address",
                                                   .provider_id = ""}),
              IsOk());
  EXPECT_EQ(Load(m.id).status, MessageStatus::kDead);
  EXPECT_FALSE(Load(m.id).sent_at.has_value());
}

TEST_P(OutboxConformanceTest, RetryIsNotDueBeforeItsNextAttempt) {
  ImportCustomers(1);
  OutboxMessage m = Message(1, "first", "2024-07-01T09:00:00Z");
  Add({&m});
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(1)));
  ASSERT_THAT(store_->MarkInFlight(m.id, "a", T("2024-07-01T09:10:00Z")), IsOk());
  ASSERT_THAT(store_->RecordOutcome(m.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kRetry,
                                                   .at = T("2024-07-01T09:00:01Z"),
                                                   .next_attempt_at = T("2024-07-01T10:00:00Z"),
                                                   .detail = "451 try later",
                                                   .provider_id = ""}),
              IsOk());
  const OutboxMessage retry = Load(m.id);
  EXPECT_EQ(retry.status, MessageStatus::kRetry);
  EXPECT_EQ(retry.next_attempt_at, T("2024-07-01T10:00:00Z"));
  EXPECT_EQ(retry.detail, "451 try later");
  EXPECT_THAT(Claim("a", "2024-07-01T09:59:59Z"), IsOkAndHolds(IsEmpty()));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OutboxMessage> again,
                               Claim("b", "2024-07-01T10:00:00Z"));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, m.id);
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(again[0].claim_owner, "b");
}

TEST_P(OutboxConformanceTest, RecoveringAGoneSendersClaims) {
  ImportCustomers(3);
  OutboxMessage handed = Message(1, "first", "2024-07-01T09:00:00Z");
  OutboxMessage waiting = Message(2, "first", "2024-07-01T09:00:00Z");
  OutboxMessage retried = Message(3, "first", "2024-07-01T09:00:00Z");
  OutboxMessage other = Message(1, "second", "2024-07-01T09:30:00Z");
  Add({&handed, &waiting, &retried, &other});
  // `retried` failed once, then "a" claims it again with the others.
  ASSERT_THAT(Claim("z", "2024-07-01T09:00:00Z", 3), IsOkAndHolds(::testing::SizeIs(3)));
  ASSERT_THAT(store_->RecordOutcome(retried.id, "z",
                                    DeliveryRecord{.status = MessageStatus::kRetry,
                                                   .at = T("2024-07-01T09:00:00Z"),
                                                   .next_attempt_at = std::nullopt,
                                                   .detail = "timeout",
                                                   .provider_id = ""}),
              IsOk());
  ASSERT_THAT(store_->RecoverClaims("z", Instant()), IsOkAndHolds(2));
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(3)));
  ASSERT_THAT(Claim("b", "2024-07-01T09:30:00Z"), IsOkAndHolds(::testing::SizeIs(1)));
  ASSERT_THAT(store_->MarkInFlight(handed.id, "a", T("2024-07-01T09:10:00Z")), IsOk());

  EXPECT_THAT(store_->RecoverClaims("a", Instant()), IsOkAndHolds(3));
  const OutboxMessage unknown = Load(handed.id);
  EXPECT_EQ(unknown.status, MessageStatus::kUnknown);
  EXPECT_EQ(unknown.attempts, 1);
  EXPECT_FALSE(unknown.in_flight);
  EXPECT_EQ(unknown.claim_owner, "");
  EXPECT_THAT(unknown.detail, HasSubstr("'a'"));
  EXPECT_EQ(Load(waiting.id).status, MessageStatus::kPlanned);
  EXPECT_EQ(Load(waiting.id).claim_owner, "");
  EXPECT_FALSE(Load(waiting.id).lease_until.has_value());
  EXPECT_EQ(Load(retried.id).status, MessageStatus::kRetry);
  EXPECT_EQ(Load(retried.id).detail, "timeout");
  EXPECT_EQ(Load(other.id).status, MessageStatus::kSending);  // "b" is alive.
  EXPECT_THAT(store_->ClaimOwners(), IsOkAndHolds(ElementsAre("b")));
  EXPECT_THAT(store_->RecoverClaims("a", Instant()), IsOkAndHolds(0));
  // The unknown message is never claimed again by itself.
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OutboxMessage> requeued,
                               Claim("c", "2024-07-02T00:00:00Z"));
  EXPECT_THAT(Ids(requeued), ElementsAre(waiting.id, retried.id));
}

TEST_P(OutboxConformanceTest, ExpiredLeasesAreRecoveredWhateverTheOwner) {
  ImportCustomers(2);
  OutboxMessage a = Message(1, "first", "2024-07-01T09:00:00Z");
  OutboxMessage b = Message(2, "first", "2024-07-01T09:00:00Z");
  Add({&a, &b});
  ASSERT_THAT(store_->ClaimDue(ClaimRequest{
                  .owner = "a", .now = T("2024-07-01T09:00:00Z"), .lease_seconds = 60, .limit = 1}),
              IsOk());
  ASSERT_THAT(
      store_->ClaimDue(ClaimRequest{
          .owner = "b", .now = T("2024-07-01T09:00:00Z"), .lease_seconds = 600, .limit = 1}),
      IsOk());
  EXPECT_THAT(store_->RecoverClaims(std::nullopt, T("2024-07-01T09:01:00Z")), IsOkAndHolds(0));
  EXPECT_THAT(store_->RecoverClaims(std::nullopt, T("2024-07-01T09:01:01Z")), IsOkAndHolds(1));
  EXPECT_EQ(Load(a.id).status, MessageStatus::kPlanned);
  EXPECT_EQ(Load(b.id).status, MessageStatus::kSending);
  EXPECT_THAT(store_->MarkInFlight(a.id, "a", T("2024-07-01T09:02:00Z")),
              StatusIs(StatusCode::kFailedPrecondition));  // Taken back.
  // An owner's claims and the expired ones, in one call.
  ASSERT_THAT(Claim("c", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(1)));
  EXPECT_THAT(store_->RecoverClaims("c", T("2024-07-01T09:10:01Z")), IsOkAndHolds(2));
  EXPECT_THAT(store_->ClaimOwners(), IsOkAndHolds(IsEmpty()));
}

TEST_P(OutboxConformanceTest, CancelOnlyBeforeTheHandOver) {
  ImportCustomers(3);
  OutboxMessage planned = Message(1, "first", "2024-07-01T09:00:00Z");
  OutboxMessage claimed = Message(2, "first", "2024-07-01T09:00:00Z");
  OutboxMessage flying = Message(3, "first", "2024-07-01T09:00:00Z");
  OutboxMessage retry = Message(1, "second", "2024-07-01T10:00:00Z");
  OutboxMessage sent = Message(2, "second", "2024-07-01T10:00:00Z");
  OutboxMessage holdout = Message(3, "second", "2024-07-01T10:00:00Z");
  holdout.status = MessageStatus::kHoldout;
  Add({&planned, &claimed, &flying, &retry, &sent, &holdout});
  EXPECT_THAT(store_->CancelMessage(planned.id, "ordered"), IsOk());
  EXPECT_EQ(Load(planned.id).status, MessageStatus::kCancelled);
  EXPECT_EQ(Load(planned.id).detail, "ordered");
  EXPECT_THAT(store_->CancelMessage(planned.id, "again"),
              StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(2)));
  ASSERT_THAT(store_->MarkInFlight(flying.id, "a", T("2024-07-01T09:05:00Z")), IsOk());
  EXPECT_THAT(store_->CancelMessage(claimed.id, "unsubscribed"), IsOk());
  EXPECT_EQ(Load(claimed.id).status, MessageStatus::kCancelled);
  EXPECT_EQ(Load(claimed.id).claim_owner, "");
  EXPECT_THAT(store_->MarkInFlight(claimed.id, "a", T("2024-07-01T09:05:00Z")),
              StatusIs(StatusCode::kFailedPrecondition));  // The sender's last check.
  EXPECT_THAT(store_->CancelMessage(flying.id, "too late"),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("in flight")));
  ASSERT_THAT(Claim("a", "2024-07-01T10:00:00Z"), IsOkAndHolds(::testing::SizeIs(2)));
  ASSERT_THAT(store_->RecordOutcome(retry.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kRetry,
                                                   .at = T("2024-07-01T10:00:00Z"),
                                                   .next_attempt_at = T("2024-07-01T11:00:00Z"),
                                                   .detail = "",
                                                   .provider_id = ""}),
              IsOk());
  ASSERT_THAT(store_->RecordOutcome(sent.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kSent,
                                                   .at = T("2024-07-01T10:00:00Z"),
                                                   .next_attempt_at = std::nullopt,
                                                   .detail = "",
                                                   .provider_id = ""}),
              IsOk());
  EXPECT_THAT(store_->CancelMessage(retry.id, "let go"), IsOk());
  EXPECT_THAT(store_->CancelMessage(sent.id, "x"),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("sent")));
  EXPECT_THAT(store_->CancelMessage(holdout.id, "x"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->CancelMessage(9999, "x"), StatusIs(StatusCode::kNotFound));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<std::int64_t> counts, store_->CountByStatus());
  ASSERT_EQ(counts.size(), static_cast<std::size_t>(kMessageStatusCount));
  EXPECT_EQ(counts[static_cast<int>(MessageStatus::kCancelled)], 3);
  EXPECT_EQ(counts[static_cast<int>(MessageStatus::kSending)], 1);
  EXPECT_EQ(counts[static_cast<int>(MessageStatus::kSent)], 1);
  EXPECT_EQ(counts[static_cast<int>(MessageStatus::kHoldout)], 1);
  EXPECT_EQ(counts[static_cast<int>(MessageStatus::kPlanned)], 0);
}

TEST_P(OutboxConformanceTest, DeferReturnsAClaimToTheQueueLater) {
  ImportCustomers(3);
  OutboxMessage fresh = Message(1, "first", "2024-07-01T09:00:00Z");
  OutboxMessage retried = Message(2, "first", "2024-07-01T09:00:00Z");
  OutboxMessage flying = Message(3, "first", "2024-07-01T09:00:00Z");
  Add({&fresh, &retried, &flying});
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(3)));
  ASSERT_THAT(store_->RecordOutcome(retried.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kRetry,
                                                   .at = T("2024-07-01T09:00:00Z"),
                                                   .next_attempt_at = T("2024-07-01T09:00:01Z"),
                                                   .detail = "451 try later",
                                                   .provider_id = ""}),
              IsOk());
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:02Z"), IsOkAndHolds(::testing::SizeIs(1)));
  ASSERT_THAT(store_->MarkInFlight(flying.id, "a", T("2024-07-01T09:05:00Z")), IsOk());

  EXPECT_THAT(store_->Defer(fresh.id, "b", T("2024-07-02T06:00:00Z")),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->Defer(fresh.id, "a", T("2024-07-02T06:00:00Z")), IsOk());
  const OutboxMessage deferred = Load(fresh.id);
  EXPECT_EQ(deferred.status, MessageStatus::kPlanned);
  EXPECT_EQ(deferred.scheduled_at, T("2024-07-02T06:00:00Z"));
  EXPECT_EQ(deferred.attempts, 0);
  EXPECT_EQ(deferred.claim_owner, "");
  EXPECT_EQ(deferred.lease_until, std::nullopt);
  EXPECT_THAT(store_->Defer(fresh.id, "a", T("2024-07-02T06:00:00Z")),
              StatusIs(StatusCode::kFailedPrecondition));  // No longer claimed.

  EXPECT_THAT(store_->Defer(retried.id, "a", T("2024-07-02T06:00:00Z")), IsOk());
  const OutboxMessage deferred_retry = Load(retried.id);
  EXPECT_EQ(deferred_retry.status, MessageStatus::kRetry);
  EXPECT_EQ(deferred_retry.attempts, 1);
  EXPECT_EQ(deferred_retry.scheduled_at, T("2024-07-02T06:00:00Z"));
  EXPECT_EQ(deferred_retry.next_attempt_at, T("2024-07-02T06:00:00Z"));

  EXPECT_THAT(store_->Defer(flying.id, "a", T("2024-07-02T06:00:00Z")),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("in flight")));
  EXPECT_EQ(Load(flying.id).status, MessageStatus::kSending);
  EXPECT_THAT(store_->Defer(9999, "a", T("2024-07-02T06:00:00Z")), StatusIs(StatusCode::kNotFound));

  EXPECT_THAT(Claim("a", "2024-07-02T05:59:59Z"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(Claim("a", "2024-07-02T06:00:00Z"), IsOkAndHolds(::testing::SizeIs(2)));
}

TEST_P(OutboxConformanceTest, RequeueUnknownMakesThemRetriesDueNow) {
  ImportCustomers(2);
  OutboxMessage a = Message(1, "first", "2024-07-01T09:00:00Z");
  OutboxMessage b = Message(2, "first", "2024-07-01T09:00:00Z");
  Add({&a, &b});
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(2)));
  ASSERT_THAT(store_->MarkInFlight(a.id, "a", T("2024-07-01T09:05:00Z")), IsOk());
  ASSERT_THAT(store_->RecordOutcome(a.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kUnknown,
                                                   .at = T("2024-07-01T09:00:00Z"),
                                                   .next_attempt_at = std::nullopt,
                                                   .detail = "connection reset after DATA",
                                                   .provider_id = ""}),
              IsOk());
  ASSERT_THAT(store_->MarkInFlight(b.id, "a", T("2024-07-01T09:05:00Z")), IsOk());
  ASSERT_THAT(store_->RecoverClaims("a", Instant()), IsOkAndHolds(1));
  EXPECT_THAT(Messages(*store_, Filter(MessageStatus::kUnknown)), ::testing::SizeIs(2));
  EXPECT_THAT(Claim("a", "2024-07-02T00:00:00Z"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_->RequeueUnknown(T("2024-07-02T00:00:00Z")), IsOkAndHolds(2));
  EXPECT_THAT(store_->RequeueUnknown(T("2024-07-02T00:00:00Z")), IsOkAndHolds(0));
  const OutboxMessage requeued = Load(a.id);
  EXPECT_EQ(requeued.status, MessageStatus::kRetry);
  EXPECT_EQ(requeued.next_attempt_at, T("2024-07-02T00:00:00Z"));
  EXPECT_THAT(Claim("a", "2024-07-01T23:59:59Z"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(Claim("a", "2024-07-02T00:00:00Z"), IsOkAndHolds(::testing::SizeIs(2)));
}

TEST_P(OutboxConformanceTest, ForEachMessageFiltersInScheduleOrder) {
  ImportCustomers(2);
  OutboxMessage a = Message(1, "first", "2024-07-03T09:00:00Z");
  OutboxMessage b = Message(2, "first", "2024-07-01T09:00:00Z");
  OutboxMessage c = Message(1, "second", "2024-07-02T09:00:00Z");
  c.campaign = "birthday";
  c.key = "birthday/second/1/1";
  OutboxMessage d = Message(2, "second", "2024-07-01T09:00:00Z");
  d.status = MessageStatus::kHoldout;
  Add({&a, &b, &c, &d});
  EXPECT_THAT(Ids(Messages(*store_)), ElementsAre(b.id, d.id, c.id, a.id));
  EXPECT_THAT(Ids(Messages(*store_, Filter(MessageStatus::kPlanned))),
              ElementsAre(b.id, c.id, a.id));
  EXPECT_THAT(Ids(Messages(*store_, Filter(std::nullopt, "winback"))),
              ElementsAre(b.id, d.id, a.id));
  EXPECT_THAT(Ids(Messages(*store_, Filter(std::nullopt, "", CustomerKey(1)))),
              ElementsAre(c.id, a.id));
  EXPECT_THAT(Ids(Messages(*store_, Filter(MessageStatus::kHoldout, "winback", CustomerKey(2)))),
              ElementsAre(d.id));
  EXPECT_THAT(Messages(*store_, Filter(MessageStatus::kSent)), IsEmpty());
  int visited = 0;
  EXPECT_THAT(store_->ForEachMessage({},
                                     [&](const OutboxMessage&) {
                                       return ++visited == 3 ? CancelledError("enough")
                                                             : Status::Ok();
                                     }),
              StatusIs(StatusCode::kCancelled));
  EXPECT_EQ(visited, 3);
}

TEST_P(OutboxConformanceTest, OutboxWritesWaitForTheOpenUnitOfWork) {
  ImportCustomers(1);
  OutboxMessage m = Message(1, "first", "2024-07-01T09:00:00Z");
  Add({&m});
  WINBACK_ASSERT_OK_AND_ASSIGN(auto write, store_->BeginWrite());
  EXPECT_THAT(Claim("a", "2024-07-01T09:00:00Z"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->MarkInFlight(m.id, "a", T("2024-07-01T09:05:00Z")),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->RecordOutcome(m.id, "a", DeliveryRecord{}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->RecoverClaims("a", Instant()), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->CancelMessage(m.id, "x"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->RequeueUnknown(T("2024-07-01T09:00:00Z")),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->Defer(m.id, "a", T("2024-07-02T09:00:00Z")),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Messages(*store_), ::testing::SizeIs(1));  // Reads go on.
  write.reset();
  EXPECT_THAT(Claim("a", "2024-07-01T09:00:00Z"), IsOkAndHolds(::testing::SizeIs(1)));
}

// ---- Coupons, products, order items ----

TEST_P(StoreConformanceTest, CouponIsStoredAndAnUnstatedCouponKeepsTheStoredOne) {
  {
    // A first import (bulk-loaded orders on some backends).
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("first"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
    OrderRecord o = Order("o1", "c1", "2024-03-01T10:00:00Z", 1000);
    o.coupon = "SPRING-10";
    ASSERT_THAT(session->UpsertOrder(c1, o), IsOk());
    ASSERT_THAT(session->UpsertOrder(c1, Order("o2", "c1", "2024-03-02T10:00:00Z", 2000)), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  {
    // Row-by-row writes: o1 without the column keeps its coupon, o2 gains one, o3 is new.
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("second"));
    OrderRecord o1 = Order("o1", "c1", "2024-03-01T10:00:00Z", 1500);
    o1.present.Clear(OrderField::kCoupon);
    ASSERT_THAT(session->UpsertOrder(CustomerKey(1), o1), IsOk());
    OrderRecord o2 = Order("o2", "c1", "2024-03-02T10:00:00Z", 2000);
    o2.coupon = "WB-7Q2K";
    ASSERT_THAT(session->UpsertOrder(CustomerKey(1), o2), IsOkAndHolds(true));
    OrderRecord o3 = Order("o3", "c1", "2024-04-01T10:00:00Z", 3000);
    o3.coupon = "WB-REFUND";
    o3.status = OrderStatus::kRefunded;
    ASSERT_THAT(session->UpsertOrder(CustomerKey(1), o3), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<OrderRecord> orders, store_->LoadOrders(CustomerKey(1)));
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(orders[0].coupon, "SPRING-10");
  EXPECT_EQ(orders[0].amount_minor, 1500);
  EXPECT_EQ(orders[1].coupon, "WB-7Q2K");
  EXPECT_EQ(orders[2].coupon, "WB-REFUND");

  // Completed orders with a coupon, in [from, to), by time.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<CouponRedemption> all,
      store_->CouponRedemptions(T("2024-01-01T00:00:00Z"), T("2025-01-01T00:00:00Z")));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], (CouponRedemption{CustomerKey(1), "SPRING-10", "o1", T("2024-03-01T10:00:00Z"),
                                      1500, "TRY"}));
  EXPECT_EQ(all[1].coupon, "WB-7Q2K");
  EXPECT_EQ(all[1].order_id, "o2");
  EXPECT_THAT(store_->CouponRedemptions(T("2024-03-02T00:00:00Z"), T("2024-03-02T10:00:00Z")),
              IsOkAndHolds(IsEmpty()));

  {
    // A stated empty coupon clears the stored one.
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("third"));
    ASSERT_THAT(
        session->UpsertOrder(CustomerKey(1), Order("o2", "c1", "2024-03-02T10:00:00Z", 2000)),
        IsOkAndHolds(true));
    ASSERT_THAT(session->Commit(), IsOk());
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(
      all, store_->CouponRedemptions(T("2024-01-01T00:00:00Z"), T("2025-01-01T00:00:00Z")));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].order_id, "o1");
}

TEST_P(StoreConformanceTest, CampaignMessageEventsAreReadByTheKeyInRef) {
  auto tracking = [](const std::string& id, const std::string& customer, EventType type,
                     const char* at, const std::string& ref) {
    EventRecord e = Event(id, customer, type, at);
    e.ref = ref;
    if (type == EventType::kBounce) e.channel = "email";
    return e;
  };
  {
    // A first import (bulk-loaded events on some backends), then row by row.
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("first"));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c1, session->UpsertCustomer(Customer("c1")));
    WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey c2, session->UpsertCustomer(Customer("c2")));
    ASSERT_THAT(session->UpsertEvent(c1, tracking("e1", "c1", EventType::kEmailClick,
                                                  "2024-03-02T10:00:00Z", "winback/first/c1/1")),
                IsOk());
    ASSERT_THAT(session->UpsertEvent(c1, tracking("e2", "c1", EventType::kEmailOpen,
                                                  "2024-03-01T10:00:00Z", "winback/first/c1/1")),
                IsOk());
    // Another campaign whose name extends this one's, a bare campaign name, no ref at all.
    ASSERT_THAT(session->UpsertEvent(c1, tracking("e3", "c1", EventType::kEmailOpen,
                                                  "2024-03-01T10:00:00Z", "winback2/first/c1/1")),
                IsOk());
    ASSERT_THAT(session->UpsertEvent(c2, tracking("e4", "c2", EventType::kEmailOpen,
                                                  "2024-03-01T10:00:00Z", "winback")),
                IsOk());
    ASSERT_THAT(
        session->UpsertEvent(c2, Event("e5", "c2", EventType::kVisit, "2024-03-01T10:00:00Z")),
        IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("second"));
    ASSERT_THAT(session->UpsertEvent(
                    CustomerKey(2), tracking("e6", "c2", EventType::kBounce, "2024-03-01T11:00:00Z",
                                             "winback/first/c2/1")),
                IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  std::vector<MessageEvent> got;
  ASSERT_THAT(store_->ForEachCampaignMessageEvent("winback",
                                                  [&](const MessageEvent& e) {
                                                    got.push_back(e);
                                                    return Status::Ok();
                                                  }),
              IsOk());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (MessageEvent{"winback/first/c1/1", CustomerKey(1), EventType::kEmailOpen,
                                  T("2024-03-01T10:00:00Z"), ""}));
  EXPECT_EQ(got[1].type, EventType::kEmailClick);
  EXPECT_EQ(got[2], (MessageEvent{"winback/first/c2/1", CustomerKey(2), EventType::kBounce,
                                  T("2024-03-01T11:00:00Z"), "email"}));
  // The first error of fn stops the read; a malformed campaign name is refused.
  int calls = 0;
  EXPECT_THAT(store_->ForEachCampaignMessageEvent("winback",
                                                  [&](const MessageEvent&) {
                                                    ++calls;
                                                    return InternalError("stop");
                                                  }),
              StatusIs(StatusCode::kInternal));
  EXPECT_EQ(calls, 1);
  auto none = [](const MessageEvent&) { return Status::Ok(); };
  EXPECT_THAT(store_->ForEachCampaignMessageEvent("", none),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->ForEachCampaignMessageEvent("a/b", none),
              StatusIs(StatusCode::kInvalidArgument));
}

ProductRecord Product(const std::string& sku, const std::string& category) {
  ProductRecord p;
  p.sku = sku;
  p.name = "Çay " + sku;
  p.category = category;
  p.price_minor = 6495;
  p.currency = "TRY";
  p.launched_at = T("2024-02-01T00:00:00Z");
  p.url = "https://shop.example/p/" + sku;
  p.image_url = "https://shop.example/i/" + sku + ".jpg";
  return p;
}

TEST_P(StoreConformanceTest, ProductsAreUpsertedBySkuAndReadInSkuOrder) {
  EXPECT_THAT(store_->LoadProducts(), IsOkAndHolds(IsEmpty()));
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("products"));
    EXPECT_THAT(session->UpsertProduct(Product("TEA-2", "tea")), IsOkAndHolds(true));
    EXPECT_THAT(session->UpsertProduct(Product("TEA-1", "tea")), IsOkAndHolds(true));
    WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, session->Commit());
    EXPECT_EQ(counts.products_written, 2);
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<ProductRecord> products, store_->LoadProducts());
  ASSERT_EQ(products.size(), 2u);
  EXPECT_EQ(products[0], Product("TEA-1", "tea"));
  EXPECT_EQ(products[1], Product("TEA-2", "tea"));
  {
    // The same rows write nothing; a changed row writes the fields it states (stated empty:
    // cleared) and keeps the others.
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("products again"));
    EXPECT_THAT(session->UpsertProduct(Product("TEA-1", "tea")), IsOkAndHolds(false));
    ProductRecord bare;
    bare.sku = "TEA-2";
    bare.name = "Rize çayı";
    bare.present = FieldSet<ProductField>::None();
    bare.present.Set(ProductField::kCategory);
    bare.present.Set(ProductField::kPrice);
    EXPECT_THAT(session->UpsertProduct(bare), IsOkAndHolds(true));
    WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, session->Commit());
    EXPECT_EQ(counts.products_written, 1);
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(products, store_->LoadProducts());
  ASSERT_EQ(products.size(), 2u);
  EXPECT_EQ(products[1].name, "Rize çayı");
  EXPECT_EQ(products[1].category, "");
  EXPECT_EQ(products[1].price_minor, std::nullopt);
  EXPECT_EQ(products[1].currency, "");
  EXPECT_EQ(products[1].launched_at, Product("TEA-2", "tea").launched_at);
  EXPECT_EQ(products[1].url, "https://shop.example/p/TEA-2");
  {
    // Dropped without commit: nothing.
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("dropped"));
    EXPECT_THAT(session->UpsertProduct(Product("TEA-3", "tea")), IsOkAndHolds(true));
  }
  EXPECT_THAT(store_->LoadProducts(), IsOkAndHolds(::testing::SizeIs(2)));
}

TEST_P(StoreConformanceTest, OrderItemsOfCompletedOrdersPerCustomerOldestFirst) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("items"));
    for (const char* id : {"c1", "c2", "c3"}) {
      ASSERT_THAT(session->UpsertCustomer(Customer(id)), IsOk());
    }
    OrderRecord late = Order("o1", "c1", "2024-05-01T10:00:00Z", 300);
    late.items = {{"B", 1, 100}, {"A", 2, 100}};
    OrderRecord early = Order("o2", "c1", "2024-04-01T10:00:00Z", 500);
    early.items = {{"C", 5, 100}};
    OrderRecord refunded = Order("o3", "c1", "2024-04-15T10:00:00Z", 100);
    refunded.status = OrderStatus::kRefunded;
    refunded.items = {{"R", 1, 100}};
    OrderRecord no_items = Order("o4", "c2", "2024-04-01T10:00:00Z", 100);
    OrderRecord c3 = Order("o5", "c3", "2024-04-01T10:00:00Z", 100);
    c3.items = {{"A", 1, 100}};
    for (const OrderRecord* o : {&late, &early, &refunded, &no_items, &c3}) {
      const CustomerKey key(o->customer_id == "c1" ? 1 : o->customer_id == "c2" ? 2 : 3);
      ASSERT_THAT(session->UpsertOrder(key, *o), IsOk());
    }
    ASSERT_THAT(session->Commit(), IsOk());
  }
  std::vector<std::pair<std::int64_t, std::string>> seen;
  ASSERT_THAT(store_->ForEachCustomerOrderItemsInRange(
                  KeyRange{},
                  [&](CustomerKey key, std::span<const OrderItemPoint> items) {
                    for (const OrderItemPoint& i : items) {
                      seen.emplace_back(key.value(), i.sku + "x" + std::to_string(i.quantity));
                    }
                    return Status::Ok();
                  }),
              IsOk());
  EXPECT_THAT(seen, ElementsAre(std::pair<std::int64_t, std::string>{1, "Cx5"},
                                std::pair<std::int64_t, std::string>{1, "Bx1"},
                                std::pair<std::int64_t, std::string>{1, "Ax2"},
                                std::pair<std::int64_t, std::string>{3, "Ax1"}));
  std::vector<std::int64_t> keys;
  ASSERT_THAT(store_->ForEachCustomerOrderItemsInRange(
                  KeyRange{2, 4},
                  [&](CustomerKey key, std::span<const OrderItemPoint> items) {
                    keys.push_back(key.value());
                    EXPECT_EQ(items[0].placed_at, T("2024-04-01T10:00:00Z"));
                    EXPECT_EQ(items[0].price_minor, 100);
                    return Status::Ok();
                  }),
              IsOk());
  EXPECT_THAT(keys, ElementsAre(3));
  EXPECT_THAT(
      store_->ForEachCustomerOrderItemsInRange(KeyRange{},
                                               [](CustomerKey, std::span<const OrderItemPoint>) {
                                                 return InvalidArgumentError("stop");
                                               }),
      StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(OutboxConformanceTest, LoadMessageByKey) {
  ImportCustomers(2);
  OutboxMessage a = Message(1, "first", "2024-07-01T09:00:00Z");
  OutboxMessage b = Message(2, "first", "2024-07-01T09:00:00Z");
  Add({&a, &b});
  WINBACK_ASSERT_OK_AND_ASSIGN(OutboxMessage loaded, store_->LoadMessage(b.key));
  ExpectSameMessage(loaded, b);
  EXPECT_THAT(store_->LoadMessage("winback/first/3/1"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->LoadMessage(""), StatusIs(StatusCode::kNotFound));
}

TEST_P(OutboxConformanceTest, DeliveryReportsMoveHandedOverMessagesOnly) {
  ImportCustomers(2);
  OutboxMessage m = Message(1, "first", "2024-07-01T09:00:00Z");
  m.channel = ChannelKind::kSms;
  OutboxMessage waiting = Message(2, "first", "2024-07-01T09:00:00Z");
  Add({&m, &waiting});
  ASSERT_THAT(Claim("a", "2024-07-01T09:00:00Z", 1), IsOkAndHolds(::testing::SizeIs(1)));
  ASSERT_THAT(store_->MarkInFlight(m.id, "a", T("2024-07-01T09:10:00Z")), IsOk());
  ASSERT_THAT(store_->RecordOutcome(m.id, "a",
                                    DeliveryRecord{.status = MessageStatus::kSent,
                                                   .at = T("2024-07-01T09:00:01Z"),
                                                   .next_attempt_at = std::nullopt,
                                                   .detail = "queued",
                                                   .provider_id = "SM123"}),
              IsOk());
  // Found by the provider's id on its channel only.
  WINBACK_ASSERT_OK_AND_ASSIGN(auto found,
                               store_->FindMessageByProviderId(ChannelKind::kSms, "SM123"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, m.id);
  EXPECT_THAT(store_->FindMessageByProviderId(ChannelKind::kWhatsapp, "SM123"),
              IsOkAndHolds(::testing::Eq(std::nullopt)));
  EXPECT_THAT(store_->FindMessageByProviderId(ChannelKind::kSms, ""),
              IsOkAndHolds(::testing::Eq(std::nullopt)));
  // delivered: stays sent with the new detail; the same report again changes nothing.
  EXPECT_THAT(store_->RecordDeliveryReport(m.id, MessageStatus::kSent, "delivered"),
              IsOkAndHolds(true));
  EXPECT_THAT(store_->RecordDeliveryReport(m.id, MessageStatus::kSent, "delivered"),
              IsOkAndHolds(false));
  EXPECT_EQ(Load(m.id).detail, "delivered");
  EXPECT_EQ(Load(m.id).status, MessageStatus::kSent);
  // failed: dead, and a late "delivered" does not revive it.
  EXPECT_THAT(store_->RecordDeliveryReport(m.id, MessageStatus::kDead, "failed: 30003"),
              IsOkAndHolds(true));
  EXPECT_THAT(store_->RecordDeliveryReport(m.id, MessageStatus::kSent, "delivered"),
              IsOkAndHolds(false));
  EXPECT_EQ(Load(m.id).status, MessageStatus::kDead);
  EXPECT_EQ(Load(m.id).detail, "failed: 30003");
  EXPECT_EQ(Load(m.id).attempts, 1);
  // Never handed over, unknown id, a status a provider cannot report.
  EXPECT_THAT(store_->RecordDeliveryReport(waiting.id, MessageStatus::kSent, "delivered"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(Load(waiting.id).status, MessageStatus::kPlanned);
  EXPECT_THAT(store_->RecordDeliveryReport(999, MessageStatus::kSent, "delivered"),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->RecordDeliveryReport(m.id, MessageStatus::kRetry, "x"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(StoreConformanceTest, FindCustomerByPhone) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("customers"));
  CustomerRecord a = Customer("a");
  a.phone = "+905551234567";
  CustomerRecord b = Customer("b");
  b.phone = "+989121234567";
  CustomerRecord c = Customer("c");
  ASSERT_THAT(session->UpsertCustomer(a), IsOk());
  ASSERT_THAT(session->UpsertCustomer(b), IsOk());
  ASSERT_THAT(session->UpsertCustomer(c), IsOk());
  ASSERT_THAT(session->Commit(), IsOk());
  EXPECT_THAT(store_->FindCustomerByPhone("+989121234567"),
              IsOkAndHolds(std::optional<CustomerKey>(CustomerKey(2))));
  EXPECT_THAT(store_->FindCustomerByPhone("+905551234567"),
              IsOkAndHolds(std::optional<CustomerKey>(CustomerKey(1))));
  EXPECT_THAT(store_->FindCustomerByPhone("+10000000000"),
              IsOkAndHolds(std::optional<CustomerKey>()));
  EXPECT_THAT(store_->FindCustomerByPhone(""), IsOkAndHolds(std::optional<CustomerKey>()));
}

TEST_P(StoreConformanceTest, FindCustomerKeysAndHasEvents) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("records"));
  ASSERT_THAT(session->UpsertCustomer(Customer("a")), IsOk());
  ASSERT_THAT(session->UpsertCustomer(Customer("b")), IsOk());
  ASSERT_THAT(session->UpsertEvent(CustomerKey(2),
                                   Event("e1", "b", EventType::kVisit, "2024-03-01T10:00:00Z")),
              IsOk());
  ASSERT_THAT(session->Commit(), IsOk());
  const std::vector<std::string_view> customers{"b", "a", "c", "", "a"};
  EXPECT_THAT(store_->FindCustomerKeys(customers),
              IsOkAndHolds(ElementsAre(std::optional<CustomerKey>(CustomerKey(2)),
                                       std::optional<CustomerKey>(CustomerKey(1)),
                                       std::optional<CustomerKey>(), std::optional<CustomerKey>(),
                                       std::optional<CustomerKey>(CustomerKey(1)))));
  const std::vector<std::string_view> events{"e1", "e2", "b", "e1"};
  EXPECT_THAT(store_->HasEvents(events), IsOkAndHolds(ElementsAre(true, false, false, true)));
  EXPECT_THAT(store_->HasEvents({}), IsOkAndHolds(IsEmpty()));
  // Each call is a read of its own: the store can be written between two.
  WINBACK_ASSERT_OK_AND_ASSIGN(auto more, store_->BeginImport("more"));
  ASSERT_THAT(more->UpsertEvent(CustomerKey(1),
                                Event("e2", "a", EventType::kVisit, "2024-03-02T10:00:00Z")),
              IsOk());
  ASSERT_THAT(more->Commit(), IsOk());
  EXPECT_THAT(store_->HasEvents(events), IsOkAndHolds(ElementsAre(true, true, false, true)));
}

TEST(OutboxNamesTest, StatusNamesRoundTrip) {
  for (int i = 0; i < kMessageStatusCount; ++i) {
    const auto status = static_cast<MessageStatus>(i);
    EXPECT_EQ(MessageStatusFromName(MessageStatusName(status)), status);
  }
  EXPECT_EQ(MessageStatusName(MessageStatus::kCancelled), "cancelled");
  EXPECT_EQ(MessageStatusFromName("Sent"), std::nullopt);
  EXPECT_EQ(JourneyStateName(JourneyState::kSuppressed), "suppressed");
}

INSTANTIATE_TEST_SUITE_P(StoreConformance, OutboxConformanceTest,
                         ::testing::ValuesIn(ConformanceBackends()),
                         [](const ::testing::TestParamInfo<ConformanceBackend>& backend) {
                           return backend.param.name;
                         });

INSTANTIATE_TEST_SUITE_P(StoreConformance, StoreConformanceTest,
                         ::testing::ValuesIn(ConformanceBackends()),
                         [](const ::testing::TestParamInfo<ConformanceBackend>& backend) {
                           return backend.param.name;
                         });

}  // namespace
}  // namespace winback::store::conformance
