#include "server/ingest_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "core/crc32c.h"
#include "core/random.h"
#include "fmt/core.h"

namespace winback::server {
namespace {

constexpr std::uint64_t kHeaderBytes = 4096;
constexpr std::uint64_t kRecordHeaderBytes = 24;
constexpr char kMagic[8] = {'W', 'B', 'I', 'N', 'G', 'L', 'O', 'G'};
constexpr std::uint32_t kVersion = 1;

void Put32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}
void Put64(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
}
std::uint32_t Get32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<std::uint8_t>(p[i])} << (8 * i);
  return v;
}
std::uint64_t Get64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(p[i])} << (8 * i);
  return v;
}

// The checksum of a record: salt, seq, kind and length (as stored), then the body.
std::uint32_t RecordCrc(std::uint64_t salt, const char* header, std::string_view body) {
  char salted[8];
  Put64(salted, salt);
  std::uint32_t crc = Crc32c(std::string_view(salted, 8));
  crc = Crc32cExtend(crc, std::string_view(header + 4, kRecordHeaderBytes - 4));
  return Crc32cExtend(crc, body);
}

Status Errno(std::string_view what, const std::string& path) {
  return UnavailableError(
      fmt::format("the ingest log: {} {}: {}", what, path, std::strerror(errno)));
}

Status WriteAll(int fd, const char* data, std::uint64_t n, std::uint64_t offset,
                const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("writing", path);
    }
    data += w;
    n -= static_cast<std::uint64_t>(w);
    offset += static_cast<std::uint64_t>(w);
  }
  return Status::Ok();
}

// Reads exactly n bytes at offset; false at the end of the file.
Result<bool> ReadAll(int fd, char* data, std::uint64_t n, std::uint64_t offset,
                     const std::string& path) {
  while (n > 0) {
    const ssize_t r = ::pread(fd, data, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Errno("reading", path);
    }
    if (r == 0) return false;
    data += r;
    n -= static_cast<std::uint64_t>(r);
    offset += static_cast<std::uint64_t>(r);
  }
  return true;
}

std::string SegmentName(std::int64_t first_seq) {
  return fmt::format("{:016x}.log", static_cast<std::uint64_t>(first_seq));
}

}  // namespace

IngestLog::IngestLog(IngestLog&& other) noexcept { *this = std::move(other); }

IngestLog& IngestLog::operator=(IngestLog&& other) noexcept {
  if (this != &other) {
    Close();
    path_ = std::move(other.path_);
    options_ = other.options_;
    dir_fd_ = std::exchange(other.dir_fd_, -1);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
    segments_ = std::move(other.segments_);
    spares_ = std::move(other.spares_);
    stored_ = std::move(other.stored_);
    next_seq_ = other.next_seq_;
    salt_counter_ = other.salt_counter_;
    other.segments_.clear();
    other.spares_.clear();
  }
  return *this;
}

IngestLog::~IngestLog() { Close(); }

