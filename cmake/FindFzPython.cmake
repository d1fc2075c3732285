# FindFzPython: the CPython that freeze is built against (FZ_PYTHON, Debian's
# /usr/bin/python3 by default; never whatever python3 is first on PATH).
#
# Imported targets:
#   Python3::Python     shared libpython, embedded by the freezer
#   FzPython::Static    libpython3.X.a (non-PIC) + static zlib/expat: runtime
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

foreach(_fz_kind Static StaticPic)
  if(_fz_kind STREQUAL "Static")
    set(_fz_lib "${FZ_PY_STATIC}")
  else()
    set(_fz_lib "${FZ_PY_STATIC_PIC}")
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
