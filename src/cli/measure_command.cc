// winback measure: what came back, against a control, with honest uncertainty:
// `--experiment F`, any experiment whose assignment is a file customer_id,arm, and
// `--campaign NAME` (or, with neither, every campaign): winback's own campaigns against their
// holdout (measure/campaign.h). Both share the statistics of src/measure.
#include "cli/measure_command.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "campaigns/campaign_config.h"
#include "cli/campaign_measure.h"
#include "cli/command_helpers.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/output.h"
#include "cli/store_open.h"
#include "core/money.h"
#include "measure/campaign.h"
#include "measure/experiment.h"
#include "report/campaign_json.h"

namespace winback::cli {
namespace {

struct MeasureOptions {
  std::string experiment;
  std::string campaign;
  std::string start;
  std::string window = "14d";
  std::string control;
  std::string shares;
  std::string as_of;
  bool json = false;
};

constexpr std::int64_t kMaxWindowDays = 3650;

// "14d" or "2w" to days, 1..3650.
Result<std::int64_t> ParseWindow(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgumentError("--window: '" + std::string(text) +
                                "' is not a number of days or weeks, like 14d or 2w");
  };
  if (text.size() < 2) return bad();
  const char unit = text.back();
  if (unit != 'd' && unit != 'w') return bad();
  std::int64_t n = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size() - 1;
  const auto [end, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || end != last || *first == '-' || *first == '+') return bad();
  const std::int64_t days = unit == 'w' ? n * 7 : n;
  if (n < 1 || days > kMaxWindowDays) {
    return InvalidArgumentError("--window: must be between 1 and " +
                                std::to_string(kMaxWindowDays) + " days, got '" +
                                std::string(text) + "'");
  }
  return days;
}

// "a=9,b=1" to (arm, weight) pairs.
Result<std::vector<std::pair<std::string, double>>> ParseShares(std::string_view text) {
  std::vector<std::pair<std::string, double>> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const std::size_t eq = item.rfind('=');
    double weight = 0;
    if (eq != std::string_view::npos && eq > 0) {
      const std::string_view number = item.substr(eq + 1);
      const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), weight);
      if (ec == std::errc() && end == number.data() + number.size() && weight > 0 &&
          std::isfinite(weight)) {
        out.emplace_back(std::string(item.substr(0, eq)), weight);
        continue;
      }
    }
    return InvalidArgumentError("--shares: '" + std::string(item) +
                                "' is not ARM=WEIGHT with a positive weight, like control=1");
  }
  return out;
}

nlohmann::json OrNull(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json LiftJson(const measure::MetricLift& lift) {
  const measure::Comparison& c = lift.comparison;
  return {{"diff", c.diff},
          {"se", c.se},
          {"ci_low", c.ci_low},
          {"ci_high", c.ci_high},
          {"p_value", c.p_value},
          {"relative_lift", OrNull(c.relative_lift)},
          {"relative_ci_low", OrNull(c.relative_ci_low)},
          {"relative_ci_high", OrNull(c.relative_ci_high)},
          {"holm_p_value", lift.holm_p_value},
          {"mde", OrNull(lift.mde)}};
}

nlohmann::json ExperimentJson(const std::string& file, std::int64_t window_days,
                              const measure::ExperimentOptions& options,
                              const measure::ExperimentResult& r) {
  nlohmann::json arms = nlohmann::json::array();
  for (std::size_t a = 0; a < r.arms.size(); ++a) {
    const measure::ArmResult& arm = r.arms[a];
    nlohmann::json j = {
        {"arm", arm.arm},
        {"control", a == r.control},
        {"n", arm.n},
        {"visit_rate", arm.visit_rate},
        {"conversion_rate", arm.conversion_rate},
        {"revenue_per_customer", arm.revenue_per_customer},
        {"visitors", arm.visitors},
        {"converters", arm.converters},
        {"orders", arm.orders},
        {"revenue", r.currency.empty()
                        ? std::string("0")
                        : FormatMinorUnits(arm.revenue_minor, *Currency::FromCode(r.currency))}};
    if (!arm.lift.empty()) {
      nlohmann::json lift = nlohmann::json::object();
      for (const measure::Metric m : measure::kMetrics) {
        lift[std::string(measure::MetricName(m))] = LiftJson(arm.lift[static_cast<std::size_t>(m)]);
      }
      j["lift"] = std::move(lift);
    }
    arms.push_back(std::move(j));
  }
  nlohmann::json shares = "equal";
  if (!r.equal_shares) {
    shares = nlohmann::json::object();
    for (const auto& [arm, weight] : options.expected_shares) shares[arm] = weight;
  }
  return {{"experiment", file},
          {"start", FormatTimestamp(r.start)},
          {"end", FormatTimestamp(r.end)},
          {"window_days", window_days},
          {"control", r.arms[r.control].arm},
          {"currency", r.currency.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.currency)},
          {"confidence", 1.0 - options.alpha},
          {"srm_p_value", r.sample_ratio.p_value},
          {"srm_chi_square", r.sample_ratio.chi_square},
          {"srm_mismatch", r.sample_ratio.mismatch},
          {"srm_expected_shares", shares},
          {"arms", arms}};
}

