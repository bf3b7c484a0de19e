#include "ingest/importer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kCustomersCsv =
    "id,email,first_name,last_name,country,time_zone,language,consent_email\n"
    "c1,ayse@example.com,Ayşe,Yılmaz,TR,Europe/Istanbul,tr,yes\n"
    "c2,,\"Sara, (Sarah)\",رضایی,IR,Asia/Tehran,fa,no\n"
    "c3,ig@example.com,İsmail,Işık,TR,Europe/Istanbul,tr,yes\n";

constexpr const char* kOrdersCsv =
    "id,customer_id,time,amount,currency,status\n"
    "o1,c1,2024-03-01T09:30:00+03:00,129.90,TRY,completed\n"
    "o2,c1,2024-04-01T09:30:00+03:00,70.10,TRY,completed\n"
    "o3,c2,2024-03-02T18:00:00+03:30,450000,IRR,refunded\n";

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Files are named relative to dir_, as a user names them, and messages name them so.
    cwd_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_.path());
    db_path_ = dir_.File("w.db");
    auto s = store::OpenSqliteStore(db_path_);
    ASSERT_THAT(s, IsOk());
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::current_path(cwd_);
  }

  // Writes `content` to `name` under dir_ (the working directory) and returns `name`.
  std::string Write(const std::string& name, const std::string& content) {
    const std::filesystem::path path = dir_.path() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return name;
  }

  ImportOptions Options(const std::vector<std::pair<FileKind, std::string>>& files) {
    ImportOptions o;
    for (auto& [kind, path] : files) o.files.push_back(ImportFile{kind, path, std::nullopt});
    o.rejects_dir = dir_.File("rejects");
    return o;
  }

  // Imports one orders file (after the standard customers) and returns the report.
  ImportReport ImportOrders(const std::string& orders) {
    auto r = Import(*store_, Options({{FileKind::kCustomers, Write("customers.csv", kCustomersCsv)},
                                      {FileKind::kOrders, Write("orders.csv", orders)}}));
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : ImportReport{};
  }

  // A dump of every data table, every column (the count comes from the table's schema, so a
  // column added later is compared too and no read goes past the last column), to compare store
  // states.
  std::string Dump() {
    auto db = store::sqlite::Database::Open(db_path_);
    EXPECT_THAT(db, IsOk());
    if (!db.ok()) return {};
    std::ostringstream out;
    for (const char* table : {"customers", "consents", "orders", "order_items", "events",
                              "customer_aggregates", "products"}) {
      auto count =
          db->Prepare(std::string("SELECT count(*) FROM pragma_table_info('") + table + "')");
      EXPECT_THAT(count, IsOk());
      if (!count.ok() || !*count->Step()) return {};
      const int cols = static_cast<int>(count->ColumnInt(0));
      EXPECT_GT(cols, 1) << table;
      auto stmt = db->Prepare(std::string("SELECT * FROM ") + table + " ORDER BY 1, 2");
      EXPECT_THAT(stmt, IsOk());
      if (!stmt.ok()) return {};
      out << table << " (" << cols << " columns)\n";
      while (*stmt->Step()) {
        for (int i = 0; i < cols; ++i) {
          if (stmt->IsNull(i)) {
            out << "NULL|";
          } else {
            out << stmt->ColumnText(i) << "|";
          }
        }
        out << "\n";
      }
    }
    return out.str();
  }

  void KillImportMidway(FileKind kind, const std::string& path);

  testutil::ScratchDir dir_{"winback_import_test"};
  std::filesystem::path cwd_;
  std::string db_path_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ImporterTest, ImportsCustomersOrdersAndKeepsTextByteExact) {
  ImportReport r = ImportOrders(kOrdersCsv);
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.error_count, 0);
  EXPECT_EQ(r.counts.customers_written, 3);
  EXPECT_EQ(r.counts.orders_written, 3);
  WINBACK_ASSERT_OK_AND_ASSIGN(store::CustomerProfile c2, store_->LoadCustomer("c2"));
  EXPECT_EQ(c2.record.first_name, "Sara, (Sarah)");
  EXPECT_EQ(c2.record.last_name, "رضایی");
  EXPECT_EQ(c2.aggregates.orders, 0);
  EXPECT_EQ(c2.aggregates.refunded_orders, 1);
  WINBACK_ASSERT_OK_AND_ASSIGN(store::CustomerProfile c3, store_->LoadCustomer("c3"));
  EXPECT_EQ(c3.record.first_name, "İsmail");
  EXPECT_EQ(c3.record.last_name, "Işık");
  WINBACK_ASSERT_OK_AND_ASSIGN(store::CustomerProfile c1, store_->LoadCustomer("c1"));
  EXPECT_EQ(c1.aggregates.revenue_minor, 20000);
  EXPECT_EQ(c1.aggregates.currency, "TRY");
}

