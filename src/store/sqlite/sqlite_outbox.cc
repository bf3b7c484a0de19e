// OutboxStore of the SQLite store (outbox_store.h). The planner's writes (AddMessage,
// PutJourney) are in sqlite_write_transaction.cc; the rows in outbox_rows.cc.
//
// Every write here is one short transaction taken with BEGIN IMMEDIATE: the write lock is held
// from the first read, so a claim's SELECT and UPDATE see the same rows another connection
// cannot change in between, and a busy database waits out the busy timeout instead of failing
// on a stale snapshot. The statements run per message are cached on the connection.
#include <algorithm>
#include <string>
#include <vector>

#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace winback::store::sqlite {
namespace {

static_assert(static_cast<int>(MessageStatus::kPlanned) == 0 &&
                  static_cast<int>(MessageStatus::kSending) == 1 &&
                  static_cast<int>(MessageStatus::kSent) == 2 &&
                  static_cast<int>(MessageStatus::kRetry) == 3 &&
                  static_cast<int>(MessageStatus::kCancelled) == 5 &&
                  static_cast<int>(MessageStatus::kUnknown) == 6,
              "the SQL below writes these statuses as numbers");

// Why message `id` could not be moved by `owner` (an UPDATE conditioned on its claim changed
// no row): NotFound when there is no such message, FailedPrecondition otherwise.
Status NotClaimedBy(Database& db, std::int64_t id, std::string_view owner) {
  WINBACK_ASSIGN_OR_RETURN(Statement * s,
                           db.Cached("SELECT status, claim_owner FROM outbox WHERE id = ?"));
  StatementReset reset(*s);
  s->BindInt(1, id);
  WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFoundError("no message with id " + std::to_string(id));
  const auto status = static_cast<MessageStatus>(s->ColumnInt(0));
  if (status == MessageStatus::kSending) {
    return FailedPreconditionError("message " + std::to_string(id) + " is claimed by '" +
                                   std::string(s->ColumnText(1)) + "', not '" + std::string(owner) +
                                   "'");
  }
  return FailedPreconditionError("message " + std::to_string(id) + " is " +
                                 std::string(MessageStatusName(status)) + ", not claimed by '" +
                                 std::string(owner) + "'");
}

// Runs a cached UPDATE whose parameters `bind` sets; returns the rows it changed.
template <typename Bind>
Result<std::int64_t> RunUpdate(Database& db, std::string_view sql, const Bind& bind) {
  WINBACK_ASSIGN_OR_RETURN(Statement * s, db.Cached(sql));
  StatementReset reset(*s);
  bind(*s);
  WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
  (void)row;  // An UPDATE without RETURNING has no rows.
  return db.changes();
}

}  // namespace

Status SqliteStore::WriteNow(std::string_view what, const std::function<Status()>& body) {
  WINBACK_RETURN_IF_ERROR(CheckCanWrite(what));
  WINBACK_ASSIGN_OR_RETURN(Statement * begin, db_.Cached("BEGIN IMMEDIATE"));
  {
    StatementReset reset(*begin);
    WINBACK_RETURN_IF_ERROR(begin->Step());
  }
  Status s = body();
  if (s.ok()) {
    Result<Statement*> commit = db_.Cached("COMMIT");
    if (commit.ok()) {
      StatementReset reset(**commit);
      s = (*commit)->Step().status();
    } else {
      s = commit.status();
    }
  }
  if (!s.ok() && !db_.autocommit()) {
    db_.Exec("ROLLBACK").IgnoreError();  // The body's (or the commit's) error is the one to report.
  }
  return s;
}

Status SqliteStore::ForEachJourney(const std::function<Status(const Journey&)>& fn) {
  // Not cached: `fn` may read through this store, even start another scan.
  WINBACK_ASSIGN_OR_RETURN(Statement s,
                           db_.Prepare(std::string("SELECT ") + kJourneyColumns +
                                       " FROM journeys ORDER BY cid, campaign, occurrence"));
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    WINBACK_RETURN_IF_ERROR(fn(ReadJourney(s)));
  }
}

