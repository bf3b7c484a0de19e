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
  EXPECT_EQ(source->Next(), RowRead::kRow) << source->error().message;
  RowParser parser;
  return fn(parser, source->row());
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

Result<store::ProductRecord> Product(const std::string& header, const std::string& row) {
  return ParseOne(FileKind::kProducts, header + "\n" + row + "\n",
                  [](RowParser& p, const RawRow& r) { return p.ParseProduct(r); });
}
Result<store::OrderRecord> OrderWithCoupon(const std::string& coupon) {
  return ParseOne(FileKind::kOrders,
                  "id,customer_id,time,amount,currency,coupon\no1,c1,2024-01-01T00:00:00Z,1.00,"
                  "USD," +
                      coupon + "\n",
                  [](RowParser& p, const RawRow& r) { return p.ParseOrder(r); });
}

constexpr const char* kProductHeader = "sku,name,category,price,currency,launched_at,url,image_url";

TEST(RowParserTest, FullProduct) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      store::ProductRecord p,
      Product(kProductHeader,
              "TEA-1,Rize Çayı,tea,64.95,TRY,2024-03-01T09:00:00+03:00,https://shop.example/"
              "tea-1,HTTP://cdn.example/t.jpg"));
  EXPECT_EQ(p.sku, "TEA-1");
  EXPECT_EQ(p.name, "Rize Çayı");
  EXPECT_EQ(p.category, "tea");
  EXPECT_EQ(p.price_minor, 6495);
  EXPECT_EQ(p.currency, "TRY");
  EXPECT_EQ(p.launched_at, ParseTimestamp("2024-03-01T06:00:00Z")->instant);
  EXPECT_EQ(p.url, "https://shop.example/tea-1");
  EXPECT_EQ(p.image_url, "HTTP://cdn.example/t.jpg");
  EXPECT_TRUE(p.present.all());
  // Empty optional columns are absent but stated (they clear stored values).
  WINBACK_ASSERT_OK_AND_ASSIGN(p, Product(kProductHeader, "TEA-2,Green,,,,,,"));
  EXPECT_EQ(p.price_minor, std::nullopt);
  EXPECT_TRUE(p.present.all());
  // Columns the file does not have are not stated.
  WINBACK_ASSERT_OK_AND_ASSIGN(p, Product("sku,name,currency", "TEA-3,Black,TRY"));
  EXPECT_EQ(p.present.bits(), 1u << static_cast<unsigned>(store::ProductField::kPrice));
}

TEST(RowParserTest, ProductErrorsNameTheField) {
  auto bad = [](const std::string& row, const std::string& message) {
    EXPECT_THAT(Product(kProductHeader, row),
                StatusIsWith(StatusCode::kInvalidArgument, HasSubstr(message)))
        << row;
  };
  bad(",Tea,,,,,,", "sku: missing");
  bad("T1,,,,,,,", "name: missing");
  bad("T1,Tea,,1.005,USD,,,", "price: '1.005' has more decimal places than USD allows (2)");
  bad("T1,Tea,,-1,USD,,,", "price: '-1' is negative");
  bad("T1,Tea,,1.00,,,,", "currency: missing (a price needs its currency)");
  bad("T1,Tea,,1.00,XYZ,,,", "currency: 'XYZ' is not an ISO 4217 currency code");
  bad("T1,Tea,,,,2024-03-01T09:00:00,,", "launched_at: ");
  bad("T1,Tea,,,,,ftp://x.example/a,", "url: 'ftp://x.example/a' is not an http or https URL");
  bad("T1,Tea,,,,,https:///a,", "url: 'https:///a' has no host");
  bad("T1,Tea,,,,,,https://x.example/a b.jpg",
      "image_url: 'https://x.example/a b.jpg' contains "
      "a space");
  bad("T\u200b1,Tea,,,,,,", "sku: ");
}

