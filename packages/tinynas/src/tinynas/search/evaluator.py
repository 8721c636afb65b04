"""Accuracy of a sub-network with weights inherited from the supernet, after BN recalibration."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset

from tinynas.supernet.arch import SubnetArch
from tinynas.supernet.batches import accuracy, first_batches, recalibrate_bn
from tinynas.supernet.network import Supernet


class AccuracyEvaluator:
    """Recalibrates batch norm on a few training batches, then measures validation top-1 (0..1)."""

    def __init__(self, net: Supernet, train: Dataset, val: Dataset, bn_batches: int = 5,
                 bn_batch_size: int = 200) -> None:
        self.net, self.val = net, val
        self.bn_batches = first_batches(train, bn_batch_size, bn_batches)

    def prepare(self, arch: SubnetArch) -> None:
        """Make ``arch`` active with freshly recalibrated batch-norm statistics."""
        self.net.set_active(arch)
        recalibrate_bn(self.net, self.bn_batches)

    @torch.no_grad()
    def __call__(self, arch: SubnetArch) -> float:
        self.prepare(arch)
        return accuracy(self.net, self.val)
