"""A package whose submodules exercise the import system's corners."""
