"""Sizes with units, as MCUNet counts them: ``320KB`` = ``320kB`` = ``320KiB`` = 320 * 1024 bytes.

Accepted: a plain number of bytes (``4096``), or a number (integer or decimal) followed by
``B``, ``K``/``KB``/``kB``/``KiB``, ``M``/``MB``/``MiB``, ``G``/``GB``/``GiB`` (any case,
optional space). Anything else raises :class:`SizeError` with one line naming the value.
"""

from __future__ import annotations

import re

from tinyengine_codegen.errors import InputError

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2}
_UNITS.update({"g": 1024**3, "gb": 1024**3, "gib": 1024**3})
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$")


class SizeError(InputError):
    """A size string that is not a number with a known unit."""


def parse_size(text: str | int, what: str = "size") -> int:
    """Bytes in ``text`` (``"320KB"`` -> 327680); ``what`` names the option in errors."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise SizeError(f"{what}: {text} is negative")
        return text
    match = _PATTERN.match(str(text))
    unit = match.group(2).lower() if match else None
    if not match or unit not in _UNITS:
        raise SizeError(f"{what}: {text!r} is not a size (expected e.g. 320KB, 1MB, 512KiB, 1.5MB or bytes)")
    value = float(match.group(1)) * _UNITS[unit]
    if unit in ("", "b") and not value.is_integer():
        raise SizeError(f"{what}: {text!r} is not a whole number of bytes")
    return int(round(value))


def format_kb(nbytes: int) -> str:
    """``89616`` -> ``"87.5 kB"`` (1 kB = 1024 B)."""
    return f"{nbytes / 1024:.1f} kB"
