"""Map-style datasets: in-memory image arrays (IDX family) and image folders (one folder per class).

Both return ``(image, label)`` with the image a float CHW tensor in [-1, 1] at the target
resolution. Augmentation is deterministic: it draws from a generator seeded by
(seed, epoch, index), so a resumed or distributed run sees the same images.
Call ``set_epoch`` at the start of every epoch.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from tinynas.data.transforms import normalize, pad_crop_flip
from tinynas.errors import InputError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".ppm", ".pgm", ".webp")


class _EpochSeeded(Dataset):
    """Holds the seed and epoch that make augmentation reproducible."""

    def __init__(self, augment: bool, seed: int) -> None:
        self.augment = augment
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Change the augmentation draws (call once per epoch)."""
        self.epoch = epoch

    def _rng_seed(self, index: int) -> int:
        return (self.seed * 1_000_003 + self.epoch) * 10_000_019 + index


class ArrayDataset(_EpochSeeded):
    """Images held in memory as a uint8 NCHW tensor already at the target size."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, augment: bool = False, seed: int = 0,
                 pad: int | None = None) -> None:
        super().__init__(augment, seed)
        self.images = images
        self.labels = labels.long()
        self.pad = max(1, images.shape[-1] // 8) if pad is None else pad

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        image = self.images[index]
        if self.augment:
            gen = torch.Generator().manual_seed(self._rng_seed(index))
            image = pad_crop_flip(image, self.pad, gen)
        return normalize(image), int(self.labels[index])

    def subset(self, indices: np.ndarray | torch.Tensor, augment: bool | None = None) -> ArrayDataset:
        """The images at ``indices`` (a copy of the index, sharing nothing mutable)."""
        idx = torch.as_tensor(indices, dtype=torch.long)
        return ArrayDataset(self.images[idx], self.labels[idx], self.augment if augment is None else augment,
                            self.seed, self.pad)


def scan_image_folder(root: Path) -> tuple[list[str], list[tuple[Path, int]]]:
    """Class names (sorted sub-folder names) and (path, label) of every image under ``root``."""
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise InputError(f"{root}: no class folders (expected one sub-folder of images per class)")
    samples = [
        (path, label)
        for label, name in enumerate(classes)
        for path in sorted((root / name).rglob("*"))
        if path.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not samples:
        raise InputError(f"{root}: no images found (looked for {', '.join(IMAGE_SUFFIXES)})")
    return classes, samples


class ImageFolderDataset(_EpochSeeded):
    """Images decoded from files on access (PIL): random-resized crop and flip when augmenting,
    else resize to 1/0.875 of the target and centre crop (ImageNet's evaluation protocol)."""

    def __init__(self, samples: list[tuple[Path, int]], resolution: tuple[int, int], channels: int,
                 augment: bool = False, seed: int = 0) -> None:
        super().__init__(augment, seed)
        self.samples = samples
        self.resolution = resolution
        self.channels = channels

    def __len__(self) -> int:
        return len(self.samples)

    def _load(self, path: Path):  # noqa: ANN202 - PIL image
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as img:
                return img.convert("L" if self.channels == 1 else "RGB")
        except (OSError, UnidentifiedImageError) as exc:
            raise InputError(f"{path}: cannot decode image ({exc})") from None

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        from PIL import Image

        path, label = self.samples[index]
        img = self._load(path)
        h, w = self.resolution
        if self.augment:
            rng = random.Random(self._rng_seed(index))
            scale = rng.uniform(0.35, 1.0)
            cw, ch = max(1, int(img.width * scale ** 0.5)), max(1, int(img.height * scale ** 0.5))
            left, top = rng.randint(0, img.width - cw), rng.randint(0, img.height - ch)
            img = img.resize((w, h), Image.BILINEAR, box=(left, top, left + cw, top + ch))
            if rng.random() < 0.5:
                img = img.transpose(Image.FLIP_LEFT_RIGHT)
        else:
            ratio = max(h, w) / 0.875 / min(img.width, img.height)
            img = img.resize((max(w, round(img.width * ratio)), max(h, round(img.height * ratio))),
                             Image.BILINEAR)
            left, top = (img.width - w) // 2, (img.height - h) // 2
            img = img.crop((left, top, left + w, top + h))
        array = np.asarray(img, dtype=np.uint8).reshape(h, w, self.channels)
        return normalize(torch.from_numpy(array.copy()).permute(2, 0, 1)), label
