_n = 0
SEEN = {__name__}


def counter():
    global _n
    _n += 1
    return _n
