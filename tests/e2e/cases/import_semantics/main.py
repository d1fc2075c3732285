"""What an import does, compared with python3: module and spec attributes,
circular and failing imports, modules that replace themselves, threads
importing one module, custom finders, and the errors for missing modules."""
import importlib
import os
import sys
import threading
import traceback
import warnings

import imps

imps.counter = []


def dunders(m):
    return [k for k in vars(m) if k.startswith("__") and k.endswith("__")]


def describe(m):
    spec = m.__spec__
    return (m.__name__, m.__package__, dunders(m), spec.name, spec.parent,
            spec.has_location, spec._initializing,
            os.path.basename(m.__file__), m.__cached__.endswith(".pyc"),
            m.__loader__ is spec.loader,
            None if spec.submodule_search_locations is None
            else len(spec.submodule_search_locations),
            spec._uninitialized_submodules)


import imps.plain
print("plain", describe(imps.plain))
print("package", describe(imps))
print("parent attribute", imps.plain is sys.modules["imps.plain"])

from imps import deep
print("deep", describe(deep), deep.leaf.STATE)

import imps.circ_a
print("circular", imps.circ_a.b_value(), imps.circ_b.SEEN)

for attempt in (1, 2):
    try:
        import imps.broken
    except ValueError as e:
        tb = traceback.extract_tb(e.__traceback__)
        print("broken", attempt, e, "imps.broken" in sys.modules,
              hasattr(imps, "broken"), len(imps.counter),
              [(os.path.basename(f.filename), f.name) for f in tb])

import imps.replaced
print("replaced", type(imps.replaced).__name__, imps.replaced.kind,
      sys.modules["imps.replaced"] is imps.replaced)

mod = importlib.import_module(".plain", "imps")
print("import_module", mod is imps.plain)

for name in ("no_such_module", "imps.no_such", "imps.plain.sub"):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as e:
        print("missing", e, e.name, e.__suppress_context__)

sys.modules["imps.blocked"] = None
try:
    import imps.blocked
except ModuleNotFoundError as e:
    print("blocked", e, e.name)

# Two threads import one slow module: it runs once, and both get it whole.
got = []
def worker():
    import imps.slow
    got.append(imps.slow.DONE)
threads = [threading.Thread(target=worker) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads", got, imps.counter.count("slow"))


# A finder put first in sys.meta_path still decides.
class Virtual:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name == "imps.virtual":
            return importlib.util.spec_from_loader(name, cls)
        return None

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        module.WHO = "virtual"

import importlib.util
sys.meta_path.insert(0, Virtual)
import imps.virtual
print("virtual", imps.virtual.WHO, dunders(imps.virtual))
sys.meta_path.remove(Virtual)

# A parent that refuses attributes: the import still works, with a warning.
class Refusing:
    def __init__(self, real):
        object.__setattr__(self, "__path__", real.__path__)
        object.__setattr__(self, "__spec__", real.__spec__)

    def __setattr__(self, name, value):
        raise AttributeError(name)

sys.modules["imps"] = Refusing(imps)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import imps.sub_of_module
print("refusing parent", sys.modules["imps.sub_of_module"].X,
      [(w.category.__name__, str(w.message)) for w in caught])
sys.modules["imps"] = imps
print("modules in order", [k for k in sys.modules if k.startswith("imps")])
