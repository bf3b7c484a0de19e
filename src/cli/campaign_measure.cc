#include "cli/campaign_measure.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "core/money.h"

namespace winback::cli {

measure::CampaignOptions CampaignMeasureOptions(
    const config::Config& config, const campaigns::Campaign& campaign, Instant as_of,
    const std::map<campaigns::StepRef, campaigns::Takeover>& takeovers) {
  const auto& settings = config.Get<campaigns::CampaignSettings>();
  const auto& measurement = config.Get<measure::MeasurementSettings>();
  measure::CampaignOptions options;
  options.as_of = as_of;
  options.attribution_days = measurement.attribution_days;
  options.pre_period_days = measurement.pre_period_days;
  options.alpha = measurement.alpha;
  for (int c = 0; c < kChannelKindCount; ++c) {
    options.message_cost_minor[c] = settings.policy.message_cost_minor[c];
  }
  options.message_cost_currency = settings.policy.currency;
  options.holdout_share = campaign.holdout;
  for (const auto& [ref, takeover] : takeovers) {
    if (ref.first == campaign.name) options.ab_until[ref.second] = takeover.since;
  }
  return options;
}

std::string CampaignSkipReason(const campaigns::Campaign* campaign) {
  if (campaign == nullptr) return "not in the config: its designed holdout share is unknown";
  if (!(campaign->holdout > 0)) return "holdout = 0: no holdout to measure against";
  return std::string();
}

namespace {

std::string Pts(double fraction) { return fmt::format("{:.2f} pts", 100 * fraction); }

std::string VariantRates(const measure::StepVariants& sv) {
  std::string out;
  for (const measure::VariantLift& v : sv.variants) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {:.2f}% of {}", v.variant, 100 * v.conversion_rate, FormatCount(v.n));
  }
  return out;
}

}  // namespace

Result<std::vector<WinnerDecision>> DecideWinners(const config::Config& config, store::Store& store,
                                                  Date as_of) {
  const auto& settings = config.Get<campaigns::CampaignSettings>();
  std::vector<WinnerDecision> out;
  bool any = false;
  for (const campaigns::Campaign& c : settings.campaigns) {
    for (const campaigns::Step& s : c.steps) any = any || s.auto_winner;
  }
  if (!any) return out;
  WINBACK_ASSIGN_OR_RETURN(auto takeovers, campaigns::FindTakeovers(store, settings));
  const Instant before = as_of.StartUtc();
  for (const campaigns::Campaign& c : settings.campaigns) {
    std::vector<const campaigns::Step*> pending;
    for (const campaigns::Step& s : c.steps) {
      if (!s.auto_winner) continue;
      const auto t = takeovers.find({c.name, s.name});
      if (t == takeovers.end()) {
        pending.push_back(&s);
        continue;
      }
      out.push_back(
          {{c.name, s.name},
           t->second.variant,
           fmt::format("{} / {}: {} is the winner since {} (kept: the A/B test ended "
                       "when it took over)",
                       c.name, s.name, t->second.variant, UtcDate(t->second.since).ToString())});
    }
    if (pending.empty()) continue;
    Result<measure::CampaignResult> r = measure::MeasureCampaign(
        c.name, CampaignMeasureOptions(config, c, before, takeovers), store, store);
    // A campaign measure refuses (money in two currencies) keeps its random split; the plan
    // goes on and says why. Store errors fail it.
    std::string unmeasurable;
    if (!r.ok() && r.status().code() == StatusCode::kInvalidArgument) {
      unmeasurable = std::string(r.status().message());
    } else if (!r.ok() && r.status().code() != StatusCode::kNotFound) {
      return r.status();
    }
    for (const campaigns::Step* s : pending) {
      WinnerDecision d{{c.name, s->name}, "", ""};
      const measure::StepVariants* sv = nullptr;
      if (r.ok()) {
        for (const measure::StepVariants& x : r->variants) {
          if (x.step == s->name) sv = &x;
        }
      }
      if (!unmeasurable.empty()) {
        d.text = fmt::format(
            "{} / {}: no winner, the split stays random: the campaign cannot be "
            "measured ({})",
            c.name, s->name, unmeasurable);
      } else if (sv == nullptr) {
        d.text = fmt::format(
            "{} / {}: no winner yet, the split stays random (no message of the "
            "step before {})",
            c.name, s->name, as_of.ToString());
      } else if (sv->srm_mismatch) {
        d.text = fmt::format(
            "{} / {}: no winner: the variants' split is broken (sample-ratio p "
            "{:.2g}); the split stays random",
            c.name, s->name, sv->srm_p_value);
      } else if (!sv->winner.empty()) {
        d.variant = sv->winner;
        // The evidence: the winner's adjusted p, or when the first variant won (it beat every
        // other), the largest of theirs.
        const bool first_won = sv->winner == sv->variants.front().variant;
        double p = 0;
        for (const measure::VariantLift& v : sv->variants) {
          if (v.holm_p_value && (first_won || v.variant == sv->winner)) {
            p = std::max(p, *v.holm_p_value);
          }
        }
        d.text = fmt::format(
            "{} / {}: {} won ({}; always-valid, Holm p {} < {:.2f}): it "
            "takes over from today",
            c.name, s->name, sv->winner, VariantRates(*sv),
            p < 0.0001 ? std::string("< 0.0001") : fmt::format("{:.4f}", p), r->alpha);
      } else {
        std::string mde;
        for (std::size_t i = 1; i < sv->variants.size(); ++i) {
          const measure::VariantLift& v = sv->variants[i];
          if (!v.underpowered) continue;
          mde += fmt::format("; {} cannot reach significance yet: detectable {}", v.variant,
                             std::isfinite(v.mde) ? Pts(v.mde) : "nothing (an arm is empty)");
        }
        d.text = fmt::format("{} / {}: no winner yet, the split stays random ({}{})", c.name,
                             s->name, VariantRates(*sv), mde);
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace winback::cli
