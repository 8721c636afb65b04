"""A torch model built from a netspec (MobileNetV2/MCUNet inverted-residual network).

Layers follow docs/formats.md: Conv-BN-ReLU6 stem, MBConv blocks (optional 1x1 expansion,
depthwise, linear 1x1 projection, residual when stride 1 and channels match), optional 1x1
mix layer, global average pooling, fully connected classifier.

Convolutions pad like TensorFlow's ``SAME`` (at stride 2 on an even input, one more row and
column at the bottom and right), so the Keras rebuild used for the int8 export computes the
same function as this model, with no extra PAD operators in the TFLite graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tinyengine_codegen.frontend.netspec import NetSpec


def same_pads(size: int, kernel_size: int, stride: int) -> tuple[int, int]:
    """TensorFlow ``SAME`` padding (before, after) along one axis of ``size`` pixels."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel_size - size, 0)
    return total // 2, total - total // 2


def same_out_size(size: int, stride: int) -> int:
    """Output side of a ``SAME`` convolution."""
    return math.ceil(size / stride)


class SameConv2d(nn.Conv2d):
    """``nn.Conv2d`` with TensorFlow ``SAME`` padding (asymmetric when TF's is)."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, stride: int = 1, groups: int = 1,
                 bias: bool = False) -> None:
        super().__init__(in_ch, out_ch, kernel_size, stride=stride, padding=0, groups=groups, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.kernel_size[0], self.stride[0]
        top, bottom = same_pads(x.shape[-2], k, s)
        left, right = same_pads(x.shape[-1], k, s)
        if top == bottom and left == right:
            return F.conv2d(x, self.weight, self.bias, s, (top, left), 1, self.groups)
        x = F.pad(x, (left, right, top, bottom))
        return F.conv2d(x, self.weight, self.bias, s, 0, 1, self.groups)


class ConvBN(nn.Module):
    """Convolution (SAME padding, no bias), batch norm, optional ReLU6."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int = 1, stride: int = 1, groups: int = 1,
                 act: bool = True) -> None:
        super().__init__()
        self.conv = SameConv2d(in_ch, out_ch, kernel_size, stride, groups)
        self.bn = nn.BatchNorm2d(out_ch)
        self.act = nn.ReLU6(inplace=True) if act else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.bn(self.conv(x)))


class MBConv(nn.Module):
    """Inverted residual block: [1x1 expand + ReLU6] depthwise + ReLU6, 1x1 linear projection."""

    def __init__(self, in_ch: int, out_ch: int, expand_ratio: int, kernel_size: int, stride: int) -> None:
        super().__init__()
        hidden = in_ch * expand_ratio
        self.expand = ConvBN(in_ch, hidden, 1) if expand_ratio != 1 else None
        self.depthwise = ConvBN(hidden, hidden, kernel_size, stride, groups=hidden)
        self.project = ConvBN(hidden, out_ch, 1, act=False)
        self.residual = stride == 1 and in_ch == out_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.expand(x) if self.expand is not None else x
        y = self.project(self.depthwise(y))
        return x + y if self.residual else y


