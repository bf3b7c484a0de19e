#include "store/sqlite/paced_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

namespace winback::store::sqlite {
namespace {

// A file of the VFS: ours, then the default VFS's own file struct (szOsFile covers both).
struct PacedFile {
  sqlite3_file base;  // Must be first: SQLite sees a PacedFile as a sqlite3_file.
  int fd;             // Our own descriptor of the file for sync_file_range, or -1.
  // Written since the last slice: [lo, hi), `bytes` of it.
  std::int64_t lo, hi, bytes;
  // The slice sent to the disk and not yet waited for: [sent_lo, sent_hi).
  std::int64_t sent_lo, sent_hi;

  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  const sqlite3_io_methods& methods() { return *real()->pMethods; }
};

sqlite3_vfs g_vfs;
sqlite3_vfs* g_default = nullptr;
sqlite3_io_methods g_methods;
std::atomic<std::int64_t> g_slices{0};

PacedFile* Paced(sqlite3_file* f) { return reinterpret_cast<PacedFile*>(f); }

// Errors are ignored: writeback is a hint, SQLite's own sync makes the data durable.
void WaitSent(PacedFile* p) {
  if (p->sent_hi > p->sent_lo) {
    ::sync_file_range(
        p->fd, p->sent_lo, p->sent_hi - p->sent_lo,
        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
  }
  p->sent_lo = p->sent_hi = 0;
}

void SendSlice(PacedFile* p) {
  if (p->bytes == 0) return;
  ::sync_file_range(p->fd, p->lo, p->hi - p->lo, SYNC_FILE_RANGE_WRITE);
  g_slices.fetch_add(1, std::memory_order_relaxed);
  WaitSent(p);
  p->sent_lo = p->lo;
  p->sent_hi = p->hi;
  p->lo = p->hi = p->bytes = 0;
}

int Write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  PacedFile* p = Paced(f);
  const int rc = p->methods().xWrite(p->real(), data, amount, offset);
  if (rc != SQLITE_OK || p->fd < 0) return rc;
  const std::int64_t end = static_cast<std::int64_t>(offset) + amount;
  p->lo = p->bytes == 0 ? offset : std::min<std::int64_t>(p->lo, offset);
  p->hi = p->bytes == 0 ? end : std::max<std::int64_t>(p->hi, end);
  p->bytes += amount;
  if (p->bytes >= kPacedSliceBytes) SendSlice(p);
  return rc;
}

int Sync(sqlite3_file* f, int flags) {
  PacedFile* p = Paced(f);
  if (p->fd >= 0) {
    SendSlice(p);
    WaitSent(p);
  }
  return p->methods().xSync(p->real(), flags);
}

int Close(sqlite3_file* f) {
  PacedFile* p = Paced(f);
  const int rc = p->methods().xClose(p->real());
  if (p->fd >= 0) ::close(p->fd);
  return rc;
}

int FileControl(sqlite3_file* f, int op, void* arg) {
  PacedFile* p = Paced(f);
  if (op == SQLITE_FCNTL_VFSNAME) {
    // The names of the VFS stack, ours first, as SQLite's shims do.
    char* below = nullptr;
    p->methods().xFileControl(p->real(), op, &below);
    char** out = static_cast<char**>(arg);
    *out =
        below ? sqlite3_mprintf("%s/%z", g_vfs.zName, below) : sqlite3_mprintf("%s", g_vfs.zName);
    return SQLITE_OK;
  }
  return p->methods().xFileControl(p->real(), op, arg);
}

// The rest pass through.
int Read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  return Paced(f)->methods().xRead(Paced(f)->real(), data, amount, offset);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Paced(f)->methods().xTruncate(Paced(f)->real(), size);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Paced(f)->methods().xFileSize(Paced(f)->real(), size);
}
int Lock(sqlite3_file* f, int level) { return Paced(f)->methods().xLock(Paced(f)->real(), level); }
int Unlock(sqlite3_file* f, int level) {
  return Paced(f)->methods().xUnlock(Paced(f)->real(), level);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Paced(f)->methods().xCheckReservedLock(Paced(f)->real(), out);
}
int SectorSize(sqlite3_file* f) { return Paced(f)->methods().xSectorSize(Paced(f)->real()); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Paced(f)->methods().xDeviceCharacteristics(Paced(f)->real());
}
// Shared memory and memory mapping are in methods of version 2 and 3; the default VFS on
// Linux has version 3, others say so.
bool Has(sqlite3_file* f, int version) { return Paced(f)->methods().iVersion >= version; }
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  if (!Has(f, 2)) return SQLITE_IOERR_SHMMAP;
  return Paced(f)->methods().xShmMap(Paced(f)->real(), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  if (!Has(f, 2)) return SQLITE_IOERR_SHMLOCK;
  return Paced(f)->methods().xShmLock(Paced(f)->real(), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) {
  if (Has(f, 2)) Paced(f)->methods().xShmBarrier(Paced(f)->real());
}
int ShmUnmap(sqlite3_file* f, int remove) {
  if (!Has(f, 2)) return SQLITE_OK;
  return Paced(f)->methods().xShmUnmap(Paced(f)->real(), remove);
}
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (!Has(f, 3)) {
    *out = nullptr;  // No mapping: SQLite reads the page.
    return SQLITE_OK;
  }
  return Paced(f)->methods().xFetch(Paced(f)->real(), offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  if (!Has(f, 3)) return SQLITE_OK;
  return Paced(f)->methods().xUnfetch(Paced(f)->real(), offset, page);
}

int Open(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  PacedFile* p = Paced(f);
  std::memset(p, 0, sizeof(PacedFile));
  p->fd = -1;
  const int rc = g_default->xOpen(g_default, name, p->real(), flags, out_flags);
  if (rc != SQLITE_OK) return rc;  // base.pMethods stays null: SQLite calls no xClose.
  // The database and its WAL are paced; journals, temporary files and read-only opens are not.
  const bool paced = name != nullptr && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) != 0 &&
                     (flags & SQLITE_OPEN_READONLY) == 0;
  if (paced) p->fd = ::open(name, O_RDONLY | O_CLOEXEC);
  p->base.pMethods = &g_methods;
  return rc;
}

}  // namespace

const char* PacedVfsName() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_default = sqlite3_vfs_find(nullptr);
    // A copy of the default VFS (pAppData included, which its functions read) with our xOpen
    // and our files' size.
    g_vfs = *g_default;
    g_vfs.zName = "winback-paced";
    g_vfs.szOsFile = static_cast<int>(sizeof(PacedFile)) + g_default->szOsFile;
    g_vfs.xOpen = Open;
    g_vfs.pNext = nullptr;
    g_methods = sqlite3_io_methods{3,
                                   Close,
                                   Read,
                                   Write,
                                   Truncate,
                                   Sync,
                                   FileSize,
                                   Lock,
                                   Unlock,
                                   CheckReservedLock,
                                   FileControl,
                                   SectorSize,
                                   DeviceCharacteristics,
                                   ShmMap,
                                   ShmLock,
                                   ShmBarrier,
                                   ShmUnmap,
                                   Fetch,
                                   Unfetch};
    sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0);
  });
  return g_vfs.zName;
}

std::int64_t PacedSlicesWritten() { return g_slices.load(std::memory_order_relaxed); }

}  // namespace winback::store::sqlite
