#include "sim/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/time.h"
#include "core/utf8.h"
#include "sim/internal/test_csv.h"
#include "testutil/status_matchers.h"

namespace winback::sim {
namespace {

using internal::ParseCsvForTest;
using internal::ReadFileForTest;
using ::testing::HasSubstr;

constexpr const char* kFiles[] = {"customers.csv", "orders.csv", "events.csv", "truth.csv",
                                  "truth.json"};

// Removes every directory TestDir handed out when the test program ends.
class RemoveTestDirs : public ::testing::Environment {
 public:
  static std::vector<std::string>& Dirs() {
    static std::vector<std::string> dirs;
    return dirs;
  }
  void TearDown() override {
    for (const std::string& dir : Dirs()) std::filesystem::remove_all(dir);
  }
};
[[maybe_unused]] ::testing::Environment* const kRemoveTestDirs =
    ::testing::AddGlobalTestEnvironment(new RemoveTestDirs);

std::string TestDir(const std::string& name) {
  // The process id keeps parallel ctest runs (one process per test) apart.
  std::string dir = ::testing::TempDir() + "winback_sim_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(dir);
  RemoveTestDirs::Dirs().push_back(dir);
  return dir;
}

std::map<std::string, std::string> ReadAll(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const char* f : kFiles) files[f] = ReadFileForTest(dir + "/" + f);
  return files;
}

SimOptions Small(std::int64_t customers) {
  SimOptions o = DefaultOptions();
  o.customers = customers;
  o.seed = 42;
  return o;
}

// "c17" -> 17.
std::int64_t CustomerNumber(const std::string& id) {
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(id[0], 'c') << id;
  return std::stoll(id.substr(1));
}

TEST(SimulatorTest, DefaultOptions) {
  const SimOptions o = DefaultOptions();
  EXPECT_EQ(o.start, *Date::FromYmd(2023, 1, 1));
  EXPECT_EQ(o.end, *Date::FromYmd(2024, 12, 31));
  EXPECT_EQ(o.customers, 20'000);
  EXPECT_EQ(o.currency, "USD");
  EXPECT_DOUBLE_EQ(o.alpha, 30.9);
  EXPECT_EQ(o.threads, 0);
}

TEST(SimulatorTest, SameSeedSameBytes) {
  const std::string a = TestDir("same_a");
  const std::string b = TestDir("same_b");
  SimOptions o = Small(5000);  // three blocks of customers
  o.threads = 2;
  WINBACK_ASSERT_OK_AND_ASSIGN(SimStats sa, Simulate(o, a));
  WINBACK_ASSERT_OK_AND_ASSIGN(SimStats sb, Simulate(o, b));
  EXPECT_EQ(sa.orders, sb.orders);
  EXPECT_EQ(sa.events, sb.events);
  const auto fa = ReadAll(a);
  const auto fb = ReadAll(b);
  for (const char* f : kFiles) {
    EXPECT_FALSE(fa.at(f).empty()) << f;
    EXPECT_TRUE(fa.at(f) == fb.at(f)) << f << " differs between two runs with the same seed";
  }
}

TEST(SimulatorTest, ThreadCountDoesNotChangeBytes) {
  SimOptions o = Small(5000);
  o.with_items = true;
  std::map<std::string, std::string> reference;
  for (int threads : {1, 2, 3, 8}) {
    const std::string dir = TestDir("threads_" + std::to_string(threads));
    o.threads = threads;
    ASSERT_THAT(Simulate(o, dir), IsOk());
    const auto files = ReadAll(dir);
    if (reference.empty()) {
      reference = files;
      continue;
    }
    for (const char* f : kFiles) {
      EXPECT_TRUE(files.at(f) == reference.at(f)) << f << " differs with threads=" << threads;
    }
  }
}

TEST(SimulatorTest, DifferentSeedDiffers) {
  SimOptions o = Small(500);
  const std::string a = TestDir("seed_a");
  const std::string b = TestDir("seed_b");
  ASSERT_THAT(Simulate(o, a), IsOk());
  o.seed = 43;
  ASSERT_THAT(Simulate(o, b), IsOk());
  const auto fa = ReadAll(a);
  const auto fb = ReadAll(b);
  for (const char* f : {"customers.csv", "orders.csv", "events.csv", "truth.csv"}) {
    EXPECT_NE(fa.at(f), fb.at(f)) << f;
  }
}

TEST(SimulatorTest, RejectsBadOptions) {
  const std::string dir = TestDir("bad");
  auto expect_invalid = [&](const SimOptions& o, const std::string& what) {
    EXPECT_THAT(Simulate(o, dir), StatusIsWith(StatusCode::kInvalidArgument, HasSubstr(what)));
  };
  SimOptions o = Small(10);
  o.customers = 0;
  expect_invalid(o, "customers");
  o.customers = kMaxCustomers + 1;
  expect_invalid(o, "customers must be between 1 and 100000000");
  o.customers = 99'999'999'999'999;
  expect_invalid(o, "customers must be between 1 and 100000000");
  EXPECT_FALSE(std::filesystem::exists(dir + "/customers.csv.tmp")) << "nothing written";
  o = Small(10);
  o.end = o.start.PlusDays(-1);
  expect_invalid(o, "before start");
  o = Small(10);
  o.start = *Date::FromYmd(1980, 1, 1);
  expect_invalid(o, "1990");
  o = Small(10);
  o.currency = "usd";
  expect_invalid(o, "currency");
  o.currency = "XXQ";
  expect_invalid(o, "currency");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double bad : {0.0, -1.0, nan, inf}) {
    o = Small(10);
    o.r = bad;
    expect_invalid(o, "r must be");
    o = Small(10);
    o.alpha = bad;
    expect_invalid(o, "alpha");
    o = Small(10);
    o.a = bad;
    expect_invalid(o, "a must be");
    o = Small(10);
    o.b = bad;
    expect_invalid(o, "b must be");
    o = Small(10);
    o.gg_p = bad;
    expect_invalid(o, "gg_p");
    o = Small(10);
    o.gg_q = bad;
    expect_invalid(o, "gg_q");
    o = Small(10);
    o.gg_gamma = bad;
    expect_invalid(o, "gg_gamma");
  }
  for (double bad : {1.0, -0.1, nan}) {
    o = Small(10);
    o.seasonality = bad;
    expect_invalid(o, "seasonality");
    o = Small(10);
    o.never_buy_share = bad;
    expect_invalid(o, "never_buy_share");
  }
  o = Small(10);
  o.threads = -1;
  expect_invalid(o, "threads");
  EXPECT_FALSE(std::filesystem::exists(dir)) << "nothing is written for bad options";
}

TEST(SimulatorTest, IoErrorNamesTheFile) {
  const std::string dir = TestDir("io");
  std::filesystem::create_directories(dir);
  const std::string blocker = dir + "/not_a_dir";
  std::ofstream(blocker) << "x";
  EXPECT_THAT(Simulate(Small(10), blocker + "/out"),
              StatusIsWith(StatusCode::kUnavailable, HasSubstr("not_a_dir")));
  // A directory where customers.csv.tmp should go makes the file impossible to create.
  const std::string out = dir + "/out2";
  std::filesystem::create_directories(out + "/customers.csv.tmp");
  EXPECT_THAT(Simulate(Small(10), out),
              StatusIsWith(StatusCode::kUnavailable, HasSubstr("customers.csv")));
  EXPECT_FALSE(std::filesystem::exists(out + "/orders.csv.tmp")) << "temporary files removed";
  EXPECT_FALSE(std::filesystem::exists(out + "/orders.csv"));
}

TEST(SimulatorTest, ReportsProgress) {
  std::vector<std::int64_t> done;
  SimOptions o = Small(5000);
  ASSERT_THAT(Simulate(o, TestDir("progress"),
                       [&](std::int64_t d, std::int64_t total) {
                         EXPECT_EQ(total, 5000);
                         done.push_back(d);
                         return Status::Ok();
                       }),
              IsOk());
  ASSERT_FALSE(done.empty());
  for (std::size_t i = 1; i < done.size(); ++i) EXPECT_GT(done[i], done[i - 1]);
  EXPECT_EQ(done.back(), 5000);
}

TEST(SimulatorTest, ProgressErrorStopsTheRunAndRemovesTemporaryFiles) {
  const std::string dir = TestDir("stopped");
  int calls = 0;
  EXPECT_THAT(Simulate(Small(50'000), dir,
                       [&](std::int64_t, std::int64_t) {
                         ++calls;
                         return CancelledError("interrupted");
                       }),
              StatusIsWith(StatusCode::kCancelled, HasSubstr("interrupted")));
  EXPECT_EQ(calls, 1) << "the first error stops the run";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ADD_FAILURE() << "left behind: " << entry.path();
  }
}

// Checks a timestamp field: parses with core, and its local date is within the window.
void ExpectTimestampInWindow(const std::string& text, const SimOptions& o, const std::string& row) {
  Result<ParsedTimestamp> t = ParseTimestamp(text);
  ASSERT_TRUE(t.ok()) << row << ": " << t.status().ToString();
  EXPECT_FALSE(t->date_only) << row;
  const Date local = UtcDate(t->instant.PlusSeconds(std::int64_t{t->utc_offset_minutes} * 60));
  EXPECT_GE(local, o.start) << row;
  EXPECT_LE(local, o.end) << row;
}

std::string Join(const std::vector<std::string>& row) {
  std::string s;
  for (const auto& f : row) s += f + "|";
  return s;
}

class SimulatorRowsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    options_ = new SimOptions(Small(4000));
    options_->with_items = true;
    options_->currency = "TRY";
    dir_ = new std::string(TestDir("rows"));
    Result<SimStats> r = Simulate(*options_, *dir_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    stats_ = new SimStats(*r);
  }
  static void TearDownTestSuite() {
    delete options_;
    delete dir_;
    delete stats_;
  }
  static std::vector<std::vector<std::string>> Rows(const char* file) {
    const std::string text = ReadFileForTest(*dir_ + "/" + file);
    EXPECT_TRUE(IsValidUtf8(text)) << file;
    return ParseCsvForTest(text);
  }
  // Maps header names to column indices and checks every row's width.
  static std::map<std::string, std::size_t> Columns(
      const std::vector<std::vector<std::string>>& rows, const char* file) {
    std::map<std::string, std::size_t> cols;
    EXPECT_FALSE(rows.empty()) << file;
    if (rows.empty()) return cols;
    for (std::size_t i = 0; i < rows[0].size(); ++i) cols[rows[0][i]] = i;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].size(), rows[0].size()) << file << " row " << i << ": " << Join(rows[i]);
    }
    return cols;
  }

  static SimOptions* options_;
  static std::string* dir_;
  static SimStats* stats_;
};

