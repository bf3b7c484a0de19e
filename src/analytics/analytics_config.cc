#include "analytics/analytics_config.h"

#include <vector>

#include "config/registry.h"
#include "core/money.h"

namespace winback::analytics {
namespace {

using config::SectionView;
using config::Value;

std::vector<std::string> SignalNames() {
  std::vector<std::string> names;
  for (int s = 0; s <= static_cast<int>(ActivitySignal::kAny); ++s) {
    names.emplace_back(ActivitySignalName(static_cast<ActivitySignal>(s)));
  }
  return names;
}

std::vector<std::string> GroupNames() {
  std::vector<std::string> names;
  names.reserve(kGroupCount);
  for (int g = 0; g < kGroupCount; ++g) names.emplace_back(GroupName(static_cast<Group>(g)));
  return names;
}

std::int32_t Int32(const Value& v) { return static_cast<std::int32_t>(v.AsInteger()); }

ScoreRange Range(const Value& v) {
  const auto [lo, hi] = v.AsIntegerRange();
  return ScoreRange{static_cast<int>(lo), static_cast<int>(hi)};
}

Status ParseInactivitySection(const SectionView& s, AnalyticsConfig& c) {
  InactivityConfig& inactivity = c.scoring.inactivity;
  if (const Value* v = s.Find("combine")) {
    inactivity.combine = v->AsString() == "all" ? RuleCombination::kAll : RuleCombination::kAny;
  }
  if (const Value* v = s.Find("rule")) {
    // Writing any rule replaces the defaults.
    inactivity.rules.clear();
    for (const Value& t : v->AsArray()) {
      InactivityRule rule;
      rule.signal = *ParseActivitySignal(t.Find("signal")->AsString());
      rule.days = Int32(*t.Find("days"));
      if (const Value* name = t.Find("name")) rule.name = name->AsString();
      if (rule.name.empty()) {
        rule.name = "no_" + std::string(ActivitySignalName(rule.signal)) + "_" +
                    std::to_string(rule.days) + "d";
      }
      inactivity.rules.push_back(std::move(rule));
    }
  }
  const Status valid = ValidateInactivityConfig(inactivity);
  if (!valid.ok()) return s.ErrorAt(s.table(), valid.message());
  return Status::Ok();
}

Status ParseRfmSection(const SectionView& s, AnalyticsConfig& c) {
  if (const Value* v = s.Find("monetary")) {
    c.scoring.monetary = v->AsString() == "mean" ? MonetaryBasis::kMean : MonetaryBasis::kTotal;
  }
  if (const Value* v = s.Find("segment")) {
    std::vector<SegmentRule> rules;
    for (const Value& t : v->AsArray()) {
      SegmentRule rule;
      rule.name = t.Find("name")->AsString();
      if (const Value* r = t.Find("r")) rule.r = Range(*r);
      if (const Value* f = t.Find("f")) rule.f = Range(*f);
      if (const Value* m = t.Find("m")) rule.m = Range(*m);
      rule.group = *ParseGroup(t.Find("group")->AsString());
      rules.push_back(std::move(rule));
    }
    Result<SegmentMap> map = SegmentMap::Create(std::move(rules));
    if (!map.ok()) return s.ErrorAt(*v, map.status().message());
    c.scoring.segments = std::move(map).value();
  }
  return Status::Ok();
}

Status ParseLifecycleSection(const SectionView& s, AnalyticsConfig& c) {
  LifecycleConfig& l = c.scoring.lifecycle;
  for (auto [key, field] :
       {std::pair{"new_days", &l.new_days}, std::pair{"at_risk_days", &l.at_risk_days},
        std::pair{"inactive_days", &l.inactive_days}, std::pair{"lost_days", &l.lost_days},
        std::pair{"reactivation_gap_days", &l.reactivation_gap_days},
        std::pair{"reactivated_days", &l.reactivated_days}}) {
    if (const Value* v = s.Find(key)) *field = Int32(*v);
  }
  const Status valid = ValidateLifecycleConfig(l);
  if (!valid.ok()) return s.ErrorAt(s.table(), valid.message());
  return Status::Ok();
}

Status ParseReadinessSection(const SectionView& s, AnalyticsConfig& c) {
  ReadinessConfig& r = c.scoring.readiness;
  for (auto [key, field] : {std::pair{"referred_others", &r.referred_others},
                            std::pair{"never_complained", &r.never_complained},
                            std::pair{"issues_resolved", &r.issues_resolved},
                            std::pair{"left_over_price", &r.left_over_price}}) {
    if (const Value* v = s.Find(key)) *field = v->AsNumber();
  }
  const Status valid = ValidateReadinessConfig(r);
  if (!valid.ok()) return s.ErrorAt(s.table(), valid.message());
  return Status::Ok();
}

Status ParseLetGoSection(const SectionView& s, AnalyticsConfig& c) {
  LetGoConfig& g = c.scoring.let_go;
  if (const Value* v = s.Find("payment_defaults")) g.payment_defaults = Int32(*v);
  if (const Value* v = s.Find("unresolved_complaints")) g.unresolved_complaints = Int32(*v);
  if (const Value* v = s.Find("max_refund_share")) g.max_refund_share = v->AsNumber();
  if (const Value* v = s.Find("unsubscribed_everywhere")) {
    g.unsubscribed_everywhere = v->AsBoolean();
  }
  return Status::Ok();
}

Status ParseRatesSection(const SectionView& s, AnalyticsConfig& c) {
  if (const Value* v = s.Find("activity_days")) c.activity_days = Int32(*v);
  if (const Value* v = s.Find("currency")) {
    c.currency = v->AsString();
    if (!c.currency.empty() && !Currency::FromCode(c.currency).ok()) {
      return s.Error(*v, "currency", "'" + c.currency + "' is not an ISO 4217 currency code");
    }
  }
  return Status::Ok();
}

}  // namespace

void AddConfigSections(config::Registry& registry) {
  constexpr std::int64_t kMaxDays = 36'500;
  constexpr std::int64_t kMaxCount = 1'000'000;
  registry.Add<AnalyticsConfig>(
      "inactivity",
      {config::OneOf("combine", {"all", "any"}),
       config::TableArray("rule", {config::String("name"),
                                   config::Required(config::OneOf("signal", SignalNames())),
                                   config::Required(config::Integer("days", 1, kMaxDays))})},
      ParseInactivitySection);
  registry.Add<AnalyticsConfig>(
      "rfm",
      {config::OneOf("monetary", {"mean", "total"}),
       config::TableArray(
           "segment", {config::Required(config::String("name")), config::IntegerRange("r", 1, 5),
                       config::IntegerRange("f", 1, 5), config::IntegerRange("m", 1, 5),
                       config::Required(config::OneOf("group", GroupNames()))})},
      ParseRfmSection);
  registry.Add<AnalyticsConfig>(
      "lifecycle",
      {config::Integer("new_days", 1, kMaxDays), config::Integer("at_risk_days", 1, kMaxDays),
       config::Integer("inactive_days", 1, kMaxDays), config::Integer("lost_days", 1, kMaxDays),
       config::Integer("reactivation_gap_days", 1, kMaxDays),
       config::Integer("reactivated_days", 1, kMaxDays)},
      ParseLifecycleSection);
  registry.Add<AnalyticsConfig>(
      "readiness",
      {config::Number("referred_others", 0, 1e6), config::Number("never_complained", 0, 1e6),
       config::Number("issues_resolved", 0, 1e6), config::Number("left_over_price", 0, 1e6)},
      ParseReadinessSection);
  registry.Add<AnalyticsConfig>(
      "let_go",
      {config::Integer("payment_defaults", 0, kMaxCount),
       config::Integer("unresolved_complaints", 0, kMaxCount),
       config::Number("max_refund_share", 0, 1), config::Boolean("unsubscribed_everywhere")},
      ParseLetGoSection);
  registry.Add<AnalyticsConfig>(
      "rates", {config::Integer("activity_days", 1, kMaxDays), config::String("currency")},
      ParseRatesSection);
}

std::string ExampleAnalyticsConfig() {
  return R"toml(
# ---- Analytics: `winback score`, `rates`, `cohorts`, `segments`, `report` ----------------
# Every key below is optional; the values shown are the defaults.

[inactivity]
# A customer who has ordered is *inactive* when all (or any) of the rules match. A rule
# "no <signal> for <days> days" matches when the latest <signal> is at least <days> days
# before the score date, or never happened. Signals: order, email (open or click), sms,
# whatsapp, engagement (email, sms or whatsapp), chat (chat or call), visit, any.
# Writing any [[inactivity.rule]] replaces the three defaults.
combine = "all"   # "all" or "any"

[[inactivity.rule]]
name = "no_order_180d"
signal = "order"
days = 180

[[inactivity.rule]]
name = "no_email_90d"
signal = "email"
days = 90

[[inactivity.rule]]
name = "no_chat_90d"
signal = "chat"
days = 90

[rfm]
# R, F and M are quintile scores 1..5 over the customers who have ordered; equal values
# always share a score. M ranks the "mean" order value (article 004) or the "total" spent,
# among customers with the same main currency.
monetary = "mean"
# Segments: write [[rfm.segment]] tables to replace the default map (first match wins; every
# (R, F, M) cell must be covered; group is one of loyal, potentially_loyal, loyal_at_risk,
# high_value_lost, lost). The default map, for reference:
#   [[rfm.segment]]
#   name = "champions"
#   r = [4, 5]
#   f = [4, 5]
#   m = [4, 5]
#   group = "loyal"
#   ... loyal (R 3-5, F 4-5), potential_loyalist (R 4-5, F 2-3), new (R 5, F 1),
#   promising (R 4, F 1), need_attention (R 3, F 2-3), about_to_sleep (R 3, F 1),
#   cant_lose_them (R 1-2, F 4-5, M 4-5), at_risk (R 1-2, F 4-5), hibernating (R 2, F 1-3),
#   lost (R 1, F 1-3).

[lifecycle]
# recency = days since the last order. First match: lost, inactive (or the inactivity rules
# match), at_risk, new, reactivated, active; "prospect" has never ordered.
new_days = 90               # first order less than this many days ago
at_risk_days = 90           # recency >= this
inactive_days = 180         # recency >= this
lost_days = 365             # recency >= this
reactivation_gap_days = 180 # an order after a gap this long is a return ...
reactivated_days = 90       # ... and a return less than this many days ago is "reactivated"

[readiness]
# Win-back readiness (article 004): weights of the four criteria; score = met / total.
referred_others = 1.0
never_complained = 1.0
issues_resolved = 1.0
left_over_price = 1.0

[let_go]
# Customers not to target (0 switches a rule off).
payment_defaults = 1           # this many payment_default events
unresolved_complaints = 2      # complaints minus satisfied resolutions
max_refund_share = 0.5         # refunded / (completed + refunded), with at least 2 refunds
unsubscribed_everywhere = true # unsubscribed from email, sms and whatsapp

[rates]
activity_days = 180  # active = ordered within this many days
currency = ""        # revenue currency of reports; "" = the main currency of most customers
)toml";
}

}  // namespace winback::analytics
