#include "config/key.h"

#include <gtest/gtest.h>

#include <vector>

#include "testutil/status_matchers.h"

namespace winback::config {
namespace {

using testing::HasSubstr;

Value Tbl(Value::Table members) { return Value::MakeTable(std::move(members), 1); }
Value::Member M(std::string key, Value v) {
  const int line = v.line();
  return Value::Member{std::move(key), line, std::move(v)};
}

Status Check(const Key& key, const Value& v) { return CheckValue(key, v, "f.toml", "s.k"); }

TEST(CheckValueTest, BooleanWantsTrueOrFalse) {
  EXPECT_THAT(Check(Boolean("k"), Value::Boolean(false, 3)), IsOk());
  EXPECT_THAT(Check(Boolean("k"), Value::Integer(1, 3)),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:3: s.k: expected true or false, got 1")));
}

TEST(CheckValueTest, StringListChecksEveryElement) {
  const Key k = StringList("k", {"email", "sms"});
  Value::Array good;
  good.push_back(Value::String("sms", 4));
  good.push_back(Value::String("email", 4));
  EXPECT_THAT(Check(k, Value::MakeArray(std::move(good), 4)), IsOk());
  Value::Array bad;
  bad.push_back(Value::String("email", 4));
  bad.push_back(Value::String("emial", 4));
  EXPECT_THAT(Check(k, Value::MakeArray(std::move(bad), 4)),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:4: s.k[2]: expected \"email\" or \"sms\", got "
                                       "\"emial\"; did you mean \"email\"?")));
  EXPECT_THAT(
      Check(k, Value::String("email", 4)),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("expected an array of strings")));
}

TEST(CheckValueTest, IntegerTypeAndRange) {
  const Key k = Integer("k", 1, 36'500);
  EXPECT_THAT(Check(k, Value::Integer(1, 2)), IsOk());
  EXPECT_THAT(Check(k, Value::Integer(36'500, 2)), IsOk());
  EXPECT_THAT(Check(k, Value::Integer(0, 2)),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:2: s.k: expected an integer in 1..36500, got 0")));
  EXPECT_THAT(Check(k, Value::Integer(36'501, 2)),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("got 36501")));
  EXPECT_THAT(Check(k, Value::Float(3.0, 2)),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("got 3")));
  EXPECT_THAT(Check(k, Value::String("90", 2)),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("got \"90\"")));
}

TEST(CheckValueTest, NumberAcceptsIntegersAndFloatsInRange) {
  const Key k = Number("k", 0, 1);
  EXPECT_THAT(Check(k, Value::Integer(0, 4)), IsOk());
  EXPECT_THAT(Check(k, Value::Float(0.5, 4)), IsOk());
  EXPECT_THAT(Check(k, Value::Float(1.5, 4)),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:4: s.k: expected a number in [0, 1], got 1.5")));
  EXPECT_THAT(Check(k, Value::Float(std::numeric_limits<double>::quiet_NaN(), 4)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Check(k, Value::Boolean(true, 4)),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("got true")));
}

TEST(CheckValueTest, StringChoicesSuggestTheClosest) {
  EXPECT_THAT(Check(String("k"), Value::String("anything", 1)), IsOk());
  EXPECT_THAT(Check(String("k"), Value::Integer(1, 1)),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("expected a string, got 1")));
  const Key k = OneOf("k", {"all", "any"});
  EXPECT_THAT(Check(k, Value::String("any", 1)), IsOk());
  EXPECT_THAT(Check(k, Value::Boolean(true, 5)),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:5: s.k: expected \"all\" or \"any\", got true")));
  EXPECT_THAT(Check(k, Value::String("alll", 5)),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:5: s.k: expected \"all\" or \"any\", got \"alll\"; "
                                       "did you mean \"all\"?")));
  EXPECT_THAT(Check(OneOf("k", {"a", "b", "c"}), Value::String("zzzz", 5)),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:5: s.k: expected \"a\", \"b\" or \"c\", got "
                                       "\"zzzz\"")));
}

