"""The modules a program imports at its start come from one code group
(fz_payload.h, "Code group"): each is executed once from it, and a module
run again (importlib.reload) or asked for its code gets it all the same."""
import importlib
import importlib.util
import json

import grp_pkg.mod


def later():
    import grp_lazy  # imported by a function: not in the group

    return grp_lazy.VALUE


print(grp_pkg.mod.counter(), grp_pkg.mod.counter(), later())
importlib.reload(grp_pkg.mod)
print(grp_pkg.mod.counter(), grp_pkg.LOADED)
code = importlib.util.find_spec("grp_pkg.mod").loader.get_code("grp_pkg.mod")
print(type(code).__name__, code.co_filename.endswith("mod.py"))
print(type(importlib.util.find_spec("json").loader.get_code("json")).__name__)
print(json.dumps({"loaded": sorted(grp_pkg.mod.SEEN)}))
