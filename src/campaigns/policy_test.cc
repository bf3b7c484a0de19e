#include "campaigns/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/random.h"
#include "testutil/status_matchers.h"

namespace winback::campaigns {
namespace {

Instant At(std::string_view text) { return ParseTimestamp(text)->instant; }

constexpr int kEmail = static_cast<int>(ChannelKind::kEmail);
constexpr int kSms = static_cast<int>(ChannelKind::kSms);
constexpr int kWhatsapp = static_cast<int>(ChannelKind::kWhatsapp);

ContactInfo AllChannels() {
  ContactInfo c;
  for (int i = 0; i < kChannelKindCount; ++i) {
    c.consent[i] = Consent::kGranted;
    c.has_address[i] = true;
  }
  return c;
}

TEST(ContactableTest, NeedsGrantedConsentAnAddressAndNoUnsubscribeOrBounce) {
  ContactInfo c = AllChannels();
  EXPECT_TRUE(Contactable(c, ChannelKind::kEmail));
  c.consent[kEmail] = Consent::kUnknown;
  EXPECT_FALSE(Contactable(c, ChannelKind::kEmail));
  c = AllChannels();
  c.has_address[kSms] = false;
  EXPECT_FALSE(Contactable(c, ChannelKind::kSms));
  c = AllChannels();
  c.unsubscribed_channels = 1u << kWhatsapp;
  EXPECT_FALSE(Contactable(c, ChannelKind::kWhatsapp));
  EXPECT_TRUE(Contactable(c, ChannelKind::kEmail));
  c.bounced_channels = 1u << kEmail;
  EXPECT_FALSE(Contactable(c, ChannelKind::kEmail));
}

TEST(WantsKindTest, RefusesOnlyTheKindsOptedOutOfOnEveryChannel) {
  ContactInfo c = AllChannels();
  for (int k = 0; k < kMessageKindCount; ++k)
    EXPECT_TRUE(WantsKind(c, static_cast<MessageKind>(k)));
  c.opted_out_kinds = KindBit(MessageKind::kOffers) | KindBit(MessageKind::kNews);
  EXPECT_FALSE(WantsKind(c, MessageKind::kOffers));
  EXPECT_FALSE(WantsKind(c, MessageKind::kNews));
  EXPECT_TRUE(WantsKind(c, MessageKind::kOccasions));
  EXPECT_TRUE(WantsKind(c, MessageKind::kReminders));
  EXPECT_TRUE(WantsKind(c, MessageKind::kService));
  // A kind preference is not a channel one: every channel stays contactable.
  for (int ch = 0; ch < kChannelKindCount; ++ch) {
    EXPECT_TRUE(Contactable(c, static_cast<ChannelKind>(ch)));
  }
  EXPECT_EQ(KindRefusal(MessageKind::kOffers), "preference: opted out of offers");
}

TEST(ChooseChannelTest, PreferenceThenLearnedThenOrder) {
  Policy p;
  p.learn_min_sample = 30;
  p.channel_order = {ChannelKind::kSms, ChannelKind::kEmail, ChannelKind::kWhatsapp};
  ContactInfo c = AllChannels();
  c.preferred = ChannelKind::kWhatsapp;
  ChannelRates rates;
  rates.rate[kEmail] = 0.4;
  rates.samples[kEmail] = 100;
  rates.rate[kSms] = 0.1;
  rates.samples[kSms] = 100;
  EXPECT_EQ(ChooseChannel(c, rates, p).channel, ChannelKind::kWhatsapp);
  EXPECT_EQ(ChooseChannel(c, rates, p).reason, "preferred");
  // A preference without consent does not count.
  c.consent[kWhatsapp] = Consent::kDenied;
  ChannelChoice learned = ChooseChannel(c, rates, p);
  EXPECT_EQ(learned.channel, ChannelKind::kEmail);
  EXPECT_EQ(learned.reason, "learned: 40% of 100 like them engage");
  // Too few like them: the configured order.
  rates.samples[kEmail] = 29;
  rates.samples[kSms] = 29;
  EXPECT_EQ(ChooseChannel(c, rates, p).channel, ChannelKind::kSms);
  EXPECT_EQ(ChooseChannel(c, rates, p).reason, "channel order");
  ContactInfo none;
  EXPECT_EQ(ChooseChannel(none, rates, p).channel, std::nullopt);
}

TEST(QuietHoursTest, WrappingAndPlainPeriods) {
  Policy p;  // 21:00 .. 09:00
  EXPECT_TRUE(InQuietHours(21 * 3600, p));
  EXPECT_TRUE(InQuietHours(3 * 3600, p));
  EXPECT_FALSE(InQuietHours(9 * 3600, p));
  EXPECT_FALSE(InQuietHours(20 * 3600 + 3599, p));
  p.quiet_start_seconds = 12 * 3600;
  p.quiet_end_seconds = 14 * 3600;
  EXPECT_TRUE(InQuietHours(13 * 3600, p));
  EXPECT_FALSE(InQuietHours(14 * 3600, p));
  p.quiet_end_seconds = p.quiet_start_seconds;
  EXPECT_FALSE(InQuietHours(13 * 3600, p));
}

TEST(QuietHoursTest, MovesToTheEndInTheCustomersZone) {
  Policy p;
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone teh, TimeZone::Find("Asia/Tehran"));
  // 23:00 in Tehran (19:30Z) -> 09:00 next day local = 05:30Z.
  EXPECT_EQ(FormatTimestamp(AfterQuietHours(At("2024-01-15T19:30:00Z"), teh, p)),
            "2024-01-16T05:30:00Z");
  // 02:00 local -> 09:00 the same local day.
  EXPECT_EQ(FormatTimestamp(AfterQuietHours(At("2024-01-15T22:30:00Z"), teh, p)),
            "2024-01-16T05:30:00Z");
  // Outside: unchanged.
  EXPECT_EQ(AfterQuietHours(At("2024-01-16T06:00:00Z"), teh, p), At("2024-01-16T06:00:00Z"));
  // Quiet hours ending inside a DST gap (02:30 on a 02:00 -> 03:00 day) end at 03:00.
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone ny, TimeZone::Find("America/New_York"));
  p.quiet_start_seconds = 22 * 3600;
  p.quiet_end_seconds = 2 * 3600 + 1800;
  EXPECT_EQ(FormatTimestamp(AfterQuietHours(At("2024-03-10T05:00:00Z"), ny, p)),
            "2024-03-10T07:00:00Z");
}

