import signal
import sys
import time


def on_term(signum, frame):
    print("got", signal.Signals(signum).name, flush=True)
    sys.exit(17)


signal.signal(signal.SIGTERM, on_term)
print("ready", flush=True)
time.sleep(30)
