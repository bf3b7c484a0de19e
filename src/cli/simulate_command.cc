#include "cli/simulate_command.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "sim/simulator.h"

namespace winback::cli {

Result<sim::SimStats> RunSimulation(const sim::SimOptions& options, const std::string& out) {
  ProgressLine progress;
  const std::string label = "simulate " + out;
  Result<sim::SimStats> stats =
      sim::Simulate(options, out, [&](std::int64_t done, std::int64_t total) {
        progress.Update(label, static_cast<std::size_t>(done), static_cast<std::size_t>(total),
                        done);
      });
  progress.Finish();
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
             WithThousands(stats->customers), WithThousands(stats->buyers),
             WithThousands(stats->alive_at_end), o.sim.end.ToString(), WithThousands(stats->orders),
             WithThousands(stats->events), o.out);
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
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o->sim.seed, "random seed: the same seed gives the same bytes")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "output directory")->required();
  cmd->add_option("--start", o->start, "first day, YYYY-MM-DD (default 2023-01-01)");
  cmd->add_option("--end", o->end, "last day, YYYY-MM-DD (default 2024-12-31)");
  cmd->add_option("--currency", o->sim.currency, "ISO 4217 currency of the orders")
      ->capture_default_str();
  cmd->add_flag("--items", o->sim.with_items, "write order items (sku, quantity, price)");
  cmd->add_option("--threads", o->sim.threads, "worker threads (0 = all cores; output is the same)")
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = RunSimulate(*o); });
}

}  // namespace winback::cli
