// Incremental aggregates (AggregateBuilder::MergeInto, MergeAggregates and the import session
// that chooses between them) against the full recompute, on random histories.
#include "store/sqlite/aggregate_merge.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/random.h"
#include "store/aggregate_builder.h"
#include "store/sqlite/aggregate_recompute.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::store::sqlite {
namespace {

constexpr std::int64_t kDay = 86'400'000'000;           // microseconds
constexpr std::int64_t kStart = 1'704'067'200'000'000;  // 2024-01-01T00:00:00Z

std::uint64_t Below(Xoshiro256& rng, std::uint64_t n) { return rng.Next() % n; }
bool Chance(Xoshiro256& rng, double p) { return rng.Uniform() < p; }
template <typename T, std::size_t N>
const T& Pick(Xoshiro256& rng, const T (&options)[N]) {
  return options[Below(rng, N)];
}

// One order or event as the aggregates read it, with the order the store's indexes give:
// orders by (placed_at, utc_offset, amount, currency, status), events by (at, type, channel,
// reason, score), then by insertion.
struct Row {
  bool order = false;
  std::int64_t at = 0;
  std::int32_t offset = 0;
  std::int64_t amount = 0;
  std::string currency;
  int status = 0;
  int type = 0;
  std::string channel, reason;
  std::optional<std::int64_t> score;
  std::int64_t seq = 0;

  auto SortKey() const {
    using Key = std::tuple<std::int64_t, int, std::int64_t, std::string, int, std::string,
                           std::optional<std::int64_t>, std::int64_t>;
    return order ? Key(at, offset, amount, currency, status, "", std::nullopt, seq)
                 : Key(at, type, 0, channel, 0, reason, score, seq);
  }
  void Feed(AggregateBuilder& b) const {
    if (order) {
      b.AddOrder(Instant::FromUnixMicros(at), offset, amount, currency,
                 static_cast<OrderStatus>(status));
    } else {
      b.AddEvent(static_cast<EventType>(type), Instant::FromUnixMicros(at), channel, reason, score);
    }
  }
};

CustomerAggregates InStoreOrder(std::vector<Row> rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.SortKey() < b.SortKey(); });
  AggregateBuilder b{CustomerKey(1)};
  for (const Row& r : rows) {
    if (r.order) r.Feed(b);
  }
  for (const Row& r : rows) {
    if (!r.order) r.Feed(b);
  }
  return b.Finish();
}

// A random row after `clock` (advanced), or with probability `out_of_order` anywhere before.
Row RandomRow(Xoshiro256& rng, std::int64_t& clock, double out_of_order, std::int64_t seq) {
  static constexpr const char* kCurrencies[] = {"TRY", "TRY", "TRY", "EUR", "USD"};
  static constexpr std::int32_t kOffsets[] = {0, 0, 180, 210, -300, 840, -840};
  static constexpr const char* kChannels[] = {"", "email", "sms", "whatsapp", "fax"};
  static constexpr const char* kReasons[] = {"", "price", "service", "satisfied", "unsatisfied"};
  Row r;
  r.seq = seq;
  if (Chance(rng, out_of_order)) {
    r.at = kStart + static_cast<std::int64_t>(Below(rng, 200)) * kDay / 4;
  } else {
    // Steps of a quarter day, sometimes none (ties), sometimes days.
    clock += static_cast<std::int64_t>(Below(rng, 9)) * kDay / 4;
    r.at = clock;
  }
  r.order = Chance(rng, 0.4);
  if (r.order) {
    r.offset = Pick(rng, kOffsets);
    r.amount = static_cast<std::int64_t>(Below(rng, 100000));
    r.currency = Pick(rng, kCurrencies);
    r.status = Chance(rng, 0.8) ? 0 : static_cast<int>(1 + Below(rng, 2));
  } else {
    // Exit reasons often, so that their ties (the later row wins) come up.
    r.type = Chance(rng, 0.2)
                 ? static_cast<int>(Chance(rng, 0.5) ? EventType::kExitSurvey
                                                     : EventType::kSubscriptionCancelled)
                 : static_cast<int>(Below(rng, kEventTypeCount));
    r.channel = Pick(rng, kChannels);
    r.reason = Pick(rng, kReasons);
    if (Chance(rng, 0.5)) r.score = static_cast<std::int64_t>(1 + Below(rng, 5));
  }
  return r;
}