std::string Percent(double fraction) { return fmt::format("{:.2f}%", 100 * fraction); }

// "0.0185", or "<0.0001" for what four decimals would print as zero.
std::string PValue(double p) { return p < 0.0001 ? "<0.0001" : fmt::format("{:.4f}", p); }

// Rates in percentage points, money with its currency's decimals; signed for differences.
std::string Number(measure::Metric m, double v, int decimals, bool sign) {
  if (m != measure::Metric::kRevenuePerCustomer) {
    v *= 100;
    decimals = 2;
  }
  return sign ? fmt::format("{:+.{}f}", v, decimals) : fmt::format("{:.{}f}", v, decimals);
}
std::string Unit(measure::Metric m) {
  return m == measure::Metric::kRevenuePerCustomer ? "" : " pts";
}

void PrintExperiment(const std::string& file, std::int64_t window_days,
                     const measure::ExperimentOptions& options,
                     const measure::ExperimentResult& r) {
  int decimals = 2;
  if (!r.currency.empty()) decimals = Currency::FromCode(r.currency)->exponent();
  std::int64_t customers = 0;
  std::size_t width = 8;
  for (std::size_t a = 0; a < r.arms.size(); ++a) {
    customers += r.arms[a].n;
    width = std::max(width, r.arms[a].arm.size() + (a == r.control ? 10 : 0));
  }
  fmt::print("Experiment {}: {} arms, {} customers; outcomes in [{}, {}) UTC, {} days{}\n", file,
             r.arms.size(), FormatCount(customers), UtcDate(r.start).ToString(),
             UtcDate(r.end).ToString(), window_days,
             r.currency.empty() ? std::string("; nobody ordered") : "; revenue in " + r.currency);
  fmt::print("\n{:<{}} {:>10} {:>11} {:>16} {:>17}\n", "arm", width, "customers", "visit rate",
             "conversion rate", "revenue/customer");
  for (std::size_t a = 0; a < r.arms.size(); ++a) {
    const measure::ArmResult& arm = r.arms[a];
    fmt::print("{:<{}} {:>10} {:>11} {:>16} {:>17.{}f}\n",
               arm.arm + (a == r.control ? " (control)" : ""), width, FormatCount(arm.n),
               Percent(arm.visit_rate), Percent(arm.conversion_rate), arm.revenue_per_customer,
               decimals);
  }
  const std::string against = r.equal_shares ? "equal shares" : "the shares given by --shares";
  const double srm_p = r.sample_ratio.p_value;
  fmt::print("\nSplit: chi-square {:.3f}, p {} against {}: {}\n", r.sample_ratio.chi_square,
             srm_p < 0.0001 ? std::string("< 0.0001") : "= " + PValue(srm_p), against,
             r.sample_ratio.mismatch ? "MISMATCH" : "consistent");
  if (r.sample_ratio.mismatch) {
    fmt::print(
        "\nSample ratio mismatch (p < {}): the arms' sizes are not what the split should give,\n"
        "so customers were lost or added unevenly and no lift can be trusted; none is shown.\n"
        "Check how the assignment was made, or pass the designed shares with --shares.\n",
        measure::kSampleRatioThreshold);
    return;
  }
  const bool holm = r.arms.size() > 2;
  fmt::print("\nAgainst {} ({:.0f}% intervals; rates in percentage points{})\n",
             r.arms[r.control].arm, 100 * (1 - options.alpha),
             r.currency.empty() ? std::string() : ", revenue per customer in " + r.currency);
  fmt::print("{:<{}} {:<21} {:>14} {:>24} {:>8} {:>9}{}\n", "arm", width, "metric", "diff",
             "interval", "p", "relative", holm ? "   Holm p" : "");
  for (std::size_t a = 0; a < r.arms.size(); ++a) {
    if (a == r.control) continue;
    const measure::ArmResult& arm = r.arms[a];
    for (const measure::Metric m : measure::kMetrics) {
      const measure::MetricLift& lift = arm.lift[static_cast<std::size_t>(m)];
      const measure::Comparison& c = lift.comparison;
      const std::string interval = "[" + Number(m, c.ci_low, decimals, true) + ", " +
                                   Number(m, c.ci_high, decimals, true) + "]" + Unit(m);
      const std::string relative =
          c.relative_lift ? fmt::format("{:+.1f}%", 100 * *c.relative_lift) : std::string("-");
      fmt::print("{:<{}} {:<21} {:>14} {:>24} {:>8} {:>9}{}\n", arm.arm, width, MetricName(m),
                 Number(m, c.diff, decimals, true) + Unit(m), interval, PValue(c.p_value), relative,
                 holm ? fmt::format(" {:>8}", PValue(lift.holm_p_value)) : "");
    }
    fmt::print("{:<{}} detectable with 80% power: visits {}{}, conversion {}{}, revenue {}\n", "",
               width, Number(measure::Metric::kVisitRate, arm.lift[0].mde, decimals, false),
               Unit(measure::Metric::kVisitRate),
               Number(measure::Metric::kConversionRate, arm.lift[1].mde, decimals, false),
               Unit(measure::Metric::kConversionRate),
               Number(measure::Metric::kRevenuePerCustomer, arm.lift[2].mde, decimals, false));
  }
}

