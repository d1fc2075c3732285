"""A command-line tool using numpy and PyYAML (with its C loader).

Reads a YAML document of named number series (a file, or stdin with "-";
a built-in sample without arguments) and prints statistics and a
least-squares fit as YAML.

    freeze examples/cli-numpy-yaml/stats.py
    ./dist/stats data.yaml
"""
import argparse
import sys

import numpy as np
import yaml

try:
    Loader, Dumper = yaml.CSafeLoader, yaml.CSafeDumper
except AttributeError:  # PyYAML without libyaml
    Loader, Dumper = yaml.SafeLoader, yaml.SafeDumper

SAMPLE = """
temperature: [12.5, 13.1, 15.0, 17.2, 16.8, 14.9]
rainfall: [3, 0, 1, 7, 2, 5]
"""


def describe(values):
    a = np.asarray(values, dtype=np.float64)
    x = np.arange(a.size, dtype=np.float64)
    slope, intercept = np.linalg.lstsq(
        np.vstack([x, np.ones_like(x)]).T, a, rcond=None)[0]
    return {
        "n": int(a.size),
        "mean": round(float(a.mean()), 4),
        "std": round(float(a.std()), 4),
        "min": float(a.min()),
        "max": float(a.max()),
        "trend": {"slope": round(float(slope), 4),
                  "intercept": round(float(intercept), 4)},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="YAML file, '-' for stdin")
    args = parser.parse_args(argv)
    if args.file is None:
        text = SAMPLE
    elif args.file == "-":
        text = sys.stdin.read()
    else:
        with open(args.file, encoding="utf-8") as f:
            text = f.read()
    data = yaml.load(text, Loader=Loader)
    if not isinstance(data, dict):
        parser.error("expected a mapping of name: [numbers]")
    report = {name: describe(values) for name, values in sorted(data.items())}
    yaml.dump(report, sys.stdout, Dumper=Dumper, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