// MergeInto, whenever it answers, gives what Finish() over all the rows in the store's order
// gives; and on histories that only move forward in time it answers nearly always.
TEST(AggregateBuilderMergeTest, MergedEqualsFinishOverAllRows) {
  for (const double out_of_order : {0.0, 0.3}) {
    int merged = 0, declined = 0;
    for (std::uint64_t seed = 1; seed <= 3000; ++seed) {
      Xoshiro256 rng(seed);
      std::int64_t clock = kStart;
      std::vector<Row> rows;
      const int stored = static_cast<int>(Below(rng, 12));
      const int added = 1 + static_cast<int>(Below(rng, 6));
      for (int i = 0; i < stored + added; ++i) {
        rows.push_back(RandomRow(rng, clock, out_of_order, i));
        // Forward histories keep to days: a new order on a later day than the stored ones.
        if (out_of_order == 0.0 && i + 1 == stored) clock += 3 * kDay;
      }
      const std::vector<Row> old(rows.begin(), rows.begin() + stored);
      AggregateBuilder fresh{CustomerKey(1)};
      for (std::size_t i = static_cast<std::size_t>(stored); i < rows.size(); ++i) {
        rows[i].Feed(fresh);
      }
      const std::optional<CustomerAggregates> got = std::move(fresh).MergeInto(InStoreOrder(old));
      if (!got) {
        ++declined;
        continue;
      }
      ++merged;
      ASSERT_EQ(*got, InStoreOrder(rows)) << "seed " << seed << " out_of_order " << out_of_order;
    }
    if (out_of_order == 0.0) {
      // Declined forward histories: exit events at one instant, and main currencies that a
      // few new orders in others could overturn.
      EXPECT_GT(merged, 3 * declined) << merged << " merged, " << declined << " declined";
    } else {
      EXPECT_GT(merged, 0);
      EXPECT_GT(declined, 0);
    }
  }
}

TEST(AggregateBuilderMergeTest, DeclinesWhatTheStoredAggregatesCannotDecide) {
  auto t = [](int day, int hour = 12) {
    return Instant::FromUnixMicros(kStart + day * kDay + hour * kDay / 24);
  };
  AggregateBuilder stored_rows{CustomerKey(1)};
  stored_rows.AddOrder(t(10), 0, 500, "TRY", OrderStatus::kCompleted);
  stored_rows.AddOrder(t(11), 0, 700, "EUR", OrderStatus::kCompleted);
  stored_rows.AddEvent(EventType::kExitSurvey, t(11), "", "price", std::nullopt);
  const CustomerAggregates stored = stored_rows.Finish();  // TRY 1 = EUR 1: TRY was first.

  {  // A completed order on the stored last order's day: that day may already be counted.
    AggregateBuilder b{CustomerKey(1)};
    b.AddOrder(t(11, 20), 0, 100, "TRY", OrderStatus::kCompleted);
    EXPECT_FALSE(std::move(b).MergeInto(stored).has_value());
  }
  {  // Two days later, in the main currency: merged, one more purchase day.
    AggregateBuilder b{CustomerKey(1)};
    b.AddOrder(t(13), 0, 100, "TRY", OrderStatus::kCompleted);
    const std::optional<CustomerAggregates> got = std::move(b).MergeInto(stored);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->orders, 3);
    EXPECT_EQ(got->purchase_days, 3);
    EXPECT_EQ(got->currency, "TRY");
    EXPECT_EQ(got->revenue_minor, 600);
    EXPECT_EQ(got->other_currency_orders, 1);
  }
  {  // In another currency: TRY 1 against 2 others, so which one leads is not known.
    AggregateBuilder b{CustomerKey(1)};
    b.AddOrder(t(13), 0, 100, "USD", OrderStatus::kCompleted);
    EXPECT_FALSE(std::move(b).MergeInto(stored).has_value());
  }
  {  // A refund changes no day and no currency.
    AggregateBuilder b{CustomerKey(1)};
    b.AddOrder(t(11, 20), 0, 100, "USD", OrderStatus::kRefunded);
    const std::optional<CustomerAggregates> got = std::move(b).MergeInto(stored);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->refunded_orders, 1);
  }
  {  // An exit reason at the stored exit time: the later row wins, and row order is the store's.
    AggregateBuilder b{CustomerKey(1)};
    b.AddEvent(EventType::kSubscriptionCancelled, t(11), "", "service", std::nullopt);
    EXPECT_FALSE(std::move(b).MergeInto(stored).has_value());
  }
  {  // Two new reasons at one later time: the same.
    AggregateBuilder b{CustomerKey(1)};
    b.AddEvent(EventType::kExitSurvey, t(12), "", "service", std::nullopt);
    b.AddEvent(EventType::kExitSurvey, t(12), "", "moved", std::nullopt);
    EXPECT_FALSE(std::move(b).MergeInto(stored).has_value());
  }
  {  // One later reason replaces the stored one; an earlier one does not.
    AggregateBuilder b{CustomerKey(1)};
    b.AddEvent(EventType::kExitSurvey, t(12), "", "service", std::nullopt);
    b.AddEvent(EventType::kExitSurvey, t(5), "", "moved", std::nullopt);
    const std::optional<CustomerAggregates> got = std::move(b).MergeInto(stored);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->exit_reason, "service");
    EXPECT_EQ(got->exit_at, t(12));
  }
}

