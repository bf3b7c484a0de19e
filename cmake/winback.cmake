# winback_module(NAME SRCS ... DEPS ... EXTERNAL ... TESTS ... )
#
# Declares the library winback_<NAME> from src/<NAME>. DEPS names the only winback modules it
# may include; a source file that includes a header of any other module fails the configure
# step, so the dependency direction of DESIGN.md is enforced, not just documented.
# TESTS lists the module's *_test.cc files, built into one binary winback_<NAME>_test.
#
# Vendor libraries (EXTERNAL) are linked PRIVATE and their headers are checked the same way: a
# module's headers include no vendor header at all (STYLE: vendor headers only in the adapter
# .cc that wraps them), and a source file may include a vendor header only when its module
# names that library in EXTERNAL (or TEST_EXTERNAL, for its tests).
set(WINBACK_ALL_MODULES core config store ingest analytics models scoring campaigns messages
    channels measure report server sim cli testutil)

# Vendor header prefix -> the imported target that provides it.
set(WINBACK_VENDOR_HEADERS
    "sqlite3.h=SQLite::SQLite3" "fmt/=fmt::fmt" "date/=date::date-tz" "nlohmann/=nlohmann_json::nlohmann_json"
    "CLI/=CLI11::CLI11" "toml++/=tomlplusplus::tomlplusplus" "boost/=Boost::headers"
    "Eigen/=Eigen3::Eigen" "xgboost/=xgboost" "gtest/=GTest" "gmock/=GTest"
    "benchmark/=benchmark::benchmark" "curl/=CURL::libcurl" "openssl/=OpenSSL::"
    "kainjow/=kainjow_mustache" "opendkim/=opendkim::opendkim"
    "httplib.h=httplib::httplib" "sodium.h=sodium::sodium" "sodium/=sodium::sodium")

function(winback_check_vendor_includes name dir externals)
  file(GLOB_RECURSE files "${dir}/*.h" "${dir}/*.cc")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" lines REGEX "^#include <")
    foreach(line IN LISTS lines)
      foreach(entry IN LISTS WINBACK_VENDOR_HEADERS)
        string(REPLACE "=" ";" pair "${entry}")
        list(GET pair 0 prefix)
        list(GET pair 1 target)
        string(FIND "${line}" "#include <${prefix}" at)
        if(NOT at EQUAL 0)
          continue()
        endif()
        if(f MATCHES "\\.h$" AND NOT name STREQUAL "testutil")
          message(FATAL_ERROR "${f}: a header includes the vendor header ${line}; vendor "
                              "headers belong in the .cc of the adapter that wraps them")
        endif()
        set(ok FALSE)
        foreach(e IN LISTS externals)
          if(e MATCHES "^${target}" OR (target STREQUAL "xgboost" AND e MATCHES "xgboost")
             OR (target STREQUAL "Boost::headers" AND e MATCHES "^Boost::"))
            set(ok TRUE)
          endif()
        endforeach()
        if(NOT ok)
          message(FATAL_ERROR "${f}: ${line} needs ${target} in the EXTERNAL list of "
                              "winback_${name} (src/${name}/CMakeLists.txt)")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()

function(winback_check_includes name dir allowed)
  file(GLOB_RECURSE files "${dir}/*.h" "${dir}/*.cc")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" lines REGEX "^#include \"[a-z_]+/")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" mod "${line}")
      if(NOT mod IN_LIST WINBACK_ALL_MODULES)
        continue()
      endif()
      if(NOT mod STREQUAL name AND NOT mod IN_LIST allowed)
        message(FATAL_ERROR "${f}: includes module '${mod}', which winback_${name} may not use "
                            "(allowed: ${allowed})")
      endif()
    endforeach()
  endforeach()
endfunction()

function(winback_module name)
  cmake_parse_arguments(M "" "" "SRCS;DEPS;EXTERNAL;TESTS;TEST_DEPS;TEST_EXTERNAL" ${ARGN})
  set(allowed ${M_DEPS})
  set(externals ${M_EXTERNAL})
  if(M_TESTS)
    list(APPEND allowed testutil ${M_TEST_DEPS})
    list(APPEND externals GTest ${M_TEST_EXTERNAL})
  endif()
  winback_check_includes(${name} "${CMAKE_CURRENT_SOURCE_DIR}" "${allowed}")
  winback_check_vendor_includes(${name} "${CMAKE_CURRENT_SOURCE_DIR}" "${externals}")
  add_library(winback_${name} STATIC ${M_SRCS})
  target_include_directories(winback_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(dep_targets)
  foreach(d IN LISTS M_DEPS)
    list(APPEND dep_targets winback_${d})
  endforeach()
  target_link_libraries(winback_${name} PUBLIC ${dep_targets} PRIVATE ${M_EXTERNAL})
  winback_warnings(winback_${name})
  if(M_TESTS AND WINBACK_BUILD_TESTS)
    set(test_deps)
    foreach(d IN LISTS M_TEST_DEPS)
      list(APPEND test_deps winback_${d})
    endforeach()
    add_executable(winback_${name}_test ${M_TESTS})
    target_link_libraries(winback_${name}_test PRIVATE winback_${name} ${test_deps}
                          winback_testutil GTest::gmock_main ${M_EXTERNAL} ${M_TEST_EXTERNAL})
    winback_warnings(winback_${name}_test)
    gtest_discover_tests(winback_${name}_test DISCOVERY_MODE PRE_TEST
                         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                         PROPERTIES LABELS ${name})
  endif()
endfunction()
