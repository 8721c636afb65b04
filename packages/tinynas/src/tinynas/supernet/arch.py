"""Sub-networks of a supernet: genes (depth per stage, kernel and expand per block slot).

A :class:`SubnetArch` names one sub-network; :func:`to_netspec` turns it into the netspec/1
architecture that te-gen prices and part 1's torch model builds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from tinyengine_codegen.frontend.netspec import Block, NetSpec
from tinynas.supernet.config import SupernetConfig


@dataclass(frozen=True)
class SubnetArch:
    """Depth of every stage; kernel size and expand ratio of every block slot."""

    depths: tuple[int, ...]
    kernels: tuple[int, ...]
    expands: tuple[int, ...]

    def active_slots(self, cfg: SupernetConfig) -> list[int]:
        """Indices of the block slots this sub-network uses (the first ``depth`` of each stage)."""
        result, start = [], 0
        for stage, depth in zip(cfg.stages, self.depths, strict=True):
            result.extend(range(start, start + depth))
            start += stage.max_depth
        return result

    def canonical(self, cfg: SupernetConfig) -> SubnetArch:
        """The same sub-network with the genes of unused slots set to the smallest choice."""
        active = set(self.active_slots(cfg))
        k0, e0 = min(cfg.kernel_sizes), min(cfg.expand_ratios)
        return SubnetArch(
            self.depths,
            tuple(k if i in active else k0 for i, k in enumerate(self.kernels)),
            tuple(e if i in active else e0 for i, e in enumerate(self.expands)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"depths": list(self.depths), "kernels": list(self.kernels), "expands": list(self.expands)}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> SubnetArch:
        return cls(tuple(doc["depths"]), tuple(doc["kernels"]), tuple(doc["expands"]))


def check_arch(cfg: SupernetConfig, arch: SubnetArch) -> None:
    """Raise ValueError when ``arch`` is not a sub-network of ``cfg``."""
    if len(arch.depths) != len(cfg.stages):
        raise ValueError(f"arch has {len(arch.depths)} depths, space has {len(cfg.stages)} stages")
    if len(arch.kernels) != cfg.num_slots or len(arch.expands) != cfg.num_slots:
        raise ValueError(f"arch must give {cfg.num_slots} kernels and expand ratios")
    for stage, depth in zip(cfg.stages, arch.depths, strict=True):
        if depth not in stage.depths:
            raise ValueError(f"depth {depth} not in {list(stage.depths)}")
    if any(k not in cfg.kernel_sizes for k in arch.kernels):
        raise ValueError(f"kernel sizes must be in {list(cfg.kernel_sizes)}")
    if any(e not in cfg.expand_ratios for e in arch.expands):
        raise ValueError(f"expand ratios must be in {list(cfg.expand_ratios)}")


def largest(cfg: SupernetConfig) -> SubnetArch:
    """The largest sub-network (every choice at its maximum)."""
    n = cfg.num_slots
    return SubnetArch(
        tuple(s.max_depth for s in cfg.stages), (max(cfg.kernel_sizes),) * n, (max(cfg.expand_ratios),) * n
    )


def smallest(cfg: SupernetConfig) -> SubnetArch:
    """The smallest sub-network (every choice at its minimum)."""
    n = cfg.num_slots
    return SubnetArch(
        tuple(min(s.depths) for s in cfg.stages), (min(cfg.kernel_sizes),) * n, (min(cfg.expand_ratios),) * n
    )


def sample(cfg: SupernetConfig, rng: random.Random) -> SubnetArch:
    """A uniformly random sub-network."""
    n = cfg.num_slots
    return SubnetArch(
        tuple(rng.choice(s.depths) for s in cfg.stages),
        tuple(rng.choice(cfg.kernel_sizes) for _ in range(n)),
        tuple(rng.choice(cfg.expand_ratios) for _ in range(n)),
    )


def to_netspec(cfg: SupernetConfig, arch: SubnetArch, name: str | None = None) -> NetSpec:
    """The netspec/1 architecture of sub-network ``arch``."""
    check_arch(cfg, arch)
    blocks = [Block(expand_ratio=1, kernel_size=3, stride=1, out_channels=cfg.first_block_channels)]
    slots = cfg.slot_channels()
    for i in arch.active_slots(cfg):
        _, cout, stride = slots[i]
        blocks.append(Block(arch.expands[i], arch.kernels[i], stride, cout))
    return NetSpec(
        name=name or f"{cfg.name}-subnet",
        resolution=(cfg.resolution, cfg.resolution),
        in_channels=cfg.in_channels,
        stem_channels=cfg.stem_channels,
        stem_stride=cfg.stem_stride,
        blocks=tuple(blocks),
        num_classes=cfg.num_classes,
        metadata={"supernet_arch": arch.canonical(cfg).to_dict()},
    )