TEST_F(ImporterTest, ReimportChangesNothingAndChangedRowUpdates) {
  ImportOrders(kOrdersCsv);
  const std::string before = Dump();
  ImportReport again = ImportOrders(kOrdersCsv);
  EXPECT_TRUE(again.committed);
  EXPECT_EQ(again.counts.customers_written, 0);
  EXPECT_EQ(again.counts.orders_written, 0);
  EXPECT_EQ(again.counts.aggregates_updated, 0);
  EXPECT_EQ(Dump(), before);

  std::string changed = kOrdersCsv;
  changed.replace(changed.find("70.10"), 5, "80.10");
  ImportReport update = ImportOrders(changed);
  EXPECT_EQ(update.counts.orders_written, 1);
  EXPECT_EQ(update.counts.aggregates_updated, 1);
  EXPECT_EQ(store_->LoadCustomer("c1")->aggregates.revenue_minor, 21000);
}

struct BadCase {
  const char* name;
  std::string orders;
  std::string expected;
};

TEST_F(ImporterTest, EveryBadValueGetsFileLineFieldMessage) {
  const std::string h = "id,customer_id,time,amount,currency,status,items\n";
  const std::vector<BadCase> cases = {
      {"bad date", h + "o1,c1,2024-02-30T10:00:00Z,1.00,USD,,\n",
       "orders.csv:2: time: '2024-02-30T10:00:00Z' is not a date (February 2024 has 29 days, not "
       "30)"},
      {"unknown currency", h + "o1,c1,2024-01-01T10:00:00Z,1.00,ABC,,\n",
       "orders.csv:2: currency: 'ABC' is not an ISO 4217 currency code"},
      {"negative quantity",
       h + "o1,c1,2024-01-01T10:00:00Z,1.00,USD,,\"[{\"\"sku\"\":\"\"A\"\",\"\"quantity\"\":-3,"
           "\"\"price\"\":\"\"1.00\"\"}]\"\n",
       "orders.csv:2: items: item 1: quantity -3 is negative"},
      {"unknown customer", h + "o1,c9,2024-01-01T10:00:00Z,1.00,USD,,\n",
       "orders.csv:2: customer_id: no customer 'c9' in the store or in this import"},
      {"duplicate id",
       h + "o1,c1,2024-01-01T10:00:00Z,1.00,USD,,\no1,c1,2024-01-02T10:00:00Z,1.00,USD,,\n",
       "orders.csv:3: id: duplicate id 'o1' (first on line 2)"},
      {"invalid utf-8", h + "o\xC3(1,c1,2024-01-01T10:00:00Z,1.00,USD,,\n",
       "orders.csv:2: id: invalid UTF-8 at byte 2"},
      {"unterminated quote", h + "o1,c1,2024-01-01T10:00:00Z,1.00,USD,,\"[{\n",
       "orders.csv:2: items: unterminated quoted field"},
      {"wrong column count", h + "o1,c1,2024-01-01T10:00:00Z,1.00\n",
       "orders.csv:2: row: 4 fields, expected 7 as in the header"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    ImportReport r = ImportOrders(c.orders);
    EXPECT_FALSE(r.committed);
    EXPECT_EQ(r.error_count, 1);
    EXPECT_THAT(r.errors, ElementsAre(c.expected));
    // Nothing of the import was written, not even the good customers file.
    WINBACK_ASSERT_OK_AND_ASSIGN(store::StoreStats st, store_->Stats());
    EXPECT_EQ(st.customers, 0);
    EXPECT_EQ(st.orders, 0);
  }
}

TEST_F(ImporterTest, ListsTwentyErrorsAndCountsAll) {
  std::string orders = "id,customer_id,time,amount,currency\n";
  for (int i = 0; i < 35; ++i) orders += "o" + std::to_string(i) + ",c1,2024-01-01,-1,USD\n";
  ImportReport r = ImportOrders(orders);
  EXPECT_EQ(r.error_count, 35);
  EXPECT_EQ(r.errors.size(), 20u);
  EXPECT_EQ(r.errors[0], "orders.csv:2: amount: '-1' is negative");
}

TEST_F(ImporterTest, AllowPartialImportsGoodRowsAndWritesRejects) {
  ImportOptions o = Options({{FileKind::kCustomers, Write("customers.csv", kCustomersCsv)},
                             {FileKind::kOrders, Write("orders.csv",
                                                       "id,customer_id,time,amount,currency\n"
                                                       "o1,c1,2024-01-01T00:00:00Z,5.00,USD\n"
                                                       "o2,c1,yesterday,5.00,USD\n"
                                                       "o3,c1,2024-01-02T00:00:00Z,6.00,USD\n")}});
  o.allow_partial = true;
  WINBACK_ASSERT_OK_AND_ASSIGN(ImportReport r, Import(*store_, o));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.error_count, 1);
  EXPECT_EQ(r.counts.orders_written, 2);
  const FileReport& fr = r.files[1];
  EXPECT_EQ(fr.rejected, 1);
  std::ifstream rejects(fr.rejects_path);
  std::stringstream rejected;
  rejected << rejects.rdbuf();
  EXPECT_EQ(rejected.str(), "id,customer_id,time,amount,currency\no2,c1,yesterday,5.00,USD\n");
  std::ifstream errors(fr.rejects_errors_path);
  std::string line;
  std::getline(errors, line);
  EXPECT_THAT(line, HasSubstr("orders.csv:3: time: 'yesterday' is not a date"));
}

