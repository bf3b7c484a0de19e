# winback_module(NAME SRCS ... DEPS ... EXTERNAL ... TESTS ... )
#
# Declares the library winback_<NAME> from src/<NAME>. DEPS names the only winback modules it
# may include; a source file that includes a header of any other module fails the configure
# step, so the dependency direction of DESIGN.md is enforced, not just documented.
# TESTS lists the module's *_test.cc files, built into one binary winback_<NAME>_test.
set(WINBACK_ALL_MODULES core store ingest analytics models campaigns messages channels measure
    report server sim cli testutil)

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
  cmake_parse_arguments(M "" "" "SRCS;DEPS;EXTERNAL;TESTS;TEST_DEPS" ${ARGN})
  set(allowed ${M_DEPS})
  if(M_TESTS)
    list(APPEND allowed testutil ${M_TEST_DEPS})
  endif()
  winback_check_includes(${name} "${CMAKE_CURRENT_SOURCE_DIR}" "${allowed}")
  add_library(winback_${name} STATIC ${M_SRCS})
  target_include_directories(winback_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(dep_targets)
  foreach(d IN LISTS M_DEPS)
    list(APPEND dep_targets winback_${d})
  endforeach()
  target_link_libraries(winback_${name} PUBLIC ${dep_targets} ${M_EXTERNAL})
  winback_warnings(winback_${name})
  if(M_TESTS AND WINBACK_BUILD_TESTS)
    set(test_deps)
    foreach(d IN LISTS M_TEST_DEPS)
      list(APPEND test_deps winback_${d})
    endforeach()
    add_executable(winback_${name}_test ${M_TESTS})
    target_link_libraries(winback_${name}_test PRIVATE winback_${name} ${test_deps}
                          winback_testutil GTest::gmock_main)
    winback_warnings(winback_${name}_test)
    gtest_discover_tests(winback_${name}_test DISCOVERY_MODE PRE_TEST
                         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                         PROPERTIES LABELS ${name})
  endif()
endfunction()
