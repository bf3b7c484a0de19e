#include "cli/store_open.h"

#include "cli/config.h"
#include "store/sqlite/sqlite_store.h"

namespace winback::cli {

Result<std::unique_ptr<store::Store>> OpenExistingStore(const GlobalOptions& globals) {
  WINBACK_ASSIGN_OR_RETURN(Config config, LoadConfig(globals));
  return store::OpenSqliteStore(DatabasePath(globals, config), store::OpenMode::kMustExist);
}

}  // namespace winback::cli