constexpr const char* kProductsCsv =
    "sku,name,category,price,currency,launched_at,url,image_url\n"
    "TEA-1,Rize Çayı,tea,64.95,TRY,2024-03-01,https://shop.example/tea-1,\n"
    "CUP-1,\"Cup, glass\",tableware,120,TRY,2024-05-01T10:00:00+03:00,,\n";

TEST_F(ImporterTest, ProductsAreImportedIdempotentlyBySku) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ImportReport r,
      Import(*store_, Options({{FileKind::kProducts, Write("products.csv", kProductsCsv)}})));
  ASSERT_TRUE(r.committed) << (r.errors.empty() ? "" : r.errors[0]);
  EXPECT_EQ(r.counts.products_written, 2);
  EXPECT_EQ(r.files[0].written, 2);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<store::ProductRecord> products, store_->LoadProducts());
  ASSERT_EQ(products.size(), 2u);
  EXPECT_EQ(products[0].sku, "CUP-1");
  EXPECT_EQ(products[0].name, "Cup, glass");
  EXPECT_EQ(products[0].price_minor, 12000);
  EXPECT_EQ(products[1].url, "https://shop.example/tea-1");
  // The same file again writes nothing; a JSONL row without a column keeps its stored value.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      r, Import(*store_, Options({{FileKind::kProducts, Write("products.csv", kProductsCsv)}})));
  EXPECT_EQ(r.counts.products_written, 0);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      r, Import(*store_,
                Options({{FileKind::kProducts,
                          Write("products.jsonl",
                                "{\"sku\":\"TEA-1\",\"name\":\"Rize Çayı\",\"price\":70}\n")}})));
  EXPECT_EQ(r.counts.products_written, 0) << "price without currency is an error";
  ASSERT_FALSE(r.committed);
  EXPECT_THAT(r.errors, ElementsAre("products.jsonl:1: currency: missing (a price needs its "
                                    "currency)"));
  WINBACK_ASSERT_OK_AND_ASSIGN(
      r, Import(*store_, Options({{FileKind::kProducts,
                                   Write("products.jsonl",
                                         "{\"sku\":\"TEA-1\",\"name\":\"Rize Çayı\",\"price\":70,"
                                         "\"currency\":\"TRY\"}\n")}})));
  EXPECT_EQ(r.counts.products_written, 1);
  WINBACK_ASSERT_OK_AND_ASSIGN(products, store_->LoadProducts());
  EXPECT_EQ(products[1].price_minor, 7000);
  EXPECT_EQ(products[1].category, "tea");
  EXPECT_EQ(products[1].url, "https://shop.example/tea-1");
}

