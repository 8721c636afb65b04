"""The `mcu-bench` command: run, boards, compare."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from mcu_bench import __version__
from mcu_bench.errors import BenchError, InputError
from mcu_bench.runners import RUNNERS


@contextmanager
def _usage_error_in_one_line() -> Iterator[None]:
    """Click's usage error (bad option, value or argument) as one line on stderr, its exit code (2)."""
    try:
        yield
    except typer.BadParameter.__base__ as exc:  # click's UsageError
        if type(exc).__name__ == "NoArgsIsHelpError" or exc.ctx is None:
            raise  # a bare command prints its help
        text, where = " ".join(exc.format_message().split()).rstrip("."), exc.ctx.command_path
        typer.echo(f"{where}: {text[:1].lower() + text[1:]} (see {where} --help)", err=True)
        raise typer.Exit(exc.exit_code) from None


class _Commands(TyperGroup):
    """mcu-bench's commands, with usage errors in one line instead of Click's boxed panel."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _usage_error_in_one_line():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _usage_error_in_one_line():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_Commands,
    help="Build a generated project (te-project/1) into firmware, run it on a board (pyOCD), on QEMU or on "
    "the host, and report latency and memory.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


def _fail(error: BenchError) -> None:
    err.print(f"[red]error:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
    raise typer.Exit(error.exit_code)


def _echo_json(data: object) -> None:
    """Plain JSON on stdout (no colours, no wrapping), for pipelines."""
    typer.echo(json.dumps(data, indent=2))


def _version(value: bool) -> None:
    if value:
        out.print(f"mcu-bench {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """mcu-bench: latency and memory of a generated model on STM32 boards or their emulated cores."""


@app.command()
def run(
    project_dir: Path = typer.Argument(..., help="Generated project folder (holds te-project.json)."),
    board: str = typer.Option(
        ..., "--board", "-b", help="Board name (see `mcu-bench boards`) or a board YAML."
    ),
    runner: str = typer.Option(
        "auto", help=f"One of {', '.join(RUNNERS)}; auto = pyocd if a probe is attached."
    ),
    probe: str = typer.Option(None, help="pyOCD probe unique id (or qemu:BOARD for the emulated probe)."),
    repeat: int = typer.Option(10, min=1, help="Timed inferences."),
    warmup: int = typer.Option(1, min=0, help="Untimed inferences first."),
    stack: str = typer.Option("16KB", help="Stack reserve, with units (16KB, 8192)."),
    timeout: float = typer.Option(300.0, min=1, help="Seconds to wait for the firmware to finish."),
    build_dir: Path = typer.Option(None, help="Keep the build (firmware.elf, map, linker script) here."),
    boards_dir: list[Path] = typer.Option(None, help="Extra folder of board YAML files (repeatable)."),
    output: Path = typer.Option(
        None, "--output", "-o", help="Write the result JSON (mcu-bench-result/1) here."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result JSON instead of a table."),
) -> None:
    """Build, run, check the outputs against the golden vectors; exit 1 if they differ."""
    from mcu_bench.bench import run_bench
    from mcu_bench.boards import find_board
    from mcu_bench.result import write_result
    from mcu_bench.runners import make_runner
    from mcu_bench.runners.base import BuildOptions
    from mcu_bench.sizes import parse_size

    try:
        if runner not in RUNNERS:
            raise InputError(f"--runner: unknown runner {runner!r} (choose from {', '.join(RUNNERS)})")
        try:
            stack_size = parse_size(stack)
        except ValueError as exc:
            raise InputError(f"--stack: {exc}") from None
        the_board = find_board(board, boards_dir)
        options = BuildOptions(repeat=repeat, warmup=warmup, stack_size=stack_size)
        with err.status("starting") as status:
            result = run_bench(
                project_dir,
                the_board,
                make_runner(runner, probe),
                options,
                build_dir=build_dir,
                timeout_s=timeout,
                progress=status.update,
            )
    except BenchError as error:
        _fail(error)
    if output is not None:
        try:
            write_result(result, output)
        except OSError as exc:
            _fail(InputError(f"{output}: cannot write the result: {exc.strerror or exc}"))
    if as_json:
        _echo_json(result)
    else:
        _print_result(result)
    if result["status"] == "stack exhausted":
        err.print(
            f"[red]error:[/red] the stack ({stack_size} B) was used up: run again with a larger --stack"
        )
        raise typer.Exit(1)
    if result["clock"]["error"]:
        err.print(
            f"[red]error:[/red] the clock set-up failed: {escape(result['clock']['error'])}; the bench ran "
            "at the reset clock (see the result's clock and latency.note)"
        )
        raise typer.Exit(1)
    if result["status"] != "ok":
        err.print(
            f"[red]error:[/red] the firmware reported: {escape(result['status'])} "
            f"(code {result['invoke_rc']})"
        )
        raise typer.Exit(1)
    if result["outputs"]["check"] == "mismatch":
        err.print("[red]error:[/red] outputs differ from the golden vectors")
        raise typer.Exit(1)


def _clock_text(clock: dict, board_hz: int) -> str:
    """`216 MHz (PLL)`, `16 MHz (reset clock: the PLL did not lock)`, `216 MHz? (reset clocks)`."""
    if clock["setup"] == "pll":
        return f"{clock['hz'] / 1e6:g} MHz (PLL)"
    if clock["error"]:
        hz = f"{clock['hz'] / 1e6:g} MHz" if clock["hz"] else "unknown"
        return f"{hz} (reset clock: {clock['error']})"
    return f"as reset leaves it (ms assume {board_hz / 1e6:g} MHz)"


def _print_result(result: dict) -> None:
    from mcu_bench.compare import UNIT_LABEL
    from mcu_bench.sizes import kb

    lat, mem = result["latency"], result["memory"]
    table = Table(
        title=escape(f"{result['model']['name']} on {result['board']['name']} ({result['runner']['device']})")
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    if lat["mean"] is not None:
        table.add_row("latency (mean)", f"{lat['mean']:,} {UNIT_LABEL.get(lat['unit'], lat['unit'])}")
        table.add_row("latency (min / max)", f"{lat['min']:,} / {lat['max']:,}")
    if lat["ms"] is not None:
        table.add_row("latency (ms)", f"{lat['ms']:.3f}")
    if not result["runner"]["emulated"] and lat["unit"] == "cycles":
        table.add_row("core clock", _clock_text(result["clock"], result["board"]["clock_hz"]))
    for key, label in (
        ("flash", "Flash"),
        ("static_ram", "static RAM"),
        ("arena", "arena"),
        ("stack_used", "stack used"),
        ("sram_peak", "SRAM peak (static + stack used)"),
    ):
        if mem.get(key) is not None:
            table.add_row(label, kb(mem[key]))
    table.add_row("outputs", result["outputs"]["check"])
    out.print(table)
    if lat["note"]:
        out.print(f"[dim]latency: {escape(lat['note'])}[/dim]")


@app.command()
def boards(
    boards_dir: list[Path] = typer.Option(None, help="Extra folder of board YAML files (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Known boards, and debug probes attached (via pyOCD)."""
    from mcu_bench.boards import list_boards
    from mcu_bench.runners.pyocd_runner import attached_probes
    from mcu_bench.sizes import kb

    try:
        found = list_boards(boards_dir)
    except BenchError as error:
        _fail(error)
    probes = attached_probes()
    if as_json:
        _echo_json({"boards": [_board_dict(b) for b in found], "probes": probes})
        return
    table = Table(title="boards")
    for column in ("name", "core", "clock", "SRAM", "Flash", "pyOCD target", "QEMU machine"):
        table.add_column(column, no_wrap=True)
    for b in found:
        clock = f"{b.clock_hz / 1e6:g} MHz" + (" PLL" if b.clock else " (reset)")
        table.add_row(b.name, b.core, clock, kb(b.sram.size), kb(b.flash.size),
                      b.pyocd_target or "-", b.qemu_machine or "-")  # fmt: skip
    out.print(table)
    if not probes:
        out.print("no debug probe attached (runs use QEMU)")
    for p in probes:
        out.print(escape(f"probe {p['unique_id']}: {p['description']}"))


