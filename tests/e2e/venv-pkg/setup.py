# A package of the tests' own with a C extension (linked with zlib), built
# and installed into a venv without network by tests/e2e/venv-ext.
from setuptools import Extension, setup

setup(
    name="fzdemo",
    version="1.0",
    packages=["fzdemo"],
    ext_modules=[Extension("fzdemo._speed", ["fzdemo/_speed.c"],
                           libraries=["z"])],
)
