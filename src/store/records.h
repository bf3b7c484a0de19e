#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/money.h"
#include "core/time.h"
#include "core/vocabulary.h"

namespace winback::store {

// The set of optional columns an input row stated, over an enum `Field` that ends in kCount.
// A column the input did not have (absent from a CSV file's header, or a key absent from a JSONL
// object) leaves the stored value alone when the row updates a stored record; a column that is
// present, even empty, replaces it. Required columns (ids, times, amounts) are always present.
// Default: every column present, which is what a complete record from code (the simulator, the
// tests) means.
template <typename Field>
class FieldSet {
 public:
  static constexpr std::uint32_t kAllBits = (1u << static_cast<unsigned>(Field::kCount)) - 1u;

  constexpr FieldSet() = default;
  static constexpr FieldSet None() { return FieldSet(0); }
  static constexpr FieldSet All() { return FieldSet(kAllBits); }

  constexpr bool Has(Field f) const { return (bits_ & Bit(f)) != 0; }
  constexpr void Set(Field f) { bits_ |= Bit(f); }
  constexpr void Clear(Field f) { bits_ &= ~Bit(f); }
  constexpr bool all() const { return bits_ == kAllBits; }
  constexpr std::uint32_t bits() const { return bits_; }
  friend constexpr bool operator==(FieldSet, FieldSet) = default;

 private:
  constexpr explicit FieldSet(std::uint32_t bits) : bits_(bits) {}
  static constexpr std::uint32_t Bit(Field f) { return 1u << static_cast<unsigned>(f); }
  std::uint32_t bits_ = kAllBits;
};

// The optional columns of a customer (docs/formats.md); `id` is required.
enum class CustomerField : std::uint8_t {
  kEmail,
  kPhone,
  kFirstName,
  kLastName,
  kBirthDate,
  kBirthYear,
  kGender,
  kEducation,
  kCountry,
  kRegion,
  kCity,
  kTimeZone,
  kLanguage,
  kSignupAt,
  kConsentEmail,
  kConsentSms,
  kConsentWhatsapp,
  kPreferredChannel,
  kReferredBy,
  kCount,
};

// The optional columns of an order; id, customer_id, time, amount and currency are required.
enum class OrderField : std::uint8_t { kStatus, kItems, kCoupon, kCount };

// The optional columns of an event; id, customer_id, type and time are required. kValue covers
// value and currency together.
enum class EventField : std::uint8_t {
  kChannel,
  kReason,
  kScore,
  kValue,
  kRef,
  kText,
  kProperties,
  kCount,
};

// One customer as imported. Empty strings and empty optionals mean "absent".
struct CustomerRecord {
  std::string id;
  std::string email;
  std::string phone;
  std::string first_name;
  std::string last_name;
  std::optional<Date> birth_date;
  std::optional<int> birth_year;
  std::string gender;
  std::string education;
  std::string country;
  std::string region;
  std::string city;
  std::string time_zone;
  std::string language;
  std::optional<Instant> signup_at;
  Consent consent[kChannelKindCount] = {};
  std::string preferred_channel;
  std::string referred_by;
  FieldSet<CustomerField> present;  // Which optional columns the input stated.
};

struct OrderItem {
  std::string sku;
  std::int64_t quantity = 0;
  std::int64_t price_minor = 0;  // Per unit, in the order's currency.
};

struct OrderRecord {
  std::string id;
  std::string customer_id;
  Instant placed_at;
  std::int32_t utc_offset_minutes = 0;  // Offset the time was written with: gives the local day.
  std::int64_t amount_minor = 0;
  std::string currency;  // ISO 4217, validated.
  OrderStatus status = OrderStatus::kCompleted;
  std::vector<OrderItem> items;
  // The coupon code redeemed with the order, validated like an id (at most 64 bytes); empty
  // when none.
  std::string coupon;
  FieldSet<OrderField> present;  // Which optional columns the input stated.
};

// The optional columns of a product; sku and name are required. kPrice covers price and
// currency together.
enum class ProductField : std::uint8_t {
  kCategory,
  kPrice,
  kLaunchedAt,
  kUrl,
  kImageUrl,
  kCount,
};

// One product of the catalogue (docs/formats.md, products), keyed by `sku`. Empty strings and
// empty optionals mean "absent".
struct ProductRecord {
  std::string sku;   // Validated like an id.
  std::string name;  // Required, free text.
  std::string category;
  std::optional<std::int64_t> price_minor;  // In minor units of `currency`.
  std::string currency;                     // ISO 4217, or empty; set whenever price_minor is.
  std::optional<Instant> launched_at;
  std::string url;                 // http(s) URL or empty.
  std::string image_url;           // http(s) URL or empty.
  FieldSet<ProductField> present;  // Which optional columns the input stated.

  friend bool operator==(const ProductRecord&, const ProductRecord&) = default;
};

// A completed order that carried a coupon code: what measuring redemptions reads.
struct CouponRedemption {
  CustomerKey customer;
  std::string coupon;
  std::string order_id;
  Instant placed_at;
  std::int64_t amount_minor = 0;
  std::string currency;

  friend bool operator==(const CouponRedemption&, const CouponRedemption&) = default;
};

// An event about one outbox message: its `ref` is the message's key (docs/formats.md,
// Tracking). What measuring a campaign's funnel reads.
struct MessageEvent {
  std::string message;  // The outbox key, CAMPAIGN/STEP/CUSTOMER_ID/OCCURRENCE, as `ref` holds it.
  CustomerKey customer;
  EventType type = EventType::kEmailOpen;
  Instant at;
  std::string channel;  // The event's channel column; empty when not stated.

