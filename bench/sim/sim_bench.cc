// Benchmark of the business simulator: wall time of Simulate() for N customers written to a
// temporary directory (files removed afterwards), reported as customers/s and rows/s (rows of
// customers.csv, orders.csv, events.csv and truth.csv).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/simulator.h"

namespace {

void BM_Simulate(benchmark::State& state) {
  winback::sim::SimOptions options = winback::sim::DefaultOptions();
  options.customers = state.range(0);
  options.seed = 1;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "winback_sim_bench";
  winback::sim::SimStats stats;
  std::uintmax_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
    winback::Result<winback::sim::SimStats> result = winback::sim::Simulate(options, dir.string());
    if (!result.ok()) {
      state.SkipWithError(result.status().ToString().c_str());
      break;
    }
    stats = *result;
    state.PauseTiming();
    bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) bytes += entry.file_size();
    state.ResumeTiming();
  }
  std::filesystem::remove_all(dir);
  const double rows = static_cast<double>(2 * stats.customers + stats.orders + stats.events);
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["customers/s"] = benchmark::Counter(
      static_cast<double>(stats.customers) * iterations, benchmark::Counter::kIsRate);
  state.counters["rows/s"] = benchmark::Counter(rows * iterations, benchmark::Counter::kIsRate);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(bytes) * iterations / 1e6,
                                              benchmark::Counter::kIsRate);
  state.counters["orders"] = static_cast<double>(stats.orders);
  state.counters["events"] = static_cast<double>(stats.events);
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}

void Register() {
  std::vector<std::int64_t> sizes = {100'000, 1'000'000};
  if (const char* env = std::getenv("SIM_BENCH_CUSTOMERS")) {
    sizes.clear();
    std::string list = env;
    std::size_t pos = 0;
    while (pos < list.size()) {
      const std::size_t comma = list.find(',', pos);
      const std::string item = list.substr(pos, comma == std::string::npos ? comma : comma - pos);
      if (!item.empty()) sizes.push_back(std::stoll(item));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  for (std::int64_t n : sizes) {
    benchmark::RegisterBenchmark("BM_Simulate", BM_Simulate)
        ->Arg(n)
        ->Unit(benchmark::kSecond)
        ->UseRealTime()
        ->Iterations(n >= 1'000'000 ? 1 : 3);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
