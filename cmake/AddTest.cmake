# fleetsizer_add_test(name source...) builds one GoogleTest program and registers each of its
# tests with ctest. Tests find the built binary and the repository through compile definitions.
function(fleetsizer_add_test name)
  add_executable(${name} ${ARGN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE fleetsizer_http fleetsizer_io fleetsizer_core GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    FLEETSIZER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    FLEETSIZER_BINARY="$<TARGET_FILE:fleetsizer>")
  fleetsizer_warnings(${name})
  add_dependencies(${name} fleetsizer)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
