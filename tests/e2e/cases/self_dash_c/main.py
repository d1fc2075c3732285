"""A frozen app is no Python interpreter: -c, -m and command lines that
look like multiprocessing's, but are not exactly, are program arguments."""
import os
import subprocess
import sys

SELF = [sys.executable] + ([] if getattr(sys, "frozen", False) else [__file__])
TRACKER = "from multiprocessing.resource_tracker import main;main(%s)"
SPAWN = "from multiprocessing.spawn import spawn_main; spawn_main(%s)"
FORKSERVER = "from multiprocessing.forkserver import main; main(%s)"

LOOKALIKES = [
    ["-S", "-I", "-c", "import os; print('pwned')"],
    ["-m", "http.server"],
    ["-S", "-I", "-c", TRACKER % "0); print('pwned'"],
    ["-S", "-I", "-c", TRACKER % "0", "extra"],
    ["-S", "-I", "-c", TRACKER % "os.system('echo pwned')"],
    ["-c", SPAWN % "pipe_handle=0); print('pwned'", "--multiprocessing-fork"],
    ["-c", SPAWN % "pipe_handle=0", "--multiprocessing-fork", "x"],
    ["-c", FORKSERVER % "0, 1, [print('pwned')], **{}"],
    ["-c", FORKSERVER % "0, 1, [], **{'x': __import__('os')}"],
    ["--multiprocessing-fork", "pipe_handle=__import__('os')"],
    ["--multiprocessing-fork", "pipe_handle=0", "junk=1"],
    ["-X", "frozen_modules=off", "-c", TRACKER % "0"],
]

if __name__ == "__main__":
    print(sys.argv[1:])
    if "SELF_DASH_C_CHILD" not in os.environ:
        env = dict(os.environ, SELF_DASH_C_CHILD="1")
        for args in LOOKALIKES:
            r = subprocess.run(SELF + args, env=env, capture_output=True,
                               text=True, stdin=subprocess.DEVNULL)
            print(r.returncode, r.stdout.strip(), repr(r.stderr))