TEST(CheckValueTest, IntegerRangeIsOneIntegerOrAnOrderedPair) {
  const Key k = IntegerRange("k", 1, 5);
  const auto pair = [](std::int64_t lo, std::int64_t hi) {
    return Value::MakeArray({Value::Integer(lo, 7), Value::Integer(hi, 7)}, 7);
  };
  EXPECT_THAT(Check(k, Value::Integer(5, 7)), IsOk());
  EXPECT_THAT(Check(k, pair(1, 5)), IsOk());
  EXPECT_THAT(Check(k, pair(3, 3)), IsOk());
  for (const Value& bad :
       {Value::Integer(0, 7), Value::Integer(6, 7), pair(4, 3), pair(0, 2), pair(3, 9),
        Value::MakeArray({Value::Integer(1, 7)}, 7), Value::String("1-5", 7)}) {
    EXPECT_THAT(Check(k, bad),
                StatusIsWith(StatusCode::kInvalidArgument,
                             HasSubstr("f.toml:7: s.k: expected an integer in 1..5 or a range "
                                       "[lo, hi] with 1 <= lo <= hi <= 5")));
  }
}

TEST(CheckTableTest, UnknownKeySuggestsOrListsTheKnownOnes) {
  const std::vector<Key> keys = {Integer("new_days", 1, 10), Integer("lost_days", 1, 10)};
  EXPECT_THAT(CheckTable(keys, Tbl({M("new_dayz", Value::Integer(3, 2))}), "f.toml", "lifecycle"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:2: lifecycle.new_dayz: unknown key; did you mean "
                                       "new_days?")));
  EXPECT_THAT(CheckTable(keys, Tbl({M("colour", Value::Integer(3, 4))}), "f.toml", "lifecycle"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:4: lifecycle.colour: unknown key; lifecycle knows "
                                       "new_days, lost_days")));
  EXPECT_THAT(
      CheckTable(keys, Tbl({M("new_days", Value::Integer(11, 5))}), "f.toml", "lifecycle"),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("f.toml:5: lifecycle.new_days")));
  EXPECT_THAT(CheckTable(keys, Tbl({}), "f.toml", "lifecycle"), IsOk());
}

TEST(CheckTableTest, TableArraysCheckEveryElementAndRequiredKeys) {
  const std::vector<Key> keys = {TableArray(
      "rule", {Required(String("signal")), Required(Integer("days", 1, 10)), String("name")})};
  const auto rule = [](Value::Table members, int line) {
    return Value::MakeTable(std::move(members), line);
  };
  const Value good =
      rule({M("signal", Value::String("order", 3)), M("days", Value::Integer(5, 4))}, 2);
  EXPECT_THAT(
      CheckTable(keys, Tbl({M("rule", Value::MakeArray({good}, 2))}), "f.toml", "inactivity"),
      IsOk());
  const Value missing = rule({M("signal", Value::String("order", 6))}, 5);
  EXPECT_THAT(CheckTable(keys, Tbl({M("rule", Value::MakeArray({good, missing}, 2))}), "f.toml",
                         "inactivity"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:5: inactivity.rule[2]: missing key days")));
  const Value misspelt =
      rule({M("sginal", Value::String("order", 6)), M("days", Value::Integer(5, 7))}, 5);
  EXPECT_THAT(
      CheckTable(keys, Tbl({M("rule", Value::MakeArray({misspelt}, 2))}), "f.toml", "inactivity"),
      StatusIsWith(StatusCode::kInvalidArgument,
                   testing::Eq("f.toml:6: inactivity.rule[1].sginal: unknown key; did you "
                               "mean signal?")));
  EXPECT_THAT(CheckTable(keys, Tbl({M("rule", good)}), "f.toml", "inactivity"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:2: inactivity.rule: expected [[inactivity.rule]] "
                                       "tables, got a table")));
  EXPECT_THAT(CheckTable(keys, Tbl({M("rule", Value::MakeArray({Value::Integer(1, 9)}, 9))}),
                         "f.toml", "inactivity"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           testing::Eq("f.toml:9: inactivity.rule[1]: expected a table, got 1")));
}

TEST(CheckTableTest, NestedTablesAreChecked) {
  const std::vector<Key> keys = {config::Table("tls", {Boolean("enabled")})};
  EXPECT_THAT(
      CheckTable(keys, Tbl({M("tls", Value::MakeTable({M("enabld", Value::Boolean(true, 3))}, 2))}),
                 "f.toml", "server"),
      StatusIsWith(StatusCode::kInvalidArgument,
                   testing::Eq("f.toml:3: server.tls.enabld: unknown key; did you mean "
                               "enabled?")));
}

TEST(FormatNumberTest, ShortestForm) {
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(1e6), "1000000");
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(-2.25), "-2.25");
  EXPECT_EQ(FormatNumber(1e300), "1e+300");
}

}  // namespace
}  // namespace winback::config
