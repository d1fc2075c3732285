# End-to-end scenarios: each freezes tests/e2e/cases/<case>/main.py and runs
# it under python3, frozen, and frozen with every Python hidden.
set(FZ_E2E_CASES
  argparse_help
  asyncio_tasks
  ctypes_libc
  decimal_math
  exit_message
  exit_status
  frozen_attrs
  hashlib_ssl
  hello
  json_stdlib
  keyboard_interrupt
  packages
  python_like_args
  read_stdin
  sigterm
  sigterm_default
  sqlite_memory
  uncaught_exception
  unicode_output)

foreach(_fz_case IN LISTS FZ_E2E_CASES)
  add_test(NAME e2e.${_fz_case}
    COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/run-case"
            "${CMAKE_CURRENT_SOURCE_DIR}/e2e/cases/${_fz_case}"
            "$<TARGET_FILE:freeze>"
            "${CMAKE_CURRENT_BINARY_DIR}/e2e/${_fz_case}"
            "${PROJECT_SOURCE_DIR}" "${CMAKE_BINARY_DIR}")
  set_tests_properties(e2e.${_fz_case} PROPERTIES LABELS "e2e" TIMEOUT 300)
endforeach()

add_test(NAME e2e.cache_concurrency
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/cache-concurrency"
          "$<TARGET_FILE:freeze>" "${CMAKE_CURRENT_BINARY_DIR}/e2e/cache")
set_tests_properties(e2e.cache_concurrency PROPERTIES LABELS "e2e" TIMEOUT 300)