SimOptions* SimulatorRowsTest::options_ = nullptr;
std::string* SimulatorRowsTest::dir_ = nullptr;
SimStats* SimulatorRowsTest::stats_ = nullptr;

TEST_F(SimulatorRowsTest, CustomersAreWellFormed) {
  const auto rows = Rows("customers.csv");
  const auto col = Columns(rows, "customers.csv");
  const std::vector<std::string> expected = {"id",
                                             "email",
                                             "phone",
                                             "first_name",
                                             "last_name",
                                             "birth_date",
                                             "birth_year",
                                             "gender",
                                             "education",
                                             "country",
                                             "region",
                                             "city",
                                             "time_zone",
                                             "language",
                                             "signup_at",
                                             "consent_email",
                                             "consent_sms",
                                             "consent_whatsapp",
                                             "preferred_channel",
                                             "referred_by"};
  EXPECT_EQ(rows[0], expected);
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()) - 1, options_->customers);
  const std::set<std::string> genders = {"female", "male", "other", "unknown"};
  const std::set<std::string> education = {"",       "primary",   "secondary", "bachelor",
                                           "master", "doctorate", "other"};
  const std::set<std::string> yes_no = {"", "yes", "no"};
  std::map<std::string, int> countries;
  int referred = 0;
  int turkish_letters = 0;
  int persian_names = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string row = Join(r);
    EXPECT_EQ(r[col.at("id")], "c" + std::to_string(i));
    const std::string& email = r[col.at("email")];
    if (!email.empty()) {
      EXPECT_EQ(std::count(email.begin(), email.end(), '@'), 1) << row;
    }
    const std::string& phone = r[col.at("phone")];
    if (!phone.empty()) {
      EXPECT_EQ(phone[0], '+') << row;
      EXPECT_GE(phone.size(), 9U) << row;
      EXPECT_LE(phone.size(), 16U) << row;
      EXPECT_EQ(phone.find_first_not_of("0123456789", 1), std::string::npos) << row;
    }
    EXPECT_FALSE(r[col.at("first_name")].empty()) << row;
    EXPECT_FALSE(r[col.at("last_name")].empty()) << row;
    if (r[col.at("last_name")].find("ı") != std::string::npos ||
        r[col.at("first_name")].find("ş") != std::string::npos) {
      ++turkish_letters;
    }
    if (r[col.at("first_name")].find('\xd9') != std::string::npos) ++persian_names;  // Arabic
    if (!r[col.at("birth_date")].empty()) {
      Result<Date> d = ParseDate(r[col.at("birth_date")]);
      ASSERT_TRUE(d.ok()) << row;
      EXPECT_EQ(std::to_string(d->year()), r[col.at("birth_year")]) << row;
    }
    if (!r[col.at("birth_year")].empty()) {
      const int y = std::stoi(r[col.at("birth_year")]);
      EXPECT_GE(y, 1900);
      EXPECT_LE(y, 2100);
    }
    EXPECT_TRUE(genders.count(r[col.at("gender")])) << row;
    EXPECT_TRUE(education.count(r[col.at("education")])) << row;
    ++countries[r[col.at("country")]];
    Result<TimeZone> zone = TimeZone::Find(r[col.at("time_zone")]);
    ASSERT_TRUE(zone.ok()) << row;
    const std::string& lang = r[col.at("language")];
    EXPECT_TRUE(lang == "tr" || lang == "fa" || lang == "en") << row;
    if (r[col.at("country")] == "TR") {
      EXPECT_EQ(lang, "tr");
    }
    if (r[col.at("country")] == "IR") {
      EXPECT_EQ(lang, "fa");
    }
    ExpectTimestampInWindow(r[col.at("signup_at")], *options_, row);
    Result<ParsedTimestamp> signup = ParseTimestamp(r[col.at("signup_at")]);
    ASSERT_TRUE(signup.ok());
    EXPECT_EQ(signup->utc_offset_minutes, zone->OffsetMinutesAt(signup->instant))
        << row << ": the offset is the zone's offset at that instant";
    std::map<std::string, std::string> consent;
    for (const char* c : {"email", "sms", "whatsapp"}) {
      const std::string& v = r[col.at(std::string("consent_") + c)];
      EXPECT_TRUE(yes_no.count(v)) << row;
      consent[c] = v;
    }
    if (email.empty()) {
      EXPECT_EQ(consent["email"], "") << row;
    }
    if (phone.empty()) {
      EXPECT_EQ(consent["sms"], "") << row;
    }
    const std::string& preferred = r[col.at("preferred_channel")];
    if (!preferred.empty()) {
      EXPECT_EQ(consent[preferred], "yes") << row;
    }
    const std::string& ref = r[col.at("referred_by")];
    if (!ref.empty()) {
      ++referred;
      const std::int64_t n = CustomerNumber(ref);
      EXPECT_GE(n, 1);
      EXPECT_LT(n, static_cast<std::int64_t>(i)) << "referrer is an earlier customer";
    }
  }
  const double n = static_cast<double>(rows.size() - 1);
  EXPECT_NEAR(countries["TR"] / n, 0.50, 0.04);
  EXPECT_NEAR(countries["IR"] / n, 0.25, 0.04);
  EXPECT_GT(countries["DE"] + countries["GB"] + countries["US"], 0.15 * n);
  EXPECT_GT(referred, 0);
  EXPECT_GT(turkish_letters, 0);
  EXPECT_GT(persian_names, 0);
}

