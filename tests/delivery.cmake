# What users receive (issue 8): onedir apps, the desktop entry, the .deb,
# the per-user installer, the .app layout, and the Windows platform layer
# under Wine.

set(FZ_E2E_ONEDIR_CASES
  onedir_hello
  onedir_data_resources
  onedir_frozen_attrs
  onedir_mp_pool_spawn
  onedir_numpy
  onedir_tcl
  onedir_yaml)

foreach(_fz_case IN LISTS FZ_E2E_ONEDIR_CASES)
  add_test(NAME e2e.${_fz_case}
    COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/run-case"
            "${CMAKE_CURRENT_SOURCE_DIR}/e2e/cases/${_fz_case}"
            "$<TARGET_FILE:freeze>"
            "${CMAKE_CURRENT_BINARY_DIR}/e2e/${_fz_case}"
            "${PROJECT_SOURCE_DIR}" "${CMAKE_BINARY_DIR}")
  set_tests_properties(e2e.${_fz_case} PROPERTIES LABELS "e2e;delivery"
                       TIMEOUT 600)
endforeach()

fz_unit_test(test_package
  SOURCES unit/test_package.c
  LIBS freezer)

fz_unit_test(test_icon
  SOURCES unit/test_icon.c
  LIBS freezer)

add_test(NAME e2e.onedir_guard
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/onedir-guard" "$<TARGET_FILE:freeze>"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/onedir_guard")
set_tests_properties(e2e.onedir_guard PROPERTIES LABELS "e2e;delivery"
                     TIMEOUT 300)

add_test(NAME e2e.desktop_deb
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/deb-install" "$<TARGET_FILE:freeze>"
          "${CMAKE_BINARY_DIR}/clean-root"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/deb_install" "${PROJECT_SOURCE_DIR}")
set_tests_properties(e2e.desktop_deb PROPERTIES LABELS "e2e;delivery;slow"
                     TIMEOUT 1800 RUN_SERIAL TRUE)

add_test(NAME e2e.installer
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/installer" "$<TARGET_FILE:freeze>"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/installer" "${PROJECT_SOURCE_DIR}")
set_tests_properties(e2e.installer PROPERTIES LABELS "e2e;delivery"
                     TIMEOUT 900)

# The tkinter example as an installer, used through its Tk dialog and
# started from its desktop entry, under Xvfb (the "done when" of issue 8).
add_test(NAME e2e.installer_gui
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/installer-gui" "$<TARGET_FILE:freeze>"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/installer_gui" "${PROJECT_SOURCE_DIR}")
set_tests_properties(e2e.installer_gui PROPERTIES LABELS "e2e;delivery"
                     TIMEOUT 900)

add_test(NAME e2e.app_bundle
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/e2e/app-bundle" "$<TARGET_FILE:freeze>"
          "${CMAKE_CURRENT_BINARY_DIR}/e2e/app_bundle" "${PROJECT_SOURCE_DIR}")
set_tests_properties(e2e.app_bundle PROPERTIES LABELS "e2e;delivery"
                     TIMEOUT 300)

# macOS: no SDK here, so the macOS layer (platform/macos/platform.c with
# platform/posix/posix.c) is checked two ways against this libc plus
# test-only declarations of the few Darwin calls (tests/macos/shim; what that
# does and does not prove: tests/macos/README.md): it compiles without a
# warning, and the platform tests run against it with those calls
# implemented on Linux (tests/macos/shim.c).
add_test(NAME macos.platform_compiles
  COMMAND "${CMAKE_C_COMPILER}" -std=c11 -Wall -Wextra -Wshadow
          -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Werror
          -fsyntax-only -D_DARWIN_C_SOURCE -D_DEFAULT_SOURCE
          -I "${CMAKE_CURRENT_SOURCE_DIR}/macos/shim"
          -I "${PROJECT_SOURCE_DIR}/platform"
          -I "${PROJECT_SOURCE_DIR}/platform/posix"
          -I "${PROJECT_SOURCE_DIR}/include"
          "${PROJECT_SOURCE_DIR}/platform/posix/posix.c"
          "${PROJECT_SOURCE_DIR}/platform/macos/platform.c")
set_tests_properties(macos.platform_compiles PROPERTIES LABELS "unit;macos")
add_library(fzplatform_macos_shim STATIC
  "${PROJECT_SOURCE_DIR}/platform/posix/posix.c"
  "${PROJECT_SOURCE_DIR}/platform/macos/platform.c" macos/shim.c)
target_include_directories(fzplatform_macos_shim BEFORE PUBLIC
  "${CMAKE_CURRENT_SOURCE_DIR}/macos/shim")
target_include_directories(fzplatform_macos_shim PUBLIC
  "${PROJECT_SOURCE_DIR}/platform"
  PRIVATE "${PROJECT_SOURCE_DIR}/platform/posix")
target_compile_definitions(fzplatform_macos_shim PRIVATE _DARWIN_C_SOURCE
                           _DEFAULT_SOURCE)
target_compile_features(fzplatform_macos_shim PUBLIC c_std_11)
target_link_libraries(fzplatform_macos_shim PUBLIC fzcommon
                      PRIVATE fz_warnings fz_sanitize)
fz_unit_test(test_platform_macos
  SOURCES unit/test_platform.c
  LIBS fzplatform_macos_shim
  LABELS "runtime;macos")
target_compile_definitions(test_platform_macos PRIVATE _GNU_SOURCE
                           FZ_TEST_MACOS)

# Windows: the platform layer cross-built with mingw-w64, tested under Wine.
add_executable(pe_attach_tool windows/pe_attach_tool.c)
target_link_libraries(pe_attach_tool PRIVATE freezer fz_warnings fz_sanitize)
set_target_properties(pe_attach_tool PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
add_test(NAME windows.platform_wine
  COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/windows/run-wine" "${PROJECT_SOURCE_DIR}"
          "${CMAKE_CURRENT_BINARY_DIR}/windows"
          "$<TARGET_FILE:pe_attach_tool>" "$<TARGET_FILE:freeze>")
set_tests_properties(windows.platform_wine PROPERTIES LABELS "windows;delivery"
                     TIMEOUT 900)
