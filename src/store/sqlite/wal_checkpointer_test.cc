#include "store/sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "store/open_store.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::store::sqlite {
namespace {

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("w.db");
    db_.emplace(std::move(Database::Open(path_)).value());
    ASSERT_THAT(db_->Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                          "CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB);"),
                IsOk());
  }
  void TearDown() override { db_.reset(); }

  // One transaction of `rows` rows of 3,000 bytes: about one WAL frame each.
  void Commit(int rows) {
    ASSERT_THAT(db_->Exec("BEGIN"), IsOk());
    for (int i = 0; i < rows; ++i) {
      ASSERT_THAT(db_->Exec("INSERT INTO t (v) VALUES (randomblob(3000))"), IsOk());
    }
    ASSERT_THAT(db_->Exec("COMMIT"), IsOk());
  }
  std::uintmax_t MainFileSize() const { return std::filesystem::file_size(path_); }

  testutil::ScratchDir dir_{"winback_wal_checkpointer_test"};
  std::string path_;
  std::optional<Database> db_;
};

// A commit that takes the WAL past SQLite's automatic checkpoint (1,000 frames) leaves the
// database file alone: with the checkpointer started, commits never checkpoint themselves.
TEST_F(WalCheckpointerTest, CommitsDoNotCheckpoint) {
  const std::uintmax_t before = MainFileSize();
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<WalCheckpointer> c,
      WalCheckpointer::Start(*db_, {.checkpoint_frames = 1 << 30, .restart_frames = 1 << 30}));
  Commit(1500);
  EXPECT_EQ(MainFileSize(), before);
  EXPECT_EQ(c->checkpoints(), 0);
}

// Past `checkpoint_frames`, the thread copies the WAL into the database file; the writer goes
// on committing, and after the checkpointer is gone it still works (no hook is left behind).
TEST_F(WalCheckpointerTest, CheckpointsOnItsOwnThread) {
  const std::uintmax_t before = MainFileSize();
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<WalCheckpointer> c,
        WalCheckpointer::Start(*db_, {.checkpoint_frames = 200, .restart_frames = 1 << 30}));
    Commit(300);
    // Waits for the thread (a synchronization, not a timing: the bound only stops a hang).
    for (int i = 0; i < 1000 && c->checkpoints() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GE(c->checkpoints(), 1);
  }
  EXPECT_GT(MainFileSize(), before + 300 * 3000);
  Commit(10);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<std::int64_t> rows,
                               db_->QueryInt("SELECT count(*) FROM t"));
  EXPECT_EQ(rows, 310);
}

// Under writes that never pause, RESTART lets the WAL start over: it stays near
// `restart_frames` instead of growing with everything written.
TEST_F(WalCheckpointerTest, WalStaysBoundedUnderSteadyWrites) {
  WINBACK_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<WalCheckpointer> c,
      WalCheckpointer::Start(*db_, {.checkpoint_frames = 100, .restart_frames = 400}));
  std::uintmax_t largest = 0;
  for (int i = 0; i < 120; ++i) {
    Commit(50);
    largest = std::max(largest, std::filesystem::file_size(path_ + "-wal"));
  }
  // 6,000 frames written; the WAL never held much more than restart_frames plus what the
  // writer added while a checkpoint ran.
  EXPECT_LT(largest, std::uintmax_t{2000} * 4120);
  EXPECT_GE(c->checkpoints(), 2);
}

// The store a server's writer opens (Sync::kFull) checkpoints this way; its commits stay
// durable and readable by other connections.
TEST_F(WalCheckpointerTest, FullSyncStoreUsesIt) {
  const std::string path = dir_.File("store.db");
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                               OpenSqliteStore(path, OpenMode::kCreateIfMissing, {}, Sync::kFull));
  WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store->BeginImport("one"));
  CustomerRecord c;
  c.id = "c1";
  ASSERT_THAT(session->UpsertCustomer(c), IsOk());
  ASSERT_THAT(session->Commit(), IsOk());
  Database reader = std::move(Database::Open(path, Access::kReadOnly)).value();
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<std::int64_t> n,
                               reader.QueryInt("SELECT count(*) FROM customers"));
  EXPECT_EQ(n, 1);
  WINBACK_ASSERT_OK_AND_ASSIGN(std::optional<std::int64_t> autockpt,
                               reader.QueryInt("PRAGMA wal_autocheckpoint"));
  EXPECT_EQ(autockpt, 1000);  // Per connection: only the writer's is replaced by the hook.
}

}  // namespace
}  // namespace winback::store::sqlite