TEST(RowParserTest, OrderCouponIsAnIdOfAtMost64Bytes) {
  WINBACK_ASSERT_OK_AND_ASSIGN(store::OrderRecord o, OrderWithCoupon("WB-7Q2K"));
  EXPECT_EQ(o.coupon, "WB-7Q2K");
  EXPECT_TRUE(o.present.Has(store::OrderField::kCoupon));
  WINBACK_ASSERT_OK_AND_ASSIGN(o, OrderWithCoupon(std::string(64, 'C')));
  EXPECT_THAT(OrderWithCoupon(std::string(65, 'C')),
              StatusIsWith(StatusCode::kInvalidArgument, "coupon: longer than 64 bytes"));
  EXPECT_THAT(OrderWithCoupon("WB\xe2\x80\x8b"
                              "7"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("coupon: U+200B at byte 3")));
  // Without the column, the order does not state a coupon.
  WINBACK_ASSERT_OK_AND_ASSIGN(o, Order("o1,c1,2024-01-01T00:00:00Z,1.00,USD,,"));
  EXPECT_FALSE(o.present.Has(store::OrderField::kCoupon));
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
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("items: not valid JSON")));
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

// Parses one JSONL object.
template <typename Fn>
auto ParseJsonl(FileKind kind, const std::string& line, Fn fn) {
  const std::string data = line + "\n";
  auto source = MakeRowSource(kind, FileFormat::kJsonl, data);
  EXPECT_THAT(source->Open(), IsOk());
  EXPECT_EQ(source->Next(), RowRead::kRow) << source->error().message;
  RowParser parser;
  return fn(parser, source->row());
}
Result<store::OrderRecord> JsonlOrder(const std::string& line) {
  return ParseJsonl(FileKind::kOrders, line,
                    [](RowParser& p, const RawRow& r) { return p.ParseOrder(r); });
}
Result<store::EventRecord> JsonlEvent(const std::string& line) {
  return ParseJsonl(FileKind::kEvents, line,
                    [](RowParser& p, const RawRow& r) { return p.ParseEvent(r); });
}
Result<store::CustomerRecord> JsonlCustomer(const std::string& line) {
  return ParseJsonl(FileKind::kCustomers, line,
                    [](RowParser& p, const RawRow& r) { return p.ParseCustomer(r); });
}

constexpr const char* kOrderHead =
    R"({"id":"o1","customer_id":"c1","time":"2024-03-01T00:00:00Z","currency":"USD",)";

TEST(RowParserTest, JsonlNumericMoneyFollowsTheCsvRules) {
  // A plain decimal the currency allows is exact, read from its text.
  WINBACK_ASSERT_OK_AND_ASSIGN(store::OrderRecord o,
                               JsonlOrder(std::string(kOrderHead) + R"("amount":12.50})"));
  EXPECT_EQ(o.amount_minor, 1250);
  WINBACK_ASSERT_OK_AND_ASSIGN(o, JsonlOrder(std::string(kOrderHead) + R"("amount":100})"));
  EXPECT_EQ(o.amount_minor, 10000);
  // 92233720368547758.07 USD is the largest amount: a double would round it.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      o, JsonlOrder(std::string(kOrderHead) + R"("amount":92233720368547758.07})"));
  EXPECT_EQ(o.amount_minor, 9223372036854775807);
  // An exponent, or more decimals than USD has, is an error as in CSV (1e2 imported as 100.00).
  EXPECT_THAT(
      JsonlOrder(std::string(kOrderHead) + R"("amount":1e2})"),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("amount: '1e2' is not an amount")));
  EXPECT_THAT(JsonlOrder(std::string(kOrderHead) + R"("amount":12.345})"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "amount: '12.345' has more decimal places than USD allows (2)"));
  EXPECT_THAT(JsonlOrder(std::string(kOrderHead) + R"("amount":1.5E+1})"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("amount: '1.5E+1'")));
  // Item prices too.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      o, JsonlOrder(std::string(kOrderHead) +
                    R"("amount":"3.00","items":[{"sku":"A","quantity":3,"price":1.00}]})"));
  ASSERT_EQ(o.items.size(), 1u);
  EXPECT_EQ(o.items[0].price_minor, 100);
  EXPECT_THAT(JsonlOrder(std::string(kOrderHead) +
                         R"("amount":"3.00","items":[{"sku":"A","quantity":3,"price":1e0}]})"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("items: item 1: price '1e0'")));
  EXPECT_THAT(JsonlOrder(std::string(kOrderHead) +
                         R"("amount":"3.00","items":[{"sku":"A","quantity":3e0,"price":"1"}]})"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("items: item 1: quantity '3e0' is not an integer")));
  // Event values.
  EXPECT_THAT(JsonlEvent(R"({"id":"e1","customer_id":"c1","type":"cart_abandoned",)"
                         R"("time":"2024-03-01T00:00:00Z","value":2.5e1,"currency":"EUR"})"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("value: '2.5e1'")));
}