// The columns of customer_aggregates, every one, as SQL literals: rows compare byte for byte.
std::string Dump(Database& db) {
  Result<std::optional<std::int64_t>> columns =
      db.QueryInt("SELECT count(*) FROM pragma_table_info('customer_aggregates')");
  EXPECT_THAT(columns, IsOk());
  Statement names =
      std::move(db.Prepare("SELECT name FROM pragma_table_info('customer_aggregates')")).value();
  std::string select;
  while (std::move(names.Step()).value()) {
    if (!select.empty()) select += " || ',' || ";
    select += "quote(" + std::string(names.ColumnText(0)) + ")";
  }
  std::int64_t quoted = 0;
  for (std::size_t at = select.find("quote("); at != std::string::npos;
       at = select.find("quote(", at + 1)) {
    ++quoted;
  }
  EXPECT_EQ(quoted, columns->value_or(0));
  Statement rows =
      std::move(db.Prepare("SELECT " + select + " FROM customer_aggregates ORDER BY cid")).value();
  std::string out;
  while (std::move(rows.Step()).value()) {
    out += rows.ColumnText(0);
    out += '\n';
  }
  return out;
}

class AggregateMergeStoreTest : public ::testing::Test {
 protected:
  // The aggregates as stored, and as a full recompute of every customer writes them.
  std::pair<std::string, std::string> StoredAndRecomputed(const std::string& path) {
    Database db = std::move(Database::Open(path)).value();
    const std::string stored = Dump(db);
    EXPECT_THAT(db.Exec("BEGIN"), IsOk());
    EXPECT_THAT(RecomputeAllAggregates(db), IsOk());
    const std::string recomputed = Dump(db);
    EXPECT_THAT(db.Exec("ROLLBACK"), IsOk());
    return {stored, recomputed};
  }

  testutil::ScratchDir dir_{"winback_merge_test"};
};

