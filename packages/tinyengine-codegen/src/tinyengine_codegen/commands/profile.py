"""``te-gen profile MODEL.tflite|NET.json``: the memory plan, Flash, MACs, and whether it fits."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from tinyengine_codegen.commands.common import (
    JSON_OPTION,
    MAX_EXTRA_MACS_OPTION,
    PATCH_OPTION,
    console,
    is_netspec,
    one_line_errors,
    print_json,
)
from tinyengine_codegen.frontend.netspec import load_netspec
from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.passes.patch_choice import parse_extra_macs, parse_patch_mode
from tinyengine_codegen.profile import ProfileReport, profile_graph, profile_netspec
from tinyengine_codegen.units import format_kb, parse_size


@one_line_errors
def profile(
    model: Path = typer.Argument(..., help="An int8 .tflite model, or a netspec (.json)."),
    sram: str | None = typer.Option(
        None, "--sram", help="SRAM budget for the arena, e.g. 320KB (1 kB = 1024 B)."
    ),
    flash: str | None = typer.Option(None, "--flash", help="Flash budget for weights + code, e.g. 1MB."),
    patch: str = PATCH_OPTION,
    max_extra_macs: str = MAX_EXTRA_MACS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Plan MODEL's memory: live bytes per operator, peak, arena, Flash, MACs; exit 1 if it does not fit."""
    sram_bytes = parse_size(sram, "--sram") if sram is not None else None
    flash_bytes = parse_size(flash, "--flash") if flash is not None else None
    parse_patch_mode(patch)
    extra = parse_extra_macs(max_extra_macs)
    if is_netspec(model):
        report = profile_netspec(load_netspec(model), sram_bytes, flash_bytes, patch, extra)
    else:
        report = profile_graph(load_tflite(model), sram_bytes, flash_bytes, patch=patch, max_extra_macs=extra)
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if not report.fits:
        raise typer.Exit(1)


def _print_report(report: ProfileReport) -> None:
    table = Table(title=f"{escape(report.name)}: memory plan", box=box.SIMPLE_HEAD)
    for column in ("#", "source", "operator", "kernel", "output", "live", "scratch", "in place", "MACs"):
        table.add_column(column, justify="right" if column in ("#", "live", "scratch", "MACs") else "left")
    peak_name = ""
    for row in report.ops:
        peak = row.index == report.peak_op
        peak_name = row.name if peak else peak_name
        live = f"[bold]{row.live_bytes:,}[/bold] peak" if peak else f"{row.live_bytes:,}"
        cells = [str(row.index), escape(row.name.split(":")[0]), row.kind, row.kernel or "-"]
        cells += [_shape(row.output_shape), live, f"{row.scratch_bytes:,}" if row.scratch_bytes else ""]
        cells += ["yes" if row.inplace else "", f"{row.macs:,}"]
        table.add_row(*cells)
    console.print(table)
    console.print("#: operator after the passes; source: its index in the .tflite (or its netspec layer)")
    summary = Table(show_header=False, title="summary")
    rows = [
        ("arena (peak SRAM)", _bytes(report.arena_bytes) + _budget(report.sram_budget, report.fits_sram)),
        ("peak at", f"operator #{report.peak_op} {report.peak_kind} ({escape(peak_name)})"),
        ("Flash: weights", _bytes(report.weight_bytes)),
        ("Flash: code (estimate)", _bytes(report.code_bytes_estimate)),
        ("Flash: total", _bytes(report.flash_bytes) + _budget(report.flash_budget, report.fits_flash)),
        ("MACs", f"{report.macs:,}"),
        ("parameters", f"{report.params:,}"),
        ("fits", "[green]yes[/green]" if report.fits else "[red]no[/red]"),
    ]
    if report.patch is not None:
        rows.insert(2, ("patch-based", _patch_line(report.patch)))
    for label, value in rows:
        summary.add_row(label, value)
    console.print(summary)


def _patch_line(patch: dict) -> str:
    if not patch["enabled"]:
        return f"{patch['mode']}: off ({patch['why_off']})"
    r, c = patch["grid"]
    return (
        f"{patch['mode']}: {r}x{c} patches up to {escape(patch['split_after'])}, "
        f"arena {_bytes(patch['arena_with_patches'])} instead of {_bytes(patch['arena_without_patches'])}, "
        f"+{patch['extra_macs_percent']}% MACs"
    )


def _bytes(nbytes: int) -> str:
    return f"{nbytes:,} B ({format_kb(nbytes)})"


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def _budget(budget: int | None, fits: bool) -> str:
    if budget is None:
        return ""
    verdict = "[green]fits[/green]" if fits else "[red]does not fit[/red]"
    return f" / budget {format_kb(budget)}: {verdict}"