int RunExperiment(const GlobalOptions& globals, const MeasureOptions& o) {
  if (o.start.empty()) {
    return ReportError(InvalidArgumentError(
        "--start: give the first day of the outcome window, YYYY-MM-DD (the day the test began)"));
  }
  Result<Date> start = ParseDateOption("--start", o.start);
  if (!start.ok()) return ReportError(start.status());
  Result<std::int64_t> days = ParseWindow(o.window);
  if (!days.ok()) return ReportError(days.status());
  measure::ExperimentOptions options;
  options.start = start->StartUtc();
  options.end = start->PlusDays(static_cast<std::int32_t>(*days)).StartUtc();
  options.control = o.control;
  if (!o.shares.empty()) {
    Result<std::vector<std::pair<std::string, double>>> shares = ParseShares(o.shares);
    if (!shares.ok()) return ReportError(shares.status());
    options.expected_shares = *std::move(shares);
  }
  Result<measure::Experiment> experiment = measure::ReadExperiment(o.experiment);
  if (!experiment.ok()) {
    const Status& s = experiment.status();
    // A missing file is the user's to fix, as is a malformed one.
    return ReportError(
        s.code() == StatusCode::kNotFound ? NotFoundError("--experiment: " + s.message()) : s);
  }
  const std::vector<std::string>& arms = experiment->arms;
  if (!o.control.empty() && std::find(arms.begin(), arms.end(), o.control) == arms.end()) {
    std::string names;
    for (const std::string& a : arms) names += (names.empty() ? "" : ", ") + a;
    return ReportError(InvalidArgumentError("--control: no arm '" + o.control + "' in " +
                                            o.experiment + "; its arms are " + names));
  }
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals);
  if (!store.ok()) return ReportError(store.status());
  Result<measure::ExperimentResult> result =
      measure::MeasureExperiment(*experiment, options, **store, **store);
  if (!result.ok()) return ReportError(result.status());
  if (o.json) {
    fmt::print("{}\n", ExperimentJson(o.experiment, *days, options, *result).dump(2));
  } else {
    PrintExperiment(o.experiment, *days, options, *result);
  }
  return kExitOk;
}

