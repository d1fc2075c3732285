"""Pool.map, Process and Queue with the start method named by argv[1]
(spawn by default); the mp_pool_* cases run it with each method."""
import multiprocessing as mp
import sys

SCALE = 3  # set by the module's top level: the child must see it


def scale(x):
    return x * SCALE


def module_name(_):
    return __name__


def produce(q, n):
    for i in range(n):
        q.put(i * i)
    q.put(None)


if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    print(ctx.get_start_method())
    with ctx.Pool(2) as pool:
        print(sorted(pool.map(scale, range(10))))
        print(sorted(set(pool.map(module_name, range(4)))))
        print(pool.apply(divmod, (17, 5)))
    q = ctx.Queue()
    p = ctx.Process(target=produce, args=(q, 5))
    p.start()
    items = []
    while (item := q.get()) is not None:
        items.append(item)
    p.join()
    print(items, p.exitcode)
    print(mp.current_process().name, mp.active_children())
