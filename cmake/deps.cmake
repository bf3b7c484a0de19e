# Every third-party dependency is found here, in one place. All come from Debian packages
# installed by scripts/install-deps. The one download at build time is the HTML report's chart
# code: npm installs the version pinned in src/report/assets/package-lock.json (src/report).
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_package(date REQUIRED)            # howardhinnant-date: date::date, date::date-tz
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(Boost 1.74 REQUIRED)      # header-only Boost.Math
find_package(Eigen3 REQUIRED NO_MODULE)
find_program(NPM_EXECUTABLE npm REQUIRED)  # Chart.js for the HTML report (src/report)
if(WINBACK_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(WINBACK_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
