# re._parser imports unicodedata only for \N{...} in a pattern.
import re

print(re.compile(r"\N{EM DASH}").pattern)
