# re without \N escapes, no codec named: neither unicodedata nor idna.
import re

print(re.sub("a", "b", "banana"), "text".encode("utf-8"))
