"""Where data comes from: ``builtin:fashion-mnist``, a folder of IDX files, or an image folder.

:func:`load_data` returns train / validation (/ test) datasets at a netspec's resolution and
channel count. The validation split is carved out of the training data with a fixed seed
(``split_seed``), independent of the training seed, so every run validates on the same images.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from tinynas.data.datasets import ArrayDataset, ImageFolderDataset, scan_image_folder
from tinynas.data.idx import find_idx, read_idx
from tinynas.data.transforms import convert_channels, resize_uint8
from tinynas.errors import InputError

BUILTIN = {
    "fashion-mnist": Path("/usr/share/datasets/fashion-mnist"),
}
BUILTIN_CLASSES = {
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                      "Bag", "Ankle boot"],
}
BUILTIN_HINT = {"fashion-mnist": "install Debian's dataset-fashion-mnist (the Makefile does)"}
DEFAULT_VAL_SIZE = 5000
DEFAULT_VAL_FRACTION = 0.1


@dataclass
class Splits:
    """Datasets ready for a model: float CHW images in [-1, 1] at the target resolution."""

    name: str
    train: Dataset
    val: Dataset
    num_classes: int
    classes: list[str] = field(default_factory=list)
    test: Dataset | None = None


def _pick(n: int, count: int | None, split_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded permutation of ``range(n)`` cut into (rest, held out ``count``)."""
    perm = np.random.default_rng(split_seed).permutation(n)
    return perm[count:], perm[:count]


def _take(indices: np.ndarray, limit: int | None) -> np.ndarray:
    return indices if limit is None else indices[:limit]


