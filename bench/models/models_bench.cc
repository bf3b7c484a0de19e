// models_bench: fitting and scoring speed of the BTYD models at the sizes of the issue.
//   BgNbdFit1M        BG/NBD fit (with standard errors) of 1,000,000 simulated customers
//   Clv12Months2_36M  12-month CLV (BG/NBD + Gamma-Gamma) of 2,360,000 simulated customers
//   ParetoFitMaster   Pareto/NBD fit on the CDNOW master file (23,570 customers)
//   Predict10M        P(alive) + expected purchases (39 weeks) for 10,000,000 customers
//   Predict10MWithClv the same plus expected value and 12-month CLV (Gamma-Gamma spend)
//   ReadSummaryCsv2_36M  ReadSummaryCsv of a 2,360,000-row summary file with ids and spend
//                     (the read of `winback fit --summary`, single-threaded); with
//                     $WINBACK_SUMMARY_CSV set, that file is read instead (fit_summary_bench.sh)
// All use 2 threads; "CPU" is the CPU time of the whole process (all threads), so on an idle
// 2-core machine the real time lies between CPU/2 and CPU. Simulated customers: CDNOW's BG/NBD
// estimates, T uniform in 27..38.86 weeks, times on a daily grid (as real data). The CDNOW file
// is looked up in $WINBACK_CDNOW_DIR or <source>/../shared/data/cdnow.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "models/bgnbd.h"
#include "models/btyd_sim.h"
#include "models/cdnow.h"
#include "models/clv.h"
#include "models/gamma_gamma.h"
#include "models/pareto_nbd.h"
#include "models/summary.h"

namespace winback::models {
namespace {

constexpr int kThreads = 2;
const BgNbdParams kTruth{0.243, 4.414, 0.793, 2.426};
const GammaGammaParams kSpend{6.25, 3.74, 15.44};

SummaryTable Simulated(std::size_t n, std::uint64_t seed, bool spend) {
  SimulationOptions o;
  o.customers = n;
  o.time_resolution = 1.0 / 7.0;
  o.seed = seed;
  SummaryTable t = SimulateBgNbd(kTruth, o).value();
  if (spend) SimulateGammaGammaSpend(kSpend, seed + 1, t).IgnoreError();  // valid params
  return t;
}

void BgNbdFit1M(benchmark::State& state) {
  static const SummaryTable data = Simulated(1'000'000, 11, false);
  FitOptions options;
  options.threads = kThreads;
  options.standard_errors = state.range(0) != 0;
  Result<BgNbdFit> fit = FitBgNbd(data, options);
  for (auto _ : state) {
    fit = FitBgNbd(data, options);
    benchmark::DoNotOptimize(fit);
  }
  if (!fit.ok()) {
    state.SkipWithError(fit.status().ToString().c_str());
    return;
  }
  const BgNbdParams& p = fit->model.params();
  state.counters["distinct"] = static_cast<double>(fit->report.distinct);
  state.counters["iterations"] = fit->report.iterations;
  state.counters["err_r_pct"] = 100 * (p.r / kTruth.r - 1);
  state.counters["err_alpha_pct"] = 100 * (p.alpha / kTruth.alpha - 1);
  state.counters["err_a_pct"] = 100 * (p.a / kTruth.a - 1);
  state.counters["err_b_pct"] = 100 * (p.b / kTruth.b - 1);
  if (options.standard_errors) {
    state.counters["se_r_pct"] = 100 * fit->report.standard_errors[0] / p.r;
    state.counters["se_alpha_pct"] = 100 * fit->report.standard_errors[1] / p.alpha;
    state.counters["se_a_pct"] = 100 * fit->report.standard_errors[2] / p.a;
    state.counters["se_b_pct"] = 100 * fit->report.standard_errors[3] / p.b;
  }
}
BENCHMARK(BgNbdFit1M)
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void Clv12Months2_36M(benchmark::State& state) {
  static const SummaryTable data = Simulated(2'360'000, 22, true);
  const BgNbdModel model = BgNbdModel::Create(kTruth).value();
  const GammaGammaModel spend = GammaGammaModel::Create(kSpend).value();
  ClvOptions options;
  options.months = 12;
  options.threads = kThreads;
  for (auto _ : state) {
    Result<CustomerValues> v = CustomerLifetimeValues(model, spend, data, options);
    benchmark::DoNotOptimize(v);
  }
  state.counters["customers"] = static_cast<double>(data.size());
}
BENCHMARK(Clv12Months2_36M)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

std::string CdnowDir() {
  if (const char* env = std::getenv("WINBACK_CDNOW_DIR")) return env;
  return std::string(WINBACK_SOURCE_DIR) + "/../shared/data/cdnow";
}

void ParetoFitMaster(benchmark::State& state) {
  const std::string path = CdnowDir() + "/CDNOW_master.txt";
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("CDNOW master file not found: " + path).c_str());
    return;
  }
  static const SummaryTable data = [&] {
    auto records = ReadCdnowTransactions(path, CdnowLayout::kMaster).value();
    return SummarizeTransactions(records, CdnowCalibrationOptions()).value().calibration;
  }();
  FitOptions options;
  options.threads = kThreads;
  Result<ParetoNbdFit> fit = FitParetoNbd(data, options);
  for (auto _ : state) {
    fit = FitParetoNbd(data, options);
    benchmark::DoNotOptimize(fit);
  }
  if (!fit.ok()) {
    state.SkipWithError(fit.status().ToString().c_str());
    return;
  }
  state.counters["customers"] = static_cast<double>(data.size());
  state.counters["distinct"] = static_cast<double>(fit->report.distinct);
  state.counters["iterations"] = fit->report.iterations;
  state.counters["evaluations"] = fit->report.evaluations;
}
BENCHMARK(ParetoFitMaster)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

