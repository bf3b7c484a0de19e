// The ground truth of issue 15: winback's whole loop over many simulated businesses, in
// process. Each seed simulates a shop, imports it into a SQLite store, scores it, plans and
// sends the example config's campaigns for 28 days as `winback demo` does, lets the simulated
// customers respond to the win-back messages they received (sim::Respond, true effects per
// segment and offer, some zero, some negative), imports the responses and measures the win-back
// campaign against its holdout (measure::MeasureCampaign), exactly as the demo does. The true
// lift is sim's exact mean over the targeted customers of P(order | campaign) - P(order | none).
//
// Statements (the bounds are on counts over fixed seeds, so the test is deterministic: it
// cannot flake; it fails only when the code changes what it computes):
// 1. Coverage: the fixed-horizon 95% interval of the conversion lift contains the true lift in
//    90-99% of the runs (kSeeds businesses x kReplicates response draws).
// 2. No effect: with every effect 0 (the true lift is exactly 0), the fixed 95% interval is
//    significant (excludes 0) in at most kMaxFalsePositives of the kSeeds runs, and the
//    always-valid interval, read every day from the first send to the end, in at most
//    kMaxSequentialFalsePositives of them.
// Why these bounds hold for a correct implementation with high probability (so a failure means
// a real change, not bad luck in the choice of seeds): the runs are independent, so the
// number of misses is Binomial(runs, 0.05) for a calibrated interval (fewer for a conservative
// one). See the constants below for each bound's probability.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analytics/analytics_config.h"
#include "campaigns/campaign_config.h"
#include "campaigns/sender.h"
#include "channels/channel_settings.h"
#include "cli/campaign_responses.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/plan_command.h"
#include "ingest/importer.h"
#include "measure/campaign.h"
#include "scoring/score_run.h"
#include "sim/responder.h"
#include "sim/simulator.h"
#include "store/open_store.h"
#include "testutil/status_matchers.h"

namespace winback::cli {
namespace {

namespace fs = std::filesystem;

// 40 businesses of 3,000 customers; about 1,300 of each are targeted by the win-back campaign.
constexpr int kSeeds = 40;
constexpr std::int64_t kCustomers = 2'000;
// Two independent response draws per business: 80 coverage runs.
constexpr int kReplicates = 2;
constexpr int kPlanDays = 28;
// The test's holdout share: the example config's 10% leaves a few events in the holdout of a
// 3,000-customer shop, where the normal approximation of any interval is poor; a half split
// puts the test where the statistics are meant to hold.
constexpr const char* kHoldout = "0.5";

// Coverage bound: 90% <= covered / runs <= 99%, i.e. 72..79 of 80. For a calibrated 95%
// interval the misses are Binomial(80, 0.05): P(misses >= 9) = 0.018 and P(misses = 0) =
// 0.017, so a correct implementation passes with any fresh set of seeds 96% of the time;
// with these seeds it covers 76 of 80 (CUPED 75, always-valid 80).
constexpr double kMinCoverage = 0.90;
constexpr double kMaxCoverage = 0.99;
// False positives under no effect, of 40 runs: at most 5 (12.5%): for a calibrated 5% test
// P(X >= 6 | Binomial(40, 0.05)) = 0.014 (these seeds: 3). The always-valid interval, read
// on every one of the 58 days from the first send to the end, keeps its 5% bound over all
// looks together: at most 4 of 40 (P(X >= 5 | Binomial(40, 0.05)) = 0.048, and its realized
// rate is far below 5%; these seeds: 1), while the fixed interval read every day errs in 11
// of 40 (recorded, not asserted: it is the reason for the always-valid one).
constexpr int kMaxFalsePositives = 5;
constexpr int kMaxSequentialFalsePositives = 4;

struct Business {
  fs::path dir;
  sim::SimOptions sim;
  Date as_of;
  Date measure_day;
};

// Writes winback.toml and the templates into `dir`: the example config with the win-back
// campaign only (the other campaigns would only make the test slower: they do not touch the
// win-back customers' outcomes, which come from the simulator) and its holdout set to
// kHoldout.
void WriteConfig(const fs::path& dir) {
  std::string text = ExampleConfig();
  const std::size_t winback = text.find("[[campaign]]\nname = \"winback\"");
  ASSERT_NE(winback, std::string::npos) << "the example config's winback campaign moved";
  const std::size_t next = text.find("\n[[campaign]]\n", winback + 1);
  const std::size_t measurement = text.find("\n# ---- Measurement", winback);
  ASSERT_NE(next, std::string::npos);
  ASSERT_NE(measurement, std::string::npos);
  ASSERT_LT(next, measurement);
  text.erase(next, measurement - next);
  const std::string from = "holdout = 0.1                        # 10 % get nothing";
  const std::size_t at = text.find(from, winback);
  ASSERT_NE(at, std::string::npos) << "the example config's winback holdout line changed";
  text.replace(at, std::string("holdout = 0.1").size(), std::string("holdout = ") + kHoldout);
  std::ofstream(dir / "winback.toml") << text;
  ASSERT_TRUE(WriteExampleTemplates(dir.string()).ok());
}

GlobalOptions Globals(const fs::path& dir, const std::string& db) {
  GlobalOptions g;
  g.db_path = (dir / db).string();
  g.config_path = (dir / "winback.toml").string();
  g.config_given = true;
  return g;
}

// Where the stores live: /dev/shm when there is one (the SQLite store syncs every planner
// transaction to disk, which costs nothing on tmpfs and most of the test's time on a disk),
// else the test's temporary directory.
fs::path ScratchRoot() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec)) return "/dev/shm";
  return ::testing::TempDir();
}

