#pragma once

// Helpers for the cross-module model tests: scratch directories and imports into a SQLite
// store through ingest::Import, the path `winback import` takes.

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace winback::models::testing {

// A fresh directory under the system temp dir, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `text` to `path`; Unavailable on failure.
Status WriteText(const std::string& path, const std::string& text);

// Opens (creating) the SQLite store `db_path` and imports the given CSV files (empty = none)
// all-or-nothing. FailedPrecondition listing the first errors when any row is rejected.
Result<std::unique_ptr<store::Store>> ImportCsv(const std::string& db_path,
                                                const std::string& customers,
                                                const std::string& orders,
                                                const std::string& events);

}  // namespace winback::models::testing
