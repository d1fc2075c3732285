# FindLibElf: libelf from elfutils (Debian: libelf-dev) as LibElf::LibElf.
find_path(LIBELF_INCLUDE_DIR NAMES libelf.h gelf.h)
find_library(LIBELF_LIBRARY NAMES elf)
if(NOT LIBELF_INCLUDE_DIR OR NOT LIBELF_LIBRARY)
  message(FATAL_ERROR "libelf not found: install the Debian package libelf-dev")
endif()
set(LibElf_FOUND TRUE)
if(NOT TARGET LibElf::LibElf)
  add_library(LibElf::LibElf UNKNOWN IMPORTED)
  set_target_properties(LibElf::LibElf PROPERTIES
    IMPORTED_LOCATION "${LIBELF_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBELF_INCLUDE_DIR}")
endif()
mark_as_advanced(LIBELF_INCLUDE_DIR LIBELF_LIBRARY)
