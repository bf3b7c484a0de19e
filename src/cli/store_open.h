#pragma once

#include <memory>
#include <vector>

#include "cli/commands.h"
#include "config/config.h"
#include "core/status.h"
#include "store/open_store.h"
#include "store/store.h"

namespace winback::cli {

// Prints to stderr that `path` is being upgraded (it may take minutes on a big store).
store::UpgradeNoticeFn UpgradeNotice(const std::string& path);

// Opens the store a command reads (--db, else [store] database of `config`, see DatabasePath)
// with OpenMode::kMustExist: NotFound when it does not exist; FailedPrecondition, saying what the
// file is, when it is not a winback store (nothing is created or written then); read-only when
// this process may not write it.
Result<std::unique_ptr<store::Store>> OpenExistingStore(const GlobalOptions& globals,
                                                        const config::Config& config);

// The same for a command that reads no other setting: loads the config first (LoadConfig).
Result<std::unique_ptr<store::Store>> OpenExistingStore(const GlobalOptions& globals);

// `count` connections to that database, for commands that read it on several threads
// (score, rates); only one for ":memory:", whose connections would not share the data.
Result<std::vector<std::unique_ptr<store::Store>>> OpenExistingStores(const GlobalOptions& globals,
                                                                      const config::Config& config,
                                                                      int count);

// The Store pointers of `stores`, for the functions that take a span of readers.
std::vector<store::Store*> StorePointers(const std::vector<std::unique_ptr<store::Store>>& stores);

}  // namespace winback::cli
