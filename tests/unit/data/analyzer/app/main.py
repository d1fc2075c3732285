# Fixture for tests/unit/test_analyzer.c: one import form per line.
import os.path
import pkg.sub
from pkg import helper, not_a_module
from pkg2 import *
import importlib
importlib.import_module("dyn_target")
__import__("dyn_target2")
importlib.import_module(".rel_dyn", "pkg")
from typing import TYPE_CHECKING
import typing
import sys

if TYPE_CHECKING:
    import typing_only_mod
if typing.TYPE_CHECKING:
    import typing_only_mod2

try:
    import optional_missing
except ImportError:
    optional_missing = None

try:
    import guarded_tuple_missing
except (AttributeError, ModuleNotFoundError):
    pass

import really_missing

if sys.platform == "win32":
    import win_only
else:
    import linux_only
if os.name == "nt":
    import nt_only
if sys.platform.startswith("linux"):
    import linux_only2
if sys.version_info < (3, 0):
    import py2_only

import nspkg.mod

if __name__ == "__main__":
    import main_block_dep

# A flag bound differently by each branch of a try (subprocess's
# _mswindows): unknown, so both branches of the `if` are followed.
try:
    import msvcrt
except ModuleNotFoundError:
    _windows = False
else:
    _windows = True
if _windows:
    import flag_true_branch
else:
    import flag_false_branch
