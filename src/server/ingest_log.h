#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace winback::server {

// The server's write-ahead log of accepted requests: a SQLite database of its own beside the
// store (`<store>-ingest`), one row per request, appended a group at a time in one transaction
// with synchronous=FULL, so that an Append that returns Ok is durable (fsync'd). It lets the
// server answer a request once it is logged, and apply it to the store later in larger
// transactions (IngestWriter); after a crash, the entries not yet applied are read back and
// applied at the next start. Applied entries are deleted (Trim) in a later append's
// transaction, so the log stays small.
//
// One writer at a time: the connection holds the file's lock for as long as the log is open
// (locking_mode=EXCLUSIVE), so a second `winback serve` on the same store fails to open it
// instead of interleaving entries. Not thread-safe: one thread at a time.
class IngestLog {
 public:
  struct Entry {
    std::int64_t seq = 0;   // Assigned by Append: increasing, never reused while rows remain.
    int kind = 0;           // What the body holds (the caller's code: an ingest::FileKind).
    std::string_view body;  // The request's body, as received.
  };

  // Opens or creates the log at `path`. FailedPrecondition when another process holds it.
  static Result<IngestLog> Open(const std::string& path);

  IngestLog(IngestLog&&) = default;
  IngestLog& operator=(IngestLog&&) = default;

  // In one transaction: deletes the entries with seq <= trim_through, then appends `entries`
  // in order, giving each its seq; returns once the transaction is durable. On an error
  // nothing of it is stored (and no seq is assigned).
  Status Append(std::span<Entry> entries, std::int64_t trim_through);

  // Calls fn for every entry in seq order (the body is valid during the call).
  Status ForEach(const std::function<Status(const Entry&)>& fn);

  // Deletes the entries with seq <= through, in a transaction of its own.
  Status Trim(std::int64_t through);

  const std::string& path() const { return path_; }

 private:
  IngestLog(store::sqlite::Database db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}
  store::sqlite::Database db_;
  std::string path_;
};

}  // namespace winback::server
