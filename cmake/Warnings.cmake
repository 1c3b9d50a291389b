# One list of warning flags for every target of the project (Abseil copts style).
set(AIDTRACE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wdouble-promotion
    -Wformat=2 -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND AIDTRACE_WARNINGS -Wthread-safety)
endif()
if(AIDTRACE_WERROR)
  list(APPEND AIDTRACE_WARNINGS -Werror)
endif()

# aidtrace_add_library(name SOURCES... DEPS...)
function(aidtrace_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${AIDTRACE_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()
