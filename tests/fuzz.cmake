# libFuzzer targets for the parsers of untrusted input other than the
# payload (tests/payload.cmake): the runtime's ELF section locator, the
# freeze command line and the --icon PNG decoder. Each runs for
# FZ_FUZZ_SECONDS on its committed seed corpus (tests/fuzz/corpus/<target>),
# copied to the build tree so the fuzzer's additions never dirty the source
# tree.
if(FZ_ENABLE_FUZZ)
  # fz_fuzz_target(<name> SOURCES <files...> INCLUDES <dirs...>)
  function(fz_fuzz_target name)
    cmake_parse_arguments(ARG "" "" "SOURCES;INCLUDES;LIBS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_include_directories(${name} PRIVATE
      "${PROJECT_SOURCE_DIR}/include" ${ARG_INCLUDES})
    target_compile_features(${name} PRIVATE c_std_11)
    target_compile_options(${name} PRIVATE
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE fz_warnings ${ARG_LIBS})
    set_target_properties(${name} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
    set(_corpus "${CMAKE_BINARY_DIR}/fuzz/${name}_corpus")
    add_test(NAME ${name}
      COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run-fuzz"
              $<TARGET_FILE:${name}>
              "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${name}" "${_corpus}"
              -max_total_time=${FZ_FUZZ_SECONDS}
              -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz/${name}-
              -print_final_stats=1)
    math(EXPR _timeout "${FZ_FUZZ_SECONDS} + 120")
    set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT ${_timeout})
  endfunction()

  fz_fuzz_target(fuzz_elf_section
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_elf_section.c
            ${PROJECT_SOURCE_DIR}/runtime/elf_section.c
            ${PROJECT_SOURCE_DIR}/common/error.c
    INCLUDES "${PROJECT_SOURCE_DIR}/runtime")
  target_compile_definitions(fuzz_elf_section PRIVATE _GNU_SOURCE)
  fz_fuzz_target(fuzz_options
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_options.c
            ${PROJECT_SOURCE_DIR}/freezer/options.c
            ${PROJECT_SOURCE_DIR}/freezer/buf.c
            ${PROJECT_SOURCE_DIR}/common/error.c
    INCLUDES "${PROJECT_SOURCE_DIR}/freezer")
  fz_fuzz_target(fuzz_icon_png
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_icon_png.c
            ${PROJECT_SOURCE_DIR}/freezer/icon.c
            ${PROJECT_SOURCE_DIR}/freezer/buf.c
            ${PROJECT_SOURCE_DIR}/common/error.c
    INCLUDES "${PROJECT_SOURCE_DIR}/freezer"
    LIBS PNG::PNG)
endif()
