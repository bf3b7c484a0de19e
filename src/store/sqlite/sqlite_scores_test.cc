#include "store/sqlite/sqlite_scores.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "store/aggregate_builder.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/score_chunk.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::store {
namespace {

using ::testing::HasSubstr;

Instant T(const char* s) { return ParseTimestamp(s)->instant; }

// A score with every field set; `key` varies the values.
CustomerScore FullScore(std::int64_t key) {
  CustomerScore s;
  s.key = CustomerKey(key);
  s.recency_days = key % 7 == 0 ? std::optional<std::int64_t>() : key % 400;
  s.frequency = key % 13;
  s.monetary_total_minor = key * 1234567;
  s.monetary_mean_minor = -key;  // any int64 round-trips, negative included
  s.currency = key % 3 == 0 ? "TRY" : "USD";
  s.tenure_days = s.recency_days ? std::optional<std::int64_t>(key % 900) : std::nullopt;
  s.r = static_cast<int>(key % 6);
  s.f = static_cast<int>((key / 6) % 6);
  s.m = static_cast<int>((key / 36) % 6);
  s.segment = "segment_" + std::to_string(key % 11);
  s.group = key % 2 == 0 ? "lost" : "loyal";
  s.lifecycle = "active";
  s.inactive = key % 5 == 0;
  s.inactive_rules = key % 4 == 0 ? "" : "no_order_180d,no_email_90d";
  s.readiness = 1.0 / static_cast<double>(key);
  s.readiness_reasons = "never_complained";
  s.let_go = key % 17 == 0 ? "payment_default" : "";
  if (key % 2 == 0) s.p_alive = 0.5 / static_cast<double>(key);
  if (key % 3 != 0) s.expected_purchases_90d = std::sqrt(static_cast<double>(key));
  if (key % 5 != 0) s.expected_value_minor = 1e9 / static_cast<double>(key);
  if (key % 7 != 0) s.clv_12m_minor = std::numeric_limits<double>::max();
  if (key % 11 != 0) s.churn_risk = std::nextafter(0.0, 1.0);
  return s;
}

void ExpectSameScore(const CustomerScore& a, const CustomerScore& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.recency_days, b.recency_days);
  EXPECT_EQ(a.frequency, b.frequency);
  EXPECT_EQ(a.monetary_total_minor, b.monetary_total_minor);
  EXPECT_EQ(a.monetary_mean_minor, b.monetary_mean_minor);
  EXPECT_EQ(a.currency, b.currency);
  EXPECT_EQ(a.tenure_days, b.tenure_days);
  EXPECT_EQ(a.r, b.r);
  EXPECT_EQ(a.f, b.f);
  EXPECT_EQ(a.m, b.m);
  EXPECT_EQ(a.segment, b.segment);
  EXPECT_EQ(a.group, b.group);
  EXPECT_EQ(a.lifecycle, b.lifecycle);
  EXPECT_EQ(a.inactive, b.inactive);
  EXPECT_EQ(a.inactive_rules, b.inactive_rules);
  EXPECT_EQ(a.readiness, b.readiness);
  EXPECT_EQ(a.readiness_reasons, b.readiness_reasons);
  EXPECT_EQ(a.let_go, b.let_go);
  EXPECT_EQ(a.p_alive, b.p_alive);
  EXPECT_EQ(a.expected_purchases_90d, b.expected_purchases_90d);
  EXPECT_EQ(a.expected_value_minor, b.expected_value_minor);
  EXPECT_EQ(a.clv_12m_minor, b.clv_12m_minor);
  EXPECT_EQ(a.churn_risk, b.churn_risk);
}

class ScoreStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(":memory:");
    ASSERT_THAT(s, IsOk());
    store_ = std::move(s).value();
  }

  std::vector<CustomerScore> ReadAll(Date as_of) {
    std::vector<CustomerScore> out;
    EXPECT_THAT(store_->ForEachScore(as_of,
                                     [&](const CustomerScore& s) {
                                       out.push_back(s);
                                       return Status::Ok();
                                     }),
                IsOk());
    return out;
  }

  std::unique_ptr<Store> store_;
  const Date d1_ = *ParseDate("2024-06-30");
  const Date d2_ = *ParseDate("2024-07-31");
};

