"""Sandwich-rule supernet training with in-place distillation (one process or DDP under torchrun).

Each step trains the largest sub-network on the labels, then the smallest and ``num_random``
random ones on the largest's soft predictions, accumulating gradients before one SGD step.
Every process draws the same sub-networks (seeded by the step number) and sees its share of the
same global batch, and batch norm synchronises across processes, so N processes compute what
one process computes on the whole batch.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import Dataset

from tinynas.optim import param_groups, warmup_cosine
from tinynas.supernet.arch import largest, sample, smallest
from tinynas.supernet.batches import (
    accuracy,
    first_batches,
    global_batches,
    recalibrate_bn,
    set_loader_epoch,
)
from tinynas.supernet.checkpoint import read_checkpoint, save_checkpoint
from tinynas.supernet.distributed import Dist, barrier
from tinynas.supernet.network import Supernet
from tinynas.supernet.sorting import sort_channels


@dataclass
class TrainOptions:
    """Supernet training hyper-parameters (``batch_size`` is the global batch over all processes)."""

    epochs: int = 5
    batch_size: int = 128
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 3e-5
    label_smoothing: float = 0.1
    num_random: int = 2
    steps_per_epoch: int | None = None
    sort_channels: bool = True
    seed: int = 0
    val_batches: int = 4


@dataclass
class EpochLog:
    """What one epoch measured (validation accuracy after BN recalibration)."""

    epoch: int
    loss: float
    train_acc: float
    val_acc_largest: float
    val_acc_smallest: float
    seconds: float


@dataclass
class TrainState:
    """Where training stands (stored in the supernet file to resume)."""

    epoch: int = 0
    step: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)


def lr_at(step: int, total: int, base: float) -> float:
    """Linear warm-up over the first 5% of steps, then cosine decay to zero."""
    return base * warmup_cosine(step, total, max(1, total // 20))


def soft_cross_entropy(logits: torch.Tensor, target_probs: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against soft targets (in-place distillation), mean over the batch."""
    return -(target_probs * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


class SupernetTrainer:
    """Owns the model, optimizer, data and state of one supernet training run."""

    def __init__(self, net: Supernet, train: Dataset, val: Dataset, opts: TrainOptions, where: Dist) -> None:
        self.net, self.opts, self.where = net, opts, where
        self.val = val
        self.loader = global_batches(train, opts.batch_size, where.rank, where.world, opts.seed)
        self.recal_batches = first_batches(train, min(opts.batch_size, 200), opts.val_batches)
        self.steps_per_epoch = min(len(self.loader), opts.steps_per_epoch or len(self.loader))
        groups = param_groups(net, opts.weight_decay, no_decay=("transforms",))  # OFA's kernel transforms
        self.optimizer = torch.optim.SGD(groups, lr=opts.lr, momentum=opts.momentum, nesterov=True)
        self.model: torch.nn.Module = net
        if where.enabled:
            self.model = DistributedDataParallel(net, find_unused_parameters=True, broadcast_buffers=False)
        self.state = TrainState()

    @property
    def total_steps(self) -> int:
        return self.opts.epochs * self.steps_per_epoch

    def resume(self, path: Path) -> bool:
        """Load weights, optimizer and progress from a previous run's file; False if none."""
        if not path.is_file():
            return False
        doc = read_checkpoint(path)
        if doc["config"] != self.net.cfg.to_dict():
            raise ValueError(f"{path}: supernet file was trained on another space; use another -o")
        self.net.load_state_dict(doc["state_dict"])
        if doc.get("optimizer"):
            self.optimizer.load_state_dict(doc["optimizer"])
        self.state = TrainState(doc.get("epoch", 0), doc.get("step", 0), list(doc.get("history", [])))
        return True

    def save(self, path: Path) -> None:
        """Write the supernet file (main process only)."""
        if self.where.main:
            save_checkpoint(path, self.net, optimizer=self.optimizer.state_dict(), epoch=self.state.epoch,
                            step=self.state.step, history=self.state.history, options=asdict(self.opts))

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
        """One sandwich step; returns (loss of the largest, its batch accuracy)."""
        cfg = self.net.cfg
        rng = random.Random(self.opts.seed * 1_000_003 + self.state.step)
        archs = [largest(cfg), smallest(cfg), *(sample(cfg, rng) for _ in range(self.opts.num_random))]
        for group in self.optimizer.param_groups:
            group["lr"] = lr_at(self.state.step, self.total_steps, self.opts.lr)
        self.optimizer.zero_grad(set_to_none=True)
        teacher = None
        for arch in archs:
            self.net.set_active(arch)
            logits = self.model(images)
            if teacher is None:
                loss = F.cross_entropy(logits, labels, label_smoothing=self.opts.label_smoothing)
                teacher = F.softmax(logits.detach(), dim=1)
                first_loss = float(loss.detach())
                first_acc = float((logits.argmax(1) == labels).float().mean())
            else:
                loss = soft_cross_entropy(logits, teacher)
            loss.backward()
        self.optimizer.step()
        self.state.step += 1
        return first_loss, first_acc

    def validate(self) -> tuple[float, float]:
        """Validation accuracy of the largest and smallest sub-networks after BN recalibration."""
        result = []
        for arch in (largest(self.net.cfg), smallest(self.net.cfg)):
            self.net.set_active(arch)
            recalibrate_bn(self.net, self.recal_batches)
            result.append(accuracy(self.net, self.val))
        return result[0], result[1]

    def run_epoch(self, on_step: Callable[[int, float, float], None] | None = None) -> EpochLog:
        """Train one epoch; ``on_step(step_in_epoch, loss, acc)`` after each step."""
        epoch, start = self.state.epoch, time.perf_counter()
        if self.opts.sort_channels and epoch > 0:
            sort_channels(self.net, self.optimizer)
        set_loader_epoch(self.loader, epoch)
        self.net.train()
        losses, accs = [], []
        for i, (images, labels) in enumerate(self.loader):
            if i >= self.steps_per_epoch:
                break
            loss, acc = self.train_step(images, labels)
            losses.append(loss)
            accs.append(acc)
            if on_step:
                on_step(i + 1, loss, acc)
        val_large, val_small = self.validate()
        barrier(self.where)
        log = EpochLog(epoch, sum(losses) / len(losses), sum(accs) / len(accs), val_large, val_small,
                       time.perf_counter() - start)
        self.state.epoch += 1
        self.state.history.append(asdict(log))
        return log