TEST_F(SimulatorRowsTest, OrdersAreWellFormed) {
  const auto rows = Rows("orders.csv");
  const auto col = Columns(rows, "orders.csv");
  EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "customer_id", "time", "amount", "currency",
                                               "status", "items"}));
  EXPECT_EQ(static_cast<std::int64_t>(rows.size()) - 1, stats_->orders);
  WINBACK_ASSERT_OK_AND_ASSIGN(Currency try_currency, Currency::FromCode("TRY"));
  std::int64_t last_customer = 0;
  std::int64_t k = 0;
  std::map<std::string, int> statuses;
  std::set<std::string> skus_in_orders;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string row = Join(r);
    const std::int64_t c = CustomerNumber(r[col.at("customer_id")]);
    ASSERT_GE(c, last_customer) << "orders are grouped by customer: " << row;
    k = c == last_customer ? k + 1 : 1;
    last_customer = c;
    EXPECT_EQ(r[col.at("id")], "o" + std::to_string(c) + "-" + std::to_string(k));
    EXPECT_LE(c, options_->customers);
    ExpectTimestampInWindow(r[col.at("time")], *options_, row);
    Result<std::int64_t> amount = ParseMinorUnits(r[col.at("amount")], try_currency);
    ASSERT_TRUE(amount.ok()) << row << ": " << amount.status().ToString();
    EXPECT_GT(*amount, 0) << row;
    EXPECT_EQ(r[col.at("currency")], "TRY");
    ++statuses[r[col.at("status")]];
    const nlohmann::json items = nlohmann::json::parse(r[col.at("items")], nullptr, false);
    ASSERT_TRUE(items.is_array()) << row;
    ASSERT_FALSE(items.empty()) << row;
    std::int64_t sum = 0;
    for (const auto& item : items) {
      ASSERT_TRUE(item.contains("sku") && item.contains("quantity") && item.contains("price"));
      const std::int64_t q = item["quantity"].get<std::int64_t>();
      EXPECT_GT(q, 0);
      Result<std::int64_t> price = ParseMinorUnits(item["price"].get<std::string>(), try_currency);
      ASSERT_TRUE(price.ok()) << row;
      EXPECT_GT(*price, 0);
      sum += q * *price;
    }
    EXPECT_EQ(sum, *amount) << "items add up to the amount: " << row;
    for (const auto& item : items) skus_in_orders.insert(item["sku"].get<std::string>());
  }
  // Every sku an order names is in the catalogue (products.csv).
  const auto products = Rows("products.csv");
  EXPECT_EQ(products[0], (std::vector<std::string>{"sku", "name", "category", "price", "currency",
                                                   "launched_at", "url", "image_url"}));
  ASSERT_EQ(products.size(), 201U);
  std::set<std::string> catalogue, categories;
  for (std::size_t i = 1; i < products.size(); ++i) {
    catalogue.insert(products[i][0]);
    categories.insert(products[i][2]);
    EXPECT_EQ(products[i][4], "TRY");
    EXPECT_TRUE(ParseTimestamp(products[i][5]).ok()) << products[i][5];
  }
  EXPECT_EQ(categories.size(), 5U);
  for (const std::string& sku : skus_in_orders) EXPECT_TRUE(catalogue.count(sku)) << sku;
  EXPECT_EQ(statuses.size(), 3U);
  const double n = static_cast<double>(rows.size() - 1);
  EXPECT_NEAR(statuses["completed"] / n, 0.95, 0.015);
  EXPECT_NEAR(statuses["refunded"] / n, 0.03, 0.01);
  EXPECT_NEAR(statuses["cancelled"] / n, 0.02, 0.01);
}