TEST_F(ImporterTest, ABadProductRowImportsNothing) {
  const std::string before = Dump();
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ImportReport r,
      Import(*store_,
             Options({{FileKind::kProducts, Write("products.csv",
                                                  "sku,name,price,currency,image_url\n"
                                                  "A,Apple,1.00,USD,https://x.example/a.png\n"
                                                  "B,Banana,1.00,USD,javascript:alert(1)\n"
                                                  "A,Apple again,1.00,USD,\n")}})));
  EXPECT_FALSE(r.committed);
  EXPECT_THAT(r.errors,
              ElementsAre("products.csv:3: image_url: 'javascript:alert(1)' is not an http or "
                          "https URL",
                          "products.csv:4: sku: duplicate sku 'A' (first on line 2)"));
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<store::ProductRecord> products, store_->LoadProducts());
  EXPECT_TRUE(products.empty());
  EXPECT_EQ(Dump(), before);
  // --allow-partial keeps the good row and writes the bad ones to the rejects file.
  ImportOptions o = Options({{FileKind::kProducts, "products.csv"}});
  o.allow_partial = true;
  WINBACK_ASSERT_OK_AND_ASSIGN(r, Import(*store_, o));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(r.files[0].rejected, 2);
  WINBACK_ASSERT_OK_AND_ASSIGN(products, store_->LoadProducts());
  EXPECT_EQ(products.size(), 1u);
  std::ifstream rejects(r.files[0].rejects_path);
  std::stringstream rejected;
  rejected << rejects.rdbuf();
  EXPECT_EQ(rejected.str(),
            "sku,name,price,currency,image_url\nB,Banana,1.00,USD,javascript:alert(1)\n"
            "A,Apple again,1.00,USD,\n");
}

TEST_F(ImporterTest, OrderCouponsAreStoredAndAnAbsentColumnKeepsThem) {
  ImportOrders(
      "id,customer_id,time,amount,currency,coupon\n"
      "o1,c1,2024-03-01T09:30:00+03:00,129.90,TRY,WB-7Q2K\n"
      "o2,c1,2024-04-01T09:30:00+03:00,70.10,TRY,\n");
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::vector<store::CouponRedemption> all,
      store_->CouponRedemptions(Instant::FromUnixMicros(0), ParseTimestamp("2030-01-01")->instant));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].coupon, "WB-7Q2K");
  EXPECT_EQ(all[0].amount_minor, 12990);
  ImportOrders(kOrdersCsv);  // No coupon column: o1 keeps its coupon.
  WINBACK_ASSERT_OK_AND_ASSIGN(
      all,
      store_->CouponRedemptions(Instant::FromUnixMicros(0), ParseTimestamp("2030-01-01")->instant));
  ASSERT_EQ(all.size(), 1u);
  const ImportReport r = ImportOrders(
      "id,customer_id,time,amount,currency,coupon\n"
      "o1,c1,2024-03-01T09:30:00+03:00,129.90,TRY,\"\tX\"\n");
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("orders.csv:2: coupon: U+0009")));
}

