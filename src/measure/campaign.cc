#include "measure/campaign.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "config/registry.h"
#include "config/section_view.h"
#include "core/money.h"

namespace winback::measure {
namespace {

using store::MessageStatus;
using store::OutboxMessage;

constexpr std::int64_t kMaxDays = 3650;

Status ParseMeasurement(const config::SectionView& s, MeasurementSettings& m) {
  if (const config::Value* v = s.Find("attribution_days")) m.attribution_days = v->AsInteger();
  if (const config::Value* v = s.Find("pre_period_days")) m.pre_period_days = v->AsInteger();
  if (const config::Value* v = s.Find("confidence")) m.alpha = 1.0 - v->AsNumber();
  return Status::Ok();
}

// The time a message counts from: when it was sent, else when it was (or would have been) due.
Instant MessageTime(const OutboxMessage& m) {
  return m.status == MessageStatus::kSent && m.sent_at ? *m.sent_at : m.scheduled_at;
}

// One completed order of a targeted customer.
struct OrderAt {
  Instant at;
  std::int64_t amount_minor = 0;
};

// One targeted customer: its first entry into the campaign.
struct Unit {
  CustomerKey customer;
  std::int32_t occurrence = 0;
  bool holdout = false;
  Instant start;
  bool has_start = false;
};

// Counts message `m` towards its customer's unit: the customer's first entry (the smallest
// occurrence); within it, held out only when every message is, started at the earliest
// message time. Independent of the order messages come in.
void AddToUnit(std::map<std::int64_t, Unit>& units, const OutboxMessage& m) {
  Unit& u = units[m.customer.value()];
  if (u.occurrence == 0 || m.occurrence < u.occurrence) {
    u = Unit{m.customer, m.occurrence, m.status == MessageStatus::kHoldout, MessageTime(m), true};
  } else if (m.occurrence == u.occurrence) {
    u.holdout = u.holdout && m.status == MessageStatus::kHoldout;
    u.start = std::min(u.start, MessageTime(m));
  }
}

// The first completed order in [from, to), or null.
const OrderAt* FirstIn(const std::vector<OrderAt>& orders, Instant from, Instant to) {
  const auto it = std::lower_bound(orders.begin(), orders.end(), from,
                                   [](const OrderAt& o, Instant t) { return o.at < t; });
  return it != orders.end() && it->at < to ? &*it : nullptr;
}

// Count and sum of the completed orders in [from, to).
std::pair<std::int64_t, std::int64_t> SumIn(const std::vector<OrderAt>& orders, Instant from,
                                            Instant to) {
  std::int64_t n = 0;
  std::int64_t sum = 0;
  for (auto it = std::lower_bound(orders.begin(), orders.end(), from,
                                  [](const OrderAt&o, Instant t) { return o.at < t; });
       it != orders.end() && it->at < to; ++it) {
    ++n;
    sum += it->amount_minor;
  }
  return {n, sum};
}

Status CheckCurrency(std::string& have, const std::string& code, std::string_view what) {
  if (code.empty()) return Status::Ok();
  if (have.empty()) {
    have = code;
    return Status::Ok();
  }
  if (have == code) return Status::Ok();
  std::array<std::string, 2> codes{have, code};
  std::sort(codes.begin(), codes.end());
  return InvalidArgumentError("the campaign's money is in more than one currency (" + codes[0] +
                              ", " + codes[1] + ", " + std::string(what) +
                              "); winback does not convert currencies");
}

Incremental Scale(const Comparison& c, double by) {
  return {c.diff * by, c.ci_low * by, c.ci_high * by};
}

// `plain` beside CUPED on the same outcome (whose own plain comparison uses the sample
// variance, n - 1, also for rates) and the always-valid interval around `plain`.
Result<LiftMetric> Lift(const Comparison& plain, const Moments& treated, const Moments& holdout,
                        Reference reference, const CampaignOptions& options, double planned_n) {
  LiftMetric out;
  out.plain = plain;
  WINBACK_ASSIGN_OR_RETURN(out.cuped, CompareCuped(treated, holdout, reference, options.alpha));
  WINBACK_ASSIGN_OR_RETURN(out.sequential,
                           AlwaysValidInterval(out.plain, {options.alpha, planned_n}));
  return out;
}

Status CheckOptions(std::string_view name, const CampaignOptions& o) {
  if (name.empty() || name.find('/') != std::string_view::npos) {
    return InvalidArgumentError("campaign name '" + std::string(name) +
                                "': must be non-empty and hold no '/'");
  }
  if (o.attribution_days < 1 || o.attribution_days > kMaxDays) {
    return InvalidArgumentError("attribution_days must be in 1.." + std::to_string(kMaxDays));
  }
  if (o.pre_period_days < 0 || o.pre_period_days > kMaxDays) {
    return InvalidArgumentError("pre_period_days must be in 0.." + std::to_string(kMaxDays));
  }
  if (o.after_days < 1 || o.after_days > kMaxDays) {
    return InvalidArgumentError("after_days must be in 1.." + std::to_string(kMaxDays));
  }
  if (!(o.alpha > 0 && o.alpha < 1)) return InvalidArgumentError("alpha must be in (0, 1)");
  if (!(o.holdout_share > 0 && o.holdout_share < 1)) {
    return InvalidArgumentError("campaign '" + std::string(name) +
                                "': holdout share must be in (0, 1) to measure against it");
  }
  if (!(o.planned_n >= 0) || !std::isfinite(o.planned_n)) {
    return InvalidArgumentError("planned_n must be >= 0");
  }
  return Status::Ok();
}

AfterArm Summarize(const Moments& repeat, const Moments& revenue) {
  AfterArm a;
  a.customers = repeat.n();
  a.repeaters =
      static_cast<std::int64_t>(std::llround(repeat.mean_y() * static_cast<double>(repeat.n())));
  a.repeat_rate = repeat.mean_y();
  a.revenue_per_customer = revenue.mean_y();
  return a;
}

}  // namespace

void AddConfigSections(config::Registry& registry) {
  registry.Add<MeasurementSettings>(
      "measurement",
      {config::Integer("attribution_days", 1, 365), config::Integer("pre_period_days", 0, kMaxDays),
       config::Number("confidence", 0.5, 0.999)},
      ParseMeasurement);
}

std::optional<FunnelEvent> FunnelEventOf(EventType type) {
  switch (type) {
    case EventType::kEmailOpen:
    case EventType::kWhatsappRead:
      return FunnelEvent::kOpened;
    case EventType::kEmailClick:
    case EventType::kSmsClick:
      return FunnelEvent::kClicked;
    case EventType::kEmailReply:
    case EventType::kSmsReply:
    case EventType::kWhatsappReply:
      return FunnelEvent::kReplied;
    case EventType::kUnsubscribe:
      return FunnelEvent::kUnsubscribed;
    case EventType::kBounce:
      return FunnelEvent::kBounced;
    case EventType::kComplaint:
      return FunnelEvent::kComplained;
    default:
      return std::nullopt;
  }
}

Result<std::vector<std::string>> CampaignNames(store::OutboxStore& outbox) {
  std::set<std::string> names;
  WINBACK_RETURN_IF_ERROR(outbox.ForEachMessage({}, [&](const OutboxMessage& m) {
    names.insert(m.campaign);
    return Status::Ok();
  }));
  return std::vector<std::string>(names.begin(), names.end());
}

Result<CampaignResult> MeasureCampaign(std::string_view name, const CampaignOptions& options,
                                       store::OutboxStore& outbox, store::Scanner& scanner) {
  WINBACK_RETURN_IF_ERROR(CheckOptions(name, options));
  CampaignResult r;
  r.campaign = std::string(name);
  r.as_of = options.as_of;
  r.attribution_days = options.attribution_days;
  r.alpha = options.alpha;
  r.holdout_share = options.holdout_share;
  r.after.days = options.after_days;

  // 1. The campaign's messages planned before as_of.
  std::vector<OutboxMessage> messages;
  store::MessageFilter filter;
  filter.campaign = r.campaign;
  WINBACK_RETURN_IF_ERROR(outbox.ForEachMessage(filter, [&](const OutboxMessage& m) {
    if (m.planned_at < options.as_of) {
      OutboxMessage copy = m;
      copy.subject.clear();
      copy.body_text.clear();
      copy.body_html.clear();
      copy.address.clear();
      messages.push_back(std::move(copy));
    }
    return Status::Ok();
  }));
  if (messages.empty()) {
    return NotFoundError("campaign '" + r.campaign + "': no message in the outbox before " +
                         FormatTimestamp(options.as_of));
  }
  std::unordered_map<std::string, std::size_t> by_key;
  for (std::size_t i = 0; i < messages.size(); ++i) by_key.emplace(messages[i].key, i);

  // 2. Units: each customer's first entry; its start is its earliest message's time.
  std::map<std::int64_t, Unit> units;  // by customer key, so keys come out increasing
  for (const OutboxMessage& m : messages) AddToUnit(units, m);
  r.targeted = static_cast<std::int64_t>(units.size());
  r.first_start = units.begin()->second.start;
  for (const auto& [key, unit] : units) r.first_start = std::min(r.first_start, unit.start);
  std::vector<CustomerKey> keys;
  keys.reserve(units.size());
  for (const auto& [key, unit] : units) keys.push_back(unit.customer);

  // 3. Completed orders of the targeted customers before as_of, one currency.
  std::unordered_map<std::int64_t, std::vector<OrderAt>> orders;
  std::string currency;
  if (!keys.empty()) {
    std::size_t next = 0;
    const store::KeyRange range{keys.front().value(), keys.back().value() + 1};
    WINBACK_RETURN_IF_ERROR(scanner.ForEachCustomerOrdersInRange(
        range, [&](CustomerKey key, std::span<const store::OrderPoint> points) -> Status {
          while (next < keys.size() && keys[next] < key) ++next;
          if (next == keys.size() || !(keys[next] == key)) return Status::Ok();
          const Unit& u = units.at(key.value());
          const Instant from = u.start.PlusDays(-options.pre_period_days);
          const Instant to = std::min(
              u.start.PlusDays(options.attribution_days + options.after_days), options.as_of);
          std::vector<OrderAt>& mine = orders[key.value()];
          for (const store::OrderPoint& o : points) {
            if (o.status != OrderStatus::kCompleted || o.placed_at >= options.as_of) continue;
            if (o.placed_at < from || o.placed_at >= to) continue;
            Status same = CheckCurrency(currency, o.currency,
                                        "orders of customer key " + std::to_string(key.value()));
            if (!same.ok()) return same;
            mine.push_back({o.placed_at, o.amount_minor});
          }
          return Status::Ok();
        }));
  }

  // 4. Coupon redemptions and tracking events, by message.
  std::set<std::string> redeemed;  // coupon codes
  std::int64_t offer_cost_minor = 0;
  {
    Instant first = options.as_of;
    for (const OutboxMessage& m : messages) first = std::min(first, m.planned_at);
    std::unordered_map<std::string, std::size_t> by_coupon;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (!messages[i].coupon.empty()) by_coupon.emplace(messages[i].coupon, i);
    }
    if (!by_coupon.empty()) {
      WINBACK_ASSIGN_OR_RETURN(std::vector<store::CouponRedemption> redemptions,
                               scanner.CouponRedemptions(first, options.as_of));
      for (const store::CouponRedemption& c : redemptions) {
        const auto it = by_coupon.find(c.coupon);
        if (it == by_coupon.end() || !redeemed.insert(c.coupon).second) continue;
        const OutboxMessage& m = messages[it->second];
        if (m.status != MessageStatus::kHoldout) {
          WINBACK_RETURN_IF_ERROR(CheckCurrency(currency, m.currency, "offer costs"));
          offer_cost_minor += m.offer_cost_minor;
        }
      }
    }
  }
  std::vector<std::array<bool, kFunnelEventCount>> seen(messages.size());
  WINBACK_RETURN_IF_ERROR(
      scanner.ForEachCampaignMessageEvent(r.campaign, [&](const store::MessageEvent& e) {
        if (e.at >= options.as_of) return Status::Ok();
        const std::optional<FunnelEvent> stage = FunnelEventOf(e.type);
        if (!stage) return Status::Ok();
        const auto it = by_key.find(e.message);
        if (it == by_key.end()) {
          ++r.unmatched_events;
          return Status::Ok();
        }
        seen[it->second][static_cast<std::size_t>(*stage)] = true;
        return Status::Ok();
      }));
  r.currency = currency;
  double scale = 1;
  if (!currency.empty()) {
    WINBACK_ASSIGN_OR_RETURN(Currency c, Currency::FromCode(currency));
    scale = std::pow(10.0, c.exponent());
  }

