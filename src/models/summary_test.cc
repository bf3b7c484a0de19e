#include "models/summary.h"

#include <gtest/gtest.h>

#include "models/internal/parallel_summary.h"
#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

using ::testing::HasSubstr;

TEST(ValidateRfmTest, AcceptsValidAndRejectsEachBrokenRule) {
  EXPECT_THAT(ValidateRfm({2, 30.43, 38.86}), IsOk());
  EXPECT_THAT(ValidateRfm({0, 0, 38.86}), IsOk());
  EXPECT_THAT(ValidateRfm({2, 38.86, 38.86}), IsOk());
  EXPECT_THAT(ValidateRfm({-1, 0, 1}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateRfm({1.5, 1, 2}),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("not a non-negative integer")));
  EXPECT_THAT(ValidateRfm({1, 1, 0}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateRfm({1, -1, 2}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateRfm({1, 3, 2}),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("greater than T")));
  EXPECT_THAT(ValidateRfm({0, 1, 2}),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("must be 0")));
}

TEST(ParseSummaryCsvTest, ReadsWinbackAndCdnowHeaders) {
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable a,
                               ParseSummaryCsv("id,frequency,recency,T,monetary_value\r\n"
                                               "c1,2,30.43,38.86,22.35\r\n\"c,2\",0,0,38.86,0\r\n",
                                               "a.csv"));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.ids[1], "c,2");
  EXPECT_EQ(a.frequency[0], 2);
  EXPECT_DOUBLE_EQ(a.recency[0], 30.43);
  EXPECT_DOUBLE_EQ(a.monetary_value[0], 22.35);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      SummaryTable b,
      ParseSummaryCsv("\xEF\xBB\xBFT,extra,t_x,x,ID\n38.86,q,1.71,1,7\n\n", "b.csv"));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_FALSE(b.has_monetary_value());
  EXPECT_EQ(b.ids[0], "7");
  EXPECT_DOUBLE_EQ(b.age[0], 38.86);
  EXPECT_EQ(b.frequency[0], 1);
}