  friend bool operator==(const MessageEvent&, const MessageEvent&) = default;
};

// One item line of a completed order, as recommendations read it.
struct OrderItemPoint {
  Instant placed_at;  // The order's time.
  std::string sku;
  std::int64_t quantity = 0;
  std::int64_t price_minor = 0;  // Per unit, in the order's currency.
};

struct EventRecord {
  std::string id;
  std::string customer_id;
  EventType type = EventType::kVisit;
  Instant at;
  std::int32_t utc_offset_minutes = 0;
  std::string channel;
  std::string reason;
  std::optional<std::int64_t> score;
  std::optional<std::int64_t> value_minor;
  std::string currency;
  std::string ref;
  std::string text;
  std::string properties;        // Compact JSON object text, or empty.
  FieldSet<EventField> present;  // Which optional columns the input stated.
};

// Per-customer aggregates, kept current by every import so that later stages read one row per
// customer. Times are absent when the thing never happened.
struct CustomerAggregates {
  CustomerKey key;
  // Completed orders only.
  std::optional<Instant> first_order_at;
  std::optional<Instant> last_order_at;
  std::int64_t orders = 0;
  std::int64_t refunded_orders = 0;
  std::int64_t cancelled_orders = 0;
  // Distinct local calendar days with a completed order (the order's own UTC offset).
  std::int64_t purchase_days = 0;
  // Sum of completed orders in `currency`, the customer's main currency: the one most of their
  // completed orders use (ties: the earliest order's). Orders in other currencies are counted in
  // `other_currency_orders` and left out of revenue; no exchange rates are guessed.
  std::int64_t revenue_minor = 0;
  std::string currency;
  std::int64_t other_currency_orders = 0;
  // Last engagement per channel (email: open, click or reply; sms: click or reply; whatsapp:
  // read or reply).
  std::optional<Instant> last_engagement_at[kChannelKindCount];
  std::optional<Instant> last_visit_at;
  std::optional<Instant> last_chat_at;  // chat or call
  std::int64_t complaints = 0;
  std::optional<Instant> last_complaint_at;
  std::int64_t tickets_opened = 0;
  std::int64_t tickets_satisfied = 0;    // ticket_resolved with reason satisfied
  std::int64_t tickets_unsatisfied = 0;  // ticket_resolved with reason unsatisfied
  std::int64_t referrals = 0;
  std::int64_t reviews = 0;
  std::int64_t review_score_sum = 0;
  std::int64_t carts_abandoned = 0;
  std::optional<Instant> last_cart_abandoned_at;
  std::int64_t payment_defaults = 0;
  std::int64_t feature_requests = 0;
  // Latest exit_survey or subscription_cancelled reason and its time.
  std::string exit_reason;
  std::optional<Instant> exit_at;
  // Bit i set when channel i saw an unsubscribe / a bounce.
  std::uint32_t unsubscribed_channels = 0;
  std::uint32_t bounced_channels = 0;
  // The latest order (any status) or event (any type): when it is before a date, these
  // aggregates are the customer's state as of that date (scoring reads them instead of the
  // streams).
  std::optional<Instant> last_activity_at;

  friend bool operator==(const CustomerAggregates&, const CustomerAggregates&) = default;
};

// One order as the analytics and models read it: the columns of the per-customer index.
struct OrderPoint {
  Instant placed_at;
  std::int32_t utc_offset_minutes = 0;
  std::int64_t amount_minor = 0;
  std::string currency;  // ISO 4217 (short: no allocation).
  OrderStatus status = OrderStatus::kCompleted;
};

// One event as the analytics read it: the columns of the per-customer event index.
struct EventPoint {
  Instant at;
  EventType type = EventType::kVisit;
  std::string channel;
  std::string reason;
  std::optional<std::int64_t> score;
};

// A customer's scores as of one date, written by `winback score`. Absent optionals were not
// computed (e.g. no model fitted). Units: days; money in minor units of `currency`. The model
// fields come from src/models: P(alive) and expected purchases from BG/NBD, expected value and
// CLV from Gamma-Gamma (absent for customers of another currency than the spend model's),
// churn risk from the churn classifier (churn_classifier.h).
struct CustomerScore {
  CustomerKey key;
  std::optional<std::int64_t> recency_days;  // Days from the last completed order to as_of.
  std::int64_t frequency = 0;                // Distinct purchase days up to as_of.
  std::int64_t monetary_total_minor = 0;
  std::int64_t monetary_mean_minor = 0;
  std::string currency;
  std::optional<std::int64_t> tenure_days;  // Days from the first order to as_of.
  int r = 0, f = 0, m = 0;                  // RFM scores 1..5; 0 = never ordered.
  std::string segment;                      // e.g. "champions", "hibernating".
  std::string group;                        // One of the five groups of article 004.
  std::string lifecycle;                    // new, active, at_risk, inactive, lost, reactivated.
  bool inactive = false;
  std::string inactive_rules;  // Names of the matching inactivity rules, comma-separated.
  double readiness = 0;        // Win-back readiness score.
  std::string readiness_reasons;
  std::string let_go;  // Let-go reasons, comma-separated; empty = may be contacted.
  std::optional<double> p_alive;
  std::optional<double> expected_purchases_90d;
  std::optional<double> expected_value_minor;
  std::optional<double> clv_12m_minor;
  std::optional<double> churn_risk;
};

}  // namespace winback::store
