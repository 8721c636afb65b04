"""Price a candidate network with te-gen's memory planner (the numbers the generated code uses).

With ``patch="auto"`` the first stage may run patch by patch (MCUNetV2, te-gen ``--patch auto``):
the arena is then the one ``te-gen build --patch auto`` plans, and :attr:`Price.patch` says what
te-gen chose (grid, split, extra MACs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinyengine_codegen.frontend.netspec import NetSpec
from tinyengine_codegen.passes.patch_choice import DEFAULT_MAX_EXTRA_MACS, parse_extra_macs, parse_patch_mode
from tinyengine_codegen.profile import profile_netspec
from tinynas.errors import InputError

PATCH_MODES = ("off", "auto")


@dataclass(frozen=True)
class PatchPolicy:
    """Whether te-gen may run the first stage patch by patch, and the extra-MAC bound (a fraction)."""

    mode: str = "off"
    max_extra_macs: float = DEFAULT_MAX_EXTRA_MACS

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "max_extra_macs": self.max_extra_macs}


NO_PATCHES = PatchPolicy()


def parse_patch_policy(mode: str, max_extra_macs: str) -> PatchPolicy:
    """``--patch`` (off or auto) and ``--max-extra-macs`` (20% or 0.2); InputError otherwise."""
    if mode.strip().lower() not in PATCH_MODES:
        raise InputError(f"--patch {mode!r}: expected off or auto")
    return PatchPolicy(str(parse_patch_mode(mode)), parse_extra_macs(max_extra_macs))


@dataclass(frozen=True)
class Price:
    """What a candidate costs: peak SRAM (the planner's arena), Flash, MACs; whether it fits.

    ``macs`` counts the network's multiply-accumulates (without the halos patches recompute);
    ``patch``: with patches on, te-gen's choice (``grid``, ``split_after``, ``extra_macs_percent``,
    ``macs_with_patches``, ``arena_without_patches``), None when they are off or do not pay.
    """

    sram_bytes: int
    flash_bytes: int
    macs: int
    fits: bool
    patch: dict[str, Any] | None = None


def price_netspec(
    spec: NetSpec, sram: int | None, flash: int | None, patches: PatchPolicy = NO_PATCHES
) -> Price:
    """te-gen's profile of ``spec`` against ``sram`` / ``flash`` bytes (``None``: no limit)."""
    report = profile_netspec(spec, sram=sram, flash=flash, patch=patches.mode,
                             max_extra_macs=patches.max_extra_macs)  # fmt: skip
    chosen = report.patch if report.patch and report.patch["enabled"] else None
    return Price(
        sram_bytes=int(report.arena_bytes),
        flash_bytes=int(report.flash_bytes),
        macs=int(chosen["macs_without_patches"] if chosen else report.macs),
        fits=bool(report.fits),
        patch=patch_summary(chosen) if chosen else None,
    )


def patch_summary(chosen: dict[str, Any]) -> dict[str, Any]:
    """The fields of te-gen's ``patch`` report a search records."""
    keys = ("grid", "split_after", "extra_macs_percent", "macs_with_patches", "arena_without_patches")
    return {key: chosen[key] for key in keys}


def describe_patch(patch: dict[str, Any] | None, policy: PatchPolicy) -> str:
    """One line for a table: what patch-based inference does for a priced network."""
    if policy.mode == "off":
        return "off (layer by layer)"
    if patch is None:
        return "auto: off (layer by layer is smaller or no stage fits the MAC bound)"
    grid = "x".join(str(g) for g in patch["grid"])
    return (f"auto: {grid} grid up to {patch['split_after']}, +{patch['extra_macs_percent']:.2f}% MACs "
            f"(layer by layer {patch['arena_without_patches']} B)")
