"""Generates the Markdown reference of the public rules from their doc strings.

Usage:

  python -m tools.docgen.main --defs=rules/defs.bzl --bzl=rules/private/jax_hlo.bzl ... --out=rules.md

Every public symbol re-exported by --defs must be a rule or a documented macro found in one of
the --bzl files; an undocumented one is an error.
"""

import os
import sys

from absl import app, flags

from tools.docgen import bzl_parse, markdown

_DEFS = flags.DEFINE_string("defs", None, "The public defs.bzl.", required=True)
_BZL = flags.DEFINE_multi_string("bzl", [], "A .bzl file that implements public symbols.")
_OUT = flags.DEFINE_string("out", None, "Markdown file to write.", required=True)
_TITLE = flags.DEFINE_string("title", "rules_jax rules", "Page title.")


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def main(argv: list[str]) -> int:
    """Writes the reference; returns the exit code."""
    del argv
    parsed = {}
    for path in _BZL.value:
        parsed[os.path.basename(path)] = bzl_parse.parse(_read(path))
    sections = []
    for public, label, original in bzl_parse.public_symbols(_read(_DEFS.value)):
        rules, macros = parsed.get(label.rpartition(":")[2], ({}, {}))
        if original in rules:
            sections.append(markdown.rule_section(public, rules[original]))
        elif original in macros:
            sections.append(markdown.macro_section(public, macros[original]))
        elif not public.endswith("Info"):
            print(
                "docgen: %s (%s from %s) has no doc string in --bzl files" % (public, original, label), file=sys.stderr
            )
            return 1
    with open(_OUT.value, "w") as f:
        f.write(markdown.document(_TITLE.value, sections))
    return 0


if __name__ == "__main__":
    app.run(main)
