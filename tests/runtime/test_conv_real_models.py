"""Every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED of the real third-party models, one by one.

The reference interpreter runs the whole model on a random input (keeping every tensor); each op's
actual input is then fed to the kernel the code generator would pick (1x1, 3x3 stem, generic conv;
in-place and generic depthwise; per-tensor / per-channel FC), and the kernel's output must equal
the interpreter's for that op, byte for byte, on the host and on QEMU Cortex-M7.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tinyengine_codegen.oracle import patch_quantized_dimension

from .convcases import (
    HEADERS,
    SOURCES,
    ConvGeometry,
    conv_call,
    depthwise_call,
    fully_connected_call,
    geometry,
    inplace_expected,
)
from .harness import CCase, assert_cases_match, run_cases
from .oracle import OpInfo, TFLiteModel

MODELS = ["person_detect", "mcunet_vww", "micro_speech", "hello_world_int8", "mnist_lenet_300_100"]


def conv_kernel(g: ConvGeometry) -> str:
    """The specialised conv kernel for this geometry, else the generic one."""
    _, kh, kw, cin = g.filter.shape
    if (kh, kw) == (1, 1) and g.pad_top == 0 and g.pad_left == 0:
        return "te_conv_1x1_s8"
    if kh * kw * cin <= 128:
        return "te_conv_im2col_s8"
    return "te_conv_s8"


def _cases(index: int, op: OpInfo, x: np.ndarray, want: np.ndarray) -> list[tuple[CCase, np.ndarray]]:
    """The kernel calls for one op, each with the bytes it must produce."""
    name = f"op {index} {op.name} {op.inputs[0].shape}->{op.outputs[0].shape}"
    if op.name == "CONV_2D":
        g = geometry(op)
        return [(conv_call(f"{name} {conv_kernel(g)}", g, x, conv_kernel(g)), want)]
    if op.name == "DEPTHWISE_CONV_2D":
        g = geometry(op)
        multiplier = int(op.options["DepthMultiplier"])
        cases = [(depthwise_call(f"{name} generic", g, multiplier, x, in_place=False), want)]
        if multiplier == 1:
            in_place = depthwise_call(f"{name} in-place", g, multiplier, x, in_place=True)
            cases.append((in_place, inplace_expected(x, want)))
        return cases
    return [(fully_connected_call(name, op, x), want)]


@pytest.mark.parametrize("model_name", MODELS)
def test_real_model_ops_match_tflite(model_name: str, shared_models: Path, build_dir: Path) -> None:
    content, _ = patch_quantized_dimension((shared_models / f"{model_name}.tflite").read_bytes())
    model = TFLiteModel(content)
    rng = np.random.default_rng(5)
    if model.inputs[0].dtype == np.float32:
        model.run([rng.uniform(0.0, 1.0, t.shape).astype(np.float32) for t in model.inputs])
    else:
        model.run(model.random_inputs(rng))
    interp = model.interpreter
    cases, expected = [], []
    for op in model.ops:
        if op.name not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            continue
        x = np.array(interp.get_tensor(op.inputs[0].index))
        want = np.array(interp.get_tensor(op.outputs[0].index))
        for case, bytes_out in _cases(op.index, op, x, want):
            cases.append(case)
            expected.append(bytes_out)
    assert cases, f"{model_name} has no conv-family op"
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert_cases_match(cases, result, expected)
