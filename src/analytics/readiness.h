#pragma once

#include <cstdint>
#include <string>

#include "analytics/customer_metrics.h"
#include "core/status.h"

namespace winback::analytics {

// Win-back readiness (article 004 §2, after the Journal of Marketing study): the former
// customers most worth winning back
//   referred_others   referred someone (a referral event)
//   never_complained  no complaint event
//   issues_resolved   had a ticket resolved "satisfied", none "unsatisfied", and no more
//                     complaints than satisfied resolutions
//   left_over_price   their latest exit reason is price (not service, i.e. quality)
// score = sum of the weights of the criteria met / sum of all weights, in [0, 1].
struct ReadinessConfig {
  double referred_others = 1;
  double never_complained = 1;
  double issues_resolved = 1;
  double left_over_price = 1;
};

// InvalidArgument when a weight is negative or not finite, or all are zero.
Status ValidateReadinessConfig(const ReadinessConfig& config);

// Readiness reason bits.
inline constexpr std::uint8_t kReferredOthers = 1;
inline constexpr std::uint8_t kNeverComplained = 2;
inline constexpr std::uint8_t kIssuesResolved = 4;
inline constexpr std::uint8_t kLeftOverPrice = 8;

struct Readiness {
  double score = 0;
  std::uint8_t reasons = 0;  // Readiness reason bits.
};

Readiness ScoreReadiness(const ReadinessConfig& config, const EngagementMetrics& engagement);

// "referred_others,never_complained,..." in the order above.
std::string ReadinessReasonNames(std::uint8_t reasons);

// Let-go rules (article 001, DESIGN #14): customers not to target, with the reason.
//   payment_default        at least `payment_defaults` payment_default events (0: off)
//   unresolved_complaints  complaints minus satisfied resolutions >= `unresolved_complaints`
//                          (0: off)
//   refunds                refunded / (completed + refunded) orders >= `max_refund_share` with
//                          at least 2 refunds (0: off): unprofitable
//   unsubscribed           unsubscribed from every channel (email, sms, whatsapp), when
//                          `unsubscribed_everywhere` is true
struct LetGoConfig {
  std::int32_t payment_defaults = 1;
  std::int32_t unresolved_complaints = 2;
  double max_refund_share = 0.5;
  bool unsubscribed_everywhere = true;
};

Status ValidateLetGoConfig(const LetGoConfig& config);

// Let-go reason bits.
inline constexpr std::uint8_t kPaymentDefault = 1;
inline constexpr std::uint8_t kUnresolvedComplaints = 2;
inline constexpr std::uint8_t kRefunds = 4;
inline constexpr std::uint8_t kUnsubscribed = 8;

// The let-go reason bits that apply.
std::uint8_t EvaluateLetGo(const LetGoConfig& config, const OrderMetrics& orders,
                           const EngagementMetrics& engagement);

// "payment_default,unresolved_complaints,refunds,unsubscribed" subset, in that order.
std::string LetGoReasonNames(std::uint8_t reasons);

}  // namespace winback::analytics
