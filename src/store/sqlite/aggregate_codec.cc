#include "store/sqlite/aggregate_codec.h"

#include <array>
#include <cstdint>
#include <optional>

#include "store/sqlite/blob_codec.h"

namespace winback::store::sqlite {
namespace {

constexpr int kTimes = 9;                        // the optional times, last_activity_at last
constexpr std::uint64_t kLastActivityBit = 256;  // 1 << (kTimes - 1)

// The optional times in the order of their presence bits.
template <typename Aggregates>
auto Times(Aggregates& a) {
  return std::array{&a.first_order_at,        &a.last_order_at,
                    &a.last_engagement_at[0], &a.last_engagement_at[1],
                    &a.last_engagement_at[2], &a.last_visit_at,
                    &a.last_chat_at,          &a.exit_at,
                    &a.last_activity_at};
}

template <typename Aggregates>
auto Counts(Aggregates& a) {
  return std::array{&a.orders,        &a.refunded_orders,   &a.cancelled_orders,
                    &a.purchase_days, &a.revenue_minor,     &a.other_currency_orders,
                    &a.complaints,    &a.tickets_satisfied, &a.tickets_unsatisfied,
                    &a.referrals,     &a.payment_defaults};
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

bool GetString(BlobReader& r, std::string& s) {
  std::uint64_t n = 0;
  std::string_view bytes;
  if (!r.Varint(n) || !r.Bytes(static_cast<std::size_t>(n), bytes)) return false;
  s.assign(bytes);
  return true;
}

}  // namespace

void EncodeScoringFields(const CustomerAggregates& a, std::string& out) {
  out.clear();
  out.push_back(static_cast<char>(kScoringFieldsFormat));
  const auto times = Times(a);
  std::uint64_t present = 0;
  for (int i = 0; i < kTimes; ++i) {
    if (*times[static_cast<std::size_t>(i)]) present |= std::uint64_t{1} << i;
  }
  PutVarint(out, present);
  const std::int64_t base = a.last_activity_at ? a.last_activity_at->unix_micros() : 0;
  if (a.last_activity_at) PutSigned(out, base);
  for (int i = 0; i + 1 < kTimes; ++i) {
    if (const auto& t = *times[static_cast<std::size_t>(i)]) {
      PutSigned(out, base - t->unix_micros());
    }
  }
  for (const std::int64_t* count : Counts(a)) PutSigned(out, *count);
  PutVarint(out, a.unsubscribed_channels);
  PutString(out, a.currency);
  PutString(out, a.exit_reason);
}

bool DecodeScoringFields(std::string_view blob, CustomerAggregates& a) {
  BlobReader r(blob);
  std::uint8_t version = 0;
  std::uint64_t present = 0;
  if (!r.Byte(version) || version != kScoringFieldsFormat || !r.Varint(present) ||
      present >= (std::uint64_t{1} << kTimes)) {
    return false;
  }
  std::int64_t base = 0;
  if ((present & kLastActivityBit) != 0 && !r.Signed(base)) return false;
  const auto times = Times(a);
  for (int i = 0; i + 1 < kTimes; ++i) {
    std::optional<Instant>& t = *times[static_cast<std::size_t>(i)];
    if ((present & (std::uint64_t{1} << i)) == 0) {
      t.reset();
      continue;
    }
    std::int64_t delta = 0;
    if (!r.Signed(delta)) return false;
    t = Instant::FromUnixMicros(base - delta);
  }
  if ((present & kLastActivityBit) != 0) {
    a.last_activity_at = Instant::FromUnixMicros(base);
  } else {
    a.last_activity_at.reset();
  }
  for (std::int64_t* count : Counts(a)) {
    if (!r.Signed(*count)) return false;
  }
  std::uint64_t unsubscribed = 0;
  if (!r.Varint(unsubscribed) || unsubscribed > UINT32_MAX) return false;
  a.unsubscribed_channels = static_cast<std::uint32_t>(unsubscribed);
  return GetString(r, a.currency) && GetString(r, a.exit_reason) && r.at_end();
}

}  // namespace winback::store::sqlite