TEST_F(ImporterTest, JsonlOrdersAndEvents) {
  ImportOptions o = Options(
      {{FileKind::kCustomers, Write("customers.csv", kCustomersCsv)},
       {FileKind::kOrders,
        Write("orders.jsonl",
              "{\"id\":\"o1\",\"customer_id\":\"c1\",\"time\":\"2024-03-01T09:30:00+03:00\","
              "\"amount\":\"129.90\",\"currency\":\"TRY\",\"items\":[{\"sku\":\"TEA-1\","
              "\"quantity\":2,\"price\":\"64.95\"}]}\n"
              "{\"id\":\"o2\",\"customer_id\":\"c3\",\"time\":\"2024-03-05\",\"amount\":12.5,"
              "\"currency\":\"TRY\",\"status\":null}\n")},
       {FileKind::kEvents,
        Write("events.jsonl",
              "{\"id\":\"e1\",\"customer_id\":\"c2\",\"type\":\"review\",\"time\":"
              "\"2024-03-10T12:00:00+03:30\",\"score\":5,\"text\":\"عالی بود\"}\n")}});
  WINBACK_ASSERT_OK_AND_ASSIGN(ImportReport r, Import(*store_, o));
  ASSERT_TRUE(r.committed) << (r.errors.empty() ? "" : r.errors[0]);
  EXPECT_EQ(r.counts.orders_written, 2);
  EXPECT_EQ(r.counts.events_written, 1);
  WINBACK_ASSERT_OK_AND_ASSIGN(auto c2, store_->LoadCustomer("c2"));
  WINBACK_ASSERT_OK_AND_ASSIGN(auto events, store_->LoadEvents(c2.key));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].text, "عالی بود");
  EXPECT_EQ(store_->LoadCustomer("c3")->aggregates.revenue_minor, 1250);
}

TEST_F(ImporterTest, JsonlErrors) {
  ImportOptions o = Options({{FileKind::kCustomers, Write("c.jsonl",
                                                          "{\"id\":\"c1\"}\n[1]\n{oops\n"
                                                          "{\"id\":\"c2\",\"email\":[1]}\n")}});
  WINBACK_ASSERT_OK_AND_ASSIGN(ImportReport r, Import(*store_, o));
  EXPECT_THAT(r.errors,
              ElementsAre("c.jsonl:2: row: expected a JSON object",
                          "c.jsonl:3: row: not valid JSON (expected '\"' at byte 2)",
                          "c.jsonl:4: email: expected a string or a number, got an array"));
}

TEST_F(ImporterTest, OrdersMayReferToCustomersAlreadyStored) {
  ImportOrders(kOrdersCsv);
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ImportReport r,
      Import(*store_,
             Options({{FileKind::kOrders, Write("more.csv",
                                                "id,customer_id,time,amount,currency\n"
                                                "o9,c3,2024-06-01T00:00:00Z,1.00,TRY\n")}})));
  EXPECT_TRUE(r.committed);
  EXPECT_EQ(store_->LoadCustomer("c3")->aggregates.orders, 1);
}

