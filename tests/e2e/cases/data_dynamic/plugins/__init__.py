"""Plugins are loaded by name."""