@functools.lru_cache(maxsize=4)
def _read_idx_pair(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    x, y = read_idx(images), read_idx(labels)
    if x.shape[0] != y.shape[0]:
        raise InputError(f"{images}: {x.shape[0]} images but {labels.name} has {y.shape[0]} labels")
    if x.ndim not in (3, 4) or x.dtype != np.uint8:
        raise InputError(f"{images}: expected uint8 images (N, H, W[, C]), got {x.dtype} {x.shape}")
    return x, y


def _arrays(x: np.ndarray, y: np.ndarray, idx: np.ndarray, resolution: tuple[int, int], channels: int,
            augment: bool, seed: int) -> ArrayDataset:
    images = torch.from_numpy(x[np.sort(idx)])
    images = images.unsqueeze(1) if images.ndim == 3 else images.permute(0, 3, 1, 2)
    try:
        images = convert_channels(images, channels)
    except ValueError as exc:
        raise InputError(f"data: {exc}") from None
    labels = torch.from_numpy(y[np.sort(idx)].astype(np.int64))
    return ArrayDataset(resize_uint8(images.contiguous(), resolution), labels, augment, seed)


def _check_val_size(source: Path, count: int, images: int) -> None:
    """Refuse a validation split that leaves no training image (or takes none)."""
    if images < 2:
        raise InputError(f"{source}: {images} image, too few to hold one out for validation (need 2 or more)")
    if not 0 < count < images:
        raise InputError(f"--val-size: {count} images, must be between 1 and {images - 1} "
                         f"({source} has {images})")


def _load_idx_folder(folder: Path, name: str, resolution: tuple[int, int], channels: int,
                     val_size: int | None, train_subset: int | None, val_subset: int | None, seed: int,
                     augment: bool, split_seed: int, classes: list[str] | None = None) -> Splits:
    train_x, train_y = find_idx(folder, "train", "images"), find_idx(folder, "train", "labels")
    if train_x is None or train_y is None:
        raise InputError(f"{folder}: no train-images-idx*-ubyte[.gz] / train-labels-idx*-ubyte[.gz] pair")
    x, y = _read_idx_pair(train_x, train_y)
    val_count = DEFAULT_VAL_SIZE if val_size is None else val_size
    _check_val_size(folder, val_count, x.shape[0])
    rest, held = _pick(x.shape[0], val_count, split_seed)
    num_classes = int(y.max()) + 1
    splits = Splits(
        name=name,
        train=_arrays(x, y, _take(rest, train_subset), resolution, channels, augment, seed),
        val=_arrays(x, y, _take(held, val_subset), resolution, channels, False, seed),
        num_classes=num_classes,
        classes=classes or [str(i) for i in range(num_classes)],
    )
    test_x, test_y = find_idx(folder, "t10k", "images"), find_idx(folder, "t10k", "labels")
    if test_x is not None and test_y is not None:
        tx, ty = _read_idx_pair(test_x, test_y)
        splits.test = _arrays(tx, ty, _take(np.arange(tx.shape[0]), val_subset), resolution, channels, False,
                              seed)
    return splits


def _load_image_folder(root: Path, resolution: tuple[int, int], channels: int, val_size: int | None,
                       train_subset: int | None, val_subset: int | None, seed: int, augment: bool,
                       split_seed: int) -> Splits:
    val_dir = next((root / d for d in ("val", "validation") if (root / d).is_dir()), None)
    if (root / "train").is_dir() and val_dir is not None:
        classes, train = scan_image_folder(root / "train")
        val_classes, val = scan_image_folder(val_dir)
        if val_classes != classes:
            raise InputError(f"{val_dir}: class folders differ from {root / 'train'}")
    else:
        classes, samples = scan_image_folder(root)
        count = val_size if val_size is not None else max(1, int(len(samples) * DEFAULT_VAL_FRACTION))
        _check_val_size(root, count, len(samples))
        rest, held = _pick(len(samples), count, split_seed)
        train = [samples[i] for i in np.sort(rest)]
        val = [samples[i] for i in np.sort(held)]
    rng = np.random.default_rng(split_seed)
    train = [train[i] for i in np.sort(_take(rng.permutation(len(train)), train_subset))]
    val = [val[i] for i in np.sort(_take(rng.permutation(len(val)), val_subset))]
    return Splits(
        name=root.name,
        train=ImageFolderDataset(train, resolution, channels, augment, seed),
        val=ImageFolderDataset(val, resolution, channels, False, seed),
        num_classes=len(classes),
        classes=classes,
    )


def load_data(source: str | Path, resolution: tuple[int, int], channels: int, *, val_size: int | None = None,
              train_subset: int | None = None, val_subset: int | None = None, seed: int = 0,
              augment: bool = True, split_seed: int = 0) -> Splits:
    """Train / validation (/ test) datasets from ``source``.

    ``source``: ``builtin:NAME`` (see :data:`BUILTIN`), a folder with IDX files
    (``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``, optional ``t10k-*``),
    or an image folder (``train/`` and ``val/`` each with one folder per class, or just the class
    folders, split ``val_size`` images or 10% for validation). ``train_subset`` / ``val_subset``
    keep the first N images of a seeded shuffle (for tests and quick runs).
    """
    text = str(source)
    if text.startswith("builtin:"):
        name = text.split(":", 1)[1]
        if name not in BUILTIN:
            known = ", ".join(f"builtin:{n}" for n in BUILTIN)
            raise InputError(f"{text}: unknown built-in dataset (known: {known})")
        folder = BUILTIN[name]
        if find_idx(folder, "train", "images") is None:
            raise InputError(f"{text}: not installed at {folder} ({BUILTIN_HINT[name]})")
        return _load_idx_folder(folder, name, resolution, channels, val_size, train_subset, val_subset, seed,
                                augment, split_seed, BUILTIN_CLASSES[name])
    root = Path(source)
    if not root.is_dir():
        raise InputError(f"{root}: no such data folder (or use builtin:fashion-mnist)")
    if find_idx(root, "train", "images") is not None:
        return _load_idx_folder(root, root.name, resolution, channels, val_size, train_subset, val_subset,
                                seed, augment, split_seed)
    return _load_image_folder(root, resolution, channels, val_size, train_subset, val_subset, seed, augment,
                              split_seed)
