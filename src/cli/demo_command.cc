#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "analytics/analytics_config.h"
#include "analytics/revenue.h"
#include "campaigns/sender.h"
#include "channels/channel_settings.h"
#include "cli/campaign_responses.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/measure_command.h"
#include "cli/output.h"
#include "cli/plan_command.h"
#include "cli/report_command.h"
#include "cli/simulate_command.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "ingest/importer.h"
#include "measure/campaign.h"
#include "messages/coupon.h"
#include "messages/link_token.h"
#include "report/html_report.h"
#include "scoring/score_run.h"
#include "sim/responder.h"
#include "store/open_store.h"

namespace winback::cli {
namespace {

namespace fs = std::filesystem;

struct DemoOptions {
  std::int64_t customers = 20'000;
  std::uint64_t seed = 42;
  std::string dir = "winback-demo";
  bool force = false;
};

// What the demo writes into its directory (winback.toml only when there is none, so it is not
// listed): the simulator's files, the store and the report.
constexpr const char* kDemoFiles[] = {
    "customers.csv",       "orders.csv",        "events.csv", "truth.csv",
    "truth.json",          "products.csv",      "winback.db", "winback.db-wal",
    "winback.db-shm",      "report.html",       "outbox",     "response_orders.csv",
    "response_events.csv", "response_truth.csv"};

// The campaign the demo measures against the simulator's truth.
constexpr const char* kDemoCampaign = "winback";

// AlreadyExists naming every file of `dir` the demo would overwrite, unless there is none.
Status CheckNothingToOverwrite(const fs::path& dir) {
  std::string found;
  for (const char* name : kDemoFiles) {
    std::error_code ec;
    if (!fs::exists(dir / name, ec)) continue;
    if (!found.empty()) found += ", ";
    found += name;
  }
  if (found.empty()) return Status::Ok();
  return AlreadyExistsError("demo: " + dir.string() + " already holds " + found +
                            ", which the demo would overwrite; pass --force to overwrite them, "
                            "or choose another --dir");
}

// Links in messages are signed with WINBACK_SIGNING_KEY. Without one, the demo makes a random
// key, keeps it in DIR/signing.key (mode 0600) for later commands in DIR, and says so; an
// existing DIR/signing.key is reused. The key is never printed.
Status EnsureSigningKey(const fs::path& dir) {
  if (messages::SigningKeyFromEnv().ok()) return Status::Ok();
  const fs::path path = dir / "signing.key";
  std::string key;
  if (std::ifstream in(path); in) std::getline(in, key);
  if (key.size() < messages::kMinSigningKeyBytes) {
    WINBACK_ASSIGN_OR_RETURN(key, messages::NewCouponCode(52));  // 52 x 5 = 260 random bits.
    std::ofstream out(path, std::ios::trunc);
    out << key << "\n";
    out.close();
    if (!out) return UnavailableError("cannot write " + path.string());
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    fmt::print(
        "WINBACK_SIGNING_KEY is not set: made a random key for the links in messages and kept it "
        "in {} (export WINBACK_SIGNING_KEY=$(cat {}) to use it in later commands)\n",
        path.string(), path.string());
  }
  ::setenv("WINBACK_SIGNING_KEY", key.c_str(), 1);
  return Status::Ok();
}

// "12,345.67 USD"; a sum past the int64 range says it is at least that much.
std::string RevenueText(const analytics::CurrencyRevenue& r) {
  std::string text = FormatCount(r.revenue.minor()) + " " + r.currency;
  if (Result<Currency> c = Currency::FromCode(r.currency); c.ok()) {
    text = FormatMinorUnits(r.revenue.minor(), *c) + " " + r.currency;
  }
  if (r.revenue.saturated()) text = "more than " + text;
  return text;
}

// Days the demo plans, from the score date on: enough for the three win-back steps (waits of
// 10 and 14 days in the example config).
constexpr std::int32_t kDemoPlanDays = 28;

void Add(const campaigns::SendCounts& from, campaigns::SendCounts& to) {
  to.sent += from.sent;
  to.retry += from.retry;
  to.dead += from.dead;
  to.unknown += from.unknown;
  to.cancelled += from.cancelled;
  to.deferred += from.deferred;
}

// Adds one day's plan to the demo's totals.
void Accumulate(const campaigns::PlanSummary& day, campaigns::PlanSummary& total) {
  for (const auto& [k, n] : day.messages) total.messages[k] += n;
  total.added += day.added;
  for (const auto& [k, n] : day.entered) total.entered[k] += n;
  for (const auto& [k, n] : day.holdout) total.holdout[k] += n;
  for (const auto& [k, n] : day.exited) total.exited[k] += n;
  for (const auto& [k, n] : day.suppressed) total.suppressed[k] += n;
  for (const auto& [k, n] : day.expired) total.expired[k] += n;
  total.customers = day.customers;
  total.score_date = day.score_date;
  for (const auto& [k, n] : day.winner_messages) total.winner_messages[k] += n;
  total.notes = day.notes;  // the auto_winner decisions of the last day
}

// "contains the truth" or "misses the truth" for an interval.
const char* Verdict(double low, double high, double truth) {
  return low <= truth && truth <= high ? "contains the truth" : "MISSES the truth";
}

// The measured conversion lift beside the simulator's true one (truth.json).
void PrintAgainstTruth(const measure::CampaignResult& r, const sim::ResponseStats& truth) {
  const double t = truth.true_conversion_lift;
  fmt::print(
      "\nMeasured against the truth (the simulator's customers responded with known effects; "
      "truth.json, response_truth.csv)\n");
  fmt::print(
      "  true conversion lift   {:+.2f} pts  mean over the {} targeted customers of P(order within "
      "{} days | campaign) - P(same | none)\n",
      100 * t, FormatCount(truth.targeted), r.attribution_days);
  if (!r.conversion_rate) {
    fmt::print("  measured               -          (an arm has fewer than 2 customers)\n");
    return;
  }
  const measure::LiftMetric& m = *r.conversion_rate;
  const int confidence = static_cast<int>(std::lround(100 * (1 - r.alpha)));
  fmt::print("  measured, fixed {}%    {:+.2f} pts  [{:+.2f}, {:+.2f}]  {}\n", confidence,
             100 * m.plain.diff, 100 * m.plain.ci_low, 100 * m.plain.ci_high,
             Verdict(m.plain.ci_low, m.plain.ci_high, t));
  fmt::print("  measured, CUPED        {:+.2f} pts  [{:+.2f}, {:+.2f}]  {}\n",
             100 * m.cuped.adjusted.diff, 100 * m.cuped.adjusted.ci_low,
             100 * m.cuped.adjusted.ci_high,
             Verdict(m.cuped.adjusted.ci_low, m.cuped.adjusted.ci_high, t));
  fmt::print("  always-valid                      [{:+.2f}, {:+.2f}]  {}\n",
             100 * m.sequential.ci_low, 100 * m.sequential.ci_high,
             Verdict(m.sequential.ci_low, m.sequential.ci_high, t));
  fmt::print(
      "  behind it: baseline P0 {:.2f}% on average; {} treated customers ordered because of a "
      "message, {} unsubscribed and stopped buying because of one\n",
      100 * truth.mean_p0, FormatCount(truth.responded), FormatCount(truth.annoyed));
}

int RunDemo(const DemoOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path dir(o.dir);
  std::error_code ec;
  if (!o.force) {
    const Status clear = CheckNothingToOverwrite(dir);
    if (!clear.ok()) return ReportError(clear);
  }
  fs::create_directories(dir, ec);
  if (ec) return ReportError(UnavailableError("cannot create '" + o.dir + "': " + ec.message()));

  // 1. A simulated business.
  sim::SimOptions sim_options = sim::DefaultOptions();
  sim_options.customers = o.customers;
  sim_options.seed = o.seed;
  sim_options.with_items = true;
  fmt::print("[1/8] simulating {} customers of a shop (seed {}, {} to {}) ...\n",
             FormatCount(o.customers), o.seed, sim_options.start.ToString(),
             sim_options.end.ToString());
  Result<sim::SimStats> sim_stats = RunSimulation(sim_options, dir.string());
  if (!sim_stats.ok()) return ReportError(sim_stats.status());

  // 2. Import into a fresh SQLite store next to a winback.toml, so every command can be rerun
  //    from inside the directory.
  const fs::path config = dir / "winback.toml";
  if (!fs::exists(config)) {
    std::ofstream(config) << ExampleConfig();
  }
  Result<bool> templates_written = WriteExampleTemplates(dir.string());
  if (!templates_written.ok()) return ReportError(templates_written.status());
  const Status key = EnsureSigningKey(dir);
  if (!key.ok()) return ReportError(key);
  const fs::path db = dir / "winback.db";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix, ec);
  fmt::print("[2/8] importing into {} ...\n", db.string());
  Result<std::unique_ptr<store::Store>> store = store::OpenStore(db.string());
  if (!store.ok()) return ReportError(store.status());
  ingest::ImportOptions import_options;
  for (const auto& [kind, name] : {std::pair{ingest::FileKind::kCustomers, "customers.csv"},
                                   std::pair{ingest::FileKind::kOrders, "orders.csv"},
                                   std::pair{ingest::FileKind::kEvents, "events.csv"},
                                   std::pair{ingest::FileKind::kProducts, "products.csv"}}) {
    import_options.files.push_back({kind, (dir / name).string(), std::nullopt});
  }
  ProgressLine progress;
  import_options.progress = [&progress](const ingest::ImportFile& f, std::size_t done,
                                        std::size_t total, std::int64_t rows) {
    progress.Update(f.path, done, total, rows);
  };
  Result<ingest::ImportReport> report = ingest::Import(**store, import_options);
  progress.Finish();
  if (!report.ok()) return ReportError(report.status());
  if (!report->committed) {
    for (const std::string& e : report->errors) fmt::print(stderr, "{}\n", e);
    return ReportError(InternalError("the simulator wrote rows the importer rejected (a bug)"));
  }
  Result<store::StoreStats> st = (*store)->Stats();
  if (!st.ok()) return ReportError(st.status());

