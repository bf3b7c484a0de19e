// Times scoring and monthly rates on a simulated business. Not a Google Benchmark loop: each
// stage runs once on a store too big to rebuild per iteration, and peak memory matters as much
// as time. Usage: analytics_bench [DIR]  (DIR keeps the store for reruns; default: a temp dir)
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "analytics/customer_metrics.h"
#include "analytics/rates.h"
#include "analytics/scorer.h"
#include "ingest/importer.h"
#include "sim/simulator.h"
#include "store/sqlite/sqlite_store.h"

namespace {

namespace fs = std::filesystem;
using winback::Date;
using winback::Status;

// Peak and current resident set size in MiB from /proc/self/status.
std::pair<double, double> MemoryMiB() {
  std::ifstream in("/proc/self/status");
  std::string key;
  double hwm = 0, rss = 0;
  while (in >> key) {
    if (key == "VmHWM:") in >> hwm;
    if (key == "VmRSS:") in >> rss;
  }
  return {hwm / 1024.0, rss / 1024.0};
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const Status& s) {
  fmt::print(stderr, "analytics_bench: {}\n", s.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t customers = 1'000'000;
  if (const char* env = std::getenv("ANALYTICS_BENCH_CUSTOMERS")) customers = std::atoll(env);
  const bool keep = argc > 1;
  const fs::path dir = keep ? fs::path(argv[1])
                            : fs::temp_directory_path() /
                                  ("winback_analytics_bench_" + std::to_string(customers));
  fs::create_directories(dir);
  winback::sim::SimOptions options = winback::sim::DefaultOptions();
  options.customers = customers;
  options.seed = 11;
  const fs::path db = dir / "bench.db";
  if (!fs::exists(db)) {
    auto t = std::chrono::steady_clock::now();
    auto sim = winback::sim::Simulate(options, dir.string());
    if (!sim.ok()) return Fail(sim.status());
    fmt::print("simulate {} customers: {:.1f} s\n", customers, Seconds(t));
    t = std::chrono::steady_clock::now();
    auto st = winback::store::OpenSqliteStore(db.string());
    if (!st.ok()) return Fail(st.status());
    winback::ingest::ImportOptions import;
    using winback::ingest::FileKind;
    import.files = {{FileKind::kCustomers, (dir / "customers.csv").string(), std::nullopt},
                    {FileKind::kOrders, (dir / "orders.csv").string(), std::nullopt},
                    {FileKind::kEvents, (dir / "events.csv").string(), std::nullopt}};
    auto report = winback::ingest::Import(**st, import);
    if (!report.ok()) return Fail(report.status());
    fmt::print("import: {:.1f} s\n", Seconds(t));
  }
  // Measure in a fresh process state as far as possible: the store is reopened.
  auto st = winback::store::OpenSqliteStore(db.string(), winback::store::OpenMode::kMustExist);
  if (!st.ok()) return Fail(st.status());
  winback::store::Store& store = **st;
  const auto [hwm0, rss0] = MemoryMiB();
  fmt::print("customers: {}; baseline RSS {:.0f} MiB (peak so far {:.0f} MiB)\n", customers, rss0,
             hwm0);

  // The store's share of the time: the two streams with callbacks that do nothing.
  auto t = std::chrono::steady_clock::now();
  std::int64_t rows = 0;
  Status noop = store.ForEachCustomerOrders(
      [&](winback::CustomerKey, std::span<const winback::store::OrderPoint> o) {
        rows += static_cast<std::int64_t>(o.size());
        return Status::Ok();
      });
  if (!noop.ok()) return Fail(noop);
  fmt::print("store scan, orders ({} rows, no-op callback): {:.2f} s\n", rows, Seconds(t));
  t = std::chrono::steady_clock::now();
  rows = 0;
  noop = store.ForEachCustomerEvents(
      [&](winback::CustomerKey, std::span<const winback::store::EventPoint> e) {
        rows += static_cast<std::int64_t>(e.size());
        return Status::Ok();
      });
  if (!noop.ok()) return Fail(noop);
  fmt::print("store scan, events ({} rows, no-op callback): {:.2f} s\n", rows, Seconds(t));

  const winback::analytics::ScoringConfig config;
  t = std::chrono::steady_clock::now();
  auto scores = winback::analytics::ScoreStore(store, config, options.end);
  if (!scores.ok()) return Fail(scores.status());
  const double score_s = Seconds(t);
  const auto [hwm1, rss1] = MemoryMiB();
  t = std::chrono::steady_clock::now();
  const Status w = store.WriteScores(options.end, *scores);
  if (!w.ok()) return Fail(w);
  const double write_s = Seconds(t);
  const auto [hwm2, rss2] = MemoryMiB();
  fmt::print("score (compute): {:.2f} s, RSS after {:.0f} MiB, peak {:.0f} MiB\n", score_s, rss1,
             hwm1);
  fmt::print("score (WriteScores): {:.2f} s, peak {:.0f} MiB\n", write_s, hwm2);
  fmt::print("peak beyond baseline: {:.0f} bytes/customer (compute only: {:.0f})\n",
             (hwm2 - rss0) * 1048576.0 / static_cast<double>(customers),
             (hwm1 - rss0) * 1048576.0 / static_cast<double>(customers));
  scores = std::vector<winback::store::CustomerScore>();

  t = std::chrono::steady_clock::now();
  auto b = winback::analytics::PeriodBoundaries(winback::analytics::Period::kMonth,
                                                options.start, options.end);
  if (!b.ok()) return Fail(b.status());
  winback::analytics::RatesAccumulator acc(*b, 180);
  std::vector<std::int32_t> days;
  const Status scan = store.ForEachCustomerOrders(
      [&](winback::CustomerKey, std::span<const winback::store::OrderPoint> orders) {
        winback::analytics::CompletedOrderDays(orders, options.end, days);
        acc.Add(days);
        return Status::Ok();
      });
  if (!scan.ok()) return Fail(scan);
  fmt::print("rates, {} months: {:.2f} s\n", b->size() - 1, Seconds(t));
  if (!keep) fs::remove_all(dir);
  return 0;
}