// Random histories written through import sessions in random batches: new customers, orders
// and events mostly later than the customer's others (merged), some earlier, at equal times,
// on the same day, in other currencies; stored orders and events changed (a refund, an
// amount, a reason), moved to another customer, or written again unchanged (recomputed or
// left alone). After every commit, the stored aggregates equal those a full recompute writes.
TEST_F(AggregateMergeStoreTest, IncrementalEqualsRecomputeOnRandomHistories) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Xoshiro256 rng(seed * 7919);
    const std::string path = dir_.File("s" + std::to_string(seed) + ".db");
    std::unique_ptr<Store> store = std::move(OpenSqliteStore(path)).value();
    std::vector<std::string> customers;
    std::map<std::string, std::int64_t> clock;  // by customer
    std::map<std::string, OrderRecord> orders;
    std::map<std::string, EventRecord> events;
    std::int64_t next_id = 0;
    const double out_of_order = Chance(rng, 0.5) ? 0.0 : 0.15;
    const int batches = 4 + static_cast<int>(Below(rng, 10));
    for (int batch = 0; batch < batches; ++batch) {
      auto session = std::move(store->BeginImport("random batch")).value();
      std::set<std::string> written;  // A session writes an id once.
      auto new_customer = [&] {
        CustomerRecord c;
        c.id = "c" + std::to_string(customers.size());
        ASSERT_THAT(session->UpsertCustomer(c), IsOk());
        customers.push_back(c.id);
        clock[c.id] = kStart;
      };
      if (customers.empty()) {
        for (int i = 0; i < 3; ++i) new_customer();
      }
      const int ops = 1 + static_cast<int>(Below(rng, 40));
      for (int op = 0; op < ops; ++op) {
        const double what = rng.Uniform();
        const std::string& cust = customers[Below(rng, customers.size())];
        auto key = [&](const std::string& id) {
          return std::move(session->FindCustomer(id)).value().value();
        };
        if (what < 0.05) {
          new_customer();
        } else if (what < 0.80) {  // A new row.
          const Row r = RandomRow(rng, clock[cust], out_of_order, 0);
          const std::string id = (r.order ? "o" : "e") + std::to_string(next_id++);
          written.insert(id);
          if (r.order) {
            OrderRecord o;
            o.id = id;
            o.customer_id = cust;
            o.placed_at = Instant::FromUnixMicros(r.at);
            o.utc_offset_minutes = r.offset;
            o.amount_minor = r.amount;
            o.currency = r.currency;
            o.status = static_cast<OrderStatus>(r.status);
            ASSERT_THAT(session->UpsertOrder(key(cust), o), IsOk());
            orders[id] = o;
          } else {
            EventRecord e;
            e.id = id;
            e.customer_id = cust;
            e.type = static_cast<EventType>(r.type);
            e.at = Instant::FromUnixMicros(r.at);
            e.channel = r.channel;
            e.reason = r.reason;
            e.score = r.score;
            if (Chance(rng, 0.2)) e.present.Clear(EventField::kReason);
            if (Chance(rng, 0.2)) e.present.Clear(EventField::kScore);
            ASSERT_THAT(session->UpsertEvent(key(cust), e), IsOk());
            events[id] = e;
          }
        } else if (what < 0.92 && !orders.empty()) {  // A stored order again.
          auto it = orders.begin();
          std::advance(it, static_cast<long>(Below(rng, orders.size())));
          if (written.contains(it->first)) continue;
          written.insert(it->first);
          OrderRecord o = it->second;
          const double change = rng.Uniform();
          if (change < 0.3) {
            o.status = OrderStatus::kRefunded;
          } else if (change < 0.5) {
            o.amount_minor += 1;
          } else if (change < 0.7) {
            o.customer_id = cust;  // Moved.
          }                        // Else unchanged: nothing is written.
          ASSERT_THAT(session->UpsertOrder(key(o.customer_id), o), IsOk());
          it->second = o;
        } else if (!events.empty()) {  // A stored event again.
          auto it = events.begin();
          std::advance(it, static_cast<long>(Below(rng, events.size())));
          if (written.contains(it->first)) continue;
          written.insert(it->first);
          EventRecord e = it->second;
          const double change = rng.Uniform();
          if (change < 0.3) {
            e.reason = e.reason == "price" ? "service" : "price";
          } else if (change < 0.5) {
            e.at = e.at.PlusSeconds(3600);
          } else if (change < 0.7) {
            e.customer_id = cust;
          }
          ASSERT_THAT(session->UpsertEvent(key(e.customer_id), e), IsOk());
          it->second = e;
        }
      }
      ASSERT_THAT(session->Commit(), IsOk());
      const auto [stored, recomputed] = StoredAndRecomputed(path);
      ASSERT_EQ(stored, recomputed) << "seed " << seed << " batch " << batch;
      ASSERT_EQ(std::count(stored.begin(), stored.end(), '\n'),
                static_cast<std::ptrdiff_t>(customers.size()));
    }
  }
}

