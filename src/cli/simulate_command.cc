#include "cli/simulate_command.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <array>
#include <atomic>
#include <csignal>
#include <limits>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/validators.h"
#include "core/money.h"
#include "sim/simulator.h"

namespace winback::cli {
namespace {

// The signal that interrupted a simulation, 0 while none has. Written by the handler, so a
// lock-free atomic (async-signal-safe).
std::atomic<int> g_interrupt{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void OnInterrupt(int signal) { g_interrupt.store(signal); }

// Catches SIGINT, SIGTERM and SIGHUP while it lives, so that the simulator can stop and remove
// its temporary files; restores the previous handlers on destruction.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupt.store(0);
    struct sigaction action = {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      sigaction(kSignals[i], &action, &previous_[i]);
    }
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  ~InterruptGuard() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      sigaction(kSignals[i], &previous_[i], nullptr);
    }
  }

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> previous_{};
};

}  // namespace

Result<sim::SimStats> RunSimulation(const sim::SimOptions& options, const std::string& out) {
  Result<sim::SimStats> stats = InternalError("not run");
  {
    const InterruptGuard guard;
    ProgressLine progress;
    const std::string label = "simulate " + out;
    stats = sim::Simulate(options, out, [&](std::int64_t done, std::int64_t total) -> Status {
      if (g_interrupt.load() != 0) return CancelledError("interrupted");
      progress.Update(label, static_cast<std::size_t>(done), static_cast<std::size_t>(total), done);
      return Status::Ok();
    });
    progress.Finish();
  }
  if (const int signal = g_interrupt.load(); signal != 0) {
    // End the way the signal would have (exit status 128 + n), once the files are in order.
    if (stats.ok()) {
      fmt::print(stderr, "winback: interrupted after the simulation finished; {} is complete\n",
                 out);
    } else {
      fmt::print(stderr, "winback: interrupted; the partial files in {} were removed\n", out);
    }
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
  return stats;
}

namespace {

struct SimulateCliOptions {
  sim::SimOptions sim = sim::DefaultOptions();
  std::string out;
  std::string start, end;
};

int RunSimulate(SimulateCliOptions o) {
  if (!o.start.empty()) {
    Result<Date> d = ParseDate(o.start);
    if (!d.ok()) return ReportError(d.status().WithContext("--start"));
    o.sim.start = *d;
  }
  if (!o.end.empty()) {
    Result<Date> d = ParseDate(o.end);
    if (!d.ok()) return ReportError(d.status().WithContext("--end"));
    o.sim.end = *d;
  }
  Result<sim::SimStats> stats = RunSimulation(o.sim, o.out);
  if (!stats.ok()) return ReportError(stats.status());
  fmt::print("simulated {} customers ({} buyers, {} alive at {}): {} orders, {} events -> {}/\n",
             FormatCount(stats->customers), FormatCount(stats->buyers),
             FormatCount(stats->alive_at_end), o.sim.end.ToString(), FormatCount(stats->orders),
             FormatCount(stats->events), o.out);
  return kExitOk;
}

}  // namespace

void RegisterSimulateCommand(CLI::App& app, const GlobalOptions& /*globals*/, int& exit_code) {
  auto o = std::make_shared<SimulateCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Write a synthetic business with known ground truth: customers.csv, orders.csv, "
      "events.csv, truth.json and truth.csv (purchases follow BG/NBD, spend Gamma-Gamma)");
  cmd->add_option("--customers", o->sim.customers, "number of customers")
      ->capture_default_str()
      ->check(WholeNumberIn(1, static_cast<std::uint64_t>(sim::kMaxCustomers)));
  cmd->add_option("--seed", o->sim.seed, "random seed: the same seed gives the same bytes")
      ->capture_default_str()
      ->check(WholeNumberIn(0, std::numeric_limits<std::uint64_t>::max()));
  cmd->add_option("--out", o->out, "output directory")->required();
  cmd->add_option("--start", o->start, "first day, YYYY-MM-DD (default 2023-01-01)");
  cmd->add_option("--end", o->end, "last day, YYYY-MM-DD (default 2024-12-31)");
  cmd->add_option("--currency", o->sim.currency, "ISO 4217 currency of the orders")
      ->capture_default_str();
  cmd->add_flag("--items", o->sim.with_items, "write order items (sku, quantity, price)");
  cmd->add_option("--threads", o->sim.threads, "worker threads (0 = all cores; output is the same)")
      ->capture_default_str()
      ->check(WholeNumberIn(0, 1024));
  cmd->callback([o, &exit_code] { exit_code = RunSimulate(*o); });
}

}  // namespace winback::cli
