# End-to-end scenarios: each freezes tests/e2e/cases/<case>/main.py and runs
# it under python3, frozen, and frozen with every Python hidden.
set(FZ_E2E_CASES
  argparse_help
  asyncio_tasks
  codecs_by_name
  ctypes_libc
  data_dynamic
  data_grammar
  data_metadata
  data_resources
  data_trace
  decimal_math
  exit_message
  exit_status
  fd_close_all
  frozen_attrs
  hashlib_ssl
  hello
  hook_babel
  hook_certifi
  hook_jsonschema
  hook_pkg_resources
  hook_pygments
  hook_pytz
  hook_setuptools
  import_semantics
  json_stdlib
  keyboard_interrupt
  mp_executor
  mp_freeze_support
  mp_manager
  mp_pool_fork
  mp_pool_forkserver
  mp_pool_nocache
  mp_pool_spawn
  mp_process_count
  mp_resource_tracker
  mp_shared_memory
  packages
  python_like_args
  read_stdin
  self_dash_c
  self_execv
  self_subprocess
  self_threads_signals
  sigterm
  sigterm_default
  sqlite_memory
  uncaught_exception
  unicode_output
  # the same programs from a --compress-runtime app (issue 14)
  cr_fd_close_all
  cr_frozen_attrs
  cr_mp_pool_nocache
  cr_mp_pool_spawn
  cr_self_execv
  cr_self_subprocess)

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

# --compress-runtime (issue 14): the launcher, its cache and fallbacks;
# seccomp-deny plays a kernel that forbids executable memfds.
add_executable(fz_seccomp_deny e2e/seccomp-deny.c)
target_link_libraries(fz_seccomp_deny PRIVATE fz_warnings)
target_compile_features(fz_seccomp_deny PRIVATE c_std_11)
set_target_properties(fz_seccomp_deny PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
add_test(NAME e2e.compress_runtime
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/compress-runtime"
          "$<TARGET_FILE:freeze>" "${CMAKE_CURRENT_BINARY_DIR}/e2e/compress"
          "${PROJECT_SOURCE_DIR}" "${CMAKE_BINARY_DIR}"
          "$<TARGET_FILE:fz_seccomp_deny>")
set_tests_properties(e2e.compress_runtime PROPERTIES LABELS "e2e" TIMEOUT 600)

add_test(NAME e2e.rebuild
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/rebuild"
          "$<TARGET_FILE:freeze>" "${CMAKE_CURRENT_BINARY_DIR}/e2e/rebuild")
set_tests_properties(e2e.rebuild PROPERTIES LABELS "e2e" TIMEOUT 300)

# Native code (issue 5): third-party C/Rust extensions with their library
# closure, run like the cases above; then the same programs on a minimal
# Debian root file system, and the GUI example under Xvfb.
set(FZ_E2E_NATIVE_CASES
  native_ctypes
  native_cryptography
  native_lxml
  native_numpy
  native_pil
  native_tcl
  native_yaml)

foreach(_fz_case IN LISTS FZ_E2E_NATIVE_CASES)
  add_test(NAME e2e.${_fz_case}
    COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/run-case"
            "${CMAKE_CURRENT_SOURCE_DIR}/e2e/cases/${_fz_case}"
            "$<TARGET_FILE:freeze>"
            "${CMAKE_CURRENT_BINARY_DIR}/e2e/${_fz_case}"
            "${PROJECT_SOURCE_DIR}" "${CMAKE_BINARY_DIR}")
  set_tests_properties(e2e.${_fz_case} PROPERTIES LABELS "e2e" TIMEOUT 600)
endforeach()

set(_fz_clean_cases)
foreach(_fz_case IN LISTS FZ_E2E_NATIVE_CASES ITEMS hashlib_ssl sqlite_memory
        ctypes_libc codecs_by_name)
  list(APPEND _fz_clean_cases
       "${CMAKE_CURRENT_SOURCE_DIR}/e2e/cases/${_fz_case}")
endforeach()
add_test(NAME e2e.clean_machine
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/clean-machine"
          "$<TARGET_FILE:freeze>" "${CMAKE_BINARY_DIR}/clean-root"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/clean_machine" ${_fz_clean_cases})
set_tests_properties(e2e.clean_machine PROPERTIES LABELS "e2e;slow"
                     TIMEOUT 1800 RUN_SERIAL TRUE)

add_test(NAME e2e.gui_screenshot
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/gui-screenshot"
          "$<TARGET_FILE:freeze>" "${PROJECT_SOURCE_DIR}"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/gui" "${CMAKE_BINARY_DIR}")
set_tests_properties(e2e.gui_screenshot PROPERTIES LABELS "e2e" TIMEOUT 600)

add_test(NAME e2e.venv_extension
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/venv-ext" "$<TARGET_FILE:freeze>"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/venv_extension"
          "${PROJECT_SOURCE_DIR}" "${CMAKE_BINARY_DIR}")
set_tests_properties(e2e.venv_extension PROPERTIES LABELS "e2e" TIMEOUT 600)

# Desktop and scientific stacks (issue 15): frozen with no hint options,
# run with every Python and the stack's /usr data hidden (each case's
# `hide` file).
set(FZ_E2E_STACK_CASES
  stack_gtk
  stack_matplotlib
  stack_pandas
  stack_pyside2
  stack_qt
  stack_scipy)

foreach(_fz_case IN LISTS FZ_E2E_STACK_CASES)
  add_test(NAME e2e.${_fz_case}
    COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/run-case"
            "${CMAKE_CURRENT_SOURCE_DIR}/e2e/cases/${_fz_case}"
            "$<TARGET_FILE:freeze>"
            "${CMAKE_CURRENT_BINARY_DIR}/e2e/${_fz_case}"
            "${PROJECT_SOURCE_DIR}" "${CMAKE_BINARY_DIR}")
  set_tests_properties(e2e.${_fz_case} PROPERTIES LABELS "e2e;stacks"
                       TIMEOUT 900)
endforeach()

# The Qt example opens a real window under Xvfb (xcb platform plugin from
# the bundle, system Qt plugins hidden); the plotting example writes a PNG.
add_test(NAME e2e.qt_screenshot
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/qt-screenshot"
          "$<TARGET_FILE:freeze>" "${PROJECT_SOURCE_DIR}"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/qt_app" "${CMAKE_BINARY_DIR}")
set_tests_properties(e2e.qt_screenshot PROPERTIES LABELS "e2e;stacks"
                     TIMEOUT 600)

# A PyGObject GTK 3 window under Xvfb: typelibs and GTK from the bundle,
# the system's typelibs hidden; skipped (77) without Xvfb or GTK's typelib.
add_test(NAME e2e.gtk_screenshot
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/gtk-screenshot"
          "$<TARGET_FILE:freeze>" "${PROJECT_SOURCE_DIR}"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/gtk_app" "${CMAKE_BINARY_DIR}")
set_tests_properties(e2e.gtk_screenshot PROPERTIES LABELS "e2e;stacks"
                     TIMEOUT 600 SKIP_RETURN_CODE 77)

# The Qt and matplotlib examples as .deb packages (issue 15): desktop entry,
# icon, lintian, and the packaged app run with every Python hidden.
add_test(NAME e2e.stack_debs
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/stack-debs" "$<TARGET_FILE:freeze>"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/stack_debs" "${PROJECT_SOURCE_DIR}")
set_tests_properties(e2e.stack_debs PROPERTIES LABELS "e2e;stacks;slow"
                     TIMEOUT 1200)
