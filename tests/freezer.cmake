# Freezer unit tests: analyzer on fixture programs, ELF attach on a copy of
# a real executable, options parsing, a whole freeze read back.
set(_fz_freezer_test_defs
  "FZ_TEST_DATA_DIR=\"${CMAKE_CURRENT_SOURCE_DIR}/unit/data\""
  "FZ_TEST_STUB_EXT_DIR=\"${CMAKE_BINARY_DIR}/bin/fz-ext\"")

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
          ${PROJECT_SOURCE_DIR}/runtime/codeimage_load.c
  LIBS freezer
  LABELS freezer)
fz_unit_test(test_extras
  SOURCES unit/test_extras.c
  LIBS freezer fzcommon
  LABELS freezer)
foreach(_t test_analyzer test_elf_attach test_freezer_options
        test_freezer_bundle test_extras)
  target_compile_definitions(${_t} PRIVATE ${_fz_freezer_test_defs})
endforeach()
# It resolves unicodedata in the stub's fz-ext/ (runtime/CMakeLists.txt).
add_dependencies(test_analyzer fz-ext-unicodedata)

# The ELF reader, ld.so.cache parser and library closure, on libraries the
# test compiles with gcc and on crafted hostile files.
fz_unit_test(test_natives
  SOURCES unit/test_natives.c
  LIBS freezer fzcommon
  LABELS freezer)

# The GI typelib header reader and typelib closure, on the system's
# Gtk-3.0.typelib and on truncated and hostile copies of it.
fz_unit_test(test_gi
  SOURCES unit/test_gi.c
  LIBS freezer fzcommon
  LABELS freezer)

# The --qt-plugins parser: defaults, a,b / +a / -b / all, bad input.
fz_unit_test(test_qt
  SOURCES unit/test_qt.c
  LIBS freezer fzcommon
  LABELS freezer)

# libFuzzer targets for the ELF reader and the ld.so.cache parser, seeded
# with real libraries and this machine's cache.
if(FZ_ENABLE_FUZZ)
  foreach(_fz_fuzz elfdeps ldcache)
    add_executable(fuzz_${_fz_fuzz}
      ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_${_fz_fuzz}.c
      ${PROJECT_SOURCE_DIR}/freezer/${_fz_fuzz}.c
      ${PROJECT_SOURCE_DIR}/freezer/buf.c
      ${PROJECT_SOURCE_DIR}/common/error.c)
    target_include_directories(fuzz_${_fz_fuzz} PRIVATE
      "${PROJECT_SOURCE_DIR}/include" "${PROJECT_SOURCE_DIR}/freezer")
    target_compile_features(fuzz_${_fz_fuzz} PRIVATE c_std_11)
    target_compile_options(fuzz_${_fz_fuzz} PRIVATE
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
    target_link_options(fuzz_${_fz_fuzz} PRIVATE
      -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_${_fz_fuzz} PRIVATE LibElf::LibElf
                          fz_warnings)
    set_target_properties(fuzz_${_fz_fuzz} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
  endforeach()

  set(_fz_elf_corpus "${CMAKE_BINARY_DIR}/fuzz/elfdeps_corpus")
  set(_fz_ldc_corpus "${CMAKE_BINARY_DIR}/fuzz/ldcache_corpus")
  add_test(NAME fuzz_native_seeds
    COMMAND sh -c "mkdir -p '${_fz_elf_corpus}' '${_fz_ldc_corpus}' && \
cp -L /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libffi.so.8 \
'${_fz_elf_corpus}/' 2>/dev/null; cp /etc/ld.so.cache '${_fz_ldc_corpus}/' \
2>/dev/null; true")
  set_tests_properties(fuzz_native_seeds PROPERTIES
    LABELS fuzz FIXTURES_SETUP fuzz_native_corpus)
  math(EXPR _fz_native_fuzz_timeout "${FZ_FUZZ_SECONDS} + 120")
  add_test(NAME fuzz_elfdeps
    COMMAND fuzz_elfdeps -max_total_time=${FZ_FUZZ_SECONDS}
            -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz/ -print_final_stats=1
            "${_fz_elf_corpus}")
  add_test(NAME fuzz_ldcache
    COMMAND fuzz_ldcache -max_total_time=${FZ_FUZZ_SECONDS}
            -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz/ -print_final_stats=1
            "${_fz_ldc_corpus}")
  set_tests_properties(fuzz_elfdeps fuzz_ldcache PROPERTIES
    LABELS fuzz FIXTURES_REQUIRED fuzz_native_corpus
    TIMEOUT ${_fz_native_fuzz_timeout})
endif()

# The build cache: entries, damage, concurrency, manifests, reused builds.
fz_unit_test(test_buildcache
  SOURCES unit/test_buildcache.c
  LIBS freezer
  LABELS freezer)
# Code without column ranges keeps every line (compile.h).
fz_unit_test(test_compile
  SOURCES unit/test_compile.c
  LIBS freezer
  LABELS freezer)
# Code images: the freezer's writer and the runtime's loader together.
fz_unit_test(test_codeimage
  SOURCES unit/test_codeimage.c ${PROJECT_SOURCE_DIR}/runtime/codeimage_load.c
  LIBS freezer
  LABELS freezer)
# The --compress-runtime payload, and its compressed runtime in the build
# cache (a damaged or wrong cached frame is not used).
fz_unit_test(test_compress_runtime
  SOURCES unit/test_compress_runtime.c
  LIBS freezer
  LABELS freezer)
