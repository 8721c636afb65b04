"""SOFTMAX and LOG_SOFTMAX (int8, gemmlowp fixed point) vs TFLite's reference kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .opcalls import run_and_compare
from .opcases import OpSpec, build_op_models
from .oracle import InputSpec

CASES = 24


def _shape(rng: np.random.Generator, i: int) -> tuple[int, ...]:
    depth = int(rng.choice([2, 3, 5, 10, 16, 37])) if i else 1000
    return [(1, depth), (int(rng.integers(1, 4)), depth), (1, int(rng.integers(1, 4)), 2, depth)][i % 3]


def _specs(op: str, seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        shape = _shape(rng, i)
        # From a few units to a few hundred: input scales from ~0.005 to ~2.
        width = float(rng.choice([1.0, 4.0, 12.0, 40.0, 200.0, 500.0]))
        low = -width * float(rng.uniform(0.3, 1.0))

        def fn(x):
            return tf.nn.softmax(x) if op == "softmax" else tf.nn.log_softmax(x)

        specs.append(OpSpec(f"{op} {shape} range {width:g}", [InputSpec(shape, low, low + width)], fn))
    return specs


def test_softmax_matches_tflite(build_dir: Path) -> None:
    runs = build_op_models(_specs("softmax", 707), "SOFTMAX", seed=707)
    for run in runs:
        assert (run.op.outputs[0].scale, run.op.outputs[0].zero_point) == (1 / 256, -128)
    run_and_compare(runs, build_dir)


def test_log_softmax_matches_tflite(build_dir: Path) -> None:
    runs = build_op_models(_specs("log_softmax", 808), "LOG_SOFTMAX", seed=808)
    for run in runs:
        assert (run.op.outputs[0].scale, run.op.outputs[0].zero_point) == (16 / 256, 127)
    run_and_compare(runs, build_dir)
