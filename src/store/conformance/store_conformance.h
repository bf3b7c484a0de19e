#pragma once

// The conformance suite every store backend passes: each role's contract (store.h), its
// documented error codes, atomicity and dense keys. The tests are in store_conformance_test.cc;
// a backend's test binary compiles that file (TESTS ../store/conformance/store_conformance_test.cc
// from another module) and registers how to open a fresh store, for example:
//
//   const int kRegistered = RegisterConformanceBackend(
//       {"SqliteMemory", [] { return OpenStore(":memory:"); }});
//
// Each registered backend runs every test, as StoreConformance/StoreConformanceTest.X/Name.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace winback::store::conformance {

struct ConformanceBackend {
  // A test name part: letters and digits only.
  std::string name;
  // Opens a new, empty store; called once per test. Stores opened by one test must not share
  // data with those of another.
  std::function<Result<std::unique_ptr<Store>>()> open;
};

// Adds `backend` to the backends every conformance test runs on. Call before main() runs the
// tests (from a namespace-scope initializer). Returns the number of backends so far.
int RegisterConformanceBackend(ConformanceBackend backend);

// The registered backends.
const std::vector<ConformanceBackend>& ConformanceBackends();

}  // namespace winback::store::conformance
