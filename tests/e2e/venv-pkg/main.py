import sys

import fzdemo

print(fzdemo.checksum(b"freeze"))
print(fzdemo.where().split(".")[0])
print("venv" in fzdemo.__file__ or getattr(sys, "frozen", False))
