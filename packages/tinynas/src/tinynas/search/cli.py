"""``tinynas search``: evolutionary search over a trained supernet under memory (and latency) budgets."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tinynas.commands.common import (
    JSON_OPTION,
    check_output_path,
    console,
    err_console,
    handle_errors,
    parse_budget,
    print_json,
)
from tinynas.errors import InputError
from tinynas.space.pricing import PatchPolicy, describe_patch, parse_patch_policy


def register(app: typer.Typer) -> None:
    """Add ``search`` to the ``tinynas`` command."""
    app.command("search")(search)


@handle_errors
def search(
    supernet: Path = typer.Option(..., "--supernet", help="Trained supernet file (tinynas supernet train)."),
    data: str = typer.Option(..., "--data", help="Data folder, or builtin:fashion-mnist."),
    out: Path = typer.Option(..., "-o", "--out", help="Best netspec (.json); weights, history next to it."),
    sram: str = typer.Option("320KB", "--sram", help="SRAM budget for the arena (e.g. 320KB)."),
    flash: str = typer.Option("1MB", "--flash", help="Flash budget (e.g. 1MB)."),
    latency_ms: float = typer.Option(None, "--latency-ms", min=0.0, help="Latency budget in ms."),
    board: str = typer.Option(None, "--board", help="Board the latency table must be for (e.g. stm32f746)."),
    latency_table: Path = typer.Option(None, "--latency-table", help="tinynas-latency/1 table of --board."),
    population: int = typer.Option(50, min=2, help="Population size."),
    generations: int = typer.Option(20, min=0, help="Generations after the first population."),
    parents: float = typer.Option(0.25, min=0.01, max=1.0, help="Population fraction kept as parents."),
    mutate_prob: float = typer.Option(0.1, min=0.0, max=1.0, help="Probability to resample each gene."),
    mutation_ratio: float = typer.Option(0.5, min=0.0, max=1.0, help="Share of mutated children."),
    bn_batches: int = typer.Option(5, min=1, help="Training batches for BN recalibration."),
    bn_batch_size: int = typer.Option(200, min=1, help="Images per recalibration batch."),
    val_images: int = typer.Option(2000, min=1, help="Validation images scoring each candidate."),
    seed: int = typer.Option(0, help="Seed of the evolution."),
    plot: bool = typer.Option(False, "--plot", help="Draw accuracy vs peak SRAM (OUT.search.png)."),
    patch: str = typer.Option("off", "--patch", help="auto: price SRAM as `te-gen build --patch auto` "
                              "plans it (first stage patch by patch when smaller); off: layer by layer."),
    max_extra_macs: str = typer.Option(
        "20%", "--max-extra-macs", help="With --patch auto: bound on the halos' extra MACs (20% or 0.2)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Find the most accurate sub-network that fits SRAM, Flash (and latency), priced by te-gen."""
    from tinynas.search.driver import SearchRequest, search_supernet

    patches = parse_patch_policy(patch, max_extra_macs)
    check_output_path(out)
    if latency_ms is not None and latency_table is None:
        raise InputError("--latency-ms needs --latency-table (build one with `tinynas latency build`)")
    request = SearchRequest(
        supernet=supernet, data=data, out=out, sram=parse_budget(sram, "--sram"),
        flash=parse_budget(flash, "--flash"), latency_ms=latency_ms, board=board, latency_table=latency_table,
        population=population, generations=generations, parents=parents, mutate_prob=mutate_prob,
        mutation_ratio=mutation_ratio, bn_batches=bn_batches, bn_batch_size=bn_batch_size,
        val_images=val_images, seed=seed, plot=plot, patches=patches)
    summary = search_supernet(request, progress=not json_out)
    if json_out:
        print_json(summary)
        return
    _print_summary(summary)


def _print_summary(summary: dict) -> None:
    best, t = summary["best"], summary["timing"]
    table = Table(title=f"best sub-network -> {summary['outputs']['netspec']}", show_header=False)
    table.add_row("top-1 (inherited weights)", f"{100 * best['accuracy']:.2f}%")
    table.add_row("peak SRAM", f"{best['sram_bytes']} B ({best['sram_bytes'] / 1024:.1f} kB)")
    table.add_row("Flash", f"{best['flash_bytes']} B ({best['flash_bytes'] / 1024:.1f} kB)")
    table.add_row("MACs", f"{best['macs'] / 1e6:.2f} M")
    table.add_row("patches", describe_patch(best["patch"], PatchPolicy(**summary["patches"])))
    if best["latency_ms"] is not None:
        table.add_row("latency", f"{best['latency_ms']:.2f} ms ({summary['latency_kind']})")
    table.add_row("candidates", f"{summary['priced']} priced, {summary['evaluated']} evaluated")
    table.add_row("time", f"{t['total_seconds']:.1f} s: accuracy {t['accuracy_eval_seconds']:.1f} s, "
                          f"memory pricing {t['memory_pricing_seconds']:.2f} s")
    console.print(table)
    err_console.print(f"weights {summary['outputs']['weights']}, history {summary['outputs']['history']}")
