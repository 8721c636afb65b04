"""What every tinynas command shares: consoles, one-line errors with exit codes, JSON output.

``--json`` and its printer are te-gen's (the same behaviour in both tools)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from tinyengine_codegen.commands.common import JSON_OPTION, print_json
from tinynas.errors import InputError, WorkError

__all__ = ["JSON_OPTION", "console", "err_console", "handle_errors", "make_progress", "print_json",
           "write_json"]

console = Console(soft_wrap=True)
if not console.is_terminal:
    console.width = 130  # piped or captured output: wide enough for the tables
err_console = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn InputError into one line + exit 2 and WorkError into one line + exit 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except WorkError as exc:
            err_console.print(f"[red]failed:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def write_json(path: str | Path, doc: Any) -> None:
    """Write ``doc`` to ``path`` atomically (temp file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    tmp.replace(path)


def check_output_path(path: Path) -> Path:
    """Refuse an output whose folder does not exist (before any long work starts)."""
    if not path.parent.is_dir():
        raise InputError(f"{path}: folder {path.parent} does not exist")
    return path


def make_progress(enabled: bool) -> Progress:
    """A progress bar on stderr (disabled for ``--json``)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeRemainingColumn(),
        console=err_console,
        disable=not enabled,
        transient=True,
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
