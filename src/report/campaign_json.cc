#include "report/campaign_json.h"

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

nlohmann::json ComparisonJson(const measure::Comparison& c) {
  return {{"diff", c.diff},
          {"se", c.se},
          {"ci_low", c.ci_low},
          {"ci_high", c.ci_high},
          {"p_value", c.p_value},
          {"relative_lift", OrNull(c.relative_lift)},
          {"relative_ci_low", OrNull(c.relative_ci_low)},
          {"relative_ci_high", OrNull(c.relative_ci_high)}};
}

nlohmann::json SequentialJson(const measure::SequentialInterval& s, double planned_n) {
  return {{"ci_low", s.ci_low},
          {"ci_high", s.ci_high},
          {"halfwidth", s.halfwidth},
          {"p_value", s.p_value},
          {"planned_n", planned_n}};
}

nlohmann::json LiftMetricJson(const measure::LiftMetric& m, double planned_n) {
  nlohmann::json j = ComparisonJson(m.plain);
  nlohmann::json cuped = ComparisonJson(m.cuped.adjusted);
  cuped["theta"] = m.cuped.theta;
  cuped["variance_reduction"] = m.cuped.variance_reduction;
  j["cuped"] = std::move(cuped);
  j["sequential"] = SequentialJson(m.sequential, planned_n);
  return j;
}

nlohmann::json IncrementalJson(const std::optional<measure::Incremental>& v) {
  if (!v) return nullptr;
  return {{"value", v->value}, {"ci_low", v->ci_low}, {"ci_high", v->ci_high}};
}

nlohmann::json ArmJson(const measure::ArmOutcome& a, const std::string& currency) {
  return {{"customers", a.customers},
          {"complete_windows", a.complete_windows},
          {"converted", a.converted},
          {"orders", a.orders},
          {"revenue", Money(a.revenue_minor, currency)},
          {"conversion_rate", a.conversion_rate},
          {"revenue_per_customer", a.revenue_per_customer}};
}

nlohmann::json AfterArmJson(const measure::AfterArm& a) {
  return {{"customers", a.customers},
          {"repeaters", a.repeaters},
          {"repeat_rate", a.repeat_rate},
          {"revenue_per_customer", a.revenue_per_customer}};
}

nlohmann::json CampaignResultDocument(const measure::CampaignResult& r) {
  nlohmann::json funnel = nlohmann::json::array();
  for (const measure::FunnelRow& f : r.funnel) {
    funnel.push_back({{"step", f.step},
                      {"variant", f.variant},
                      {"planned", f.planned},
                      {"held_out", f.held_out},
                      {"sent", f.sent},
                      {"delivered", f.delivered},
                      {"opened", f.opened},
                      {"clicked", f.clicked},
                      {"replied", f.replied},
                      {"unsubscribed", f.unsubscribed},
                      {"bounced", f.bounced},
                      {"complained", f.complained},
                      {"converted", f.converted},
                      {"held_out_converted", f.held_out_converted},
                      {"coupons_redeemed", f.coupons_redeemed}});
  }
  nlohmann::json lift = nullptr;
  if (r.conversion_rate && r.revenue_per_customer) {
    lift = {{"conversion_rate", LiftMetricJson(*r.conversion_rate, r.planned_n)},
            {"revenue_per_customer", LiftMetricJson(*r.revenue_per_customer, r.planned_n)}};
  }
  nlohmann::json variants = nlohmann::json::array();
  for (const measure::StepVariants& sv : r.variants) {
    nlohmann::json list = nlohmann::json::array();
    for (const measure::VariantLift& v : sv.variants) {
      nlohmann::json j = {{"variant", v.variant},
                          {"n", v.n},
                          {"converted", v.converted},
                          {"conversion_rate", v.conversion_rate}};
      if (v.comparison) {
        nlohmann::json l = ComparisonJson(*v.comparison);
        l["sequential"] = SequentialJson(*v.sequential, r.planned_n);
        l["holm_p_value"] = OrNull(v.holm_p_value);
        l["mde"] = OrNull(v.mde);
        j["lift"] = {{"conversion_rate", std::move(l)}};
      }
      list.push_back(std::move(j));
    }
    variants.push_back(
        {{"step", sv.step},
         {"srm_p_value", sv.srm_p_value},
         {"srm_mismatch", sv.srm_mismatch},
         {"winner", sv.winner.empty() ? nlohmann::json(nullptr) : nlohmann::json(sv.winner)},
         {"variants", std::move(list)}});
  }
  const auto comparison_or_null = [](const std::optional<measure::Comparison>& c) {
    return c ? ComparisonJson(*c) : nlohmann::json(nullptr);
  };
  return {{"campaign", r.campaign},
          {"as_of", FormatTimestamp(r.as_of)},
          {"attribution_days", r.attribution_days},
          {"confidence", 1.0 - r.alpha},
          {"currency", r.currency.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.currency)},
          {"targeted", r.targeted},
          {"not_started", r.not_started},
          {"holdout_share", r.holdout_share},
          {"srm_p_value", r.sample_ratio.p_value},
          {"srm_chi_square", r.sample_ratio.chi_square},
          {"srm_mismatch", r.sample_ratio.mismatch},
          {"treated", ArmJson(r.treated, r.currency)},
          {"holdout", ArmJson(r.holdout, r.currency)},
          {"funnel", std::move(funnel)},
          {"lift", std::move(lift)},
          {"incremental",
           {{"customers", IncrementalJson(r.incremental_customers)},
            {"revenue", IncrementalJson(r.incremental_revenue)},
            {"profit", IncrementalJson(r.incremental_profit)},
            {"offer_cost", Money(r.offer_cost_minor, r.currency)},
            {"message_cost", Money(r.message_cost_minor, r.currency)}}},
          {"variants", std::move(variants)},
          {"after",
           {{"days", r.after.days},
            {"treated", AfterArmJson(r.after.treated)},
            {"holdout", AfterArmJson(r.after.holdout)},
            {"repeat_rate", comparison_or_null(r.after.repeat_rate)},
            {"revenue_per_customer", comparison_or_null(r.after.revenue_per_customer)}}},
          {"unmatched_events", r.unmatched_events},
          {"notes", r.notes}};
}


// Journey and message counts of one campaign.
struct CampaignCounts {
  std::map<std::string, std::int64_t> journeys;  // "active", "completed", "exited", ...
  std::vector<std::int64_t> waiting_for_step;    // Active journeys whose next step is i.
  std::map<std::string, std::map<std::string, std::int64_t>> messages;  // step -> status -> n
};

}  // namespace

std::string CampaignResultJson(const measure::CampaignResult& result) {
  return CampaignResultDocument(result).dump();
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
