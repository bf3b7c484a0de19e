// The floor under `winback import`: what SQLite on this machine does with nothing but prepared
// INSERTs of order rows (the store's orders table, no index), in one WAL transaction. No
// parsing, no validation. Compare its rows/s with import_bench.sh.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

void BM_SqlitePlainInsert(benchmark::State& state) {
  const auto rows = static_cast<int>(state.range(0));
  const std::string path = "/tmp/winback_sqlite_floor_" + std::to_string(::getpid()) + ".db";
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
                 "CREATE TABLE orders (oid INTEGER PRIMARY KEY, id TEXT NOT NULL, cid INTEGER "
                 "NOT NULL, placed_at INTEGER NOT NULL, utc_offset INTEGER NOT NULL, amount "
                 "INTEGER NOT NULL, currency TEXT NOT NULL, status INTEGER NOT NULL, items_hash "
                 "INTEGER NOT NULL, batch INTEGER NOT NULL);",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO orders (id, cid, placed_at, utc_offset, amount, currency, "
                       "status, items_hash, batch) VALUES (?,?,?,?,?,?,?,?,?)",
                       -1, &insert, nullptr);
    state.ResumeTiming();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    char id[32];
    for (int i = 0; i < rows; ++i) {
      const int customer = i / 2 + 1;
      const int n = std::snprintf(id, sizeof id, "o%d-%d", customer, i % 2 + 1);
      sqlite3_bind_text(insert, 1, id, n, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 2, customer);
      sqlite3_bind_int64(insert, 3, 1'700'000'000'000'000LL + i * 1'000'000LL);
      sqlite3_bind_int64(insert, 4, 180);
      sqlite3_bind_int64(insert, 5, 1234 + i % 100);
      sqlite3_bind_text(insert, 6, "USD", 3, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 7, 0);
      sqlite3_bind_int64(insert, 8, 0);
      sqlite3_bind_int64(insert, 9, 1);
      if (sqlite3_step(insert) != SQLITE_DONE) state.SkipWithError(sqlite3_errmsg(db));
      sqlite3_reset(insert);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    state.PauseTiming();
    sqlite3_finalize(insert);
    sqlite3_close(db);
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    state.ResumeTiming();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SqlitePlainInsert)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
