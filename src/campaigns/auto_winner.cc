#include "campaigns/auto_winner.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "campaigns/journey_engine.h"
#include "campaigns/policy.h"

namespace winback::campaigns {

std::optional<std::string_view> CustomerIdOfKey(std::string_view key, std::string_view campaign,
                                                std::string_view step) {
  const std::size_t prefix = campaign.size() + step.size() + 2;
  if (key.size() <= prefix || key.substr(0, campaign.size()) != campaign ||
      key[campaign.size()] != '/' || key.substr(campaign.size() + 1, step.size()) != step ||
      key[prefix - 1] != '/') {
    return std::nullopt;
  }
  const std::size_t slash = key.rfind('/');
  if (slash < prefix || !OccurrenceOfKey(key)) return std::nullopt;
  const std::string_view id = key.substr(prefix, slash - prefix);
  if (id.empty()) return std::nullopt;
  return id;
}

Result<std::map<StepRef, Takeover>> FindTakeovers(store::OutboxStore& outbox,
                                                  const CampaignSettings& settings) {
  std::map<StepRef, Takeover> out;
  for (const Campaign& c : settings.campaigns) {
    std::map<std::string, const Step*> steps;
    for (const Step& s : c.steps) {
      if (s.auto_winner && s.variants.size() >= 2) steps.emplace(s.name, &s);
    }
    if (steps.empty()) continue;
    // Per step: messages per off-split variant, and the earliest planned_at among them.
    std::map<std::string, std::map<std::string, std::int64_t>> counts;
    std::map<std::string, Instant> since;
    store::MessageFilter filter;
    filter.campaign = c.name;
    WINBACK_RETURN_IF_ERROR(outbox.ForEachMessage(filter, [&](const store::OutboxMessage& m) {
      const auto step = steps.find(m.step);
      if (step == steps.end() || m.variant.empty()) return Status::Ok();
      const std::optional<std::string_view> id = CustomerIdOfKey(m.key, c.name, m.step);
      if (!id) return Status::Ok();
      const std::vector<std::string>& variants = step->second->variants;
      if (variants[VariantIndex(c.name, m.step, *id, variants.size())] == m.variant) {
        return Status::Ok();
      }
      ++counts[m.step][m.variant];
      const auto [it, added] = since.emplace(m.step, m.planned_at);
      if (!added) it->second = std::min(it->second, m.planned_at);
      return Status::Ok();
    }));
    for (const auto& [step, by_variant] : counts) {
      Takeover t;
      t.since = since.at(step);
      std::int64_t best = 0;
      for (const auto& [variant, n] : by_variant) {
        t.messages += n;
        if (n > best) {
          best = n;
          t.variant = variant;
        }
      }
      out.emplace(StepRef{c.name, step}, std::move(t));
    }
  }
  return out;
}

}  // namespace winback::campaigns
