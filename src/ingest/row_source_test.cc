#include "ingest/row_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testutil/status_matchers.h"

namespace winback::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::size_t kId = 0;

TEST(RowSourceTest, CsvRowsErrorsAndEnd) {
  const std::string csv =
      "id,customer_id,time,amount,currency\no1,c1,2024-01-01,1,USD\no2,c1\n"
      "o3,c1,2024-01-01,1,USD\n\"o4";
  auto s = MakeRowSource(FileKind::kOrders, FileFormat::kCsv, csv);
  ASSERT_THAT(s->Open(), IsOk());
  ASSERT_EQ(s->Next(), RowRead::kRow);
  EXPECT_EQ(s->row().line, 2);
  EXPECT_EQ(s->row().values[kId], "o1");
  ASSERT_EQ(s->Next(), RowRead::kBadRow);
  EXPECT_EQ(s->error().line, 3);
  EXPECT_EQ(s->error().message, "2 fields, expected 5 as in the header");
  ASSERT_EQ(s->Next(), RowRead::kRow);
  EXPECT_EQ(s->row().values[kId], "o3");
  ASSERT_EQ(s->Next(), RowRead::kBadRowFinal);
  EXPECT_EQ(s->error().message, "unterminated quoted field");
  EXPECT_EQ(s->Next(), RowRead::kEnd);
}

TEST(RowSourceTest, HeaderErrorsNameLineOne) {
  auto s = MakeRowSource(FileKind::kOrders, FileFormat::kCsv, "id,customer_id\n");
  EXPECT_THAT(s->Open(), StatusIsWith(StatusCode::kInvalidArgument,
                                      "1: header: missing required column 'time'"));
  s = MakeRowSource(FileKind::kOrders, FileFormat::kCsv, "");
  EXPECT_THAT(s->Open(), StatusIsWith(StatusCode::kInvalidArgument,
                                      "1: header: the file is empty (no header row)"));
}

TEST(RowSourceTest, HeaderOfAnotherKindIsAnError) {
  const std::string orders =
      "id,customer_id,time,amount,currency,status\no1,c1,2024-01-01,1,USD,\n";
  auto s = MakeRowSource(FileKind::kCustomers, FileFormat::kCsv, orders);
  EXPECT_THAT(s->Open(),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "1: header: looks like an orders file "
                           "(id,customer_id,time,amount,currency,status), not customers"));
  s = MakeRowSource(FileKind::kEvents, FileFormat::kCsv, orders);
  EXPECT_THAT(s->Open(),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("looks like an orders file")));
  s = MakeRowSource(FileKind::kOrders, FileFormat::kCsv,
                    "id,email,first_name,last_name,country,time_zone,language\n");
  EXPECT_THAT(s->Open(), StatusIsWith(StatusCode::kInvalidArgument,
                                      HasSubstr("looks like a customers file (id,email,first_name,"
                                                "last_name,country,time_zone,...), not orders")));
  // JSONL: the keys of the first object.
  s = MakeRowSource(FileKind::kCustomers, FileFormat::kJsonl,
                    "\n"
                    R"({"id":"o1","customer_id":"c1","time":"2024-01-01","amount":"1"})"
                    "\n");
  EXPECT_THAT(s->Open(), StatusIsWith(StatusCode::kInvalidArgument,
                                      HasSubstr("2: row: the keys look like an orders file")));
  // A tie is not a mismatch: a customers file with only an id.
  s = MakeRowSource(FileKind::kCustomers, FileFormat::kCsv, "id\nc1\n");
  EXPECT_THAT(s->Open(), IsOk());
  s = MakeRowSource(FileKind::kEvents, FileFormat::kCsv, "id,customer_id,type,time\n");
  EXPECT_THAT(s->Open(), IsOk());
}

TEST(RowSourceTest, CsvStatesTheHeaderColumns) {
  auto s = MakeRowSource(FileKind::kOrders, FileFormat::kCsv,
                         "id,customer_id,time,amount,currency,items\no1,c1,2024-01-01,1,USD,\n");
  ASSERT_THAT(s->Open(), IsOk());
  ASSERT_EQ(s->Next(), RowRead::kRow);
  const RawRow& r = s->row();
  EXPECT_TRUE(r.stated[6]);  // items, empty.
  EXPECT_FALSE(r.has_value[6]);
  EXPECT_FALSE(r.stated[5]);  // status, not in the header.
}

// A JSONL source that owns its text (a source only views it).
class Jsonl {
 public:
  Jsonl(FileKind kind, std::string text)
      : text_(std::move(text)), source_(MakeRowSource(kind, FileFormat::kJsonl, text_)) {
    EXPECT_THAT(source_->Open(), IsOk());
  }
  RowSource* operator->() { return source_.get(); }

 private:
  std::string text_;
  std::unique_ptr<RowSource> source_;
};

