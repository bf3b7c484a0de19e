#include "scoring/internal/test_business.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "ingest/importer.h"
#include "sim/simulator.h"
#include "store/sqlite/sqlite_store.h"

namespace winback::scoring::internal {

namespace fs = std::filesystem;

Result<std::unique_ptr<TestBusiness>> TestBusiness::Create(std::int64_t customers) {
  static std::atomic<int> counter{0};
  std::unique_ptr<TestBusiness> b(new TestBusiness());
  b->dir_ = (fs::temp_directory_path() / ("winback_scoring_test_" + std::to_string(::getpid()) +
                                          "_" + std::to_string(counter++)))
                .string();
  std::error_code ec;
  fs::remove_all(b->dir_, ec);
  fs::create_directories(b->dir_, ec);
  if (ec) return UnavailableError("cannot create " + b->dir_ + ": " + ec.message());
  sim::SimOptions options = sim::DefaultOptions();
  options.customers = customers;
  options.seed = 5;
  b->end_ = options.end;
  WINBACK_RETURN_IF_ERROR(sim::Simulate(options, b->dir_).status());
  const std::string db = b->dir_ + "/winback.db";
  for (int i = 0; i < 2; ++i) {
    WINBACK_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> st, store::OpenSqliteStore(db));
    b->stores_.push_back(std::move(st));
    if (i > 0) continue;
    ingest::ImportOptions import_options;
    for (const char* name : {"customers", "orders", "events"}) {
      const ingest::FileKind kind = name[0] == 'c'   ? ingest::FileKind::kCustomers
                                    : name[0] == 'o' ? ingest::FileKind::kOrders
                                                     : ingest::FileKind::kEvents;
      import_options.files.push_back({kind, b->dir_ + "/" + name + ".csv", std::nullopt});
    }
    WINBACK_ASSIGN_OR_RETURN(ingest::ImportReport report,
                             ingest::Import(*b->stores_[0], import_options));
    if (!report.committed || report.error_count > 0) {
      return InternalError("the simulated business did not import cleanly");
    }
  }
  return b;
}

TestBusiness::~TestBusiness() {
  stores_.clear();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::vector<store::Store*> TestBusiness::readers() const {
  std::vector<store::Store*> out;
  for (const auto& s : stores_) out.push_back(s.get());
  return out;
}

std::vector<store::Store*> TestBusiness::one_reader() const { return {stores_[0].get()}; }

}  // namespace winback::scoring::internal
