# A package that loads a grammar file when it is imported, and the
# standard library's lib2to3, which does the same with Grammar.txt.
import warnings

import minicalc

print(sorted(minicalc.RULES))
print(minicalc.evaluate("1 + 2 - 4 + 10"))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from lib2to3 import pygram

print("file_input" in pygram.python_grammar.symbol2number)
print(len(pygram.python_grammar.keywords) > 20)
