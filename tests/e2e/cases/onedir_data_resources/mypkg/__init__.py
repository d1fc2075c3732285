"""A package with data files next to its code."""
