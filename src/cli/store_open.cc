#include "cli/store_open.h"

#include <algorithm>

#include "cli/config.h"
#include "store/sqlite/sqlite_store.h"

namespace winback::cli {

Result<std::unique_ptr<store::Store>> OpenExistingStore(const GlobalOptions& globals) {
  WINBACK_ASSIGN_OR_RETURN(Config config, LoadConfig(globals));
  return store::OpenSqliteStore(DatabasePath(globals, config), store::OpenMode::kMustExist);
}

Result<std::vector<std::unique_ptr<store::Store>>> OpenExistingStores(const GlobalOptions& globals,
                                                                      int count) {
  WINBACK_ASSIGN_OR_RETURN(Config config, LoadConfig(globals));
  const std::string path = DatabasePath(globals, config);
  if (path == ":memory:") count = 1;
  std::vector<std::unique_ptr<store::Store>> out;
  for (int i = 0; i < std::max(count, 1); ++i) {
    WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> s,
                             store::OpenSqliteStore(path, store::OpenMode::kMustExist));
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<store::Store*> StorePointers(const std::vector<std::unique_ptr<store::Store>>& stores) {
  std::vector<store::Store*> out;
  for (const auto& s : stores) out.push_back(s.get());
  return out;
}

}  // namespace winback::cli
