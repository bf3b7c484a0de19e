// Times `winback score` and `winback rates` on a simulated business. Not a Google Benchmark
// loop: each stage runs once on a store too big to rebuild per iteration, and peak memory
// matters as much as time.
//
// Usage: analytics_bench [DIR]   (DIR keeps the store for reruns; default: a temp dir)
// Environment: ANALYTICS_BENCH_CUSTOMERS (default 1,000,000); ANALYTICS_BENCH_READERS (threads
// and connections, default 2); ANALYTICS_BENCH_STREAMS=1 also times scoring from the order and
// event streams (the path for past dates); ANALYTICS_BENCH_MODELS=1 also times the models
// (P(alive), value, CLV, churn risk).
//
// Memory: before each stage the peak RSS is reset (/proc/self/clear_refs), so "peak beyond
// baseline" is that stage's own peak over the RSS of the open stores before it.
#include <fmt/core.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "analytics/rates.h"
#include "analytics/scorer.h"
#include "ingest/importer.h"
#include "scoring/score_models.h"
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

// Resets VmHWM to the current RSS and returns the current RSS in MiB.
double ResetPeak() {
  std::ofstream("/proc/self/clear_refs") << "5";
  return MemoryMiB().second;
}

// CPU seconds (user + system, all threads) used by this process so far. On a shared machine the
// wall-clock times depend on the load; CPU time much less.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const Status& s) {
  fmt::print(stderr, "analytics_bench: {}\n", s.ToString());
  return 1;
}

bool Flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string(v) == "1";
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t customers = 1'000'000;
  if (const char* env = std::getenv("ANALYTICS_BENCH_CUSTOMERS")) customers = std::atoll(env);
  int reader_count = 2;
  if (const char* env = std::getenv("ANALYTICS_BENCH_READERS")) reader_count = std::atoi(env);
  const bool keep = argc > 1;
  const fs::path dir =
      keep ? fs::path(argv[1])
           : fs::temp_directory_path() / ("winback_analytics_bench_" + std::to_string(customers));
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
                    { FileKind::kEvents,
                      (dir / "events.csv").string(),
                      std::nullopt }};
    auto report = winback::ingest::Import(**st, import);
    if (!report.ok()) return Fail(report.status());
    fmt::print("import: {:.1f} s\n", Seconds(t));
  }
  // The stores are opened as the commands open them (a migration, if any, is timed).
  auto t = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<winback::store::Store>> stores;
  for (int i = 0; i < std::max(reader_count, 1); ++i) {
    auto st = winback::store::OpenSqliteStore(db.string(), winback::store::OpenMode::kMustExist);
    if (!st.ok()) return Fail(st.status());
    stores.push_back(std::move(st).value());
  }
  std::vector<winback::store::Store*> readers;
  readers.reserve(stores.size());
  for (auto& s : stores) readers.push_back(s.get());
  fmt::print("customers: {}; {} reader(s); open: {:.2f} s\n", customers, readers.size(),
             Seconds(t));
  // Score as of the day of the latest order or event, as a daily run would: the aggregates
  // are current then.
  const Date as_of = options.end.PlusDays(1);
  const winback::analytics::ScoringConfig config;
  auto per_customer = [&](double mib) { return mib * 1048576.0 / static_cast<double>(customers); };

  for (auto source :
       {winback::analytics::ScoreSource::kAuto, winback::analytics::ScoreSource::kStreams}) {
    if (source == winback::analytics::ScoreSource::kStreams && !Flag("ANALYTICS_BENCH_STREAMS")) {
      continue;
    }
    const double base = ResetPeak();
    t = std::chrono::steady_clock::now();
    const double cpu0 = CpuSeconds();
    auto built =
        winback::analytics::BuildScores(winback::store::AsScanners(readers), config, as_of, source);
    if (!built.ok()) return Fail(built.status());
    const double build_s = Seconds(t);
    const double build_cpu = CpuSeconds() - cpu0;
    const double build_peak = MemoryMiB().first;
    t = std::chrono::steady_clock::now();
    auto writer = readers[0]->BeginScores(as_of);
    if (!writer.ok()) return Fail(writer.status());
    auto summary =
        built->builder.Finish([&](winback::store::CustomerScore& s) { return (*writer)->Add(s); });
    if (!summary.ok()) return Fail(summary.status());
    const double finish_s = Seconds(t);
    auto n = (*writer)->Commit();
    if (!n.ok()) return Fail(n.status());
    fmt::print("  (rank and hand out {:.2f} s, commit {:.2f} s)\n", finish_s,
               Seconds(t) - finish_s);
    const double write_s = Seconds(t);
    const double write_cpu = CpuSeconds() - cpu0 - build_cpu;
    const double peak = MemoryMiB().first;
    fmt::print(
        "score from the {} ({} customers): read + compute {:.2f} s (cpu {:.2f} s), rank + "
        "write {:.2f} s (cpu {:.2f} s), total {:.2f} s\n",
        winback::analytics::ScoreSourceName(built->source), *n, build_s, build_cpu, write_s,
        write_cpu, build_s + write_s);
    fmt::print(
        "  peak RSS beyond baseline ({:.0f} MiB): {:.0f} B/customer after reading, "
        "{:.0f} B/customer overall\n",
        base, per_customer(build_peak - base), per_customer(peak - base));
  }

  {
    t = std::chrono::steady_clock::now();
    std::int64_t read = 0;
    const Status scan = readers[0]->ForEachScore(as_of, [&](const winback::store::CustomerScore&) {
      ++read;
      return Status::Ok();
    });
    if (!scan.ok()) return Fail(scan);
    fmt::print("read the scores back (ForEachScore): {} in {:.2f} s\n", read, Seconds(t));
  }

  if (Flag("ANALYTICS_BENCH_MODELS")) {
    const double base = ResetPeak();
    t = std::chrono::steady_clock::now();
    const double cpu0 = CpuSeconds();
    auto models = winback::scoring::ScoreModels::Compute(readers, as_of, {});
    if (!models.ok()) return Fail(models.status());
    fmt::print(
        "models (BG/NBD + Gamma-Gamma + churn classifier): {:.2f} s (cpu {:.2f} s), peak "
        "{:.0f} B/customer beyond baseline\n",
        Seconds(t), CpuSeconds() - cpu0, per_customer(MemoryMiB().first - base));
    for (const std::string& note : models->notes()) fmt::print("  note: {}\n", note);
  }

  {
    const double base = ResetPeak();
    t = std::chrono::steady_clock::now();
    const double cpu0 = CpuSeconds();
    auto history = winback::analytics::OrderDayHistory::Load(winback::store::AsScanners(readers));
    if (!history.ok()) return Fail(history.status());
    const double load_s = Seconds(t);
    auto b = winback::analytics::PeriodBoundaries(winback::analytics::Period::kMonth,
                                                  Date::FromDays(history->first_day()),
                                                  Date::FromDays(history->last_day()));
    if (!b.ok()) return Fail(b.status());
    winback::analytics::RatesAccumulator acc(*b, 180);
    history->AddTo(acc);
    fmt::print(
        "rates, {} months over {} completed orders: {:.2f} s (reading {:.2f} s; cpu {:.2f} "
        "s), peak {:.0f} B/customer beyond baseline\n",
        b->size() - 1, history->orders(), Seconds(t), load_s, CpuSeconds() - cpu0,
        per_customer(MemoryMiB().first - base));
  }
  if (!keep) fs::remove_all(dir);
  return 0;
}