TEST(RowSourceTest, JsonlNumericIdsKeepTheirText) {
  const std::string data = R"({"id":18446744073709551617,"email":"a@b.c"})"
                           "\n"
                           R"({"id":18446744073709551616})"
                           "\n"
                           R"({"id":-7})"
                           "\n"
                           R"({"id":1.5})"
                           "\n"
                           R"({"id":1e3})"
                           "\n";
  Jsonl s(FileKind::kCustomers, data);
  ASSERT_EQ(s->Next(), RowRead::kRow);
  EXPECT_EQ(s->row().values[kId], "18446744073709551617");
  ASSERT_EQ(s->Next(), RowRead::kRow);
  EXPECT_EQ(s->row().values[kId], "18446744073709551616");
  ASSERT_EQ(s->Next(), RowRead::kRow);
  EXPECT_EQ(s->row().values[kId], "-7");
  ASSERT_EQ(s->Next(), RowRead::kBadRow);
  EXPECT_EQ(s->error().field, "id");
  EXPECT_EQ(s->error().message, "1.5 is a number but not an integer; give ids as strings");
  ASSERT_EQ(s->Next(), RowRead::kBadRow);
  EXPECT_EQ(s->error().message, "1e3 is a number but not an integer; give ids as strings");
  EXPECT_EQ(s->Next(), RowRead::kEnd);
}

TEST(RowSourceTest, JsonlValuesOfTheWrongTypeAreErrors) {
  struct Case {
    const char* line;
    const char* field;
    const char* message;
  };
  const Case cases[] = {
      {R"({"id":true})", "id", "expected a string or an integer, got true"},
      {R"({"id":null})", "id", "null; expected a string"},
      {R"({"id":{"a":1}})", "id", "expected a string or an integer, got an object"},
      {R"({"id":["c1"]})", "id", "expected a string or an integer, got an array"},
      {R"({"id":"c1","first_name":false})", "first_name",
       "expected a string or a number, got false"},
      {R"({"id":"c1","city":[]})", "city", "expected a string or a number, got an array"},
      {R"({"id":"c1","referred_by":true})", "referred_by",
       "expected a string or an integer, got true"},
      {R"({"id":"c1","id":"c2"})", "id", "the key appears twice in the object"},
      {R"({"id":"c1","email":"a@b.c","email":"x@y.z"})", "email",
       "the key appears twice in the object"},
      {R"(["c1"])", "row", "expected a JSON object"},
      {R"({"id":"c1",})", "row", "not valid JSON (expected '\"' at byte 12)"},
  };
  for (const Case& c : cases) {
    Jsonl s(FileKind::kCustomers, std::string(c.line) + "\n");
    ASSERT_EQ(s->Next(), RowRead::kBadRow) << c.line;
    EXPECT_EQ(s->error().line, 1);
    EXPECT_EQ(s->error().field, c.field) << c.line;
    EXPECT_EQ(s->error().message, c.message) << c.line;
  }
  // Consent may be a boolean; optional columns may be null (stated, no value).
  Jsonl s(FileKind::kCustomers, R"({"id":"c1","consent_sms":true,"city":null})"
                                "\n");
  ASSERT_EQ(s->Next(), RowRead::kRow) << s->error().message;
  EXPECT_EQ(s->row().values[16], "true");
  EXPECT_TRUE(s->row().stated[11]);
  EXPECT_FALSE(s->row().has_value[11]);
  // Items and properties as JSON, given as they are.
  Jsonl props(FileKind::kEvents,
              R"({"id":"e1","customer_id":"c1","type":"visit","time":"2024-01-01",)"
              R"("properties":{"b":[1, 2]}})"
              "\n");
  ASSERT_EQ(props->Next(), RowRead::kRow);
  EXPECT_EQ(props->row().values[11], R"({"b":[1, 2]})");
  Jsonl number(FileKind::kEvents,
               R"({"id":"e1","customer_id":"c1","type":"visit","time":"2024-01-01",)"
               R"("properties":3})"
               "\n");
  ASSERT_EQ(number->Next(), RowRead::kBadRow);
  EXPECT_EQ(number->error().message, "expected an object, got a number");
}

TEST(RowSourceTest, JsonlUnknownKeysAreCollectedOnceEach) {
  Jsonl s(
      FileKind::kOrders,
      R"({"id":"o1","customer_id":"c1","time":"2024-01-01","amount":"1","currency":"USD","stauts":"refunded"})"
      "\n"
      R"({"id":"o2","customer_id":"c1","time":"2024-01-01","amount":"1","currency":"USD","stauts":"x","e_mail":"a"})"
      "\n");
  while (s->Next() != RowRead::kEnd) {
  }
  EXPECT_THAT(s->unknown_columns(), ElementsAre("stauts", "e_mail"));
  EXPECT_FALSE(s->unknown_columns_truncated());
  // Keys beyond the cap are not kept.
  std::string many;
  for (std::size_t i = 0; i < kMaxUnknownColumns + 5; ++i) {
    many += R"({"id":"c)" + std::to_string(i) + R"(","k)" + std::to_string(i) + "\":1}\n";
  }
  Jsonl capped(FileKind::kCustomers, many);
  while (capped->Next() != RowRead::kEnd) {
  }
  EXPECT_EQ(capped->unknown_columns().size(), kMaxUnknownColumns);
  EXPECT_TRUE(capped->unknown_columns_truncated());
}

}  // namespace
}  // namespace winback::ingest
