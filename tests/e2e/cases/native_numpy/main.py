# numpy with Debian's BLAS/LAPACK (libblas.so.3 through /etc/alternatives).
import numpy as np

a = np.arange(12, dtype=np.float64).reshape(3, 4)
print(a @ a.T)
m = np.array([[4.0, 1.0], [2.0, 3.0]])
print(np.round(np.linalg.inv(m), 6))
print(np.round(sorted(np.linalg.eigvals(m).real), 6))
print(np.linalg.solve(m, np.array([1.0, 2.0])).round(6))
rng = np.random.default_rng(42)
print(rng.integers(0, 100, size=5))
print(np.fft.fft(np.ones(4)).real)
# numpy.ctypeslib.load_library("name", dir) finds the suffix through
# numpy.distutils, which comes without setuptools (numpy's hooks).
import os
import sys

umath = os.path.dirname(np.core._multiarray_umath.__file__)
print(type(np.ctypeslib.load_library("_multiarray_umath", umath)).__name__)
# numpy reaches SciPy only to test SciPy, and setuptools and its own build
# system only in a setup.py: a numpy program does not carry them.
import importlib.util

frozen = getattr(sys, "frozen", False)
print("bundled:", [m for m in ("scipy", "setuptools", "pkg_resources",
                               "numpy.f2py", "numpy.distutils.core",
                               "numpy.distutils.system_info")
                   if frozen and importlib.util.find_spec(m)])
