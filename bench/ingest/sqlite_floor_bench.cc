// The floor under `winback import`: what SQLite on this machine does with order rows when
// nothing else happens (no parsing, no validation, no aggregate arithmetic). Compare its
// rows/s with import_bench.sh.
//
//   BM_InsertOneStatementPerRow  prepared INSERT per row into the store's orders table (no
//                                index), one transaction: the old write path.
//   BM_InsertBatched             the same rows through winback_rows, 4096 per statement: the
//                                bulk path of the import.
//   BM_InsertBatchedNoDurability BM_InsertBatched with no journal, no syncing and an exclusive
//                                lock: the most SQLite can write here at all, crash safety given
//                                up. Only to show what durability costs; the import keeps it.
//   BM_ImportFloor               everything SQLite must do for an import of 1M orders of 444k
//                                customers into the store's schema: the batched insert, both
//                                order indexes built, an INSERT OR REPLACE of every customer's
//                                33-column aggregates row (1024 per statement), the commit.
//                                winback's import cannot be faster than this.
//
// Each includes closing the database, which checkpoints the WAL into the database file, as the
// end of the `winback import` command that import_bench.sh times does. Times and rows/s are
// wall-clock, as import_bench.sh's.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "store/sqlite/row_batch.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {
namespace {

constexpr int kRows = 1'000'000;
constexpr int kCustomers = 444'444;  // import_bench.sh's ratio: 2.25 orders per customer.

// A fresh store file with `kCustomers` customers and their (empty) aggregates, inside an
// open transaction, the order indexes dropped as a bulk load drops them.
struct Fixture {
  // The store's settings (OpenSqliteStore in sqlite_store.cc).
  static constexpr const char* kDurable =
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; "
      "PRAGMA cache_size = -262144; PRAGMA threads = 2;";
  // Crash safety given up: no rollback journal or WAL, no fsync, no lock traffic.
  static constexpr const char* kNoDurability =
      "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; "
      "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144; PRAGMA threads = 2;";

  const char* pragmas = kDurable;
  std::string path = "/tmp/winback_sqlite_floor_" + std::to_string(::getpid()) + ".db";
  std::optional<Database> db;  // Open() fills it.

  static void Remove(const std::string& p) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
  }

  bool Open(benchmark::State& state) {
    Remove(path);
    Result<Database> opened = Database::Open(path);
    if (!opened.ok()) {
      state.SkipWithError(opened.status().message().c_str());
      return false;
    }
    db.emplace(std::move(opened).value());
    Status s = db->Exec(pragmas);
    if (s.ok()) s = Migrate(*db, kSchemaVersion);
    if (s.ok()) {
      s = db->Exec(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 444444) "
          "INSERT INTO customers (cid, id, batch) SELECT i, 'c' || i, 1 FROM n;"
          "INSERT INTO customer_aggregates (cid, scoring, orders, refunded_orders, "
          "cancelled_orders, purchase_days, revenue, other_currency_orders, complaints, "
          "tickets_opened, tickets_satisfied, tickets_unsatisfied, referrals, reviews, "
          "review_score_sum, carts_abandoned, payment_defaults, feature_requests, "
          "unsubscribed_channels, bounced_channels) SELECT cid, x'00', 0, 0, 0, 0, 0, 0, 0, 0, "
          "0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM customers;");
    }
    if (s.ok()) s = db->Exec("BEGIN IMMEDIATE");
    if (s.ok()) s = DropBulkIndexes(*db, "orders");
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      return false;
    }
    return true;
  }

  ~Fixture() {
    db.reset();
    Remove(path);
  }
};

// The customer of order i: orders come grouped by customer, in key order, as the
// simulator's orders.csv that import_bench.sh imports does.
int CustomerOf(int i) {
  return static_cast<int>(static_cast<std::int64_t>(i) * kCustomers / kRows) + 1;
}