  // 3. Score as of the simulation's last day, with the rules of the directory's winback.toml,
  //    and keep the scores (what `winback score --as-of` does).
  GlobalOptions globals;
  globals.db_path = db.string();
  globals.config_path = config.string();
  globals.config_given = true;
  const Date as_of = sim_options.end;
  fmt::print("[3/8] scoring every customer as of {} ...\n", as_of.ToString());
  Result<config::Config> loaded_config = LoadConfig(globals);
  if (!loaded_config.ok()) return ReportError(loaded_config.status());
  const analytics::AnalyticsConfig& analytics_config =
      loaded_config->Get<analytics::AnalyticsConfig>();
  Result<std::vector<std::unique_ptr<store::Store>>> readers =
      OpenExistingStores(globals, *loaded_config, scoring::ScoreReaderCount());
  if (!readers.ok()) return ReportError(readers.status());
  Result<scoring::ScoreRun> scored = scoring::ScoreAndSave(
      StorePointers(*readers), analytics_config.scoring, as_of, scoring::ScoreModelOptions{});
  if (!scored.ok()) return ReportError(scored.status());
  for (const std::string& note : scored->models->notes()) {
    fmt::print(stderr, "winback demo: {}\n", note);
  }
  const analytics::ScoreSummary& score_summary = scored->summary;
  const scoring::ModelTotals& totals = scored->totals;

