"""Small helpers that write readable C: identifiers, array definitions, struct literals."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

C_TYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t", "float32": "float"}
_VALUES_PER_LINE = {"int8_t": 16, "uint8_t": 16, "int16_t": 12, "int32_t": 8, "float": 6}
_KEYWORDS = frozenset({"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
                       "else", "enum", "extern", "float", "for", "goto", "if", "int", "long", "register",
                       "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
                       "union", "unsigned", "void", "volatile", "while", "inline", "restrict"})  # fmt: skip


def c_identifier(text: str, fallback: str = "model") -> str:
    """A valid C identifier from any text: lower case, non-alphanumerics become ``_``."""
    ident = re.sub(r"[^0-9a-zA-Z_]+", "_", text).strip("_").lower()
    ident = re.sub(r"_+", "_", ident)
    if not ident:
        ident = fallback
    if ident[0].isdigit():
        ident = f"{fallback}_{ident}"
    return f"{ident}_" if ident in _KEYWORDS else ident


def c_string(text: str) -> str:
    """A C string literal of ``text`` (UTF-8 bytes; quotes, backslashes and controls escaped)."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in '\\"':
            out.append("\\" + ch)
        elif 32 <= byte < 127 and ch != "?":  # '?' would risk trigraphs
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def c_comment(text: str) -> str:
    """Text that is safe inside a C block comment."""
    return text.replace("*/", "* /").replace("/*", "/ *")


def c_float(value: float) -> str:
    """A float literal that round-trips exactly through a C compiler."""
    f = float(np.float32(value))
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"non-finite float constant {value}")
    text = repr(f)
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "f"


def c_literal(value: int | float) -> str:
    """An integer or float literal (INT32_MIN is written so that C accepts it)."""
    if isinstance(value, float | np.floating):
        return c_float(float(value))
    value = int(value)
    if value == -(2**31):
        return "(-2147483647 - 1)"
    return str(value)


@dataclass(frozen=True)
class CArray:
    """A constant array that goes to Flash: ``const <ctype> <name>[n] = {...};``."""

    name: str
    ctype: str
    values: np.ndarray
    comment: str = ""

    @property
    def length(self) -> int:
        return int(self.values.size)

    @property
    def nbytes(self) -> int:
        return int(self.values.size * np.dtype(_NUMPY[self.ctype]).itemsize)

    def declaration(self) -> str:
        """The ``extern`` declaration for a header."""
        return f"extern const {self.ctype} {self.name}[{max(self.length, 1)}];"

    def definition(self) -> str:
        """The definition with its values, a fixed number per line."""
        flat = self.values.reshape(-1)
        per_line = _VALUES_PER_LINE[self.ctype]
        literal = c_float if self.ctype == "float" else c_literal
        rows = [", ".join(literal(v) for v in flat[i : i + per_line]) for i in range(0, flat.size, per_line)]
        body = ",\n".join(f"    {row}" for row in rows) if rows else "    0"
        head = f"/* {c_comment(self.comment)} */\n" if self.comment else ""
        return f"{head}const {self.ctype} {self.name}[{max(self.length, 1)}] = {{\n{body}\n}};\n"


_NUMPY = {
    "int8_t": np.int8, "uint8_t": np.uint8, "int16_t": np.int16, "int32_t": np.int32, "float": np.float32,
}  # fmt: skip


def struct_literal(fields: dict[str, object], indent: str = "    ") -> str:
    """A designated-initializer literal ``{ .a = 1, .b = 2 }`` on several lines."""
    lines = [f"{indent}.{key} = {_field(value)}," for key, value in fields.items()]
    return "{\n" + "\n".join(lines) + "\n}"


def _field(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = ", ".join(f".{k} = {_field(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_field(v) for v in value) + "}"
    return c_literal(value)  # type: ignore[arg-type]
