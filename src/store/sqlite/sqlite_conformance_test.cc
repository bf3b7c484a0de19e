// The SQLite backend runs the store conformance suite (conformance/store_conformance.h) on a
// file and in memory.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "store/conformance/store_conformance.h"
#include "store/open_store.h"

namespace winback::store {
namespace {

// A new file for every test, under a directory removed when the binary exits.
Result<std::unique_ptr<Store>> OpenFreshFile() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() /
                              ("winback_conformance_" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                      ("winback_conformance_" + std::to_string(::getpid())),
                                  ec);
    });
    return d;
  }();
  static std::atomic<int> next{0};
  const std::string path = (dir / ("store" + std::to_string(next++) + ".db")).string();
  return OpenStore(path, OpenOptions{.mode = OpenMode::kCreateIfMissing, .upgrade_notice = {}, .sync = Sync::kNormal});
}

const int kFile = conformance::RegisterConformanceBackend({"SqliteFile", OpenFreshFile});
const int kMemory =
    conformance::RegisterConformanceBackend({"SqliteMemory", [] { return OpenStore(":memory:"); }});

}  // namespace
}  // namespace winback::store
