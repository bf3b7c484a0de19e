#include "store/open_store.h"

#include <string>

#include "store/sqlite/sqlite_store.h"

namespace winback::store {

Result<std::unique_ptr<Store>> OpenStore(std::string_view location, const OpenOptions& options) {
  if (location.empty()) {
    return InvalidArgumentError("no store location given (a file path, or :memory:)");
  }
  if (const std::size_t scheme = location.find("://"); scheme != std::string_view::npos) {
    // The rest of a URL may hold a password: only the scheme is repeated.
    const std::string name(location.substr(0, scheme));
    if (name == "postgresql" || name == "postgres") {
      return InvalidArgumentError(
          "PostgreSQL stores (" + name +
          "://...) are not supported by this build yet; use a file path or :memory:");
    }
    return InvalidArgumentError("unknown store location scheme '" + name +
                                "://'; use a file path or :memory:");
  }
  return OpenSqliteStore(std::string(location), options.mode, options.upgrade_notice, options.sync);
}

}  // namespace winback::store
