"""The grid of spaces ``tinynas space`` compares: MCUNet's space at each width and resolution.

The space itself (MobileNetV2/ProxylessNAS backbone, channels scaled by the width and rounded
to multiples of 8) is part 2's :func:`tinynas.supernet.space.mcunet_space`, so the supernet is
built from exactly the space priced here. Its rounding reproduces every channel count of
mcunet-in0..in4 (tests/nas/test_space.py).
"""

from __future__ import annotations

from tinynas.supernet.config import SupernetConfig
from tinynas.supernet.space import MCUNET_DEPTHS, make_divisible, mcunet_space

DEFAULT_WIDTHS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
DEFAULT_RESOLUTIONS = tuple(range(48, 225, 16))
KERNEL_SIZES = (3, 5, 7)
EXPAND_RATIOS = (3, 4, 6)

__all__ = [
    "DEFAULT_RESOLUTIONS",
    "DEFAULT_WIDTHS",
    "MCUNET_DEPTHS",
    "make_divisible",
    "scaled_config",
    "space_name",
]


def space_name(width: float, resolution: int) -> str:
    """``w0.5-r176``."""
    return f"w{width:g}-r{resolution}"


def scaled_config(
    width: float, resolution: int, num_classes: int = 1000, in_channels: int = 3
) -> SupernetConfig:
    """The MCUNet space at ``width`` and ``resolution`` (kernels 3/5/7, expands 3/4/6, depths 2-4)."""
    return mcunet_space(
        width,
        resolution,
        in_channels,
        num_classes,
        kernel_sizes=KERNEL_SIZES,
        expand_ratios=EXPAND_RATIOS,
        name=space_name(width, resolution),
    )
