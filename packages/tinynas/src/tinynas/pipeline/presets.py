"""Budgets of the whole run: ``default`` (real data, paper scale) and ``demo`` (minutes on a CPU)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tinynas.errors import InputError
from tinynas.space.pricing import NO_PATCHES, PatchPolicy


@dataclass(frozen=True)
class Preset:
    """Every knob of ``tinynas run``, step by step."""

    name: str
    # space
    widths: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6)
    resolutions: tuple[int, ...] = (96, 112, 128, 144, 160, 176)
    stages: int | None = None
    depths: tuple[tuple[int, ...], ...] | None = None
    space_samples: int = 1000
    sram: int | None = None  # default: the board's SRAM
    flash: int | None = None  # default: the board's Flash
    patches: PatchPolicy = NO_PATCHES  # SRAM priced (and te-gen build run) with --patch auto or off
    # supernet
    supernet_epochs: int = 30
    supernet_steps: int | None = None
    batch_size: int = 128
    lr: float = 0.05
    train_subset: int | None = None
    # search
    population: int = 50
    generations: int = 20
    bn_batches: int = 10
    bn_batch_size: int = 200
    val_images: int = 5000
    # fine-tune
    finetune_epochs: int = 10
    finetune_lr: float = 0.01
    # export and bench
    calibration: int = 300
    bench_repeat: int = 10
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


PRESETS = {
    "default": Preset("default"),
    "demo": Preset(
        "demo", widths=(0.4, 0.5), resolutions=(28, 32), stages=4, depths=((1, 2),) * 4,
        space_samples=300, sram=10 * 1024, flash=256 * 1024,
        supernet_epochs=1, supernet_steps=120, batch_size=96, lr=0.08, train_subset=20000,
        population=12, generations=3, bn_batches=3, bn_batch_size=100, val_images=1000,
        finetune_epochs=2, finetune_lr=0.05, calibration=200, bench_repeat=3,
        extra={"finetune_subset": 30000},
    ),
}


def get_preset(name: str, **overrides: Any) -> Preset:
    """The named preset with ``overrides`` (``None`` values ignored)."""
    if name not in PRESETS:
        raise InputError(f"--preset: unknown preset {name!r} (known: {', '.join(PRESETS)})")
    return replace(PRESETS[name], **{k: v for k, v in overrides.items() if v is not None})
