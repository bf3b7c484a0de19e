#include "ingest/row_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testutil/status_matchers.h"

namespace winback::ingest {
namespace {

using ::testing::HasSubstr;

// Parses "header\nrow" with the given parser function.
template <typename Fn>
auto ParseOne(FileKind kind, const std::string& csv, Fn fn) {
  auto source = MakeRowSource(kind, FileFormat::kCsv, csv);
  EXPECT_THAT(source->Open(), IsOk());
  RawRow row;
  RowError error;
  bool has_error = false;
  bool fatal = false;
  EXPECT_TRUE(source->Next(row, error, has_error, fatal));
  EXPECT_FALSE(has_error) << error.message;
  RowParser parser;
  return fn(parser, row);
}

Result<store::CustomerRecord> Customer(const std::string& header, const std::string& row) {
  return ParseOne(FileKind::kCustomers, header + "\n" + row + "\n",
                  [](RowParser& p, const RawRow& r) { return p.ParseCustomer(r); });
}
Result<store::OrderRecord> Order(const std::string& row) {
  return ParseOne(FileKind::kOrders,
                  "id,customer_id,time,amount,currency,status,items\n" + row + "\n",
                  [](RowParser& p, const RawRow& r) { return p.ParseOrder(r); });
}
Result<store::EventRecord> Event(const std::string& row) {
  return ParseOne(
      FileKind::kEvents,
      "id,customer_id,type,time,channel,reason,score,value,currency,ref,text,properties\n" + row +
          "\n",
      [](RowParser& p, const RawRow& r) { return p.ParseEvent(r); });
}

TEST(RowParserTest, FullCustomer) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      store::CustomerRecord c,
      Customer("id,email,phone,first_name,last_name,birth_date,gender,education,country,"
               "time_zone,language,signup_at,consent_email,consent_sms,preferred_channel,"
               "referred_by",
               "c1,ayse@example.com,+905321234567,Ayşe,Yılmaz,1990-04-01,female,bachelor,TR,"
               "Europe/Istanbul,tr,2023-01-05T10:00:00+03:00,yes,no,email,c0"));
  EXPECT_EQ(c.first_name, "Ayşe");
  EXPECT_EQ(c.birth_year, 1990);
  EXPECT_EQ(c.consent[0], Consent::kGranted);
  EXPECT_EQ(c.consent[1], Consent::kDenied);
  EXPECT_EQ(c.consent[2], Consent::kUnknown);
  EXPECT_EQ(c.referred_by, "c0");
}

TEST(RowParserTest, CustomerErrorsNameTheField) {
  EXPECT_THAT(
      Customer("id,email", "c1,not-an-email"),
      StatusIsWith(StatusCode::kInvalidArgument, "email: 'not-an-email' is not an email address"));
  EXPECT_THAT(
      Customer("id,phone", "c1,0532"),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("phone: '0532' is not an E.164")));
  EXPECT_THAT(Customer("id,time_zone", "c1,Europe/Atlantis"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "time_zone: 'Europe/Atlantis' is not an IANA time zone"));
  EXPECT_THAT(Customer("id,country", "c1,tr"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("country: 'tr'")));
  EXPECT_THAT(Customer("id,consent_sms", "c1,maybe"),
              StatusIsWith(StatusCode::kInvalidArgument, "consent_sms: 'maybe' is not yes or no"));
  EXPECT_THAT(Customer("id,birth_date", "c1,1990-02-30"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("birth_date: '1990-02-30' is not a date")));
  EXPECT_THAT(Customer("id,gender", "c1,f"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("gender: 'f' is not one of")));
  EXPECT_THAT(
      Customer("id,first_name", "c1,\"a\x01\""),
      StatusIsWith(StatusCode::kInvalidArgument, "first_name: contains a control character"));
}

TEST(RowParserTest, OrderWithItems) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      store::OrderRecord o,
      Order("o1,c1,2024-03-01T09:30:00+03:00,129.90,TRY,completed,"
            "\"[{\"\"sku\"\":\"\"TEA-1\"\",\"\"quantity\"\":2,\"\"price\"\":\"\"64.95\"\"}]\""));
  EXPECT_EQ(o.amount_minor, 12990);
  EXPECT_EQ(o.utc_offset_minutes, 180);
  ASSERT_EQ(o.items.size(), 1u);
  EXPECT_EQ(o.items[0].price_minor, 6495);
  EXPECT_EQ(o.status, OrderStatus::kCompleted);
}

