"""``tinynas space``: search-space optimisation under SRAM and Flash budgets (TinyNAS step 1)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tinynas.commands.common import (
    JSON_OPTION,
    check_output_path,
    console,
    handle_errors,
    make_progress,
    parse_budget,
    parse_list,
    print_json,
    write_json,
)
from tinynas.errors import InputError, WorkError

DEFAULT_WIDTHS = "0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0"
DEFAULT_RESOLUTIONS = "48,64,80,96,112,128,144,160,176,192,208,224"


@handle_errors
def space(
    sram: str = typer.Option(
        ..., "--sram", help="SRAM budget for the activations, e.g. 320KB (1 kB = 1024 B)."
    ),
    flash: str = typer.Option(..., "--flash", help="Flash budget, e.g. 1MB."),
    widths: str = typer.Option(DEFAULT_WIDTHS, "--widths", help="Width multipliers, comma-separated."),
    resolutions: str = typer.Option(DEFAULT_RESOLUTIONS, "--resolutions", help="Input sides in pixels."),
    samples: int = typer.Option(1000, "--samples", min=1, help="Random sub-networks priced per space."),
    seed: int = typer.Option(0, help="Seed of the sampling (the same draws for every space)."),
    num_classes: int = typer.Option(1000, "--num-classes", min=1, help="Classifier outputs."),
    in_channels: int = typer.Option(3, "--in-channels", min=1, help="Input image channels."),
    criterion: str = typer.Option("mean", help="Rank by the fitting samples' MACs: mean, p50, p75 or p90."),
    min_fit: float = typer.Option(
        0.05, "--min-fit", min=0.0, max=1.0, help="Spaces where a smaller fraction of samples fits rank last."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write the tinynas-space/1 JSON here."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the MACs CDF per space to this PNG."),
    plot_top: int = typer.Option(6, "--plot-top", min=1, help="Spaces drawn in the plot (best first)."),
    show: int = typer.Option(10, "--show", min=1, help="Table rows (best first)."),
    patch: str = typer.Option("off", "--patch", help="auto: price SRAM as `te-gen build --patch auto` "
                              "plans it (first stage patch by patch when smaller); off: layer by layer."),
    max_extra_macs: str = typer.Option(
        "20%", "--max-extra-macs", help="With --patch auto: bound on the halos' extra MACs (20% or 0.2)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Rank (width, resolution) spaces by the compute of their sub-networks that fit the budgets."""
    from tinynas.space import optimize_spaces, report_to_dict
    from tinynas.space.optimize import CRITERIA
    from tinynas.space.plot import plot_cdf
    from tinynas.space.pricing import parse_patch_policy

    sram_bytes, flash_bytes = parse_budget(sram, "--sram"), parse_budget(flash, "--flash")
    patches = parse_patch_policy(patch, max_extra_macs)
    width_list = parse_list(widths, "--widths", float)
    res_list = parse_list(resolutions, "--resolutions", int)
    if criterion not in CRITERIA:
        raise InputError(f"--criterion: must be one of {', '.join(CRITERIA)}, got {criterion!r}")
    if any(w > 4 for w in width_list):
        raise InputError(f"--widths: width multipliers are fractions like 0.5, got {widths!r}")
    for path in (output, plot):
        if path is not None:
            check_output_path(path)
    with make_progress(not json_out) as progress:
        task = progress.add_task("spaces", total=len(width_list) * len(res_list), info="")

        def on_space(s) -> None:  # noqa: ANN001 - SpaceStats
            progress.update(task, advance=1, info=f"{s.config.name}: {100 * s.fit_fraction:.0f}% fit")

        report = optimize_spaces(
            width_list,
            res_list,
            sram_bytes,
            flash_bytes,
            samples,
            seed,
            num_classes,
            in_channels,
            criterion,
            min_fit,
            on_space=on_space,
            patches=patches,
        )
    doc = report_to_dict(report)
    if output is not None:
        write_json(output, doc)
    if plot is not None:
        plot_cdf(report, plot, plot_top)
    if json_out:
        print_json(doc)
    else:
        _print_table(doc, show)
    if report.best is None:
        raise WorkError(f"no sampled sub-network fits {sram} SRAM and {flash} Flash in any space")


def _print_table(doc: dict, show: int) -> None:
    c = doc["constraints"]
    patches = c["patches"]
    with_patches = (f", patches auto (<= {100 * patches['max_extra_macs']:g}% extra MACs)"
                    if patches["mode"] == "auto" else "")  # fmt: skip
    table = Table(
        title=f"search spaces under {c['sram_bytes'] / 1024:.0f} kB SRAM, "
        f"{c['flash_bytes'] / 1024:.0f} kB Flash{with_patches} ({doc['samples']} samples each)"
    )
    for col in ("rank", "space", "fit", "mean MACs", "p50", "p90", "max", "smallest net SRAM"):
        table.add_column(col, justify="left" if col == "space" else "right")
    for s in doc["spaces"][:show]:
        q = s["quantiles_macs"]
        table.add_row(
            str(s["rank"]),
            s["name"],
            f"{100 * s['fit_fraction']:.1f}%",
            f"{s['mean_macs'] / 1e6:.1f}M",
            f"{q.get('p50', 0) / 1e6:.1f}M",
            f"{q.get('p90', 0) / 1e6:.1f}M",
            f"{s['max_macs'] / 1e6:.1f}M",
            f"{s['smallest_subnet']['sram_bytes'] / 1024:.0f} kB",
        )
    console.print(table)
    rate = doc["candidates_per_second"]
    best = doc["best"]
    verdict = f"best: {best['name']}" if best else "no space fits"
    console.print(
        f"{verdict}  ({doc['samples'] * len(doc['spaces'])} candidates in {doc['seconds']:.1f} s, "
        f"{rate:.0f}/s)",
        highlight=False,
    )
