#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/customer_metrics.h"
#include "core/status.h"
#include "core/time.h"

namespace winback::analytics {

// What an inactivity rule looks at: the latest day the customer did this.
enum class ActivitySignal : std::uint8_t {
  kOrder = 0,   // a completed order
  kEmail,       // email_open, email_click or email_reply
  kSms,         // sms_click or sms_reply
  kWhatsapp,    // whatsapp_read or whatsapp_reply
  kEngagement,  // any of email, sms, whatsapp
  kChat,        // chat or call
  kVisit,       // visit
  kAny,         // any of the above
};
// "order", "email", "sms", "whatsapp", "engagement", "chat", "visit", "any".
std::string_view ActivitySignalName(ActivitySignal s);
std::optional<ActivitySignal> ParseActivitySignal(std::string_view name);

// "No <signal> for <days> days": matches when the customer's latest <signal> is at least `days`
// days before as_of (as_of - last_day >= days), or never happened.
struct InactivityRule {
  std::string name;  // Shown to users as the reason, e.g. "no_order_180d".
  ActivitySignal signal = ActivitySignal::kOrder;
  std::int32_t days = 180;
};

enum class RuleCombination : std::uint8_t { kAll, kAny };

// The business's definition of an inactive customer. A customer is inactive when they have at
// least one completed order (someone who never bought is a prospect, not an inactive customer)
// and all (kAll) or at least one (kAny) of the rules match. With no rules nobody is inactive.
struct InactivityConfig {
  std::vector<InactivityRule> rules;
  RuleCombination combine = RuleCombination::kAll;
};

inline constexpr std::size_t kMaxInactivityRules = 32;

// Article 000 §1: no order for 180 days, no email open/click for 90 days and no chat for 90
// days, all of them.
InactivityConfig DefaultInactivityConfig();

// InvalidArgument naming the rule: empty or duplicate names, days < 1, more than 32 rules.
Status ValidateInactivityConfig(const InactivityConfig& config);

struct InactivityResult {
  bool inactive = false;
  std::uint32_t matched = 0;  // Bit i set when rules[i] matched (recorded even when active).
};

// Evaluates the rules for one customer as of `as_of`. Pure.
InactivityResult EvaluateInactivity(const InactivityConfig& config, const OrderMetrics& orders,
                                    const EngagementMetrics& engagement, Date as_of);

// The latest day of `signal`, or kNever.
std::int32_t LastSignalDay(ActivitySignal signal, const OrderMetrics& orders,
                           const EngagementMetrics& engagement);

// The names of the rules whose bits are set in `matched`, comma-separated, in rule order.
std::string MatchedRuleNames(const InactivityConfig& config, std::uint32_t matched);

}  // namespace winback::analytics