TEST_F(SimulatorRowsTest, EventsAreWellFormed) {
  const auto customers = Rows("customers.csv");
  const auto ccol = Columns(customers, "customers.csv");
  const auto rows = Rows("events.csv");
  const auto col = Columns(rows, "events.csv");
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"id", "customer_id", "type", "time", "channel", "reason",
                                      "score", "value", "currency", "ref", "text"}));
  EXPECT_EQ(static_cast<std::int64_t>(rows.size()) - 1, stats_->events);
  WINBACK_ASSERT_OK_AND_ASSIGN(Currency try_currency, Currency::FromCode("TRY"));
  const std::set<std::string> exit_reasons = {"price",   "service", "selection",
                                              "feature", "moved",   "other"};
  const std::set<std::string> channels = {"email", "sms", "whatsapp", "web", "phone", "chat"};
  std::map<std::string, int> types;
  std::int64_t last_customer = 0;
  std::int64_t k = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string row = Join(r);
    const std::int64_t c = CustomerNumber(r[col.at("customer_id")]);
    ASSERT_GE(c, last_customer) << "events are grouped by customer: " << row;
    k = c == last_customer ? k + 1 : 1;
    last_customer = c;
    EXPECT_EQ(r[col.at("id")], "e" + std::to_string(c) + "-" + std::to_string(k));
    const auto& customer = customers[static_cast<std::size_t>(c)];
    ExpectTimestampInWindow(r[col.at("time")], *options_, row);
    const std::string& type = r[col.at("type")];
    ++types[type];
    const std::string& channel = r[col.at("channel")];
    if (!channel.empty()) {
      EXPECT_TRUE(channels.count(channel)) << row;
    }
    const std::string& reason = r[col.at("reason")];
    const std::string& ref = r[col.at("ref")];
    if (!r[col.at("value")].empty()) {
      EXPECT_THAT(ParseMinorUnits(r[col.at("value")], try_currency), IsOk()) << row;
      EXPECT_EQ(r[col.at("currency")], "TRY") << row;
    }
    if (type == "ticket_resolved") {
      EXPECT_TRUE(reason == "satisfied" || reason == "unsatisfied") << row;
      EXPECT_FALSE(ref.empty()) << row;
    } else if (type == "review") {
      const int score = std::stoi(r[col.at("score")]);
      EXPECT_GE(score, 1);
      EXPECT_LE(score, 5);
    } else if (type == "exit_survey" || type == "subscription_cancelled") {
      EXPECT_TRUE(exit_reasons.count(reason)) << row;
    } else if (type == "feature_requested") {
      EXPECT_FALSE(ref.empty()) << row;
    } else if (type == "unsubscribe" || type == "bounce") {
      EXPECT_FALSE(channel.empty()) << row;
      EXPECT_EQ(customer[ccol.at("consent_" + channel)], "yes") << row;
    } else if (type == "cart_abandoned" || type == "payment_default") {
      EXPECT_FALSE(r[col.at("value")].empty()) << row;
    } else if (type == "email_open" || type == "email_click") {
      EXPECT_EQ(customer[ccol.at("consent_email")], "yes") << "only to consented: " << row;
      EXPECT_EQ(ref.rfind("nl-", 0), 0U) << row;
    } else if (type == "referral") {
      const std::int64_t j = CustomerNumber(ref);
      ASSERT_GT(j, c) << row;
      ASSERT_LE(j, options_->customers);
      EXPECT_EQ(customers[static_cast<std::size_t>(j)][ccol.at("referred_by")],
                "c" + std::to_string(c))
          << "the referred customer names the referrer: " << row;
    } else {
      EXPECT_TRUE(type == "visit" || type == "chat" || type == "ticket_opened" ||
                  type == "complaint")
          << row;
    }
  }
  for (const char* t : {"visit", "email_open", "email_click", "chat", "ticket_opened",
                        "ticket_resolved", "complaint", "review", "referral", "cart_abandoned",
                        "exit_survey", "subscription_cancelled", "unsubscribe"}) {
    EXPECT_GT(types[t], 0) << t;
  }
  // Every referred_by has its referral event.
  int referred = 0;
  for (std::size_t i = 1; i < customers.size(); ++i) {
    if (!customers[i][ccol.at("referred_by")].empty()) ++referred;
  }
  EXPECT_EQ(types["referral"], referred);
}

