#pragma once

// A SQLite VFS that writes a file back to the disk in slices as SQLite writes it, instead of
// all at once when SQLite syncs it.
//
// Why: a sync (fdatasync) of any file waits for the disk to take every write queued before
// it. The server answers an event once its ingest log is synced (server/ingest_log.h), a few
// KiB; the store's own commits and checkpoints write megabytes at once (a group of 1,400
// events touches some 3,000 pages: 12 MiB of WAL). A log sync that comes right after such a
// commit waits for all of it: measured on the benchmark machine, the log's sync took 0.36 ms
// at the median and 10 ms at the 99th percentile, and 0.9 ms at the 99th with the store idle.
//
// How: every `kSliceBytes` written to the database or its WAL, the file's written range goes
// to the disk (sync_file_range WRITE, which starts writeback and does not wait) and the
// previous slice is waited for, so that the store has at most two slices queued at the disk
// at any moment and a log sync waits for at most that much. The writer's thread pays for the
// waits; SQLite's syncs still run as before (they find little left to write), so durability
// is exactly SQLite's. A file system without sync_file_range (or a temporary file) is written
// as by the default VFS.
//
// The VFS wraps the process's default VFS ("unix") and is registered once, not as the default.

#include <cstdint>

namespace winback::store::sqlite {

// Bytes written to a file between two writebacks.
inline constexpr std::int64_t kPacedSliceBytes = 256 * 1024;

// The VFS's name for sqlite3_open_v2, registered on first use.
const char* PacedVfsName();

// Slices sent to the disk by all files of the VFS since the process started (for tests).
std::int64_t PacedSlicesWritten();

}  // namespace winback::store::sqlite