TEST(RowParserTest, IdsWithInvisibleOrControlCharactersAreRejected) {
  EXPECT_THAT(Customer("id", "c1\x7F"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("id: U+007F at byte 3 is a control, invisible")));
  EXPECT_THAT(Customer("id",
                       "c\xC2\x85"
                       "1"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("id: U+0085 at byte 2")));
  EXPECT_THAT(Customer("id", "c1\xE2\x80\x8B"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("id: U+200B at byte 3")));
  EXPECT_THAT(Customer("id",
                       "\xEF\xBB\xBF"
                       "c1"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("id: U+FEFF at byte 1")));
  EXPECT_THAT(
      Customer("id,referred_by",
               "c1,c\xE2\x80\xAE"
               "2"),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("referred_by: U+202E at byte 2")));
  EXPECT_THAT(Order("o\xE2\x81\xA6"
                    "1,c1,2024-01-01T00:00:00Z,1.00,USD,,"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("id: U+2066 at byte 2")));
  EXPECT_THAT(
      Order("o1,c1\xE2\x81\xA0,2024-01-01T00:00:00Z,1.00,USD,,"),
      StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("customer_id: U+2060 at byte 3")));
  EXPECT_THAT(JsonlCustomer(R"({"id":"c\u200d1"})"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("id: U+200D at byte 2")));
  // Scripts other than Latin are fine.
  EXPECT_THAT(Customer("id", "مشتری-۱"), IsOk());
}

TEST(RowParserTest, CountryMustBeAnAssignedCode) {
  EXPECT_THAT(Customer("id,country", "c1,TR"), IsOk());
  EXPECT_THAT(Customer("id,country", "c1,UK"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "country: 'UK' is not an ISO 3166-1 alpha-2 country code (did you mean "
                           "GB?)"));
  EXPECT_THAT(Customer("id,country", "c1,XX"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "country: 'XX' is not an ISO 3166-1 alpha-2 country code (e.g. TR)"));
  EXPECT_THAT(Customer("id,country", "c1,EU"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Customer("id,country", "c1,tr"),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("(did you mean TR?)")));
}

std::string Nested(int depth, const std::string& inner) {
  return std::string(static_cast<std::size_t>(depth), '[') + inner +
         std::string(static_cast<std::size_t>(depth), ']');
}

TEST(RowParserTest, DeeplyNestedJsonIsAnErrorInBothFormats) {
  const std::string deep = "{\"\"a\"\":" + Nested(100000, "1") + "}";
  EXPECT_THAT(
      Event("e1,c1,visit,2024-05-01T10:00:00Z,,,,,,,,\"" + deep + "\""),
      StatusIsWith(StatusCode::kInvalidArgument, "properties: nested deeper than 64 levels"));
  EXPECT_THAT(Order("o1,c1,2024-01-01T00:00:00Z,1.00,USD,,\"" + Nested(100000, "") + "\""),
              StatusIsWith(StatusCode::kInvalidArgument, "items: nested deeper than 64 levels"));
  // In JSONL the row source rejects it before the parser sees it.
  const std::string jsonl =
      R"({"id":"e1","customer_id":"c1","type":"visit","time":"2024-05-01T10:00:00Z",)"
      R"("properties":{"a":)" +
      Nested(100000, "1") + "}}\n";
  auto source = MakeRowSource(FileKind::kEvents, FileFormat::kJsonl, jsonl);
  ASSERT_THAT(source->Open(), IsOk());
  ASSERT_EQ(source->Next(), RowRead::kBadRow);
  EXPECT_EQ(source->error().field, "properties");
  EXPECT_EQ(source->error().message, "nested deeper than 64 levels");
  // 64 levels are fine.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      store::EventRecord e,
      JsonlEvent(R"({"id":"e1","customer_id":"c1","type":"visit","time":"2024-05-01T10:00:00Z",)"
                 R"("properties":{"a":)" +
                 Nested(63, "1") + "}}"));
  EXPECT_EQ(e.properties, R"({"a":)" + Nested(63, "1") + "}");
  // The size limit.
  const std::string big = "{\"\"a\"\":\"\"" + std::string(1 << 20, 'x') + "\"\"}";
  EXPECT_THAT(Event("e1,c1,visit,2024-05-01T10:00:00Z,,,,,,,,\"" + big + "\""),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("properties: 1048584 bytes of JSON, more than the limit")));
}