TEST_F(SimulatorRowsTest, TruthMatchesFiles) {
  const auto truth = Rows("truth.csv");
  const auto col = Columns(truth, "truth.csv");
  EXPECT_EQ(truth[0], (std::vector<std::string>{"id", "buyer", "acquired_at", "lambda_per_day",
                                                "p_dropout", "spend_mean", "alive_at_end",
                                                "died_at", "repeat_purchases"}));
  ASSERT_EQ(static_cast<std::int64_t>(truth.size()) - 1, options_->customers);
  const auto orders = Rows("orders.csv");
  const auto ocol = Columns(orders, "orders.csv");
  std::map<std::int64_t, std::vector<std::string>> completed;  // customer -> times
  for (std::size_t i = 1; i < orders.size(); ++i) {
    if (orders[i][ocol.at("status")] != "completed") continue;
    completed[CustomerNumber(orders[i][ocol.at("customer_id")])].push_back(
        orders[i][ocol.at("time")]);
  }
  std::int64_t buyers = 0;
  std::int64_t alive = 0;
  for (std::size_t i = 1; i < truth.size(); ++i) {
    const auto& r = truth[i];
    const std::string row = Join(r);
    EXPECT_EQ(r[col.at("id")], "c" + std::to_string(i));
    const auto it = completed.find(static_cast<std::int64_t>(i));
    if (r[col.at("buyer")] == "0") {
      EXPECT_TRUE(it == completed.end()) << "never-buyers have no completed orders: " << row;
      continue;
    }
    ++buyers;
    ASSERT_TRUE(it != completed.end()) << row;
    EXPECT_EQ(r[col.at("acquired_at")], it->second.front()) << row;
    EXPECT_EQ(std::stoll(r[col.at("repeat_purchases")]),
              static_cast<std::int64_t>(it->second.size()) - 1)
        << row;
    EXPECT_GE(std::stod(r[col.at("lambda_per_day")]), 0.0);
    const double p = std::stod(r[col.at("p_dropout")]);
    EXPECT_TRUE(p > 0 && p < 1) << row;
    EXPECT_GT(std::stod(r[col.at("spend_mean")]), 0.0);
    if (r[col.at("alive_at_end")] == "1") {
      ++alive;
      EXPECT_EQ(r[col.at("died_at")], "") << row;
    } else {
      EXPECT_EQ(r[col.at("died_at")], it->second.back()) << "dropout at the last order: " << row;
      EXPECT_GE(it->second.size(), 2U) << "no dropout after the first order: " << row;
    }
  }
  EXPECT_EQ(buyers, stats_->buyers);
  EXPECT_EQ(alive, stats_->alive_at_end);
  EXPECT_NEAR(static_cast<double>(buyers) / static_cast<double>(options_->customers),
              1.0 - options_->never_buy_share, 0.02);

  const nlohmann::json j =
      nlohmann::json::parse(ReadFileForTest(*dir_ + "/truth.json"), nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["counts"]["customers"], options_->customers);
  EXPECT_EQ(j["counts"]["orders"], stats_->orders);
  EXPECT_EQ(j["counts"]["events"], stats_->events);
  EXPECT_EQ(j["counts"]["buyers"], stats_->buyers);
  EXPECT_EQ(j["counts"]["alive_at_end"], stats_->alive_at_end);
  EXPECT_EQ(j["options"]["currency"], "TRY");
  EXPECT_EQ(j["model"]["bgnbd"]["alpha_unit"], "days");
  EXPECT_TRUE(j["effects"].is_object());
  EXPECT_GT(j["effects"].size(), 40U);
  EXPECT_EQ(j["model"]["time_of_day_hour_weights"].size(), 24U);
}

TEST(SimulatorTest, ZeroDecimalCurrencyAndOneDayWindow) {
  SimOptions o = Small(300);
  o.currency = "JPY";
  o.gg_gamma = 15.44 / 150.0;             // yen-sized amounts
  o.start = *Date::FromYmd(2024, 3, 31);  // a DST change in Europe
  o.end = o.start;
  const std::string dir = TestDir("jpy");
  WINBACK_ASSERT_OK_AND_ASSIGN(SimStats stats, Simulate(o, dir));
  EXPECT_EQ(stats.customers, 300);
  const auto rows = ParseCsvForTest(ReadFileForTest(dir + "/orders.csv"));
  WINBACK_ASSERT_OK_AND_ASSIGN(Currency jpy, Currency::FromCode("JPY"));
  ASSERT_GT(rows.size(), 1U);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][3].find('.'), std::string::npos) << rows[i][3];
    EXPECT_THAT(ParseMinorUnits(rows[i][3], jpy), IsOk());
    ExpectTimestampInWindow(rows[i][2], o, Join(rows[i]));
  }
}

}  // namespace
}  // namespace winback::sim
