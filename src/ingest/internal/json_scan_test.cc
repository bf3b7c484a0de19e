#include "ingest/internal/json_scan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testutil/status_matchers.h"

namespace winback::ingest::internal {
namespace {

using ::testing::HasSubstr;

TEST(JsonObjectParserTest, KeepsEachValueAsText) {
  JsonObjectParser p;
  ASSERT_THAT(p.Parse(R"( {"s":"a\"b\u00e7\ud83c\udf89","n":-12.50e+3,"big":18446744073709551617,)"
                      R"("t":true,"f":false,"z":null,"o":{"a":[1,{"b":"}"}]},"a":[]} )"),
              IsOk());
  const auto& m = p.members();
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].key, "s");
  EXPECT_EQ(m[0].value.kind, JsonKind::kString);
  EXPECT_EQ(m[0].value.text, "a\"b\xC3\xA7\xF0\x9F\x8E\x89");
  EXPECT_EQ(m[1].value.kind, JsonKind::kNumber);
  EXPECT_EQ(m[1].value.text, "-12.50e+3");
  EXPECT_EQ(m[2].value.text, "18446744073709551617");
  EXPECT_EQ(m[3].value.kind, JsonKind::kTrue);
  EXPECT_EQ(m[4].value.kind, JsonKind::kFalse);
  EXPECT_EQ(m[5].value.kind, JsonKind::kNull);
  EXPECT_EQ(m[6].value.kind, JsonKind::kObject);
  EXPECT_EQ(m[6].value.text, R"({"a":[1,{"b":"}"}]})");
  EXPECT_EQ(m[7].value.kind, JsonKind::kArray);
  EXPECT_EQ(m[7].value.text, "[]");
  ASSERT_THAT(p.Parse("{}"), IsOk());
  EXPECT_TRUE(p.members().empty());
}

TEST(JsonObjectParserTest, DuplicateKeyIsAnError) {
  JsonObjectParser p;
  EXPECT_THAT(p.Parse(R"({"id":"a","x":1,"id":"b"})"),
              StatusIsWith(StatusCode::kInvalidArgument, "the key appears twice in the object"));
  EXPECT_EQ(p.error_field(), "id");
  // Also when spelled with an escape.
  EXPECT_THAT(p.Parse(R"({"id":"a","\u0069d":"b"})"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(p.error_field(), "id");
}

TEST(JsonObjectParserTest, RejectsWhatIsNotStrictJson) {
  JsonObjectParser p;
  for (const char* bad : {"",
                          "{",
                          "{\"a\":1,}",
                          "{\"a\" 1}",
                          "{\"a\":01}",
                          "{\"a\":1.}",
                          "{\"a\":.5}",
                          "{\"a\":+1}",
                          "{\"a\":1e}",
                          "{\"a\":tru}",
                          "{\"a\":\"x}",
                          "{\"a\":\"\\x\"}",
                          "{\"a\":\"\\ud800\"}",
                          "{\"a\":\"\\udc00\"}",
                          "{\"a\":\"tab\there\"}",
                          "{\"a\":1} x",
                          "{\"a\":[1}",
                          "{a:1}",
                          "{\"a\":NaN}",
                          "{\"a\":{\"b\":1]}"}) {
    EXPECT_THAT(p.Parse(bad), StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("JSON"))) << bad;
  }
  EXPECT_THAT(p.Parse("[1,2]"),
              StatusIsWith(StatusCode::kInvalidArgument, "expected a JSON object"));
  EXPECT_THAT(p.Parse("{\"a\":1,}"), StatusIsWith(StatusCode::kInvalidArgument,
                                                  "not valid JSON (expected '\"' at byte 8)"));
}

std::string Nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

TEST(JsonObjectParserTest, DeepNestingIsAnErrorNotACrash) {
  JsonObjectParser p;
  EXPECT_THAT(p.Parse("{\"properties\":" + Nested(kMaxJsonDepth) + "}"), IsOk());
  EXPECT_THAT(p.Parse("{\"properties\":" + Nested(kMaxJsonDepth + 1) + "}"),
              StatusIsWith(StatusCode::kInvalidArgument, "nested deeper than 64 levels"));
  EXPECT_EQ(p.error_field(), "properties");
  EXPECT_THAT(p.Parse("{\"properties\":" + Nested(100000) + "}"),
              StatusIsWith(StatusCode::kInvalidArgument, "nested deeper than 64 levels"));
}

TEST(JsonLimitsTest, DepthAndSize) {
  EXPECT_THAT(CheckJsonLimits(Nested(kMaxJsonDepth)), IsOk());
  EXPECT_THAT(CheckJsonLimits(Nested(100000)),
              StatusIsWith(StatusCode::kInvalidArgument, "nested deeper than 64 levels"));
  // Brackets in strings do not count.
  EXPECT_THAT(CheckJsonLimits("[\"" + std::string(100, '[') + "\\\"\"]"), IsOk());
  EXPECT_THAT(CheckJsonLimits("[\"" + std::string(kMaxJsonBytes, 'x') + "\"]"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "1048580 bytes of JSON, more than the limit of 1048576"));
}

TEST(SplitJsonArrayTest, Elements) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<JsonValue> e,
                               SplitJsonArray(R"( [ {"sku":"a"} , 2 , "x" ] )"));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].kind, JsonKind::kObject);
  EXPECT_EQ(e[0].text, R"({"sku":"a"})");
  EXPECT_EQ(e[1].text, "2");
  EXPECT_EQ(e[2].text, "x");
  EXPECT_THAT(SplitJsonArray("[]"), IsOk());
  EXPECT_THAT(SplitJsonArray("{}"),
              StatusIsWith(StatusCode::kInvalidArgument, "expected a JSON array"));
  EXPECT_THAT(SplitJsonArray("[1,]"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SplitJsonArray("[1] 2"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::ingest::internal
