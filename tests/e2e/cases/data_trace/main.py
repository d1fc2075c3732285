# A module name computed at run time: no static analysis can see it;
# freeze --trace runs the program once and records the import.
import importlib
import os

name = os.environ.get("FZ_TEST_FORMAT_MODULE", "json"[:0] + "csv")
mod = importlib.import_module(name)
print(mod.__name__, hasattr(mod, "DictReader"))
