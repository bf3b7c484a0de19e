#include "tests/models/test_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ingest/importer.h"
#include "store/sqlite/sqlite_store.h"

namespace winback::models::testing {

ScratchDir::ScratchDir(const std::string& name) {
  path_ = (std::filesystem::temp_directory_path() /
           ("winback_" + name + "_" + std::to_string(::getpid())))
              .string();
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  std::filesystem::create_directories(path_, ec);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return UnavailableError("cannot write " + path);
  return Status::Ok();
}

Result<std::unique_ptr<store::Store>> ImportCsv(const std::string& db_path,
                                                const std::string& customers,
                                                const std::string& orders,
                                                const std::string& events) {
  WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, store::OpenSqliteStore(db_path));
  ingest::ImportOptions options;
  if (!customers.empty()) options.files.push_back({ingest::FileKind::kCustomers, customers, {}});
  if (!orders.empty()) options.files.push_back({ingest::FileKind::kOrders, orders, {}});
  if (!events.empty()) options.files.push_back({ingest::FileKind::kEvents, events, {}});
  WINBACK_ASSIGN_OR_RETURN(ingest::ImportReport report, ingest::Import(*db, options));
  if (!report.committed || report.error_count > 0) {
    std::string message = "import failed with " + std::to_string(report.error_count) + " errors";
    for (const std::string& e : report.errors) message += "\n  " + e;
    return FailedPreconditionError(message);
  }
  return db;
}

}  // namespace winback::models::testing
