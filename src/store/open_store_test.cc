#include "store/open_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::store {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class OpenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.File("winback.db"); }

  static std::string Bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  testutil::ScratchDir dir_{"winback_open_store_test"};
  std::string path_;
};

TEST_F(OpenStoreTest, UnderstandsPathsMemoryAndRefusesOtherLocations) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> memory, OpenStore(":memory:"));
  EXPECT_FALSE(memory->read_only());
  // Even "must exist" gives a usable empty store: a new in-memory database is all it can be.
  EXPECT_THAT(OpenStore(":memory:", {.mode = OpenMode::kMustExist, .upgrade_notice = {}}), IsOk());
  EXPECT_THAT(OpenStore(path_), IsOk());
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_THAT(OpenStore(""),
              StatusIsWith(StatusCode::kInvalidArgument, HasSubstr("no store location given")));
  // The password of a URL is not repeated.
  EXPECT_THAT(OpenStore("postgresql://winback:secret@db.example.com/winback"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           AllOf(HasSubstr("PostgreSQL stores (postgresql://...) are not "
                                           "supported by this build yet"),
                                 Not(HasSubstr("secret")))));
  EXPECT_THAT(OpenStore("postgres://localhost/winback"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(OpenStore("mysql://localhost/winback"),
              StatusIsWith(StatusCode::kInvalidArgument,
                           HasSubstr("unknown store location scheme 'mysql://'")));
}

TEST_F(OpenStoreTest, MustExistCreatesNothing) {
  EXPECT_THAT(OpenStore(path_, {.mode = OpenMode::kMustExist, .upgrade_notice = {}}),
              StatusIsWith(StatusCode::kNotFound, HasSubstr("no winback database")));
  EXPECT_THAT(OpenStore(path_, {.mode = OpenMode::kReadOnly, .upgrade_notice = {}}),
              StatusIs(StatusCode::kNotFound));
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_THAT(OpenStore(dir_.path().string(), {.mode = OpenMode::kMustExist, .upgrade_notice = {}}),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("is a directory")));
}

// kReadOnly reads a store and writes nothing to it, not even a journal mode or an upgrade.
TEST_F(OpenStoreTest, ReadOnlyModeReadsAndRefusesEveryWrite) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(path_));
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store->BeginImport("one"));
    CustomerRecord c;
    c.id = "a";
    ASSERT_THAT(session->UpsertCustomer(c), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  const std::string before = Bytes(path_);
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<Store> store,
        OpenStore(path_, {.mode = OpenMode::kReadOnly, .upgrade_notice = {}}));
    EXPECT_TRUE(store->read_only());
    EXPECT_THAT(store->LoadCustomer("a"), IsOk());
    EXPECT_THAT(store->BeginImport("no"),
                StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("is open read-only")));
    EXPECT_THAT(store->BeginWrite(), StatusIs(StatusCode::kFailedPrecondition));
    EXPECT_THAT(store->BeginScores(Date::FromYmd(2024, 6, 30).value()),
                StatusIs(StatusCode::kFailedPrecondition));
  }
  EXPECT_EQ(Bytes(path_), before);
}

// An older store opened read-only is not upgraded: the error says what to do.
TEST_F(OpenStoreTest, ReadOnlyOpenOfAnOlderStoreSaysItNeedsAnUpgrade) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
    ASSERT_THAT(sqlite::Migrate(db, 3), IsOk());
  }
  std::vector<std::pair<int, int>> notices;
  EXPECT_THAT(
      OpenStore(path_, {.mode = OpenMode::kReadOnly,
                        .upgrade_notice = [&notices](int from,
                                                     int to) { notices.emplace_back(from, to); }}),
      StatusIsWith(StatusCode::kFailedPrecondition,
                   HasSubstr("has schema version 3 and needs an upgrade")));
  EXPECT_TRUE(notices.empty());
  WINBACK_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> upgraded,
                               OpenStore(path_, {.mode = OpenMode::kMustExist,
                                                 .upgrade_notice = [&notices](int from, int to) {
                                                   notices.emplace_back(from, to);
                                                 }}));
  EXPECT_EQ(upgraded->schema_version(), sqlite::kSchemaVersion);
  EXPECT_EQ(notices, (std::vector<std::pair<int, int>>{{3, sqlite::kSchemaVersion}}));
}

}  // namespace
}  // namespace winback::store
