# FindCriterion: the Criterion test framework (Debian: libcriterion-dev) as
# Criterion::Criterion.
find_path(CRITERION_INCLUDE_DIR NAMES criterion/criterion.h)
find_library(CRITERION_LIBRARY NAMES criterion)
if(NOT CRITERION_INCLUDE_DIR OR NOT CRITERION_LIBRARY)
  message(FATAL_ERROR
          "Criterion not found: install the Debian package libcriterion-dev")
endif()
set(Criterion_FOUND TRUE)
if(NOT TARGET Criterion::Criterion)
  add_library(Criterion::Criterion UNKNOWN IMPORTED)
  set_target_properties(Criterion::Criterion PROPERTIES
    IMPORTED_LOCATION "${CRITERION_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CRITERION_INCLUDE_DIR}")
endif()
mark_as_advanced(CRITERION_INCLUDE_DIR CRITERION_LIBRARY)