void IngestLog::Close() {
  for (Segment& s : segments_) {
    if (s.fd >= 0) ::close(s.fd);
  }
  for (Segment& s : spares_) {
    if (s.fd >= 0) ::close(s.fd);
  }
  segments_.clear();
  spares_.clear();
  if (dir_fd_ >= 0) ::close(dir_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // Releases the flock.
  dir_fd_ = -1;
  lock_fd_ = -1;
}

Status IngestLog::SyncFolder() {
  if (::fsync(dir_fd_) != 0) return Errno("syncing the folder", path_);
  return Status::Ok();
}

Result<IngestLog> IngestLog::Open(const std::string& path, Options options) {
  IngestLog log;
  log.path_ = path;
  log.options_ = options;
  log.options_.segment_bytes = std::max(options.segment_bytes, 2 * kHeaderBytes);
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return Errno("creating", path);
  log.dir_fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (log.dir_fd_ < 0) return Errno("opening", path);
  const std::string lock = path + "/LOCK";
  log.lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (log.lock_fd_ < 0) return Errno("opening", lock);
  if (::flock(log.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return FailedPreconditionError("the ingest log " + path +
                                     " is held by another process (is another `winback serve` "
                                     "running on this store?)");
    }
    return Errno("locking", lock);
  }
  // Every segment file: data segments (a valid header with a first seq) and spares.
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return Errno("listing", path);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.size() > 4 && name.ends_with(".log")) names.push_back(name);
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    Segment s;
    s.name = name;
    const std::string file = path + "/" + name;
    s.fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    if (s.fd < 0) return Errno("opening", file);
    struct stat st {};
    if (::fstat(s.fd, &st) != 0) {
      ::close(s.fd);
      return Errno("reading the size of", file);
    }
    s.size = static_cast<std::uint64_t>(st.st_size);
    char header[kHeaderBytes];
    Result<bool> read = s.size >= 2 * kHeaderBytes ? ReadAll(s.fd, header, kHeaderBytes, 0, file)
                                                   : Result<bool>(false);
    if (!read.ok()) {
      ::close(s.fd);
      return read.status();
    }
    const bool valid = *read && std::memcmp(header, kMagic, 8) == 0 &&
                       Get32(header + 8) == kVersion &&
                       Get32(header + 28) == Crc32c(std::string_view(header, 28));
    if (valid) {
      s.salt = Get64(header + 12);
      s.first_seq = static_cast<std::int64_t>(Get64(header + 20));
    }
    if (!valid || s.first_seq <= 0) {
      log.spares_.push_back(std::move(s));  // Reset before any use.
    } else {
      log.segments_.push_back(std::move(s));
    }
  }
  std::sort(log.segments_.begin(), log.segments_.end(),
            [](const Segment& a, const Segment& b) { return a.first_seq < b.first_seq; });
  for (std::size_t i = 0; i < log.segments_.size(); ++i) {
    WINBACK_RETURN_IF_ERROR(log.Scan(log.segments_[i], log.stored_, i));
  }
  if (!log.segments_.empty()) {
    const Segment& last = log.segments_.back();
    log.next_seq_ = last.last_seq > 0 ? last.last_seq + 1 : last.first_seq;
  }
  WINBACK_RETURN_IF_ERROR(log.CheckOwner());
  if (log.segments_.empty()) {
    WINBACK_RETURN_IF_ERROR(log.Rotate(0, log.next_seq_));
  }
  // A spare ready, so that the first rotation does not zero-fill a file between two requests.
  if (log.spares_.empty()) {
    WINBACK_ASSIGN_OR_RETURN(Segment spare, log.Create(0, log.options_.segment_bytes));
    log.spares_.push_back(std::move(spare));
  }
  return log;
}

Status IngestLog::CheckOwner() {
  if (options_.owner.empty()) return Status::Ok();
  const std::string file = path_ + "/OWNER";
  std::string stored;
  if (const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    char buffer[256];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    ::close(fd);
    if (n > 0) stored.assign(buffer, static_cast<std::size_t>(n));
  }
  if (stored == options_.owner) return Status::Ok();
  if (!stored_.empty()) {
    return FailedPreconditionError(fmt::format(
        "the ingest log {} holds {} request(s) of another database file (OWNER '{}', this one "
        "'{}'): they were never applied to it; start winback serve on the database they belong "
        "to, or move the folder away to drop them",
        path_, stored_.size(), stored, options_.owner));
  }
  // Empty: it becomes this owner's.
  const std::string temp = file + ".new";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating", temp);
  Status written = WriteAll(fd, options_.owner.data(), options_.owner.size(), 0, temp);
  if (written.ok() && ::fdatasync(fd) != 0) written = Errno("syncing", temp);
  ::close(fd);
  WINBACK_RETURN_IF_ERROR(written);
  if (::rename(temp.c_str(), file.c_str()) != 0) return Errno("renaming", temp);
  return SyncFolder();
}

