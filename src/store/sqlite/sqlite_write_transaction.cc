#include "store/sqlite/sqlite_write_transaction.h"

#include <string>

#include "store/sqlite/outbox_rows.h"

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

  Status SetKindOptOut(CustomerKey key, MessageKind kind,
                       std::optional<Instant> opted_out_at) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    WINBACK_ASSIGN_OR_RETURN(std::optional<std::int64_t> exists,
                             db_.QueryInt("SELECT EXISTS (SELECT 1 FROM customers WHERE cid = " +
                                          std::to_string(key.value()) + ")"));
    if (exists.value_or(0) == 0) {
      return NotFoundError("no customer with key " + std::to_string(key.value()));
    }
    if (!opted_out_at) {
      WINBACK_ASSIGN_OR_RETURN(Statement opt_in,
                               db_.Prepare("DELETE FROM kind_optouts WHERE cid = ? AND kind = ?"));
      opt_in.BindInt(1, key.value());
      opt_in.BindInt(2, static_cast<std::int64_t>(kind));
      return opt_in.Run();
    }
    // A second opt-out keeps the first one's time.
    WINBACK_ASSIGN_OR_RETURN(
        Statement opt_out, db_.Prepare("INSERT INTO kind_optouts (cid, kind, at) VALUES (?, ?, ?) "
                                       "ON CONFLICT (cid, kind) DO NOTHING"));
    opt_out.BindInt(1, key.value());
    opt_out.BindInt(2, static_cast<std::int64_t>(kind));
    opt_out.BindInt(3, opted_out_at->unix_micros());
    return opt_out.Run();
  }

  Result<bool> AddMessage(OutboxMessage& message) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    // Checked here: the schema declares no foreign keys (bulk imports fill tables in any order).
    WINBACK_ASSIGN_OR_RETURN(Statement * exists,
                             db_.Cached("SELECT 1 FROM customers WHERE cid = ?"));
    {
      StatementReset reset(*exists);
      exists->BindInt(1, message.customer.value());
      WINBACK_ASSIGN_OR_RETURN(bool found, exists->Step());
      if (!found) {
        return NotFoundError("message '" + message.key + "': no customer with key " +
                             std::to_string(message.customer.value()));
      }
    }
    WINBACK_ASSIGN_OR_RETURN(Statement * insert, db_.Cached(kInsertMessage));
    StatementReset reset(*insert);
    BindMessage(*insert, message);
    // The key's conflict is the upsert target (nothing written); the only unique index left to
    // fail is the coupon's (outbox_by_coupon), which SQLite names by its column.
    if (Result<bool> step = insert->Step(); !step.ok()) {
      if (step.status().code() == StatusCode::kAlreadyExists &&
          step.status().message().find("outbox.coupon") != std::string::npos) {
        return AlreadyExistsError("message '" + message.key + "': coupon '" + message.coupon +
                                  "' is already another message's");
      }
      return step.status().WithContext("adding message '" + message.key + "'");
    }
    if (db_.changes() == 0) return false;
    message.id = db_.last_insert_rowid();
    return true;
  }

  Status PutJourney(const Journey& journey) override {
    WINBACK_RETURN_IF_ERROR(CheckOpen());
    WINBACK_ASSIGN_OR_RETURN(Statement * put, db_.Cached(kPutJourney));
    StatementReset reset(*put);
    BindJourney(*put, journey);
    return put->Run();
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
