"""Preprocessing shared by training, evaluation and export.

Every image becomes a float CHW tensor in [-1, 1] (``pixel / 127.5 - 1``) at the netspec's
resolution and channel count. The int8 TFLite model takes that tensor quantized.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def normalize(images: torch.Tensor) -> torch.Tensor:
    """uint8 pixels (any shape) -> float in [-1, 1]."""
    return images.float().div_(127.5).sub_(1.0)


def convert_channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    """NCHW uint8 images with 1 or 3 channels -> ``channels`` (grey repeated, or RGB luminance)."""
    have = images.shape[1]
    if have == channels:
        return images
    if have == 1:
        return images.repeat(1, channels, 1, 1)
    if have == 3 and channels == 1:
        weights = torch.tensor([0.299, 0.587, 0.114]).reshape(1, 3, 1, 1)
        return (images.float() * weights).sum(1, keepdim=True).round().clamp(0, 255).to(torch.uint8)
    raise ValueError(f"cannot convert {have}-channel images to {channels} channels")


def resize_uint8(images: torch.Tensor, size: tuple[int, int], batch: int = 4096) -> torch.Tensor:
    """Resize NCHW uint8 images (bilinear, antialiased), in batches to bound memory."""
    if tuple(images.shape[-2:]) == tuple(size):
        return images
    out = torch.empty((images.shape[0], images.shape[1], *size), dtype=torch.uint8)
    for i in range(0, images.shape[0], batch):
        chunk = images[i: i + batch].float()
        resized = F.interpolate(chunk, size=size, mode="bilinear", align_corners=False, antialias=True)
        out[i: i + batch] = resized.round_().clamp_(0, 255).to(torch.uint8)
    return out


def pad_crop_flip(image: torch.Tensor, pad: int, gen: torch.Generator, flip: bool = True) -> torch.Tensor:
    """Standard small-image augmentation: zero-pad by ``pad``, random crop back, random h-flip."""
    _, h, w = image.shape
    if pad > 0:
        padded = F.pad(image, (pad, pad, pad, pad))
        top, left = (int(v) for v in torch.randint(0, 2 * pad + 1, (2,), generator=gen))
        image = padded[:, top: top + h, left: left + w]
    if flip and bool(torch.randint(0, 2, (1,), generator=gen)):
        image = image.flip(-1)
    return image