Status IngestLog::Scan(Segment& s, std::vector<Stored>& out, std::size_t index) {
  const std::string file = path_ + "/" + s.name;
  std::uint64_t offset = kHeaderBytes;
  std::int64_t expect = s.first_seq;
  std::string body;
  s.end = kHeaderBytes;
  s.last_seq = 0;
  while (offset + kRecordHeaderBytes <= s.size) {
    char header[kRecordHeaderBytes];
    WINBACK_ASSIGN_OR_RETURN(bool got, ReadAll(s.fd, header, kRecordHeaderBytes, offset, file));
    if (!got) break;
    const std::uint32_t length = Get32(header + 4);
    const auto seq = static_cast<std::int64_t>(Get64(header + 8));
    if (seq != expect || offset + kRecordHeaderBytes + length > s.size) break;
    body.resize(length);
    WINBACK_ASSIGN_OR_RETURN(got,
                             ReadAll(s.fd, body.data(), length, offset + kRecordHeaderBytes, file));
    if (!got || Get32(header) != RecordCrc(s.salt, header, body)) break;
    out.push_back(Stored{index, offset + kRecordHeaderBytes, length, seq,
                         static_cast<int>(Get32(header + 16))});
    s.last_seq = seq;
    ++expect;
    offset += kRecordHeaderBytes + length;
    s.end = offset;
  }
  return Status::Ok();
}

Result<IngestLog::Segment> IngestLog::Create(std::int64_t first_seq, std::uint64_t size) {
  Segment s;
  s.name = fmt::format("new-{:016x}.log",
                       Mix64(++salt_counter_ ^ static_cast<std::uint64_t>(::getpid())));
  const std::string file = path_ + "/" + s.name;
  s.fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (s.fd < 0) return Errno("creating", file);
  s.size = size;
  // Zero-filled for real (not fallocate, whose unwritten extents make the first write to each
  // block a metadata change that an fdatasync must journal).
  const std::string zeros(std::size_t{1} << 20, '\0');
  for (std::uint64_t at = 0; at < size; at += zeros.size()) {
    const std::uint64_t n = std::min<std::uint64_t>(zeros.size(), size - at);
    if (Status st = WriteAll(s.fd, zeros.data(), n, at, file); !st.ok()) {
      ::close(s.fd);
      return st;
    }
  }
  if (Status st = Reset(s, first_seq); !st.ok()) {
    ::close(s.fd);
    return st;
  }
  return s;
}

Status IngestLog::Reset(Segment& s, std::int64_t first_seq) {
  const auto now =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  s.salt = Mix64(now ^ (++salt_counter_ << 32) ^ static_cast<std::uint64_t>(::getpid()));
  s.first_seq = first_seq;
  s.last_seq = 0;
  s.end = kHeaderBytes;
  char header[kHeaderBytes] = {};
  std::memcpy(header, kMagic, 8);
  Put32(header + 8, kVersion);
  Put64(header + 12, s.salt);
  Put64(header + 20, static_cast<std::uint64_t>(first_seq));
  Put32(header + 28, Crc32c(std::string_view(header, 28)));
  const std::string old_file = path_ + "/" + s.name;
  WINBACK_RETURN_IF_ERROR(WriteAll(s.fd, header, kHeaderBytes, 0, old_file));
  if (::fdatasync(s.fd) != 0) return Errno("syncing", old_file);
  const std::string name =
      first_seq > 0 ? SegmentName(first_seq) : fmt::format("spare-{:016x}.log", s.salt);
  if (name != s.name) {
    const std::string new_file = path_ + "/" + name;
    if (::rename(old_file.c_str(), new_file.c_str()) != 0) return Errno("renaming", old_file);
    s.name = name;
  }
  return SyncFolder();
}

