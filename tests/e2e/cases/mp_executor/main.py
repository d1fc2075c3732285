"""concurrent.futures.ProcessPoolExecutor, default and spawn contexts."""
import concurrent.futures as cf
import multiprocessing as mp


def cube(x):
    return x ** 3


def fail(x):
    raise ValueError("bad input %d" % x)


if __name__ == "__main__":
    for ctx in (None, mp.get_context("spawn")):
        with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
            print(sorted(ex.map(cube, range(8))))
            futures = [ex.submit(cube, n) for n in (10, 20)]
            print(sorted(f.result() for f in cf.as_completed(futures)))
            try:
                ex.submit(fail, 7).result()
            except ValueError as e:
                print("ValueError:", e)