class TinyNet(nn.Module):
    """The network a netspec describes; input NCHW float, output logits."""

    def __init__(self, spec: NetSpec, dropout: float = 0.0) -> None:
        super().__init__()
        self.spec = spec
        self.stem = ConvBN(spec.in_channels, spec.stem_channels, spec.stem_kernel_size, spec.stem_stride)
        self.blocks = nn.ModuleList(
            MBConv(cin, b.out_channels, b.expand_ratio, b.kernel_size, b.stride)
            for cin, b in zip(spec.block_in_channels(), spec.blocks, strict=True)
        )
        last = spec.blocks[-1].out_channels if spec.blocks else spec.stem_channels
        self.mix = ConvBN(last, spec.mix_channels, 1) if spec.mix_channels else None
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.classifier = nn.Linear(spec.last_channels, spec.num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Activations entering the pooling layer (N, C, H, W)."""
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return self.mix(x) if self.mix is not None else x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x).mean(dim=(2, 3))
        return self.classifier(self.dropout(x))


def build_model(spec: NetSpec, dropout: float = 0.0) -> TinyNet:
    """A freshly initialised torch model for ``spec`` (:func:`init_weights`)."""
    model = TinyNet(spec, dropout)
    init_weights(model, (nn.Conv2d,))
    return model


def init_weights(model: nn.Module, conv_types: tuple[type[nn.Module], ...]) -> None:
    """He init (fan out) for ``conv_types``, N(0, 0.01) and zero bias for the classifier, and the last
    batch norm of each residual block at zero, so the block starts as the identity.

    ``model.blocks`` holds the blocks, each with ``residual`` and ``project.bn`` (the network here
    and the supernet).
    """
    for m in model.modules():
        if isinstance(m, conv_types):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)
    for block in model.blocks:
        if block.residual:
            nn.init.zeros_(block.project.bn.weight)


def fold_bn(layer: ConvBN) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight and bias of ``layer``'s convolution with its batch norm folded in (eval statistics)."""
    bn = layer.bn
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    weight = layer.conv.weight * scale.reshape(-1, 1, 1, 1)
    bias = bn.bias - bn.running_mean * scale
    if layer.conv.bias is not None:
        bias = bias + layer.conv.bias * scale
    return weight.detach(), bias.detach()


@dataclass(frozen=True)
class Cost:
    """Multiply-accumulates and parameters (BN folded: one bias per output channel)."""

    macs: int
    params: int


def _conv_cost(h: int, w: int, cin: int, cout: int, k: int, groups: int = 1) -> Cost:
    per_out = k * k * (cin // groups)
    return Cost(macs=h * w * cout * per_out, params=cout * per_out + cout)


def netspec_cost(spec: NetSpec) -> Cost:
    """MACs and parameters of ``spec`` computed from the architecture alone (no torch).

    Convolutions and the classifier count; batch norm (folded), ReLU6, ADD and pooling do not,
    as in the MCUNet papers' tables.
    """
    h, w = (same_out_size(s, spec.stem_stride) for s in spec.resolution)
    total = _conv_cost(h, w, spec.in_channels, spec.stem_channels, spec.stem_kernel_size)
    macs, params = total.macs, total.params
    for cin, b in zip(spec.block_in_channels(), spec.blocks, strict=True):
        hidden = cin * b.expand_ratio
        parts = []
        if b.expand_ratio != 1:
            parts.append(_conv_cost(h, w, cin, hidden, 1))
        h, w = same_out_size(h, b.stride), same_out_size(w, b.stride)
        parts.append(_conv_cost(h, w, hidden, hidden, b.kernel_size, groups=hidden))
        parts.append(_conv_cost(h, w, hidden, b.out_channels, 1))
        macs += sum(p.macs for p in parts)
        params += sum(p.params for p in parts)
    if spec.mix_channels:
        last = spec.blocks[-1].out_channels if spec.blocks else spec.stem_channels
        mix = _conv_cost(h, w, last, spec.mix_channels, 1)
        macs, params = macs + mix.macs, params + mix.params
    macs += spec.last_channels * spec.num_classes
    params += spec.last_channels * spec.num_classes + spec.num_classes
    return Cost(macs=macs, params=params)


def model_cost(model: TinyNet) -> Cost:
    """MACs and parameters measured on the torch model by running one input through it.

    Counts what the layers really compute (hooks on every convolution and linear layer), so it
    checks :func:`netspec_cost` and te-gen's analysis independently.
    """
    macs = 0

    def conv_hook(mod: nn.Conv2d, _inp: tuple, out: torch.Tensor) -> None:
        nonlocal macs
        k = mod.kernel_size[0] * mod.kernel_size[1]
        macs += out.shape[2] * out.shape[3] * mod.out_channels * k * (mod.in_channels // mod.groups)

    def linear_hook(mod: nn.Linear, _inp: tuple, _out: torch.Tensor) -> None:
        nonlocal macs
        macs += mod.in_features * mod.out_features

    handles = []
    params = 0
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
            params += m.weight.numel() + m.out_channels  # folded BN gives each conv a bias
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
            params += m.weight.numel() + m.out_features
    spec = model.spec
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, spec.in_channels, *spec.resolution))
    model.train(was_training)
    for h in handles:
        h.remove()
    return Cost(macs=macs, params=params)