TEST_F(ScoreStoreTest, StreamedScoresRoundTripAcrossChunks) {
  // Keys with gaps, spread over several chunks of 1024.
  std::vector<CustomerScore> written;
  for (std::int64_t key = 1; key < 5000; key += (key % 10 == 0 ? 97 : 1)) {
    written.push_back(FullScore(key));
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<ScoreWriter> w, store_->BeginScores(d1_));
  for (const CustomerScore& s : written) ASSERT_THAT(w->Add(s), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::int64_t n, w->Commit());
  EXPECT_EQ(n, static_cast<std::int64_t>(written.size()));
  const std::vector<CustomerScore> read = ReadAll(d1_);
  ASSERT_EQ(read.size(), written.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    SCOPED_TRACE(written[i].key.value());
    ExpectSameScore(read[i], written[i]);
  }
  // Point lookups: first, last, one in the middle of a chunk, and keys without a score.
  for (std::size_t i : {std::size_t{0}, written.size() / 2, written.size() - 1}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerScore> one,
                                 store_->LoadScore(d1_, written[i].key));
    ASSERT_TRUE(one.has_value());
    ExpectSameScore(*one, written[i]);
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerScore> gap,
                               store_->LoadScore(d1_, CustomerKey(12)));
  EXPECT_FALSE(gap.has_value());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerScore> beyond,
                               store_->LoadScore(d1_, CustomerKey(1'000'000)));
  EXPECT_FALSE(beyond.has_value());
  EXPECT_THAT(store_->LoadScore(d2_, CustomerKey(1)), StatusIs(StatusCode::kNotFound));
}

TEST_F(ScoreStoreTest, ManyChunksPassTheInserterThreadInOrder) {
  // More chunks than the inserter queues (16): Add blocks and resumes; an abandoned run of as
  // many chunks stops the thread and rolls back.
  constexpr std::int64_t kKeys = std::int64_t{40} * 1024;
  ASSERT_THAT(store_->WriteScores(d1_, std::vector<CustomerScore>{FullScore(3)}), IsOk());
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<ScoreWriter> w, store_->BeginScores(d1_));
    for (std::int64_t key = 1; key <= kKeys; ++key) ASSERT_THAT(w->Add(FullScore(key)), IsOk());
  }
  ASSERT_EQ(ReadAll(d1_).size(), 1u);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<ScoreWriter> w, store_->BeginScores(d1_));
  for (std::int64_t key = 1; key <= kKeys; ++key) ASSERT_THAT(w->Add(FullScore(key)), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::int64_t n, w->Commit());
  EXPECT_EQ(n, kKeys);
  const std::vector<CustomerScore> read = ReadAll(d1_);
  ASSERT_EQ(read.size(), static_cast<std::size_t>(kKeys));
  for (std::int64_t key : {std::int64_t{1}, std::int64_t{1024}, std::int64_t{1025}, kKeys}) {
    SCOPED_TRACE(key);
    ExpectSameScore(read[static_cast<std::size_t>(key - 1)], FullScore(key));
  }
}

TEST_F(ScoreStoreTest, RunReplacesItsDateAtomicallyAndKeepsOthers) {
  ASSERT_THAT(store_->WriteScores(d1_, std::vector<CustomerScore>{FullScore(1), FullScore(2)}),
              IsOk());
  ASSERT_THAT(store_->WriteScores(d2_, std::vector<CustomerScore>{FullScore(3)}), IsOk());
  {
    // An abandoned run leaves the old scores of its date.
    WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<ScoreWriter> w, store_->BeginScores(d1_));
    ASSERT_THAT(w->Add(FullScore(9)), IsOk());
  }
  std::vector<CustomerScore> read = ReadAll(d1_);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[1].key, CustomerKey(2));
  // A committed run replaces them.
  ASSERT_THAT(store_->WriteScores(d1_, std::vector<CustomerScore>{FullScore(9)}), IsOk());
  read = ReadAll(d1_);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].key, CustomerKey(9));
  ASSERT_EQ(ReadAll(d2_).size(), 1u);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Date> dates, store_->ScoreDates());
  EXPECT_EQ(dates, (std::vector<Date>{d1_, d2_}));
  // An empty run is a run: the date exists with no scores.
  ASSERT_THAT(store_->WriteScores(d2_, std::vector<CustomerScore>{}), IsOk());
  EXPECT_TRUE(ReadAll(d2_).empty());
}

