"""The convolution layers of a netspec, each named by its configuration (the latency table's keys)."""

from __future__ import annotations

from dataclasses import dataclass

from tinyengine_codegen.frontend.netspec import NetSpec
from tinynas.model import same_out_size


@dataclass(frozen=True)
class Layer:
    """One CONV_2D or DEPTHWISE_CONV_2D: input size, channels, kernel, stride."""

    kind: str  # "conv" or "depthwise"
    height: int
    width: int
    in_channels: int
    out_channels: int
    kernel_size: int
    stride: int

    @property
    def key(self) -> str:
        """``conv:14x14:8->16:k1:s1`` / ``depthwise:14x14:48:k5:s2``."""
        size = f"{self.height}x{self.width}"
        if self.kind == "depthwise":
            return f"depthwise:{size}:{self.in_channels}:k{self.kernel_size}:s{self.stride}"
        return f"conv:{size}:{self.in_channels}->{self.out_channels}:k{self.kernel_size}:s{self.stride}"


def netspec_layers(spec: NetSpec) -> list[Layer]:
    """Every convolution of ``spec`` in execution order (stem, expand, depthwise, project, mix)."""
    h, w = spec.resolution
    layers = [Layer("conv", h, w, spec.in_channels, spec.stem_channels, spec.stem_kernel_size,
                    spec.stem_stride)]
    h, w = same_out_size(h, spec.stem_stride), same_out_size(w, spec.stem_stride)
    for cin, b in zip(spec.block_in_channels(), spec.blocks, strict=True):
        hidden = cin * b.expand_ratio
        if b.expand_ratio != 1:
            layers.append(Layer("conv", h, w, cin, hidden, 1, 1))
        layers.append(Layer("depthwise", h, w, hidden, hidden, b.kernel_size, b.stride))
        h, w = same_out_size(h, b.stride), same_out_size(w, b.stride)
        layers.append(Layer("conv", h, w, hidden, b.out_channels, 1, 1))
    if spec.mix_channels:
        last = spec.blocks[-1].out_channels if spec.blocks else spec.stem_channels
        layers.append(Layer("conv", h, w, last, spec.mix_channels, 1, 1))
    return layers
