"""Sample sub-networks of every (width, resolution) space, price them, rank the spaces.

The paper's criterion: among the sampled sub-networks that fit SRAM and Flash, the space whose
FLOPs distribution lies furthest right (largest mean MACs) wins, since more compute under the
same memory means a more accurate model. A space where only a few samples fit can win on the
mean of a handful; spaces with a fit fraction under ``min_fit`` therefore rank after the others.
All spaces draw the same random choices (one seed), so they are compared on equal terms.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tinynas.space.bounds import lower_bounds
from tinynas.space.pricing import NO_PATCHES, PatchPolicy, Price, price_netspec
from tinynas.space.scaling import scaled_config
from tinynas.supernet.arch import sample, smallest, to_netspec
from tinynas.supernet.config import SupernetConfig

CRITERIA = ("mean", "p50", "p75", "p90")


@dataclass
class SpaceStats:
    """One (width, resolution) space: how many samples fit and the MACs of those that do."""

    width: float
    resolution: int
    config: SupernetConfig
    samples: int
    fitting_macs: np.ndarray  # sorted ascending
    smallest: Price  # te-gen's price of the space's smallest sub-network
    priced: int  # samples te-gen priced (the others were over budget by the lower bounds)

    @property
    def fitting(self) -> int:
        return int(self.fitting_macs.size)

    @property
    def fit_fraction(self) -> float:
        return self.fitting / max(1, self.samples)

    def score(self, criterion: str = "mean") -> float:
        """MACs statistic of the fitting samples (0 when none fits)."""
        if not self.fitting:
            return 0.0
        if criterion == "mean":
            return float(self.fitting_macs.mean())
        return float(np.percentile(self.fitting_macs, int(criterion[1:])))

    def quantiles(self, percents: Sequence[int] = (10, 25, 50, 75, 90)) -> dict[str, float]:
        """MACs percentiles of the fitting samples ({} when none fits)."""
        if not self.fitting:
            return {}
        return {f"p{p}": float(np.percentile(self.fitting_macs, p)) for p in percents}

    def cdf(self, points: int = 21) -> list[list[float]]:
        """[MACs, P(MACs <= x)] at evenly spaced probabilities of the fitting samples' distribution."""
        if not self.fitting:
            return []
        probs = np.linspace(0.0, 1.0, points)
        return [[float(np.quantile(self.fitting_macs, p)), float(p)] for p in probs]


@dataclass
class SpaceReport:
    """Every space evaluated, best first."""

    sram_bytes: int
    flash_bytes: int
    samples: int
    seed: int
    criterion: str
    min_fit: float
    spaces: list[SpaceStats]
    seconds: float
    candidates: int = field(default=0)
    patches: PatchPolicy = NO_PATCHES

    @property
    def best(self) -> SpaceStats | None:
        """The winning space, or None when no sample of any space fits."""
        return self.spaces[0] if self.spaces and self.spaces[0].fitting else None

    @property
    def candidates_per_second(self) -> float:
        return self.candidates / max(self.seconds, 1e-9)


def evaluate_space(
    cfg: SupernetConfig,
    width: float,
    samples: int,
    sram: int,
    flash: int,
    seed: int = 0,
    use_bounds: bool = True,
    patches: PatchPolicy = NO_PATCHES,
) -> SpaceStats:
    """Price ``samples`` random sub-networks of ``cfg`` and keep the MACs of those that fit.

    With ``use_bounds``, a candidate whose lower bounds (:mod:`tinynas.space.bounds`) exceed a
    budget is rejected without pricing: the result is the same, only faster. The SRAM bound is
    a layer-by-layer one: with patches on, only the Flash bound is used.
    """
    rng = random.Random(seed)
    macs, priced = [], 0
    sram_bound = sram if patches.mode == "off" else None
    for _ in range(samples):
        spec = to_netspec(cfg, sample(cfg, rng))
        if use_bounds:
            min_sram, min_flash = lower_bounds(spec)
            if (sram_bound is not None and min_sram > sram_bound) or min_flash > flash:
                continue
        priced += 1
        price = price_netspec(spec, sram, flash, patches)
        if price.fits:
            macs.append(price.macs)
    smallest_price = price_netspec(to_netspec(cfg, smallest(cfg)), sram, flash, patches)
    fitting = np.sort(np.array(macs, dtype=np.int64))
    return SpaceStats(width, cfg.resolution, cfg, samples, fitting, smallest_price, priced)


def rank_spaces(spaces: list[SpaceStats], criterion: str, min_fit: float) -> list[SpaceStats]:
    """Best first: spaces with at least ``min_fit`` of their samples fitting, by the criterion."""
    return sorted(
        spaces,
        key=lambda s: (s.fitting > 0 and s.fit_fraction >= min_fit, s.score(criterion), s.fit_fraction),
        reverse=True,
    )


def optimize_spaces(
    widths: Sequence[float],
    resolutions: Sequence[int],
    sram: int,
    flash: int,
    samples: int = 1000,
    seed: int = 0,
    num_classes: int = 1000,
    in_channels: int = 3,
    criterion: str = "mean",
    min_fit: float = 0.05,
    use_bounds: bool = True,
    on_space: Callable[[SpaceStats], None] | None = None,
    patches: PatchPolicy = NO_PATCHES,
) -> SpaceReport:
    """Evaluate every (width, resolution) pair and rank them (see the module docstring)."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}")
    began = time.perf_counter()
    spaces = []
    for width in widths:
        for resolution in resolutions:
            cfg = scaled_config(width, resolution, num_classes, in_channels)
            stats = evaluate_space(cfg, width, samples, sram, flash, seed, use_bounds, patches)
            spaces.append(stats)
            if on_space is not None:
                on_space(stats)
    seconds = time.perf_counter() - began
    return SpaceReport(
        sram,
        flash,
        samples,
        seed,
        criterion,
        min_fit,
        rank_spaces(spaces, criterion, min_fit),
        seconds,
        candidates=samples * len(spaces),
        patches=patches,
    )
