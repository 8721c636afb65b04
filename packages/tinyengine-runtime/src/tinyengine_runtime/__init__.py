"""tinyengine-runtime: the int8 C kernel library, shipped as package data.

The code generator copies the headers and the sources of the kernels a model uses
into each generated project; nothing here is imported at run time on the board.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

_C_ROOT = Path(__file__).resolve().parent / "c"


def include_dir() -> Path:
    """Folder to put on the compiler's include path (headers live in ``tinyengine/``)."""
    return _C_ROOT / "include"


def source_dir() -> Path:
    """Folder holding one ``.c`` file per kernel variant."""
    return _C_ROOT / "src"


def sources() -> list[Path]:
    """Every kernel source file, sorted by name."""
    return sorted(source_dir().glob("*.c"))


def headers() -> list[Path]:
    """Every public header, sorted by name."""
    return sorted((include_dir() / "tinyengine").glob("*.h"))
