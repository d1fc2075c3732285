"""Threads and signals: handlers run in the main thread; a spawned child
dies of SIGTERM and a forked one of SIGKILL like under python3."""
import multiprocessing as mp
import os
import signal
import threading
import time

handled = []
done = threading.Event()


def on_usr1(signum, frame):
    handled.append(threading.current_thread() is threading.main_thread())
    done.set()


def sender(lock):
    # Aimed at the main thread: a process-directed signal may land on a
    # thread that is not the one blocked in join(), and then the main
    # thread only runs the handler after its wait, by which time two
    # signals can have merged into one (python3 shows the same race).
    with lock:
        done.clear()
        signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
        done.wait(10)


def sleeper():
    time.sleep(60)


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, on_usr1)
    lock = threading.Lock()
    threads = [threading.Thread(target=sender, args=(lock,)) for _ in range(4)]
    for t in threads:
        t.start()
    # join() with a timeout: a signal that arrives just before the main
    # thread blocks in a lock wait is handled only when the wait ends
    # (CPython's own race), and a 10 s stall lets the next sender's signal
    # merge with it. Short waits run pending handlers promptly.
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(0.05)
    print("handled", len(handled), "in main thread", all(handled))
    for method, how in (("spawn", "terminate"), ("fork", "kill")):
        p = mp.get_context(method).Process(target=sleeper)
        p.start()
        getattr(p, how)()
        p.join()
        print(method, how, p.exitcode)
