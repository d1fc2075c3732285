# Numerical routines across SciPy's compiled subpackages: LAPACK through
# linalg, optimisation, integration, statistics, sparse solvers, FFT,
# interpolation, spatial trees and special functions.
import numpy as np
from scipy import fft, integrate, interpolate, linalg, optimize, sparse
from scipy import spatial, special, stats
from scipy.sparse.linalg import spsolve

a = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
print("solve", np.round(linalg.solve(a, [1.0, 2.0, 3.0]), 6))
print("eigvalsh", np.round(linalg.eigvalsh(a), 6))
print("expm", np.round(linalg.expm(np.eye(2))[0, 0], 6))
res = optimize.minimize(lambda p: (p[0] - 1) ** 2 + (p[1] + 2) ** 2, [0, 0])
print("minimize", np.round(res.x, 4))
print("root", round(optimize.brentq(lambda x: x**3 - 2, 0, 2), 6))
print("quad", round(integrate.quad(np.sin, 0, np.pi)[0], 6))
sol = integrate.solve_ivp(lambda t, y: -y, (0, 1), [1.0], rtol=1e-8)
print("ivp", round(sol.y[0, -1], 5))
print("norm", round(stats.norm.ppf(0.975), 6))
print("ttest", round(stats.ttest_ind([1, 2, 3, 4], [3, 4, 5, 6]).pvalue, 6))
m = sparse.diags([1, -2, 1], [-1, 0, 1], shape=(5, 5), format="csr")
print("spsolve", np.round(spsolve(m, np.ones(5)), 4))
print("fft", np.round(np.abs(fft.fft([1, 0, -1, 0])), 6))
f = interpolate.CubicSpline([0, 1, 2, 3], [0, 1, 8, 27])
print("spline", round(float(f(1.5)), 6))
tree = spatial.cKDTree([[0, 0], [1, 1], [2, 2]])
print("kdtree", tree.query([0.9, 1.2])[1])
print("rotation", np.round(spatial.transform.Rotation.from_euler(
    "z", 90, degrees=True).apply([1, 0, 0]), 6))
print("gamma", special.gamma(5), round(special.erf(0.5), 6))
