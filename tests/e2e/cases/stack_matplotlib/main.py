# A plotting tool: a styled line and bar chart rendered to PNG with the
# default backend (Agg when there is no display), text in the bundled
# DejaVu fonts, the font cache built per user at first run.
import io
import logging
import os
import sys

# First run builds the font cache and says so; keep the output stable.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

data = matplotlib.get_data_path()
print("backend", matplotlib.get_backend().lower())
print("matplotlibrc", os.path.isfile(os.path.join(data, "matplotlibrc")))
# Frozen, the data is the bundle's copy next to the package.
frozen = getattr(sys, "frozen", False)
print("data in bundle", frozen == data.startswith(
    os.path.dirname(matplotlib.__file__)))
print("styles", "ggplot" in plt.style.available)

plt.style.use("ggplot")
x = np.linspace(0, 2 * np.pi, 50)
fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3), dpi=100)
a.plot(x, np.sin(x), label="sin")
a.plot(x, np.cos(x), label="cos")
a.legend()
a.set_title("Waves")
b.bar(["a", "b", "c"], [3, 1, 2])
b.set_title("Bars")
fig.tight_layout()
fig.canvas.draw()
w, h = fig.canvas.get_width_height()
pixels = np.asarray(fig.canvas.buffer_rgba())
print("size", w, h, pixels.shape)
print("colours > 50", len(np.unique(pixels.reshape(-1, 4), axis=0)) > 50)
buf = io.BytesIO()
fig.savefig(buf, format="png")
print("png", buf.getvalue()[:4] == b"\x89PNG", len(buf.getvalue()) > 10000)
font = font_manager.findfont("DejaVu Sans", fallback_to_default=False)
print("font", os.path.basename(font))
cache = matplotlib.get_cachedir()
print("cache writable", os.access(cache, os.W_OK))
# A 3D axes: mpl_toolkits, whose __init__ imports pkg_resources only to
# declare a namespace; python3 never runs it (matplotlib's nspkg.pth makes
# the module first), and the frozen app must not carry or import it.
from mpl_toolkits.mplot3d import Axes3D  # noqa: F401

ax3 = plt.figure().add_subplot(projection="3d")
ax3.plot([0, 1], [0, 1], [0, 1])
ax3.figure.canvas.draw()
print("3d", ax3.name, "pkg_resources" in sys.modules)
