"""QUANTIZE (float32 -> int8, int8 -> int8), DEQUANTIZE (int8 -> float32) and CONCATENATION with a
folded requantization, vs TFLite's reference kernels; float rounding equal on host and Cortex-M7."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from .harness import CCase, assert_cases_match, run_cases
from .opcalls import run_and_compare
from .opcases import OpRun, OpSpec, build_multi_op_models, random_range, random_shape
from .oracle import InputSpec, TFLiteModel
from .quant_ops import ratio_multiplier

CASES = 20


def _boundary_specs(seed: int) -> list[OpSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        shape = random_shape(rng, rank=int(rng.choice([1, 2, 4])))
        alpha = float(rng.uniform(0.05, 0.6))

        def fn(x, i=i, alpha=alpha):  # a middle op so that QUANTIZE and DEQUANTIZE quantizations differ
            return tf.nn.relu(x) if i % 2 else tf.nn.leaky_relu(x, alpha)

        specs.append(OpSpec(f"float io {shape}", [InputSpec(shape, *random_range(rng))], fn))
    return specs


def _float_data(model: TFLiteModel, rng: np.random.Generator) -> list[np.ndarray]:
    """Per model input: values across (and beyond) the int8 range, with near-ties of the rounding."""
    data = []
    for t in model.inputs:
        quantize = next(op for op in model.ops_named("QUANTIZE") if op.inputs[0].index == t.index)
        scale, zp = quantize.outputs[0].scale, quantize.outputs[0].zero_point
        lo, hi = (-128 - zp) * scale, (127 - zp) * scale
        x = rng.uniform(lo - 0.2 * (hi - lo), hi + 0.2 * (hi - lo), size=t.shape).astype(np.float32)
        flat = x.reshape(-1)
        ties = rng.random(flat.size) < 0.3
        k = rng.integers(-140, 140, size=flat.size)
        flat[ties] = ((k[ties] + 0.5) * np.float32(scale)).astype(np.float32)
        flat[: min(2, flat.size)] = [0.0, -0.0][: min(2, flat.size)]
        data.append(x)
    return data


def test_quantize_and_dequantize_match_tflite(build_dir: Path) -> None:
    runs = build_multi_op_models(
        _boundary_specs(1212), ("QUANTIZE", "DEQUANTIZE"), seed=1212, float_io=True, float_inputs=_float_data
    )
    run_and_compare(runs["QUANTIZE"] + runs["DEQUANTIZE"], build_dir)


def _requantize_specs(seed: int) -> list[OpSpec]:
    """LOGISTIC's fixed output quantization forces the converter to requantize before CONCATENATION."""
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(CASES):
        shape = random_shape(rng, rank=4, high=6)
        axis = int(rng.integers(1, 4))
        other = list(shape)
        other[axis] = int(rng.integers(1, 5))
        lo, hi = random_range(rng)
        lo, hi = lo * 3, hi * 3

        def fn(a, b, axis=axis, first=bool(i % 2)):
            parts = [tf.sigmoid(a), b] if first else [b, tf.sigmoid(a)]
            return tf.concat(parts, axis=axis)

        inputs = [InputSpec(shape, -6.0, 6.0), InputSpec(tuple(other), lo, hi)]
        specs.append(OpSpec(f"sigmoid {shape} concat axis {axis} with {tuple(other)}", inputs, fn))
    return specs


