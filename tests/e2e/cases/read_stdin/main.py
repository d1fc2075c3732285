import sys

lines = sys.stdin.read().splitlines()
print(len(lines), "lines")
for line in reversed(lines):
    print(line[::-1])