TEST_F(ScoreStoreTest, WriterRejectsBadScoresAndUseAfterCommit) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<ScoreWriter> w, store_->BeginScores(d1_));
  ASSERT_THAT(w->Add(FullScore(5)), IsOk());
  EXPECT_THAT(w->Add(FullScore(5)),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("keys must be positive and increasing")));
  EXPECT_THAT(w->Add(FullScore(4)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(w->Add(FullScore(0)), StatusIs(StatusCode::kInvalidArgument));
  CustomerScore bad = FullScore(6);
  bad.m = 6;
  EXPECT_THAT(w->Add(bad), StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("not in 0..5")));
  ASSERT_THAT(w->Add(FullScore(7)), IsOk());  // still usable
  WINBACK_ASSERT_OK_AND_ASSIGN(std::int64_t n, w->Commit());
  EXPECT_EQ(n, 2);
  EXPECT_THAT(w->Add(FullScore(8)), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(w->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(ReadAll(d1_).size(), 2u);
}

TEST_F(ScoreStoreTest, WriteScoresSortsByKey) {
  ASSERT_THAT(store_->WriteScores(d1_, std::vector<CustomerScore>{FullScore(3000), FullScore(2)}),
              IsOk());
  const std::vector<CustomerScore> read = ReadAll(d1_);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].key, CustomerKey(2));
  EXPECT_EQ(read[1].key, CustomerKey(3000));
  EXPECT_THAT(store_->WriteScores(d1_, std::vector<CustomerScore>{FullScore(2), FullScore(2)}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(ReadAll(d1_).size(), 2u);  // the failed run changed nothing
}

TEST(ScoreChunkTest, CorruptChunksAreInternalErrors) {
  sqlite::LabelDictionary labels;
  sqlite::ScoreChunkEncoder encoder;
  encoder.Reset(0);
  encoder.Add(FullScore(1), labels);
  encoder.Add(FullScore(2), labels);
  const std::string blob(encoder.Finish());
  CustomerScore s;
  {
    sqlite::ScoreChunkDecoder d(0, blob, labels);
    int n = 0;
    while (d.Next(s)) ++n;
    EXPECT_THAT(d.status(), IsOk());
    EXPECT_EQ(n, 2);
  }
  {
    sqlite::ScoreChunkDecoder d(0, std::string_view(blob).substr(0, blob.size() - 3), labels);
    while (d.Next(s)) {
    }
    EXPECT_THAT(d.status(), StatusIsWith(StatusCode::kInternal, HasSubstr("chunk 0 is corrupt")));
  }
  {
    const std::string longer = blob + "x";
    sqlite::ScoreChunkDecoder d(0, longer, labels);
    while (d.Next(s)) {
    }
    EXPECT_THAT(d.status(), StatusIsWith(StatusCode::kInternal, HasSubstr("trailing bytes")));
  }
  {
    const sqlite::LabelDictionary empty;
    sqlite::ScoreChunkDecoder d(0, blob, empty);
    EXPECT_FALSE(d.Next(s));
    EXPECT_THAT(d.status(), StatusIsWith(StatusCode::kInternal, HasSubstr("label code")));
  }
  {
    encoder.Reset(0);
    encoder.Add(FullScore(2000), labels);  // key 2000 is not in chunk 0
    sqlite::ScoreChunkDecoder d(0, encoder.Finish(), labels);
    EXPECT_FALSE(d.Next(s));
    EXPECT_THAT(d.status(), StatusIsWith(StatusCode::kInternal, HasSubstr("outside the chunk")));
  }
  EXPECT_THAT(sqlite::LabelDictionary::Decode("\x05"), StatusIs(StatusCode::kInternal));
}

TEST(LabelDictionaryTest, InternsManyLabelsAndRoundTrips) {
  sqlite::LabelDictionary d;
  EXPECT_EQ(d.Intern(""), 0u);
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(d.Intern("label" + std::to_string(i)), std::uint32_t(i + 1));
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(d.Intern("label" + std::to_string(i)), std::uint32_t(i + 1));
  WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::LabelDictionary back,
                               sqlite::LabelDictionary::Decode(d.Encode()));
  ASSERT_EQ(back.size(), 201u);
  EXPECT_EQ(back.Label(150), "label149");
  EXPECT_EQ(back.Intern("label199"), 200u);
}

TEST(KeyRangeTest, SplitCoversEveryKeyOnce) {
  for (std::int64_t limit : {1, 2, 3, 10, 1001}) {
    for (int parts : {1, 2, 3}) {
      const std::vector<KeyRange> ranges = KeyRange::Split(limit, parts);
      ASSERT_EQ(ranges.size(), static_cast<std::size_t>(parts));
      EXPECT_EQ(ranges.front().begin, 1);
      EXPECT_EQ(ranges.back().end, limit);
      std::int64_t smallest = limit;
      std::int64_t largest = 0;
      for (std::size_t i = 0; i < ranges.size(); ++i) {
        EXPECT_LE(ranges[i].begin, ranges[i].end) << "limit " << limit << " part " << i;
        if (i > 0) {
          EXPECT_EQ(ranges[i].begin, ranges[i - 1].end);
        }
        smallest = std::min(smallest, ranges[i].end - ranges[i].begin);
        largest = std::max(largest, ranges[i].end - ranges[i].begin);
      }
      // store.h: "ranges of nearly equal size".
      EXPECT_LE(largest - smallest, 1) << "limit " << limit << " parts " << parts;
      // Every key of [1, limit) in exactly one range; 0 and limit itself in none.
      for (std::int64_t key = 0; key <= limit; ++key) {
        const auto owners = std::count_if(ranges.begin(), ranges.end(), [&](const KeyRange& r) {
          return r.Contains(CustomerKey(key));
        });
        EXPECT_EQ(owners, (key >= 1 && key < limit) ? 1 : 0)
            << "limit " << limit << " parts " << parts << " key " << key;
      }
    }
  }
  EXPECT_TRUE(KeyRange{}.Contains(CustomerKey(1)));
  EXPECT_FALSE((KeyRange{2, 5}.Contains(CustomerKey(5))));
}

// Orders and events of three customers for the scoring reads.
class ScoringReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteStore(":memory:");
    ASSERT_THAT(s, IsOk());
    store_ = std::move(s).value();
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store_->BeginImport("test"));
    for (const char* id : {"c1", "c2", "c3"}) {
      CustomerRecord c;
      c.id = id;
      WINBACK_ASSERT_OK_AND_ASSIGN(CustomerKey k, session->UpsertCustomer(c));
      keys_.push_back(k);
    }
    auto order = [&](const char* id, CustomerKey k, const char* at, OrderStatus status) {
      OrderRecord o;
      o.id = id;
      o.placed_at = T(at);
      o.amount_minor = 100;
      o.currency = "USD";
      o.status = status;
      ASSERT_THAT(session->UpsertOrder(k, o), IsOk());
    };
    order("o1", keys_[0], "2024-01-01T10:00:00Z", OrderStatus::kCompleted);
    order("o2", keys_[0], "2024-03-01T10:00:00Z", OrderStatus::kRefunded);
    order("o3", keys_[0], "2024-02-01T10:00:00Z", OrderStatus::kCompleted);
    order("o4", keys_[2], "2024-05-01T10:00:00Z", OrderStatus::kCompleted);
    EventRecord e;
    e.id = "e1";
    e.type = EventType::kNote;
    e.at = T("2024-07-01T00:00:00Z");
    ASSERT_THAT(session->UpsertEvent(keys_[1], e), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  std::unique_ptr<Store> store_;
  std::vector<CustomerKey> keys_;
};