// --- Campaigns -----------------------------------------------------------------------------

std::string Money(std::int64_t minor, const std::string& currency) {
  if (currency.empty()) return std::to_string(minor);
  return FormatMinorUnits(minor, *Currency::FromCode(currency));
}

std::string Interval(double low, double high, double factor, int decimals, std::string_view unit) {
  return fmt::format("[{:+.{}f}, {:+.{}f}]{}", low * factor, decimals, high * factor, decimals,
                     unit);
}

void PrintCampaign(const measure::CampaignResult& r) {
  int decimals = 2;
  if (!r.currency.empty()) decimals = Currency::FromCode(r.currency)->exponent();
  const std::string money = r.currency.empty() ? "" : " " + r.currency;
  fmt::print(
      "Campaign {}: {} customers targeted, what happened before {}; won back = a completed order "
      "within {} "
      "days of the first message (or of when it would have gone, for the holdout)\n",
      r.campaign, FormatCount(r.targeted), FormatTimestamp(r.as_of), r.attribution_days);
  if (r.not_started > 0) {
    fmt::print("{} of them not started yet (first message after as_of): not measured\n",
               FormatCount(r.not_started));
  }
  fmt::print("\n{:<16} {:<10} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9} {:>8}\n",
             "step", "variant", "planned", "held", "sent", "delivered", "opened", "clicked",
             "unsub", "bounced", "converted", "held conv", "coupons");
  for (const measure::FunnelRow& f : r.funnel) {
    fmt::print("{:<16} {:<10} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9} {:>8}\n",
               f.step, f.variant.empty() ? "-" : f.variant, f.planned, f.held_out, f.sent,
               f.delivered, f.opened, f.clicked, f.unsubscribed, f.bounced, f.converted,
               f.held_out_converted, f.coupons_redeemed);
  }
  fmt::print("\n{:<9} {:>10} {:>10} {:>11} {:>17}\n", "arm", "customers", "won back", "win-back %",
             "revenue/customer");
  for (const auto& [name, a] :
       {std::pair{"treated", &r.treated}, std::pair{"holdout", &r.holdout}}) {
    fmt::print("{:<9} {:>10} {:>10} {:>11} {:>17.{}f}\n", name, FormatCount(a->customers),
               FormatCount(a->converted), Percent(a->conversion_rate), a->revenue_per_customer,
               decimals);
  }
  const double srm_p = r.sample_ratio.p_value;
  fmt::print(
      "\nSplit: {} treated, {} held out against a designed holdout of {:.1f}%: chi-square "
      "{:.3f}, p {}: {}\n",
      r.treated.customers, r.holdout.customers, 100 * r.holdout_share, r.sample_ratio.chi_square,
      srm_p < 0.0001 ? std::string("< 0.0001") : "= " + PValue(srm_p),
      r.sample_ratio.mismatch ? "MISMATCH" : "consistent");
  if (r.sample_ratio.mismatch) {
    fmt::print(
        "\nSample ratio mismatch (p < {}): the holdout is not the share it should be, so\n"
        "customers were lost or added unevenly; no lift is shown.\n",
        measure::kSampleRatioThreshold);
  } else if (!r.conversion_rate) {
    fmt::print("\nNo lift yet: each arm needs at least 2 customers whose campaign has started.\n");
  } else {
    fmt::print(
        "\nLift against the holdout ({:.0f}% intervals; always-valid = safe to read every "
        "day)\n",
        100 * (1 - r.alpha));
    for (const auto& [name, m, factor, d, unit] :
         {std::tuple{"conversion rate", &*r.conversion_rate, 100.0, 2, std::string(" pts")},
          std::tuple{"revenue/customer", &*r.revenue_per_customer, 1.0, decimals, money}}) {
      const measure::Comparison& c = m->plain;
      fmt::print("  {:<17} {:+.{}f}{}  fixed {}  p {}  relative {}\n", name, c.diff * factor, d,
                 unit, Interval(c.ci_low, c.ci_high, factor, d, ""), PValue(c.p_value),
                 c.relative_lift ? fmt::format("{:+.1f}%", 100 * *c.relative_lift) : "-");
      fmt::print("  {:<17} CUPED {}  (variance -{:.0f}%)   always-valid {}\n", "",
                 Interval(m->cuped.adjusted.ci_low, m->cuped.adjusted.ci_high, factor, d, ""),
                 100 * std::max(0.0, m->cuped.variance_reduction),
                 Interval(m->sequential.ci_low, m->sequential.ci_high, factor, d, ""));
    }
    for (const auto& [name, v, d, unit] :
         {std::tuple{"incremental customers", &r.incremental_customers, 1, std::string()},
          std::tuple{"incremental revenue", &r.incremental_revenue, decimals, money},
          std::tuple{"incremental profit", &r.incremental_profit, decimals, money}}) {
      fmt::print("  {:<22} {:+.{}f}{}  {}\n", name, (*v)->value, d, unit,
                 Interval((*v)->ci_low, (*v)->ci_high, 1.0, d, ""));
    }
    fmt::print("  (profit net of {}{} in redeemed offers and {}{} in messages sent)\n",
               Money(r.offer_cost_minor, r.currency), money,
               Money(r.message_cost_minor, r.currency), money);
  }
  for (const measure::StepVariants& sv : r.variants) {
    fmt::print(
        "\nStep {}: variants against {} (conversion of planned messages; Holm over the "
        "always-valid p-values){}\n",
        sv.step, sv.variants.front().variant,
        sv.srm_mismatch ? " - SPLIT MISMATCH, no winner" : "");
    for (const measure::VariantLift& v : sv.variants) {
      std::string lift = "(reference)";
      if (v.comparison) {
        lift = fmt::format("{:+.2f} pts {}  Holm p {}  detectable {:.2f} pts",
                           100 * v.comparison->diff,
                           Interval(v.sequential->ci_low, v.sequential->ci_high, 100, 2, ""),
                           PValue(*v.holm_p_value), 100 * v.mde);
      }
      fmt::print("  {:<10} {:>7} planned {:>8} {}\n", v.variant, FormatCount(v.n),
                 Percent(v.conversion_rate), lift);
    }
    fmt::print("  winner: {}\n", sv.winner.empty() ? "none (not significant)" : sv.winner);
    if (sv.after_takeover > 0) {
      fmt::print("  {} later messages went to the winner (auto_winner): not part of the test\n",
                 FormatCount(sv.after_takeover));
    }
  }
  for (const std::string& w : report::UnderpoweredWarnings(r)) fmt::print("warning: {}\n", w);
  fmt::print(
      "\nAfterwards ({} days after the win-back order): won back by the campaign {} "
      "customers, {} repeat, {:.{}f}{} each; came back on their own (holdout) {}, {} "
      "repeat, {:.{}f}{} each\n",
      r.after.days, r.after.treated.customers, Percent(r.after.treated.repeat_rate),
      r.after.treated.revenue_per_customer, decimals, money, r.after.holdout.customers,
      Percent(r.after.holdout.repeat_rate), r.after.holdout.revenue_per_customer, decimals, money);
  if (r.unmatched_events > 0) {
    fmt::print("{} tracking events name no message of this campaign\n",
               FormatCount(r.unmatched_events));
  }
  for (const std::string& note : r.notes) fmt::print("note: {}\n", note);
}

