"""Data movement (int8): RESHAPE, TRANSPOSE, STRIDED_SLICE, PAD, PADV2, CONCATENATION and
RESIZE_NEAREST_NEIGHBOR vs TFLite's reference kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .opcalls import run_and_compare
from .opcases import OpSpec, build_op_models, random_range, random_shape
from .oracle import InputSpec

CASES = 20


def test_transpose_matches_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1414)
    specs = []
    for i in range(CASES):
        rank = 2 + i % 4  # 2D to 5D
        # No extent-1 dimension and no identity: the converter would turn those into RESHAPE.
        shape = tuple(int(rng.integers(2, 6)) for _ in range(rank))
        perm = list(range(rank))
        while perm == sorted(perm):
            perm = [int(p) for p in rng.permutation(rank)]
        specs.append(
            OpSpec(f"transpose {shape} perm {perm}", [InputSpec(shape, *random_range(rng))],
                   lambda x, perm=perm: tf.transpose(x, perm))
        )  # fmt: skip
    run_and_compare(build_op_models(specs, "TRANSPOSE", seed=1414), build_dir)


def test_strided_slice_matches_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1515)
    slicers = [
        lambda x: x[:, 1:, ::2, :],
        lambda x: x[:, ::-1, :, 1:3],
        lambda x: x[:, -3:-1, 1::3, ::-2],
        lambda x: x[:, 2, :, :],  # shrink axis
        lambda x: x[0, :, -1, ::-1],
        lambda x: x[:, 1:100, :-1, :],  # end beyond the extent
        lambda x: tf.reshape(x, (1, 2, -1, x.shape[2], x.shape[3]))[:, ::-1, 1:, ::2, 1:],  # 5D
    ]
    specs = []
    for i in range(CASES):
        shape = (1, 2 * int(rng.integers(2, 5)), int(rng.integers(3, 9)), int(rng.integers(3, 9)))
        k = i % len(slicers)
        specs.append(OpSpec(f"strided_slice {shape} pattern {k}", [InputSpec(shape, *random_range(rng))],
                            slicers[k]))  # fmt: skip
    run_and_compare(build_op_models(specs, "STRIDED_SLICE", seed=1515), build_dir)


def test_pad_and_padv2_match_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1616)
    specs = []
    for i in range(CASES):
        rank = 1 + i % 5  # 1D to 5D
        shape = random_shape(rng, rank=rank, high=5) if rank != 4 else random_shape(rng, high=5)
        pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in range(rank)]
        pads[-1][1] = max(pads[-1][1], 1)  # a no-op PAD would be removed by the converter
        value = float(rng.uniform(-2, 2)) if i % 2 else 0.0

        def fn(x, pads=pads, value=value):
            return tf.pad(x, pads, constant_values=value)

        specs.append(OpSpec(f"pad {shape} {pads} value {value:.2f}", [InputSpec(shape, -3.0, 3.0)], fn))
    runs = build_op_models(specs[0::2], "PAD", seed=1616) + build_op_models(specs[1::2], "PADV2", seed=1617)
    run_and_compare(runs, build_dir)


def test_concatenation_matches_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1717)
    specs = []
    for i in range(CASES):
        rank = 2 + i % 3
        base = random_shape(rng, rank=rank, high=5) if rank != 4 else random_shape(rng, high=5)
        axis = int(rng.integers(0 if rank < 4 else 1, rank))
        count = int(rng.integers(2, 5))
        shapes = []
        for _ in range(count):
            s = list(base)
            s[axis] = int(rng.integers(1, 5))
            shapes.append(tuple(s))
        neg = axis - rank if i % 2 else axis
        lo, hi = random_range(rng)
        specs.append(OpSpec(f"concat {shapes} axis {neg}", [InputSpec(s, lo, hi) for s in shapes],
                            lambda *xs, a=neg: tf.concat(list(xs), axis=a)))  # fmt: skip
    run_and_compare(build_op_models(specs, "CONCATENATION", seed=1717), build_dir)


def test_reshape_is_a_copy_of_tflite_bytes(build_dir: Path) -> None:
    rng = np.random.default_rng(1818)
    specs = []
    for _ in range(CASES // 2):
        shape = random_shape(rng, high=6)
        target = (-1, int(np.prod(shape[2:])))
        specs.append(OpSpec(f"reshape {shape} -> {target}", [InputSpec(shape, *random_range(rng))],
                            lambda x, t=target: tf.reshape(x, t)))  # fmt: skip
    run_and_compare(build_op_models(specs, "RESHAPE", seed=1818), build_dir)


def test_resize_nearest_matches_tflite(build_dir: Path) -> None:
    rng = np.random.default_rng(1919)
    specs = []
    for i in range(CASES):
        shape = (2 if i % 5 == 4 else 1, *random_shape(rng, high=7)[1:])
        size = (int(rng.integers(1, 15)), int(rng.integers(1, 15)))
        mode = i % 3  # 0: half-pixel centers (TF2 default), 1: align corners, 2: neither

        def fn(x, size=size, mode=mode):
            if mode == 0:
                return tf.image.resize(x, size, method="nearest")
            return tf.compat.v1.image.resize_nearest_neighbor(x, size, align_corners=mode == 1)

        specs.append(
            OpSpec(f"resize {shape} -> {size} mode {mode}", [InputSpec(shape, *random_range(rng))], fn)
        )
    run_and_compare(build_op_models(specs, "RESIZE_NEAREST_NEIGHBOR", seed=1919), build_dir)
