"""LOGISTIC (lookup table), HARD_SWISH (int16 fixed point), LEAKY_RELU (int8) vs TFLite's reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from .opcalls import run_and_compare
from .opcases import OpSpec, build_op_models, random_range, random_shape
from .oracle import InputSpec

CASES = 20


def _specs(kind: str, seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        shape = random_shape(rng, rank=int(rng.choice([2, 4])))
        low, high = random_range(rng)
        alpha = float(rng.choice([0.01, 0.1, 0.2, 0.3, 0.5, 0.9, 1.5]))
        if i % 5 == 4:  # wide ranges: saturation of the fixed-point steps and of the table ends
            low, high = low * 10, high * 10

        def fn(x, alpha=alpha):
            if kind == "logistic":
                return tf.sigmoid(x)
            if kind == "hard_swish":
                return x * tf.nn.relu6(x + 3.0) * (1.0 / 6.0)
            return tf.nn.leaky_relu(x, alpha)

        name = f"{kind} {shape} [{low:.2f}, {high:.2f}]" + (f" alpha {alpha}" if kind == "leaky_relu" else "")
        specs.append(OpSpec(name, [InputSpec(shape, low, high)], fn))
    return specs


@pytest.mark.parametrize(
    ("kind", "op_name", "seed"),
    [("logistic", "LOGISTIC", 909), ("hard_swish", "HARD_SWISH", 1010), ("leaky_relu", "LEAKY_RELU", 1111)],
)
def test_activation_matches_tflite(kind: str, op_name: str, seed: int, build_dir: Path) -> None:
    runs = build_op_models(_specs(kind, seed), op_name, seed=seed)
    run_and_compare(runs, build_dir)