  // 4. Campaigns: plan each day of the four weeks after the scores, as the daily job would,
  //    so the win-back journeys reach their later steps (the store holds no orders after
  //    as_of, so nobody leaves a journey by ordering).
  fmt::print("[4/8] planning the campaigns of winback.toml for {} to {} ...\n", as_of.ToString(),
             as_of.PlusDays(kDemoPlanDays - 1).ToString());
  //    Each day the sender runs every hour (the store's clock is the simulated one, as
  //    `winback send --now` does), delivering into the file channel: DIR/outbox/.
  fmt::print("[5/8] sending what is due each hour into {}/outbox/ ...\n", o.dir);
  campaigns::PlanSummary planned;
  campaigns::SendSummary sent;
  campaigns::SendOptions send_options;
  send_options.owner = campaigns::SenderOwner();
  if (Result<std::string> k = messages::SigningKeyFromEnv(); k.ok()) send_options.signing_key = *k;
  const auto& campaign_settings = loaded_config->Get<campaigns::CampaignSettings>();
  // The demo's outbox/ is scratch: its message files are not fsynced one by one (the store's
  // outbox, which says what was sent, is). A real `winback send` keeps [channels.*] sync.
  channels::ChannelSettings channel_settings = loaded_config->Get<channels::ChannelSettings>();
  for (std::optional<channels::ChannelConfig>* c :
       {&channel_settings.email, &channel_settings.sms, &channel_settings.whatsapp}) {
    if (*c && (*c)->transport == "file") (*c)->sync = false;
  }
  for (std::int32_t day = 0; day < kDemoPlanDays; ++day) {
    Result<campaigns::PlanSummary> plan =
        PlanWithConfig(globals, *loaded_config, **store, as_of.PlusDays(day), false, false);
    if (!plan.ok()) return ReportError(plan.status());
    Accumulate(*plan, planned);
    for (int hour = 0; hour < 24; ++hour) {
      send_options.now = as_of.PlusDays(day).StartUtc().PlusSeconds(std::int64_t{hour} * 3600);
      Result<campaigns::SendSummary> s =
          campaigns::SendDue(**store, campaign_settings, channel_settings, send_options);
      if (!s.ok()) return ReportError(s.status());
      Add(s->total, sent.total);
      for (int c = 0; c < kChannelKindCount; ++c) Add(s->by_channel[c], sent.by_channel[c]);
    }
  }

