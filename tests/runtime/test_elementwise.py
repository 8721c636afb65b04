"""ADD, SUB, MUL (int8, broadcasting, fused clamps, in place) vs TFLite's reference kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from .harness import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    CCase,
)
from .opcalls import run_and_compare
from .opcases import OpSpec, build_op_models, random_range
from .oracle import InputSpec

CASES = 24
TF_OPS = {"ADD": tf.add, "SUB": tf.subtract, "MUL": tf.multiply}


def _broadcast_shapes(rng: np.random.Generator, out: tuple[int, ...], pattern: int) -> tuple[tuple, tuple]:
    """Input shapes for one broadcast pattern against a 4D output shape."""
    n, h, w, c = out
    patterns = [
        (out, out),  # same shape (flat path; DSP path on the M7)
        (out, (c,)),  # per-channel vector
        ((c,), out),
        (out, (1, 1, 1, c)),
        ((n, h, 1, c), (n, 1, w, c)),  # both broadcast
        (out, (n, h, w, 1)),
        ((w, c), out),  # rank-2 operand
        (out, (1, h, 1, 1)),
        (out, ()),  # scalar
    ]
    return patterns[pattern % len(patterns)]


def _specs(op_name: str, seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        out = (1, int(rng.integers(1, 7)), int(rng.integers(1, 7)), int(rng.integers(1, 13)))
        s1, s2 = _broadcast_shapes(rng, out, i)
        act = [ACT_NONE, ACT_RELU, ACT_RELU6][i % 3]
        patch = (float(rng.uniform(0.5, 1.5)), int(rng.integers(-60, 61))) if i % 4 == 3 else None

        def fn(a, b, act=act, tf_op=TF_OPS[op_name]):
            y = tf_op(a, b)
            return tf.nn.relu(y) if act == ACT_RELU else tf.nn.relu6(y) if act == ACT_RELU6 else y

        name = f"{op_name} {s1} {s2} act{act}{' patched' if patch else ''}"
        inputs = [InputSpec(s1, *random_range(rng)), InputSpec(s2, *random_range(rng))]
        specs.append(OpSpec(name, inputs, fn, patch))
    return specs


def _rejection_case(kernel: str) -> CCase:
    """A (1, 1, 2, 4) input against a (1, 1, 3, 4) output is no broadcast: the kernel must refuse it."""
    params = (
        "te_mul_params p = {0, 0, 0, 1 << 30, 0, {-128, 127}};"
        if kernel == "te_mul_s8"
        else "te_add_params p = {0, 0, 0, 20, 1 << 30, 0, 1 << 30, 0, 1 << 30, 0, {-128, 127}};"
    )
    x = np.zeros(8, np.int8)
    return CCase(
        name=f"{kernel} refuses a bad broadcast",
        arrays={"a": x, "b": x, "out": np.zeros(12, np.int8)},
        setup=params
        + "\n        te_dims d1 = {1, 1, 2, 4}; te_dims d2 = {1, 1, 1, 4}; te_dims dout = {1, 1, 3, 4};",
        call=f"{kernel}(&p, &d1, a, &d2, b, &dout, out) == TE_ERROR_ARGUMENT ? 0 : 1",
        out="out",
    )


@pytest.mark.parametrize(
    ("op_name", "kernel", "seed"),
    [("ADD", "te_add_s8", 101), ("SUB", "te_sub_s8", 202), ("MUL", "te_mul_s8", 303)],
)
def test_binary_op_matches_tflite(op_name: str, kernel: str, seed: int, build_dir: Path) -> None:
    runs = build_op_models(_specs(op_name, seed), op_name, seed=seed)
    run_and_compare(runs, build_dir, extra=[(_rejection_case(kernel), np.zeros(12, np.int8))])