TEST(FrequencyCapTest, CountsEveryWindowThatWouldHoldTheMessage) {
  Policy p;
  p.cap_messages = 2;
  p.cap_days = 7;
  const std::vector<Instant> two = {At("2024-01-01T10:00:00Z"), At("2024-01-03T10:00:00Z")};
  EXPECT_FALSE(FitsFrequencyCap(two, At("2024-01-05T10:00:00Z"), p));
  // The first leaves the window 7 days after it was sent.
  EXPECT_FALSE(FitsFrequencyCap(two, At("2024-01-08T09:59:59Z"), p));
  EXPECT_TRUE(FitsFrequencyCap(two, At("2024-01-08T10:00:00Z"), p));
  // A later message counts too: one before and one after within 7 days leave no room.
  const std::vector<Instant> around = {At("2024-01-01T10:00:00Z"), At("2024-01-06T10:00:00Z")};
  EXPECT_FALSE(FitsFrequencyCap(around, At("2024-01-04T10:00:00Z"), p));
  EXPECT_TRUE(FitsFrequencyCap({}, At("2024-01-04T10:00:00Z"), p));
}

TEST(FrequencyCapTest, EarliestAllowedReschedulesInsteadOfDropping) {
  Policy p;
  p.cap_messages = 1;
  p.cap_days = 3;
  WINBACK_ASSERT_OK_AND_ASSIGN(TimeZone utc, TimeZone::Find("UTC"));
  const std::vector<Instant> one = {At("2024-01-01T10:00:00Z")};
  EXPECT_EQ(FormatTimestamp(EarliestAllowed(one, At("2024-01-02T10:00:00Z"), utc, p)),
            "2024-01-04T10:00:00Z");
  // The moment the window frees is at 22:00, inside quiet hours: the next morning.
  const std::vector<Instant> late = {At("2024-01-01T22:00:00Z")};
  EXPECT_EQ(FormatTimestamp(EarliestAllowed(late, At("2024-01-02T10:00:00Z"), utc, p)),
            "2024-01-05T09:00:00Z");
}

