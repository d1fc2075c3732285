# Freezer unit tests: analyzer on fixture programs, ELF attach on a copy of
# a real executable, options parsing, a whole freeze read back.
set(_fz_freezer_test_defs
  "FZ_TEST_DATA_DIR=\"${CMAKE_CURRENT_SOURCE_DIR}/unit/data\"")

fz_unit_test(test_analyzer
  SOURCES unit/test_analyzer.c
  LIBS freezer
  LABELS freezer)
fz_unit_test(test_elf_attach
  SOURCES unit/test_elf_attach.c
  LIBS freezer
  LABELS freezer)
fz_unit_test(test_freezer_options
  SOURCES unit/test_freezer_options.c
  LIBS freezer
  LABELS freezer)
fz_unit_test(test_freezer_bundle
  SOURCES unit/test_freezer_bundle.c
  LIBS freezer
  LABELS freezer)
foreach(_t test_analyzer test_elf_attach test_freezer_options
        test_freezer_bundle)
  target_compile_definitions(${_t} PRIVATE ${_fz_freezer_test_defs})
endforeach()
