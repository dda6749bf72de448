"""Compiler passes, each readable on its own; `compile.py` runs them in order."""
