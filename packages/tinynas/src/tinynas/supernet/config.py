"""The supernet's search space: fixed widths and strides, elastic kernel, expand ratio and depth.

A :class:`SupernetConfig` is the MCUNet space at one width multiplier and one resolution (the
choice ``tinynas space`` makes): a stem, one fixed first block (expand 1, kernel 3), then stages
of inverted-residual blocks whose kernel size, expand ratio and depth the search picks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tinyengine_codegen.errors import InputError

KERNEL_CHOICES = (3, 5, 7)


class SpaceError(InputError):
    """A search space the supernet cannot be built from."""


@dataclass(frozen=True)
class StageConfig:
    """One stage: output channels, stride of its first block, depths it may take."""

    out_channels: int
    stride: int
    depths: tuple[int, ...]

    @property
    def max_depth(self) -> int:
        return max(self.depths)


@dataclass(frozen=True)
class SupernetConfig:
    """Everything needed to build a supernet (and the netspec of any of its sub-networks)."""

    resolution: int
    in_channels: int
    num_classes: int
    stem_channels: int
    first_block_channels: int
    stages: tuple[StageConfig, ...]
    kernel_sizes: tuple[int, ...] = KERNEL_CHOICES
    expand_ratios: tuple[int, ...] = (3, 4, 6)
    stem_stride: int = 2
    name: str = "supernet"
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def num_slots(self) -> int:
        """Elastic block slots (the sum of the stages' largest depths)."""
        return sum(s.max_depth for s in self.stages)

    def slot_stage(self) -> list[int]:
        """Stage index of every block slot."""
        return [i for i, s in enumerate(self.stages) for _ in range(s.max_depth)]

    def slot_channels(self) -> list[tuple[int, int, int]]:
        """(in_channels, out_channels, stride) of every elastic block slot."""
        result, cin = [], self.first_block_channels
        for stage in self.stages:
            for d in range(stage.max_depth):
                result.append((cin, stage.out_channels, stage.stride if d == 0 else 1))
                cin = stage.out_channels
        return result

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored in supernet checkpoints)."""
        doc = asdict(self)
        doc["stages"] = [asdict(s) for s in self.stages]
        return doc

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> SupernetConfig:
        """Inverse of :meth:`to_dict`."""
        doc = dict(doc)
        doc["stages"] = tuple(
            StageConfig(int(s["out_channels"]), int(s["stride"]), tuple(int(d) for d in s["depths"]))
            for s in doc["stages"]
        )
        doc["kernel_sizes"] = tuple(doc.get("kernel_sizes", KERNEL_CHOICES))
        doc["expand_ratios"] = tuple(doc.get("expand_ratios", (3, 4, 6)))
        return cls(**doc)


def _validate(cfg: SupernetConfig) -> None:
    for name in ("resolution", "in_channels", "num_classes", "stem_channels", "first_block_channels"):
        value = getattr(cfg, name)
        if not isinstance(value, int) or value <= 0:
            raise SpaceError(f"{name}: must be a positive integer, got {value!r}")
    if not cfg.stages:
        raise SpaceError("stages: at least one stage is needed")
    if not cfg.kernel_sizes or any(k not in KERNEL_CHOICES for k in cfg.kernel_sizes):
        raise SpaceError(f"kernel_sizes: each must be one of 3, 5, 7, got {list(cfg.kernel_sizes)}")
    if not cfg.expand_ratios or any(not isinstance(e, int) or e < 2 for e in cfg.expand_ratios):
        raise SpaceError(f"expand_ratios: integers >= 2 expected, got {list(cfg.expand_ratios)}")
    for i, s in enumerate(cfg.stages):
        if s.out_channels <= 0 or s.stride not in (1, 2):
            raise SpaceError(f"stages[{i}]: channels must be positive and stride 1 or 2")
        if not s.depths or any(d < 1 for d in s.depths):
            raise SpaceError(f"stages[{i}].depths: positive integers expected, got {list(s.depths)}")