TEST_F(ScoringReadsTest, RangesAndCompletedOrderTimes) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::int64_t limit, store_->CustomerKeyLimit());
  EXPECT_EQ(limit, keys_.back().value() + 1);
  // Completed orders only, oldest first, customers without any skipped.
  std::vector<std::pair<CustomerKey, std::vector<Instant>>> seen;
  ASSERT_THAT(store_->ForEachCompletedOrderTimesInRange(
                  KeyRange{},
                  [&](CustomerKey k, std::span<const Instant> t) {
                    seen.emplace_back(k, std::vector<Instant>(t.begin(), t.end()));
                    return Status::Ok();
                  }),
              IsOk());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, keys_[0]);
  EXPECT_EQ(seen[0].second,
            (std::vector<Instant>{T("2024-01-01T10:00:00Z"), T("2024-02-01T10:00:00Z")}));
  EXPECT_EQ(seen[1].first, keys_[2]);
  // A range holds only its own customers.
  std::vector<CustomerKey> in_range;
  const KeyRange first_two{keys_[0].value(), keys_[2].value()};
  for (AggregateFields fields :
       {AggregateFields::kAll, AggregateFields::kScoring, AggregateFields::kKey}) {
    in_range.clear();
    ASSERT_THAT(store_->ForEachAggregatesInRange(
                    first_two, fields,
                    [&](const CustomerAggregates& a) {
                      in_range.push_back(a.key);
                      EXPECT_EQ(a.orders > 0, fields != AggregateFields::kKey && a.key == keys_[0]);
                      return Status::Ok();
                    }),
                IsOk());
    EXPECT_EQ(in_range, (std::vector<CustomerKey>{keys_[0], keys_[1]}));
  }
  int order_customers = 0, event_customers = 0;
  ASSERT_THAT(store_->ForEachCustomerOrdersInRange(first_two,
                                                   [&](CustomerKey, std::span<const OrderPoint> o) {
                                                     ++order_customers;
                                                     EXPECT_EQ(o.size(), 3u);
                                                     return Status::Ok();
                                                   }),
              IsOk());
  ASSERT_THAT(store_->ForEachCustomerEventsInRange(KeyRange{keys_[2].value(), limit},
                                                   [&](CustomerKey, std::span<const EventPoint>) {
                                                     ++event_customers;
                                                     return Status::Ok();
                                                   }),
              IsOk());
  EXPECT_EQ(order_customers, 1);
  EXPECT_EQ(event_customers, 0);
  // Lookups in a time window, one call per key, empty spans included.
  std::vector<std::size_t> counts;
  ASSERT_THAT(
      store_->CompletedOrderTimes(keys_, T("2024-01-15T00:00:00Z"), T("2024-06-01T00:00:00Z"),
                                  [&](CustomerKey, std::span<const Instant> t) {
                                    counts.push_back(t.size());
                                    return Status::Ok();
                                  }),
      IsOk());
  EXPECT_EQ(counts, (std::vector<std::size_t>{1, 0, 1}));
  const std::vector<CustomerKey> unsorted = {keys_[1], keys_[0]};
  EXPECT_THAT(store_->CompletedOrderTimes(
                  unsorted, Instant(), Instant(),
                  [](CustomerKey, std::span<const Instant>) { return Status::Ok(); }),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ScoringReadsTest, AggregatesRecordTheLastActivityOfAnyKind) {
  std::vector<std::optional<Instant>> last;
  ASSERT_THAT(store_->ForEachAggregates([&](const CustomerAggregates& a) {
    last.push_back(a.last_activity_at);
    return Status::Ok();
  }),
              IsOk());
  // A refunded order and a note count: they happened, even if no score reads them.
  EXPECT_EQ(last,
            (std::vector<std::optional<Instant>>{
                T("2024-03-01T10:00:00Z"), T("2024-07-01T00:00:00Z"), T("2024-05-01T10:00:00Z")}));
}