int RunCampaigns(const GlobalOptions& globals, const MeasureOptions& o) {
  measure::CampaignOptions options;
  if (!o.as_of.empty()) {
    Result<Date> d = ParseDateOption("--as-of", o.as_of);
    if (!d.ok()) return ReportError(d.status());
    options.as_of = d->PlusDays(1).StartUtc();  // Through the end of day D (UTC).
  } else {
    options.as_of = Instant::FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  }
  Result<config::Config> loaded = LoadConfig(globals);
  if (!loaded.ok()) return ReportError(loaded.status());
  const auto& settings = loaded->Get<campaigns::CampaignSettings>();
  Result<std::unique_ptr<store::Store>> store = OpenExistingStore(globals, *loaded);
  if (!store.ok()) return ReportError(store.status());
  // Sends of auto_winner steps after their winner took over are not part of the A/B test.
  Result<std::map<campaigns::StepRef, campaigns::Takeover>> takeovers =
      campaigns::FindTakeovers(**store, settings);
  if (!takeovers.ok()) return ReportError(takeovers.status());
  std::vector<std::string> names;
  if (!o.campaign.empty()) {
    names.push_back(o.campaign);
  } else {
    Result<std::vector<std::string>> all = measure::CampaignNames(**store);
    if (!all.ok()) return ReportError(all.status());
    names = *std::move(all);
  }
  nlohmann::json results = nlohmann::json::array();
  nlohmann::json skipped = nlohmann::json::array();
  bool first = true;
  for (const std::string& name : names) {
    const campaigns::Campaign* campaign = settings.FindCampaign(name);
    const std::string skip = CampaignSkipReason(campaign);
    if (!skip.empty()) {
      if (!o.campaign.empty()) {
        return ReportError(FailedPreconditionError("--campaign " + name + ": " + skip));
      }
      skipped.push_back({{"campaign", name}, {"reason", skip}});
      if (!o.json) fmt::print("Campaign {}: skipped, {}\n", name, skip);
      continue;
    }
    Result<measure::CampaignResult> r = measure::MeasureCampaign(
        name, CampaignMeasureOptions(*loaded, *campaign, options.as_of, *takeovers), **store,
        **store);
    if (!r.ok()) {
      return ReportError(r.status().code() == StatusCode::kNotFound && !o.campaign.empty()
                             ? NotFoundError("--campaign: " + r.status().message())
                             : r.status());
    }
    if (o.json) {
      results.push_back(nlohmann::json::parse(report::CampaignResultJson(*r)));
    } else {
      if (!first) fmt::print("\n");
      PrintCampaign(*r);
    }
    first = false;
  }
  if (o.json) {
    if (!o.campaign.empty()) {
      fmt::print("{}\n", results.at(0).dump(2));
    } else {
      fmt::print("{}\n", nlohmann::json{{"campaigns", results}, {"skipped", skipped}}.dump(2));
    }
  } else if (names.empty()) {
    fmt::print("No campaign has messages in the outbox yet: run winback plan first.\n");
  }
  return kExitOk;
}

