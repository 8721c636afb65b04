"""Supernet configurations from ``tinynas space`` results (the MCUNet space at width W, resolution R).

The base space is MCUNet's (MobileNetV2/ProxylessNAS backbone, docs in the shared TinyNAS notes):
3x3 stride-2 stem (32 channels at W=1), a fixed first block (16 channels, expand 1, kernel 3), then
six stages of base widths 24, 40, 80, 96, 192, 320 with strides 2, 2, 2, 1, 2, 1 and depths 2-4
(the last stage one block). Channels are scaled by W and rounded to multiples of 8.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from tinynas.errors import InputError
from tinynas.supernet.config import StageConfig, SupernetConfig
from tinynas.supernet.jsonfile import read_format_json

MCUNET_STEM, MCUNET_FIRST = 32, 16
MCUNET_STAGES = ((24, 2), (40, 2), (80, 2), (96, 1), (192, 2), (320, 1))
MCUNET_DEPTHS = ((2, 3, 4),) * 5 + ((1,),)
SPACE_FORMAT = "tinynas-space/1"


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round ``value`` to the nearest multiple of ``divisor`` (never down by more than 10%)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def mcunet_space(width: float, resolution: int, in_channels: int, num_classes: int,
                 depths: tuple[tuple[int, ...], ...] = MCUNET_DEPTHS, stages: int | None = None,
                 expand_ratios: tuple[int, ...] = (3, 4, 6), kernel_sizes: tuple[int, ...] = (3, 5, 7),
                 name: str | None = None) -> SupernetConfig:
    """The MCUNet space at width multiplier ``width`` and input ``resolution``.

    ``stages`` keeps only the first N stages (small inputs such as 28x28 need fewer).
    """
    base = MCUNET_STAGES[: stages or len(MCUNET_STAGES)]
    return SupernetConfig(
        resolution=resolution,
        in_channels=in_channels,
        num_classes=num_classes,
        stem_channels=make_divisible(MCUNET_STEM * width),
        first_block_channels=make_divisible(MCUNET_FIRST * width),
        stages=tuple(StageConfig(make_divisible(c * width), s, tuple(d))
                     for (c, s), d in zip(base, depths, strict=False)),
        kernel_sizes=kernel_sizes,
        expand_ratios=expand_ratios,
        name=name or f"mcunet-w{width:g}-r{resolution}",
        metadata={"width": width},
    )


def read_space_choice(path: str | Path) -> dict[str, Any]:
    """The chosen space of a ``tinynas space`` result file: at least ``width`` and ``resolution``."""
    doc = read_format_json(path, SPACE_FORMAT)
    best = doc.get("best")
    if not isinstance(best, dict) or "width" not in best or "resolution" not in best:
        raise InputError(f"{path}: no chosen space ('best' with 'width' and 'resolution')")
    return doc


def config_from_space(path: str | Path, in_channels: int, num_classes: int) -> SupernetConfig:
    """The supernet configuration of the space chosen in a ``tinynas space`` result file.

    Uses ``best.config`` when the file has it (the exact space that was priced), else rebuilds the
    MCUNet space from ``best.width`` and ``best.resolution``; input channels and classes come from
    the data.
    """
    doc = read_space_choice(path)
    best = doc["best"]
    try:
        if isinstance(best.get("config"), dict):
            cfg = SupernetConfig.from_dict(best["config"])
            return replace(cfg, in_channels=in_channels, num_classes=num_classes)
        options = doc.get("supernet") or {}
        return mcunet_space(
            float(best["width"]), int(best["resolution"]), in_channels, num_classes,
            depths=tuple(tuple(d) for d in options.get("depths", MCUNET_DEPTHS)),
            stages=options.get("stages"),
            expand_ratios=tuple(options.get("expand_ratios", (3, 4, 6))),
            kernel_sizes=tuple(options.get("kernel_sizes", (3, 5, 7))),
        )
    except (TypeError, ValueError, KeyError, InputError) as exc:
        raise InputError(f"{path}: bad space ({exc})") from None
