#pragma once

// Checkpoints on a connection and thread of their own, for a writer whose commits must stay
// short (winback serve's writer, Sync::kFull).
//
// SQLite's automatic checkpoint runs inside the commit that makes the WAL reach 1,000 frames:
// that commit copies every page of the WAL into the database file and fsyncs it before it
// returns, so one write in every few waits for a checkpoint besides its own commit (with 4 KiB
// pages and random customers, a server's group commit of a few hundred events is itself over
// 1,000 frames: every commit checkpointed). Here the writer's automatic checkpoints are off; a
// hook on its commits wakes a thread when the WAL has grown by `checkpoint_frames` frames since
// the last checkpoint, and the thread checkpoints PASSIVE on a connection of its own: it copies
// what it can, never blocks the writer (which goes on appending), and copies a page that
// several commits rewrote once. SQLite starts the WAL over at the first write after a
// checkpoint that copied everything; under load that never pauses the thread is always a few
// commits behind, so when the WAL holds `restart_frames` frames the writer's own commit hook
// copies the rest (the frames since the thread's last checkpoint: one copy of that size per
// `restart_frames` frames written) and its next transaction starts the WAL over.
// Durability does not change: a commit is durable once its WAL frames are synced (with
// synchronous=FULL, before the commit returns), checkpointed or not.

#include <memory>
#include <thread>

#include "core/mutex.h"
#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

struct sqlite3;

namespace winback::store::sqlite {

class WalCheckpointer {
 public:
  struct Options {
    // With 4 KiB pages: 32 MiB and 256 MiB of WAL.
    int checkpoint_frames = 8192;
    int restart_frames = 65536;
  };

  // Takes checkpointing over from `writer` (a read-write connection in WAL mode): turns its
  // automatic checkpoints off and opens a connection of its own to the same file. The
  // checkpointer must be destroyed before `writer` is closed (the hook points to it).
  static Result<std::unique_ptr<WalCheckpointer>> Start(Database& writer, Options options);

  // Removes the hook and ends the thread (a checkpoint in progress finishes first). The
  // writer's connection checkpoints the rest when it closes, as SQLite always does.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints run (by the thread and by the writer's hook), for tests.
  int checkpoints() const EXCLUDES(mu_);

 private:
  WalCheckpointer(sqlite3* writer, Database own, Options options);
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  void Loop() EXCLUDES(mu_);

  sqlite3* const writer_;
  Database db_;
  const Options options_;
  mutable Mutex mu_;
  CondVar wake_;                          // The thread: a checkpoint is due, or stop.
  CondVar idle_;                          // The hook: the thread's checkpoint ended.
  int frames_ GUARDED_BY(mu_) = 0;        // In the WAL after the latest commit.
  int checkpointed_ GUARDED_BY(mu_) = 0;  // Of those, copied by the latest checkpoint.
  bool stop_ GUARDED_BY(mu_) = false;
  bool checkpointing_ GUARDED_BY(mu_) = false;    // The thread is in a checkpoint.
  bool restart_pending_ GUARDED_BY(mu_) = false;  // The hook is about to checkpoint.
  int checkpoints_ GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace winback::store::sqlite
