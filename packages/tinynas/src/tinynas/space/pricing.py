"""Price a candidate network with te-gen's memory planner (the numbers the generated code uses)."""

from __future__ import annotations

from dataclasses import dataclass

from tinyengine_codegen.frontend.netspec import NetSpec
from tinyengine_codegen.profile import profile_netspec


@dataclass(frozen=True)
class Price:
    """What a candidate costs: peak SRAM (the planner's arena), Flash, MACs; whether it fits."""

    sram_bytes: int
    flash_bytes: int
    macs: int
    fits: bool


def price_netspec(spec: NetSpec, sram: int | None, flash: int | None) -> Price:
    """te-gen's profile of ``spec`` against ``sram`` / ``flash`` bytes (``None``: no limit)."""
    report = profile_netspec(spec, sram=sram, flash=flash)
    return Price(
        sram_bytes=int(report.arena_bytes),
        flash_bytes=int(report.flash_bytes),
        macs=int(report.macs),
        fits=bool(report.fits),
    )
