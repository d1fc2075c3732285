"""Reads its grammar file at import time, as parser generators do."""
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_HERE, "grammar.txt"), encoding="utf-8") as _f:
    RULES = dict(
        line.split(":", 1)
        for line in _f.read().splitlines()
        if line and not line.startswith("#")
    )


def evaluate(text):
    total, sign = 0, 1
    for tok in text.split():
        if tok in "+-":
            sign = 1 if tok == "+" else -1
        else:
            total += sign * int(tok)
    return total
