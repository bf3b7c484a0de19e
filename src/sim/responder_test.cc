#include "sim/responder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.h"
#include "sim/internal/test_csv.h"
#include "testutil/status_matchers.h"

namespace winback::sim {
namespace {

namespace fs = std::filesystem;
using internal::ParseCsvForTest;
using internal::ReadFileForTest;

constexpr std::int64_t kCustomers = 3'000;

SimOptions Shop() {
  SimOptions o = DefaultOptions();
  o.customers = kCustomers;
  o.seed = 11;
  o.threads = 1;
  return o;
}

// A directory of this test's own: ctest runs the tests of this file in parallel processes, so
// a name shared by two tests would let one remove the other's files.
std::string Dir(const std::string& name) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("responder_" + std::string(test->name()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// One SMS (never bounces) per customer, two days after the window at 10:00 UTC; even
// customers held out. `offer` names the effect.
std::vector<CampaignContact> Contacts(const SimOptions& o, const std::string& offer) {
  std::vector<CampaignContact> contacts;
  const Instant at = o.end.PlusDays(2).StartUtc().PlusSeconds(10 * 3600);
  for (std::int64_t n = 1; n <= o.customers; ++n) {
    CampaignContact c;
    c.customer_id = "c" + std::to_string(n);
    c.key = "winback/incentive/" + c.customer_id + "/1";
    c.offer = offer;
    c.coupon = offer.empty() ? "" : "CODE" + std::to_string(n);
    c.channel = ChannelKind::kSms;
    c.held_out = n % 2 == 0;
    c.sent = !c.held_out;
    c.time = at;
    contacts.push_back(c);
  }
  return contacts;
}

struct Observed {
  // Per arm (0 treated, 1 holdout): customers, those with an order in the window, the sums of
  // the exact probabilities with (p1) and without (p0) the campaign, of the one that applies
  // (p1 treated, p0 held out) and of its p (1 - p), the variance of the count.
  double n[2] = {0, 0};
  double expected[2] = {0, 0};
  double ordered[2] = {0, 0};
  double p1[2] = {0, 0};
  double p0[2] = {0, 0};
  double var[2] = {0, 0};
  std::int64_t coupons = 0;
  std::int64_t unsubscribes = 0;
};

// Reads response_truth.csv and response_orders.csv of `dir`: did each targeted customer order
// in [start, start + 30 days)?
void Observe(const std::string& dir, Observed& out) {
  std::map<std::string, Instant> start;
  std::map<std::string, int> arm;
  const auto truth = ParseCsvForTest(ReadFileForTest(dir + "/response_truth.csv"));
  ASSERT_GT(truth.size(), 1u);
  for (std::size_t i = 1; i < truth.size(); ++i) {
    const auto& r = truth[i];
    WINBACK_ASSERT_OK_AND_ASSIGN(ParsedTimestamp t, ParseTimestamp(r[3]));
    start[r[0]] = t.instant;
    const int a = r[1] == "treated" ? 0 : 1;
    arm[r[0]] = a;
    const double p0 = std::stod(r[4]);
    const double p1 = std::stod(r[5]);
    out.n[a] += 1;
    out.p0[a] += p0;
    out.p1[a] += p1;
    // What is drawn: with the campaign for the treated, without it for the held out.
    const double p = a == 0 ? p1 : p0;
    out.expected[a] += p;
    out.var[a] += p * (1 - p);
  }
  std::map<std::string, bool> ordered;
  const auto orders = ParseCsvForTest(ReadFileForTest(dir + "/response_orders.csv"));
  for (std::size_t i = 1; i < orders.size(); ++i) {
    const auto& r = orders[i];
    WINBACK_ASSERT_OK_AND_ASSIGN(ParsedTimestamp t, ParseTimestamp(r[2]));
    const Instant s = start[r[1]];
    if (s <= t.instant && t.instant < s.PlusDays(30)) ordered[r[1]] = true;
    out.coupons += !r[6].empty();
  }
  for (const auto& [id, yes] : ordered) out.ordered[arm[id]] += yes;
  const auto events = ParseCsvForTest(ReadFileForTest(dir + "/response_events.csv"));
  for (std::size_t i = 1; i < events.size(); ++i) out.unsubscribes += events[i][2] == "unsubscribe";
}

ResponseOptions Options(const SimOptions& o, std::vector<ResponseEffect> effects) {
  ResponseOptions r;
  r.effects = std::move(effects);
  r.horizon = o.end.PlusDays(60).StartUtc();
  return r;
}

// The exact probabilities agree with what the simulator then draws: over 3,000 customers and
// 8 draws of the responses and the continued purchases, the number of customers with an order
// in the window is within 4 standard errors of the sum of their probabilities, in each arm.
void CheckAgainstDraws(const std::vector<ResponseEffect>& effects, Observed& total) {
  const SimOptions o = Shop();
  const std::vector<CampaignContact> contacts = Contacts(o, "price_10");
  for (std::uint64_t replicate = 0; replicate < 8; ++replicate) {
    ResponseOptions r = Options(o, effects);
    r.replicate = replicate;
    const std::string dir = Dir("draw" + std::to_string(replicate));
    WINBACK_ASSERT_OK_AND_ASSIGN(ResponseStats stats, Respond(o, r, contacts, dir));
    EXPECT_EQ(stats.targeted, kCustomers);
    Observe(dir, total);
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (int a = 0; a < 2; ++a) {
    const double se = std::sqrt(total.var[a]);
    EXPECT_NEAR(total.ordered[a], total.expected[a], 4 * se) << "arm " << a;
  }
}

TEST(RespondTest, PositiveEffectMatchesItsExactProbability) {
  Observed seen;
  CheckAgainstDraws(
      {{ResponseSegment::kActive, "price_10", 0.3}, {ResponseSegment::kLapsed, "price_10", 0.1}},
      seen);
  // Treated customers order more than their baseline; each induced order carries the coupon.
  EXPECT_GT(seen.p1[0], seen.p0[0] + 0.05 * seen.n[0]);
  EXPECT_GT(seen.coupons, 0);
  EXPECT_EQ(seen.unsubscribes, 0);
}

TEST(RespondTest, NegativeEffectLowersOrdersAndUnsubscribes) {
  Observed seen;
  CheckAgainstDraws({{ResponseSegment::kActive, "price_10", -0.6}}, seen);
  EXPECT_LT(seen.p1[0], seen.p0[0]);
  EXPECT_GT(seen.unsubscribes, 0);
  EXPECT_EQ(seen.coupons, 0);
}

TEST(RespondTest, TrueLiftIsTheMeanDifferenceAndIsWrittenToTruthJson) {
  const SimOptions o = Shop();
  const std::string dir = Dir("truth");
  ASSERT_TRUE(Simulate(o, dir).ok());
  std::vector<CampaignContact> contacts = Contacts(o, "price_10");
  // A second entry's messages do not count: the customer counts by its first entry.
  CampaignContact later = contacts.front();
  later.occurrence = 2;
  later.key = "winback/incentive/c1/2";
  contacts.push_back(later);
  WINBACK_ASSERT_OK_AND_ASSIGN(ResponseStats stats,
                               Respond(o, Options(o, DefaultResponseEffects()), contacts, dir));
  EXPECT_EQ(stats.targeted, kCustomers);
  EXPECT_EQ(stats.treated + stats.held_out, kCustomers);
  const auto truth = ParseCsvForTest(ReadFileForTest(dir + "/response_truth.csv"));
  double sum = 0;
  for (std::size_t i = 1; i < truth.size(); ++i) sum += std::stod(truth[i][6]);
  EXPECT_NEAR(stats.true_conversion_lift, sum / kCustomers, 1e-8);
  EXPECT_GT(stats.true_conversion_lift, 0);
  const nlohmann::json j = nlohmann::json::parse(ReadFileForTest(dir + "/truth.json"));
  EXPECT_DOUBLE_EQ(j["campaigns"]["winback"]["true_conversion_lift"].get<double>(),
                   stats.true_conversion_lift);
  EXPECT_EQ(j["options"]["seed"].get<int>(), 11);  // Simulate's content is kept
  EXPECT_EQ(j["responses"]["effects"].size(), DefaultResponseEffects().size());
  // Same inputs, same bytes.
  const std::string orders = ReadFileForTest(dir + "/response_orders.csv");
  ASSERT_TRUE(Respond(o, Options(o, DefaultResponseEffects()), contacts, dir).ok());
  EXPECT_EQ(ReadFileForTest(dir + "/response_orders.csv"), orders);
}

TEST(RespondTest, ZeroEffectsGiveZeroTrueLift) {
  const SimOptions o = Shop();
  WINBACK_ASSERT_OK_AND_ASSIGN(ResponseStats stats,
                               Respond(o, Options(o, {}), Contacts(o, "price_10"), Dir("zero")));
  EXPECT_EQ(stats.true_conversion_lift, 0.0);
  EXPECT_EQ(stats.responded, 0);
  EXPECT_EQ(stats.annoyed, 0);
  EXPECT_GT(stats.mean_p0, 0);
}

TEST(RespondTest, RejectsBadInput) {
  const SimOptions o = Shop();
  std::vector<CampaignContact> contacts = Contacts(o, "");
  contacts[0].customer_id = "x7";
  EXPECT_THAT(Respond(o, Options(o, {}), contacts, Dir("bad")),
              StatusIs(StatusCode::kInvalidArgument));
  contacts[0].customer_id = "c3001";
  EXPECT_THAT(Respond(o, Options(o, {}), contacts, Dir("bad")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Respond(o, Options(o, {{ResponseSegment::kActive, "x", 1.5}}), {}, Dir("bad")),
              StatusIs(StatusCode::kInvalidArgument));
  ResponseOptions early = Options(o, {});
  early.horizon = o.end.StartUtc();
  EXPECT_THAT(Respond(o, early, {}, Dir("bad")), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::sim
