#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace winback::server {

// The server's write-ahead log of accepted requests: a folder beside the store
// (`<store>-ingest/`) of preallocated segment files, one record per request. An Append writes a
// group's records with one pwrite at the end of the current segment and one fdatasync: it
// returns Ok once they are durable. Segments are zero-filled when created and reused once
// applied, so an append overwrites blocks the file already has: the fdatasync carries no
// metadata (no size change, no journal commit that would wait for the store's own writes), the
// cheapest durable write the file system offers. The server answers a request once it is
// logged and applies it to the store later, in larger transactions (IngestWriter); after a
// crash, the entries still in the log are read back and applied at the next start.
//
// Format (little-endian). A segment file is named by the seq of its first record, 16 hex
// digits + ".log". Its first 4096 bytes are a header: magic "WBINGLOG", version 1, a salt (a new
// one each time the segment is reset), the first seq, CRC-32C of those. Then records, back to
// back: crc (CRC-32C of salt, seq, kind, length and body), length, seq, kind, 4 zero bytes, body.
// Reading a segment stops at the first record whose checksum fails, whose seq is not the next
// one, or that does not fit: the rest is a torn write (never acknowledged) or the records of the
// segment's earlier life (another salt).
//
// Trim(through) resets every segment whose records are all <= through (a new salt: its old
// records no longer read back) and keeps up to two of them for reuse, deleting the rest; entries
// of a segment that still holds later ones stay readable until it is trimmed as a whole, so a
// start may apply an entry twice (harmless: every write is an upsert by id).
//
// One writer at a time: an exclusive flock on the folder's LOCK file, held while the log is
// open, makes a second `winback serve` on the same store fail to open it. Not thread-safe.
class IngestLog {
 public:
  struct Entry {
    std::int64_t seq = 0;   // Assigned by Append: 1, 2, 3... continuing after the stored ones.
    int kind = 0;           // What the body holds (the caller's code: an ingest::FileKind).
    std::string_view body;  // The request's body, as received.
  };
  struct Options {
    // Bytes per segment file (the header included); a group larger than one gets a segment of
    // its own size.
    std::uint64_t segment_bytes = std::uint64_t{16} << 20;
    // What the log belongs to (winback serve: the store file's device and inode), kept in the
    // folder's OWNER file. Open refuses a log that holds entries and names another owner: the
    // entries of one store must never be applied to another (a store replaced by a backup or
    // a new demo beside the log of a killed server). Empty: not checked.
    std::string owner;
  };

  // Opens or creates the log in folder `path`, reads what it holds (ForEach gives it), and makes
  // sure a segment is ready for appends. FailedPrecondition when another process holds it.
  static Result<IngestLog> Open(const std::string& path, Options options);
  static Result<IngestLog> Open(const std::string& path) { return Open(path, Options{}); }

  IngestLog(IngestLog&& other) noexcept;
  IngestLog& operator=(IngestLog&& other) noexcept;
  IngestLog(const IngestLog&) = delete;
  IngestLog& operator=(const IngestLog&) = delete;
  ~IngestLog();

  // Trims through `trim_through` (see above), then appends `entries` in order, giving each its
  // seq, and returns once they are durable. On an error none of them counts as written (their
  // seqs are handed out again).
  Status Append(std::span<Entry> entries, std::int64_t trim_through);

  // Calls fn for every entry read back when the log was opened and not trimmed since, in seq
  // order (the body is valid during the call).
  Status ForEach(const std::function<Status(const Entry&)>& fn);

  Status Trim(std::int64_t through);

  const std::string& path() const { return path_; }

 private:
  struct Segment {
    std::string name;  // File name in the folder.
    int fd = -1;
    std::uint64_t size = 0;  // File size (preallocated).
    std::uint64_t salt = 0;
    std::int64_t first_seq = 0;
    std::int64_t last_seq = 0;  // 0: no record yet.
    std::uint64_t end = 0;      // Offset after its last record.
  };
  struct Stored {  // An entry read back at Open.
    std::size_t segment;
    std::uint64_t offset;  // Of the body.
    std::uint32_t length;
    std::int64_t seq;
    int kind;
  };

  IngestLog() = default;
  void Close();
  Status Scan(Segment& s, std::vector<Stored>& out, std::size_t index);
  // Makes `s` an empty segment whose first record will be `first_seq`: new salt, new name,
  // header written and synced.
  Status Reset(Segment& s, std::int64_t first_seq);
  Result<Segment> Create(std::int64_t first_seq, std::uint64_t size);
  // A segment with room for `bytes` more, for the record of `seq`.
  Status Rotate(std::uint64_t bytes, std::int64_t seq);
  Status SyncFolder();
  // Options::owner against the OWNER file (written when the log is empty).
  Status CheckOwner();

  std::string path_;
  Options options_;
  int dir_fd_ = -1;
  int lock_fd_ = -1;
  std::vector<Segment> segments_;  // In seq order; back() takes appends.
  std::vector<Segment> spares_;    // Reset, waiting for reuse.
  std::vector<Stored> stored_;
  std::int64_t next_seq_ = 1;
  std::uint64_t salt_counter_ = 0;
};

}  // namespace winback::server