def _concat_with_requant(logistic: OpRun, quantize: OpRun, concat: OpRun) -> CCase:
    """The concat fed with LOGISTIC's own output, the QUANTIZE folded into the concat's params."""
    out = concat.op.outputs[0]
    axis = int(concat.op.options["Axis"]) % len(out.shape)
    requantized = quantize.op.outputs[0].index
    arrays, quants, sizes, names = {}, [], [], []
    for k, t in enumerate(concat.op.inputs):
        name = f"in{k}"
        names.append(name)
        sizes.append(t.shape[axis])
        if t.index == requantized:
            src = quantize.op.inputs[0]
            m, sh = ratio_multiplier(src.scale, t.scale)
            arrays[name] = logistic.output
            quants.append(f"{{0, {-src.zero_point}, {t.zero_point}, {m}, {sh}}}")
        else:
            arrays[name] = concat.inputs[k]
            quants.append("{1, 0, 0, 0, 0}")
    outer = int(np.prod(out.shape[:axis]))
    inner = int(np.prod(out.shape[axis + 1 :]))
    arrays["output"] = np.zeros(concat.output.size, np.int8)
    setup = (
        f"const int8_t *const ins[] = {{{', '.join(names)}}};\n"
        f"        const int32_t sizes[] = {{{', '.join(map(str, sizes))}}};\n"
        f"        const te_concat_quant q[] = {{{', '.join(quants)}}};"
    )
    return CCase(
        name=concat.spec.name + " (QUANTIZE folded)",
        arrays=arrays,
        setup=setup,
        call=f"te_concatenation_s8(ins, sizes, {len(names)}, {outer}, {inner}, q, output)",
        out="output",
    )


def test_requantize_and_concat_with_requantization_match_tflite(build_dir: Path) -> None:
    runs = build_multi_op_models(
        _requantize_specs(1313), ("LOGISTIC", "QUANTIZE", "CONCATENATION"), seed=1313
    )
    for quantize in runs["QUANTIZE"]:
        src, dst = quantize.op.inputs[0], quantize.op.outputs[0]
        assert src.dtype == dst.dtype == np.int8
        assert (src.scale, src.zero_point) != (dst.scale, dst.zero_point)
    folded = [
        (_concat_with_requant(logistic, quantize, concat), concat.output)
        for logistic, quantize, concat in zip(
            runs["LOGISTIC"], runs["QUANTIZE"], runs["CONCATENATION"], strict=True
        )
    ]
    run_and_compare(
        runs["QUANTIZE"] + runs["LOGISTIC"], build_dir, extra=folded, extra_sources=["te_concatenation_s8.c"]
    )


def _quantize_reference(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """te_quantize_f32_s8's contract: TFLite's float32 division and half-away rounding; values out of
    range (infinities included) saturate and NaN gives the zero point (TFLite's int32 cast is
    undefined there)."""
    r = (x / np.float32(scale)).astype(np.float32).astype(np.float64)
    finite = np.nan_to_num(r, nan=0.0, posinf=1e9, neginf=-1e9)
    rounded = np.sign(finite) * np.floor(np.abs(finite) + 0.5)
    return np.clip(rounded + zero_point, -128, 127).astype(np.int8)


def test_quantize_extremes_saturate_alike_on_host_and_m7(build_dir: Path) -> None:
    """NaN, infinities, values beyond the int16 range of the M7 path's fixed-point conversion and
    exact ties, at sizes that leave 1 to 3 elements after the four-element blocks."""
    special = [np.nan, np.inf, -np.inf, 1e30, -1e30, 40000.0, -40000.0, 16383.5, -16383.5, 16384.5,
               -16384.5, 0.5, -0.5, 1.5, -1.5, 127.5, -128.5, 0.0, -0.0, 3.4e38]  # fmt: skip
    rng = np.random.default_rng(77)
    cases, expected = [], []
    for i, (scale, zp) in enumerate([(0.02, -128), (0.5, 5), (1.0, 127), (3.0e-3, 0)]):
        ties = (rng.integers(-300, 300, size=9 + i) + 0.5) * np.float32(scale)
        x = np.concatenate([np.array(special, np.float32) * np.float32(scale), ties.astype(np.float32)])
        x = x.astype(np.float32)
        size = x.size
        # The float bits travel as uint32 (C has no literal for NaN): copied into a float array.
        arrays = {"bits": x.view(np.uint32), "output": np.zeros(size, np.int8)}
        setup = f"static float input[{size}];\n        __builtin_memcpy(input, bits, sizeof(input));"
        call = f"te_quantize_f32_s8(input, {size}, {float(np.float32(scale))!r}f, {zp}, output)"
        cases.append(CCase(name=f"extremes scale {scale} zp {zp}", arrays=arrays, setup=setup, call=call,
                           out="output"))  # fmt: skip
        expected.append(_quantize_reference(x, scale, zp))
    result = run_cases(cases, ["te_quantize_f32_s8.c"], workdir=build_dir)
    assert_cases_match(cases, result, expected)
