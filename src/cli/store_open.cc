#include "cli/store_open.h"

#include <fmt/core.h>

#include <algorithm>

#include "cli/config.h"
#include "store/open_store.h"

namespace winback::cli {

store::UpgradeNoticeFn UpgradeNotice(const std::string& path) {
  return [path](int from, int to) {
    fmt::print(stderr,
               "winback: upgrading {} from schema version {} to {} (recomputes every customer's "
               "aggregates: about 20 s per million customers) ...\n",
               path, from, to);
  };
}

Result<std::unique_ptr<store::Store>> OpenExistingStore(const GlobalOptions& globals,
                                                        const config::Config& config) {
  const std::string path = DatabasePath(globals, config);
  return store::OpenStore(
      path, {.mode = store::OpenMode::kMustExist, .upgrade_notice = UpgradeNotice(path)});
}

Result<std::unique_ptr<store::Store>> OpenExistingStore(const GlobalOptions& globals) {
  WINBACK_ASSIGN_OR_RETURN(config::Config config, LoadConfig(globals));
  return OpenExistingStore(globals, config);
}

Result<std::vector<std::unique_ptr<store::Store>>> OpenExistingStores(const GlobalOptions& globals,
                                                                      const config::Config& config,
                                                                      int count) {
  const std::string path = DatabasePath(globals, config);
  if (path == ":memory:") count = 1;
  std::vector<std::unique_ptr<store::Store>> out;
  for (int i = 0; i < std::max(count, 1); ++i) {
    WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> s,
                             store::OpenStore(path, {.mode = store::OpenMode::kMustExist,
                                                     .upgrade_notice = UpgradeNotice(path)}));
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<store::Store*> StorePointers(const std::vector<std::unique_ptr<store::Store>>& stores) {
  std::vector<store::Store*> out;
  out.reserve(stores.size());
  for (const auto& s : stores) out.push_back(s.get());
  return out;
}

}  // namespace winback::cli
