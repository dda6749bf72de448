"""Placeholder (ops to come)."""