  // 6. The customers' side: the simulated customers respond to the messages of the win-back
  //    campaign they actually received (the true effects are in truth.json), everyone's
  //    purchase process goes on after the window, and both are imported. 7. The campaign is
  //    measured against its holdout once every attribution window has closed: the last
  //    planning day plus attribution_days.
  const auto& measurement = loaded_config->Get<measure::MeasurementSettings>();
  const Date measure_day = as_of.PlusDays(
      kDemoPlanDays - 1 + static_cast<std::int32_t>(measurement.attribution_days) + 1);
  const Instant horizon = measure_day.PlusDays(1).StartUtc();
  std::optional<sim::ResponseStats> responded;
  std::optional<measure::CampaignResult> measured;
  Result<measure::CampaignOptions> measure_options =
      CampaignMeasureOptions(*loaded_config, kDemoCampaign, horizon);
  if (measure_options.ok()) {
    fmt::print(
        "[6/8] the simulated customers respond to the {} messages and buy until {}; importing "
        "...\n",
        kDemoCampaign, measure_day.ToString());
    sim::ResponseOptions response;
    response.campaign = kDemoCampaign;
    response.attribution_days = measurement.attribution_days;
    response.horizon = horizon;
    Result<sim::ResponseStats> r = RespondAndImport(**store, sim_options, response, dir.string());
    if (!r.ok()) return ReportError(r.status());
    responded = *r;
    fmt::print("[7/8] measuring the {} campaign against its holdout as of {} ...\n", kDemoCampaign,
               measure_day.ToString());
    Result<measure::CampaignResult> m =
        measure::MeasureCampaign(kDemoCampaign, *measure_options, **store, **store);
    if (!m.ok()) return ReportError(m.status());
    measured = *std::move(m);
  } else {
    fmt::print("[6/8] [7/8] no responses and no measurement: {}\n",
               measure_options.status().message());
  }

  // 8. The HTML report, beside the data.
  const fs::path report_path = dir / "report.html";
  fmt::print("[8/8] writing the report {} ...\n", report_path.string());
  Result<report::ReportData> report_data =
      BuildReportData(*loaded_config, StorePointers(*readers), as_of, std::nullopt, measure_day);
  if (!report_data.ok()) return ReportError(report_data.status());
  const Status report_written = report::WriteHtmlReport(*report_data, report_path.string());
  if (!report_written.ok()) return ReportError(report_written);

