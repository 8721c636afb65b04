"""Memory sizes with units: `320KB`, `1MB`, `512KiB`, `4096` (1 kB = 1024 B, as MCUNet counts)."""

from __future__ import annotations

import re

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(value: int | str) -> int:
    """Bytes from an int or a string with an optional unit; ValueError on anything else."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"negative size: {value}")
        return value
    match = _SIZE.match(str(value))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {value!r} (use e.g. 320KB, 1MB, 4096)")
    number = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if number != int(number):
        raise ValueError(f"not a whole number of bytes: {value!r}")
    return int(number)


def kb(n_bytes: int) -> str:
    """`123.4 kB` (1 kB = 1024 B)."""
    return f"{n_bytes / 1024:.1f} kB"
