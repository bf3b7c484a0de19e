#include "core/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// All records of `text` as (line, fields).
std::vector<std::pair<std::size_t, std::vector<std::string>>> ReadAll(std::string_view text) {
  std::vector<std::pair<std::size_t, std::vector<std::string>>> out;
  CsvReader reader(text);
  while (true) {
    Result<bool> more = reader.Next();
    EXPECT_TRUE(more.ok()) << more.status().message();
    if (!more.ok() || !*more) break;
    out.emplace_back(reader.line(),
                     std::vector<std::string>(reader.fields().begin(), reader.fields().end()));
  }
  return out;
}

TEST(CsvReaderTest, SplitsPlainFieldsAndKeepsEmptyOnes) {
  const auto rows = ReadAll("a,b,c\n1,,3\n,x,\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].second, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1].second, ElementsAre("1", "", "3"));
  EXPECT_THAT(rows[2].second, ElementsAre("", "x", ""));
}

TEST(CsvReaderTest, UnquotesRfc4180Fields) {
  const auto rows = ReadAll("\"a,b\",\"say \"\"hi\"\"\",\"\"\n\"x\"\"\",\"\"\"\"\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].second, ElementsAre("a,b", "say \"hi\"", ""));
  EXPECT_THAT(rows[1].second, ElementsAre("x\"", "\""));
}

TEST(CsvReaderTest, QuotedFieldSpansLinesAndLinesAreCounted) {
  const auto rows = ReadAll("h1,h2\n\"two\nlines\",b\nc,d\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[1].second, ElementsAre("two\nlines", "b"));
  EXPECT_EQ(rows[1].first, 2u);
  EXPECT_EQ(rows[2].first, 4u);
}

TEST(CsvReaderTest, CrlfBomEmptyLinesAndMissingFinalNewline) {
  const auto rows = ReadAll("\xEF\xBB\xBFid,v\r\n\r\n\n1,\"q\"\r\n2,x");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].second, ElementsAre("id", "v"));
  EXPECT_EQ(rows[0].first, 1u);
  EXPECT_THAT(rows[1].second, ElementsAre("1", "q"));
  EXPECT_EQ(rows[1].first, 4u);
  EXPECT_THAT(rows[2].second, ElementsAre("2", "x"));
  EXPECT_EQ(rows[2].first, 5u);
}

TEST(CsvReaderTest, CarriageReturnAtTheEndOfTheText) {
  const auto rows = ReadAll("a,\"b\"\r\nc,\"d\"\r");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].second, ElementsAre("a", "b"));
  EXPECT_THAT(rows[1].second, ElementsAre("c", "d"));
  EXPECT_THAT(ReadAll("x\r")[0].second, ElementsAre("x"));
}

TEST(CsvReaderTest, TrailingCommaIsAnEmptyLastField) {
  const auto rows = ReadAll("a,");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].second, ElementsAre("a", ""));
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnErrorNamingTheLine) {
  CsvReader reader("ok\n\"open,\nno end\n");
  ASSERT_TRUE(*reader.Next());
  EXPECT_THAT(reader.Next(), StatusIsWith(StatusCode::kInvalidArgument,
                                          HasSubstr("2: unterminated quoted field")));
}

TEST(CsvReaderTest, CharacterAfterClosingQuoteIsAnError) {
  CsvReader reader("\"a\"b,c\n");
  EXPECT_THAT(reader.Next(),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("1: unexpected character")));
}

TEST(CsvReaderTest, UnescapedViewsSurviveSeveralQuotedFieldsInOneRecord) {
  const auto rows = ReadAll("\"a\"\"1\",\"b\"\"2\",\"c\"\"3\"\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].second, ElementsAre("a\"1", "b\"2", "c\"3"));
}

TEST(ParseCsvDoubleTest, AcceptsDecimalsAndRejectsTheRest) {
  EXPECT_EQ(ParseCsvDouble("2"), 2.0);
  EXPECT_EQ(ParseCsvDouble(" +30.43\t"), 30.43);
  EXPECT_EQ(ParseCsvDouble("1e3"), 1000.0);
  EXPECT_FALSE(ParseCsvDouble(""));
  EXPECT_FALSE(ParseCsvDouble("1.5x"));
  EXPECT_FALSE(ParseCsvDouble("nan"));
  EXPECT_FALSE(ParseCsvDouble("inf"));
}

TEST(AppendCsvFieldTest, QuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvField(out, "plain");
  out += '|';
  AppendCsvField(out, "a,b");
  out += '|';
  AppendCsvField(out, "say \"hi\"");
  out += '|';
  AppendCsvField(out, "line\nbreak");
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"line\nbreak\"");
}

// printf's %.<p>g as std::to_chars writes it: the reference for AppendCsvNumber.
std::string GeneralFormat(double value, int significant) {
  char text[64];
  const auto [end, ec] =
      std::to_chars(text, text + sizeof(text), value, std::chars_format::general, significant);
  EXPECT_EQ(ec, std::errc());
  return std::string(text, end);
}

