"""Reads rule and macro documentation out of .bzl files.

Starlark's syntax is a subset of Python's, so Python's `ast` parses a .bzl file. This module
finds `NAME = rule(doc = ..., attrs = {...})` assignments and top-level `def`s with docstrings,
and evaluates the literal parts (strings, `+` of strings, numbers, lists, dicts) it needs.
"""

import ast
import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Attribute:
    """One attribute of a rule."""

    name: str
    kind: str  # e.g. "string_list", "label"
    doc: str
    mandatory: bool
    default: str | None  # Python-literal text of the default, or None


@dataclasses.dataclass(frozen=True)
class Rule:
    """A rule: its documentation and public attributes."""

    name: str
    doc: str
    attributes: tuple[Attribute, ...]


@dataclasses.dataclass(frozen=True)
class Macro:
    """A macro (a top-level function): its docstring."""

    name: str
    doc: str


def _literal(node: ast.AST) -> Any:
    """Evaluates a literal expression; `+` joins strings (as rule docs often do)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal(node.left) + _literal(node.right)
    return ast.literal_eval(node)


def _keywords(call: ast.Call) -> dict[str, ast.AST]:
    return {k.arg: k.value for k in call.keywords if k.arg}


def _attribute(name: str, node: ast.AST) -> Attribute | None:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    keywords = _keywords(node)
    default = keywords.get("default")
    try:
        default_text = repr(_literal(default)) if default is not None else None
    except ValueError:
        default_text = ast.unparse(default)
    return Attribute(
        name=name,
        kind=node.func.attr,
        doc=_literal(keywords["doc"]) if "doc" in keywords else "",
        mandatory=bool(_literal(keywords["mandatory"])) if "mandatory" in keywords else False,
        default=default_text,
    )


def _rule(name: str, call: ast.Call) -> Rule:
    keywords = _keywords(call)
    attributes = []
    attrs = keywords.get("attrs")
    if isinstance(attrs, ast.Dict):
        for key, value in zip(attrs.keys, attrs.values, strict=True):
            attr_name = _literal(key)
            parsed = _attribute(attr_name, value)
            if parsed and not attr_name.startswith("_"):
                attributes.append(parsed)
    return Rule(name=name, doc=_literal(keywords["doc"]) if "doc" in keywords else "", attributes=tuple(attributes))


def parse(source: str) -> tuple[dict[str, Rule], dict[str, Macro]]:
    """Returns the rules and the documented top-level functions of one .bzl file, by name."""
    tree = ast.parse(source)
    rules: dict[str, Rule] = {}
    macros: dict[str, Macro] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id == "rule" and isinstance(node.targets[0], ast.Name):
                rules[node.targets[0].id] = _rule(node.targets[0].id, node.value)
        elif isinstance(node, ast.FunctionDef) and ast.get_docstring(node):
            macros[node.name] = Macro(node.name, ast.get_docstring(node))
    return rules, macros


def public_symbols(defs_source: str) -> list[tuple[str, str, str]]:
    """(public name, .bzl label it comes from, name there) for each re-export in defs.bzl.

    defs.bzl holds `load("//rules/private:x.bzl", _y = "y")` and `y = _y`.
    """
    tree = ast.parse(defs_source)
    loaded: dict[str, tuple[str, str]] = {}
    exports = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Name) and call.func.id == "load":
                label = _literal(call.args[0])
                for keyword in call.keywords:
                    loaded[keyword.arg] = (label, _literal(keyword.value))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id in loaded:
            label, original = loaded[node.value.id]
            exports.append((node.targets[0].id, label, original))
    return exports
