#include "analytics/inactivity.h"

#include <algorithm>
#include <array>
#include <set>

namespace winback::analytics {
namespace {

constexpr std::array<std::string_view, 8> kSignalNames = {
    "order", "email", "sms", "whatsapp", "engagement", "chat", "visit", "any"};

}  // namespace

std::string_view ActivitySignalName(ActivitySignal s) {
  return kSignalNames[static_cast<std::size_t>(s)];
}

std::optional<ActivitySignal> ParseActivitySignal(std::string_view name) {
  for (std::size_t i = 0; i < kSignalNames.size(); ++i) {
    if (kSignalNames[i] == name) return static_cast<ActivitySignal>(i);
  }
  return std::nullopt;
}

InactivityConfig DefaultInactivityConfig() {
  InactivityConfig c;
  c.rules = {{"no_order_180d", ActivitySignal::kOrder, 180},
             {"no_email_90d", ActivitySignal::kEmail, 90},
             {"no_chat_90d", ActivitySignal::kChat, 90}};
  c.combine = RuleCombination::kAll;
  return c;
}

Status ValidateInactivityConfig(const InactivityConfig& config) {
  if (config.rules.size() > kMaxInactivityRules) {
    return InvalidArgumentError("inactivity: " + std::to_string(config.rules.size()) +
                                " rules, at most 32 are allowed");
  }
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < config.rules.size(); ++i) {
    const InactivityRule& r = config.rules[i];
    if (r.name.empty()) {
      return InvalidArgumentError("inactivity rule " + std::to_string(i + 1) + ": empty name");
    }
    if (!names.insert(r.name).second) {
      return InvalidArgumentError("inactivity rule '" + r.name + "': duplicate name");
    }
    if (r.days < 1) {
      return InvalidArgumentError("inactivity rule '" + r.name + "': days " +
                                  std::to_string(r.days) + " must be at least 1");
    }
  }
  return Status::Ok();
}

std::int32_t LastSignalDay(ActivitySignal signal, const OrderMetrics& orders,
                           const EngagementMetrics& e) {
  switch (signal) {
    case ActivitySignal::kOrder:
      return orders.last_order_day;
    case ActivitySignal::kEmail:
      return e.last_email_day;
    case ActivitySignal::kSms:
      return e.last_sms_day;
    case ActivitySignal::kWhatsapp:
      return e.last_whatsapp_day;
    case ActivitySignal::kEngagement:
      return std::max({e.last_email_day, e.last_sms_day, e.last_whatsapp_day});
    case ActivitySignal::kChat:
      return e.last_chat_day;
    case ActivitySignal::kVisit:
      return e.last_visit_day;
    case ActivitySignal::kAny:
      return std::max({orders.last_order_day, e.last_email_day, e.last_sms_day, e.last_whatsapp_day,
                       e.last_chat_day, e.last_visit_day});
  }
  return kNever;
}

InactivityResult EvaluateInactivity(const InactivityConfig& config, const OrderMetrics& orders,
                                    const EngagementMetrics& engagement, Date as_of) {
  InactivityResult result;
  for (std::size_t i = 0; i < config.rules.size() && i < kMaxInactivityRules; ++i) {
    const InactivityRule& rule = config.rules[i];
    const std::int32_t last = LastSignalDay(rule.signal, orders, engagement);
    if (last == kNever || as_of.days() - last >= rule.days) result.matched |= 1u << i;
  }
  if (!orders.has_order() || config.rules.empty()) return result;
  const std::size_t n = std::min(config.rules.size(), kMaxInactivityRules);
  const std::uint32_t all = n == 32 ? ~0u : ((1u << n) - 1);
  result.inactive =
      config.combine == RuleCombination::kAll ? result.matched == all : result.matched != 0;
  return result;
}

std::string MatchedRuleNames(const InactivityConfig& config, std::uint32_t matched) {
  std::string out;
  for (std::size_t i = 0; i < config.rules.size() && i < kMaxInactivityRules; ++i) {
    if ((matched >> i) & 1u) {
      if (!out.empty()) out += ',';
      out += config.rules[i].name;
    }
  }
  return out;
}

}  // namespace winback::analytics