  // 5. The funnel per (step, variant), steps in the order first scheduled; beside it, per row,
  //    the planned and converted messages of the A/B comparison (those before ab_until).
  std::vector<std::pair<std::int64_t, std::int64_t>> ab;  // (planned, converted) per funnel row
  std::map<std::string, std::int64_t> after_takeover;     // per step
  {
    std::map<std::pair<std::string, std::string>, std::size_t> rows;
    std::int64_t message_cost = 0;
    bool cost_ignored = false;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const OutboxMessage& m = messages[i];
      auto [it, added] = rows.emplace(std::pair{m.step, m.variant}, r.funnel.size());
      if (added) {
        FunnelRow& row = r.funnel.emplace_back();
        row.step = m.step;
        row.variant = m.variant;
        ab.emplace_back(0, 0);
      }
      FunnelRow& row = r.funnel[it->second];
      const bool held = m.status == MessageStatus::kHoldout;
      (held ? row.held_out : row.planned) += 1;
      const auto& s = seen[i];
      const bool bounced = s[static_cast<std::size_t>(FunnelEvent::kBounced)];
      if (m.status == MessageStatus::kSent) {
        ++row.sent;
        if (!bounced) ++row.delivered;
        const std::int64_t cost = options.message_cost_minor[static_cast<int>(m.channel)];
        if (cost != 0) {
          if (!currency.empty() && options.message_cost_currency != currency) {
            cost_ignored = true;
          } else {
            message_cost += cost;
          }
        }
      }
      row.opened += s[static_cast<std::size_t>(FunnelEvent::kOpened)] ? 1 : 0;
      row.clicked += s[static_cast<std::size_t>(FunnelEvent::kClicked)] ? 1 : 0;
      row.replied += s[static_cast<std::size_t>(FunnelEvent::kReplied)] ? 1 : 0;
      row.unsubscribed += s[static_cast<std::size_t>(FunnelEvent::kUnsubscribed)] ? 1 : 0;
      row.bounced += bounced ? 1 : 0;
      row.complained += s[static_cast<std::size_t>(FunnelEvent::kComplained)] ? 1 : 0;
      const Instant t = MessageTime(m);
      const auto found = orders.find(m.customer.value());
      const bool converted =
          t < options.as_of && found != orders.end() &&
          FirstIn(found->second, t, std::min(t.PlusDays(options.attribution_days), options.as_of));
      if (converted) (held ? row.held_out_converted : row.converted) += 1;
      if (!held) {
        const auto until = options.ab_until.find(m.step);
        if (until == options.ab_until.end() || m.planned_at < until->second) {
          ab[it->second].first += 1;
          ab[it->second].second += converted ? 1 : 0;
        } else {
          ++after_takeover[m.step];
        }
      }
      if (!m.coupon.empty() && redeemed.count(m.coupon) > 0) ++row.coupons_redeemed;
    }
    r.message_cost_minor = message_cost;
    r.offer_cost_minor = offer_cost_minor;
    if (cost_ignored) {
      r.notes.push_back("message costs are in " + options.message_cost_currency +
                        ", not the campaign's " + currency + ": counted as 0");
    } else if (std::all_of(std::begin(options.message_cost_minor),
                           std::end(options.message_cost_minor),
                           [](std::int64_t c) { return c == 0; })) {
      r.notes.push_back("no message costs configured: counted as 0");
    }
  }

  // 6. Per customer: outcome, covariates, afterwards.
  Moments conv[2], rev[2], repeat[2], after_rev[2];  // [0] treated, [1] holdout
  for (const auto& [key, u] : units) {
    if (!(u.start < options.as_of)) {
      ++r.not_started;
      continue;
    }
    const int arm = u.holdout ? 1 : 0;
    ArmOutcome& out = u.holdout ? r.holdout : r.treated;
    const Instant window_end = u.start.PlusDays(options.attribution_days);
    const Instant end = std::min(window_end, options.as_of);
    static const std::vector<OrderAt> kNone;
    const auto found = orders.find(key);
    const std::vector<OrderAt>& mine = found == orders.end() ? kNone : found->second;
    const auto [n, sum] = SumIn(mine, u.start, end);
    const auto [pre_n, pre_sum] = SumIn(mine, u.start.PlusDays(-options.pre_period_days), u.start);
    ++out.customers;
    if (window_end <= options.as_of) ++out.complete_windows;
    out.converted += n > 0 ? 1 : 0;
    out.orders += n;
    out.revenue_minor += sum;
    conv[arm].Add(n > 0 ? 1.0 : 0.0, static_cast<double>(pre_n));
    rev[arm].Add(static_cast<double>(sum) / scale, static_cast<double>(pre_sum) / scale);
    if (const OrderAt* first = n > 0 ? FirstIn(mine, u.start, end) : nullptr) {
      const Instant after_end = first->at.PlusDays(options.after_days);
      if (after_end <= options.as_of) {
        // The orders of [first, first + after_days) but the win-back order itself.
        const auto [rn, rsum] = SumIn(mine, first->at, after_end);
        const std::int64_t later = rn - 1;
        const std::int64_t later_sum = rsum - first->amount_minor;
        repeat[arm].Add(later > 0 ? 1.0 : 0.0);
        after_rev[arm].Add(static_cast<double>(later_sum) / scale);
      }
    }
  }
  for (ArmOutcome* a : {&r.treated, &r.holdout}) {
    if (a->customers > 0) {
      a->conversion_rate = static_cast<double>(a->converted) / static_cast<double>(a->customers);
      a->revenue_per_customer =
          static_cast<double>(a->revenue_minor) / scale / static_cast<double>(a->customers);
    }
  }

  // 7. The split, then the lift.
  const std::array<std::int64_t, 2> counts{r.treated.customers, r.holdout.customers};
  const std::array<double, 2> shares{1.0 - options.holdout_share, options.holdout_share};
  if (counts[0] + counts[1] > 0) {
    WINBACK_ASSIGN_OR_RETURN(r.sample_ratio, CheckSampleRatio(counts, shares));
  }
  r.planned_n = options.planned_n > 0 ? options.planned_n : static_cast<double>(r.targeted);
  if (r.treated.customers >= 2 && r.holdout.customers >= 2) {
    WINBACK_ASSIGN_OR_RETURN(
        Comparison conversion,
        CompareProportions(r.treated.converted, r.treated.customers, r.holdout.converted,
                           r.holdout.customers, options.alpha));
    WINBACK_ASSIGN_OR_RETURN(r.conversion_rate, Lift(conversion, conv[0], conv[1],
                                                     Reference::kNormal, options, r.planned_n));
    WINBACK_ASSIGN_OR_RETURN(Comparison revenue,
                             CompareMeans(rev[0].Outcome(), rev[1].Outcome(), options.alpha));
    WINBACK_ASSIGN_OR_RETURN(
        r.revenue_per_customer,
        Lift(revenue, rev[0], rev[1], Reference::kStudentT, options, r.planned_n));
    const double nt = static_cast<double>(r.treated.customers);
    r.incremental_customers = Scale(r.conversion_rate->plain, nt);
    r.incremental_revenue = Scale(r.revenue_per_customer->plain, nt);
    // Costs are known exactly: they shift the revenue's interval.
    const double costs = static_cast<double>(r.offer_cost_minor + r.message_cost_minor) / scale;
    r.incremental_profit =
        Incremental{r.incremental_revenue->value - costs, r.incremental_revenue->ci_low - costs,
                    r.incremental_revenue->ci_high - costs};
  }
  r.after.treated = Summarize(repeat[0], after_rev[0]);
  r.after.holdout = Summarize(repeat[1], after_rev[1]);
  if (repeat[0].n() >= 2 && repeat[1].n() >= 2) {
    WINBACK_ASSIGN_OR_RETURN(
        r.after.repeat_rate,
        CompareProportions(r.after.treated.repeaters, r.after.treated.customers,
                           r.after.holdout.repeaters, r.after.holdout.customers, options.alpha));
    WINBACK_ASSIGN_OR_RETURN(
        r.after.revenue_per_customer,
        CompareMeans(after_rev[0].Outcome(), after_rev[1].Outcome(), options.alpha));
  }

  // 8. Variants of a step against its first variant, on the conversion of planned messages.
  std::vector<std::string> steps;
  for (const FunnelRow& row : r.funnel) {
    if (std::find(steps.begin(), steps.end(), row.step) == steps.end()) steps.push_back(row.step);
  }
  for (const std::string& step : steps) {
    StepVariants sv;
    sv.step = step;
    for (std::size_t i = 0; i < r.funnel.size(); ++i) {
      const FunnelRow& row = r.funnel[i];
      if (row.step != step) continue;
      VariantLift v;
      v.variant = row.variant;
      v.n = ab[i].first;
      v.converted = ab[i].second;
      v.conversion_rate =
          v.n > 0 ? static_cast<double>(v.converted) / static_cast<double>(v.n) : 0.0;
      sv.variants.push_back(std::move(v));
    }
    if (sv.variants.size() < 2) continue;
    if (const auto t = after_takeover.find(step); t != after_takeover.end()) {
      sv.after_takeover = t->second;
    }
    std::vector<std::int64_t> sizes;
    for (const VariantLift& v : sv.variants) sizes.push_back(v.n);
    if (std::any_of(sizes.begin(), sizes.end(), [](std::int64_t n) { return n > 0; })) {
      WINBACK_ASSIGN_OR_RETURN(SampleRatioCheck check, CheckSampleRatio(sizes));
      sv.srm_p_value = check.p_value;
      sv.srm_mismatch = check.mismatch;
    }
    const VariantLift& base = sv.variants.front();
    std::vector<double> p;
    std::vector<std::size_t> compared;
    for (std::size_t i = 1; i < sv.variants.size(); ++i) {
      VariantLift& v = sv.variants[i];
      const double variance = base.conversion_rate * (1 - base.conversion_rate);
      v.mde = MinimumDetectableEffect(v.n, base.n, variance, options.alpha);
      if (v.n < 2 || base.n < 2) continue;
      WINBACK_ASSIGN_OR_RETURN(Comparison c, CompareProportions(v.converted, v.n, base.converted,
                                                                base.n, options.alpha));
      WINBACK_ASSIGN_OR_RETURN(SequentialInterval s,
                               AlwaysValidInterval(c, {options.alpha, r.planned_n}));
      v.comparison = c;
      v.sequential = s;
      p.push_back(s.p_value);
      compared.push_back(i);
    }
    const std::vector<double> adjusted = HolmAdjust(p);
    double best = 0;
    std::optional<std::size_t> winner;
    bool base_beats_all = !compared.empty() && compared.size() + 1 == sv.variants.size();
    for (std::size_t j = 0; j < compared.size(); ++j) {
      VariantLift& v = sv.variants[compared[j]];
      v.holm_p_value = adjusted[j];
      const bool significant = adjusted[j] < options.alpha;
      if (significant && v.comparison->diff > best) {
        best = v.comparison->diff;
        winner = compared[j];
      }
      if (!(significant && v.comparison->diff < 0)) base_beats_all = false;
    }
    for (std::size_t i = 1; i < sv.variants.size(); ++i) {
      VariantLift& v = sv.variants[i];
      const bool significant = v.holm_p_value && *v.holm_p_value < options.alpha;
      const double observed = v.comparison ? std::abs(v.comparison->diff) : 0.0;
      v.underpowered = !significant && !(v.mde <= observed);
    }
    if (!sv.srm_mismatch) {
      if (winner) {
        sv.winner = sv.variants[*winner].variant;
      } else if (base_beats_all) {
        sv.winner = base.variant;
      }
    }
    r.variants.push_back(std::move(sv));
  }
  return r;
}