TEST(AppendCsvNumberTest, WritesTheBytesOfPrintfGeneralFormat) {
  std::vector<std::pair<double, int>> cases;
  // Random bit patterns (every exponent, subnormals included) at every precision.
  std::mt19937_64 bits(20261206);
  for (int i = 0; i < 300000; ++i) {
    const double v = std::bit_cast<double>(bits());
    if (std::isfinite(v)) cases.emplace_back(v, 1 + static_cast<int>(bits() % 17));
  }
  // Values like the predictions' (10^-20 to 10^20), at 10 digits.
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 300000; ++i) cases.emplace_back(std::pow(10.0, 40 * unit(bits) - 20), 10);
  // Around powers of ten and the rounding carry (9.9999999995 x 10^e), where the exponent and
  // the notation change; exact ties (binary fractions, halves of integers).
  for (int e = -25; e <= 40; ++e) {
    for (double start : {std::pow(10.0, e), 9.9999999995 * std::pow(10.0, e)}) {
      double up = start;
      double down = start;
      for (int k = 0; k < 8; ++k) {
        for (int p = 1; p <= 17; ++p) {
          cases.emplace_back(up, p);
          cases.emplace_back(down, p);
        }
        up = std::nextafter(up, HUGE_VAL);
        down = std::nextafter(down, 0.0);
      }
    }
  }
  for (int i = 0; i < 20000; ++i) {
    cases.emplace_back(static_cast<double>(i) / 1024.0, 1 + i % 17);
    cases.emplace_back(static_cast<double>(i) + 0.5, 1 + i % 6);
  }
  for (double v : {0.0, -0.0, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 0.5, 2.5,
                   0.125, 1e-5, 1e-4, 1e10, 9999999999.5, 0.30000000000000004}) {
    for (int p = 1; p <= 17; ++p) cases.emplace_back(v, p);
  }
  int mismatches = 0;
  for (const auto& [value, significant] : cases) {
    std::string out = "x";
    AppendCsvNumber(out, value, significant);
    if (out != "x" + GeneralFormat(value, significant) && ++mismatches <= 10) {
      ADD_FAILURE() << std::hexfloat << value << std::defaultfloat << " at " << significant
                    << " digits: " << out.substr(1) << ", printf writes "
                    << GeneralFormat(value, significant);
    }
  }
  EXPECT_EQ(mismatches, 0);
}

class CsvFileTest : public ::testing::Test {
 protected:
  testutil::ScratchDir dir_{"winback_csv_test"};
};

TEST_F(CsvFileTest, WrittenFileReadsBackFieldForField) {
  const std::string path = dir_.File("out.csv");
  {
    Result<CsvWriter> writer = CsvWriter::Open(path);
    ASSERT_THAT(writer.status(), IsOk());
    const std::string_view header[] = {"id", "value", "rounded"};
    writer->Row(header);
    writer->Field("a,\"b\"\nc").Number(0.1).Number(2.0 / 3.0, 4).EndRow();
    // Enough rows to pass the writer's buffer several times.
    for (int i = 0; i < 20000; ++i)
      writer->Field(std::to_string(i)).Number(i).Number(i, 3).EndRow();
    ASSERT_THAT(writer->Close(), IsOk());
  }
  Result<std::string> text = ReadFileToString(path);
  ASSERT_THAT(text.status(), IsOk());
  const auto rows = ReadAll(*text);
  ASSERT_EQ(rows.size(), 20002u);
  EXPECT_THAT(rows[0].second, ElementsAre("id", "value", "rounded"));
  EXPECT_THAT(rows[1].second, ElementsAre("a,\"b\"\nc", "0.1", "0.6667"));
  EXPECT_THAT(rows[20001].second, ElementsAre("19999", "19999", "2e+04"));
}

TEST_F(CsvFileTest, RowsAppendsFormattedTextBetweenRows) {
  const std::string path = dir_.File("rows.csv");
  std::string big;
  for (int i = 0; i < 20000; ++i) big += std::to_string(i) + ",x\n";  // more than the buffer
  {
    Result<CsvWriter> writer = CsvWriter::Open(path);
    ASSERT_THAT(writer.status(), IsOk());
    writer->Field("a").Field("b").EndRow();
    writer->Rows("1,2\n").Rows(big).Field("last").Number(0.5).EndRow();
    ASSERT_THAT(writer->Close(), IsOk());
  }
  EXPECT_EQ(ReadFileToString(path).value(), "a,b\n1,2\n" + big + "last,0.5\n");
}

TEST_F(CsvFileTest, FileContentsMapsAFileAndReadsAnEmptyOne) {
  const std::string path = dir_.File("in.csv");
  {
    Result<CsvWriter> writer = CsvWriter::Open(path);
    ASSERT_THAT(writer.status(), IsOk());
    writer->Field("a").Field("b").EndRow();
    ASSERT_THAT(writer->Close(), IsOk());
  }
  Result<FileContents> file = FileContents::Open(path);
  ASSERT_THAT(file.status(), IsOk());
  EXPECT_EQ(file->text(), "a,b\n");
  FileContents moved = *std::move(file);
  EXPECT_EQ(moved.text(), "a,b\n");
  const std::string empty = dir_.File("empty.csv");
  ASSERT_THAT(CsvWriter::Open(empty)->Close(), IsOk());
  Result<FileContents> none = FileContents::Open(empty);
  ASSERT_THAT(none.status(), IsOk());
  EXPECT_EQ(none->text(), "");
  EXPECT_THAT(FileContents::Open(dir_.File("none.csv")), StatusIs(StatusCode::kNotFound));
}

TEST_F(CsvFileTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadFileToString(dir_.File("none.csv")), StatusIs(StatusCode::kNotFound));
}

TEST_F(CsvFileTest, UnwritablePathIsUnavailable) {
  EXPECT_THAT(CsvWriter::Open(dir_.File("no/such/dir.csv")), StatusIs(StatusCode::kUnavailable));
}

TEST_F(CsvFileTest, WriteErrorIsReportedByClose) {
  Result<CsvWriter> writer = CsvWriter::Open("/dev/full");
  ASSERT_THAT(writer.status(), IsOk());
  writer->Field("x").EndRow();
  EXPECT_THAT(writer->Close(), StatusIsWith(StatusCode::kUnavailable, HasSubstr("/dev/full")));
}

}  // namespace
}  // namespace winback
