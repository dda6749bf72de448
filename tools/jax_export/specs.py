"""Argument specs from BUILD files: `f32[8,128]`, `s32[]`, and pytrees of them.

Grammar (whitespace is ignored):

    spec  := leaf | tuple | list | dict
    leaf  := DTYPE '[' [INT (',' INT)*] ']'      e.g. f32[1024], s32[], bf16[8,128]
    tuple := '(' [spec (',' spec)* [',']] ')'
    list  := '[' [spec (',' spec)* [',']] ']'
    dict  := '{' [KEY ':' spec (',' KEY ':' spec)* [',']] '}'   KEY: a name or a quoted string
"""

import dataclasses
from typing import Any

from tools.jax_export import dtypes


class SpecError(ValueError):
    """A spec string that does not follow the grammar."""


@dataclasses.dataclass(frozen=True)
class ArraySpec:
    """One array argument: element type (HLO name) and static shape."""

    dtype: str
    shape: tuple[int, ...]

    def __str__(self) -> str:
        return "%s[%s]" % (self.dtype, ",".join(str(d) for d in self.shape))


_CLOSERS = {"(": ")", "[": "]", "{": "}"}


class _Parser:
    """Recursive-descent parser over one spec string."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def error(self, message: str) -> SpecError:
        return SpecError("%s at column %d of spec %r" % (message, self.pos + 1, self.text))

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = repr(self.peek()) if self.peek() else "end of spec"
            raise self.error("expected %r, found %s" % (char, found))
        self.pos += 1

    def word(self) -> str:
        self.skip_space()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return self.text[start : self.pos]

    def spec(self) -> Any:
        char = self.peek()
        if char and char in "([":
            return self.sequence(char)
        if char == "{":
            return self.mapping()
        return self.leaf()

    def sequence(self, opener: str) -> Any:
        self.expect(opener)
        items = []
        while self.peek() != _CLOSERS[opener]:
            items.append(self.spec())
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect(_CLOSERS[opener])
        return tuple(items) if opener == "(" else items

    def key(self) -> str:
        quote = self.peek()
        if quote in "'\"":
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise self.error("unterminated key")
            key = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return key
        key = self.word()
        if not key:
            raise self.error("expected a dict key")
        return key

    def mapping(self) -> dict[str, Any]:
        self.expect("{")
        items: dict[str, Any] = {}
        while self.peek() != "}":
            key = self.key()
            if key in items:
                raise self.error("duplicate key %r" % key)
            self.expect(":")
            items[key] = self.spec()
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("}")
        return items

    def leaf(self) -> ArraySpec:
        name = self.word()
        if not name:
            raise self.error("expected an element type such as f32")
        try:
            dtype = dtypes.canonical(name)
        except KeyError:
            raise self.error("unknown element type %r (known: %s)" % (name, ", ".join(dtypes.NUMPY_NAMES))) from None
        self.expect("[")
        dims = []
        while self.peek() != "]":
            digits = self.word()
            if not digits.isdigit():
                raise self.error("expected a non-negative integer dimension, found %r" % digits)
            dims.append(int(digits))
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("]")
        return ArraySpec(dtype, tuple(dims))


def parse(text: str) -> Any:
    """Parses one spec string into a pytree of ArraySpec.

    Raises:
      SpecError: the text does not follow the grammar; the message names the column.
    """
    parser = _Parser(text)
    tree = parser.spec()
    if parser.peek():
        raise parser.error("unexpected %r after the spec" % parser.peek())
    return tree