TEST(AggregateBuilderActivityTest, LatestOrderOrEventOfAnyKind) {
  AggregateBuilder b{CustomerKey(1)};
  EXPECT_FALSE(b.Finish().last_activity_at.has_value());
  AggregateBuilder c{CustomerKey(1)};
  c.AddOrder(T("2024-02-01T00:00:00Z"), 0, 100, "USD", OrderStatus::kCancelled);
  c.AddEvent(EventType::kFeatureShipped, T("2024-01-01T00:00:00Z"), "", "", std::nullopt);
  c.AddOrder(T("2024-01-15T00:00:00Z"), 0, 100, "USD", OrderStatus::kCompleted);
  EXPECT_EQ(c.Finish().last_activity_at, T("2024-02-01T00:00:00Z"));
}

class ScoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.File("w.db"); }
  testutil::ScratchDir dir_{"winback_scores_test"};
  std::string path_;
};

TEST_F(ScoreFileTest, UpgradesVersionThreeScoresAndAggregates) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
    ASSERT_THAT(sqlite::Migrate(db, 3), IsOk());
    // A v3 store: one customer with an order and a later event, aggregates without
    // last_activity_at, and two score runs in customer_scores.
    ASSERT_THAT(
        db.Exec("INSERT INTO customers (cid, id, batch) VALUES (1, 'c1', 1), (2, 'c2', 1);"
                "INSERT INTO orders (id, cid, placed_at, utc_offset, amount, currency, status, "
                "items_hash, batch) VALUES ('o1', 1, 1000000, 0, 500, 'USD', 0, 0, 1);"
                "INSERT INTO events (id, cid, type, at, utc_offset, batch) "
                "VALUES ('e1', 1, 8, 9000000, 0, 1);"
                "INSERT INTO customer_scores VALUES "
                "(19904, 1, 3, 1, 500, 500, 'USD', 3, 5, 1, 3, 'new', 'potentially_loyal', "
                "'new', 0, 'no_email_90d', 0.5, 'never_complained', '', 0.9, 0.25, NULL, NULL, "
                "0.125),"
                "(19904, 2, NULL, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL, 'prospect', 0, "
                "NULL, 0.25, NULL, 'payment_default', NULL, NULL, NULL, NULL, NULL),"
                "(19935, 1, 34, 1, 500, 500, 'USD', 34, 4, 1, 3, 'promising', "
                "'potentially_loyal', 'new', 0, '', 0.5, '', '', NULL, NULL, NULL, NULL, NULL);"),
        IsOk());
  }
  std::vector<std::pair<int, int>> notices;
  auto notice = [&notices](int from, int to) { notices.emplace_back(from, to); };
  WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_, OpenMode::kMustExist, notice));
  EXPECT_EQ(store->schema_version(), sqlite::kSchemaVersion);
  EXPECT_EQ(notices, (std::vector<std::pair<int, int>>{{3, sqlite::kSchemaVersion}}));
  // Opening it again, or creating a new database, upgrades nothing and says nothing.
  notices.clear();
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto again, OpenSqliteStore(path_, OpenMode::kMustExist, notice));
    WINBACK_ASSERT_OK_AND_ASSIGN(
        auto fresh, OpenSqliteStore(dir_.File("fresh.db"), OpenMode::kCreateIfMissing, notice));
  }
  EXPECT_TRUE(notices.empty());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<Date> dates, store->ScoreDates());
  ASSERT_EQ(dates.size(), 2u);
  EXPECT_EQ(dates[0].ToString(), "2024-06-30");
  std::vector<CustomerScore> run;
  ASSERT_THAT(store->ForEachScore(dates[0],
                                  [&](const CustomerScore& s) {
                                    run.push_back(s);
                                    return Status::Ok();
                                  }),
              IsOk());
  ASSERT_EQ(run.size(), 2u);
  EXPECT_EQ(run[0].recency_days, 3);
  EXPECT_EQ(run[0].segment, "new");
  EXPECT_EQ(run[0].inactive_rules, "no_email_90d");
  EXPECT_EQ(run[0].p_alive, 0.9);
  EXPECT_EQ(run[0].expected_purchases_90d, 0.25);
  EXPECT_FALSE(run[0].clv_12m_minor.has_value());
  EXPECT_EQ(run[0].churn_risk, 0.125);
  EXPECT_FALSE(run[1].recency_days.has_value());
  EXPECT_EQ(run[1].lifecycle, "prospect");
  EXPECT_EQ(run[1].let_go, "payment_default");
  EXPECT_EQ(run[1].readiness, 0.25);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerScore> later,
                               store->LoadScore(dates[1], CustomerKey(1)));
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->segment, "promising");
  // The migration backfilled the aggregates, last activity included.
  WINBACK_ASSERT_OK_AND_ASSIGN(CustomerProfile p, store->LoadCustomer("c1"));
  EXPECT_EQ(p.aggregates.orders, 1);
  EXPECT_EQ(p.aggregates.last_activity_at, Instant::FromUnixMicros(9000000));
  // ... and the packed scoring fields (v5), which the scoring scan reads.
  std::vector<CustomerAggregates> packed;
  ASSERT_THAT(store->ForEachAggregatesInRange(KeyRange{}, AggregateFields::kScoring,
                                              [&](const CustomerAggregates& a) {
                                                packed.push_back(a);
                                                return Status::Ok();
                                              }),
              IsOk());
  ASSERT_EQ(packed.size(), 2u);
  EXPECT_EQ(packed[0].orders, 1);
  EXPECT_EQ(packed[0].revenue_minor, 500);
  EXPECT_EQ(packed[0].currency, "USD");
  EXPECT_EQ(packed[0].first_order_at, Instant::FromUnixMicros(1000000));
  EXPECT_EQ(packed[0].last_activity_at, Instant::FromUnixMicros(9000000));
  EXPECT_EQ(packed[1].orders, 0);
  EXPECT_FALSE(packed[1].last_activity_at.has_value());
  store.reset();
  WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'customer_scores'"), 0);
}

