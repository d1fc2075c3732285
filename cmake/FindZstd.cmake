# FindZstd: zstd (Debian: libzstd-dev) as Zstd::Static (libzstd.a, linked
# by fzcommon for every consumer) and Zstd::Zstd (shared, for the fuzz
# targets, which compile the reader themselves).
find_path(ZSTD_INCLUDE_DIR NAMES zstd.h zdict.h)
find_library(ZSTD_LIBRARY NAMES zstd)
find_library(ZSTD_STATIC_LIBRARY NAMES libzstd.a)
if(NOT ZSTD_INCLUDE_DIR OR NOT ZSTD_LIBRARY OR NOT ZSTD_STATIC_LIBRARY)
  message(FATAL_ERROR "zstd not found: install the Debian package libzstd-dev")
endif()
set(Zstd_FOUND TRUE)
if(NOT TARGET Zstd::Zstd)
  add_library(Zstd::Zstd UNKNOWN IMPORTED)
  set_target_properties(Zstd::Zstd PROPERTIES
    IMPORTED_LOCATION "${ZSTD_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${ZSTD_INCLUDE_DIR}")
  add_library(Zstd::Static STATIC IMPORTED)
  set_target_properties(Zstd::Static PROPERTIES
    IMPORTED_LOCATION "${ZSTD_STATIC_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${ZSTD_INCLUDE_DIR}")
endif()
mark_as_advanced(ZSTD_INCLUDE_DIR ZSTD_LIBRARY ZSTD_STATIC_LIBRARY)