TEST(ParseSummaryCsvTest, ErrorsNameFileLineAndField) {
  auto bad = [](std::string_view text) { return ParseSummaryCsv(text, "s.csv"); };
  EXPECT_THAT(bad(""), StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("s.csv:1: header")));
  EXPECT_THAT(bad("id,frequency,recency\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("missing column T")));
  EXPECT_THAT(bad("id,x,frequency,t_x,T\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("appears twice")));
  EXPECT_THAT(bad("id,x,t_x,T\n1,2,40,38.86\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("s.csv:2: recency: recency 40 is greater than T 38.86")));
  EXPECT_THAT(bad("id,x,t_x,T\n1,2,1,38.86\n2,abc,1,3\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("s.csv:3: frequency: 'abc' is not a number")));
  EXPECT_THAT(bad("id,x,t_x,T\n1,2.5,1,3\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("s.csv:2: frequency:")));
  EXPECT_THAT(bad("id,x,t_x,T\n1,2,1,0\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("s.csv:2: T:")));
  EXPECT_THAT(bad("id,x,t_x,T\n1,2,1\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("s.csv:2: line: has 3")));
  EXPECT_THAT(bad("id,x,t_x,T\n\"1,2,1,3\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("unterminated")));
  EXPECT_THAT(bad("id,x,t_x,T\n1,0,0,3\n1,0,0,3\n"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("s.csv:3: id: '1' appears twice (first on line 2)")));
  EXPECT_THAT(bad("id,x,t_x,T\n,0,0,3\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("s.csv:2: id: is empty")));
  EXPECT_THAT(bad("id,x,t_x,T,zbar\n1,1,1,3,-2\n"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("s.csv:2: monetary_value:")));
}

TEST(ParseSummaryCsvTest, FirstErrorInFileOrderWinsOverManyRows) {
  // Ids are checked in blocks of rows: an error on a later row must not hide an earlier
  // duplicate, nor a duplicate an earlier bad row; a quoted id spanning lines keeps the count.
  std::string text = "id,x,t_x,T\n";
  for (int i = 0; i < 10000; ++i) text += "c" + std::to_string(i) + ",0,0,3\n";
  const std::string duplicate = text + "c17,0,0,3\n" + "late,x,0,3\n";
  EXPECT_THAT(ParseSummaryCsv(duplicate, "s.csv"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("s.csv:10002: id: 'c17' appears twice (first on line 19)")));
  const std::string bad_first = text + "late,x,0,3\n" + "c17,0,0,3\n";
  EXPECT_THAT(ParseSummaryCsv(bad_first, "s.csv"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("s.csv:10002: frequency:")));
  const std::string quoted = "id,x,t_x,T\n\"a\nb\",0,0,3\nc,0,0,3\n\"a\nb\",0,0,3\n";
  EXPECT_THAT(ParseSummaryCsv(quoted, "s.csv"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("s.csv:5: id: 'a\nb' appears twice (first on line 2)")));
  std::string many = "id,x,t_x,T\n";
  for (int i = 0; i < 10000; ++i) many += "c" + std::to_string(i) + ",0,0,3\n";
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable table, ParseSummaryCsv(many, "s.csv"));
  EXPECT_EQ(table.size(), 10000u);
  EXPECT_EQ(table.ids.back(), "c9999");
}

// The table of `text` read on one thread and on four; they must be equal.
void ExpectSameOnFourThreads(const std::string& text) {
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable one, ParseSummaryCsv(text, "s.csv", 1));
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable four, ParseSummaryCsv(text, "s.csv", 4));
  EXPECT_EQ(four.ids, one.ids);
  EXPECT_EQ(four.frequency, one.frequency);
  EXPECT_EQ(four.recency, one.recency);
  EXPECT_EQ(four.age, one.age);
  EXPECT_EQ(four.monetary_value, one.monetary_value);
}

TEST(ParseSummaryCsvTest, ThreadsReadTheSameTable) {
  // Large enough for the parallel reader: BOM, CRLF and LF lines, empty lines (gaps to close),
  // columns in another order, an extra column, and no final newline.
  std::string text = "\xEF\xBB\xBF\r\nT,extra,m_x,t_x,x,ID\r\n";
  for (int i = 0; i < 30000; ++i) {
    const int x = i % 5;
    text += std::to_string(30 + i % 11) + ".5,e," +
            (x == 0 ? "0" : std::to_string(i % 97) + ".25") + "," +
            (x == 0 ? "0" : std::to_string(i % 29) + "." + std::to_string(i % 7)) + "," +
            std::to_string(x) + ",c" + std::to_string(i) + (i % 3 == 0 ? "\r\n" : "\n");
    if (i % 4999 == 0) text += i % 2 == 0 ? "\n\n" : "\r\n";
  }
  text += "42,e,1,1,1,last";
  ExpectSameOnFourThreads(text);
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable four, ParseSummaryCsv(text, "s.csv", 4));
  ASSERT_EQ(four.size(), 30001u);
  EXPECT_EQ(four.ids[12346], "c12346");
  EXPECT_EQ(four.frequency[12346], 1);
  EXPECT_EQ(four.recency[12346], 21.5);
  EXPECT_EQ(four.age[12346], 34.5);
  EXPECT_EQ(four.monetary_value[12346], 27.25);
  // The parallel pass read it (it did not hand the text to the one-thread parser).
  EXPECT_TRUE(internal::ParseSummaryCsvParallel(text, 4).has_value());
  EXPECT_EQ(four.ids.back(), "last");
  EXPECT_EQ(four.age.back(), 42);
  // Without the optional column, and with quoted ids (read on one thread).
  std::string plain = "id,frequency,recency,T\n";
  for (int i = 0; i < 30000; ++i) plain += "c" + std::to_string(i) + ",1,1,3\n";
  ExpectSameOnFourThreads(plain);
  EXPECT_TRUE(internal::ParseSummaryCsvParallel(plain, 3).has_value());
  WINBACK_ASSERT_OK_AND_ASSIGN(SummaryTable many, ParseSummaryCsv(plain, "s.csv", 200));
  ASSERT_EQ(many.size(), 30000u);
  EXPECT_EQ(many.ids[29999], "c29999");
  ExpectSameOnFourThreads(plain + "\"q,1\",0,0,3\n");
  EXPECT_FALSE(internal::ParseSummaryCsvParallel(plain + "\"q,1\",0,0,3\n", 4).has_value());
}

TEST(ParseSummaryCsvTest, ThreadsReportTheFirstErrorInFileOrder) {
  std::string text = "id,x,t_x,T\n";
  for (int i = 0; i < 30000; ++i) text += "c" + std::to_string(i) + ",0,0,3\n";
  const std::string late_bad = text + "late,x,0,3\n";
  const std::string cases[] = {
      text + "c17,0,0,3\n" + "late,x,0,3\n",  // a duplicate before a bad row
      "id,x,t_x,T\nbad,1,5,3\n" + text.substr(11) + "c17,0,0,3\n",
      text + "short,0,0\n",
      text + "\r",
      text + ",0,0,3\n",
      text + "neg,1,1,3,\n",
  };
  for (const std::string& c : cases) {
    const Result<SummaryTable> one = ParseSummaryCsv(c, "s.csv", 1);
    const Result<SummaryTable> four = ParseSummaryCsv(c, "s.csv", 4);
    ASSERT_FALSE(one.ok());
    EXPECT_FALSE(internal::ParseSummaryCsvParallel(c, 4).has_value());
    EXPECT_THAT(four,
                StatusIsWith(StatusCode::kInvalidArgument, ::testing::Eq(one.status().message())));
  }
  EXPECT_THAT(ParseSummaryCsv(cases[0], "s.csv", 4),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("s.csv:30002: id: 'c17' appears twice (first on line 19)")));
}

TEST(ReadSummaryCsvTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadSummaryCsv("/nonexistent/summary.csv"), StatusIs(StatusCode::kNotFound));
}

TEST(ValidateSummaryTableTest, NamesRowAndId) {
  SummaryTable t;
  t.ids = {"a", "b"};
  t.frequency = {1, 1};
  t.recency = {1, 5};
  t.age = {2, 2};
  EXPECT_THAT(ValidateSummaryTable(t),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("row 1 (id b)")));
  t.age.pop_back();
  EXPECT_THAT(ValidateSummaryTable(t),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("different lengths")));
}

TEST(SummarizeTransactionsTest, MergesSameDayAndSplitsCalibrationAndHoldout) {
  const std::vector<TransactionRecord> records = {{"a", 0, 10},  {"a", 0, 5},   {"a", 7, 20},
                                                  {"a", 14, 30}, {"a", 30, 40}, {"b", 14, 9},
                                                  {"c", 21, 1}};
  CalibrationOptions o;
  o.calibration_end_day = 21;
  o.holdout_end_day = 35;
  o.days_per_unit = 7;
  WINBACK_ASSERT_OK_AND_ASSIGN(CalibrationHoldout d, SummarizeTransactions(records, o));
  ASSERT_EQ(d.calibration.size(), 2u);  // c starts on the calibration end day: left out
  EXPECT_EQ(d.calibration.ids[0], "a");
  EXPECT_EQ(d.calibration.frequency[0], 2);
  EXPECT_DOUBLE_EQ(d.calibration.recency[0], 2.0);
  EXPECT_DOUBLE_EQ(d.calibration.age[0], 3.0);
  EXPECT_DOUBLE_EQ(d.calibration.monetary_value[0], 25.0);
  EXPECT_EQ(d.holdout_frequency[0], 1);
  EXPECT_DOUBLE_EQ(d.holdout_value[0], 40);
  EXPECT_EQ(d.calibration.frequency[1], 0);
  EXPECT_DOUBLE_EQ(d.calibration.age[1], 1.0);
  EXPECT_DOUBLE_EQ(d.holdout_length, 2.0);
}

TEST(SummarizeTransactionsTest, RejectsBadOptionsAndRecords) {
  CalibrationOptions o;
  o.calibration_end_day = 10;
  o.holdout_end_day = 5;
  EXPECT_THAT(SummarizeTransactions({}, o), StatusIs(StatusCode::kInvalidArgument));
  o.holdout_end_day = 10;
  o.days_per_unit = 0;
  EXPECT_THAT(SummarizeTransactions({}, o), StatusIs(StatusCode::kInvalidArgument));
  o.days_per_unit = 1;
  const std::vector<TransactionRecord> no_id = {{"", 1, 1}};
  EXPECT_THAT(SummarizeTransactions(no_id, o), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::models