Status IngestLog::Rotate(std::uint64_t bytes, std::int64_t seq) {
  const std::uint64_t size = std::max(options_.segment_bytes, kHeaderBytes + bytes);
  auto fits = std::find_if(spares_.begin(), spares_.end(),
                           [&](const Segment& s) { return s.size >= size; });
  if (fits != spares_.end()) {
    Segment s = std::move(*fits);
    spares_.erase(fits);
    if (Status st = Reset(s, seq); !st.ok()) {
      spares_.push_back(std::move(s));
      return st;
    }
    segments_.push_back(std::move(s));
    return Status::Ok();
  }
  WINBACK_ASSIGN_OR_RETURN(Segment s, Create(seq, size));
  segments_.push_back(std::move(s));
  return Status::Ok();
}

Status IngestLog::Append(std::span<Entry> entries, std::int64_t trim_through) {
  // Segments wholly applied become spares; the one taking appends stays as it is.
  while (segments_.size() > 1 && segments_.front().last_seq <= trim_through) {
    Segment s = std::move(segments_.front());
    segments_.erase(segments_.begin());
    std::erase_if(stored_, [&](const Stored& e) { return e.seq <= s.last_seq; });
    for (Stored& e : stored_) --e.segment;
    if (spares_.size() < 2) {
      WINBACK_RETURN_IF_ERROR(Reset(s, 0));
      spares_.push_back(std::move(s));
    } else {
      const std::string file = path_ + "/" + s.name;
      ::close(s.fd);
      if (::unlink(file.c_str()) != 0) return Errno("deleting", file);
    }
  }
  if (entries.empty()) return Status::Ok();
  std::uint64_t bytes = 0;
  for (const Entry& e : entries) bytes += kRecordHeaderBytes + e.body.size();
  if (segments_.back().end + bytes > segments_.back().size) {
    WINBACK_RETURN_IF_ERROR(Rotate(bytes, next_seq_));
  }
  Segment& s = segments_.back();
  std::string buffer;
  buffer.reserve(bytes);
  std::int64_t seq = next_seq_;
  for (const Entry& e : entries) {
    char header[kRecordHeaderBytes] = {};
    Put32(header + 4, static_cast<std::uint32_t>(e.body.size()));
    Put64(header + 8, static_cast<std::uint64_t>(seq++));
    Put32(header + 16, static_cast<std::uint32_t>(e.kind));
    Put32(header, RecordCrc(s.salt, header, e.body));
    buffer.append(header, kRecordHeaderBytes);
    buffer.append(e.body);
  }
  const std::string file = path_ + "/" + s.name;
  WINBACK_RETURN_IF_ERROR(WriteAll(s.fd, buffer.data(), buffer.size(), s.end, file));
  if (::fdatasync(s.fd) != 0) return Errno("syncing", file);
  for (Entry& e : entries) e.seq = next_seq_++;
  s.end += bytes;
  s.last_seq = next_seq_ - 1;
  return Status::Ok();
}

Status IngestLog::ForEach(const std::function<Status(const Entry&)>& fn) {
  std::string body;
  for (const Stored& e : stored_) {
    const Segment& s = segments_[e.segment];
    body.resize(e.length);
    WINBACK_ASSIGN_OR_RETURN(bool got,
                             ReadAll(s.fd, body.data(), e.length, e.offset, path_ + "/" + s.name));
    if (!got) return InternalError("the ingest log " + path_ + ": a record vanished");
    WINBACK_RETURN_IF_ERROR(fn(Entry{e.seq, e.kind, body}));
  }
  return Status::Ok();
}

Status IngestLog::Trim(std::int64_t through) {
  WINBACK_RETURN_IF_ERROR(Append({}, through));
  // The segment taking appends too, when everything in it is applied: a new salt, so that none
  // of its records reads back.
  Segment& s = segments_.back();
  if (s.last_seq > 0 && s.last_seq <= through) {
    std::erase_if(stored_, [&](const Stored& e) { return e.seq <= s.last_seq; });
    WINBACK_RETURN_IF_ERROR(Reset(s, next_seq_));
  }
  return Status::Ok();
}

}  // namespace winback::server
