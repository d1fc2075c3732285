"""No process more than python3: a busy Pool(2) under spawn has two workers
and the resource tracker, and nothing below them."""
import multiprocessing as mp
import os


def square(x):
    return x * x


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry))
    return found


def descendants(pid):
    kids = children(pid)
    return kids + [d for k in kids for d in descendants(k)]


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        print(sorted(pool.map(square, range(6))))
        print("active_children", len(mp.active_children()))
        print("children", len(children(os.getpid())))
        print("descendants", len(descendants(os.getpid())))
    with mp.get_context("fork").Pool(2) as pool:
        print(sorted(pool.map(square, range(6))))
        print("active_children", len(mp.active_children()))
        print("descendants", len(descendants(os.getpid())))