TEST(RowParserTest, OrderErrors) {
  EXPECT_THAT(
      Order("o1,c1,2024-13-01T00:00:00Z,1.00,USD,,"),
      StatusIsWith(StatusCode::kInvalidArgument, "time: '2024-13-01T00:00:00Z' has month 13"));
  EXPECT_THAT(Order("o1,c1,2024-01-01T00:00:00Z,1.00,XYZ,,"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "currency: 'XYZ' is not an ISO 4217 currency code"));
  EXPECT_THAT(Order("o1,c1,2024-01-01T00:00:00Z,-1.00,USD,,"),
              StatusIsWith(StatusCode::kInvalidArgument, "amount: '-1.00' is negative"));
  EXPECT_THAT(Order("o1,c1,2024-01-01T00:00:00Z,1.005,USD,,"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "amount: '1.005' has more decimal places than USD allows (2)"));
  EXPECT_THAT(Order("o1,c1,2024-01-01T00:00:00Z,1.00,USD,shipped,"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("status: 'shipped'")));
  EXPECT_THAT(Order("o1,c1,2024-01-01T00:00:00Z,1.00,USD,,"
                    "\"[{\"\"sku\"\":\"\"A\"\",\"\"quantity\"\":-2,\"\"price\"\":\"\"1\"\"}]\""),
              StatusIsWith(StatusCode::kInvalidArgument, "items: item 1: quantity -2 is negative"));
  EXPECT_THAT(Order("o1,c1,2024-01-01T00:00:00Z,1.00,USD,,[oops"),
              StatusIsWith(StatusCode::kInvalidArgument, "items: not valid JSON"));
}

TEST(RowParserTest, EventRulesPerType) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      store::EventRecord e,
      Event("e1,c1,exit_survey,2024-05-01T10:00:00+03:00,,price,,,,,\"Fiyatlar çok yükseldi\","));
  EXPECT_EQ(e.type, EventType::kExitSurvey);
  EXPECT_EQ(e.text, "Fiyatlar çok yükseldi");
  EXPECT_THAT(Event("e1,c1,exit_survey,2024-05-01T10:00:00Z,,,,,,,,"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("reason: missing")));
  EXPECT_THAT(
      Event("e1,c1,exit_survey,2024-05-01T10:00:00Z,,bored,,,,,,"),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("reason: 'bored' is not one of")));
  EXPECT_THAT(Event("e1,c1,review,2024-05-01T10:00:00Z,,,6,,,,,"),
              StatusIsWith(StatusCode::kInvalidArgument, "score: 6 is not in 1..5"));
  EXPECT_THAT(Event("e1,c1,teleport,2024-05-01T10:00:00Z,,,,,,,,"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("type: 'teleport' is not an event type")));
  EXPECT_THAT(Event("e1,c1,unsubscribe,2024-05-01T10:00:00Z,,,,,,,,"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("channel: missing")));
  EXPECT_THAT(
      Event("e1,c1,cart_abandoned,2024-05-01T10:00:00Z,,,,12.00,,,,"),
      StatusIsWith(StatusCode::kInvalidArgument, "currency: value and currency go together"));
  EXPECT_THAT(Event("e1,c1,visit,2024-05-01T10:00:00Z,,,,,,,,[1]"),
              StatusIsWith(StatusCode::kInvalidArgument, "properties: expected a JSON object"));
  WINBACK_ASSERT_OK_AND_ASSIGN(
      store::EventRecord cart,
      Event("e2,c1,cart_abandoned,2024-05-01T10:00:00Z,web,,,12.50,EUR,,,\"{\"\"items\"\":2}\""));
  EXPECT_EQ(cart.value_minor, 1250);
  EXPECT_EQ(cart.properties, "{\"items\":2}");
}

}  // namespace
}  // namespace winback::ingest