// Simulate, import, score and plan + send 28 days into dir/winback.db, as the demo does.
void BuildBusiness(std::uint64_t seed, Business& b) {
  b.dir = ScratchRoot() /
          ("winback_ground_truth_" + std::to_string(::getpid()) + "_" + std::to_string(seed));
  fs::remove_all(b.dir);
  fs::create_directories(b.dir);
  b.sim = sim::DefaultOptions();
  b.sim.customers = kCustomers;
  b.sim.seed = seed;
  b.sim.threads = 1;
  ASSERT_TRUE(sim::Simulate(b.sim, b.dir.string()).ok());
  WriteConfig(b.dir);
  const GlobalOptions globals = Globals(b.dir, "winback.db");
  WINBACK_ASSERT_OK_AND_ASSIGN(config::Config config, LoadConfig(globals));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::Store> store,
                               store::OpenStore(globals.db_path));
  ingest::ImportOptions import;
  import.files = {{ingest::FileKind::kCustomers, (b.dir / "customers.csv").string(), std::nullopt},
                  {ingest::FileKind::kOrders, (b.dir / "orders.csv").string(), std::nullopt},
                  { ingest::FileKind::kEvents,
                    (b.dir / "events.csv").string(),
                    std::nullopt }};
  WINBACK_ASSERT_OK_AND_ASSIGN(ingest::ImportReport report, ingest::Import(*store, import));
  ASSERT_TRUE(report.committed);
  b.as_of = b.sim.end;
  std::vector<store::Store*> readers = {store.get()};
  ASSERT_TRUE(scoring::ScoreAndSave(readers, config.Get<analytics::AnalyticsConfig>().scoring,
                                    b.as_of, scoring::ScoreModelOptions{})
                  .ok());
  campaigns::SendOptions send;
  send.owner = campaigns::SenderOwner();
  send.signing_key = std::getenv("WINBACK_SIGNING_KEY");
  channels::ChannelSettings channel_settings = config.Get<channels::ChannelSettings>();
  for (std::optional<channels::ChannelConfig>* c :
       {&channel_settings.email, &channel_settings.sms, &channel_settings.whatsapp}) {
    if (*c && (*c)->transport == "file") (*c)->sync = false;
  }
  const auto& campaign_settings = config.Get<campaigns::CampaignSettings>();
  for (int day = 0; day < kPlanDays; ++day) {
    ASSERT_TRUE(PlanWithConfig(globals, config, *store, b.as_of.PlusDays(day), false, false).ok());
    for (int hour = 0; hour < 24; ++hour) {
      send.now = b.as_of.PlusDays(day).StartUtc().PlusSeconds(std::int64_t{hour} * 3600);
      ASSERT_TRUE(campaigns::SendDue(*store, campaign_settings, channel_settings, send).ok());
    }
  }
  const auto attribution = config.Get<measure::MeasurementSettings>().attribution_days;
  b.measure_day = b.as_of.PlusDays(kPlanDays + static_cast<std::int32_t>(attribution));
}

// A copy of the planned store, the simulated customers' responses with `effects`, imported.
struct Outcome {
  sim::ResponseStats truth;
  std::unique_ptr<store::Store> store;
  measure::CampaignOptions options;
};
void Respond(const Business& b, const std::string& name,
             const std::vector<sim::ResponseEffect>& effects, std::uint64_t replicate,
             Outcome& out) {
  const fs::path dir = b.dir / name;
  fs::create_directories(dir);
  fs::copy_file(b.dir / "winback.db", dir / "winback.db", fs::copy_options::overwrite_existing);
  const GlobalOptions globals = Globals(b.dir, "winback.db");
  WINBACK_ASSERT_OK_AND_ASSIGN(config::Config config, LoadConfig(globals));
  WINBACK_ASSERT_OK_AND_ASSIGN(out.store, store::OpenStore((dir / "winback.db").string()));
  sim::ResponseOptions response;
  response.effects = effects;
  response.replicate = replicate;
  response.horizon = b.measure_day.PlusDays(1).StartUtc();
  WINBACK_ASSERT_OK_AND_ASSIGN(out.truth,
                               RespondAndImport(*out.store, b.sim, response, dir.string()));
  WINBACK_ASSERT_OK_AND_ASSIGN(out.options,
                               CampaignMeasureOptions(config, "winback", response.horizon));
  // truth.json holds the number the acceptance checks read.
  std::ifstream in(dir / "truth.json");
  const nlohmann::json truth = nlohmann::json::parse(in);
  EXPECT_DOUBLE_EQ(truth["campaigns"]["winback"]["true_conversion_lift"].get<double>(),
                   out.truth.true_conversion_lift);
}

