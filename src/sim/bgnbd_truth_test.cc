// Statistical checks of the simulator against the closed forms of the BG/NBD model (Fader,
// Hardie & Lee 2005, "Counting your customers the easy way"). The purchase counts are read back
// from orders.csv, the observation lengths from the written timestamps, and the model
// parameters from truth.json, so the test checks the files a user gets, not internals.

// Boost 1.74's hypergeometric_pFq.hpp uses lgamma and expm1 without including them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>
#include <vector>

#include "core/time.h"
#include "sim/internal/test_csv.h"
#include "sim/simulator.h"
#include "testutil/status_matchers.h"

namespace winback::sim {
namespace {

using internal::ParseCsvForTest;
using internal::ReadFileForTest;

// Gauss's 2F1(a, b; c; z) for 0 <= z < 1 by its power series, summed until the terms stop
// mattering (relative 1e-15). Converges for every z < 1; slowly near 1, which is fine here.
double Hyp2F1(double a, double b, double c, double z) {
  double term = 1.0;
  double sum = 1.0;
  for (int n = 0; n < 200'000; ++n) {
    term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
    sum += term;
    if (std::fabs(term) < 1e-15 * std::fabs(sum)) break;
  }
  return sum;
}

struct Params {
  double r, alpha, a, b;
};

// E[X(t)]: expected repeat purchases in an observation period of length t after the first.
double ExpectedRepeats(const Params& m, double t) {
  const double z = t / (m.alpha + t);
  return (m.a + m.b - 1) / (m.a - 1) *
         (1 - std::pow(m.alpha / (m.alpha + t), m.r) * Hyp2F1(m.r, m.b, m.a + m.b - 1, z));
}

// P(still alive t after the first purchase), before seeing any data:
// E[exp(-lambda p t)] = (alpha/(alpha+t))^r 2F1(r, b; a+b; t/(alpha+t)).
double PriorAlive(const Params& m, double t) {
  return std::pow(m.alpha / (m.alpha + t), m.r) * Hyp2F1(m.r, m.b, m.a + m.b, t / (m.alpha + t));
}

// P(alive | x repeats, last at t_x, observed for T), Fader, Hardie & Lee (2005) eq. (11).
double PosteriorAlive(const Params& m, double x, double t_x, double T) {
  if (x == 0) return 1.0;
  return 1.0 / (1.0 + m.a / (m.b + x - 1) * std::pow((m.alpha + T) / (m.alpha + t_x), m.r + x));
}

TEST(Hyp2F1Test, MatchesBoost) {
  for (double z : {0.0, 0.1, 0.5, 0.9, 0.96, 0.99}) {
    const double ours = Hyp2F1(0.243, 2.426, 2.219, z);
    const double boost = boost::math::hypergeometric_pFq({0.243, 2.426}, {2.219}, z);
    EXPECT_NEAR(ours, boost, 1e-9 * std::fabs(boost)) << z;
  }
}

TEST(Hyp2F1Test, ExpectedRepeatsSmallT) {
  // For small t, E[X(t)] ~ E[lambda] t = r/alpha t.
  const Params m{0.243, 30.9, 0.793, 2.426};
  EXPECT_NEAR(ExpectedRepeats(m, 1e-3) / 1e-3, m.r / m.alpha, 1e-5);
  EXPECT_NEAR(PriorAlive(m, 0.0), 1.0, 1e-15);
}

// What the test reads back for one buyer.
struct Buyer {
  double t_acquired = 0;  // operational-day clock
  double t_last = 0;      // last completed order, same clock
  std::int64_t repeats = 0;
  bool alive = false;
};

// The simulated window read back through truth.json: the clocks needed to turn written local
// times into the model's operational time.
class Clock {
 public:
  explicit Clock(const nlohmann::json& truth) {
    start_day_ = ParseDate(truth["options"]["start"].get<std::string>())->days();
    days_ = truth["model"]["window"]["days"].get<double>();
    amplitude_ = truth["model"]["seasonality"]["amplitude"].get<double>();
    period_ = truth["model"]["seasonality"]["period_days"].get<double>();
    peak_ = truth["model"]["seasonality"]["peak_unix_day"].get<double>();
    double total = 0;
    for (const auto& w : truth["model"]["time_of_day_hour_weights"]) total += w.get<double>();
    cdf_[0] = 0;
    for (std::size_t h = 0; h < 24; ++h) {
      density_[h] = truth["model"]["time_of_day_hour_weights"][h].get<double>() / total;
      cdf_[h + 1] = cdf_[h] + density_[h];
    }
  }

