"""The weight-sharing supernet: any sub-network runs from slices of the largest one's weights.

Module names follow part 1's :class:`tinynas.model.TinyNet` (``stem``, ``blocks.N.expand`` /
``depthwise`` / ``project`` with ``conv`` and ``bn``, ``classifier``), so extracting a
sub-network is a matter of slicing each tensor (see ``extract``).
"""

from __future__ import annotations

import torch
from torch import nn

from tinynas.model import init_weights
from tinynas.supernet.arch import SubnetArch, check_arch, largest
from tinynas.supernet.config import SupernetConfig
from tinynas.supernet.layers import (
    DynamicBatchNorm,
    DynamicConv,
    DynamicPointwise,
    ElasticDepthwise,
)


class ConvBNAct(nn.Module):
    """A sliced convolution, batch norm and optional ReLU6."""

    def __init__(self, conv: nn.Module, channels: int, act: bool = True) -> None:
        super().__init__()
        self.conv = conv
        self.bn = DynamicBatchNorm(channels)
        self.act = act

    def forward(self, x: torch.Tensor, *conv_args: int) -> torch.Tensor:
        y = self.bn(self.conv(x, *conv_args))
        return torch.clamp(y, 0.0, 6.0) if self.act else y


class ElasticMBConv(nn.Module):
    """Inverted-residual block slot with elastic kernel size and expand ratio."""

    def __init__(self, cin: int, cout: int, stride: int, kernel_sizes: tuple[int, ...],
                 expand_ratios: tuple[int, ...]) -> None:
        super().__init__()
        self.cin, self.cout = cin, cout
        hidden = cin * max(expand_ratios)
        self.expand = ConvBNAct(DynamicPointwise(cin, hidden), hidden)
        self.depthwise = ConvBNAct(ElasticDepthwise(hidden, kernel_sizes, stride), hidden)
        self.project = ConvBNAct(DynamicPointwise(hidden, cout), cout, act=False)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor, kernel_size: int, expand_ratio: int) -> torch.Tensor:
        y = self.expand(x, self.cin * expand_ratio)
        y = self.project(self.depthwise(y, kernel_size))
        return x + y if self.residual else y


class FirstBlock(nn.Module):
    """The fixed first block: depthwise 3x3 (expand 1) and linear projection."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.depthwise = ConvBNAct(ElasticDepthwise(cin, (3,), 1), cin)
        self.project = ConvBNAct(DynamicPointwise(cin, cout), cout, act=False)
        self.residual = cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.project(self.depthwise(x, 3))
        return x + y if self.residual else y


class Supernet(nn.Module):
    """All sub-networks of a :class:`SupernetConfig`; ``set_active`` picks the one ``forward`` runs."""

    def __init__(self, cfg: SupernetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.stem = ConvBNAct(DynamicConv(cfg.in_channels, cfg.stem_channels, 3, cfg.stem_stride),
                              cfg.stem_channels)
        slots = [ElasticMBConv(cin, cout, s, cfg.kernel_sizes, cfg.expand_ratios)
                 for cin, cout, s in cfg.slot_channels()]
        self.blocks = nn.ModuleList([FirstBlock(cfg.stem_channels, cfg.first_block_channels), *slots])
        self.classifier = nn.Linear(cfg.stages[-1].out_channels, cfg.num_classes)
        self.active = largest(cfg)
        init_weights(self, (DynamicConv, DynamicPointwise, ElasticDepthwise))

    def set_active(self, arch: SubnetArch) -> None:
        """Make ``arch`` the sub-network that ``forward`` computes."""
        check_arch(self.cfg, arch)
        self.active = arch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks[0](self.stem(x))
        arch = self.active
        for i in arch.active_slots(self.cfg):
            x = self.blocks[i + 1](x, arch.kernels[i], arch.expands[i])
        return self.classifier(x.mean(dim=(2, 3)))

    def batch_norms(self) -> list[DynamicBatchNorm]:
        """Every batch-norm layer."""
        return [m for m in self.modules() if isinstance(m, DynamicBatchNorm)]
