"""``tinynas run``: the whole flow, space to firmware measured on the (emulated) board."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from tinynas.commands.common import (
    JSON_OPTION,
    check_output_folder,
    console,
    err_console,
    handle_errors,
    parse_budget,
    print_json,
)
from tinynas.pipeline.steps import STEPS


def register(app: typer.Typer) -> None:
    """Add ``run`` to the ``tinynas`` command."""
    app.command("run")(run)


@handle_errors
def run(
    data: str = typer.Option(..., "--data", help="Data folder, or builtin:fashion-mnist."),
    board: str = typer.Option("stm32f746", "--board", help="Board (see `mcu-bench boards`)."),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder: every step's files are kept here."),
    preset: str = typer.Option("default", "--preset", help="default, or demo (minutes on a CPU)."),
    sram: str = typer.Option(None, "--sram", help="SRAM budget (default: preset, else board)."),
    flash: str = typer.Option(None, "--flash", help="Flash budget (default: preset, else board)."),
    start_from: str = typer.Option(None, "--from", help=f"Rerun from this step on ({', '.join(STEPS)})."),
    only: str = typer.Option(None, "--only", help="Run only this step (from the files already in OUT)."),
    threads: int = typer.Option(None, "--threads", min=1, help="Torch threads (1 on a busy machine)."),
    patch: str = typer.Option("off", "--patch", help="auto: space, search and te-gen build with patch-based "
                              "inference of the first stage (when smaller); off: layer by layer."),
    max_extra_macs: str = typer.Option(
        "20%", "--max-extra-macs", help="With --patch auto: bound on the halos' extra MACs (20% or 0.2)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Space -> supernet -> search -> fine-tune -> int8 export -> te-gen build -> mcu-bench run."""
    from tinynas.data import load_data
    from tinynas.pipeline.presets import get_preset
    from tinynas.pipeline.run import run_pipeline, selected_steps
    from tinynas.pipeline.steps import RunContext
    from tinynas.pipeline.tools import board_info
    from tinynas.space.pricing import parse_patch_policy
    from tinynas.supernet.cli import default_channels

    selected_steps(start_from, only)
    patches = parse_patch_policy(patch, max_extra_macs)
    if threads:
        import torch

        torch.set_num_threads(threads)
    check_output_folder(out)
    chosen = get_preset(preset, sram=parse_budget(sram, "--sram") if sram else None,
                        flash=parse_budget(flash, "--flash") if flash else None, patches=patches)
    channels = default_channels(data)
    probe = load_data(data, (8, 8), channels, train_subset=1, val_subset=1)
    ctx = RunContext(out=out, data=data, board=board, board_info=board_info(board), channels=channels,
                     num_classes=probe.num_classes, preset=chosen, progress=not json_out)

    def on_step(step: str, state: str, summary: dict[str, Any] | None) -> None:
        if not json_out:
            err_console.print(f"[bold]{step}[/]: {state}", highlight=False)

    record = run_pipeline(ctx, start_from, only, on_step)
    if json_out:
        print_json(record["report"])
    else:
        print_report(record["report"], out)


def _kb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024:.1f} kB ({n} B)"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}%"


def print_report(report: dict[str, Any], out: Path) -> None:
    """The final table."""
    table = Table(title=f"tinynas run -> {out}", show_header=False)
    table.add_row("network", str(report["network"]))
    table.add_row("space", str(report["space"]))
    accs = [_pct(report[k]) for k in ("inherited_top1", "float_top1", "int8_top1")]
    table.add_row("top-1 inherited / float / int8", " / ".join(accs))
    table.add_row("MACs", "-" if report["macs"] is None else f"{report['macs'] / 1e6:.2f} M")
    table.add_row("peak SRAM (arena)", f"{_kb(report['peak_sram_bytes'])} of "
                                       f"{_kb(report['sram_budget_bytes'])}")
    table.add_row("firmware SRAM (static + stack)", _kb(report["firmware_sram_peak_bytes"]))
    table.add_row("Flash", f"{_kb(report['flash_bytes'])} of {_kb(report['flash_budget_bytes'])}")
    lat = report["latency"]
    if lat:
        value = f"{lat['mean']:,} {lat['unit']}" + (f" = {lat['ms']:.2f} ms" if lat.get("ms") else "")
        table.add_row("latency", f"{value} ({lat['note']})")
    table.add_row("outputs vs golden", str(report["outputs_check"]))
    table.add_row("fits", str(report["fits"]))
    t = report.get("search_timing")
    if t:
        table.add_row("search time", f"{t['total_seconds']:.1f} s: accuracy eval "
                                     f"{t['accuracy_eval_seconds']:.1f} s, memory pricing "
                                     f"{t['memory_pricing_seconds']:.2f} s")
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in report["step_seconds"].items() if v is not None)
    table.add_row("steps", steps)
    console.print(table)
