import time
import imps
imps.counter.append("slow")
time.sleep(0.3)
DONE = True
