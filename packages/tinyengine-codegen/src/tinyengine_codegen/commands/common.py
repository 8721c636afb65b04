"""What te-gen's commands share: one-line errors with exit codes, JSON output, model loading."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from tinyengine_codegen.errors import InputError
from tinyengine_codegen.passes.patch_choice import parse_extra_macs, parse_patch_mode

console = Console(soft_wrap=True)
if not console.is_terminal:
    console.width = 130  # piped or captured output: wide enough for the tables, no wrapping
err_console = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document on stdout instead of tables.")
PATCH_OPTION = typer.Option(
    "off",
    "--patch",
    help="Patch-based inference of the first stage: auto (te-gen picks the stage and grid with the "
    "lowest arena), off (layer by layer), or a grid RxC such as 4x4.",
)
MAX_EXTRA_MACS_OPTION = typer.Option(
    "20%", "--max-extra-macs", help="With --patch: bound on the MACs the patches' halos add, e.g. 20%."
)


_USAGE_ERROR = typer.BadParameter.__base__  # click's UsageError (Typer vendors click)


class OneLineUsageErrors(TyperGroup):
    """Usage errors (missing or unknown options, bad values) as one line on stderr, not Click's panel.

    ``te-gen build: missing argument 'model' (see te-gen build --help)``, exit code 2; a bare
    command still prints its help.
    """

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        return _one_line_usage_error(super().make_context, *args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        return _one_line_usage_error(super().invoke, ctx)


def _one_line_usage_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except _USAGE_ERROR as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" or exc.ctx is None:
            raise
        where, message = exc.ctx.command_path, " ".join(exc.format_message().split()).rstrip(".")
        typer.echo(f"{where}: {message[:1].lower()}{message[1:]} (see {where} --help)", err=True)
        raise typer.Exit(exc.exit_code) from None


def make_app(name: str, help: str) -> typer.Typer:
    """A suite command's top-level Typer app: help when called bare, one-line usage errors, no tracebacks."""
    return typer.Typer(name=name, help=help, cls=OneLineUsageErrors, no_args_is_help=True,
                       pretty_exceptions_enable=False, add_completion=False)


def patch_options(patch: str, max_extra_macs: str) -> float:
    """Check ``--patch`` and return ``--max-extra-macs`` as a fraction (InputError on a bad value)."""
    parse_patch_mode(patch)
    return parse_extra_macs(max_extra_macs)


def fail(message: str) -> NoReturn:
    """The work failed (not the input): ``message`` as one line on stderr, exit code 1."""
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise typer.Exit(1)


def one_line_errors(func: F) -> F:
    """Turn an InputError into one line on stderr and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            message = " ".join(str(exc).split())
            err_console.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def print_json(doc: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    sys.stdout.flush()


def is_netspec(path: Path) -> bool:
    """A ``.json`` path is a netspec; anything else is read as a .tflite model."""
    return path.suffix.lower() == ".json"
