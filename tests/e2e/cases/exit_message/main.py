import sys

sys.exit("fatal: no input given")
