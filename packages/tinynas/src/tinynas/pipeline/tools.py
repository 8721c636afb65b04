"""The other tools of the suite, run as commands: ``te-gen build`` and ``mcu-bench run``/``boards``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinynas.errors import InputError, WorkError


def tool_path(name: str) -> str:
    """The command ``name``: next to this Python (same virtual environment) or on PATH."""
    local = Path(sys.executable).with_name(name)
    if local.is_file():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise WorkError(f"{name}: command not found (install the suite's packages: make setup)")
    return found


def run_json(args: list[str], timeout: float = 900.0) -> dict[str, Any]:
    """Run a suite command with ``--json``; its JSON document, or WorkError with its last error line."""
    cmd = [tool_path(args[0]), *args[1:]]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise WorkError(f"{args[0]} {args[1]}: no result after {timeout:.0f} s") from None
    text = proc.stdout[proc.stdout.find("{"):] if "{" in proc.stdout else ""
    doc = None
    if text:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            doc = None
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        detail = lines[-1] if lines else f"exit code {proc.returncode}"
        if doc is not None:
            doc["_failed"] = detail
            return doc
        raise WorkError(f"{' '.join(args[:2])}: {detail}")
    if doc is None:
        raise WorkError(f"{' '.join(args[:2])}: no JSON on stdout")
    return doc


def board_info(board: str) -> dict[str, Any]:
    """mcu-bench's description of ``board`` (SRAM and Flash sizes, clock)."""
    doc = run_json(["mcu-bench", "boards", "--json"], timeout=120)
    for entry in doc.get("boards", []):
        if entry.get("name") == board:
            return entry
    names = ", ".join(b.get("name", "?") for b in doc.get("boards", []))
    raise InputError(f"--board: unknown board {board!r} (known: {names})")


@contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so TensorFlow's C++ logs
    too) to ``log`` for the duration of the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with open(log, "ab") as f:
            os.dup2(f.fileno(), 1)
            os.dup2(f.fileno(), 2)
            try:
                yield
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
    finally:
        os.close(saved[0])
        os.close(saved[1])
