"""An app module next to main.py: bundled with its source."""


def double(x):
    return 2 * x
