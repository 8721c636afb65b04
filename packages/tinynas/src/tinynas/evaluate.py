"""Evaluation: top-1 / top-5 accuracy and loss of a model over a loader (torch.distributed-aware)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader


@dataclass(frozen=True)
class Metrics:
    """Accuracies in percent; ``top5`` is ``None`` when there are 5 classes or fewer."""

    top1: float
    top5: float | None
    loss: float
    count: int

    def summary(self) -> str:
        """``top-1 91.23%  top-5 99.80%  loss 0.312  (5000 images)``."""
        top5 = f"  top-5 {self.top5:.2f}%" if self.top5 is not None else ""
        return f"top-1 {self.top1:.2f}%{top5}  loss {self.loss:.3f}  ({self.count} images)"

    def to_dict(self) -> dict:
        return asdict(self)


def topk_correct(logits: torch.Tensor, labels: torch.Tensor, k: int) -> int:
    """How many rows of ``logits`` have their label among the ``k`` largest."""
    k = min(k, logits.shape[1])
    return int((logits.topk(k, dim=1).indices == labels.unsqueeze(1)).any(dim=1).sum())


def metrics_from_sums(correct1: float, correct5: float, loss_sum: float, count: int,
                      num_classes: int) -> Metrics:
    """Metrics from running sums (the same arithmetic for torch and TFLite evaluations)."""
    count = max(count, 1)
    top5 = 100.0 * correct5 / count if num_classes > 5 else None
    return Metrics(top1=100.0 * correct1 / count, top5=top5, loss=loss_sum / count, count=int(count))


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, device: str | torch.device = "cpu") -> Metrics:
    """Accuracy of ``model`` (put in eval mode, restored after) on every image of ``loader``.

    Under torch.distributed the sums are all-reduced, so every rank gets the global figures.
    """
    was_training = model.training
    model.eval()
    sums = torch.zeros(4, dtype=torch.float64)
    num_classes = 0
    for images, labels in loader:
        logits = model(images.to(device)).float().cpu()
        num_classes = logits.shape[1]
        sums += torch.tensor([topk_correct(logits, labels, 1), topk_correct(logits, labels, 5),
                              F.cross_entropy(logits, labels, reduction="sum").item(), labels.shape[0]],
                             dtype=torch.float64)
    model.train(was_training)
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(sums)
    return metrics_from_sums(sums[0].item(), sums[1].item(), sums[2].item(), int(sums[3].item()), num_classes)
