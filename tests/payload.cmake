# Payload format tests: the reader/writer unit tests and, with
# FZ_ENABLE_FUZZ, the reader's libFuzzer target run from a seed corpus.
fz_unit_test(test_payload
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_payload.c
  LIBS fzwriter
  LABELS payload)

if(FZ_ENABLE_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "FZ_ENABLE_FUZZ needs clang (libFuzzer)")
  endif()
  set(FZ_FUZZ_SECONDS 60 CACHE STRING
      "Seconds each fuzz test runs its target")

  # Writes valid payloads of every shape into a directory.
  add_executable(fz_gen_payload_seeds
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/gen_seeds.c)
  target_link_libraries(fz_gen_payload_seeds PRIVATE fzwriter fz_warnings)
  set_target_properties(fz_gen_payload_seeds PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")

  # The reader is compiled into the target so that it is instrumented.
  add_executable(fuzz_payload
    ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_payload.c ${FZ_COMMON_SOURCES})
  target_include_directories(fuzz_payload PRIVATE
    "${PROJECT_SOURCE_DIR}/include")
  target_compile_features(fuzz_payload PRIVATE c_std_11)
  target_compile_options(fuzz_payload PRIVATE
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  target_link_options(fuzz_payload PRIVATE
    -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_payload PRIVATE XxHash::XxHash Zstd::Zstd Lz4::Lz4
                        fz_warnings)
  set_target_properties(fuzz_payload PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")

  set(_fz_corpus "${CMAKE_BINARY_DIR}/fuzz/payload_corpus")
  file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/fuzz")
  add_test(NAME fuzz_payload_seeds
           COMMAND fz_gen_payload_seeds "${_fz_corpus}")
  set_tests_properties(fuzz_payload_seeds PROPERTIES
    LABELS fuzz FIXTURES_SETUP fuzz_payload_corpus)
  add_test(NAME fuzz_payload
           COMMAND fuzz_payload -max_total_time=${FZ_FUZZ_SECONDS}
                   -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz/
                   -print_final_stats=1 "${_fz_corpus}")
  math(EXPR _fz_fuzz_timeout "${FZ_FUZZ_SECONDS} + 120")
  set_tests_properties(fuzz_payload PROPERTIES
    LABELS fuzz FIXTURES_REQUIRED fuzz_payload_corpus
    TIMEOUT ${_fz_fuzz_timeout})
endif()