TEST(RowParserTest, PresentMarksTheColumnsTheInputStated) {
  // CSV: the header decides; an empty field is stated (it clears a stored value).
  WINBACK_ASSERT_OK_AND_ASSIGN(store::CustomerRecord c,
                               Customer("id,email,country,consent_sms", "c1,,TR,"));
  store::FieldSet<store::CustomerField> want = store::FieldSet<store::CustomerField>::None();
  want.Set(store::CustomerField::kEmail);
  want.Set(store::CustomerField::kCountry);
  want.Set(store::CustomerField::kConsentSms);
  EXPECT_EQ(c.present, want);
  // A birth year taken from the birth date is stated with it.
  WINBACK_ASSERT_OK_AND_ASSIGN(c, Customer("id,birth_date", "c1,1990-04-01"));
  want = store::FieldSet<store::CustomerField>::None();
  want.Set(store::CustomerField::kBirthDate);
  want.Set(store::CustomerField::kBirthYear);
  EXPECT_EQ(c.present, want);
  WINBACK_ASSERT_OK_AND_ASSIGN(c, Customer("id,birth_date", "c1,"));
  want.Clear(store::CustomerField::kBirthYear);
  EXPECT_EQ(c.present, want);
  // Every column: all present.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      c, Customer("id,email,phone,first_name,last_name,birth_date,birth_year,gender,education,"
                  "country,region,city,time_zone,language,signup_at,consent_email,consent_sms,"
                  "consent_whatsapp,preferred_channel,referred_by",
                  "c1,,,,,,,,,,,,,,,,,,,"));
  EXPECT_TRUE(c.present.all());

  // JSONL: the keys decide; null and "" are stated.
  WINBACK_ASSERT_OK_AND_ASSIGN(c, JsonlCustomer(R"({"id":"c1","time_zone":null,"city":""})"));
  want = store::FieldSet<store::CustomerField>::None();
  want.Set(store::CustomerField::kTimeZone);
  want.Set(store::CustomerField::kCity);
  EXPECT_EQ(c.present, want);

  // Orders: status and items.
  auto order = ParseOne(FileKind::kOrders,
                        "id,customer_id,time,amount,currency\no1,c1,2024-01-01T00:00:00Z,1,USD\n",
                        [](RowParser& p, const RawRow& r) { return p.ParseOrder(r); });
  ASSERT_THAT(order, IsOk());
  EXPECT_EQ(order->present, store::FieldSet<store::OrderField>::None());
  WINBACK_ASSERT_OK_AND_ASSIGN(store::OrderRecord o, Order("o1,c1,2024-01-01T00:00:00Z,1,USD,,"));
  store::FieldSet<store::OrderField> status_and_items = store::FieldSet<store::OrderField>::All();
  status_and_items.Clear(store::OrderField::kCoupon);  // Order()'s header has no coupon column.
  EXPECT_EQ(o.present, status_and_items);
  WINBACK_ASSERT_OK_AND_ASSIGN(o,
                               JsonlOrder(std::string(kOrderHead) + R"("amount":"1","items":[]})"));
  store::FieldSet<store::OrderField> items_only = store::FieldSet<store::OrderField>::None();
  items_only.Set(store::OrderField::kItems);
  EXPECT_EQ(o.present, items_only);

  // Events: value and currency count as one field.
  auto event = ParseOne(FileKind::kEvents,
                        "id,customer_id,type,time,currency,text\ne1,c1,visit,2024-01-01,,\n",
                        [](RowParser& p, const RawRow& r) { return p.ParseEvent(r); });
  ASSERT_THAT(event, IsOk());
  store::FieldSet<store::EventField> want_event = store::FieldSet<store::EventField>::None();
  want_event.Set(store::EventField::kValue);
  want_event.Set(store::EventField::kText);
  EXPECT_EQ(event->present, want_event);
  WINBACK_ASSERT_OK_AND_ASSIGN(store::EventRecord e, Event("e1,c1,visit,2024-01-01,,,,,,,,"));
  EXPECT_TRUE(e.present.all());
}

}  // namespace
}  // namespace winback::ingest
