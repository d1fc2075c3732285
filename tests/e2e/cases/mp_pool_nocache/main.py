"""Child processes when the cache cannot be used.

Each frozen process then extracts its own private bundle root. spawn and
forkserver children are handed the parent's __main__.__file__ and
sys.path, which name the parent's root, and must still run this script as
__mp_main__, import the app's modules and list them from sys.path; forked
children share the parent's root and must not remove it.
"""
import multiprocessing as mp
import os
import pkgutil
import sys

import helper

SCALE = 3  # set by the module's top level: the child must see it


def work(x):
    return helper.double(x) * SCALE


def describe(_):
    here = os.path.dirname(__file__)
    listed = {m.name for m in pkgutil.iter_modules()}
    return (__name__, here == sys.path[0], "helper" in listed)


if __name__ == "__main__":
    # A forked child that exits normally leaves the parent's root alone:
    # an extension module still loads afterwards.
    pid = os.fork()
    if pid == 0:
        sys.exit(0)
    print("fork", os.waitpid(pid, 0)[1])
    import decimal
    print(decimal.Decimal(1) / 8)
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        with ctx.Pool(2) as pool:
            print(method, pool.map(work, range(8)))
            print(method, sorted(set(pool.map(describe, range(4)))))
        p = ctx.Process(target=work, args=(1,))
        p.start()
        p.join()
        print(method, p.exitcode)
    print(mp.active_children())
