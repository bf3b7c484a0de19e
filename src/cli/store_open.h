#pragma once

#include <memory>

#include "cli/commands.h"
#include "core/status.h"
#include "store/store.h"

namespace winback::cli {

// Opens the database a read command works on (config + --db); NotFound when it does not exist.
Result<std::unique_ptr<store::Store>> OpenExistingStore(const GlobalOptions& globals);

}  // namespace winback::cli
