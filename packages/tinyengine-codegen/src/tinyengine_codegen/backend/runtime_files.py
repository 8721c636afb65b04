"""Pick the runtime files a model needs: the kernels it calls, what they call, what they include."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import tinyengine_runtime

# A non-static function definition at the start of a line: "te_status te_conv_s8(".
_DEFINITION = re.compile(r"^(?!static\b)(?:const\s+)?\w+[\s*]+(te_\w+)\s*\(", re.MULTILINE)
_CALL = re.compile(r"\b(te_\w+)\s*\(")
_INCLUDE = re.compile(r'#include\s+"tinyengine/([\w.]+)"')


@cache
def _function_index() -> dict[str, Path]:
    """Every public runtime function -> the source file defining it."""
    index: dict[str, Path] = {}
    for source in tinyengine_runtime.sources():
        for name in _DEFINITION.findall(source.read_text()):
            index.setdefault(name, source)
    return index


def kernel_sources(kernels: set[str]) -> list[Path]:
    """Source files defining ``kernels`` and, transitively, the runtime functions they call."""
    index = _function_index()
    missing = sorted(k for k in kernels if k not in index)
    if missing:
        raise FileNotFoundError(f"the runtime defines no {', '.join(missing)}")
    chosen: dict[Path, None] = {}
    pending = [index[k] for k in sorted(kernels)]
    while pending:
        source = pending.pop()
        if source in chosen:
            continue
        chosen[source] = None
        for name in _CALL.findall(source.read_text()):
            if name in index and index[name] not in chosen:
                pending.append(index[name])
    return sorted(chosen)


def needed_headers(sources: list[Path], headers: set[str]) -> list[Path]:
    """Runtime headers included (transitively) by ``sources`` and the model's own ``headers``."""
    include = tinyengine_runtime.include_dir() / "tinyengine"
    chosen: dict[str, None] = {}
    pending = sorted(headers) + ["te_types.h"]
    for source in sources:
        pending += _INCLUDE.findall(source.read_text())
    while pending:
        name = pending.pop()
        if name in chosen:
            continue
        path = include / name
        if not path.is_file():
            raise FileNotFoundError(f"runtime header tinyengine/{name} not found")
        chosen[name] = None
        pending += _INCLUDE.findall(path.read_text())
    return [include / name for name in sorted(chosen)]
