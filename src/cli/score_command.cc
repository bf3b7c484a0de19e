// winback score --as-of DATE: RFM, segments, lifecycle, inactivity, readiness and let-go flags
// for every customer, written to the store with the date (earlier dates are kept).
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "analytics/scorer.h"
#include "cli/analytics_config.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/store_open.h"

namespace winback::cli {
namespace {

struct ScoreOptions {
  std::string as_of;
  bool json = false;
};

int RunScore(const GlobalOptions& globals, const ScoreOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  Result<Date> as_of = ParseDateOption("--as-of", o.as_of);
  if (!as_of.ok()) return ReportError(as_of.status());
  Result<AnalyticsConfig> config = LoadAnalyticsConfig(globals);
  if (!config.ok()) return ReportError(config.status());
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals);
  if (!store.ok()) return ReportError(store.status());
  Result<std::vector<store::CustomerScore>> scores =
      analytics::ScoreStore(**store, config->scoring, *as_of);
  if (!scores.ok()) return ReportError(scores.status());
  const Status written = (*store)->WriteScores(*as_of, *scores);
  if (!written.ok()) return ReportError(written);
  const analytics::ScoreSummary summary = analytics::SummarizeScores(*scores);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (o.json) {
    nlohmann::json j;
    j["as_of"] = as_of->ToString();
    j["customers"] = summary.customers;
    j["buyers"] = summary.buyers;
    j["inactive"] = summary.inactive;
    j["let_go"] = summary.let_go;
    j["by_lifecycle"] = summary.by_lifecycle;
    j["by_group"] = summary.by_group;
    j["by_segment"] = summary.by_segment;
    j["seconds"] = seconds;
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("scored {} customers as of {} in {:.2f} s ({} have ordered)\n",
             WithThousands(summary.customers), as_of->ToString(), seconds,
             WithThousands(summary.buyers));
  auto share = [&](std::int64_t n, std::int64_t of) {
    return of > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(of) : 0.0;
  };
  fmt::print("inactive by the [inactivity] rules: {} ({:.1f}% of buyers); let go: {}\n",
             WithThousands(summary.inactive), share(summary.inactive, summary.buyers),
             WithThousands(summary.let_go));
  fmt::print("\nlifecycle\n");
  for (int i = 0; i < analytics::kLifecycleCount; ++i) {
    const std::string name(analytics::LifecycleName(static_cast<analytics::Lifecycle>(i)));
    auto it = summary.by_lifecycle.find(name);
    const std::int64_t n = it == summary.by_lifecycle.end() ? 0 : it->second;
    fmt::print("  {:<18} {:>12} {:>6.1f}%\n", name, WithThousands(n), share(n, summary.customers));
  }
  fmt::print("\ngroups (article 004)\n");
  for (int g = 0; g < analytics::kGroupCount; ++g) {
    const std::string name(analytics::GroupName(static_cast<analytics::Group>(g)));
    auto it = summary.by_group.find(name);
    const std::int64_t n = it == summary.by_group.end() ? 0 : it->second;
    fmt::print("  {:<18} {:>12} {:>6.1f}%\n", name, WithThousands(n), share(n, summary.buyers));
  }
  fmt::print("\nsegments\n");
  for (const analytics::SegmentRule& rule : config->scoring.segments.rules()) {
    auto it = summary.by_segment.find(rule.name);
    const std::int64_t n = it == summary.by_segment.end() ? 0 : it->second;
    fmt::print("  {:<18} {:>12} {:>6.1f}%\n", rule.name, WithThousands(n), share(n, summary.buyers));
  }
  fmt::print("\nsaved; see `winback segments --as-of {}`\n", as_of->ToString());
  return kExitOk;
}

}  // namespace

void RegisterScoreCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<ScoreOptions>();
  CLI::App* cmd = app.add_subcommand(
      "score", "Score every customer as of a date (RFM, segments, lifecycle, inactivity, "
               "readiness, let-go) and save the scores");
  cmd->add_option("--as-of", o->as_of, "score date YYYY-MM-DD; data after this day is ignored")
      ->required();
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunScore(globals, *o); });
}

}  // namespace winback::cli