const SummaryTable& TenMillion() {
  static const SummaryTable data = Simulated(10'000'000, 33, true);
  return data;
}

void Predict10M(benchmark::State& state) {
  const SummaryTable& data = TenMillion();
  const BgNbdModel model = BgNbdModel::Create(kTruth).value();
  for (auto _ : state) {
    Result<Predictions> p = PredictCustomers(model, data, 39.0, kThreads);
    benchmark::DoNotOptimize(p);
  }
  state.counters["customers"] = static_cast<double>(data.size());
}
BENCHMARK(Predict10M)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Iterations(3);

// What `winback fit --predictions` computes with a spend model: P(alive) and expected
// purchases (PredictCustomers), then expected value and 12-month CLV (CustomerLifetimeValues).
void Predict10MWithClv(benchmark::State& state) {
  const SummaryTable& data = TenMillion();
  const BgNbdModel model = BgNbdModel::Create(kTruth).value();
  const GammaGammaModel spend = GammaGammaModel::Create(kSpend).value();
  ClvOptions options;
  options.months = 12;
  options.threads = kThreads;
  for (auto _ : state) {
    Result<Predictions> p = PredictCustomers(model, data, 39.0, kThreads);
    Result<CustomerValues> v = CustomerLifetimeValues(model, spend, data, options);
    benchmark::DoNotOptimize(p);
    benchmark::DoNotOptimize(v);
  }
  state.counters["customers"] = static_cast<double>(data.size());
}
BENCHMARK(Predict10MWithClv)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Iterations(3);

// The file `winback summary` writes (id,frequency,recency,T,monetary_value,currency) for 2.36M
// simulated customers, ids "c<copy>_<row>" as bench/models/fit_summary_bench.sh makes them.
void ReadSummaryCsv2_36M(benchmark::State& state) {
  const char* given = std::getenv("WINBACK_SUMMARY_CSV");
  const std::string path =
      given != nullptr
          ? std::string(given)
          : (std::filesystem::temp_directory_path() / "winback_models_bench_summary.csv").string();
  if (given == nullptr) {
    const SummaryTable data = Simulated(2'360'000, 44, true);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      state.SkipWithError("cannot write the summary file");
      return;
    }
    std::fputs("id,frequency,recency,T,monetary_value,currency\n", f);
    for (std::size_t i = 0; i < data.size(); ++i) {
      std::fprintf(f, "c%zu_%zu,%.17g,%.17g,%.17g,%.17g,USD\n", i / 23'570, i % 23'570,
                   data.frequency[i], data.recency[i], data.age[i], data.monetary_value[i]);
    }
    std::fclose(f);
  }
  Result<SummaryTable> table = ReadSummaryCsv(path);
  for (auto _ : state) {
    table = ReadSummaryCsv(path);
    benchmark::DoNotOptimize(table);
  }
  if (given == nullptr) std::filesystem::remove(path);
  if (!table.ok()) {
    state.SkipWithError(table.status().ToString().c_str());
    return;
  }
  state.counters["rows"] = static_cast<double>(table->size());
}
BENCHMARK(ReadSummaryCsv2_36M)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace winback::models

BENCHMARK_MAIN();
