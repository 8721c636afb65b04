"""Constraints on a candidate: te-gen's memory plan (SRAM, Flash) and an optional latency table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinyengine_codegen.frontend.netspec import NetSpec
from tinynas.latency.table import LatencyTable
from tinynas.space.pricing import NO_PATCHES, PatchPolicy, price_netspec


@dataclass(frozen=True)
class Constraints:
    """Budgets: SRAM and Flash in bytes; latency in ms on ``table``'s board (optional); whether
    the SRAM is priced with patch-based inference of the first stage (te-gen ``--patch``)."""

    sram: int
    flash: int
    latency_ms: float | None = None
    table: LatencyTable | None = None
    patches: PatchPolicy = NO_PATCHES


@dataclass(frozen=True)
class Pricing:
    """What a candidate costs and whether it meets every constraint (``patch``: te-gen's patch
    choice when patches are on and pay, see :class:`tinynas.space.pricing.Price`)."""

    sram_bytes: int
    flash_bytes: int
    macs: int
    latency_ms: float | None
    fits_memory: bool
    fits: bool
    patch: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"sram_bytes": self.sram_bytes, "flash_bytes": self.flash_bytes, "macs": self.macs,
                "latency_ms": self.latency_ms, "fits_memory": self.fits_memory, "fits": self.fits,
                "patch": self.patch}


def price(spec: NetSpec, constraints: Constraints) -> Pricing:
    """Price ``spec`` with te-gen's planner (``profile_netspec``) and the latency table if any."""
    memory = price_netspec(spec, constraints.sram, constraints.flash, constraints.patches)
    latency = constraints.table.latency_ms(spec) if constraints.table is not None else None
    limit = constraints.latency_ms
    fits_latency = limit is None or (latency is not None and latency <= limit)
    return Pricing(memory.sram_bytes, memory.flash_bytes, memory.macs, latency, memory.fits,
                   memory.fits and fits_latency, memory.patch)