// A file that names few of the stored customers looks each one up; a large one loads every
// stored customer's id first. Both resolve the same keys and reject the same unknown ids.
TEST_F(ImporterTest, CustomersResolveTheSameByLookupAndByLoadingAll) {
  std::string customers = "id,first_name\n";
  for (int i = 0; i < 400; ++i) customers += "s" + std::to_string(i) + ",Şule\n";
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ImportReport first,
      Import(*store_, Options({{FileKind::kCustomers, Write("stored.csv", customers)}})));
  ASSERT_TRUE(first.committed);

  const std::string header = "id,customer_id,time,amount,currency\n";
  std::string few = header +
                    "o1,s7,2024-06-01T00:00:00Z,1.00,TRY\n"
                    "o2,nobody,2024-06-01T00:00:00Z,1.00,TRY\n";
  std::string many = few;  // 15 KB, ~150 rows by the importer's estimate: loads all 400.
  for (int i = 3; i < 400; ++i) {
    many += "o" + std::to_string(i) + ",s" + std::to_string(i) + ",2024-06-01T00:00:00Z,1.00,TRY\n";
  }
  for (const std::string* orders : {&few, &many}) {
    SCOPED_TRACE(orders == &few ? "few" : "many");
    WINBACK_ASSERT_OK_AND_ASSIGN(
        ImportReport r, Import(*store_, Options({{FileKind::kOrders, Write("o.csv", *orders)}})));
    EXPECT_FALSE(r.committed);
    EXPECT_THAT(
        r.errors,
        ElementsAre("o.csv:3: customer_id: no customer 'nobody' in the store or in this import"));
  }
  for (const std::string* orders : {&few, &many}) {
    // Without the bad row, both commit and the orders land on the right customers.
    std::string good = *orders;
    good.erase(good.find("o2,nobody"),
               good.find('\n', good.find("o2,nobody")) - good.find("o2,nobody") + 1);
    WINBACK_ASSERT_OK_AND_ASSIGN(
        ImportReport r, Import(*store_, Options({{FileKind::kOrders, Write("o.csv", good)}})));
    EXPECT_TRUE(r.committed);
  }
  EXPECT_EQ(store_->LoadCustomer("s7")->aggregates.orders, 2);  // o1 and o7.
  EXPECT_EQ(store_->LoadCustomer("s150")->aggregates.orders, 1);
  EXPECT_EQ(store_->LoadCustomer("s399")->aggregates.orders, 1);
  EXPECT_EQ(store_->LoadCustomer("s1")->aggregates.orders, 0);
  WINBACK_ASSERT_OK_AND_ASSIGN(store::StoreStats st, store_->Stats());
  EXPECT_EQ(st.orders, 398);
}

// Files of more than one chunk (4,096 rows) are sized from their first rows: the id map, the
// customer map and the bulk load's buffers are reserved, and the pages of rows written are
// released from memory. The first rows here are long, so the estimate falls short and every
// structure must still grow past its reservation.
TEST_F(ImporterTest, LargeFilesSizedFromTheirFirstRowsKeepEveryRow) {
  constexpr int kCustomers = 5000;
  constexpr int kOrders = 40000;
  std::string customers = "id,first_name\n";
  for (int i = 0; i < kCustomers; ++i) customers += "c" + std::to_string(i) + ",Şule\n";
  std::string orders = "id,customer_id,time,amount,currency\n";
  const std::string long_prefix(200, 'L');
  for (int i = 0; i < kOrders; ++i) {
    const std::string id = (i < 5000 ? long_prefix : "o") + std::to_string(i);
    orders += id + ",c" + std::to_string(i % kCustomers) + ",2024-06-01T00:00:00Z,1.00,TRY\n";
  }
  ASSERT_GT(orders.size(), std::size_t{2} << 20);  // Past MappedFile::Release's 1 MB step.
  // A duplicate of the first id on the last line: caught after the map outgrew its reserve.
  const std::string duplicate = long_prefix + "0,c1,2024-06-02T00:00:00Z,2.00,TRY\n";
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ImportReport bad,
      Import(*store_, Options({{FileKind::kCustomers, Write("c.csv", customers)},
                               {FileKind::kOrders, Write("o.csv", orders + duplicate)}})));
  EXPECT_FALSE(bad.committed);
  EXPECT_THAT(bad.errors,
              ElementsAre("o.csv:" + std::to_string(kOrders + 2) + ": id: duplicate id '" +
                          long_prefix + "0' (first on line 2)"));

  WINBACK_ASSERT_OK_AND_ASSIGN(
      ImportReport r, Import(*store_, Options({{FileKind::kCustomers, Write("c.csv", customers)},
                                               {FileKind::kOrders, Write("o.csv", orders)}})));
  ASSERT_TRUE(r.committed);
  EXPECT_EQ(r.counts.customers_written, kCustomers);
  EXPECT_EQ(r.counts.orders_written, kOrders);
  for (int i : {0, 1, 2500, kCustomers - 1}) {
    WINBACK_ASSERT_OK_AND_ASSIGN(store::CustomerProfile c,
                                 store_->LoadCustomer("c" + std::to_string(i)));
    EXPECT_EQ(c.aggregates.orders, kOrders / kCustomers) << i;
    EXPECT_EQ(c.aggregates.revenue_minor, 100 * kOrders / kCustomers) << i;
  }
  WINBACK_ASSERT_OK_AND_ASSIGN(store::StoreStats st, store_->Stats());
  EXPECT_EQ(st.orders, kOrders);
}

