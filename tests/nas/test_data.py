"""Datasets: IDX files, image folders, built-in Fashion-MNIST; splits, subsets, seeded augmentation."""

import numpy as np
import pytest
import torch

from tinynas.data import load_data, make_loader, set_epoch
from tinynas.data.idx import read_idx, write_idx
from tinynas.errors import InputError


@pytest.mark.parametrize("name", ["x-idx3-ubyte", "x-idx3-ubyte.gz"])
def test_idx_round_trip(tmp_path, name):
    array = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    write_idx(array, tmp_path / name)
    assert np.array_equal(read_idx(tmp_path / name), array)


def test_idx_with_bad_magic_or_truncated_is_an_input_error(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(InputError, match="bad magic"):
        read_idx(tmp_path / "bad")
    write_idx(np.zeros((3, 2), np.uint8), tmp_path / "short")
    (tmp_path / "short").write_bytes((tmp_path / "short").read_bytes()[:-1])
    with pytest.raises(InputError, match="truncated"):
        read_idx(tmp_path / "short")


def test_builtin_fashion_mnist_splits_at_the_netspec_resolution():
    splits = load_data("builtin:fashion-mnist", (32, 32), 3, train_subset=300, val_subset=200)
    assert (len(splits.train), len(splits.val), len(splits.test)) == (300, 200, 200)
    assert splits.num_classes == 10 and splits.classes[0] == "T-shirt/top"
    image, label = splits.val[0]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32
    assert image.min() >= -1.0 and image.max() <= 1.0 and 0 <= label < 10


def test_validation_split_is_fixed_and_disjoint_from_training():
    a = load_data("builtin:fashion-mnist", (28, 28), 1, val_size=1000, train_subset=3000, seed=1)
    b = load_data("builtin:fashion-mnist", (28, 28), 1, val_size=1000, train_subset=3000, seed=2)
    assert torch.equal(a.val.images, b.val.images)  # the training seed does not move the split
    train = {bytes(img.numpy()) for img in a.train.images}
    assert not any(bytes(img.numpy()) in train for img in a.val.images[:200])


def test_augmentation_is_seeded_by_epoch_and_off_for_validation():
    splits = load_data("builtin:fashion-mnist", (28, 28), 1, train_subset=64, val_subset=8)
    loader = make_loader(splits.train, 16, shuffle=True, seed=3)
    set_epoch(loader, 0, seed=3)
    first = next(iter(loader))[0]
    set_epoch(loader, 0, seed=3)
    assert torch.equal(next(iter(loader))[0], first)
    set_epoch(loader, 1, seed=3)
    assert not torch.equal(next(iter(loader))[0], first)
    assert torch.equal(splits.val[3][0], splits.val[3][0])


def _make_folder(root, classes=("cat", "dog"), per_class=6, size=(20, 14), mode="RGB"):
    from PIL import Image

    rng = np.random.default_rng(0)
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(per_class):
            shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(root / c / f"{i}.png")


def test_image_folder_with_class_subfolders(tmp_path):
    _make_folder(tmp_path / "pets")
    splits = load_data(tmp_path / "pets", (16, 16), 3, val_size=4)
    assert splits.classes == ["cat", "dog"] and (len(splits.train), len(splits.val)) == (8, 4)
    for dataset in (splits.train, splits.val):
        image, label = dataset[0]
        assert image.shape == (3, 16, 16) and label in (0, 1)
    grey = load_data(tmp_path / "pets", (12, 12), 1, val_size=2)
    assert grey.val[0][0].shape == (1, 12, 12)


def test_image_folder_with_train_and_val(tmp_path):
    _make_folder(tmp_path / "d" / "train", per_class=3)
    _make_folder(tmp_path / "d" / "val", per_class=2)
    splits = load_data(tmp_path / "d", (8, 8), 3)
    assert (len(splits.train), len(splits.val), splits.num_classes) == (6, 4, 2)


def test_idx_folder_layout(tmp_path):
    rng = np.random.default_rng(1)
    write_idx(rng.integers(0, 256, (50, 10, 10), dtype=np.uint8), tmp_path / "train-images-idx3-ubyte")
    write_idx(rng.integers(0, 3, 50, dtype=np.uint8), tmp_path / "train-labels-idx1-ubyte")
    splits = load_data(tmp_path, (16, 16), 1, val_size=10)
    assert (len(splits.train), len(splits.val), splits.test) == (40, 10, None)
    assert splits.train[0][0].shape == (1, 16, 16) and splits.num_classes == 3


@pytest.mark.parametrize(("source", "message"), [
    ("builtin:cifar-10", "unknown built-in dataset"),
    ("/no/such/folder", "no such data folder"),
])
def test_bad_sources_name_the_problem(source, message):
    with pytest.raises(InputError, match=message):
        load_data(source, (28, 28), 1)


def test_empty_image_folder_is_an_input_error(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(InputError, match="no images"):
        load_data(tmp_path, (8, 8), 3)


def test_too_few_images_for_a_validation_split_name_the_folder_and_the_option(tmp_path):
    _make_folder(tmp_path / "one", classes=("a",), per_class=1)
    with pytest.raises(InputError, match=r"one: 1 image, too few to hold one out for validation"):
        load_data(tmp_path / "one", (8, 8), 3)
    _make_folder(tmp_path / "four", classes=("a", "b"), per_class=2)
    with pytest.raises(InputError, match=r"--val-size: 4 images, must be between 1 and 3 \(.*four has 4\)"):
        load_data(tmp_path / "four", (8, 8), 3, val_size=4)

