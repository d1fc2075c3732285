# FindFzPython: the CPython that freeze is built against (FZ_PYTHON, Debian's
# /usr/bin/python3 by default; never whatever python3 is first on PATH).
#
# Imported targets:
#   Python3::Python     shared libpython, embedded by the freezer
#   FzPython::Static    libpython3.X.a (non-PIC) + static zlib/expat: runtime
#                       (minus FZ_PY_SPLIT_MODULES and config.o, below)
#   FzPython::StaticPic libpython3.X-pic.a + the same: runtime as a PIE
# Variables (facts the freezer and runtime compile in):
#   FZ_PY_VERSION (3.11), FZ_PY_HEXVERSION_MM, FZ_PY_MAGIC_LE,
#   FZ_PY_STDLIB, FZ_PY_DYNLOAD, FZ_PY_EXT_SUFFIX, FZ_PY_PREFIX
if(NOT EXISTS "${FZ_PYTHON}")
  message(FATAL_ERROR
          "${FZ_PYTHON} not found: install the Debian package python3")
endif()
set(Python3_EXECUTABLE "${FZ_PYTHON}")
find_package(Python3 QUIET COMPONENTS Interpreter Development.Embed)
if(NOT Python3_Development.Embed_FOUND)
  message(FATAL_ERROR "CPython headers and libpython not found for "
          "${FZ_PYTHON}: install the Debian package libpython3-dev "
          "(libpython${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}-dev)")
endif()

execute_process(
  COMMAND "${FZ_PYTHON}" -I -S -c [[
import sys, sysconfig, importlib.util as u
v = sysconfig.get_config_var
print(f"{sys.version_info[0]}.{sys.version_info[1]}")
print((sys.version_info[0] << 24) | (sys.version_info[1] << 16))
print(int.from_bytes(u.MAGIC_NUMBER, "little"))
print(sysconfig.get_path("stdlib"))
print(v("DESTSHARED"))
print(v("EXT_SUFFIX"))
print(sys.prefix)
print(v("LIBPL"))
print(v("LDLIBRARY").replace(".so", ".a"))
]]
  OUTPUT_VARIABLE _fz_py_out RESULT_VARIABLE _fz_py_rc)
if(NOT _fz_py_rc EQUAL 0)
  message(FATAL_ERROR "${FZ_PYTHON} could not be queried for its sysconfig")
endif()
string(REPLACE "\n" ";" _fz_py_out "${_fz_py_out}")
list(GET _fz_py_out 0 FZ_PY_VERSION)
list(GET _fz_py_out 1 FZ_PY_HEXVERSION_MM)
list(GET _fz_py_out 2 FZ_PY_MAGIC_LE)
list(GET _fz_py_out 3 FZ_PY_STDLIB)
list(GET _fz_py_out 4 FZ_PY_DYNLOAD)
list(GET _fz_py_out 5 FZ_PY_EXT_SUFFIX)
list(GET _fz_py_out 6 FZ_PY_PREFIX)
list(GET _fz_py_out 7 _fz_libpl)
list(GET _fz_py_out 8 _fz_static_name)

set(FZ_PY_STATIC "${_fz_libpl}/${_fz_static_name}")
string(REPLACE ".a" "-pic.a" FZ_PY_STATIC_PIC "${FZ_PY_STATIC}")
if(NOT EXISTS "${FZ_PY_STATIC}" OR NOT EXISTS "${FZ_PY_STATIC_PIC}")
  message(FATAL_ERROR "${FZ_PY_STATIC} not found: install the Debian package "
          "libpython${FZ_PY_VERSION}-dev")
endif()
find_library(FZ_LIBZ_STATIC NAMES libz.a)
if(NOT FZ_LIBZ_STATIC)
  message(FATAL_ERROR "libz.a not found: install the Debian package zlib1g-dev")
endif()
find_library(FZ_LIBEXPAT_STATIC NAMES libexpat.a)
if(NOT FZ_LIBEXPAT_STATIC)
  message(FATAL_ERROR
          "libexpat.a not found: install the Debian package libexpat1-dev")
endif()

