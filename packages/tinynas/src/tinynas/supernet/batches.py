"""Global batches split across processes, and BN recalibration.

One process or N, step ``s`` of epoch ``e`` sees the same global batch: a seeded shuffle of the
whole training set cut into ``global_batch`` pieces, each process taking its contiguous share.
Augmentation is seeded per image by part 1's datasets, so the images are the same too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from tinynas.supernet.layers import DynamicBatchNorm


class GlobalBatchSampler(Sampler[list[int]]):
    """This process's share of every global batch (last incomplete batch dropped)."""

    def __init__(self, size: int, global_batch: int, rank: int = 0, world: int = 1, seed: int = 0) -> None:
        if global_batch % world:
            raise ValueError(f"batch size {global_batch} is not divisible by {world} processes")
        if size < global_batch:
            raise ValueError(f"only {size} training images for a batch of {global_batch}")
        self.size, self.global_batch, self.rank, self.world, self.seed = size, global_batch, rank, world, seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.size // self.global_batch

    def __iter__(self) -> Iterator[list[int]]:
        gen = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        perm = torch.randperm(self.size, generator=gen).tolist()
        local = self.global_batch // self.world
        for b in range(len(self)):
            start = b * self.global_batch + self.rank * local
            yield perm[start : start + local]


def global_batches(dataset: Dataset, global_batch: int, rank: int = 0, world: int = 1,
                   seed: int = 0) -> DataLoader:
    """A loader yielding this process's part of each seeded global batch."""
    sampler = GlobalBatchSampler(len(dataset), global_batch, rank, world, seed)
    return DataLoader(dataset, batch_sampler=sampler)


def set_loader_epoch(loader: DataLoader, epoch: int) -> None:
    """Reshuffle and redraw augmentation for ``epoch``."""
    loader.batch_sampler.set_epoch(epoch)
    if hasattr(loader.dataset, "set_epoch"):
        loader.dataset.set_epoch(epoch)


def first_batches(dataset: Dataset, batch_size: int, count: int) -> list[torch.Tensor]:
    """The first ``count`` batches of images of ``dataset`` in order (no labels)."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    result = []
    for images, _ in loader:
        result.append(images)
        if len(result) >= count:
            break
    return result


@torch.no_grad()
def recalibrate_bn(net: torch.nn.Module, batches: Iterable[torch.Tensor]) -> None:
    """Re-estimate every batch norm's statistics for the active sub-network (plain average).

    Local to this process (every process passes the same batches and gets the same statistics).
    """
    bns = [m for m in net.modules() if isinstance(m, DynamicBatchNorm)]
    saved = [(bn.momentum, bn.sync) for bn in bns]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum, bn.sync = None, False
    was_training = net.training
    net.train()
    for images in batches:
        net(images)
    for bn, (momentum, sync) in zip(bns, saved, strict=True):
        bn.momentum, bn.sync = momentum, sync
    net.train(was_training)


@torch.no_grad()
def accuracy(net: torch.nn.Module, dataset: Dataset, batch_size: int = 500) -> float:
    """Top-1 accuracy (0..1) of ``net`` in eval mode over ``dataset``."""
    was_training = net.training
    net.eval()
    correct = total = 0
    for images, labels in DataLoader(dataset, batch_size=batch_size, shuffle=False):
        correct += int((net(images).argmax(1) == labels).sum())
        total += len(labels)
    net.train(was_training)
    return correct / max(total, 1)
