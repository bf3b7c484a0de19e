#include "store/sqlite/row_batch.h"

#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/sqlite_db.h"

namespace winback::store::sqlite {
namespace {

Database OpenMemory() {
  Result<Database> db = Database::Open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status().message();
  return std::move(db).value();
}

TEST(RowBatchTest, EveryKindOfCellReadsBackExactly) {
  Database db = OpenMemory();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (i, r, s, b, n, missing)").ok());
  Result<Statement> insert =
      db.Prepare("INSERT INTO t SELECT c0, c1, c2, c3, c4, c5 FROM winback_rows(?1)");
  ASSERT_TRUE(insert.ok()) << insert.status().message();
  RowBatch batch(5);
  const std::string blob("a\0b\xff", 4);
  batch.Int(-9'007'199'254'740'993);
  batch.Real(0.1);
  batch.Text("İstanbul ığş – تهران");
  batch.Blob(blob);
  batch.Null();
  batch.Int(2);
  batch.OptionalInt(std::nullopt);
  batch.TextOrNull("");
  batch.Blob("");
  batch.OptionalInt(5);
  ASSERT_EQ(batch.rows(), 2u);
  insert->BindRows(1, batch);
  ASSERT_TRUE(insert->Run().ok());

  Result<Statement> read = db.Prepare(
      "SELECT i, r, s, b, typeof(n), typeof(missing), typeof(r), typeof(s) FROM t ORDER BY rowid");
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(read->Step().value());
  EXPECT_EQ(read->ColumnInt(0), -9'007'199'254'740'993);
  EXPECT_EQ(read->ColumnReal(1), 0.1);
  EXPECT_EQ(read->ColumnText(2), "İstanbul ığş – تهران");
  EXPECT_EQ(read->ColumnBlob(3), blob);
  EXPECT_EQ(read->ColumnText(4), "null");
  EXPECT_EQ(read->ColumnText(5), "null");  // Beyond the batch's five columns.
  EXPECT_EQ(read->ColumnText(6), "real");
  EXPECT_EQ(read->ColumnText(7), "text");
  ASSERT_TRUE(read->Step().value());
  EXPECT_EQ(read->ColumnInt(0), 2);
  EXPECT_TRUE(read->IsNull(1));
  EXPECT_TRUE(read->IsNull(2));
  EXPECT_EQ(read->ColumnBlob(3), "");
  EXPECT_EQ(read->ColumnText(4), "integer");
  EXPECT_FALSE(read->Step().value());
}

TEST(RowBatchTest, OneStatementReplacesManyRowsAndIsReusable) {
  Database db = OpenMemory();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
  Result<Statement> upsert =
      db.Prepare("INSERT OR REPLACE INTO t (k, v) SELECT c0, c1 FROM winback_rows(?1)");
  ASSERT_TRUE(upsert.ok());
  RowBatch batch(2);
  for (int round = 0; round < 3; ++round) {
    batch.Clear();
    for (int k = 0; k < 5000; ++k) {
      batch.Int(k);
      batch.Text("round " + std::to_string(round));
    }
    upsert->BindRows(1, batch);
    ASSERT_TRUE(upsert->Run().ok());
    upsert->Reset();
  }
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM t").value(), 5000);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM t WHERE v = 'round 2'").value(), 5000);
  // An empty batch writes nothing.
  batch.Clear();
  upsert->BindRows(1, batch);
  ASSERT_TRUE(upsert->Run().ok());
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM t").value(), 5000);
}

TEST(RowBatchTest, AFailingRowRollsBackTheWholeStatement) {
  Database db = OpenMemory();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
  Result<Statement> insert = db.Prepare("INSERT INTO t SELECT c0, c1 FROM winback_rows(?1)");
  ASSERT_TRUE(insert.ok());
  RowBatch batch(2);
  batch.Int(1);
  batch.Text("one");
  batch.Int(2);
  batch.Null();  // NOT NULL violation on the second row.
  insert->BindRows(1, batch);
  const Status s = insert->Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("NOT NULL"), std::string::npos) << s.message();
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM t").value(), 0);
}

TEST(RowBatchTest, ShortLastRowAndMissingArgumentAreErrors) {
  Database db = OpenMemory();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (a, b)").ok());
  Result<Statement> insert = db.Prepare("INSERT INTO t SELECT c0, c1 FROM winback_rows(?1)");
  ASSERT_TRUE(insert.ok());
  RowBatch batch(2);
  batch.Int(1);
  EXPECT_FALSE(batch.complete());
  insert->BindRows(1, batch);
  const Status s = insert->Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("short"), std::string::npos) << s.message();
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM t").value(), 0);

  Result<Statement> bare = db.Prepare("SELECT c0 FROM winback_rows");
  EXPECT_FALSE(bare.ok());
  EXPECT_NE(bare.status().message().find("batch argument"), std::string::npos)
      << bare.status().message();
  // Anything but a RowBatch pointer reads as an empty batch.
  Result<Statement> wrong = db.Prepare("SELECT count(*) FROM winback_rows(?1)");
  ASSERT_TRUE(wrong.ok());
  wrong->BindInt(1, 12345);
  ASSERT_TRUE(wrong->Step().value());
  EXPECT_EQ(wrong->ColumnInt(0), 0);
}

}  // namespace
}  // namespace winback::store::sqlite
