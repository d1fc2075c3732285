# Package data read every way programs read it, frozen with no options.
import importlib.resources as res
import os
import pkgutil

import mypkg
import mypkg.sub

# importlib.resources: files(), as_file(), directory iteration
print(res.files("mypkg").joinpath("config.json").read_text().strip())
with res.as_file(res.files("mypkg") / "data" / "greeting.txt") as p:
    print(p.read_text().strip())
print(sorted(x.name for x in (res.files("mypkg") / "data").iterdir()))
print((res.files("mypkg.sub") / "notes.txt").read_text().strip())
print(res.files("mypkg").joinpath("data").is_dir())

# pkgutil.get_data
print(pkgutil.get_data("mypkg", "data/greeting.txt").decode().strip())

# pkg_resources
import pkg_resources

print(pkg_resources.resource_string("mypkg", "config.json").decode().strip())
print(sorted(pkg_resources.resource_listdir("mypkg", "data")))
print(pkg_resources.resource_isdir("mypkg", "data"))
fn = pkg_resources.resource_filename("mypkg", "data/greeting.txt")
print(os.path.isfile(fn), os.path.basename(fn))

# next to __file__
here = os.path.dirname(mypkg.__file__)
with open(os.path.join(here, "data", "other.txt")) as f:
    print(f.read().strip())

# a data-only subpackage (no __init__.py) imported by name
import mypkg.data

print(mypkg.data.__name__, "greeting.txt" in os.listdir(list(mypkg.data.__path__)[0]))
