"""Weight-sharing layers: channel-sliced convolutions and batch norm, elastic-kernel depthwise.

Every layer holds the weights of its largest configuration and computes a smaller one from a
slice: the first ``c`` channels (channels are kept sorted by importance, see ``sorting``), and
for depthwise convolutions a smaller kernel taken from the centre of the larger one through a
learned transform matrix (Once-for-All). Padding is TensorFlow's ``SAME``, as in part 1's model.
Batch norm synchronises its statistics across processes when torch.distributed runs, so a
multi-process step computes what one process computes on the whole batch.
"""

from __future__ import annotations

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from tinynas.model import same_pads


def same_conv(x: torch.Tensor, weight: torch.Tensor, stride: int, groups: int = 1) -> torch.Tensor:
    """2-D convolution with TensorFlow ``SAME`` padding and no bias."""
    k = weight.shape[-1]
    top, bottom = same_pads(x.shape[-2], k, stride)
    left, right = same_pads(x.shape[-1], k, stride)
    if top == bottom and left == right:
        return F.conv2d(x, weight, None, stride, (top, left), 1, groups)
    return F.conv2d(F.pad(x, (left, right, top, bottom)), weight, None, stride, 0, 1, groups)


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


class DynamicBatchNorm(nn.Module):
    """Batch norm over the first ``c`` channels of its largest size (``c`` = input channels).

    ``momentum=None`` accumulates a plain average, as used for BN recalibration.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1) -> None:
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.sync = True  # across processes, when torch.distributed runs
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def reset_running_stats(self) -> None:
        """Forget the running statistics."""
        self.running_mean.zero_()
        self.running_var.fill_(1.0)
        self.num_batches_tracked.zero_()

    def _factor(self) -> float:
        self.num_batches_tracked.add_(1)
        if self.momentum is None:
            return 1.0 / float(self.num_batches_tracked)
        return self.momentum

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        w, b = self.weight[:c], self.bias[:c]
        rm, rv = self.running_mean[:c], self.running_var[:c]
        if not self.training:
            return F.batch_norm(x, rm, rv, w, b, False, 0.0, self.eps)
        factor = self._factor()
        if not (self.sync and _distributed()):
            return F.batch_norm(x, rm, rv, w, b, True, factor, self.eps)
        return self._sync_forward(x, w, b, factor)

    def _sync_forward(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, factor: float) -> torch.Tensor:
        """Batch statistics over every process (autograd flows through the all-reduce)."""
        from torch.distributed.nn.functional import all_reduce

        c = x.shape[1]
        count = torch.tensor([x.numel() / c], dtype=x.dtype)
        dist.all_reduce(count)
        mean = all_reduce(x.sum(dim=(0, 2, 3))) / count
        centred = x - mean.reshape(1, c, 1, 1)
        var = all_reduce((centred * centred).sum(dim=(0, 2, 3))) / count
        with torch.no_grad():
            n = float(count)
            self.running_mean[:c].mul_(1 - factor).add_(mean.detach(), alpha=factor)
            self.running_var[:c].mul_(1 - factor).add_(var.detach() * n / max(n - 1, 1), alpha=factor)
        scale = (w / torch.sqrt(var + self.eps)).reshape(1, c, 1, 1)
        return centred * scale + b.reshape(1, c, 1, 1)


class DynamicPointwise(nn.Module):
    """1x1 convolution whose input and output channels are the first ones of its largest size."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, 1, 1))

    def forward(self, x: torch.Tensor, out_channels: int | None = None) -> torch.Tensor:
        out_channels = out_channels or self.weight.shape[0]
        return F.conv2d(x, self.weight[:out_channels, : x.shape[1]])


class DynamicConv(nn.Module):
    """Regular convolution with fixed size (the stem), SAME padding."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int) -> None:
        super().__init__()
        self.stride = stride
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel_size, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return same_conv(x, self.weight, self.stride)


class ElasticDepthwise(nn.Module):
    """Depthwise convolution with an elastic kernel size and channel count.

    The weight is that of the largest kernel; each smaller kernel is the centre of the next larger
    one, multiplied by a learned (k*k, k*k) matrix shared by all channels (identity at start).
    """

    def __init__(self, channels: int, kernel_sizes: tuple[int, ...], stride: int) -> None:
        super().__init__()
        self.kernel_sizes = tuple(sorted(set(kernel_sizes), reverse=True))
        self.stride = stride
        kmax = self.kernel_sizes[0]
        self.weight = nn.Parameter(torch.empty(channels, 1, kmax, kmax))
        self.transforms = nn.ParameterDict(
            {f"{big}to{small}": nn.Parameter(torch.eye(small * small))
             for big, small in zip(self.kernel_sizes, self.kernel_sizes[1:], strict=False)}
        )

    def kernel_weight(self, kernel_size: int, channels: int | None = None) -> torch.Tensor:
        """The (channels, 1, k, k) weight of kernel size ``kernel_size``."""
        if kernel_size not in self.kernel_sizes:
            raise ValueError(f"kernel size {kernel_size} not in {self.kernel_sizes}")
        w = self.weight[: channels or self.weight.shape[0]]
        for big, small in zip(self.kernel_sizes, self.kernel_sizes[1:], strict=False):
            if big == kernel_size:
                break
            start = (big - small) // 2
            centre = w[:, :, start : start + small, start : start + small]
            flat = centre.reshape(-1, small * small) @ self.transforms[f"{big}to{small}"]
            w = flat.reshape(centre.shape)
        return w

    def forward(self, x: torch.Tensor, kernel_size: int) -> torch.Tensor:
        c = x.shape[1]
        return same_conv(x, self.kernel_weight(kernel_size, c), self.stride, groups=c)
