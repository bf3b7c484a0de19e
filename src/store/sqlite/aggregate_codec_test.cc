#include "store/sqlite/aggregate_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace winback::store::sqlite {
namespace {

// Every scoring field set, times on both sides of the epoch and of last_activity_at's order.
CustomerAggregates Full() {
  CustomerAggregates a;
  a.key = CustomerKey(42);
  a.first_order_at = Instant::FromUnixMicros(-86'400'000'000LL * 365 * 30);  // 1940
  a.last_order_at = Instant::FromUnixMicros(1'700'000'000'123'456);
  a.orders = 221;
  a.refunded_orders = 3;
  a.cancelled_orders = 1;
  a.purchase_days = 200;
  a.revenue_minor = 9'007'199'254'740'993;  // beyond a double's exact integers
  a.currency = "TRY";
  a.other_currency_orders = 2;
  a.last_engagement_at[0] = Instant::FromUnixMicros(1'700'000'100'000'000);
  a.last_engagement_at[2] = Instant::FromUnixMicros(1'600'000'000'000'000);
  a.last_visit_at = Instant::FromUnixMicros(1'700'000'200'000'001);
  a.last_chat_at = Instant::FromUnixMicros(0);
  a.complaints = 4;
  a.tickets_satisfied = 5;
  a.tickets_unsatisfied = 6;
  a.referrals = 7;
  a.payment_defaults = 8;
  a.exit_reason = "fiyat pahalı İstanbul – گران";
  a.exit_at = Instant::FromUnixMicros(1'650'000'000'000'000);
  a.unsubscribed_channels = 5;
  a.last_activity_at = Instant::FromUnixMicros(1'700'000'300'000'000);
  return a;
}

void ExpectScoringFieldsEqual(const CustomerAggregates& got, const CustomerAggregates& want) {
  EXPECT_EQ(got.first_order_at, want.first_order_at);
  EXPECT_EQ(got.last_order_at, want.last_order_at);
  EXPECT_EQ(got.orders, want.orders);
  EXPECT_EQ(got.refunded_orders, want.refunded_orders);
  EXPECT_EQ(got.cancelled_orders, want.cancelled_orders);
  EXPECT_EQ(got.purchase_days, want.purchase_days);
  EXPECT_EQ(got.revenue_minor, want.revenue_minor);
  EXPECT_EQ(got.currency, want.currency);
  EXPECT_EQ(got.other_currency_orders, want.other_currency_orders);
  for (int c = 0; c < kChannelKindCount; ++c) {
    EXPECT_EQ(got.last_engagement_at[c], want.last_engagement_at[c]) << "channel " << c;
  }
  EXPECT_EQ(got.last_visit_at, want.last_visit_at);
  EXPECT_EQ(got.last_chat_at, want.last_chat_at);
  EXPECT_EQ(got.complaints, want.complaints);
  EXPECT_EQ(got.tickets_satisfied, want.tickets_satisfied);
  EXPECT_EQ(got.tickets_unsatisfied, want.tickets_unsatisfied);
  EXPECT_EQ(got.referrals, want.referrals);
  EXPECT_EQ(got.payment_defaults, want.payment_defaults);
  EXPECT_EQ(got.exit_reason, want.exit_reason);
  EXPECT_EQ(got.exit_at, want.exit_at);
  EXPECT_EQ(got.unsubscribed_channels, want.unsubscribed_channels);
  EXPECT_EQ(got.last_activity_at, want.last_activity_at);
}

TEST(AggregateCodecTest, RoundTripsEveryScoringField) {
  const CustomerAggregates a = Full();
  std::string blob;
  EncodeScoringFields(a, blob);
  CustomerAggregates got;
  got.key = CustomerKey(7);
  got.tickets_opened = 9;  // not a scoring field: left alone
  ASSERT_TRUE(DecodeScoringFields(blob, got));
  ExpectScoringFieldsEqual(got, a);
  EXPECT_EQ(got.key, CustomerKey(7));
  EXPECT_EQ(got.tickets_opened, 9);
}

TEST(AggregateCodecTest, DecodingClearsWhatTheBlobLacks) {
  // A reused struct (the scan reuses one) must not keep the previous customer's values.
  std::string empty_blob;
  EncodeScoringFields(CustomerAggregates{}, empty_blob);
  CustomerAggregates reused = Full();
  ASSERT_TRUE(DecodeScoringFields(empty_blob, reused));
  ExpectScoringFieldsEqual(reused, CustomerAggregates{});
  // No activity at all: two bytes of header, eleven zero counts, two empty strings.
  EXPECT_EQ(empty_blob.size(), 1u + 1u + 11u + 1u + 2u);
}

TEST(AggregateCodecTest, TimesAreStoredAsSmallOffsetsFromTheLastActivity) {
  CustomerAggregates a;
  a.first_order_at = Instant::FromUnixMicros(1'700'000'000'000'000);
  a.last_order_at = a.first_order_at;
  a.last_activity_at = a.first_order_at;
  std::string blob;
  EncodeScoringFields(a, blob);
  // version, presence (2 bytes: bit 256), base (8 bytes), two zero offsets, counts, strings.
  EXPECT_EQ(blob.size(), 1u + 2u + 8u + 2u + 11u + 1u + 2u);
}

TEST(AggregateCodecTest, RejectsCorruptBlobs) {
  std::string blob;
  EncodeScoringFields(Full(), blob);
  CustomerAggregates a;
  for (std::size_t n = 0; n < blob.size(); ++n) {
    EXPECT_FALSE(DecodeScoringFields(std::string_view(blob).substr(0, n), a)) << n << " bytes";
  }
  EXPECT_FALSE(DecodeScoringFields(blob + '\0', a)) << "trailing byte";
  std::string wrong_version = blob;
  wrong_version[0] = 2;
  EXPECT_FALSE(DecodeScoringFields(wrong_version, a));
  std::string unknown_bits = blob;
  unknown_bits[1] = static_cast<char>(0xff);  // varint continues into bit 512 and beyond
  unknown_bits[2] = static_cast<char>(0x7f);
  EXPECT_FALSE(DecodeScoringFields(unknown_bits, a));
}

}  // namespace
}  // namespace winback::store::sqlite
