"""A plotting tool: read numbers (CSV columns x,y...) and write a PNG.

    plot [INPUT.csv] [-o OUT.png] [--title TITLE]

Without INPUT it plots a demo data set. Freeze it with
`freeze examples/plot/plot.py`: the frozen tool carries matplotlib, its
mpl-data (fonts, styles) and NumPy, and renders with Agg.
"""
import argparse
import csv
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np


def read_columns(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(f) if r]
    header, data = rows[0], np.array(rows[1:], dtype=float)
    return header, data


def main(argv=None):
    p = argparse.ArgumentParser(prog="plot", description=__doc__.split("\n")[0])
    p.add_argument("input", nargs="?", help="CSV file: x column, then y's")
    p.add_argument("-o", "--output", default="plot.png")
    p.add_argument("--title", default="")
    p.add_argument("--style", default="ggplot")
    args = p.parse_args(argv)
    if args.input:
        header, data = read_columns(args.input)
    else:
        x = np.linspace(0, 4 * np.pi, 200)
        header = ["x", "sin", "cos", "damped"]
        data = np.column_stack([x, np.sin(x), np.cos(x),
                                np.exp(-x / 6) * np.sin(2 * x)])
    plt.style.use(args.style)
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    for i, name in enumerate(header[1:], start=1):
        ax.plot(data[:, 0], data[:, i], label=name)
    ax.set_xlabel(header[0])
    ax.set_title(args.title or "plot of %d series" % (len(header) - 1))
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.output)
    print("wrote %s (%s backend)" % (args.output, matplotlib.get_backend()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
