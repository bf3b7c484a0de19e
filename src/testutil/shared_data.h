#pragma once

// Tests that read the public data sets in ../shared/data (CDNOW, ...), which live next to the
// repository rather than in it. Run locally without them, such a test skips with a message
// naming the missing directory. CI has them, so it sets WINBACK_REQUIRE_SHARED_DATA=1
// (.ci/run), and then a missing data set fails the test instead of skipping it silently.

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace winback::testutil {

// True when the environment variable WINBACK_REQUIRE_SHARED_DATA is "1".
inline bool SharedDataRequired() {
  const char* value = std::getenv("WINBACK_REQUIRE_SHARED_DATA");
  return value != nullptr && std::strcmp(value, "1") == 0;
}

}  // namespace winback::testutil

// In a test body: skips (or, with WINBACK_REQUIRE_SHARED_DATA=1, fails) the test when `dir`
// does not exist. Paths are relative to the repository root, ctest's working directory.
#define WINBACK_REQUIRE_SHARED_DATA_DIR(dir)                                                    \
  do {                                                                                          \
    if (!std::filesystem::exists(dir)) {                                                        \
      if (::winback::testutil::SharedDataRequired()) {                                          \
        FAIL() << (dir) << " not found (cwd " << std::filesystem::current_path().string()       \
               << ") and WINBACK_REQUIRE_SHARED_DATA=1: the shared data set is required here";  \
      }                                                                                         \
      GTEST_SKIP() << "skipped: " << (dir) << " not found (run from the repository root "       \
                   << "next to ../shared/data; WINBACK_REQUIRE_SHARED_DATA=1 makes this fail)"; \
    }                                                                                           \
  } while (false)
