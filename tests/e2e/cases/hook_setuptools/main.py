# setuptools reaches its vendored packages through setuptools.extern
# (hook setuptools.toml).
from setuptools.extern.packaging.requirements import Requirement
from setuptools.extern.packaging.version import Version

print(Version("1.10") > Version("1.9"))
r = Requirement('demo[extra]>=2.0; python_version >= "3"')
print(r.name, sorted(r.extras), str(r.specifier))
