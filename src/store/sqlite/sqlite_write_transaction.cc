#include "store/sqlite/sqlite_write_transaction.h"

#include <string>

namespace winback::store::sqlite {
namespace {

// Rows a unit of work writes carry batch 0: they come from no import.
constexpr std::int64_t kNoImport = 0;

class SqliteWriteTransaction final : public WriteTransaction {
 public:
  explicit SqliteWriteTransaction(Database& db) : db_(db) {}

  ~SqliteWriteTransaction() override {
    if (!finished_) db_.Exec("ROLLBACK").IgnoreError();  // Nothing of the unit survives.
  }

  Status SetConsent(CustomerKey key, ChannelKind channel, Consent consent) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> exists,
                             db_.QueryInt("SELECT EXISTS (SELECT 1 FROM customers WHERE cid = " +
                                          std::to_string(key.value()) + ")"));
    if (exists.value_or(0) == 0) {
      return NotFoundError("no customer with key " + std::to_string(key.value()));
    }
    if (consent == Consent::kUnknown) {
      WINBACK_ASSIGN_OR_RETURN(Statement forget,
                               db_.Prepare("DELETE FROM consents WHERE cid = ? AND channel = ?"));
      forget.BindInt(1, key.value());
      forget.BindInt(2, static_cast<std::int64_t>(channel));
      return forget.Run();
    }
    WINBACK_ASSIGN_OR_RETURN(
        Statement set,
        db_.Prepare("INSERT INTO consents (cid, channel, state, batch) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (cid, channel) DO UPDATE SET state = excluded.state, "
                    "batch = excluded.batch"));
    set.BindInt(1, key.value());
    set.BindInt(2, static_cast<std::int64_t>(channel));
    set.BindInt(3, static_cast<std::int64_t>(consent));
    set.BindInt(4, kNoImport);
    return set.Run();
  }

  Status Commit() override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    WINBACK_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    finished_ = true;
    return Status::Ok();
  }

 private:
  Status CheckOpen() const {
    if (finished_) return FailedPreconditionError("write transaction already committed");
    return Status::Ok();
  }

  Database& db_;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<WriteTransaction>> BeginSqliteWrite(Database& db) {
  WINBACK_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<WriteTransaction>(new SqliteWriteTransaction(db));
}

}  // namespace winback::store::sqlite