// The invariants over many random schedules, zones and policies: the result is never before
// the wish, never in quiet hours, always within the cap; and it is the earliest such minute.
TEST(PolicyPropertyTest, EarliestAllowedKeepsEveryInvariant) {
  Xoshiro256 rng(20261205);
  const char* zones[] = {"UTC",
                         "Europe/Istanbul",
                         "Asia/Tehran",
                         "America/New_York",
                         "Australia/Lord_Howe",
                         "Pacific/Kiritimati"};
  std::vector<TimeZone> tz;
  for (const char* z : zones) tz.push_back(*TimeZone::Find(z));
  const Instant base = At("2024-03-01T00:00:00Z");
  for (int i = 0; i < 100'000; ++i) {
    Policy p;
    p.cap_messages = 1 + static_cast<std::int64_t>(rng.Next() % 4);
    p.cap_days = 1 + static_cast<std::int64_t>(rng.Next() % 10);
    p.quiet_start_seconds = static_cast<std::int32_t>(rng.Next() % 24) * 3600;
    p.quiet_end_seconds = static_cast<std::int32_t>(rng.Next() % 24) * 3600;
    const TimeZone& zone = tz[rng.Next() % tz.size()];
    std::vector<Instant> scheduled;
    const int n = static_cast<int>(rng.Next() % 6);
    scheduled.reserve(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) {
      scheduled.push_back(
          base.PlusSeconds(static_cast<std::int64_t>(rng.Next() % (std::uint64_t{20} * 86'400))));
    }
    std::sort(scheduled.begin(), scheduled.end());
    const Instant wish =
        base.PlusSeconds(static_cast<std::int64_t>(rng.Next() % (std::uint64_t{20} * 86'400)));
    const Instant got = EarliestAllowed(scheduled, wish, zone, p);
    ASSERT_GE(got, wish) << i;
    ASSERT_FALSE(InQuietHours(zone.LocalSecondsOfDay(got), p))
        << i << " " << zone.name() << " quiet " << p.quiet_start_seconds << ".."
        << p.quiet_end_seconds << " wish " << FormatTimestamp(wish) << " got "
        << FormatTimestamp(got);
    // The cap, checked directly: every window of cap_days holding `got` has room. (The random
    // history may break the cap elsewhere; a new message must not add to such a window.) The
    // fullest windows holding `got` start at a message in (got - cap_days, got].
    const std::int64_t w = p.cap_days * 86'400'000'000;
    std::vector<Instant> with = scheduled;
    with.push_back(got);
    std::sort(with.begin(), with.end());
    for (std::size_t a = 0; a < with.size(); ++a) {
      if (with[a] > got || got.unix_micros() - with[a].unix_micros() >= w) continue;
      std::int64_t in_window = 0;
      for (std::size_t b = a; b < with.size(); ++b) {
        if (with[b].unix_micros() - with[a].unix_micros() < w) {
          ++in_window;
        }
      }
      ASSERT_LE(in_window, p.cap_messages) << i;
    }
    // Earliest: no whole minute between the wish and the result is allowed.
    if (i % 100 == 0) {
      for (Instant m = wish; m < got; m = m.PlusSeconds(60)) {
        const bool allowed =
            !InQuietHours(zone.LocalSecondsOfDay(m), p) && FitsFrequencyCap(scheduled, m, p);
        ASSERT_FALSE(allowed) << i << " " << FormatTimestamp(m);
      }
    }
  }
}

TEST(AssignmentTest, StableAndCloseToTheShare) {
  EXPECT_EQ(InHoldout("winback", "C1", 0.1), InHoldout("winback", "C1", 0.1));
  int held = 0;
  std::vector<int> variants(3);
  for (int i = 0; i < 100'000; ++i) {
    const std::string id = "C" + std::to_string(i);
    held += InHoldout("winback", id, 0.1) ? 1 : 0;
    ++variants[VariantIndex("winback", "come_back", id, 3)];
  }
  // Binomial(100000, 0.1): sd 95; 5 sd either side.
  EXPECT_NEAR(held, 10'000, 475);
  for (int v : variants) EXPECT_NEAR(v, 33'333, 750);
  // Holdout and variant draws are independent: the variants split the holdout evenly too.
  int held_first = 0;
  for (int i = 0; i < 100'000; ++i) {
    const std::string id = "C" + std::to_string(i);
    if (InHoldout("winback", id, 0.1) && VariantIndex("winback", "come_back", id, 2) == 0) {
      ++held_first;
    }
  }
  EXPECT_NEAR(held_first, 5'000, 340);
}

}  // namespace
}  // namespace winback::campaigns
