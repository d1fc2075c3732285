# Reliability and security (label "reliability"): damaged executables,
# hostile caches, killed and concurrent first runs, the environment, and
# reproducible output.
foreach(_fz_check damaged-exe hostile-cache kill-during-extraction resource-limits
                  environment reproducible bad-input)
  add_test(NAME reliability.${_fz_check}
    COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/reliability/${_fz_check}"
            "$<TARGET_FILE:freeze>"
            "${CMAKE_CURRENT_BINARY_DIR}/reliability/${_fz_check}")
  set_tests_properties(reliability.${_fz_check} PROPERTIES
    LABELS "reliability" TIMEOUT 600)
endforeach()
# The same hostile caches for an app that keeps its runtime whole.
add_test(NAME reliability.hostile-cache-whole-runtime
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/reliability/hostile-cache"
          "$<TARGET_FILE:freeze>"
          "${CMAKE_CURRENT_BINARY_DIR}/reliability/hostile-cache-whole-runtime"
          --no-compress-runtime)
set_tests_properties(reliability.hostile-cache-whole-runtime PROPERTIES
  LABELS "reliability" TIMEOUT 600)