  // Summary.
  std::int64_t buyers = 0, repeat_buyers = 0;
  analytics::RevenueByCurrency revenue;
  Status scan = (*store)->ForEachAggregates([&](const store::CustomerAggregates& a) {
    if (a.orders > 0) ++buyers;
    if (a.purchase_days > 1) ++repeat_buyers;
    revenue.Add(a);
    return Status::Ok();
  });
  if (!scan.ok()) return ReportError(scan);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("\nwinback demo: a simulated shop, {} to {}\n", sim_options.start.ToString(),
             sim_options.end.ToString());
  fmt::print("  customers          {:>12}\n", FormatCount(st->customers));
  fmt::print("  buyers             {:>12}  ({} came back for a second day)\n", FormatCount(buyers),
             FormatCount(repeat_buyers));
  fmt::print("  orders             {:>12}  ({} completed)\n", FormatCount(st->orders),
             FormatCount(st->completed_orders));
  fmt::print("  events             {:>12}\n", FormatCount(st->events));
  // One line per currency: each buyer's revenue is in their main currency, and amounts in
  // different currencies are never added.
  const std::vector<analytics::CurrencyRevenue> revenue_totals = revenue.Totals();
  if (revenue_totals.empty()) fmt::print("  revenue            {:>12}\n", 0);
  for (std::size_t i = 0; i < revenue_totals.size(); ++i) {
    const analytics::CurrencyRevenue& r = revenue_totals[i];
    fmt::print("  {:<18} {:>12}{}\n", i == 0 ? "revenue" : "", RevenueText(r),
               revenue_totals.size() > 1 ? fmt::format("  ({} buyers whose main currency it is)",
                                                       FormatCount(r.customers))
                                         : std::string());
  }
  fmt::print(
      "  still a customer   {:>12}  at the end, by the simulator's ground truth (truth.csv)\n",
      FormatCount(sim_stats->alive_at_end));
  fmt::print("  inactive           {:>12}  as of {}, by the [inactivity] rules of winback.toml\n",
             FormatCount(score_summary.inactive), as_of.ToString());
  if (totals.with_p_alive > 0) {
    fmt::print(
        "  P(alive), mean     {:>12.3f}  BG/NBD over {} buyers; {} purchases expected "
        "in the next 90 days\n",
        totals.p_alive_sum / static_cast<double>(totals.with_p_alive),
        FormatCount(totals.with_p_alive), FormatCount(std::llround(totals.expected_purchases_sum)));
  }
  if (totals.with_value > 0) {
    const std::string& clv_currency = scored->models->spend_currency();
    std::string clv_text = fmt::format("{:.0f}", totals.clv_sum_minor);
    if (Result<Currency> c = Currency::FromCode(clv_currency); c.ok()) {
      clv_text = FormatMinorUnits(std::llround(totals.clv_sum_minor), *c) + " " + clv_currency;
    }
    fmt::print("  CLV, 12 months     {:>12}  over {} buyers (BG/NBD + Gamma-Gamma, discounted)\n",
               clv_text, FormatCount(totals.with_value));
  }
  if (totals.with_churn > 0) {
    fmt::print(
        "  churn risk, mean   {:>12.3f}  P(no order in the next 90 days), classifier "
        "trained on the store's own history\n",
        totals.churn_sum / static_cast<double>(totals.with_churn));
  }
  fmt::print("\nMessages planned over {} days (outbox: winback outbox; files: {}/outbox/)\n",
             kDemoPlanDays, o.dir);
  PrintPlanSummary(planned);
  fmt::print("Sent into {}/outbox/ (the file channel): {} messages", o.dir,
             FormatCount(sent.total.sent));
  for (int c = 0; c < kChannelKindCount; ++c) {
    if (sent.by_channel[c].sent > 0) {
      fmt::print(", {} {}", FormatCount(sent.by_channel[c].sent),
                 ChannelKindName(static_cast<ChannelKind>(c)));
    }
  }
  fmt::print("; {} cancelled at send time, {} moved out of quiet hours, {} dead\n",
             FormatCount(sent.total.cancelled), FormatCount(sent.total.deferred),
             FormatCount(sent.total.dead));
  if (measured && responded) {
    fmt::print("\n");
    PrintCampaignResult(*measured);
    PrintAgainstTruth(*measured, *responded);
  }
  fmt::print("  done in {:.1f} s\n\n", seconds);
  fmt::print("Report: {} (open it in any browser; it works offline)\n",
             fs::absolute(report_path, ec).string());
  fmt::print(
      "Everything is in {}/ (CSV inputs, truth.json, winback.toml, winback.db, "
      "report.html).\n",
      o.dir);
  fmt::print(
      "Try:\n  cd {}\n  winback stats\n  winback customer c1\n  winback segments\n"
      "  winback report --as-of {} --json\n"
      "  winback measure --campaign {} --as-of {}\n"
      "  export WINBACK_API_KEY=$(openssl rand -hex 32)\n"
      "  winback serve --listen 127.0.0.1:8080   # the HTTP API on this store (README, Server)\n",
      o.dir, as_of.ToString(), kDemoCampaign, measure_day.ToString());
  fmt::print(
      "Dashboard: cd {} && WINBACK_ADMIN_PASSWORD=choose-one winback serve --listen "
      "127.0.0.1:8080\n  then open http://127.0.0.1:8080/ and log in as admin\n",
      o.dir);
  return kExitOk;
}  // namespace

}  // namespace

void RegisterDemoCommand(CLI::App& app, const GlobalOptions& /*globals*/, int& exit_code) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Run the whole pipeline on a simulated business: simulate, import into a fresh SQLite "
      "store, score, write the HTML report, summarize. DIR keeps the CSVs, winback.toml, "
      "winback.db and report.html for further commands.");
  cmd->add_option("--customers", o->customers, "customers to simulate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
  cmd->add_option("--dir", o->dir, "working directory")->capture_default_str();
  cmd->add_flag("--force", o->force,
                "overwrite the store, CSV files and report of an earlier demo in DIR (without it "
                "the demo refuses to touch them)");
  cmd->callback([o, &exit_code] { exit_code = RunDemo(*o); });
}

}  // namespace winback::cli
