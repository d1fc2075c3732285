"""The resource tracker: resources a crashed process leaked are removed at
shutdown (with its warnings); properly released ones give no warning."""
import multiprocessing as mp
import os
import subprocess
import sys
from multiprocessing import shared_memory

SELF = [sys.executable] + ([] if getattr(sys, "frozen", False) else [__file__])


def leak():
    ctx = mp.get_context("spawn")
    shm = shared_memory.SharedMemory(create=True, size=64)
    lock = ctx.Lock()  # a named semaphore, registered with the tracker
    print(shm.name, flush=True)
    os._exit(0)  # no finalizer runs: both leak


def tidy():
    ctx = mp.get_context("spawn")
    shm = shared_memory.SharedMemory(create=True, size=64)
    with ctx.Lock():
        shm.buf[0] = 1
    shm.close()
    shm.unlink()
    print("tidy done", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["leak"]:
        leak()
    elif sys.argv[1:] == ["tidy"]:
        tidy()
    else:
        # stderr stays open in the tracker until it has cleaned up.
        r = subprocess.run(SELF + ["leak"], capture_output=True, text=True)
        name = r.stdout.strip()
        print("leak status", r.returncode)
        print("segment removed", not os.path.exists("/dev/shm/" + name))
        for line in sorted(r.stderr.splitlines()):
            if "UserWarning: " in line:
                print(line.split("UserWarning: ", 1)[1])
        r = subprocess.run(SELF + ["tidy"], capture_output=True, text=True)
        print(r.returncode, r.stdout.strip(), repr(r.stderr))
