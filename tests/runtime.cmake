# Runtime and platform tests: the ELF section finder, the module name
# rules, the bundle root and the platform layer (Criterion, label runtime).
fz_unit_test(test_elf_section
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_elf_section.c
  LIBS fzruntime_core
  LABELS runtime)
fz_unit_test(test_runtime_names
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_runtime_names.c
  LIBS fzruntime_core fzwriter
  LABELS runtime)
fz_unit_test(test_runtime_bundle
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_runtime_bundle.c
  LIBS fzruntime_core fzwriter
  LABELS runtime)
fz_unit_test(test_platform
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_platform.c
  LIBS fzplatform
  LABELS runtime)
target_compile_definitions(test_platform PRIVATE _GNU_SOURCE)
fz_unit_test(test_runtime_child
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_runtime_child.c
  LIBS fzruntime_core
  LABELS runtime)
fz_unit_test(test_runtime_launch
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_runtime_launch.c
  LIBS fzruntime_core
  LABELS runtime)