Result<std::vector<Journey>> SqliteStore::LoadJourneys(CustomerKey customer) {
  WINBACK_ASSIGN_OR_RETURN(
      Statement s, db_.Prepare(std::string("SELECT ") + kJourneyColumns +
                               " FROM journeys WHERE cid = ?1 ORDER BY campaign, occurrence"));
  s.BindInt(1, customer.value());
  std::vector<Journey> out;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(ReadJourney(s));
  }
}

Status SqliteStore::ForEachMessage(const MessageFilter& filter,
                                   const std::function<Status(const OutboxMessage&)>& fn) {
  std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE 1";
  if (filter.status) sql += " AND status = ?1";
  if (!filter.campaign.empty()) sql += " AND campaign = ?2";
  if (filter.customer) sql += " AND cid = ?3";
  sql += " ORDER BY scheduled_at, id";
  WINBACK_ASSIGN_OR_RETURN(Statement s, db_.Prepare(sql));
  if (filter.status) s.BindInt(1, static_cast<std::int64_t>(*filter.status));
  if (!filter.campaign.empty()) s.BindText(2, filter.campaign);
  if (filter.customer) s.BindInt(3, filter.customer->value());
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    WINBACK_RETURN_IF_ERROR(fn(ReadMessage(s)));
  }
}

Status SqliteStore::ForEachMessageSchedule(
    const std::function<Status(CustomerKey, Instant, MessageStatus)>& fn) {
  WINBACK_ASSIGN_OR_RETURN(Statement s,
                           db_.Prepare("SELECT cid, scheduled_at, status FROM outbox"));
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    const std::int64_t status = s.ColumnInt(2);
    if (status < 0 || status >= kMessageStatusCount) {
      return InternalError("outbox: a message in status " + std::to_string(status) +
                           ", which no winback writes");
    }
    WINBACK_RETURN_IF_ERROR(fn(CustomerKey(s.ColumnInt(0)), Instant::FromUnixMicros(s.ColumnInt(1)),
                               static_cast<MessageStatus>(status)));
  }
}

Result<std::vector<OutboxMessage>> SqliteStore::ClaimDue(const ClaimRequest& request) {
  if (request.owner.empty()) return InvalidArgumentError("claim: empty owner");
  if (request.limit < 1 || request.lease_seconds < 1) {
    return InvalidArgumentError("claim by '" + request.owner + "': limit " +
                                std::to_string(request.limit) + " and lease " +
                                std::to_string(request.lease_seconds) + " s must be at least 1");
  }
  // The subquery walks outbox_due (planned and retry rows by scheduled_at, id) and stops after
  // `limit` due rows; retry rows not yet due are skipped on the way.
  static const std::string kClaim =
      std::string(
          "UPDATE outbox SET status = 1, claim_owner = ?1, lease_until = ?2, in_flight = 0 "
          "WHERE id IN (SELECT id FROM outbox WHERE status IN (0, 3) AND scheduled_at <= ?3 AND "
          "(status = 0 OR ifnull(next_attempt_at, scheduled_at) <= ?3) "
          "ORDER BY scheduled_at, id LIMIT ?4) RETURNING ") +
      kOutboxColumns;
  std::vector<OutboxMessage> claimed;
  WINBACK_RETURN_IF_ERROR(WriteNow("claim messages", [&]() -> Status {
    claimed.clear();
    WINBACK_ASSIGN_OR_RETURN(Statement * s, db_.Cached(kClaim));
    StatementReset reset(*s);
    s->BindText(1, request.owner);
    s->BindInt(2, request.now.PlusSeconds(request.lease_seconds).unix_micros());
    s->BindInt(3, request.now.unix_micros());
    s->BindInt(4, request.limit);
    while (true) {
      WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) return Status::Ok();
      claimed.push_back(ReadMessage(*s));
    }
  }));
  // RETURNING gives the rows in no promised order.
  std::sort(claimed.begin(), claimed.end(), [](const OutboxMessage& a, const OutboxMessage& b) {
    return a.scheduled_at != b.scheduled_at ? a.scheduled_at < b.scheduled_at : a.id < b.id;
  });
  return claimed;
}

