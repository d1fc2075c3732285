# FindXxHash: xxHash (Debian: libxxhash-dev) as XxHash::XxHash. It is used
# header-only (XXH_INLINE_ALL) so the runtime needs no libxxhash.so.
find_path(XXHASH_INCLUDE_DIR NAMES xxhash.h)
if(NOT XXHASH_INCLUDE_DIR)
  message(FATAL_ERROR
          "xxHash not found: install the Debian package libxxhash-dev")
endif()
set(XxHash_FOUND TRUE)
if(NOT TARGET XxHash::XxHash)
  add_library(XxHash::XxHash INTERFACE IMPORTED)
  set_target_properties(XxHash::XxHash PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${XXHASH_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "XXH_INLINE_ALL")
endif()
mark_as_advanced(XXHASH_INCLUDE_DIR)