TEST_F(ScoreFileTest, ScoreWriterHoldsTheWriteLockUntilCommit) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto first, OpenSqliteStore(path_));
  WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database raw, sqlite::Database::Open(path_));
  ASSERT_THAT(raw.Exec("PRAGMA busy_timeout = 0"), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(auto writer, first->BeginScores(*ParseDate("2024-06-30")));
  EXPECT_THAT(raw.Exec("BEGIN IMMEDIATE"), StatusIs(StatusCode::kUnavailable));
  ASSERT_THAT(writer->Commit(), IsOk());
  EXPECT_THAT(raw.Exec("BEGIN IMMEDIATE; ROLLBACK"), IsOk());
}

TEST_F(ScoreFileTest, ReadersOnTwoConnectionsSeeCommittedScoresOnly) {
  WINBACK_ASSERT_OK_AND_ASSIGN(auto writer_store, OpenSqliteStore(path_));
  WINBACK_ASSERT_OK_AND_ASSIGN(auto reader, OpenSqliteStore(path_));
  const Date d = *ParseDate("2024-06-30");
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<ScoreWriter> w, writer_store->BeginScores(d));
  ASSERT_THAT(w->Add(FullScore(1)), IsOk());
  EXPECT_THAT(reader->ForEachScore(d, [](const CustomerScore&) { return Status::Ok(); }),
              StatusIs(StatusCode::kNotFound));
  ASSERT_THAT(w->Commit(), IsOk());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<CustomerScore> s,
                               reader->LoadScore(d, CustomerKey(1)));
  EXPECT_TRUE(s.has_value());
}

}  // namespace
}  // namespace winback::store
