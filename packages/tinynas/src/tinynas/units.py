"""Memory sizes with units: ``320KB``, ``1MB``, ``512KiB``, ``65536`` (1 kB = 1024 B, as MCUNet counts)."""

from __future__ import annotations

import re

from tinynas.errors import InputError

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str, what: str = "size") -> int:
    """Bytes in ``text``; raises :class:`InputError` naming ``what`` on a malformed size."""
    match = _SIZE.match(str(text))
    unit = match.group(2).lower() if match else None
    if not match or unit not in _UNITS:
        raise InputError(f"{what}: cannot read {text!r} as a size (examples: 320KB, 1MB, 512KiB, 65536)")
    value = float(match.group(1)) * _UNITS[unit]
    if value <= 0:
        raise InputError(f"{what}: must be positive, got {text!r}")
    return int(value)


def format_kb(nbytes: int) -> str:
    """``nbytes`` in kB with one decimal (1 kB = 1024 B)."""
    return f"{nbytes / 1024:.1f} kB"
