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
