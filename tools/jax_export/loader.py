"""Imports the user's function named `package.module:function` from the action's import roots."""

import importlib
import inspect
import sys
from collections.abc import Callable

from tools.jax_export.user_errors import UserError, user_traceback


def add_import_roots(roots: list[str]) -> None:
    """Puts the user's import roots (execroot-relative directories) first on sys.path."""
    for root in reversed(roots):
        sys.path.insert(0, root)


def load_function(target: str) -> Callable:
    """Returns the callable named by `package.module:attribute[.attribute]`.

    Raises:
      UserError: the name is malformed, the module or attribute does not exist, the module
        raises on import (with the user's traceback), or the attribute is not callable.
    """
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise UserError("attribute `function`: %r must look like 'package.module:function'" % target)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise UserError(
                "attribute `function`: module %r not found (is the py_library that holds it in `deps`?)" % module_name
            ) from None
        raise user_traceback(error, "importing %s" % module_name) from None
    except Exception as error:  # The user's module raised on import: show their traceback.
        raise user_traceback(error, "importing %s" % module_name) from None
    value = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise UserError("attribute `function`: module %r has no attribute %r" % (module_name, attribute))
        value = getattr(value, part)
    if not callable(value):
        raise UserError("attribute `function`: %r is a %s, not a function" % (target, type(value).__name__))
    return value


def parameter_names(function: Callable, count: int, kwargs: dict) -> list[str]:
    """Names of the first `count` positional parameters, after checking the call is valid.

    Raises:
      UserError: `count` positional arguments plus `kwargs` cannot be bound to the function.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return ["arg%d" % i for i in range(count)]
    try:
        bound = signature.bind(*range(count), **kwargs)
    except TypeError as error:
        raise UserError(
            "attribute `args`: %d argument spec(s) and static kwargs %s do not fit %s%s: %s"
            % (count, sorted(kwargs), getattr(function, "__name__", "function"), signature, error)
        ) from None
    names = []
    for name, value in bound.arguments.items():
        param = signature.parameters[name]
        if param.kind == param.VAR_POSITIONAL:
            names.extend("%s_%d" % (name, i) for i in range(len(value)))
        elif name not in kwargs and param.kind != param.VAR_KEYWORD:
            names.append(name)
    return names[:count]
