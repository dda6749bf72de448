"""Tests of tools/xla_cc."""
