"""AVERAGE_POOL_2D, MAX_POOL_2D and MEAN over H, W (int8) vs TFLite's reference kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .harness import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
)
from .opcalls import run_and_compare
from .opcases import OpSpec, build_op_models, random_range
from .oracle import InputSpec

CASES = 24


def _pool_specs(kind: str, seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        if i == 0:
            kh, kw = 17, 16  # a window of more than 256 values (the DSP path's 16-bit lanes give way)
        h = int(rng.integers(max(kh, 2), max(kh, 2) + 8))
        w = int(rng.integers(max(kw, 2), max(kw, 2) + 8))
        c = int(rng.choice([1, 3, 4, 5, 8, 12, 16]))
        stride = int(rng.integers(1, 4))
        padding = "SAME" if i % 2 else "VALID"
        act = [ACT_NONE, ACT_RELU, ACT_RELU6][i % 3]

        def fn(x, kh=kh, kw=kw, stride=stride, padding=padding, act=act):
            pool = tf.nn.avg_pool2d if kind == "avg" else tf.nn.max_pool2d
            y = pool(x, ksize=(kh, kw), strides=stride, padding=padding)
            return tf.nn.relu(y) if act == ACT_RELU else tf.nn.relu6(y) if act == ACT_RELU6 else y

        name = f"{kind}pool 1x{h}x{w}x{c} k{kh}x{kw} s{stride} {padding} act{act}"
        batch = 2 if i % 5 == 4 else 1
        specs.append(OpSpec(f"{name} batch {batch}", [InputSpec((batch, h, w, c), *random_range(rng))], fn))
    return specs


def _run_pool(kind: str, op_name: str, seed: int, build_dir: Path) -> None:
    run_and_compare(build_op_models(_pool_specs(kind, seed), op_name, seed=seed), build_dir)


def test_average_pool_matches_tflite(build_dir: Path) -> None:
    _run_pool("avg", "AVERAGE_POOL_2D", 404, build_dir)


def test_max_pool_matches_tflite(build_dir: Path) -> None:
    _run_pool("max", "MAX_POOL_2D", 505, build_dir)


def _mean_specs(seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
        if i < 2:
            h, w = 20, 17  # more than 256 pixels per channel
        c = int(rng.choice([1, 3, 4, 7, 8, 16, 24]))
        keep = bool(i % 2)
        # Mostly H, W; every fourth case another contiguous run of axes (the last one, or W and C).
        axes = [[1, 2], [1, 2], [1, 2], [3] if i % 8 == 3 else [2, 3]][i % 4]

        def fn(x, keep=keep, axes=axes):
            return tf.reduce_mean(x, axis=axes, keepdims=keep)

        name = f"mean 1x{h}x{w}x{c} axes {axes} keep_dims={keep}"
        batch = 2 if i % 5 == 4 else 1
        specs.append(OpSpec(f"{name} batch {batch}", [InputSpec((batch, h, w, c), *random_range(rng))], fn))
    return specs


def test_mean_hw_matches_tflite(build_dir: Path) -> None:
    runs = build_op_models(_mean_specs(606), "MEAN", seed=606)
    assert any(r.op.inputs[0].scale != r.op.outputs[0].scale for r in runs)  # requantizing means
    run_and_compare(runs, build_dir)
