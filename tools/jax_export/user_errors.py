"""Errors about the user's BUILD attributes or Python code, reported without the tool's frames."""

import os
import traceback

_TOOL_DIR = os.path.dirname(os.path.abspath(__file__))


class UserError(Exception):
    """An error the user must fix; its message is printed as is, without a traceback."""


def _is_user_frame(filename: str) -> bool:
    path = os.path.abspath(filename)
    if path.startswith(_TOOL_DIR + os.sep) or filename.startswith("<"):
        return False
    return "site-packages" not in path.split(os.sep) and os.sep + "lib" + os.sep + "python" not in path


def _relative(filename: str) -> str:
    # Paths inside the sandbox are absolute; the part after the execroot is what the user knows.
    relative = os.path.relpath(os.path.abspath(filename), os.getcwd())
    return filename if relative.startswith("..") else relative


def user_traceback(error: BaseException, context: str) -> UserError:
    """Wraps an exception raised by user code, keeping only the user's own frames.

    Args:
      error: the exception raised while importing or tracing the user's function.
      context: what the tool was doing, e.g. "tracing examples.quadratic:roots".

    Returns:
      A UserError whose message shows the user's frames (file, line, code) and the exception.
    """
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_user_frame(f.filename)]
    lines = ["error while %s:" % context]
    if frames:
        lines.append("Traceback (user code only, most recent call last):")
        for frame in frames:
            lines.append('  File "%s", line %d, in %s' % (_relative(frame.filename), frame.lineno, frame.name))
            if frame.line:
                lines.append("    " + frame.line.strip())
    # str(error), not traceback.format_exception_only: JAX appends a note about its filtered
    # frames that would only confuse here.
    lines.append("%s: %s" % (type(error).__name__, error))
    return UserError("\n".join(lines))
