"""What every tinynas command shares: consoles, one-line errors with exit codes, JSON output.

``--json`` and its printer are te-gen's (the same behaviour in both tools)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tinyengine_codegen.commands.common import JSON_OPTION, console, err_console, one_line_errors, print_json
from tinyengine_codegen.units import parse_size
from tinynas.errors import InputError, WorkError
from tinynas.files import write_json

__all__ = ["JSON_OPTION", "console", "err_console", "handle_errors", "make_progress", "print_json",
           "write_json"]

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn InputError into one line + exit 2 (te-gen's handler) and WorkError into one line + exit 1."""
    checked = one_line_errors(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return checked(*args, **kwargs)
        except WorkError as exc:
            err_console.print(f"[red]failed:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def check_output_path(path: Path) -> Path:
    """Refuse an output whose folder does not exist (before any long work starts)."""
    if not path.parent.is_dir():
        raise InputError(f"{path}: folder {path.parent} does not exist")
    return path


def parse_budget(text: str, option: str) -> int:
    """A memory budget in bytes (``"320KB"``); InputError naming ``option`` unless a positive size."""
    value = parse_size(text, option)
    if value <= 0:
        raise InputError(f"{option}: {text!r} leaves no memory (expected a positive size such as 320KB)")
    return value


def check_output_folder(path: Path) -> Path:
    """Refuse an output folder that is a file, or whose parent folder does not exist."""
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: exists and is not a folder (choose another -o)")
    return check_output_path(path)


def make_progress(enabled: bool, keep: bool = False) -> Progress:
    """Progress bars on stderr (``enabled`` False for ``--json``); tasks take an ``info`` field.

    With ``keep``, finished bars stay on screen with their elapsed time (one line per epoch);
    otherwise a bar shows the time remaining and vanishes when done.
    """
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn() if keep else TimeRemainingColumn(),
        console=err_console,
        disable=not enabled,
        transient=not keep,
    )


def parse_list(text: str, what: str, kind: type = float) -> list:
    """``"96,112"`` -> [96, 112] of positive ``kind`` (int or float); InputError naming ``what``."""
    noun = "integers" if kind is int else "numbers"
    try:
        values = [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"{what}: expected comma-separated {noun}, got {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise InputError(f"{what}: expected positive {noun}, got {text!r}")
    return values