  double days() const { return days_; }

  // The operational-day time of a written timestamp: local day since the start plus the share
  // of the day's purchase weight elapsed at that local time.
  double DayClock(const std::string& text) const {
    const ParsedTimestamp t = *ParseTimestamp(text);
    const std::int64_t local = t.instant.unix_seconds() + std::int64_t{t.utc_offset_minutes} * 60;
    const std::int64_t day = local >= 0 ? local / 86'400 : -((-local + 86'399) / 86'400);
    const double hours = static_cast<double>(local - day * 86'400) / 3600.0;
    const std::size_t h = std::min<std::size_t>(23, static_cast<std::size_t>(hours));
    return static_cast<double>(day - start_day_) + cdf_[h] +
           (hours - static_cast<double>(h)) * density_[h];
  }

  // tau(t) = integral of 1 + A cos(2 pi (start + u - peak) / P) du from 0 to t.
  double Tau(double t) const {
    const double w = 2 * std::numbers::pi / period_;
    const double phase0 = w * (static_cast<double>(start_day_) - peak_);
    return t + amplitude_ / w * (std::sin(phase0 + w * t) - std::sin(phase0));
  }

 private:
  std::int64_t start_day_ = 0;
  double days_ = 0;
  double amplitude_ = 0;
  double period_ = 0;
  double peak_ = 0;
  std::array<double, 25> cdf_{};
  std::array<double, 24> density_{};
};

struct Simulated {  // NOLINT(bugprone-exception-escape): test data holder
  Params params;
  std::vector<Buyer> buyers;
  nlohmann::json truth;
};

Simulated SimulateAndRead(const SimOptions& o, const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "winback_sim_stat_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(dir);
  Result<SimStats> stats = Simulate(o, dir);
  EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  Simulated s;
  s.truth = nlohmann::json::parse(ReadFileForTest(dir + "/truth.json"), nullptr, false);
  const auto& bg = s.truth["model"]["bgnbd"];
  s.params = {bg["r"].get<double>(), bg["alpha"].get<double>(), bg["a"].get<double>(),
              bg["b"].get<double>()};
  const Clock clock(s.truth);
  // Completed orders per customer, in file order (by time).
  std::map<std::int64_t, Buyer> by_customer;
  const auto orders = ParseCsvForTest(ReadFileForTest(dir + "/orders.csv"));
  for (std::size_t i = 1; i < orders.size(); ++i) {
    if (orders[i][5] != "completed") continue;
    const std::int64_t c = std::stoll(orders[i][1].substr(1));
    const double t = clock.DayClock(orders[i][2]);
    auto [it, inserted] = by_customer.try_emplace(c);
    if (inserted) {
      it->second.t_acquired = t;
    } else {
      ++it->second.repeats;
    }
    it->second.t_last = t;
  }
  const auto truth = ParseCsvForTest(ReadFileForTest(dir + "/truth.csv"));
  for (std::size_t i = 1; i < truth.size(); ++i) {
    if (truth[i][1] != "1") continue;
    const auto it = by_customer.find(static_cast<std::int64_t>(i));
    EXPECT_TRUE(it != by_customer.end());
    if (it == by_customer.end()) continue;
    it->second.alive = truth[i][6] == "1";
    s.buyers.push_back(it->second);
  }
  std::filesystem::remove_all(dir);
  return s;
}

struct MeanSe {
  double mean;
  double se;
};

MeanSe MeanAndSe(const std::vector<double>& v) {
  double sum = 0;
  double sum2 = 0;
  for (double x : v) {
    sum += x;
    sum2 += x * x;
  }
  const double n = static_cast<double>(v.size());
  const double mean = sum / n;
  const double var = (sum2 - n * mean * mean) / (n - 1);
  return {mean, std::sqrt(var / n)};
}

// Checks the mean number of repeat purchases against E[X(T_i)] averaged over the buyers' own
// observation lengths T_i (in operational time), and the share alive at the end against the
// model's prior and posterior P(alive).
void CheckAgainstBgNbd(const Simulated& s, const Clock& clock, const char* label) {
  const Params& m = s.params;
  const std::size_t n = s.buyers.size();
  ASSERT_GT(n, 10'000U);
  const double tau_end = clock.Tau(clock.days());
  std::vector<double> repeats;
  double expected = 0;
  double expected_calendar = 0;  // the same ignoring seasonality, for information
  double alive = 0;
  double prior_alive = 0;
  double prior_var = 0;
  double posterior_alive = 0;
  double posterior_var = 0;
  for (const Buyer& b : s.buyers) {
    const double t0 = clock.Tau(b.t_acquired);
    const double big_t = tau_end - t0;
    repeats.push_back(static_cast<double>(b.repeats));
    expected += ExpectedRepeats(m, big_t);
    expected_calendar += ExpectedRepeats(m, clock.days() - b.t_acquired);
    alive += b.alive ? 1 : 0;
    const double pa = PriorAlive(m, big_t);
    prior_alive += pa;
    prior_var += pa * (1 - pa);
    const double post =
        PosteriorAlive(m, static_cast<double>(b.repeats), clock.Tau(b.t_last) - t0, big_t);
    posterior_alive += post;
    posterior_var += post * (1 - post);
  }
  const double nd = static_cast<double>(n);
  const MeanSe observed = MeanAndSe(repeats);
  expected /= nd;
  expected_calendar /= nd;
  std::printf(
      "[%s] %zu buyers: mean repeat purchases %.4f (SE %.4f), BG/NBD E[X(T)] %.4f, diff %.2f SE"
      " (ignoring seasonality: %.4f)\n",
      label, n, observed.mean, observed.se, expected, (observed.mean - expected) / observed.se,
      expected_calendar);
  // 4 standard errors: a false alarm has probability ~6e-5 for a correct simulator.
  EXPECT_LT(std::fabs(observed.mean - expected), 4 * observed.se);

  // Alive at the end: each buyer is alive with the prior probability PriorAlive(T_i), and,
  // given its own history, with the posterior P(alive | x, t_x, T); both are calibrated, so
  // the observed count must match either sum within sampling error (Bernoulli variances).
  const double prior_se = std::sqrt(prior_var);
  const double posterior_se = std::sqrt(posterior_var);
  std::printf(
      "[%s] alive at end %.0f; prior E %.1f (SE %.1f, diff %.2f SE); posterior E %.1f "
      "(SE %.1f, diff %.2f SE)\n",
      label, alive, prior_alive, prior_se, (alive - prior_alive) / prior_se, posterior_alive,
      posterior_se, (alive - posterior_alive) / posterior_se);
  EXPECT_LT(std::fabs(alive - prior_alive), 4 * prior_se);
  EXPECT_LT(std::fabs(alive - posterior_alive), 4 * posterior_se);

  // Calibration of P(alive) among buyers with repeats (x = 0 is alive by construction): in
  // each fifth of the posterior, observed alive count vs the sum of the probabilities.
  std::vector<std::pair<double, bool>> scored;
  for (const Buyer& b : s.buyers) {
    if (b.repeats == 0) continue;
    const double t0 = clock.Tau(b.t_acquired);
    scored.emplace_back(
        PosteriorAlive(m, static_cast<double>(b.repeats), clock.Tau(b.t_last) - t0, tau_end - t0),
        b.alive);
  }
  std::sort(scored.begin(), scored.end());
  for (std::size_t q = 0; q < 5; ++q) {
    double e = 0;
    double v = 0;
    double o = 0;
    for (std::size_t i = q * scored.size() / 5; i < (q + 1) * scored.size() / 5; ++i) {
      e += scored[i].first;
      v += scored[i].first * (1 - scored[i].first);
      o += scored[i].second ? 1 : 0;
    }
    std::printf("[%s] P(alive) fifth %zu: observed %.0f expected %.1f (SE %.1f)\n", label, q + 1, o,
                e, std::sqrt(v));
    EXPECT_LT(std::fabs(o - e), 4 * std::sqrt(v) + 1) << "fifth " << q + 1;
  }
}

TEST(BgNbdTruthTest, RepeatPurchasesMatchExpectationWithoutSeasonality) {
  SimOptions o = DefaultOptions();
  o.customers = 60'000;
  o.seed = 2024;
  o.seasonality = 0;
  const Simulated s = SimulateAndRead(o, "flat");
  CheckAgainstBgNbd(s, Clock(s.truth), "no seasonality");
}

TEST(BgNbdTruthTest, RepeatPurchasesMatchExpectationInOperationalTime) {
  SimOptions o = DefaultOptions();
  o.customers = 60'000;
  o.seed = 7;
  o.seasonality = 0.6;
  // A window of 1.5 years starting in the low season, so operational and calendar time differ.
  o.start = *Date::FromYmd(2023, 3, 1);
  o.end = *Date::FromYmd(2024, 8, 31);
  const Simulated s = SimulateAndRead(o, "seasonal");
  CheckAgainstBgNbd(s, Clock(s.truth), "seasonality 0.6");
}

}  // namespace
}  // namespace winback::sim
