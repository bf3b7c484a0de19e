#pragma once

// For the scoring tests: a small simulated business imported into a SQLite file, open on two
// connections (the readers a scoring job takes).

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace winback::scoring::internal {

class TestBusiness {
 public:
  // Simulates `customers` customers (sim::DefaultOptions, seed 5) into a fresh temporary
  // directory and imports them. Errors: the simulator's, the importer's and the store's.
  static Result<std::unique_ptr<TestBusiness>> Create(std::int64_t customers);

  ~TestBusiness();  // removes the directory
  TestBusiness(const TestBusiness&) = delete;
  TestBusiness& operator=(const TestBusiness&) = delete;

  // The last simulated day: the natural score date.
  Date end() const { return end_; }
  store::Store& store() { return *stores_[0]; }
  // Both connections, for the functions that take readers.
  std::vector<store::Store*> readers() const;
  // One connection only.
  std::vector<store::Store*> one_reader() const;

 private:
  TestBusiness() = default;

  std::string dir_;
  Date end_;
  std::vector<std::unique_ptr<store::Store>> stores_;
};

}  // namespace winback::scoring::internal
