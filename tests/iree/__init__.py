"""Tests of tools/iree."""