int RunMeasure(const GlobalOptions& globals, const MeasureOptions& o) {
  if (!o.experiment.empty()) return RunExperiment(globals, o);
  return RunCampaigns(globals, o);
}

}  // namespace

void PrintCampaignResult(const measure::CampaignResult& result) { PrintCampaign(result); }

void RegisterMeasureCommand(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
  auto o = std::make_shared<MeasureOptions>();
  CLI::App* cmd = app.add_subcommand(
      "measure",
      "Lift against a control with intervals and p-values: visit rate, conversion rate and "
      "revenue per customer of every arm of an experiment");
  CLI::Option* experiment =
      cmd->add_option("--experiment", o->experiment,
                      "CSV file customer_id,arm: the customers of a test and their arms");
  CLI::Option* campaign =
      cmd->add_option("--campaign", o->campaign,
                      "a winback campaign: funnel per step and variant, lift against its holdout "
                      "(default, without --experiment: every campaign of the outbox)");
  experiment->excludes(campaign);
  campaign->excludes(experiment);
  cmd->add_option("--start", o->start, "first day of the outcome window, YYYY-MM-DD (00:00 UTC)");
  cmd->add_option("--window", o->window,
                  "length of the outcome window in days or weeks: 14d (default), 2w");
  cmd->add_option("--control", o->control,
                  "the arm to compare with (default: the arm named control, else the file's "
                  "first arm)");
  cmd->add_option("--shares", o->shares,
                  "designed split for the sample-ratio check, ARM=WEIGHT,... like "
                  "control=1,treat=9 (default: equal shares)");
  cmd->add_option("--as-of", o->as_of,
                  "campaigns: measure with what happened through this day, YYYY-MM-DD (UTC; "
                  "default: now)");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&globals, o, &exit_code] { exit_code = RunMeasure(globals, *o); });
}

}  // namespace winback::cli
