"""Self-restart: os.execv(sys.executable, ...) with one more argument."""
import os
import sys

SELF = [sys.executable] + ([] if getattr(sys, "frozen", False) else [__file__])

if __name__ == "__main__":
    if "--restarted" not in sys.argv:
        print("first run", sys.argv[1:], flush=True)
        os.environ["FIRST_PID"] = str(os.getpid())
        os.execv(sys.executable, SELF + sys.argv[1:] + ["--restarted"])
    print("second run", sys.argv[1:])
    print("same pid", os.environ["FIRST_PID"] == str(os.getpid()))
