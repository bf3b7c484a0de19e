#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace winback::ingest {

// A read-only memory mapping of a whole file; a file that cannot be mapped (a pipe, /dev/stdin,
// a FIFO) is read to its end into memory instead. Move-only; unmapped on destruction.
class MappedFile {
 public:
  // NotFound when the file does not exist, InvalidArgument for a directory, Unavailable for
  // other I/O errors. An empty file maps to an empty view.
  static Result<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view data() const {
    if (addr_ == nullptr) return read_;
    return {static_cast<const char*>(addr_), size_};
  }

  // Tells the kernel the bytes before `end` will not be read again, so their pages leave this
  // process's memory (a 10M-order file is 650 MB). They stay readable: a later read faults
  // them back in from the file. Cheap to call often: only whole pages not yet released go.
  // Does nothing for a file that was read rather than mapped.
  void Release(std::size_t end);

 private:
  MappedFile(void* addr, std::size_t size) : addr_(addr), size_(size) {}
  explicit MappedFile(std::string read) : read_(std::move(read)) {}
  void* addr_ = nullptr;
  std::size_t size_ = 0;
  std::size_t released_ = 0;  // Bytes from the start already released; a multiple of the page.
  std::string read_;          // The contents of a file that was read, not mapped.
};

}  // namespace winback::ingest