// A session with new rows for more customers than it keeps deltas for (65,536) merges them
// part way through; a customer's rows after that build on the merged row, and a customer whose
// stored row changes after its delta was merged is recomputed at the commit.
TEST_F(AggregateMergeStoreTest, LargeSessionsMergeInParts) {
  const std::string path = dir_.File("large.db");
  std::unique_ptr<Store> store = std::move(OpenSqliteStore(path)).value();
  constexpr int kCustomers = 70'000;
  auto visit = [](int n, int customer, std::int64_t day) {
    EventRecord e;
    e.id = "e" + std::to_string(n);
    e.customer_id = "c" + std::to_string(customer);
    e.type = n % 3 == 0 ? EventType::kComplaint : EventType::kVisit;
    e.at = Instant::FromUnixMicros(kStart + day * kDay);
    return e;
  };
  {
    auto session = std::move(store->BeginImport("customers")).value();
    for (int i = 0; i < kCustomers; ++i) {
      CustomerRecord c;
      c.id = "c" + std::to_string(i);
      ASSERT_THAT(session->UpsertCustomer(c), IsOk());
    }
    ASSERT_THAT(session->UpsertEvent(CustomerKey(1), visit(0, 0, 0)), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  auto session = std::move(store->BeginImport("many")).value();
  int n = 1;
  for (int i = 0; i < kCustomers; ++i) {
    ASSERT_THAT(session->UpsertEvent(CustomerKey(i + 1), visit(n++, i, 1 + i % 5)), IsOk());
  }
  for (int i = 0; i < 100; ++i) {  // Merged already: new deltas on the merged rows.
    ASSERT_THAT(session->UpsertEvent(CustomerKey(i + 1), visit(n++, i, 10)), IsOk());
  }
  // A stored event moves from customer 0 to customer 1 (both merged before): both recomputed.
  EventRecord moved = visit(0, 1, 0);
  ASSERT_THAT(session->UpsertEvent(CustomerKey(2), moved), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(ImportCounts counts, session->Commit());
  EXPECT_EQ(counts.aggregates_updated, kCustomers);
  session.reset();
  const auto [stored, recomputed] = StoredAndRecomputed(path);
  EXPECT_EQ(std::count(stored.begin(), stored.end(), '\n'), kCustomers);
  EXPECT_TRUE(stored == recomputed);
}

// New rows of a stored customer are merged into the stored aggregates without reading the
// customer's stored rows; a changed row makes the commit recompute from all of them. Shown by
// deleting a stored event behind the store's back: only a recompute notices.
TEST_F(AggregateMergeStoreTest, NewRowsMergeAndChangedRowsRecompute) {
  const std::string path = dir_.File("merge.db");
  std::unique_ptr<Store> store = std::move(OpenSqliteStore(path)).value();
  auto event = [](const std::string& id, const char* day) {
    EventRecord e;
    e.id = id;
    e.customer_id = "c1";
    e.type = EventType::kComplaint;
    e.at = ParseTimestamp(day)->instant;
    return e;
  };
  auto import = [&](const EventRecord& e) {
    auto session = std::move(store->BeginImport("one event")).value();
    if (e.id == "e1") {
      CustomerRecord c;
      c.id = "c1";
      ASSERT_THAT(session->UpsertCustomer(c), IsOk());
    }
    const CustomerKey c1 = std::move(session->FindCustomer("c1")).value().value();
    ASSERT_THAT(session->UpsertEvent(c1, e), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  };
  auto complaints = [&] {
    Database db = std::move(Database::Open(path)).value();
    return std::move(db.QueryInt("SELECT complaints FROM customer_aggregates WHERE cid = 1"))
        .value()
        .value_or(-1);
  };
  import(event("e1", "2024-01-01T00:00:00Z"));
  import(event("e2", "2024-01-02T00:00:00Z"));
  EXPECT_EQ(complaints(), 2);
  {
    Database db = std::move(Database::Open(path)).value();
    ASSERT_THAT(db.Exec("DELETE FROM events WHERE id = 'e1'"), IsOk());
  }
  import(event("e3", "2024-01-03T00:00:00Z"));  // New: stored 2 + 1.
  EXPECT_EQ(complaints(), 3);
  import(event("e2", "2024-01-05T00:00:00Z"));  // Changed: e2 and e3 are all there is.
  EXPECT_EQ(complaints(), 2);
}

}  // namespace
}  // namespace winback::store::sqlite
