"""FULLY_CONNECTED kernels vs TFLite's reference interpreter, host (portable) and QEMU Cortex-M7 (DSP).

Per-tensor weights (the converter's default) and per-channel weights, batch 1..4, with and
without bias, activations NONE/RELU/RELU6, output quantization moved so that clamps bite.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from .convcases import bias_and_activation, build_op_models, fully_connected_call
from .harness import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    assert_cases_match,
    run_cases,
)
from .oracle import InputSpec, OpInfo, TFLiteModel

SOURCES = ["te_fully_connected_s8.c"]
HEADERS = ["tinyengine/te_fully_connected.h"]


@dataclass(frozen=True)
class FcSpec:
    batch: int
    in_features: int
    out_features: int
    activation: int
    low: float
    high: float
    weights: np.ndarray
    bias: np.ndarray | None
    patch_output: bool


def _spec(rng: np.random.Generator) -> FcSpec:
    n_in = int(rng.choice([int(rng.integers(1, 16)), int(rng.integers(16, 300))]))
    n_out = int(rng.integers(1, 40))
    low = float(rng.uniform(-4.0, 0.5))
    scale = np.exp(rng.uniform(np.log(0.02), np.log(1.0), size=n_out)).astype(np.float32)
    return FcSpec(
        batch=int(rng.choice([1, 1, 2, 4])),
        in_features=n_in,
        out_features=n_out,
        activation=int(rng.choice([ACT_NONE, ACT_RELU, ACT_RELU6])),
        low=low,
        high=low + float(rng.uniform(0.2, 6.0)),
        weights=(rng.normal(size=(n_in, n_out)) * scale).astype(np.float32),
        bias=rng.normal(scale=0.5, size=n_out).astype(np.float32) if rng.random() < 0.7 else None,
        patch_output=bool(rng.random() < 0.4),
    )


def _tf_op(spec: FcSpec, x: tf.Tensor) -> tf.Tensor:
    return bias_and_activation(tf.matmul(x, spec.weights), spec.bias, spec.activation)


def _models(specs: list[FcSpec], seed: int, per_channel: bool) -> list[tuple[TFLiteModel, OpInfo, FcSpec]]:
    def input_of(s: FcSpec) -> InputSpec:
        return InputSpec((s.batch, s.in_features), s.low, s.high)

    return build_op_models(specs, _tf_op, input_of, "FULLY_CONNECTED", seed, per_channel_dense=per_channel)


def _run(models, build_dir: Path, seed: int, per_channel: bool) -> None:
    rng = np.random.default_rng(seed)
    cases, expected = [], []
    for model, op, spec in models:
        assert (len(op.inputs[1].scales) > 1) == (per_channel and spec.out_features > 1)
        x = model.random_inputs(rng)
        outputs = model.run(x)
        assert op.inputs[1].shape == (spec.out_features, spec.in_features)
        name = (
            f"{spec.batch}x{spec.in_features}->{spec.out_features} act{spec.activation}"
            f"{' no-bias' if spec.bias is None else ''}"
        )
        cases.append(fully_connected_call(name, op, x[model.input_position(op.inputs[0])]))
        expected.append(outputs[op.outputs[0].index])
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert_cases_match(cases, result, expected)


@pytest.fixture(scope="module")
def per_tensor_models():
    rng = np.random.default_rng(21)
    return _models([_spec(rng) for _ in range(24)], seed=21, per_channel=False)


@pytest.fixture(scope="module")
def per_channel_models():
    rng = np.random.default_rng(22)
    return _models([_spec(rng) for _ in range(16)], seed=22, per_channel=True)


def test_fully_connected_per_tensor_matches_tflite(per_tensor_models, build_dir: Path) -> None:
    _run(per_tensor_models, build_dir, seed=1, per_channel=False)


def test_fully_connected_per_channel_matches_tflite(per_channel_models, build_dir: Path) -> None:
    _run(per_channel_models, build_dir, seed=2, per_channel=True)