Status SqliteStore::MarkInFlight(std::int64_t id, std::string_view owner, Instant lease_until) {
  return WriteNow("mark a message in flight", [&]() -> Status {
    WINBACK_ASSIGN_OR_RETURN(std::int64_t changed,
                             RunUpdate(db_,
                                       "UPDATE outbox SET in_flight = 1, lease_until = ?3 "
                                       "WHERE id = ?1 AND status = 1 AND claim_owner = ?2",
                                       [&](Statement& s) {
                                         s.BindInt(1, id);
                                         BindString(s, 2, owner);
                                         s.BindInt(3, lease_until.unix_micros());
                                       }));
    if (changed == 0) return NotClaimedBy(db_, id, owner);
    return Status::Ok();
  });
}

Status SqliteStore::RecordOutcome(std::int64_t id, std::string_view owner,
                                  const DeliveryRecord& record) {
  switch (record.status) {
    case MessageStatus::kSent:
    case MessageStatus::kRetry:
    case MessageStatus::kDead:
    case MessageStatus::kUnknown:
      break;
    default:
      return InvalidArgumentError("message " + std::to_string(id) + ": an attempt's outcome is " +
                                  "sent, retry, dead or unknown, not " +
                                  std::string(MessageStatusName(record.status)));
  }
  std::optional<std::int64_t> next_attempt_at;
  if (record.status == MessageStatus::kRetry) {
    next_attempt_at = record.next_attempt_at.value_or(record.at).unix_micros();
  }
  return WriteNow("record a delivery outcome", [&]() -> Status {
    WINBACK_ASSIGN_OR_RETURN(
        std::int64_t changed,
        RunUpdate(db_,
                  "UPDATE outbox SET status = ?3, attempts = attempts + 1, detail = ?4, "
                  "provider_id = ?5, next_attempt_at = ?6, "
                  "sent_at = CASE WHEN ?3 = 2 THEN ?7 ELSE sent_at END, "
                  "in_flight = 0, claim_owner = '', lease_until = NULL "
                  "WHERE id = ?1 AND status = 1 AND claim_owner = ?2",
                  [&](Statement& s) {
                    s.BindInt(1, id);
                    BindString(s, 2, owner);
                    s.BindInt(3, static_cast<std::int64_t>(record.status));
                    BindString(s, 4, record.detail);
                    BindString(s, 5, record.provider_id);
                    s.BindOptionalInt(6, next_attempt_at);
                    s.BindInt(7, record.at.unix_micros());
                  }));
    if (changed == 0) return NotClaimedBy(db_, id, owner);
    return Status::Ok();
  });
}

Result<std::int64_t> SqliteStore::RecoverClaims(std::optional<std::string_view> owner,
                                                Instant expired_before) {
  std::int64_t changed = 0;
  WINBACK_RETURN_IF_ERROR(WriteNow("recover claims", [&]() -> Status {
    WINBACK_ASSIGN_OR_RETURN(
        changed,
        RunUpdate(db_,
                  "UPDATE outbox SET "
                  "status = CASE WHEN in_flight = 1 THEN 6 WHEN attempts > 0 THEN 3 ELSE 0 END, "
                  "attempts = attempts + in_flight, "
                  "detail = CASE WHEN in_flight = 1 THEN 'handed to the channel by ''' || "
                  "claim_owner || ''', outcome unknown (claim recovered)' ELSE detail END, "
                  "in_flight = 0, claim_owner = '', lease_until = NULL "
                  "WHERE status = 1 AND (claim_owner = ?1 OR lease_until < ?2)",
                  [&](Statement& s) {
                    if (owner) {
                      BindString(s, 1, *owner);
                    } else {
                      s.BindNull(1);
                    }
                    s.BindInt(2, expired_before.unix_micros());
                  }));
    return Status::Ok();
  }));
  return changed;
}

