# Distribution metadata and entry-point plugins of packages installed in a
# venv: versions, requirements, files, and a plugin nobody imports.
from importlib.metadata import distribution, entry_points, version

import greetlib

print(version("greetlib"), version("greet-loud"))
print(distribution("greetlib").metadata["Summary"])
print(distribution("greetlib").requires)
print(sorted(str(f) for f in distribution("greetlib").files))

styles = {ep.name: ep for ep in entry_points(group="greet.styles")}
print(sorted(styles))
print(greetlib.greet("world", styles["loud"].load()))

import pkg_resources

print(pkg_resources.get_distribution("greetlib").version)
