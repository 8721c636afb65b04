"""torch.distributed set-up from torchrun's environment (gloo: supernet training runs on CPUs)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch.distributed as dist


@dataclass(frozen=True)
class Dist:
    """This process's place: rank, number of processes, whether a process group is up."""

    rank: int = 0
    world: int = 1

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def init_from_env() -> Dist:
    """Join the process group torchrun describes (``WORLD_SIZE`` > 1); one process otherwise."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist()
    if not dist.is_initialized():
        dist.init_process_group("gloo")
    return Dist(dist.get_rank(), dist.get_world_size())


def barrier(where: Dist) -> None:
    """Wait for every process (no-op on one)."""
    if where.enabled:
        dist.barrier()


def shutdown(where: Dist) -> None:
    """Leave the process group."""
    if where.enabled and dist.is_initialized():
        dist.destroy_process_group()
