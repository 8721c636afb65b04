"""The FLOPs CDF plot of the MCUNet paper: one curve per space, over its fitting sub-networks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinynas.files import save_figure
from tinynas.space.optimize import SpaceReport


def plot_cdf(report: SpaceReport, path: str | Path, top: int = 6) -> None:
    """Draw the MACs CDF of the ``top`` best spaces (and the worst fitting one) to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fitting = [s for s in report.spaces if s.fitting]
    shown = fitting[:top] + (fitting[-1:] if len(fitting) > top else [])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, s in enumerate(shown):
        macs = s.fitting_macs / 1e6
        probs = np.arange(1, macs.size + 1) / macs.size
        label = f"{s.config.name}: mean {macs.mean():.1f}M, {100 * s.fit_fraction:.0f}% fit"
        ax.step(
            macs,
            probs,
            where="post",
            label=label,
            linewidth=2.2 if i == 0 else 1.2,
            linestyle="--" if s is fitting[-1] and len(fitting) > top else "-",
        )
    ax.set_xlabel("MACs of sub-networks that fit (M)")
    ax.set_ylabel("cumulative probability")
    ax.set_title(
        f"Search spaces under {report.sram_bytes / 1024:.0f} kB SRAM, "
        f"{report.flash_bytes / 1024:.0f} kB Flash ({report.samples} samples each)"
    )
    ax.grid(alpha=0.3)
    if shown:
        ax.legend(fontsize=8, loc="lower right")
    else:
        ax.text(0.5, 0.5, "no sub-network fits", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    save_figure(fig, path)
