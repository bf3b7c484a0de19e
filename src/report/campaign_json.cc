#include "report/campaign_json.h"

#include <fmt/core.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/money.h"

namespace winback::report {
namespace {

nlohmann::json OrNull(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string Money(std::int64_t minor, const std::string& currency) {
  if (currency.empty()) return std::to_string(minor);
  Result<Currency> c = Currency::FromCode(currency);
  if (!c.ok()) return std::to_string(minor);
  return FormatMinorUnits(minor, *c);
}

// The two documents that show a campaign's measurement: `winback measure --json` and the
// server's results (every field), and the report's campaign section (ReportJson), which leaves
// some fields out and writes some as they are in the rest of the report (money in minor units).
// Each piece is written by one function for both, so a field the two share has one format.
enum class Document { kMeasure, kReport };

nlohmann::json ComparisonJson(const measure::Comparison& c, Document doc) {
  nlohmann::json j = {{"diff", c.diff},       {"se", c.se},
                      {"ci_low", c.ci_low},   {"ci_high", c.ci_high},
                      {"p_value", c.p_value}, {"relative_lift", OrNull(c.relative_lift)}};
  if (doc == Document::kMeasure) {
    j["relative_ci_low"] = OrNull(c.relative_ci_low);
    j["relative_ci_high"] = OrNull(c.relative_ci_high);
  }
  return j;
}

nlohmann::json SequentialJson(const measure::SequentialInterval& s, double planned_n,
                              Document doc) {
  nlohmann::json j = {{"ci_low", s.ci_low}, {"ci_high", s.ci_high}, {"p_value", s.p_value}};
  if (doc == Document::kMeasure) {
    j["halfwidth"] = s.halfwidth;
    j["planned_n"] = planned_n;
  }
  return j;
}

nlohmann::json LiftMetricJson(const measure::LiftMetric& m, double planned_n, Document doc) {
  nlohmann::json j = ComparisonJson(m.plain, doc);
  nlohmann::json cuped = ComparisonJson(m.cuped.adjusted, doc);
  cuped["theta"] = m.cuped.theta;
  cuped["variance_reduction"] = m.cuped.variance_reduction;
  j["cuped"] = std::move(cuped);
  j["sequential"] = SequentialJson(m.sequential, planned_n, doc);
  return j;
}

// Conversion and revenue lift, treated against holdout; null while an arm has under 2 customers.
nlohmann::json LiftJson(const measure::CampaignResult& r, Document doc) {
  if (!r.conversion_rate || !r.revenue_per_customer) return nullptr;
  return {{"conversion_rate", LiftMetricJson(*r.conversion_rate, r.planned_n, doc)},
          {"revenue_per_customer", LiftMetricJson(*r.revenue_per_customer, r.planned_n, doc)}};
}

nlohmann::json IncrementalJson(const std::optional<measure::Incremental>& v) {
  if (!v) return nullptr;
  return {{"value", v->value}, {"ci_low", v->ci_low}, {"ci_high", v->ci_high}};
}

nlohmann::json ArmJson(const measure::ArmOutcome& a, const std::string& currency, Document doc) {
  nlohmann::json j = {{"customers", a.customers},
                      {"converted", a.converted},
                      {"conversion_rate", a.conversion_rate},
                      {"revenue_per_customer", a.revenue_per_customer}};
  if (doc == Document::kMeasure) {
    j["complete_windows"] = a.complete_windows;
    j["orders"] = a.orders;
    j["revenue"] = Money(a.revenue_minor, currency);
  } else {
    j["revenue_minor"] = a.revenue_minor;
  }
  return j;
}

nlohmann::json AfterArmJson(const measure::AfterArm& a) {
  return {{"customers", a.customers},
          {"repeaters", a.repeaters},
          {"repeat_rate", a.repeat_rate},
          {"revenue_per_customer", a.revenue_per_customer}};
}

// One row per (step, variant).
nlohmann::json FunnelJson(const std::vector<measure::FunnelRow>& rows, Document doc) {
  nlohmann::json funnel = nlohmann::json::array();
  for (const measure::FunnelRow& f : rows) {
    nlohmann::json j = {{"step", f.step},
                        {"variant", f.variant},
                        {"planned", f.planned},
                        {"held_out", f.held_out},
                        {"sent", f.sent},
                        {"delivered", f.delivered},
                        {"opened", f.opened},
                        {"clicked", f.clicked},
                        {"unsubscribed", f.unsubscribed},
                        {"bounced", f.bounced},
                        {"converted", f.converted},
                        {"held_out_converted", f.held_out_converted},
                        {"coupons_redeemed", f.coupons_redeemed}};
    if (doc == Document::kMeasure) {
      j["replied"] = f.replied;
      j["complained"] = f.complained;
    }
    funnel.push_back(std::move(j));
  }
  return funnel;
}

// One variant of a step. The measurement nests its comparison with the first variant under
// "lift"; the report gives the difference with the always-valid interval around it.
nlohmann::json VariantJson(const measure::VariantLift& v, bool first, double planned_n,
                           Document doc) {
  nlohmann::json j = {{"variant", v.variant},
                      {"n", v.n},
                      {"converted", v.converted},
                      {"conversion_rate", v.conversion_rate}};
  if (v.comparison && doc == Document::kMeasure) {
    nlohmann::json l = ComparisonJson(*v.comparison, doc);
    l["sequential"] = SequentialJson(*v.sequential, planned_n, doc);
    l["holm_p_value"] = OrNull(v.holm_p_value);
    l["mde"] = OrNull(v.mde);
    j["lift"] = {{"conversion_rate", std::move(l)}};
  } else if (v.comparison) {
    j["diff"] = v.comparison->diff;
    j["ci_low"] = v.sequential->ci_low;
    j["ci_high"] = v.sequential->ci_high;
    j["holm_p_value"] = OrNull(v.holm_p_value);
  }
  if (!first) {
    j["mde"] = OrNull(v.mde);
    j["underpowered"] = v.underpowered;
  }
  return j;
}

// The A/B test of each step with more than one variant.
nlohmann::json VariantsJson(const measure::CampaignResult& r, Document doc) {
  nlohmann::json variants = nlohmann::json::array();
  for (const measure::StepVariants& sv : r.variants) {
    nlohmann::json list = nlohmann::json::array();
    for (const measure::VariantLift& v : sv.variants) {
      list.push_back(VariantJson(v, &v == &sv.variants.front(), r.planned_n, doc));
    }
    variants.push_back(
        {{"step", sv.step},
         {"srm_p_value", sv.srm_p_value},
         {"srm_mismatch", sv.srm_mismatch},
         {"winner", sv.winner.empty() ? nlohmann::json(nullptr) : nlohmann::json(sv.winner)},
         {"after_takeover", sv.after_takeover},
         {"variants", std::move(list)}});
  }
  return variants;
}

// The fields both documents have: the campaign and its settings, the split check, the arms,
// the funnel, the lift, the variants and the notes.
nlohmann::json ResultJson(const measure::CampaignResult& r, Document doc) {
  return {{"campaign", r.campaign},
          {"attribution_days", r.attribution_days},
          {"confidence", 1.0 - r.alpha},
          {"currency", r.currency.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.currency)},
          {"targeted", r.targeted},
          {"not_started", r.not_started},
          {"holdout_share", r.holdout_share},
          {"srm_p_value", r.sample_ratio.p_value},
          {"srm_chi_square", r.sample_ratio.chi_square},
          {"srm_mismatch", r.sample_ratio.mismatch},
          {"treated", ArmJson(r.treated, r.currency, doc)},
          {"holdout", ArmJson(r.holdout, r.currency, doc)},
          {"funnel", FunnelJson(r.funnel, doc)},
          {"lift", LiftJson(r, doc)},
          {"variants", VariantsJson(r, doc)},
          {"notes", r.notes}};
}

nlohmann::json CampaignResultDocument(const measure::CampaignResult& r) {
  const auto comparison_or_null = [](const std::optional<measure::Comparison>& c) {
    return c ? ComparisonJson(*c, Document::kMeasure) : nlohmann::json(nullptr);
  };
  nlohmann::json j = ResultJson(r, Document::kMeasure);
  j["as_of"] = FormatTimestamp(r.as_of);
  j["incremental"] = {{"customers", IncrementalJson(r.incremental_customers)},
                      {"revenue", IncrementalJson(r.incremental_revenue)},
                      {"profit", IncrementalJson(r.incremental_profit)},
                      {"offer_cost", Money(r.offer_cost_minor, r.currency)},
                      {"message_cost", Money(r.message_cost_minor, r.currency)}};
  j["after"] = {{"days", r.after.days},
                {"treated", AfterArmJson(r.after.treated)},
                {"holdout", AfterArmJson(r.after.holdout)},
                {"repeat_rate", comparison_or_null(r.after.repeat_rate)},
                {"revenue_per_customer", comparison_or_null(r.after.revenue_per_customer)}};
  j["unmatched_events"] = r.unmatched_events;
  j["warnings"] = UnderpoweredWarnings(r);
  return j;
}

// The cumulative lift of the report's campaign section, one point per day.
nlohmann::json TimelineJson(const std::vector<LiftPoint>& points) {
  nlohmann::json timeline = nlohmann::json::array();
  for (const LiftPoint& p : points) {
    nlohmann::json x = {{"day", p.day.ToString()},
                        {"treated", p.treated},
                        {"holdout", p.holdout},
                        {"treated_rate", p.treated_rate},
                        {"holdout_rate", p.holdout_rate},
                        {"srm_mismatch", p.srm_mismatch},
                        {"diff", nullptr},
                        {"ci_low", nullptr},
                        {"ci_high", nullptr},
                        {"seq_low", nullptr},
                        {"seq_high", nullptr}};
    if (p.plain) {
      x["diff"] = p.plain->diff;
      x["ci_low"] = p.plain->ci_low;
      x["ci_high"] = p.plain->ci_high;
      x["seq_low"] = p.sequential->ci_low;
      x["seq_high"] = p.sequential->ci_high;
    }
    timeline.push_back(std::move(x));
  }
  return timeline;
}

nlohmann::json CampaignReportDocument(const CampaignReport& c) {
  nlohmann::json j = c.result ? ResultJson(*c.result, Document::kReport) : nlohmann::json::object();
  j["campaign"] = c.name;
  j["measured"] = c.result.has_value();
  if (!c.skip_reason.empty()) j["skipped"] = c.skip_reason;
  if (!c.note.empty()) j["note"] = c.note;
  if (!c.result) return j;
  const measure::CampaignResult& r = *c.result;
  j["first_start"] = FormatTimestamp(r.first_start);
  // No lift next to a broken split: the sample-ratio check comes first.
  if (r.sample_ratio.mismatch) j["lift"] = nullptr;
  j["timeline"] = TimelineJson(c.timeline);
  j["timeline_days_cut"] = c.days_cut;
  return j;
}

// Journey and message counts of one campaign.
struct CampaignCounts {
  std::map<std::string, std::int64_t> journeys;  // "active", "completed", "exited", ...
  std::vector<std::int64_t> waiting_for_step;    // Active journeys whose next step is i.
  std::map<std::string, std::map<std::string, std::int64_t>> messages;  // step -> status -> n
};

}  // namespace

std::vector<std::string> UnderpoweredWarnings(const measure::CampaignResult& r) {
  std::vector<std::string> out;
  for (const measure::StepVariants& sv : r.variants) {
    for (const measure::VariantLift& v : sv.variants) {
      if (!v.underpowered) continue;
      const double seen = v.comparison ? v.comparison->diff : 0.0;
      out.push_back(fmt::format(
          "step {}: {} against {} cannot reach significance yet: with {} and {} messages the "
          "smallest difference detectable (80% power, two-sided {:.0f}% test) is {}, the "
          "difference seen is {:+.2f} pts",
          sv.step, v.variant, sv.variants.front().variant, FormatCount(v.n),
          FormatCount(sv.variants.front().n), 100 * (1 - r.alpha),
          std::isfinite(v.mde) ? fmt::format("{:.2f} pts", 100 * v.mde)
                               : std::string("unbounded (an arm is empty)"),
          100 * seen));
    }
  }
  return out;
}

std::string CampaignResultJson(const measure::CampaignResult& result) {
  return CampaignResultDocument(result).dump();
}

std::string CampaignReportJson(const CampaignReport& campaign) {
  // Replacing invalid UTF-8 instead of throwing, as ReportJson does.
  return CampaignReportDocument(campaign).dump(-1, ' ', false,
                                               nlohmann::json::error_handler_t::replace);
}

Result<std::string> CampaignsJson(const campaigns::CampaignSettings& settings,
                                  store::OutboxStore& outbox) {
  std::map<std::string, CampaignCounts> counts;
  for (const campaigns::Campaign& c : settings.campaigns) {
    counts[c.name].waiting_for_step.assign(c.steps.size(), 0);
  }
  WINBACK_RETURN_IF_ERROR(outbox.ForEachJourney([&](const store::Journey& j) {
    CampaignCounts& c = counts[j.campaign];
    ++c.journeys[std::string(store::JourneyStateName(j.state))];
    if (j.holdout) ++c.journeys["holdout"];
    if (j.state == store::JourneyState::kActive &&
        static_cast<std::size_t>(j.next_step) < c.waiting_for_step.size()) {
      ++c.waiting_for_step[static_cast<std::size_t>(j.next_step)];
    }
    return Status::Ok();
  }));
  WINBACK_RETURN_IF_ERROR(outbox.ForEachMessage({}, [&](const store::OutboxMessage& m) {
    ++counts[m.campaign].messages[m.step][std::string(store::MessageStatusName(m.status))];
    return Status::Ok();
  }));
  nlohmann::json list = nlohmann::json::array();
  for (const campaigns::Campaign& c : settings.campaigns) {
    const CampaignCounts& n = counts[c.name];
    nlohmann::json steps = nlohmann::json::array();
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      const campaigns::Step& step = c.steps[i];
      auto it = n.messages.find(step.name);
      steps.push_back({{"name", step.name},
                       {"wait_days", step.wait_days},
                       {"wait_hours", step.wait_hours},
                       {"offer", step.offer},
                       {"variants", step.variants},
                       {"journeys_waiting", n.waiting_for_step[i]},
                       {"messages", it == n.messages.end() ? nlohmann::json::object()
                                                           : nlohmann::json(it->second)}});
    }
    list.push_back({{"name", c.name},
                    {"trigger", std::string(campaigns::TriggerKindName(c.trigger))},
                    {"priority", c.priority},
                    {"holdout", c.holdout},
                    {"journeys", n.journeys},
                    {"steps", steps}});
  }
  return nlohmann::json{{"campaigns", list}}.dump(2);
}

}  // namespace winback::report
