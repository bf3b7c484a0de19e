# Every third-party dependency is found here, in one place. All come from Debian packages
# installed by scripts/install-deps. The one download at build time is the HTML report's chart
# code: npm installs the version pinned in src/report/assets/package-lock.json (src/report).
# -DWINBACK_CHARTS=OFF builds without it (no npm, no network): reports then have tables only.
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_package(date REQUIRED)            # howardhinnant-date: date::date, date::date-tz
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(Boost 1.74 REQUIRED)      # header-only Boost.Math
find_package(Eigen3 REQUIRED NO_MODULE)
find_package(CURL REQUIRED)            # libcurl: the smtp and HTTP channels (src/channels)
find_package(OpenSSL REQUIRED)         # HMAC-SHA256 for signed links and webhooks
# kainjow mustache (templates, src/messages) is one header without a CMake package.
find_path(KAINJOW_MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)
add_library(kainjow_mustache INTERFACE IMPORTED)
set_target_properties(kainjow_mustache PROPERTIES
                      INTERFACE_INCLUDE_DIRECTORIES "${KAINJOW_MUSTACHE_INCLUDE_DIR}")
# libopendkim (DKIM signing of email, src/messages) ships a pkg-config file but no CMake package.
find_path(OPENDKIM_INCLUDE_DIR opendkim/dkim.h REQUIRED)
find_library(OPENDKIM_LIBRARY opendkim REQUIRED)
add_library(opendkim::opendkim UNKNOWN IMPORTED)
set_target_properties(opendkim::opendkim PROPERTIES
                      IMPORTED_LOCATION "${OPENDKIM_LIBRARY}"
                      INTERFACE_INCLUDE_DIRECTORIES "${OPENDKIM_INCLUDE_DIR}")
# cpp-httplib (the HTTP server, src/server) is a compiled library in Debian with a pkg-config
# file; it is built with OpenSSL, so `winback serve --tls-cert` needs no other dependency.
find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)
find_library(HTTPLIB_LIBRARY cpp-httplib REQUIRED)
add_library(httplib::httplib UNKNOWN IMPORTED)
set_target_properties(httplib::httplib PROPERTIES
                      IMPORTED_LOCATION "${HTTPLIB_LIBRARY}"
                      INTERFACE_INCLUDE_DIRECTORIES "${HTTPLIB_INCLUDE_DIR}"
                      INTERFACE_COMPILE_DEFINITIONS "CPPHTTPLIB_OPENSSL_SUPPORT;CPPHTTPLIB_ZLIB_SUPPORT;CPPHTTPLIB_BROTLI_SUPPORT")
# libsodium (dashboard passwords: crypto_pwhash, src/server).
find_path(SODIUM_INCLUDE_DIR sodium.h REQUIRED)
find_library(SODIUM_LIBRARY sodium REQUIRED)
add_library(sodium::sodium UNKNOWN IMPORTED)
set_target_properties(sodium::sodium PROPERTIES
                      IMPORTED_LOCATION "${SODIUM_LIBRARY}"
                      INTERFACE_INCLUDE_DIRECTORIES "${SODIUM_INCLUDE_DIR}")
option(WINBACK_CHARTS "Embed Chart.js (fetched by npm at build time) so HTML reports draw charts" ON)
if(WINBACK_CHARTS)
  find_program(NPM_EXECUTABLE npm)  # Chart.js for the HTML report (src/report)
  if(NOT NPM_EXECUTABLE)
    message(FATAL_ERROR
      "npm was not found. The HTML report embeds Chart.js, which the build fetches with npm from "
      "the npm registry (https://registry.npmjs.org, version pinned in "
      "src/report/assets/package-lock.json). Either install npm (Debian/Ubuntu: "
      "`sudo apt-get install npm`) on a machine that can reach the registry, or configure with "
      "-DWINBACK_CHARTS=OFF to build without chart code: reports then have tables only.")
  endif()
endif()
if(WINBACK_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(WINBACK_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
