#include "server/record_batch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace winback::server {
namespace {

using ::testing::HasSubstr;
using ingest::FileKind;

TEST(RecordBatchTest, ReadsOneObject) {
  ParsedBatch p = ParseRecordBatch(FileKind::kCustomers, R"({"id":"c1","email":"a@b.example"})");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front().ToString();
  ASSERT_EQ(p.batch.customers.size(), 1u);
  EXPECT_EQ(p.batch.customers[0].id, "c1");
  EXPECT_EQ(p.batch.customers[0].email, "a@b.example");
}

TEST(RecordBatchTest, ReadsAnArrayAcrossLines) {
  ParsedBatch p = ParseRecordBatch(FileKind::kOrders, R"([
    {"id":"o1","customer_id":"c1","time":"2024-01-01T10:00:00Z","amount":"12.50","currency":"EUR"},
    {"id":"o2","customer_id":"c1","time":"2024-01-02T10:00:00Z","amount":7,
     "currency":"EUR","status":"refunded"}
  ])");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front().ToString();
  ASSERT_EQ(p.batch.orders.size(), 2u);
  EXPECT_EQ(p.batch.orders[0].amount_minor, 1250);
  EXPECT_EQ(p.batch.orders[1].amount_minor, 700);
}

TEST(RecordBatchTest, ListsEveryErrorWithRecordAndField) {
  ParsedBatch p = ParseRecordBatch(FileKind::kOrders, R"([
    {"id":"o1","customer_id":"c1","time":"2024-01-01T10:00:00Z","amount":"12.345","currency":"EUR"},
    {"id":"o2","customer_id":"c1","time":"2024-02-30T10:00:00Z","amount":"1","currency":"EUR"},
    {"id":"o3","customer_id":"c1","time":"2024-01-03T10:00:00Z","amount":"1","currency":"ABC"}
  ])");
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_EQ(p.errors[0].index, 0u);
  EXPECT_EQ(p.errors[0].field, "amount");
  EXPECT_EQ(p.errors[1].index, 1u);
  EXPECT_EQ(p.errors[1].field, "time");
  EXPECT_THAT(p.errors[1].message, HasSubstr("February 2024 has 29 days"));
  EXPECT_EQ(p.errors[2].index, 2u);
  EXPECT_EQ(p.errors[2].field, "currency");
  EXPECT_THAT(p.errors[2].ToString(), HasSubstr("record 2: currency: "));
}

TEST(RecordBatchTest, RefusesADuplicateIdInOneBody) {
  ParsedBatch p = ParseRecordBatch(
      FileKind::kEvents,
      R"([{"id":"e1","customer_id":"c1","type":"visit","time":"2024-01-01T00:00:00Z"},
          {"id":"e1","customer_id":"c2","type":"visit","time":"2024-01-01T00:00:00Z"}])");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].index, 1u);
  EXPECT_EQ(p.errors[0].field, "id");
  EXPECT_THAT(p.errors[0].message, HasSubstr("first in record 0"));
}

TEST(RecordBatchTest, RefusesBodiesThatAreNotRecords) {
  for (std::string_view body : {"", "  ", "not json", "[]", "42", "[1]", "{\"id\":", "\xff"}) {
    ParsedBatch p = ParseRecordBatch(FileKind::kCustomers, body);
    EXPECT_FALSE(p.errors.empty()) << "body: " << body;
  }
  ParsedBatch not_object = ParseRecordBatch(FileKind::kCustomers, R"([{"id":"c1"}, "c2"])");
  ASSERT_EQ(not_object.errors.size(), 1u);
  EXPECT_EQ(not_object.errors[0].index, 1u);
  EXPECT_EQ(not_object.errors[0].field, "record");
}

TEST(RecordBatchTest, RefusesAKeyGivenTwiceAndReportsUnknownKeys) {
  ParsedBatch twice = ParseRecordBatch(FileKind::kCustomers, R"({"id":"c1","id":"c2"})");
  EXPECT_FALSE(twice.errors.empty());
  ParsedBatch unknown = ParseRecordBatch(FileKind::kCustomers, R"({"id":"c1","shoe_size":44})");
  ASSERT_TRUE(unknown.errors.empty());
  EXPECT_THAT(unknown.batch.ignored_keys, ::testing::ElementsAre("shoe_size"));
}

}  // namespace
}  // namespace winback::server
