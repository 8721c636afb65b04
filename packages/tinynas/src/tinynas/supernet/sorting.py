"""Keep every block's hidden channels sorted by importance, so a small expand ratio keeps the best.

Importance of a hidden channel is the L1 norm of the projection weights reading it (Once-for-All).
Sorting permutes the expansion rows, both batch norms, the depthwise filters and the projection
columns alike (the largest network computes the same function), and the optimizer's momentum.
"""

from __future__ import annotations

import torch

from tinynas.supernet.network import ElasticMBConv, Supernet


def _permute(t: torch.Tensor, order: torch.Tensor, dim: int, optimizer: torch.optim.Optimizer | None) -> None:
    with torch.no_grad():
        t.copy_(t.index_select(dim, order))
    if optimizer is not None and isinstance(t, torch.nn.Parameter):
        for value in optimizer.state.get(t, {}).values():
            if torch.is_tensor(value) and value.shape == t.shape:
                value.copy_(value.index_select(dim, order))


@torch.no_grad()
def sort_block(block: ElasticMBConv, optimizer: torch.optim.Optimizer | None = None) -> torch.Tensor:
    """Sort one block's hidden channels by importance (descending); returns the permutation."""
    importance = block.project.conv.weight.abs().sum(dim=(0, 2, 3))
    order = torch.sort(importance, descending=True, stable=True).indices
    _permute(block.expand.conv.weight, order, 0, optimizer)
    _permute(block.depthwise.conv.weight, order, 0, optimizer)
    _permute(block.project.conv.weight, order, 1, optimizer)
    for bn in (block.expand.bn, block.depthwise.bn):
        for t in (bn.weight, bn.bias, bn.running_mean, bn.running_var):
            _permute(t, order, 0, optimizer)
    return order


def sort_channels(net: Supernet, optimizer: torch.optim.Optimizer | None = None) -> None:
    """Sort the hidden channels of every elastic block of ``net``."""
    for block in net.blocks[1:]:
        sort_block(block, optimizer)
