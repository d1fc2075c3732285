"""shared_memory: a block and a ShareableList written by spawned children."""
import multiprocessing as mp
from multiprocessing import shared_memory


def fill(name, n):
    shm = shared_memory.SharedMemory(name=name)
    for i in range(n):
        shm.buf[i] = i * 2
    shm.close()


def bump(name):
    sl = shared_memory.ShareableList(name=name)
    sl[0] += 1
    sl[1] = sl[1].upper()
    sl.shm.close()


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    shm = shared_memory.SharedMemory(create=True, size=16)
    sl = shared_memory.ShareableList([41, "frozen", 2.5])
    try:
        for target, args in ((fill, (shm.name, 8)), (bump, (sl.shm.name,))):
            p = ctx.Process(target=target, args=args)
            p.start()
            p.join()
            print(target.__name__, p.exitcode)
        print(list(shm.buf[:8]))
        print(list(sl))
    finally:
        shm.close()
        shm.unlink()
        sl.shm.close()
        sl.shm.unlink()
