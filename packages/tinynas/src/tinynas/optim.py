"""What every tinynas training loop shares: weight-decay groups and the warm-up + cosine schedule.

Used by plain training (:mod:`tinynas.train`), fine-tuning and supernet training, so a network and
its supernet are optimised by the same rules.
"""

from __future__ import annotations

import math
from typing import Any

from torch import nn


def param_groups(model: nn.Module, weight_decay: float,
                 no_decay: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Two SGD groups: weights with ``weight_decay``; batch norm, biases and ``no_decay`` names without.

    ``no_decay`` holds name fragments of further parameters kept out of the decay (the supernet's
    kernel-transform matrices).
    """
    decay, other = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            skip = p.ndim <= 1 or any(part in name for part in no_decay)
            (other if skip else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": other, "weight_decay": 0.0}]


def warmup_cosine(step: int, total: int, warmup: int) -> float:
    """LR factor at ``step`` of ``total``: linear warm-up over ``warmup`` steps, then cosine to zero."""
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))