// Order i: its id is written into `id` (32 bytes) and `emit` is called with each of its ten
// cells in the orders table's column order (oid, id, cid, placed_at, utc_offset, amount,
// currency, status, items_hash, batch), an integer or a text.
template <typename Emit>
void EmitOrder(int i, char* id, Emit&& emit) {
  const int customer = CustomerOf(i);
  const int n = std::snprintf(id, 32, "o%d-%d", customer, i);
  emit(std::int64_t{i + 1});
  emit(std::string_view(id, static_cast<std::size_t>(n)));
  emit(std::int64_t{customer});
  emit(1'700'000'000'000'000LL + static_cast<std::int64_t>(i) * 1'000'000LL);
  emit(std::int64_t{180});
  emit(std::int64_t{1234 + i % 100});
  emit(std::string_view("USD"));
  emit(std::int64_t{0});
  emit(std::int64_t{0});
  emit(std::int64_t{1});
}

// Order i's cells, as the importer's bulk path writes them.
void AddOrder(RowBatch& batch, int i, char* id) {
  EmitOrder(i, id, [&](auto v) {
    if constexpr (std::is_same_v<decltype(v), std::string_view>) {
      batch.Text(v);
    } else {
      batch.Int(v);
    }
  });
}

constexpr const char* kInsertBatch =
    "INSERT INTO orders (oid, id, cid, placed_at, utc_offset, amount, currency, status, "
    "items_hash, batch) SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 FROM winback_rows(?1)";

Status InsertBatched(Database& db) {
  WINBACK_ASSIGN_OR_RETURN(Statement insert, db.Prepare(kInsertBatch));
  RowBatch batch(10);
  char id[32];
  for (int i = 0; i < kRows; ++i) {
    AddOrder(batch, i, id);
    if (batch.rows() == 4096) WINBACK_RETURN_IF_ERROR(FlushRows(insert, batch));
  }
  return FlushRows(insert, batch);
}

// Times `work` on a fresh fixture, then the commit and the close (which checkpoints the WAL,
// as the end of `winback import` does), three times.
void TimeWrites(benchmark::State& state, const std::function<Status(Database&)>& work,
                const char* pragmas = Fixture::kDurable) {
  for (auto _ : state) {
    state.PauseTiming();
    Fixture f;
    f.pragmas = pragmas;
    if (!f.Open(state)) break;
    state.ResumeTiming();
    Status s = work(*f.db);
    if (s.ok()) s = f.db->Exec("COMMIT");
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      return;
    }
    f.db.reset();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(kRows) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

Status InsertOneStatementPerRow(Database& db) {
  WINBACK_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO orders (oid, id, cid, placed_at, utc_offset, amount, currency, "
                 "status, items_hash, batch) VALUES (?,?,?,?,?,?,?,?,?,?)"));
  char id[32];
  for (int i = 0; i < kRows; ++i) {
    int parameter = 0;
    EmitOrder(i, id, [&](auto v) {
      if constexpr (std::is_same_v<decltype(v), std::string_view>) {
        insert.BindText(++parameter, v);
      } else {
        insert.BindInt(++parameter, v);
      }
    });
    Status s = insert.Run();
    insert.Reset();
    WINBACK_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

void BM_InsertOneStatementPerRow(benchmark::State& state) {
  TimeWrites(state, InsertOneStatementPerRow);
}
BENCHMARK(BM_InsertOneStatementPerRow)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_InsertBatched(benchmark::State& state) { TimeWrites(state, InsertBatched); }
BENCHMARK(BM_InsertBatched)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_InsertBatchedNoDurability(benchmark::State& state) {
  TimeWrites(state, InsertBatched, Fixture::kNoDurability);
}
BENCHMARK(BM_InsertBatchedNoDurability)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// Every customer's aggregates row replaced, 1024 rows per statement, 33 columns as
// RecomputeAggregates writes them (values synthetic, NULLs where a customer has no events).
Status ReplaceAggregates(Database& db) {
  std::string sql =
      "INSERT OR REPLACE INTO customer_aggregates (cid, scoring, first_order_at, last_order_at, "
      "orders, refunded_orders, cancelled_orders, purchase_days, revenue, currency, "
      "other_currency_orders, last_email_engagement_at, last_sms_engagement_at, "
      "last_whatsapp_engagement_at, last_visit_at, last_chat_at, complaints, last_complaint_at, "
      "tickets_opened, tickets_satisfied, tickets_unsatisfied, referrals, reviews, "
      "review_score_sum, carts_abandoned, last_cart_abandoned_at, payment_defaults, "
      "feature_requests, exit_reason, exit_at, unsubscribed_channels, bounced_channels, "
      "last_activity_at) SELECT " +
      RowBatchColumns(33) + " FROM winback_rows(?1)";
  WINBACK_ASSIGN_OR_RETURN(Statement insert, db.Prepare(sql));
  RowBatch batch(33);
  const std::string scoring(16, '\x05');
  for (int c = 1; c <= kCustomers; ++c) {
    batch.Int(c);
    batch.Blob(scoring);
    batch.Int(1'700'000'000'000'000LL);
    batch.Int(1'700'100'000'000'000LL);
    for (int k = 0; k < 4; ++k) batch.Int(k == 0 ? 2 : 0);
    batch.Int(2469);
    batch.Text("USD");
    batch.Int(0);
    for (int k = 0; k < 5; ++k) batch.Null();
    batch.Int(0);
    batch.Null();
    for (int k = 0; k < 7; ++k) batch.Int(0);
    batch.Null();
    batch.Int(0);
    batch.Int(0);
    batch.Null();
    batch.Null();
    batch.Int(0);
    batch.Int(0);
    batch.Int(1'700'100'000'000'000LL);
    if (batch.rows() == 1024) WINBACK_RETURN_IF_ERROR(FlushRows(insert, batch));
  }
  return FlushRows(insert, batch);
}

void BM_ImportFloor(benchmark::State& state) {
  TimeWrites(state, [](Database& db) {
    WINBACK_RETURN_IF_ERROR(InsertBatched(db));
    WINBACK_RETURN_IF_ERROR(CreateBulkIndexes(db, "orders"));
    return ReplaceAggregates(db);
  });
}
BENCHMARK(BM_ImportFloor)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace winback::store::sqlite

BENCHMARK_MAIN();