Result<std::vector<std::string>> SqliteStore::ClaimOwners() {
  WINBACK_ASSIGN_OR_RETURN(
      Statement * s,
      db_.Cached("SELECT DISTINCT claim_owner FROM outbox WHERE status = 1 ORDER BY claim_owner"));
  StatementReset reset(*s);
  std::vector<std::string> owners;
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return owners;
    owners.emplace_back(s->ColumnText(0));
  }
}

Status SqliteStore::CancelMessage(std::int64_t id, std::string_view reason) {
  return WriteNow("cancel a message", [&]() -> Status {
    WINBACK_ASSIGN_OR_RETURN(
        std::int64_t changed,
        RunUpdate(db_,
                  "UPDATE outbox SET status = 5, detail = ?2, in_flight = 0, claim_owner = '', "
                  "lease_until = NULL "
                  "WHERE id = ?1 AND (status IN (0, 3) OR (status = 1 AND in_flight = 0))",
                  [&](Statement& s) {
                    s.BindInt(1, id);
                    BindString(s, 2, reason);
                  }));
    if (changed > 0) return Status::Ok();
    WINBACK_ASSIGN_OR_RETURN(Statement * s,
                             db_.Cached("SELECT status, in_flight FROM outbox WHERE id = ?"));
    StatementReset reset(*s);
    s->BindInt(1, id);
    WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return NotFoundError("no message with id " + std::to_string(id));
    const auto status = static_cast<MessageStatus>(s->ColumnInt(0));
    return FailedPreconditionError(
        "cannot cancel message " + std::to_string(id) + ": it is " +
        std::string(status == MessageStatus::kSending ? "in flight" : MessageStatusName(status)));
  });
}

Status SqliteStore::Defer(std::int64_t id, std::string_view owner, Instant scheduled_at) {
  return WriteNow("defer a message", [&]() -> Status {
    WINBACK_ASSIGN_OR_RETURN(
        std::int64_t changed,
        RunUpdate(db_,
                  "UPDATE outbox SET status = CASE WHEN attempts > 0 THEN 3 ELSE 0 END, "
                  "scheduled_at = ?3, "
                  "next_attempt_at = CASE WHEN attempts > 0 THEN ?3 ELSE NULL END, "
                  "claim_owner = '', lease_until = NULL "
                  "WHERE id = ?1 AND status = 1 AND claim_owner = ?2 AND in_flight = 0",
                  [&](Statement& s) {
                    s.BindInt(1, id);
                    BindString(s, 2, owner);
                    s.BindInt(3, scheduled_at.unix_micros());
                  }));
    if (changed > 0) return Status::Ok();
    WINBACK_ASSIGN_OR_RETURN(
        Statement * s,
        db_.Cached("SELECT status, claim_owner, in_flight FROM outbox WHERE id = ?"));
    StatementReset reset(*s);
    s->BindInt(1, id);
    WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
    if (row && s->ColumnInt(0) == static_cast<std::int64_t>(MessageStatus::kSending) &&
        s->ColumnText(1) == owner && s->ColumnInt(2) != 0) {
      return FailedPreconditionError("cannot defer message " + std::to_string(id) +
                                     ": it is in flight");
    }
    return NotClaimedBy(db_, id, owner);
  });
}

Result<std::int64_t> SqliteStore::RequeueUnknown(Instant now) {
  std::int64_t changed = 0;
  WINBACK_RETURN_IF_ERROR(WriteNow("requeue unknown messages", [&]() -> Status {
    WINBACK_ASSIGN_OR_RETURN(
        changed,
        RunUpdate(db_, "UPDATE outbox SET status = 3, next_attempt_at = ?1 WHERE status = 6",
                  [&](Statement& s) { s.BindInt(1, now.unix_micros()); }));
    return Status::Ok();
  }));
  return changed;
}

