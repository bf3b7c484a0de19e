// The writer in its logged mode: what is answered when logged, what waits for the store, what a
// restart applies. Real SQLite files for the store and the log.
#include "server/ingest_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "store/open_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::server {
namespace {

using ::testing::HasSubstr;

class IngestWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(store::OpenStore(path_), IsOk());  // Creates the schema.
    IngestWriter sync(OpenWriterStore(), IngestWriter::Options{});
    ASSERT_THAT(
        sync.Write(Parse(ingest::FileKind::kCustomers, R"([{"id":"a"},{"id":"b"}])")).status,
        IsOk());
  }
  void TearDown() override { writer_.reset(); }

  std::unique_ptr<store::Store> OpenWriterStore() {
    return *store::OpenStore(
        path_,
        {.mode = store::OpenMode::kMustExist, .upgrade_notice = {}, .sync = store::Sync::kFull});
  }
  std::unique_ptr<store::Store> OpenReader() {
    return *store::OpenStore(path_, {.mode = store::OpenMode::kMustExist, .upgrade_notice = {}});
  }

  // A logged writer on the test's store; `hook` runs after each apply.
  Status StartLogged(IngestWriter::Options options, IngestWriter::AfterCommit hook = {}) {
    WINBACK_ASSIGN_OR_RETURN(IngestLog log, IngestLog::Open(log_path_));
    WINBACK_ASSIGN_OR_RETURN(writer_, IngestWriter::WithLog(OpenWriterStore(), OpenReader(),
                                                            std::move(log), options, hook));
    return Status::Ok();
  }

  static RecordBatch Parse(ingest::FileKind kind, std::string_view body) {
    ParsedBatch p = ParseRecordBatch(kind, body);
    EXPECT_TRUE(p.errors.empty()) << p.errors.front().ToString();
    return std::move(p.batch);
  }
  WriteOutcome WriteJson(ingest::FileKind kind, std::string body) {
    return writer_->Write(Parse(kind, body), body);
  }
  static std::string Events(std::initializer_list<std::pair<const char*, const char*>> events) {
    std::string out = "[";
    for (const auto& [id, customer] : events) {
      if (out.size() > 1) out += ",";
      out += std::string(R"({"id":")") + id + R"(","customer_id":")" + customer +
             R"(","type":"visit","time":"2024-06-01T10:00:00Z"})";
    }
    return out + "]";
  }
  bool Stored(std::string_view event_id) {
    return OpenReader()->HasEvents({&event_id, 1}).value().at(0);
  }
  std::int64_t LogEntries() {
    Result<IngestLog> log = IngestLog::Open(log_path_);
    EXPECT_THAT(log, IsOk());
    std::int64_t n = 0;
    EXPECT_THAT(log->ForEach([&](const IngestLog::Entry&) {
      ++n;
      return Status::Ok();
    }),
                IsOk());
    return n;
  }

  testutil::ScratchDir dir_{"winback_ingest"};
  std::string path_ = dir_.File("winback.db");
  std::string log_path_ = path_ + "-ingest";
  std::unique_ptr<IngestWriter> writer_;
};

TEST_F(IngestWriterTest, NewEventsAreAnsweredOnceLoggedAndAppliedAfter) {
  ASSERT_THAT(StartLogged({.start_paused = true}), IsOk());
  WriteOutcome out = WriteJson(ingest::FileKind::kEvents, Events({{"e1", "a"}, {"e2", "b"}}));
  ASSERT_THAT(out.status, IsOk());
  EXPECT_EQ(out.written, 2);
  // Answered while the applier is paused: in the log, not yet in the store.
  EXPECT_FALSE(Stored("e1"));
  EXPECT_EQ(writer_->queued(), 1u);
  EXPECT_EQ(writer_->stats().early_answers, 1);
  EXPECT_EQ(writer_->stats().pending_records, 2);
  EXPECT_FALSE(writer_->WaitApplied(std::chrono::milliseconds(1)));
  writer_->Resume();
  EXPECT_TRUE(writer_->WaitApplied());
  EXPECT_TRUE(Stored("e1"));
  EXPECT_TRUE(Stored("e2"));
  EXPECT_EQ(writer_->stats().pending_records, 0);
  // A replay of stored ids waits for the store, which writes nothing: written is exact.
  WriteOutcome again = WriteJson(ingest::FileKind::kEvents, Events({{"e1", "a"}, {"e2", "b"}}));
  ASSERT_THAT(again.status, IsOk());
  EXPECT_EQ(again.written, 0);
  EXPECT_EQ(writer_->stats().early_answers, 1);
}

