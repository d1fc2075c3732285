# Modules named by strings: import_module over a literal list, names built
# from module-level constants, __import__, pkgutil.iter_modules, and the
# source of a frozen function through inspect.
import importlib
import inspect
import pkgutil

FORMATS = ("json", "xml")
PACKAGE = "handlers"


def shout(text):
    """Upper-case `text` with emphasis."""
    return text.upper() + "!"


for name in ["alpha", "beta"]:
    mod = importlib.import_module(f"plugins.{name}")
    print(mod.run())

handlers = [importlib.import_module(PACKAGE + "." + f + "_handler") for f in FORMATS]
print([h.NAME for h in handlers])

gamma = __import__("plugins.gamma", fromlist=["run"])
print(gamma.run())

import plugins

print(sorted(m.name for m in pkgutil.iter_modules(plugins.__path__)))
print(sorted(m.name for m in pkgutil.iter_modules(["handlers"] and __import__(PACKAGE).__path__)))

print(inspect.getsource(shout), end="")
print(shout("frozen"))
