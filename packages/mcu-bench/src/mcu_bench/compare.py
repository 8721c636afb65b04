"""Several results side by side: rows for a table, and a bar chart."""

from __future__ import annotations

from pathlib import Path

from mcu_bench.sizes import kb

UNIT_LABEL = {"emulated_instructions": "instr (emulated)", "cycles": "cycles", "ns": "ns (host)"}


def compare_rows(results: list[tuple[Path, dict]]) -> list[dict]:
    """One row per result: model, board, runner, latency with its unit, SRAM, Flash, output check."""
    rows = []
    for path, r in results:
        lat, mem = r["latency"], r["memory"]
        rows.append(
            {
                "file": str(path),
                "model": r["model"]["name"],
                "board": r["board"]["name"],
                "runner": r["runner"]["name"],
                "latency": lat.get("mean"),
                "latency_unit": lat.get("unit"),
                "ms": lat.get("ms"),
                "sram_peak": mem.get("sram_peak"),
                "static_ram": mem.get("static_ram"),
                "stack_used": mem.get("stack_used"),
                "flash": mem.get("flash"),
                "outputs": r["outputs"].get("check"),
            }
        )
    return rows


def row_cells(row: dict) -> list[str]:
    """The row as table text."""
    latency = (
        "-" if row["latency"] is None else f"{row['latency']:,} {UNIT_LABEL.get(row['latency_unit'], '')}"
    )
    return [
        row["model"],
        row["board"],
        row["runner"],
        latency,
        "-" if row["ms"] is None else f"{row['ms']:.2f}",
        "-" if row["sram_peak"] is None else kb(row["sram_peak"]),
        "-" if row["flash"] is None else kb(row["flash"]),
        row["outputs"],
    ]


def plot(rows: list[dict], out: Path) -> None:
    """Bar chart: latency, peak SRAM and Flash per result, written to `out` (PNG, SVG, PDF)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['model']}\n{r['board']} ({r['runner']})" for r in rows]
    units = sorted({UNIT_LABEL.get(r["latency_unit"], "?") for r in rows})
    panels = [
        ("latency [" + ", ".join(units) + "]", [r["latency"] or 0 for r in rows]),
        ("peak SRAM [kB]", [(r["sram_peak"] or 0) / 1024 for r in rows]),
        ("Flash [kB]", [(r["flash"] or 0) / 1024 for r in rows]),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(max(9, 3 * len(rows)), 4))
    for axis, (title, values) in zip(axes, panels, strict=True):
        axis.bar(range(len(rows)), values, color="tab:blue")
        axis.set_title(title)
        axis.set_xticks(range(len(rows)), labels, fontsize=7)
    fig.tight_layout()
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(out)
