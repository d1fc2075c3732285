"""subprocess.run([sys.executable, ...]) re-runs the program itself, with
the same environment and (frozen) the same bundle root."""
import json
import os
import subprocess
import sys

SELF = [sys.executable] + ([] if getattr(sys, "frozen", False) else [__file__])

if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        print(json.dumps({"argv": sys.argv[1:], "env": dict(os.environ),
                          "root": getattr(sys, "_MEIPASS", None),
                          "stdin": sys.stdin.read()}))
        sys.exit(3)
    r = subprocess.run(SELF + ["child", "-c", "x"], input="hello",
                       capture_output=True, text=True)
    info = json.loads(r.stdout)
    print("status", r.returncode, "stderr", repr(r.stderr))
    print("argv", info["argv"], "stdin", info["stdin"])
    print("same environment", info["env"] == dict(os.environ))
    print("same bundle root", info["root"] == getattr(sys, "_MEIPASS", None))
    r = subprocess.run(SELF + ["child"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL)
    print("status", r.returncode)
