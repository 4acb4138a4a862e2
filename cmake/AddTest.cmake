# fleetsizer_add_test(name [SERIAL] SOURCES source...) builds one GoogleTest program and registers
# each of its tests with ctest. SERIAL runs them one at a time (timing-sensitive loopback tests
# must not share the CPU with other tests). Tests find the built binary and the repository
# through compile definitions.
function(fleetsizer_add_test name)
  cmake_parse_arguments(ARG "SERIAL" "" "SOURCES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE fleetsizer_http fleetsizer_io fleetsizer_core GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    FLEETSIZER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    FLEETSIZER_BINARY="$<TARGET_FILE:fleetsizer>")
  fleetsizer_warnings(${name})
  add_dependencies(${name} fleetsizer)
  if(ARG_SERIAL)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
  endif()
endfunction()