Result<std::vector<std::int64_t>> SqliteStore::CountByStatus() {
  WINBACK_ASSIGN_OR_RETURN(Statement * s,
                           db_.Cached("SELECT status, count(*) FROM outbox GROUP BY status"));
  StatementReset reset(*s);
  std::vector<std::int64_t> counts(kMessageStatusCount, 0);
  while (true) {
    WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return counts;
    const std::int64_t status = s->ColumnInt(0);
    if (status >= 0 && status < kMessageStatusCount) {
      counts[static_cast<std::size_t>(status)] = s->ColumnInt(1);
    }
  }
}

Result<OutboxMessage> SqliteStore::LoadMessage(std::string_view key) {
  static const std::string kSql =
      std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE key = ?1";
  WINBACK_ASSIGN_OR_RETURN(Statement * s, db_.Cached(kSql));
  StatementReset reset(*s);
  BindString(*s, 1, key);
  WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFoundError("no message with key '" + std::string(key) + "'");
  return ReadMessage(*s);
}

Result<std::optional<OutboxMessage>> SqliteStore::FindMessageByProviderId(
    ChannelKind channel, std::string_view provider_id) {
  if (provider_id.empty()) return std::optional<OutboxMessage>();
  static const std::string kSql = std::string("SELECT ") + kOutboxColumns +
                                  " FROM outbox WHERE channel = ?1 AND provider_id = ?2 "
                                  "ORDER BY id DESC LIMIT 1";
  WINBACK_ASSIGN_OR_RETURN(Statement * s, db_.Cached(kSql));
  StatementReset reset(*s);
  s->BindInt(1, static_cast<std::int64_t>(channel));
  BindString(*s, 2, provider_id);
  WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<OutboxMessage>();
  return std::optional<OutboxMessage>(ReadMessage(*s));
}

Result<bool> SqliteStore::RecordDeliveryReport(std::int64_t id, MessageStatus status,
                                               std::string_view detail) {
  if (status != MessageStatus::kSent && status != MessageStatus::kDead) {
    return InvalidArgumentError("delivery report for message " + std::to_string(id) + ": " +
                                std::string(MessageStatusName(status)) + " is not sent or dead");
  }
  bool changed_row = false;
  WINBACK_RETURN_IF_ERROR(WriteNow("record a delivery report", [&]() -> Status {
    WINBACK_ASSIGN_OR_RETURN(Statement * s, db_.Cached("SELECT status FROM outbox WHERE id = ?1"));
    std::int64_t current = 0;
    {
      StatementReset reset(*s);
      s->BindInt(1, id);
      WINBACK_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) return NotFoundError("no message with id " + std::to_string(id));
      current = s->ColumnInt(0);
    }
    const auto from = static_cast<MessageStatus>(current);
    if (from != MessageStatus::kSent && from != MessageStatus::kUnknown &&
        from != MessageStatus::kDead) {
      return FailedPreconditionError("message " + std::to_string(id) + " is " +
                                     std::string(MessageStatusName(from)) +
                                     "; a delivery report needs a message handed over");
    }
    if (from == MessageStatus::kDead) return Status::Ok();
    WINBACK_ASSIGN_OR_RETURN(
        std::int64_t changed,
        RunUpdate(db_,
                  "UPDATE outbox SET status = ?2, detail = ?3 WHERE id = ?1 AND "
                  "(status != ?2 OR detail != ?3)",
                  [&](Statement& u) {
                    u.BindInt(1, id);
                    u.BindInt(2, static_cast<std::int64_t>(status));
                    BindString(u, 3, detail);
                  }));
    changed_row = changed > 0;
    return Status::Ok();
  }));
  return changed_row;
}

}  // namespace winback::store::sqlite
