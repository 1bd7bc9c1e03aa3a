# Every Catch2 test case is exactly one ctest test, and every ctest test runs exactly one test case.
#
# catch_discover_tests() turns each line of `--list-test-names-only` into a ctest test whose command
# names the test case as a Catch2 test spec. Some names do not survive that: a `;` is CMake's list
# separator (the name becomes two ctest tests, each matching nothing), a `\` or `"` is read by the
# test spec, a leading `-` is read as an option, a leading or trailing `*` is a wildcard. A ctest
# test that matches no test case used to run nothing and pass; `--warn NoTests` now makes it fail,
# and this script shows the whole mapping is one-to-one.
#
# Usage: cmake -DTEST_DIR=<tests binary dir> -P check_discovered_tests.cmake
# It reads the files catch_discover_tests() wrote (those CTestTestfile.cmake includes), replaying
# their add_test() calls, and asks each test's own command which test cases it selects.
cmake_minimum_required(VERSION 3.20)
if(NOT TEST_DIR)
  message(FATAL_ERROR "give -DTEST_DIR=<the tests binary folder>")
endif()
# The files CTestTestfile.cmake includes now (older ones, from other arguments, may lie around).
file(STRINGS "${TEST_DIR}/CTestTestfile.cmake" includes REGEX "^include\\(")
set(discovered "")
foreach(line IN LISTS includes)
  string(REGEX REPLACE "^include\\(\"(.*)\"\\)$" "\\1" file "${line}")
  list(APPEND discovered "${file}")
endforeach()
if(NOT discovered)
  message(FATAL_ERROR "no catch_discover_tests() output in ${TEST_DIR}")
endif()

set(problems "")
set(test_count 0)
set(binaries "")

# Called by the discovered files. ARGV<n> one by one: ARGN would split a `;` inside an argument.
function(add_test name)
  math(EXPR last "${ARGC} - 1")
  set(command "")
  foreach(n RANGE 1 ${last})
    list(APPEND command "${ARGV${n}}")
  endforeach()
  list(GET command 0 binary)
  set(binaries "${binaries};${binary}" PARENT_SCOPE)
  math(EXPR count "${test_count} + 1")
  set(test_count ${count} PARENT_SCOPE)
  execute_process(COMMAND ${command} --list-test-names-only
                  OUTPUT_VARIABLE selected ERROR_VARIABLE errors RESULT_VARIABLE code)
  string(REGEX REPLACE "\n$" "" selected "${selected}")
  string(REPLACE "\n" " | " shown "${selected}")
  # The test's name is its prefix ("area:", cmake -D drops the space of TEST_PREFIX "area: ")
  # then the one test case its command selects.
  get_filename_component(executable "${binary}" NAME)
  string(REGEX REPLACE "^test_" "" area "${executable}")
  string(REGEX REPLACE "^${area}: ?" "" expected "${name}")
  if(NOT selected STREQUAL expected)
    set(problems "${problems}\n  ctest test '${name}' selects [${shown}]${errors}" PARENT_SCOPE)
  endif()
  string(MD5 key "${binary}")
  set_property(GLOBAL APPEND PROPERTY "trsim_ctest_${key}" "${expected}")
endfunction()
function(set_tests_properties)
endfunction()

foreach(file IN LISTS discovered)
  include("${file}")
endforeach()

# Every test case of every test executable is listed by exactly one ctest test.
list(REMOVE_ITEM binaries "")
list(REMOVE_DUPLICATES binaries)
foreach(binary IN LISTS binaries)
  execute_process(COMMAND "${binary}" --list-test-names-only OUTPUT_VARIABLE all)
  string(MD5 key "${binary}")
  get_property(tested GLOBAL PROPERTY "trsim_ctest_${key}")
  string(REGEX REPLACE "\n$" "" all "${all}")
  string(REPLACE "\n" ";" all "${all}")
  foreach(case IN LISTS all)
    list(FIND tested "${case}" at)
    if(at EQUAL -1)
      set(problems "${problems}\n  test case '${case}' of ${binary} is no ctest test")
    endif()
  endforeach()
endforeach()

if(problems)
  message(FATAL_ERROR "Catch2 test cases and ctest tests do not match one to one (rename the "
                      "test case: no ';', '\\', '\"', leading '-' or leading or trailing '*'):"
                      "${problems}")
endif()
message(STATUS "${test_count} ctest tests, each running exactly one Catch2 test case")