TEST_F(IngestWriterTest, AReplayOfALoggedIdWaitsForTheStore) {
  ASSERT_THAT(StartLogged({.start_paused = true}), IsOk());
  ASSERT_THAT(WriteJson(ingest::FileKind::kEvents, Events({{"e1", "a"}})).status, IsOk());
  WriteOutcome replay;
  std::thread t([&] { replay = WriteJson(ingest::FileKind::kEvents, Events({{"e1", "a"}})); });
  while (writer_->queued() < 2) std::this_thread::yield();  // Logged, not answered.
  EXPECT_EQ(writer_->stats().early_answers, 1);
  writer_->Resume();
  t.join();
  ASSERT_THAT(replay.status, IsOk());
  EXPECT_EQ(replay.written, 0);  // The first was applied before it, in log order.
  EXPECT_TRUE(Stored("e1"));
}

TEST_F(IngestWriterTest, UnknownCustomersAreRefusedAndNotLogged) {
  ASSERT_THAT(StartLogged({}), IsOk());
  WriteOutcome out = WriteJson(ingest::FileKind::kEvents, Events({{"e1", "a"}, {"e2", "ghost"}}));
  EXPECT_THAT(out.status, StatusIs(StatusCode::kInvalidArgument));
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].index, 1u);
  EXPECT_EQ(out.errors[0].field, "customer_id");
  EXPECT_THAT(out.errors[0].message, HasSubstr("ghost"));
  EXPECT_EQ(writer_->stats().log_commits, 0);
  writer_.reset();
  EXPECT_FALSE(Stored("e1"));
  EXPECT_EQ(LogEntries(), 0);
}

TEST_F(IngestWriterTest, ACustomerStillInTheLogIsKnown) {
  ASSERT_THAT(StartLogged({.start_paused = true}), IsOk());
  WriteOutcome customer;
  std::thread t([&] { customer = WriteJson(ingest::FileKind::kCustomers, R"([{"id":"new"}])"); });
  while (writer_->queued() < 1) std::this_thread::yield();
  // The customer is logged, not applied (its request still waits): events for it are accepted.
  WriteOutcome events = WriteJson(ingest::FileKind::kEvents, Events({{"n1", "new"}}));
  ASSERT_THAT(events.status, IsOk());
  EXPECT_EQ(events.written, 1);
  writer_->Resume();
  t.join();
  ASSERT_THAT(customer.status, IsOk());
  ASSERT_TRUE(writer_->WaitApplied());
  std::unique_ptr<store::Store> reader = OpenReader();
  const std::string_view id = "new";
  Result<std::vector<std::optional<CustomerKey>>> key = reader->FindCustomerKeys({&id, 1});
  ASSERT_THAT(key, IsOk());
  ASSERT_TRUE(key->at(0).has_value());
  Result<std::vector<store::EventRecord>> events_of = reader->LoadEvents(*key->at(0));
  ASSERT_THAT(events_of, IsOk());
  ASSERT_EQ(events_of->size(), 1u);
  EXPECT_EQ((*events_of)[0].id, "n1");
}

TEST_F(IngestWriterTest, OrdersAreAnsweredAfterTheStoreAndTheHook) {
  int hooked_orders = 0;
  ASSERT_THAT(StartLogged({},
                          [&](store::Store&, const CommittedRecords& r) {
                            hooked_orders += static_cast<int>(r.orders.size());
                            return Status::Ok();
                          }),
              IsOk());
  WriteOutcome out =
      WriteJson(ingest::FileKind::kOrders,
                R"({"id":"o1","customer_id":"a","time":"2024-06-01T10:00:00Z","amount":"10.00",)"
                R"("currency":"TRY"})");
  ASSERT_THAT(out.status, IsOk());
  EXPECT_EQ(out.written, 1);
  EXPECT_EQ(hooked_orders, 1);  // Before the answer.
  EXPECT_EQ(writer_->stats().early_answers, 0);
  Result<std::vector<store::OrderRecord>> orders = OpenReader()->LoadOrders(CustomerKey(1));
  ASSERT_THAT(orders, IsOk());
  EXPECT_EQ(orders->size(), 1u);
}

