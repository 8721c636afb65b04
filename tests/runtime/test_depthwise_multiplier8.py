"""te_depthwise_conv_s8 with a depth multiplier of eight vs TFLite's reference interpreter, host and QEMU.

On the DSP path eight outputs share each input value (doubled accumulators, te_requant2); te-gen runs
the one-channel layers of the real models (person_detect's first) on te_conv_im2col_s8 instead
(tests/runtime/test_conv_im2col.py), but the generic kernel must stay exact for them: odd and even
kernel widths, strides 1 and 2, SAME and VALID, the activation clamped or not, a kernel of 5 rows,
and a second input channel (sixteen outputs).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from .convcases import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    build_models,
    depthwise_call,
    describe,
    geometry,
    random_spec,
)
from .harness import assert_cases_match, run_cases
from .test_depthwise import HEADERS, SOURCES


@pytest.fixture(scope="module")
def multiplier8_models():
    rng = np.random.default_rng(21)
    shapes = [
        ((3, 3), 2, "SAME", ACT_RELU6, 1, (13, 12)),
        ((3, 3), 1, "VALID", ACT_NONE, 1, (7, 9)),
        ((3, 4), 2, "SAME", ACT_RELU, 1, (9, 11)),
        ((2, 3), 1, "SAME", ACT_NONE, 1, (6, 8)),
        ((5, 4), 2, "SAME", ACT_NONE, 1, (12, 10)),
        ((3, 3), 2, "SAME", ACT_RELU6, 2, (8, 8)),  # two input channels
    ]
    specs = []
    for kernel, stride, padding, act, in_c, (h, w) in shapes:
        spec = random_spec(
            rng, depthwise=True, kernel=kernel, multiplier=8, stride=stride, in_c=in_c, dilation=1
        )
        specs.append(replace(spec, in_h=h, in_w=w, padding=padding, activation=act, batch=1, bias=spec.bias))
    return build_models(specs, seed=21, op_name="DEPTHWISE_CONV_2D")


def test_depth_multiplier_eight_matches_tflite(multiplier8_models, build_dir: Path) -> None:
    rng = np.random.default_rng(5)
    cases, expected = [], []
    for model, op, spec in multiplier8_models:
        x = model.random_inputs(rng)
        outputs = model.run(x)
        x_op = x[model.input_position(op.inputs[0])]
        cases.append(depthwise_call(describe(spec), geometry(op), 8, x_op, False))
        expected.append(outputs[op.outputs[0].index])
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert_cases_match(cases, result, expected)
