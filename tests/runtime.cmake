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
# The launcher must link the reader built without LZ4 (fzcommon_zstd; the
# link order in runtime/CMakeLists.txt keeps fzcommon's out): the LZ4
# decoder would cost every --compress-runtime app 57 kB. That reader's
# refusal message is in the binary only then.
add_test(NAME launcher_reader_without_lz4
         COMMAND grep -q -a "this reader has no LZ4" $<TARGET_FILE:fz-launcher>)
set_tests_properties(launcher_reader_without_lz4 PROPERTIES LABELS runtime)

# bench/run's reference interpreter (bench/python.c) is the stub's CPython
# run as python3: it must be the same version as python3 and find the same
# standard library, or the bench compares different programs.
add_test(NAME bench_python_is_python3
         COMMAND sh -c "test \"$(\"$0\" -I -c \"$1\")\" = \"$(\"$2\" -I -c \"$1\")\""
                 $<TARGET_FILE:fz-bench-python>
                 "import sys, os; print(sys.version, os.__file__, sys.builtin_module_names)"
                 "${FZ_PYTHON}")
set_tests_properties(bench_python_is_python3 PROPERTIES LABELS runtime)
