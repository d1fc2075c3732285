import sys

class Replacement:
    __name__ = __name__
    kind = "replacement"

sys.modules[__name__] = Replacement()
