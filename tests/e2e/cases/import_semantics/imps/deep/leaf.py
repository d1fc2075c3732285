import sys
import imps
# The package is still initializing: its spec says so, the parent does not
# have it yet, and asking for it names the circular import.
pkg = sys.modules["imps.deep"]
try:
    imps.deep
    ERROR = None
except AttributeError as e:
    ERROR = str(e)
STATE = (pkg.__spec__._initializing, hasattr(pkg, "leaf"), ERROR,
         list(imps.__spec__._uninitialized_submodules))
