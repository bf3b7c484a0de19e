// Opening the SQLite store on files that are not (or not yet, or not writably) winback stores.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/scratch_dir.h"
#include "testutil/status_matchers.h"

namespace winback::store {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SqliteOpenTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_.File("other.db"); }
  // Gives back the permissions a test took away, so that dir_ can remove the folder.
  void TearDown() override {
    fs::permissions(dir_.path(), fs::perms::owner_all);
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(dir_.path(), ec)) {
      fs::permissions(f.path(), fs::perms::owner_read | fs::perms::owner_write, ec);
    }
  }

  // The bytes of `path`.
  static std::string Bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // The tables of the SQLite database at path_, read without the store.
  std::vector<std::string> Tables() {
    std::vector<std::string> out;
    Result<sqlite::Database> db = sqlite::Database::Open(path_);
    EXPECT_THAT(db, IsOk());
    if (!db.ok()) return out;
    Result<sqlite::Statement> s =
        db->Prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    EXPECT_THAT(s, IsOk());
    while (s.ok()) {
      Result<bool> row = s->Step();
      if (!row.ok() || !*row) break;
      out.emplace_back(s->ColumnText(0));
    }
    return out;
  }

  testutil::ScratchDir dir_{"winback_open_test"};
  std::string path_;
};

// Red team: a database whose user_version is negative crashed Migrate (it indexed the list of
// migrations with -1).
TEST_F(SqliteOpenTest, NegativeUserVersionIsAnErrorNotACrash) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
    ASSERT_THAT(db.Exec("PRAGMA user_version = -3"), IsOk());
    EXPECT_THAT(sqlite::Migrate(db),
                StatusIsWith(StatusCode::kFailedPrecondition,
                             HasSubstr("schema version -3, which no winback writes")));
  }
  for (OpenMode mode : {OpenMode::kCreateIfMissing, OpenMode::kMustExist}) {
    EXPECT_THAT(OpenSqliteStore(path_, mode),
                StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("schema version -3")));
  }
  EXPECT_THAT(Tables(), ::testing::IsEmpty());
}

// Red team: `winback stats --db other.db` turned an unrelated SQLite file into a winback store.
// No mode creates, migrates or writes a database that is not ours, and the error says what it
// is.
TEST_F(SqliteOpenTest, RefusesAnotherApplicationsDatabaseAndLeavesItAlone) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(sqlite::Database db, sqlite::Database::Open(path_));
    ASSERT_THAT(db.Exec("PRAGMA journal_mode = DELETE; CREATE TABLE foo (x); "
                        "CREATE TABLE bar (y); INSERT INTO foo VALUES (1)"),
                IsOk());
  }
  const std::string before = Bytes(path_);
  for (OpenMode mode : {OpenMode::kMustExist, OpenMode::kCreateIfMissing}) {
    EXPECT_THAT(OpenSqliteStore(path_, mode),
                StatusIsWith(StatusCode::kFailedPrecondition,
                             HasSubstr("is a SQLite database but not a winback store (tables: "
                                       "bar, foo")));
  }
  EXPECT_EQ(Bytes(path_), before);
  EXPECT_EQ(Tables(), (std::vector<std::string>{"bar", "foo"}));
}

// A file that is not SQLite at all (here a CSV file passed as --db) is refused unchanged.
TEST_F(SqliteOpenTest, RefusesAFileThatIsNotSqlite) {
  const std::string csv = "id,email\nc1,a@example.com\n" + std::string(600, 'x') + "\n";
  std::ofstream(path_, std::ios::binary) << csv;
  for (OpenMode mode : {OpenMode::kMustExist, OpenMode::kCreateIfMissing}) {
    EXPECT_THAT(OpenSqliteStore(path_, mode),
                StatusIsWith(StatusCode::kFailedPrecondition,
                             HasSubstr("is not a SQLite database, so not a winback store")));
  }
  EXPECT_EQ(Bytes(path_), csv);
}

// An existing empty file is no store for a read command to turn into one; an import may.
TEST_F(SqliteOpenTest, EmptyFileIsAStoreOnlyForAWriter) {
  std::ofstream(path_).close();
  EXPECT_THAT(OpenSqliteStore(path_, OpenMode::kMustExist),
              StatusIsWith(StatusCode::kFailedPrecondition, HasSubstr("is an empty database")));
  EXPECT_EQ(fs::file_size(path_), 0u);
  EXPECT_THAT(OpenSqliteStore(path_, OpenMode::kCreateIfMissing), IsOk());
  EXPECT_THAT(OpenSqliteStore(path_, OpenMode::kMustExist), IsOk());
}

// Red team: a read-only store could not be read. A store in a read-only file and directory
// (here: as user nobody when the tests run as root, who may write anything) opens for reading;
// writes are refused with a clear error.
TEST_F(SqliteOpenTest, ReadOnlyStoreCanBeRead) {
  {
    WINBACK_ASSERT_OK_AND_ASSIGN(auto store, OpenSqliteStore(path_));
    WINBACK_ASSERT_OK_AND_ASSIGN(auto session, store->BeginImport("one"));
    CustomerRecord c;
    c.id = "a";
    c.first_name = "Ayşe";
    ASSERT_THAT(session->UpsertCustomer(c), IsOk());
    ASSERT_THAT(session->Commit(), IsOk());
  }
  ASSERT_FALSE(fs::exists(path_ + "-wal"));
  for (const bool directory_too : {false, true}) {
    SCOPED_TRACE(directory_too ? "read-only file and directory" : "read-only file");
    fs::permissions(path_, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::permissions(dir_.path(), directory_too ? fs::perms::owner_read | fs::perms::owner_exec |
                                                     fs::perms::others_read | fs::perms::others_exec
                                               : fs::perms::all);
    auto read_as_another_user = [this] {
      if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) {
        std::fprintf(stderr, "cannot become user nobody\n");
        std::_Exit(3);
      }
      Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_, OpenMode::kMustExist);
      if (!store.ok()) {
        std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
        std::_Exit(1);
      }
      Result<CustomerProfile> a = (*store)->LoadCustomer("a");
      if (!a.ok() || a->record.first_name != "Ayşe") {
        std::fprintf(stderr, "read: %s\n", a.status().ToString().c_str());
        std::_Exit(2);
      }
      Result<std::unique_ptr<ImportSession>> write = (*store)->BeginImport("refused");
      if (write.ok() || write.status().code() != StatusCode::kFailedPrecondition) {
        std::fprintf(stderr, "write: %s\n", write.status().ToString().c_str());
        std::_Exit(4);
      }
      std::_Exit(0);
    };
    EXPECT_EXIT(read_as_another_user(), ::testing::ExitedWithCode(0), "");
    fs::permissions(dir_.path(), fs::perms::owner_all);
  }
}

}  // namespace
}  // namespace winback::store
