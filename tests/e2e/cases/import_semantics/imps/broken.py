RUNS = __import__("imps").counter
RUNS.append(1)
def fail():
    raise ValueError("broken on purpose")
fail()
