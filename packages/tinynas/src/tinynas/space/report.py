"""The ``tinynas-space/1`` JSON document (see docs/formats.md).

Part 2 reads it with :func:`tinynas.supernet.space.config_from_space`.
"""

from __future__ import annotations

from typing import Any

from tinynas.space.optimize import SpaceReport, SpaceStats
from tinynas.space.scaling import EXPAND_RATIOS, KERNEL_SIZES, MCUNET_DEPTHS
from tinynas.supernet.space import SPACE_FORMAT


def _space_entry(rank: int, s: SpaceStats, report: SpaceReport) -> dict[str, Any]:
    return {
        "rank": rank,
        "name": s.config.name,
        "width": s.width,
        "resolution": s.resolution,
        "samples": s.samples,
        "fitting": s.fitting,
        "fit_fraction": s.fit_fraction,
        "score": s.score(report.criterion),
        "mean_macs": s.score("mean"),
        "max_macs": int(s.fitting_macs[-1]) if s.fitting else 0,
        "quantiles_macs": s.quantiles(),
        "priced": s.priced,
        "smallest_subnet": {
            "sram_bytes": s.smallest.sram_bytes,
            "flash_bytes": s.smallest.flash_bytes,
            "macs": s.smallest.macs,
            "fits": s.smallest.fits,
            "patch": s.smallest.patch,
        },
        "cdf": s.cdf(),
        "config": s.config.to_dict(),
    }


def report_to_dict(report: SpaceReport) -> dict[str, Any]:
    """The JSON document of ``report``; ``best.config`` builds the supernet (``SupernetConfig.from_dict``)."""
    best = report.best
    return {
        "format": SPACE_FORMAT,
        "constraints": {"sram_bytes": report.sram_bytes, "flash_bytes": report.flash_bytes,
                        "patches": report.patches.to_dict()},
        "pricing": "te-gen profile_netspec: arena bytes vs SRAM, weights + code estimate vs Flash",
        "samples": report.samples,
        "seed": report.seed,
        "criterion": report.criterion,
        "min_fit_fraction": report.min_fit,
        "seconds": report.seconds,
        "candidates_per_second": report.candidates_per_second,
        "supernet": {
            "depths": [list(d) for d in MCUNET_DEPTHS],
            "kernel_sizes": list(KERNEL_SIZES),
            "expand_ratios": list(EXPAND_RATIOS),
        },
        "best": None
        if best is None
        else {
            "name": best.config.name,
            "width": best.width,
            "resolution": best.resolution,
            "config": best.config.to_dict(),
        },
        "spaces": [_space_entry(i + 1, s, report) for i, s in enumerate(report.spaces)],
    }
