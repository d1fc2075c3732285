"""multiprocessing.Manager: a dict and a list shared with workers."""
import multiprocessing as mp


def record(shared, log, key):
    shared[key] = len(key)
    log.append(key.upper())


if __name__ == "__main__":
    for method in ("fork", "spawn"):
        ctx = mp.get_context(method)
        with ctx.Manager() as manager:
            shared = manager.dict()
            log = manager.list()
            procs = [ctx.Process(target=record, args=(shared, log, k))
                     for k in ("a", "bb", "ccc")]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            print(method, sorted(shared.items()), sorted(log),
                  [p.exitcode for p in procs])
