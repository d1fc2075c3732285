# FindLz4: LZ4 (Debian: liblz4-dev) as Lz4::Static (liblz4.a, linked by
# fzcommon for every consumer: the runtime needs nothing but glibc) and
# Lz4::Lz4 (shared, for the fuzz targets, which compile the reader
# themselves).
find_path(LZ4_INCLUDE_DIR NAMES lz4.h lz4hc.h)
find_library(LZ4_LIBRARY NAMES lz4)
find_library(LZ4_STATIC_LIBRARY NAMES liblz4.a)
if(NOT LZ4_INCLUDE_DIR OR NOT LZ4_LIBRARY OR NOT LZ4_STATIC_LIBRARY)
  message(FATAL_ERROR "lz4 not found: install the Debian package liblz4-dev")
endif()
set(Lz4_FOUND TRUE)
if(NOT TARGET Lz4::Lz4)
  add_library(Lz4::Lz4 UNKNOWN IMPORTED)
  set_target_properties(Lz4::Lz4 PROPERTIES
    IMPORTED_LOCATION "${LZ4_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LZ4_INCLUDE_DIR}")
  add_library(Lz4::Static STATIC IMPORTED)
  set_target_properties(Lz4::Static PROPERTIES
    IMPORTED_LOCATION "${LZ4_STATIC_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LZ4_INCLUDE_DIR}")
endif()
mark_as_advanced(LZ4_INCLUDE_DIR LZ4_LIBRARY LZ4_STATIC_LIBRARY)
