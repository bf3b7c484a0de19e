#pragma once

// The packed scoring fields of customer_aggregates (column `scoring`, schema v5): the fields
// AggregateFields::kScoring names, in one BLOB written with the row. Scoring a million
// customers reads this one column instead of 23: SQLite's per-column decoding was two thirds
// of the scan's CPU time.
//
// Format (version 1), all integers LEB128 varints, "signed" ones zigzag-encoded:
//   byte     format version (1)
//   varint   presence bits of the optional times: 1 first_order_at, 2 last_order_at,
//            4/8/16 last engagement on email/sms/whatsapp, 32 last_visit_at, 64 last_chat_at,
//            128 exit_at, 256 last_activity_at
//   signed   last_activity_at in microseconds since the epoch (when present)
//   signed   each other present time, in the order of the bits, as last_activity_at (or 0
//            when absent) minus the time: small numbers, as every time is at or before it
//   signed   orders, refunded_orders, cancelled_orders, purchase_days, revenue_minor,
//            other_currency_orders, complaints, tickets_satisfied, tickets_unsatisfied,
//            referrals, payment_defaults
//   varint   unsubscribed_channels
//   varint   length, bytes: currency, then exit_reason

#include <string>
#include <string_view>

#include "store/records.h"

namespace winback::store::sqlite {

inline constexpr std::uint8_t kScoringFieldsFormat = 1;

// Replaces `out` with the packed scoring fields of `a` (the key is not part of them).
void EncodeScoringFields(const CustomerAggregates& a, std::string& out);

// Sets the scoring fields of `a` from `blob`, leaving the key and the other fields as they
// are. False when the blob is not a version-1 encoding (truncated, trailing bytes, unknown
// version or presence bits).
bool DecodeScoringFields(std::string_view blob, CustomerAggregates& a);

}  // namespace winback::store::sqlite
