#include "analytics/readiness.h"

#include <cmath>

namespace winback::analytics {
namespace {

std::string Names(std::uint8_t bits,
                  std::initializer_list<std::pair<std::uint8_t, const char*>> all) {
  std::string out;
  for (const auto& [bit, name] : all) {
    if (bits & bit) {
      if (!out.empty()) out += ',';
      out += name;
    }
  }
  return out;
}

}  // namespace

Status ValidateReadinessConfig(const ReadinessConfig& c) {
  double sum = 0;
  for (const auto& [key, w] : {std::pair{"referred_others", c.referred_others},
                               std::pair{"never_complained", c.never_complained},
                               std::pair{"issues_resolved", c.issues_resolved},
                               std::pair{"left_over_price", c.left_over_price}}) {
    if (!std::isfinite(w) || w < 0) {
      return InvalidArgumentError(std::string("readiness.") + key +
                                  ": weight must be a finite number >= 0");
    }
    sum += w;
  }
  if (sum <= 0) return InvalidArgumentError("readiness: all weights are zero");
  return Status::Ok();
}

Readiness ScoreReadiness(const ReadinessConfig& c, const EngagementMetrics& e) {
  Readiness r;
  double met = 0;
  const double total =
      c.referred_others + c.never_complained + c.issues_resolved + c.left_over_price;
  if (e.referrals > 0) {
    r.reasons = static_cast<std::uint8_t>(r.reasons | kReferredOthers);
    met += c.referred_others;
  }
  if (e.complaints == 0) {
    r.reasons = static_cast<std::uint8_t>(r.reasons | kNeverComplained);
    met += c.never_complained;
  }
  if (e.tickets_satisfied > 0 && e.tickets_unsatisfied == 0 &&
      e.complaints <= e.tickets_satisfied) {
    r.reasons = static_cast<std::uint8_t>(r.reasons | kIssuesResolved);
    met += c.issues_resolved;
  }
  if (e.exit_reason == ExitReason::kPrice) {
    r.reasons = static_cast<std::uint8_t>(r.reasons | kLeftOverPrice);
    met += c.left_over_price;
  }
  r.score = total > 0 ? met / total : 0;
  return r;
}

std::string ReadinessReasonNames(std::uint8_t reasons) {
  return Names(reasons, {{kReferredOthers, "referred_others"},
                         {kNeverComplained, "never_complained"},
                         {kIssuesResolved, "issues_resolved"},
                         {kLeftOverPrice, "left_over_price"}});
}

Status ValidateLetGoConfig(const LetGoConfig& c) {
  if (c.payment_defaults < 0) {
    return InvalidArgumentError("let_go.payment_defaults: must be >= 0 (0 switches it off)");
  }
  if (c.unresolved_complaints < 0) {
    return InvalidArgumentError("let_go.unresolved_complaints: must be >= 0 (0 switches it off)");
  }
  if (!std::isfinite(c.max_refund_share) || c.max_refund_share < 0 || c.max_refund_share > 1) {
    return InvalidArgumentError("let_go.max_refund_share: must be in [0, 1] (0 switches it off)");
  }
  return Status::Ok();
}

std::uint8_t EvaluateLetGo(const LetGoConfig& c, const OrderMetrics& o,
                           const EngagementMetrics& e) {
  std::uint8_t bits = 0;
  if (c.payment_defaults > 0 && e.payment_defaults >= c.payment_defaults)
    bits = static_cast<std::uint8_t>(bits | kPaymentDefault);
  const std::int32_t unresolved =
      e.complaints > e.tickets_satisfied ? e.complaints - e.tickets_satisfied : 0;
  if (c.unresolved_complaints > 0 && unresolved >= c.unresolved_complaints) {
    bits = static_cast<std::uint8_t>(bits | kUnresolvedComplaints);
  }
  if (c.max_refund_share > 0 && o.refunded_orders >= 2) {
    const double share =
        static_cast<double>(o.refunded_orders) / static_cast<double>(o.orders + o.refunded_orders);
    if (share >= c.max_refund_share) bits = static_cast<std::uint8_t>(bits | kRefunds);
  }
  if (c.unsubscribed_everywhere && (e.unsubscribed_channels & 7u) == 7u)
    bits = static_cast<std::uint8_t>(bits | kUnsubscribed);
  return bits;
}

std::string LetGoReasonNames(std::uint8_t reasons) {
  return Names(reasons, {{kPaymentDefault, "payment_default"},
                         {kUnresolvedComplaints, "unresolved_complaints"},
                         {kRefunds, "refunds"},
                         {kUnsubscribed, "unsubscribed"}});
}

}  // namespace winback::analytics
