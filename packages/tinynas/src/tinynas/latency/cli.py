"""``tinynas latency build``: a per-layer latency table for a board (or its emulator)."""

from __future__ import annotations

from pathlib import Path

import typer

from tinynas.commands.common import (
    JSON_OPTION,
    check_output_path,
    console,
    err_console,
    handle_errors,
    print_json,
    write_json,
)
from tinynas.errors import InputError

RUNNERS = ("qemu", "pyocd", "auto")
app = typer.Typer(help="Per-layer latency tables (measured through te-gen and mcu-bench).",
                  no_args_is_help=True)


@app.callback()
def latency() -> None:
    """Per-layer latency tables (measured through te-gen and mcu-bench)."""


@app.command("build")
@handle_errors
def build(
    out: Path = typer.Option(..., "-o", "--out", help="Table to write (tinynas-latency/1 JSON)."),
    board: str = typer.Option("stm32f746", "--board", help="Board (see `mcu-bench boards`)."),
    supernet: Path = typer.Option(None, "--supernet", help="Measure every layer of this supernet's space."),
    netspec: list[Path] = typer.Option(None, "--netspec", help="Measure this netspec's layers (repeatable)."),
    runner: str = typer.Option("qemu", "--runner", help="qemu (emulated instructions), pyocd, auto."),
    limit: int = typer.Option(None, "--limit", min=1, help="Measure at most N layers (smallest first)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Run each distinct conv / depthwise layer alone on the board; resumes a partial table at OUT."""
    from tinyengine_codegen.frontend.netspec import load_netspec
    from tinynas.latency.layers import netspec_layers
    from tinynas.latency.measure import build_table, space_layers
    from tinynas.latency.table import load_table
    from tinynas.supernet.checkpoint import load_supernet

    check_output_path(out)
    if runner not in RUNNERS:
        raise InputError(f"--runner: must be one of {', '.join(RUNNERS)}, got {runner!r}")
    if (supernet is None) == (not netspec):
        raise InputError("give either --supernet or --netspec")
    if supernet is not None:
        layers = space_layers(load_supernet(supernet)[0].cfg)
    else:
        found = {layer.key: layer for p in netspec for layer in netspec_layers(load_netspec(p))}
        layers = list(found.values())
    layers.sort(key=lambda la: la.height * la.width * la.in_channels * la.out_channels * la.kernel_size ** 2)
    layers = layers[:limit] if limit else layers
    table = load_table(out) if out.is_file() else None
    wanted = (board, runner if runner != "auto" else table.runner if table else runner)
    if table is not None and (table.board, table.runner) != wanted:
        raise InputError(f"{out}: holds a table for {table.board} ({table.runner}); use another -o")

    def save(t) -> None:  # noqa: ANN001 - LatencyTable
        write_json(out, t.to_dict())

    def on_layer(layer, value: float, measured: bool) -> None:  # noqa: ANN001 - Layer
        if not json_out:
            err_console.print(f"{'measured' if measured else 'kept    '} {layer.key}: {value:,.0f}",
                              highlight=False)

    table = build_table(layers, board, runner, table, save, on_layer)
    save(table)
    doc = {**table.to_dict(), "layers": len(layers), "path": str(out)}
    if json_out:
        print_json(doc)
    else:
        console.print(f"{out}: {len(table.entries)} layers on {board} ({table.kind}, unit {table.unit})")