Result<std::vector<DailyConversion>> MeasureConversionByDay(std::string_view name,
                                                            const CampaignOptions& options,
                                                            Date first, Date last,
                                                            store::OutboxStore& outbox,
                                                            store::Scanner& scanner) {
  WINBACK_RETURN_IF_ERROR(CheckOptions(name, options));
  const Instant end = last.PlusDays(1).StartUtc();
  std::vector<OutboxMessage> messages;
  store::MessageFilter filter;
  filter.campaign = std::string(name);
  WINBACK_RETURN_IF_ERROR(outbox.ForEachMessage(filter, [&](const OutboxMessage& m) {
    if (m.planned_at < end) {
      OutboxMessage copy;
      copy.customer = m.customer;
      copy.occurrence = m.occurrence;
      copy.status = m.status;
      copy.planned_at = m.planned_at;
      copy.scheduled_at = m.scheduled_at;
      copy.sent_at = m.sent_at;
      messages.push_back(std::move(copy));
    }
    return Status::Ok();
  }));
  if (messages.empty()) {
    return NotFoundError("campaign '" + std::string(name) + "': no message in the outbox before " +
                         FormatTimestamp(end));
  }
  std::sort(messages.begin(), messages.end(), [](const OutboxMessage& a, const OutboxMessage& b) {
    return a.planned_at < b.planned_at;
  });
  Instant earliest = MessageTime(messages.front());
  std::vector<CustomerKey> keys;
  for (const OutboxMessage& m : messages) {
    earliest = std::min(earliest, MessageTime(m));
    keys.push_back(m.customer);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // Completed orders of the targeted customers from the earliest start on: a unit's window
  // never begins before it.
  std::unordered_map<std::int64_t, std::vector<OrderAt>> orders;
  std::size_t next = 0;
  WINBACK_RETURN_IF_ERROR(scanner.ForEachCustomerOrdersInRange(
      store::KeyRange{keys.front().value(), keys.back().value() + 1},
      [&](CustomerKey key, std::span<const store::OrderPoint> points) -> Status {
        while (next < keys.size() && keys[next] < key) ++next;
        if (next == keys.size() || !(keys[next] == key)) return Status::Ok();
        for (const store::OrderPoint& o : points) {
          if (o.status != OrderStatus::kCompleted || o.placed_at < earliest || o.placed_at >= end) {
            continue;
          }
          orders[key.value()].push_back({o.placed_at, o.amount_minor});
        }
        return Status::Ok();
      }));
  for (auto& [key, list] : orders) {
    std::sort(list.begin(), list.end(),
              [](const OrderAt& a, const OrderAt& b) { return a.at < b.at; });
  }
  static const std::vector<OrderAt> kNone;
  const std::array<double, 2> shares{1.0 - options.holdout_share, options.holdout_share};
  std::vector<DailyConversion> out;
  std::map<std::int64_t, Unit> units;
  std::size_t added = 0;
  for (Date day = first; day <= last; day = day.PlusDays(1)) {
    const Instant as_of = day.PlusDays(1).StartUtc();
    while (added < messages.size() && messages[added].planned_at < as_of) {
      AddToUnit(units, messages[added++]);
    }
    if (units.empty()) continue;
    DailyConversion d;
    d.day = day;
    for (const auto& [key, u] : units) {
      if (!(u.start < as_of)) continue;
      const auto found = orders.find(key);
      const std::vector<OrderAt>& mine = found == orders.end() ? kNone : found->second;
      const bool won =
          FirstIn(mine, u.start, std::min(u.start.PlusDays(options.attribution_days), as_of));
      (u.holdout ? d.holdout : d.treated) += 1;
      (u.holdout ? d.holdout_converted : d.treated_converted) += won ? 1 : 0;
    }
    const std::array<std::int64_t, 2> counts{d.treated, d.holdout};
    if (d.treated + d.holdout > 0) {
      WINBACK_ASSIGN_OR_RETURN(d.sample_ratio, CheckSampleRatio(counts, shares));
    }
    const double planned_n =
        options.planned_n > 0 ? options.planned_n : static_cast<double>(units.size());
    if (d.treated >= 2 && d.holdout >= 2) {
      WINBACK_ASSIGN_OR_RETURN(
          d.plain, CompareProportions(d.treated_converted, d.treated, d.holdout_converted,
                                      d.holdout, options.alpha));
      WINBACK_ASSIGN_OR_RETURN(d.sequential,
                               AlwaysValidInterval(*d.plain, {options.alpha, planned_n}));
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace winback::measure
