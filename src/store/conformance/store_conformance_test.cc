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

INSTANTIATE_TEST_SUITE_P(StoreConformance, StoreConformanceTest,
                         ::testing::ValuesIn(ConformanceBackends()),
                         [](const ::testing::TestParamInfo<ConformanceBackend>& backend) {
                           return backend.param.name;
                         });

}  // namespace
}  // namespace winback::store::conformance