TEST(GroundTruthTest, IntervalsCoverTheTrueLiftAndANullEffectIsRarelySignificant) {
  ::setenv("WINBACK_SIGNING_KEY", "ground-truth-test-signing-key-0123456789abcdef", 1);
  int runs = 0;
  int covered = 0;
  int covered_cuped = 0;
  int covered_sequential = 0;
  int null_runs = 0;
  int false_positives = 0;
  int sequential_false_positives = 0;
  int fixed_any_look = 0;
  double truth_sum = 0;
  double estimate_sum = 0;
  for (int s = 0; s < kSeeds; ++s) {
    const std::uint64_t seed = 7000 + static_cast<std::uint64_t>(s);
    Business b;
    BuildBusiness(seed, b);
    if (HasFatalFailure()) return;
    for (int r = 0; r < kReplicates; ++r) {
      Outcome o;
      Respond(b, "effect" + std::to_string(r), sim::DefaultResponseEffects(),
              static_cast<std::uint64_t>(r), o);
      if (HasFatalFailure()) return;
      WINBACK_ASSERT_OK_AND_ASSIGN(
          measure::CampaignResult m,
          measure::MeasureCampaign("winback", o.options, *o.store, *o.store));
      ASSERT_TRUE(m.conversion_rate.has_value());
      EXPECT_EQ(m.treated.customers + m.holdout.customers, o.truth.targeted) << "seed " << seed;
      const double t = o.truth.true_conversion_lift;
      const measure::LiftMetric& lift = *m.conversion_rate;
      ++runs;
      covered += lift.plain.ci_low <= t && t <= lift.plain.ci_high;
      covered_cuped += lift.cuped.adjusted.ci_low <= t && t <= lift.cuped.adjusted.ci_high;
      covered_sequential += lift.sequential.ci_low <= t && t <= lift.sequential.ci_high;
      truth_sum += t;
      estimate_sum += lift.plain.diff;
    }
    // No effect: the same business, every effect 0; looked at every day.
    Outcome o;
    Respond(b, "null", {}, 0, o);
    if (HasFatalFailure()) return;
    EXPECT_EQ(o.truth.true_conversion_lift, 0.0);
    ++null_runs;
    bool sequential_any = false;
    bool fixed_any = false;
    for (Date day = b.as_of.PlusDays(1); day <= b.measure_day; day = day.PlusDays(1)) {
      measure::CampaignOptions options = o.options;
      options.as_of = day.PlusDays(1).StartUtc();
      WINBACK_ASSERT_OK_AND_ASSIGN(
          measure::CampaignResult m,
          measure::MeasureCampaign("winback", options, *o.store, *o.store));
      if (!m.conversion_rate) continue;
      const measure::LiftMetric& lift = *m.conversion_rate;
      sequential_any |= lift.sequential.ci_low > 0 || lift.sequential.ci_high < 0;
      fixed_any |= lift.plain.p_value < m.alpha;
      if (day == b.measure_day) false_positives += lift.plain.p_value < m.alpha;
    }
    sequential_false_positives += sequential_any;
    fixed_any_look += fixed_any;
    fs::remove_all(b.dir);
  }
  RecordProperty("coverage_runs", runs);
  RecordProperty("covered", covered);
  RecordProperty("covered_cuped", covered_cuped);
  RecordProperty("covered_sequential", covered_sequential);
  RecordProperty("false_positives", false_positives);
  RecordProperty("sequential_false_positives", sequential_false_positives);
  RecordProperty("fixed_false_positives_any_look", fixed_any_look);
  std::printf(
      "ground truth: %d runs, fixed 95%% interval covers the true lift in %d, CUPED %d, "
      "always-valid %d; mean true lift %.4f, mean estimate %.4f; no effect: %d runs, fixed "
      "significant at the end %d, at any daily look %d, always-valid at any daily look %d\n",
      runs, covered, covered_cuped, covered_sequential, truth_sum / runs, estimate_sum / runs,
      null_runs, false_positives, fixed_any_look, sequential_false_positives);
  const double n = runs;
  EXPECT_GE(covered / n, kMinCoverage);
  EXPECT_LE(covered / n, kMaxCoverage);
  EXPECT_GE(covered_cuped / n, kMinCoverage);
  EXPECT_LE(false_positives, kMaxFalsePositives);
  EXPECT_LE(sequential_false_positives, kMaxSequentialFalsePositives);
}

}  // namespace
}  // namespace winback::cli
