# Warning flags for winback's own targets only; never applied to third-party code.
set(WINBACK_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Werror)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND WINBACK_WARNINGS -Wthread-safety)
endif()
# GCC 12 at -O3 reports -Wrestrict inside libstdc++ for `"literal" + std::string&&`
# (GCC bug 105651, fixed in GCC 13): a false positive in the library's own code, which broke
# the release build (make demo). Off on GCC 12 only; GCC 13+ and clang keep it.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND WINBACK_WARNINGS -Wno-restrict)
endif()

function(winback_warnings target)
  target_compile_options(${target} PRIVATE ${WINBACK_WARNINGS})
endfunction()
