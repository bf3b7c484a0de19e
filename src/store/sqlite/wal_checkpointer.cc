#include "store/sqlite/wal_checkpointer.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>

#include <string>
#include <utility>

namespace winback::store::sqlite {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(Database& writer, Options options) {
  WINBACK_ASSIGN_OR_RETURN(Database own,
                           Database::Open(writer.path(), Access::kReadWrite, writer.writeback()));
  // RESTART waits for the writer's transaction and for readers through the busy handler.
  WINBACK_RETURN_IF_ERROR(own.Exec("PRAGMA busy_timeout = 5000;"));
  // A connection learns that the database is in WAL mode when it first reads it; until then a
  // checkpoint is a no-op.
  WINBACK_RETURN_IF_ERROR(own.QueryInt("SELECT count(*) FROM sqlite_schema").status());
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer.handle(), std::move(own), options));
  // Replaces the automatic checkpoint, which SQLite implements as this same hook.
  sqlite3_wal_hook(c->writer_, &WalCheckpointer::OnCommit, c.get());
  return c;
}

WalCheckpointer::WalCheckpointer(sqlite3* writer, Database own, Options options)
    : writer_(writer), db_(std::move(own)), options_(options) {
  // The thread takes no signals: a process that waits for SIGTERM on a thread of its own
  // (winback serve) blocks it only after opening its store, and a signal delivered here would
  // take its default action. The thread inherits the mask in force when it is created.
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  thread_ = std::thread([this] { Loop(); });
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    MutexLock lock(&mu_);
    stop_ = true;
    wake_.SignalAll();
  }
  thread_.join();
}

int WalCheckpointer::checkpoints() const {
  MutexLock lock(&mu_);
  return checkpoints_;
}

int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* /*schema*/, int frames) {
  auto* c = static_cast<WalCheckpointer*>(self);
  {
    MutexLock lock(&c->mu_);
    if (frames < c->checkpointed_) c->checkpointed_ = 0;  // The WAL started over.
    c->frames_ = frames;
    if (frames < c->options_.restart_frames) {
      if (frames - c->checkpointed_ >= c->options_.checkpoint_frames) c->wake_.Signal();
      return SQLITE_OK;
    }
    // Between two of the writer's transactions, copy what the thread has not copied yet, so
    // that the writer's next transaction starts the WAL over. One checkpoint at a time (a
    // second one would get SQLITE_BUSY): wait for the thread's to end, and keep it from
    // starting another.
    c->restart_pending_ = true;
    while (c->checkpointing_) c->idle_.Wait(&c->mu_);
  }
  int log = 0, copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  MutexLock lock(&c->mu_);
  c->restart_pending_ = false;
  ++c->checkpoints_;
  if (rc == SQLITE_OK && copied >= 0) c->checkpointed_ = copied;
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  while (true) {
    int frames = 0;
    {
      MutexLock lock(&mu_);
      while ((frames_ - checkpointed_ < options_.checkpoint_frames || restart_pending_) && !stop_) {
        wake_.Wait(&mu_);
      }
      if (stop_) return;
      frames = frames_;
      checkpointing_ = true;
    }
    int log = 0, copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    MutexLock lock(&mu_);
    checkpointing_ = false;
    idle_.SignalAll();
    ++checkpoints_;
    // A failed checkpoint (SQLITE_BUSY while another connection checkpoints; I/O errors, which
    // the writer's own commits report) is tried again after `checkpoint_frames` more frames.
    const int done = rc == SQLITE_OK && copied >= 0 ? copied : frames;
    if (frames_ >= done) checkpointed_ = done;
  }
}

}  // namespace winback::store::sqlite
