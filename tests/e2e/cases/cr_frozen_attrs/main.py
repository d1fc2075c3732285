import os
import sys

print(sys.frozen, os.path.isabs(sys._MEIPASS))
print(sys.executable == os.path.realpath(os.environ["FZ_TEST_EXE"]))
print(sys.argv[0] == os.environ["FZ_TEST_ARGV0"])
print(__name__, __file__ == os.path.join(sys._MEIPASS, "main.py"))
# The runtime adds no variable: os.environ is what the process was given.
with open("/proc/self/environ", "rb") as f:
    given = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if v)
print(dict(os.environb) == given)
print(sys.flags.no_site, "site" in sys.modules)
