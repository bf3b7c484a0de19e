#pragma once

// The churn classifier's features (churn_classifier.h lists them): the column layout, what is
// gathered per customer from the orders and the events, and how each column is computed from it.
// Shared by the materialised dataset (churn_dataset.cc) and the streaming scorer
// (churn_scorer.cc, churn_training.cc), so both compute every feature the same way.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "models/bgnbd.h"
#include "models/churn_dataset.h"
#include "models/internal/purchase_days.h"
#include "models/summary.h"
#include "store/scanner.h"

namespace winback::models::internal {

inline constexpr double kNever = 3650;  // days used for "never happened"
inline constexpr std::string_view kExitReasons[] = {"price",   "service", "selection",
                                                    "feature", "moved",   "other"};

// Feature columns; the order of kFeatureNames is the column order.
enum Feature : std::size_t {
  kRecency,
  kTenure,
  kPurchaseDays,
  kDays30,
  kDays90,
  kDays365,
  kMeanValue,
  kOverdue,
  kRefunded,
  kCancelled,
  kSinceEmail,
  kSinceSms,
  kSinceWhatsapp,
  kSinceVisit,
  kSinceChat,
  kVisits90,
  kEmail90,
  kSms90,
  kWhatsapp90,
  kComplaints,
  kComplaints90,
  kTicketsUnsatisfied,
  kTicketsSatisfied,
  kReviewMean,
  kReviews,
  kCarts90,
  kPaymentDefaults,
  kReferrals,
  kUnsubscribed,
  kBounced,
  kExitPrice,  // six one-hot columns in kExitReasons order
  kSinceExit = kExitPrice + 6,
  kSubscriptionCancelled,
  kPAlive,
  kExpectedPurchases,
  kFeatureCount,
};

// The column names, in column order (ChurnDataset::feature_names).
extern const char* const kFeatureNames[kFeatureCount];

// A customer's completed orders as of day d: what the RFM features and the label need, in
// integers (and one mean), so the features computed from it are exact.
struct OrderFacts {
  std::int32_t first = 0;  // first and last purchase day
  std::int32_t last = 0;
  std::uint32_t days = 0;  // purchase days
  std::uint32_t refunded = 0;
  std::uint32_t cancelled = 0;
  std::uint16_t in30 = 0;  // purchase days within 30, 90, 365 days (at most 365)
  std::uint16_t in90 = 0;
  std::uint16_t in365 = 0;
  bool future = false;    // a completed order in (d, label_end]
  double mean_value = 0;  // mean order-day value (main currency), 0 when none is valued
};

// The facts of one customer from `h` = MergePurchaseDays(orders, d) (not empty); `future` looks
// at the completed orders in (d, label_end].
OrderFacts FactsOf(const PurchaseHistory& h, std::span<const store::OrderPoint> orders,
                   std::int32_t d, std::int32_t label_end);

// Writes the RFM columns (recency .. cancelled) as of day `dd`.
void WriteOrderFeatures(const OrderFacts& f, double dd, double* row);

// The BG/NBD summary (in days) of a customer as of day d, as SummarizeStore computes it;
// absent when the first purchase is on d (T = 0).
std::optional<CustomerRfm> RfmOf(std::int32_t first, std::int32_t last, std::uint32_t days,
                                 std::int32_t d);

// The summary table of the customers that have an RFM.
SummaryTable TableOf(std::span<const std::optional<CustomerRfm>> rfm);

// Raw per-customer state gathered from the events.
struct EventState {
  double last_engagement[3] = {-1, -1, -1};  // day numbers; -1 = never
  double last_visit = -1;
  double last_chat = -1;
  double visits90 = 0, engagement90[3] = {0, 0, 0};
  double complaints = 0, complaints90 = 0;
  double unsatisfied = 0, satisfied = 0;
  double review_sum = 0, reviews = 0;
  double carts90 = 0, payment_defaults = 0, referrals = 0;
  std::uint32_t unsubscribed = 0, bounced = 0;
  int exit_reason = -1;
  double exit_day = -1;
  double subscription_cancelled = 0;
};

// Adds the events before `end` (oldest first) to `s`; `dd` is the as-of day.
void AddEvents(std::span<const store::EventPoint> points, Instant end, double dd, EventState& s);

// Writes the event columns; the exit one-hot columns must be 0 before.
void WriteEventFeatures(const EventState& s, double dd, double* row);

// The BTYD columns of one customer: from the fitted model when there is one (P(alive) = 1 and
// the unconditional expectation for a customer not in the summary), else P(alive) = 1 and 0.
void WriteBtydFeatures(const BgNbdModel* model, const std::optional<CustomerRfm>& rfm, double h,
                       double* row);

// Appends the feature rows (BTYD columns at P(alive) = 1 and 0) and labels of the customers of
// `ranges` (ascending, disjoint) with a completed order by `as_of`, and each one's RFM as of
// `as_of`. One orders scan and one events scan per range.
Status AppendRows(store::Scanner& store, std::span<const store::KeyRange> ranges, Date as_of,
                  int horizon_days, ChurnDataset& out,
                  std::vector<std::optional<CustomerRfm>>& rfm);

}  // namespace winback::models::internal