TEST_F(IngestWriterTest, StopAppliesWhatIsLoggedAndEmptiesTheLog) {
  ASSERT_THAT(StartLogged({.start_paused = true}), IsOk());
  ASSERT_THAT(WriteJson(ingest::FileKind::kEvents, Events({{"e1", "a"}})).status, IsOk());
  ASSERT_THAT(WriteJson(ingest::FileKind::kEvents, Events({{"e2", "b"}})).status, IsOk());
  EXPECT_FALSE(Stored("e1"));
  writer_->Stop();
  EXPECT_TRUE(Stored("e1"));
  EXPECT_TRUE(Stored("e2"));
  EXPECT_EQ(writer_->stats().groups, 1);  // Both in one store transaction.
  writer_.reset();
  EXPECT_EQ(LogEntries(), 0);
}

TEST_F(IngestWriterTest, AStartAppliesWhatAnEarlierRunLogged) {
  // What a killed server leaves: entries in the log, none in the store.
  {
    Result<IngestLog> log = IngestLog::Open(log_path_);
    ASSERT_THAT(log, IsOk());
    const std::string customers = R"({"id":"late"})";
    const std::string events = Events({{"r1", "a"}, {"r2", "late"}});
    const std::string garbage = "not json";
    std::vector<IngestLog::Entry> entries = {
        {0, static_cast<int>(ingest::FileKind::kCustomers), customers},
        {0, static_cast<int>(ingest::FileKind::kEvents), garbage},
        {0, static_cast<int>(ingest::FileKind::kEvents), events}};
    ASSERT_THAT(log->Append(entries, 0), IsOk());
    EXPECT_EQ(entries[0].seq + 2, entries[2].seq);
  }
  ASSERT_THAT(StartLogged({}), IsOk());
  EXPECT_EQ(writer_->stats().recovered, 2);  // The garbage entry is skipped, with a message.
  EXPECT_EQ(writer_->stats().pending_records, 0);
  EXPECT_TRUE(writer_->WaitApplied(std::chrono::milliseconds(1)));
  EXPECT_TRUE(Stored("r1"));
  EXPECT_TRUE(Stored("r2"));
  // Seqs go on after the recovered ones (AUTOINCREMENT), and the log is empty again.
  ASSERT_THAT(WriteJson(ingest::FileKind::kEvents, Events({{"r3", "a"}})).status, IsOk());
  writer_.reset();
  EXPECT_EQ(LogEntries(), 0);
  EXPECT_TRUE(Stored("r3"));
}

TEST_F(IngestWriterTest, TheLogHasOneWriter) {
  Result<IngestLog> first = IngestLog::Open(log_path_);
  ASSERT_THAT(first, IsOk());
  Result<IngestLog> second = IngestLog::Open(log_path_);
  EXPECT_THAT(second.status(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(second.status().message(), HasSubstr("another `winback serve`"));
}

TEST_F(IngestWriterTest, BackPressureWaitsForTheApplierAndLosesNothing) {
  ASSERT_THAT(StartLogged({.max_pending_records = 2, .start_paused = true}), IsOk());
  ASSERT_THAT(WriteJson(ingest::FileKind::kEvents, Events({{"p1", "a"}, {"p2", "a"}})).status,
              IsOk());
  WriteOutcome second;
  std::thread t([&] { second = WriteJson(ingest::FileKind::kEvents, Events({{"p3", "b"}})); });
  writer_->Resume();
  t.join();
  ASSERT_THAT(second.status, IsOk());
  EXPECT_EQ(second.written, 1);
  ASSERT_TRUE(writer_->WaitApplied());
  for (const char* id : {"p1", "p2", "p3"}) EXPECT_TRUE(Stored(id)) << id;
}

}  // namespace
}  // namespace winback::server
