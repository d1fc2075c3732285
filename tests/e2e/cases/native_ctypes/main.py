# ctypes finds a bundled library: by find_library and by soname.
import ctypes
import ctypes.util

import yaml  # brings libyaml into the bundle

name = ctypes.util.find_library("yaml")
print(name)
lib = ctypes.CDLL(name)
lib.yaml_get_version_string.restype = ctypes.c_char_p
print(lib.yaml_get_version_string().decode())
lib2 = ctypes.CDLL("libyaml-0.so.2")
print(lib2.yaml_get_version_string is not None)
