# Warning flags for winback's own targets only; never applied to third-party code.
set(WINBACK_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Werror)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND WINBACK_WARNINGS -Wthread-safety)
endif()

function(winback_warnings target)
  target_compile_options(${target} PRIVATE ${WINBACK_WARNINGS})
endfunction()