# Modules the stub leaves out of libpython although Debian builds them in:
# each is shipped as an extension module instead, which an app bundles only
# when an import reaches it. unicodedata is 1.1 MB of a 7.4 MB stub, and few
# programs import it. The stub links copies of the archives without those
# objects and without config.o, whose table of built-in modules
# (_PyImport_Inittab) is rebuilt from Debian's config.c without them.
#   FZ_PY_SPLIT_MODULES   the module names
#   FZ_PY_SPLIT_OBJECTS   their PIC objects, to link as extension modules
#   FZ_PY_CONFIG_C        the generated config.c, compiled into the stub
set(FZ_PY_SPLIT_MODULES unicodedata)
set(_fz_pydir "${CMAKE_BINARY_DIR}/python")
file(MAKE_DIRECTORY "${_fz_pydir}/pic")
file(READ "${_fz_libpl}/config.c" _fz_config)
set(_fz_split_members config.o)
set(FZ_PY_SPLIT_OBJECTS)
foreach(_fz_mod IN LISTS FZ_PY_SPLIT_MODULES)
  set(_fz_decl "extern PyObject* PyInit_${_fz_mod}(void);")
  set(_fz_entry "{\"${_fz_mod}\", PyInit_${_fz_mod}},")
  string(FIND "${_fz_config}" "${_fz_decl}" _fz_at_decl)
  string(FIND "${_fz_config}" "${_fz_entry}" _fz_at_entry)
  if(_fz_at_decl EQUAL -1 OR _fz_at_entry EQUAL -1)
    message(FATAL_ERROR "${_fz_libpl}/config.c does not build in "
            "${_fz_mod} as expected; cannot leave it out of the stub")
  endif()
  string(REPLACE "${_fz_decl}" "" _fz_config "${_fz_config}")
  string(REPLACE "${_fz_entry}" "" _fz_config "${_fz_config}")
  list(APPEND _fz_split_members "${_fz_mod}.o")
  list(APPEND FZ_PY_SPLIT_OBJECTS "${_fz_pydir}/pic/${_fz_mod}.o")
endforeach()
file(WRITE "${_fz_pydir}/config.c.tmp" "${_fz_config}")
configure_file("${_fz_pydir}/config.c.tmp" "${_fz_pydir}/config.c" COPYONLY)
set(FZ_PY_CONFIG_C "${_fz_pydir}/config.c")

# "<archive>" minus the split objects and config.o, as <dst>; redone only
# when the archive is newer than the copy.
function(_fz_trim_archive src dst)
  if(EXISTS "${dst}" AND NOT "${src}" IS_NEWER_THAN "${dst}")
    return()
  endif()
  file(COPY_FILE "${src}" "${dst}.tmp")
  execute_process(COMMAND "${CMAKE_AR}" d "${dst}.tmp" ${_fz_split_members}
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "cannot remove ${_fz_split_members} from a copy of "
            "${src}: ${_err}")
  endif()
  file(RENAME "${dst}.tmp" "${dst}")
endfunction()
_fz_trim_archive("${FZ_PY_STATIC}" "${_fz_pydir}/libpython-stub.a")
_fz_trim_archive("${FZ_PY_STATIC_PIC}" "${_fz_pydir}/libpython-stub-pic.a")
list(REMOVE_ITEM _fz_split_members config.o)
execute_process(COMMAND "${CMAKE_AR}" x "${FZ_PY_STATIC_PIC}"
                        ${_fz_split_members}
                WORKING_DIRECTORY "${_fz_pydir}/pic"
                RESULT_VARIABLE _fz_rc ERROR_VARIABLE _fz_err)
if(NOT _fz_rc EQUAL 0)
  message(FATAL_ERROR "cannot extract ${_fz_split_members} from "
          "${FZ_PY_STATIC_PIC}: ${_fz_err}")
endif()

foreach(_fz_kind Static StaticPic)
  if(_fz_kind STREQUAL "Static")
    set(_fz_lib "${_fz_pydir}/libpython-stub.a")
  else()
    set(_fz_lib "${_fz_pydir}/libpython-stub-pic.a")
  endif()
  if(NOT TARGET FzPython::${_fz_kind})
    add_library(FzPython::${_fz_kind} INTERFACE IMPORTED)
    # --whole-archive keeps every C API function an extension may call;
    # zlib and expat are linked statically because a minimal Debian has no
    # libexpat, so the runtime needs nothing but glibc.
    set_target_properties(FzPython::${_fz_kind} PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${Python3_INCLUDE_DIRS}"
      INTERFACE_LINK_LIBRARIES
        "-Wl,--whole-archive;${_fz_lib};-Wl,--no-whole-archive;${FZ_LIBZ_STATIC};${FZ_LIBEXPAT_STATIC};m;dl;pthread;util"
      INTERFACE_LINK_OPTIONS "-Wl,--export-dynamic")
  endif()
endforeach()
set(FzPython_FOUND TRUE)
message(STATUS "CPython ${FZ_PY_VERSION} from ${FZ_PYTHON}: ${FZ_PY_STATIC}")
mark_as_advanced(FZ_LIBZ_STATIC FZ_LIBEXPAT_STATIC)
