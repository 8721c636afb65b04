"""CONV_2D kernels vs TFLite's reference interpreter, host (portable) and QEMU Cortex-M7 (DSP)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from .convcases import build_models, conv_call, dead_relu, describe, geometry, random_spec
from .harness import assert_cases_match, run_cases

SOURCES = ["te_conv_s8.c", "te_conv_1x1_s8.c", "te_conv_im2col_s8.c", "te_im2col.c", "te_pair.c"]


def _specs(seed: int) -> list:
    rng = np.random.default_rng(seed)
    specs = [random_spec(rng) for _ in range(24)]
    # Shapes the specialised kernels also handle, so the generator can always fall back to generic.
    specs += [random_spec(rng, kernel=(1, 1), dilation=1) for _ in range(4)]
    specs += [random_spec(rng, kernel=(3, 3), in_c=3) for _ in range(4)]
    specs += [dead_relu(random_spec(rng)) for _ in range(2)]
    return specs


@pytest.fixture(scope="module")
def conv_models():
    """(model, op, spec) for the generic sweep, converted once per module."""
    return build_models(_specs(2024), seed=2024, op_name="CONV_2D")


@pytest.fixture(scope="module")
def pointwise_models():
    rng = np.random.default_rng(11)
    specs = [
        random_spec(rng, kernel=(1, 1), dilation=1, stride=int(rng.choice([1, 1, 2]))) for _ in range(23)
    ]
    specs.append(dead_relu(random_spec(rng, kernel=(1, 1), dilation=1)))
    return build_models(specs, seed=11, op_name="CONV_2D")


@pytest.fixture(scope="module")
def stem_models():
    rng = np.random.default_rng(33)
    specs = [random_spec(rng, kernel=(3, 3), in_c=3) for _ in range(23)]
    specs.append(dead_relu(random_spec(rng, kernel=(3, 3), in_c=3)))
    return build_models(specs, seed=33, op_name="CONV_2D")


def _run(models, kernel: str, build_dir: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    cases, expected = [], []
    for model, op, spec in models:
        x = model.random_inputs(rng)
        outputs = model.run(x)
        cases.append(conv_call(describe(spec), geometry(op), x[model.input_position(op.inputs[0])], kernel))
        expected.append(outputs[op.outputs[0].index])
    result = run_cases(cases, SOURCES, headers=["tinyengine/te_conv.h"], workdir=build_dir)
    assert_cases_match(cases, result, expected)


def test_generic_conv_matches_tflite(conv_models, build_dir: Path) -> None:
    _run(conv_models, "te_conv_s8", build_dir, seed=1)


def test_pointwise_conv_matches_tflite(pointwise_models, build_dir: Path) -> None:
    _run(pointwise_models, "te_conv_1x1_s8", build_dir, seed=2)


def test_stem_conv_im2col_matches_tflite(stem_models, build_dir: Path) -> None:
    _run(stem_models, "te_conv_im2col_s8", build_dir, seed=3)
