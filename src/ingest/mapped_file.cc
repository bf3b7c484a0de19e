#include "ingest/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace winback::ingest {

Result<MappedFile> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return NotFoundError("'" + path + "': no such file");
    return UnavailableError("'" + path + "': " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return UnavailableError("'" + path + "': " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return InvalidArgumentError("'" + path + "' is a directory, not a file");
  }
  if (!S_ISREG(st.st_mode)) {
    // A pipe or a device: its size is not known in advance and it cannot be mapped.
    std::string contents;
    char buf[1 << 16];
    while (true) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        const int err = errno;
        if (err == EINTR) continue;
        ::close(fd);
        return UnavailableError("'" + path + "': " + std::strerror(err));
      }
      contents.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return MappedFile(std::move(contents));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedFile(nullptr, 0);
  }
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (addr == MAP_FAILED) return UnavailableError("'" + path + "': mmap: " + std::strerror(err));
  ::madvise(addr, size, MADV_SEQUENTIAL);
  return MappedFile(addr, size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : addr_(std::exchange(other.addr_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      released_(std::exchange(other.released_, 0)),
      read_(std::move(other.read_)) {}

void MappedFile::Release(std::size_t end) {
  static const auto kPage = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  // At least a megabyte at a time, to keep the system calls rare.
  constexpr std::size_t kMinRelease = std::size_t{1} << 20;
  end = std::min(end, size_) / kPage * kPage;
  if (addr_ == nullptr || end < released_ + kMinRelease) return;
  // Only advice: when the kernel declines, the pages just stay.
  ::madvise(static_cast<char*>(addr_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (addr_) ::munmap(addr_, size_);
    addr_ = std::exchange(other.addr_, nullptr);
    size_ = std::exchange(other.size_, 0);
    released_ = std::exchange(other.released_, 0);
    read_ = std::move(other.read_);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (addr_) ::munmap(addr_, size_);
}

}  // namespace winback::ingest
