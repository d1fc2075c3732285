"""The classic idiom: freeze_support() first in the main block is harmless."""
import multiprocessing as mp
import sys


def double(x):
    return 2 * x


def report(q):
    q.put(sys.argv[1:])


if __name__ == "__main__":
    mp.freeze_support()
    mp.set_start_method("spawn")
    with mp.Pool(2) as pool:
        print(sorted(pool.map(double, range(6))))
    q = mp.Queue()
    p = mp.Process(target=report, args=(q,))
    p.start()
    print("child argv", q.get())
    p.join()
    print("exitcode", p.exitcode)