TEST_F(ImporterTest, FileLevelErrors) {
  EXPECT_THAT(Import(*store_, Options({{FileKind::kOrders, dir_.File("absent.csv")}})),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(Import(*store_, Options({{FileKind::kOrders, Write("h.csv", "id,customer_id\n")}})),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "h.csv:1: header: missing required column 'time'"));
  EXPECT_THAT(Import(*store_, Options({{FileKind::kCustomers, Write("orders.csv", kOrdersCsv)}})),
              StatusIsWith(StatusCode::kInvalidArgument,
                           "orders.csv:1: header: looks like an orders file "
                           "(id,customer_id,time,amount,currency,status), not customers"));
  WINBACK_ASSERT_OK_AND_ASSIGN(store::StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 0);
  EXPECT_THAT(Import(*store_, Options({})), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Import(*store_, Options({{FileKind::kOrders, Write("a.csv", "")},
                                       {FileKind::kOrders, Write("b.csv", "")}})),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("two orders files")));
}

TEST_F(ImporterTest, UnknownColumnsAreReported) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ImportReport r,
      Import(*store_, Options({{FileKind::kCustomers, Write("c.csv", "id,shoe_size\nc1,42\n")}})));
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.files[0].unknown_columns, ElementsAre("shoe_size"));
}

TEST_F(ImporterTest, UnknownJsonlKeysAreReportedOnceEach) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      ImportReport r,
      Import(*store_, Options({{FileKind::kCustomers,
                                Write("c.jsonl",
                                      "{\"id\":\"c1\",\"e_mail\":\"a@b.c\"}\n"
                                      "{\"id\":\"c2\",\"stauts\":1,\"e_mail\":\"x\"}\n")}})));
  EXPECT_TRUE(r.committed);
  EXPECT_THAT(r.files[0].unknown_columns, ElementsAre("e_mail", "stauts"));
  EXPECT_FALSE(r.files[0].unknown_columns_truncated);
}

