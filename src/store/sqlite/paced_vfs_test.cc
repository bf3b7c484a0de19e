#include "store/sqlite/paced_vfs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "store/open_store.h"
#include "store/sqlite/sqlite_db.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::store::sqlite {
namespace {

using ::testing::StartsWith;

// The names of the VFS stack under the connection's main database ("" when none says).
std::string VfsName(Database& db) {
  char* name = nullptr;
  sqlite3_file_control(db.handle(), "main", SQLITE_FCNTL_VFSNAME, &name);
  std::string out = name ? name : "";
  sqlite3_free(name);
  return out;
}

// `rows` rows of 3,000 bytes each (about one page each), in one transaction, left in the WAL
// (no automatic checkpoint); row k holds k written out in 3,000 digits, so that a reader can
// check every byte.
void WriteRows(Database& db, int rows) {
  ASSERT_THAT(db.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                      "PRAGMA wal_autocheckpoint = 0;"
                      "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT);"
                      "BEGIN;"
                      "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < " +
                      std::to_string(rows) +
                      ") INSERT INTO t SELECT k, printf('%0*d', 3000, k) FROM n;"
                      "COMMIT;"),
              IsOk());
}

// Rows of t whose bytes are what WriteRows wrote.
std::int64_t IntactRows(Database& db) {
  return db.QueryInt("SELECT count(*) FROM t WHERE v = printf('%0*d', 3000, k)")
      .value()
      .value_or(-1);
}

TEST(PacedVfsTest, WritesACommitBackInSlicesAndKeepsEveryByte) {
  testutil::ScratchDir dir("winback_paced_vfs");
  const std::string path = dir.File("p.db");
  constexpr int kRows = 1500;  // About 6 MiB of WAL: some 23 slices of 256 KiB.
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(Database db,
                                 Database::Open(path, Access::kCreate, Writeback::kPaced));
    EXPECT_THAT(VfsName(db), StartsWith("winback-paced"));
    const std::int64_t before = PacedSlicesWritten();
    WriteRows(db, kRows);
    const std::int64_t wal_slices = PacedSlicesWritten() - before;
    EXPECT_GE(wal_slices, kRows * 3000 / kPacedSliceBytes);
    // The checkpoint writes the database file through the VFS too.
    ASSERT_THAT(db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"), IsOk());
    EXPECT_GE(PacedSlicesWritten() - before - wal_slices, kRows * 3000 / kPacedSliceBytes);
  }
  // Read back by the default VFS, from the database file alone.
  WINBACK_ASSERT_OK_AND_ASSIGN(Database db, Database::Open(path, Access::kReadOnly));
  EXPECT_THAT(VfsName(db), ::testing::Not(StartsWith("winback-paced")));
  EXPECT_EQ(IntactRows(db), kRows);
}

TEST(PacedVfsTest, TheDefaultWritebackSendsNoSlices) {
  testutil::ScratchDir dir("winback_paced_vfs");
  WINBACK_ASSERT_OK_AND_ASSIGN(Database db, Database::Open(dir.File("d.db"), Access::kCreate));
  const std::int64_t before = PacedSlicesWritten();
  WriteRows(db, 500);
  EXPECT_EQ(PacedSlicesWritten(), before);
  EXPECT_EQ(IntactRows(db), 500);
}

// The store a server writes through (every commit synced) paces its writes; an import's does
// not.
TEST(PacedVfsTest, OnlyAStoreThatSyncsEveryCommitIsPaced) {
  testutil::ScratchDir dir("winback_paced_vfs");
  auto import = [&](const std::string& path, Sync sync) {
    Result<std::unique_ptr<Store>> store =
        OpenStore(path, {.mode = OpenMode::kCreateIfMissing, .upgrade_notice = {}, .sync = sync});
    ASSERT_THAT(store, IsOk());
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, (*store)->BeginImport("paced test"));
    for (int i = 0; i < 5000; ++i) {
      CustomerRecord c;
      c.id = "customer-" + std::to_string(i);
      c.email = c.id + "@example.com";
      ASSERT_THAT(session->UpsertCustomer(c), IsOk());
    }
    ASSERT_THAT(session->Commit(), IsOk());
  };
  std::int64_t before = PacedSlicesWritten();
  import(dir.File("normal.db"), Sync::kNormal);
  EXPECT_EQ(PacedSlicesWritten(), before);
  before = PacedSlicesWritten();
  import(dir.File("full.db"), Sync::kFull);
  EXPECT_GT(PacedSlicesWritten(), before);
}

}  // namespace
}  // namespace winback::store::sqlite
