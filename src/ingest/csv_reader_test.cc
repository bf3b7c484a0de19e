#include "ingest/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testutil/status_matchers.h"

namespace winback::ingest {
namespace {

using ::testing::ElementsAre;

std::vector<std::vector<std::string>> ReadAll(std::string_view data) {
  CsvReader r(data);
  std::vector<std::vector<std::string>> out;
  while (true) {
    Result<bool> more = r.Next();
    EXPECT_THAT(more, IsOk());
    if (!more.ok() || !*more) break;
    out.emplace_back(r.fields().begin(), r.fields().end());
  }
  return out;
}

TEST(CsvReaderTest, PlainRecords) {
  auto rows = ReadAll("a,b,c\n1,2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1], ElementsAre("1", "2", "3"));
}

TEST(CsvReaderTest, QuotedCommasNewlinesAndQuotes) {
  auto rows = ReadAll("id,text\n1,\"a, b\"\n2,\"line1\nline2\"\n3,\"say \"\"hi\"\"\"\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_THAT(rows[1], ElementsAre("1", "a, b"));
  EXPECT_THAT(rows[2], ElementsAre("2", "line1\nline2"));
  EXPECT_THAT(rows[3], ElementsAre("3", "say \"hi\""));
}

TEST(CsvReaderTest, CrlfBomEmptyFieldsAndNoFinalNewline) {
  auto rows = ReadAll("\xEF\xBB\xBFid,x\r\n1,\r\n,2\r\n\r\n3,\"\"");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_THAT(rows[0], ElementsAre("id", "x"));
  EXPECT_THAT(rows[1], ElementsAre("1", ""));
  EXPECT_THAT(rows[2], ElementsAre("", "2"));
  EXPECT_THAT(rows[3], ElementsAre("3", ""));
}

TEST(CsvReaderTest, TrailingCommaGivesEmptyLastField) {
  auto rows = ReadAll("a,b,\n1,2,");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0], ElementsAre("a", "b", ""));
  EXPECT_THAT(rows[1], ElementsAre("1", "2", ""));
}

TEST(CsvReaderTest, LineNumbersCountEmbeddedNewlines) {
  CsvReader r("h\n\"a\nb\"\nc\n");
  ASSERT_TRUE(*r.Next());
  EXPECT_EQ(r.line(), 1);
  ASSERT_TRUE(*r.Next());
  EXPECT_EQ(r.line(), 2);
  EXPECT_EQ(r.raw(), "\"a\nb\"");
  ASSERT_TRUE(*r.Next());
  EXPECT_EQ(r.line(), 4);
  EXPECT_FALSE(*r.Next());
}

TEST(CsvReaderTest, MultiByteTextSurvives) {
  auto rows = ReadAll("name\n\"İğdır, Şişli\"\nسلام\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], "İğdır, Şişli");
  EXPECT_EQ(rows[2][0], "سلام");
}

TEST(CsvReaderTest, UnterminatedQuoteIsFatal) {
  CsvReader r("a,b\n1,\"open\n2,3\n");
  ASSERT_TRUE(*r.Next());
  Result<bool> bad = r.Next();
  EXPECT_THAT(bad, StatusIsWith(StatusCode::kInvalidArgument, "unterminated quoted field"));
  EXPECT_EQ(r.line(), 2);
  EXPECT_EQ(r.error_field(), 1u);
  EXPECT_FALSE(*r.Next());
}

TEST(CsvReaderTest, StrayQuotesSkipTheRecordOnly) {
  CsvReader r("a,b\n1,x\"y\n2,\"z\"q\n3,ok\n");
  ASSERT_TRUE(*r.Next());
  EXPECT_THAT(r.Next(),
              StatusIsWith(StatusCode::kInvalidArgument, "quote inside an unquoted field"));
  EXPECT_EQ(r.line(), 2);
  EXPECT_THAT(r.Next(),
              StatusIsWith(StatusCode::kInvalidArgument, "characters after a closing quote"));
  EXPECT_EQ(r.line(), 3);
  ASSERT_TRUE(*r.Next());
  EXPECT_EQ(r.line(), 4);
  EXPECT_THAT(r.fields(), ElementsAre("3", "ok"));
}

TEST(CsvReaderTest, EmptyInput) {
  CsvReader r("");
  EXPECT_FALSE(*r.Next());
  CsvReader bom_only("\xEF\xBB\xBF");
  EXPECT_FALSE(*bom_only.Next());
}

}  // namespace
}  // namespace winback::ingest
