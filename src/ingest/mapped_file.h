#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace winback::ingest {

// A read-only memory mapping of a whole file. Move-only; unmapped on destruction.
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

  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

 private:
  MappedFile(void* addr, std::size_t size) : addr_(addr), size_(size) {}
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace winback::ingest
