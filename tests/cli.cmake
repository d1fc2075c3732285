# Command-line tests: golden output of freeze's interface (tests/cli/run
# with tests/cli/cases/<case>.sh and .golden), the HTML report in headless
# Chromium, and an install to a temporary prefix that then freezes.
set(FZ_CLI_CASES
  help
  usage_errors
  quiet_verbose
  config
  inspect_explain)

foreach(_fz_case IN LISTS FZ_CLI_CASES)
  add_test(NAME cli.${_fz_case}
    COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/cli/run" ${_fz_case}
            "$<TARGET_FILE:freeze>" "${CMAKE_CURRENT_BINARY_DIR}/cli"
            "${PROJECT_SOURCE_DIR}" "${CMAKE_BINARY_DIR}")
  set_tests_properties(cli.${_fz_case} PROPERTIES LABELS "cli" TIMEOUT 300)
endforeach()

add_test(NAME cli.report_html
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/cli/report-html"
          "$<TARGET_FILE:freeze>" "${CMAKE_CURRENT_BINARY_DIR}/cli"
          "${PROJECT_SOURCE_DIR}")
set_tests_properties(cli.report_html PROPERTIES LABELS "cli" TIMEOUT 300
  SKIP_RETURN_CODE 77)

add_test(NAME cli.install
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/cli/install" "${CMAKE_BINARY_DIR}"
          "${CMAKE_CURRENT_BINARY_DIR}/cli" "${PROJECT_SOURCE_DIR}")
set_tests_properties(cli.install PROPERTIES LABELS "cli" TIMEOUT 300)
