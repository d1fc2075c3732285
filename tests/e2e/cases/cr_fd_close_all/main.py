"""A daemon-style program closes every descriptor it did not open, then
opens new ones (which take the lowest free numbers) and imports more: the
runtime must still read its payload, and never from the program's files."""
import os

os.closerange(3, 4096)
pipes = [os.pipe() for _ in range(4)]
with open(__file__ if os.path.exists(__file__) else "/dev/null", "rb") as f:
    f.read(1)
import decimal
import json

print(json.dumps([str(decimal.Decimal(1) / 4)]))
for r, w in pipes:
    os.close(r)
    os.close(w)