TEST_F(ImporterTest, RejectsOfInputsWithTheSameNameAreKeptApart) {
  ImportOptions o = Options({{FileKind::kCustomers, Write("a/data.csv",
                                                          "id,email\n"
                                                          "c1,a@b.c\n"
                                                          "c2,not-an-email\n")},
                             {FileKind::kOrders, Write("b/data.csv",
                                                       "id,customer_id,time,amount,currency\n"
                                                       "o1,c1,2024-01-01T00:00:00Z,-5.00,USD\n"
                                                       "o2,c1,2024-01-01T00:00:00Z,5.00,USD\n")}});
  o.allow_partial = true;
  WINBACK_ASSERT_OK_AND_ASSIGN(ImportReport r, Import(*store_, o));
  EXPECT_TRUE(r.committed);
  // Messages name each file as given.
  EXPECT_THAT(r.errors, ElementsAre("a/data.csv:3: email: 'not-an-email' is not an email address",
                                    "b/data.csv:2: amount: '-5.00' is negative"));
  ASSERT_EQ(r.files.size(), 2u);
  EXPECT_NE(r.files[0].rejects_path, r.files[1].rejects_path);
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  EXPECT_EQ(read(r.files[0].rejects_path), "id,email\nc2,not-an-email\n");
  EXPECT_EQ(read(r.files[1].rejects_path),
            "id,customer_id,time,amount,currency\no1,c1,2024-01-01T00:00:00Z,-5.00,USD\n");
  EXPECT_EQ(std::filesystem::path(r.files[0].rejects_path).filename(), "customers-data.csv");
  EXPECT_EQ(std::filesystem::path(r.files[1].rejects_path).filename(), "orders-data.csv");
  EXPECT_THAT(read(r.files[1].rejects_errors_path), HasSubstr("b/data.csv:2: amount"));
}

// Imports `path` in a child process and kills it once 131,072 rows are read, well inside the
// writes. The store is closed meanwhile (the child opens its own connection) and reopened.
void ImporterTest::KillImportMidway(FileKind kind, const std::string& path) {
  store_.reset();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto s = store::OpenSqliteStore(db_path_);
    if (!s.ok()) ::_exit(3);
    ImportOptions o;
    o.files.push_back(ImportFile{kind, path, std::nullopt});
    o.progress = [&](const ImportFile&, std::size_t, std::size_t, std::int64_t rows) {
      if (rows >= 131072) {  // Tell the parent, then keep going.
        const char c = 'x';
        (void)!::write(fds[1], &c, 1);
      }
    };
    (void)Import(**s, o);
    ::_exit(0);
  }
  ::close(fds[1]);
  char c = 0;
  ASSERT_EQ(::read(fds[0], &c, 1), 1) << "child never reached the middle of the import";
  ::kill(pid, SIGKILL);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  ::close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child finished before it was killed";
  auto s = store::OpenSqliteStore(db_path_);
  ASSERT_THAT(s, IsOk());
  store_ = std::move(s).value();
}

// A kill in the middle of a large import (row-by-row upserts into a non-empty table) leaves
// the store as before.
TEST_F(ImporterTest, KillDuringImportLeavesStoreUnchanged) {
  ImportOrders(kOrdersCsv);
  const std::string before = Dump();
  std::string big = "id,customer_id,time,amount,currency\n";
  for (int i = 0; i < 300000; ++i) {
    big += "k" + std::to_string(i) + ",c" + std::to_string(1 + i % 3) +
           ",2024-05-01T10:00:00Z,1.00,TRY\n";
  }
  ASSERT_NO_FATAL_FAILURE(KillImportMidway(FileKind::kOrders, Write("big.csv", big)));
  EXPECT_EQ(Dump(), before);
  WINBACK_ASSERT_OK_AND_ASSIGN(store::StoreStats st, store_->Stats());
  EXPECT_EQ(st.orders, 3);
}

// The same for a first import of customers, a bulk load whose batches reach the database
// before the commit: the store stays empty.
TEST_F(ImporterTest, KillDuringFirstCustomerImportLeavesStoreEmpty) {
  const std::string before = Dump();
  std::string big = "id,first_name,consent_email,consent_sms\n";
  for (int i = 0; i < 300000; ++i) big += "c" + std::to_string(i) + ",Ayşe,yes,no\n";
  ASSERT_NO_FATAL_FAILURE(KillImportMidway(FileKind::kCustomers, Write("big.csv", big)));
  EXPECT_EQ(Dump(), before);
  WINBACK_ASSERT_OK_AND_ASSIGN(store::StoreStats st, store_->Stats());
  EXPECT_EQ(st.customers, 0);
}

}  // namespace
}  // namespace winback::ingest