def _board_dict(b) -> dict:
    return {
        "name": b.name, "description": b.description, "core": b.core, "fpu": b.fpu, "clock_hz": b.clock_hz,
        "sram": {"origin": b.sram.origin, "size": b.sram.size},
        "flash": {"origin": b.flash.origin, "size": b.flash.size},
        "clock": dict(b.clock.settings) if b.clock else None,
        "pyocd_target": b.pyocd_target, "qemu_machine": b.qemu_machine, "file": str(b.path),
    }  # fmt: skip


@app.command()
def compare(
    results: list[Path] = typer.Argument(..., help="Result files (mcu-bench-result/1)."),
    plot: Path = typer.Option(None, help="Also draw a bar chart here (.png, .svg, .pdf)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows instead of a table."),
) -> None:
    """Latency, SRAM and Flash of several results side by side."""
    from mcu_bench.compare import compare_rows, row_cells
    from mcu_bench.compare import plot as draw
    from mcu_bench.result import read_result

    try:
        rows = compare_rows([(path, read_result(path)) for path in results])
        if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
            raise InputError(f"{plot}: --plot takes a .png, .svg or .pdf file")
    except BenchError as error:
        _fail(error)
    if as_json:
        _echo_json(rows)
    else:
        table = Table(title="mcu-bench compare")
        for column in ("model", "board", "runner", "latency (mean)", "ms", "SRAM peak", "Flash", "outputs"):
            table.add_column(column, justify="right" if column in ("latency (mean)", "ms") else "left")
        for row in rows:
            table.add_row(*row_cells(row))
        out.print(table)
    if plot is not None:
        draw(rows, plot)


def main() -> None:
    """Entry point of the `mcu-bench` command."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
