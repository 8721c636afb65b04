"""DEPTHWISE_CONV_2D kernels vs TFLite's reference interpreter, host (portable) and QEMU Cortex-M7 (DSP).

The in-place variant runs with input and output in the same buffer (one channel of scratch).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from .convcases import (
    build_models,
    dead_relu,
    depthwise_call,
    describe,
    geometry,
    inplace_expected,
    random_spec,
)
from .harness import assert_cases_match, run_cases

SOURCES = ["te_depthwise_conv_s8.c", "te_depthwise_conv_inplace_s8.c"]
HEADERS = ["tinyengine/te_depthwise.h"]


def _kernel(rng: np.random.Generator) -> tuple[int, int]:
    k = int(rng.choice([3, 3, 5, 7]))
    return (k, k) if rng.random() < 0.8 else (int(rng.choice([1, 2, 3])), int(rng.choice([3, 4, 5])))


@pytest.fixture(scope="module")
def depthwise_models():
    """Depth multiplier 1 with strides 1/2 (a few dilated), then depth multipliers 2, 3, 4 and 8."""
    rng = np.random.default_rng(7)
    specs = [
        random_spec(rng, depthwise=True, kernel=_kernel(rng), stride=int(rng.choice([1, 2])))
        for _ in range(22)
    ]
    specs += [random_spec(rng, depthwise=True, kernel=(3, 3), dilation=2, stride=1) for _ in range(2)]
    specs += [dead_relu(random_spec(rng, depthwise=True, kernel=(3, 3), stride=1)) for _ in range(2)]
    specs += [
        random_spec(rng, depthwise=True, kernel=_kernel(rng), multiplier=int(rng.choice([2, 3])), stride=1)
        for _ in range(6)
    ]
    # multipliers of four (four outputs per input value on the DSP path), one input channel among them
    specs += [
        random_spec(rng, depthwise=True, kernel=_kernel(rng), multiplier=m, stride=s, in_c=c)
        for m, s, c in ((4, 1, None), (8, 2, 1), (8, 1, None), (4, 2, 1))
    ]
    return build_models(specs, seed=7, op_name="DEPTHWISE_CONV_2D")


@pytest.fixture(scope="module")
def inplace_models():
    rng = np.random.default_rng(8)
    specs = [
        random_spec(rng, depthwise=True, kernel=_kernel(rng), stride=int(rng.choice([1, 2])), batch=1)
        for _ in range(28)
    ]
    specs += [
        random_spec(rng, depthwise=True, kernel=(3, 3), dilation=2, stride=1, batch=1) for _ in range(2)
    ]
    specs += [dead_relu(random_spec(rng, depthwise=True, kernel=(k, k), stride=1, batch=1)) for k in (3, 5)]
    # small maps (the four-channel path of the in-place kernel), with in_c % 4 != 0 among them
    small = ((3, 1, 2), (3, 1, 3), (3, 2, 3), (5, 1, 2), (5, 1, 3), (7, 2, 3), (3, 1, 4), (5, 2, 4))
    for k, stride, hw in small:
        spec = random_spec(rng, depthwise=True, kernel=(k, k), stride=stride, batch=1)
        specs.append(replace(spec, in_h=hw, in_w=hw, padding="SAME"))
    return build_models(specs, seed=8, op_name="DEPTHWISE_CONV_2D")


def _run(models, build_dir: Path, seed: int, in_place: bool) -> None:
    rng = np.random.default_rng(seed)
    cases, expected = [], []
    for model, op, spec in models:
        x = model.random_inputs(rng)
        outputs = model.run(x)
        multiplier = int(op.options["DepthMultiplier"])
        assert multiplier * spec.in_c == spec.out_c
        x_op = x[model.input_position(op.inputs[0])]
        cases.append(depthwise_call(describe(spec), geometry(op), multiplier, x_op, in_place))
        want = outputs[op.outputs[0].index]
        expected.append(inplace_expected(x_op, want) if in_place else want)
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert_cases_match(cases, result, expected)


def test_depthwise_conv_matches_tflite(depthwise_models, build_dir: Path) -> None:
    _run(depthwise_models, build_dir, seed=1, in_place=False)


def test_inplace_depthwise_conv_matches_tflite(inplace_models, build_dir: Path) -> None:
    _run(inplace_models, build_dir, seed=2, in_place=True)
