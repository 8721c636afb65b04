"""C calls of the non-convolution kernels for one TFLite op: :func:`kernel_case` turns an op and the
reference interpreter's data for it into a harness :class:`CCase`, with the params the kernel needs.

Used by the randomized single-op tests and by the real-model test alike. ``index`` varies the call
(in place or not) from case to case; :data:`SOURCES` names the kernel sources per op.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .harness import CCase, activation_range, assert_cases_match, c_dims, run_cases
from .opcases import OpRun
from .oracle import OpInfo
from .quant import compute_padding
from .quant_ops import (
    add_sub_params,
    hard_swish_params,
    leaky_relu_params,
    log_softmax_params,
    logistic_lut,
    mul_multiplier,
    ratio_multiplier,
    softmax_params,
)

SOURCES = {
    "ADD": ["te_add_s8.c"],
    "SUB": ["te_sub_s8.c"],
    "MUL": ["te_mul_s8.c"],
    "AVERAGE_POOL_2D": ["te_avgpool_s8.c"],
    "MAX_POOL_2D": ["te_maxpool_s8.c"],
    "MEAN": ["te_mean_hw_s8.c"],
    "SOFTMAX": ["te_softmax_s8.c"],
    "LOG_SOFTMAX": ["te_log_softmax_s8.c"],
    "LOGISTIC": ["te_logistic_s8.c"],
    "HARD_SWISH": ["te_hard_swish_s8.c"],
    "LEAKY_RELU": ["te_leaky_relu_s8.c"],
    "QUANTIZE": ["te_quantize_f32_s8.c", "te_requantize_s8_s8.c"],
    "DEQUANTIZE": ["te_dequantize_s8_f32.c"],
    "TRANSPOSE": ["te_transpose_s8.c"],
    "STRIDED_SLICE": ["te_strided_slice_s8.c"],
    "PAD": ["te_pad_s8.c"],
    "PADV2": ["te_pad_s8.c"],
    "CONCATENATION": ["te_concatenation_s8.c"],
    "RESHAPE": ["te_reshape_s8.c"],
    "RESIZE_NEAREST_NEIGHBOR": ["te_resize_nearest_s8.c"],
}


def sources_for(op_names: Sequence[str]) -> list[str]:
    """The kernel sources a batch of these ops needs, each once."""
    return sorted({s for name in op_names for s in SOURCES[name]})


def c_float(value: float) -> str:
    """A C float literal that parses to exactly this float32."""
    return f"{float(np.float32(value))!r}f"


def c_shape(shape: Sequence[int]) -> str:
    """A ``te_shape`` initializer."""
    dims = [int(d) for d in shape] + [0] * (5 - len(shape))
    return f"{{{len(shape)}, {{{', '.join(map(str, dims))}}}}}"


def c_ints5(values: Sequence[int]) -> str:
    """An ``int32_t[TE_MAX_DIMS]`` initializer (zero-filled)."""
    values = [int(v) for v in values] + [0] * (5 - len(values))
    return "{" + ", ".join(map(str, values)) + "}"


def _case(name: str, arrays: dict, call: str, out: str, setup: str = "") -> CCase:
    return CCase(name=name, arrays=arrays, setup=setup, call=call, out=out)


def _unary(name: str, x: np.ndarray, size: int, call: str, index: int, setup: str = "",
           in_place: bool = True, extra: dict | None = None) -> CCase:  # fmt: skip
    """An elementwise kernel ``call`` (with {target}) over x; every other case in place."""
    arrays = dict(extra or {})
    arrays["input"] = x
    target = "input" if in_place and index % 2 else "output"
    if target == "output":
        arrays["output"] = np.zeros(size, np.int8)
    suffix = " in place" if target == "input" else ""
    return _case(name + suffix, arrays, call.format(target=target), target, setup)


def binary_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """ADD / SUB / MUL; in place over a full-size input on alternate cases."""
    a, b, out = op.inputs[0], op.inputs[1], op.outputs[0]
    kernel = {"ADD": "te_add_s8", "SUB": "te_sub_s8", "MUL": "te_mul_s8"}[op.name]
    act_min, act_max = activation_range(op.options["FusedActivationFunction"], out.scale, out.zero_point)
    if op.name == "MUL":
        m, sh = mul_multiplier(a.scale, b.scale, out.scale)
        params = f"te_mul_params p = {{{-a.zero_point}, {-b.zero_point}, {out.zero_point}, {m}, {sh}, "
    else:
        q = add_sub_params(a.scale, b.scale, out.scale)
        params = (
            f"te_add_params p = {{{-a.zero_point}, {-b.zero_point}, {out.zero_point}, {q['left_shift']}, "
            f"{q['m1']}, {q['sh1']}, {q['m2']}, {q['sh2']}, {q['mo']}, {q['sho']}, "
        )
    params += f"{{{act_min}, {act_max}}}}};"
    arrays = {"in1": inputs[0], "in2": inputs[1]}
    target = "out"
    if tuple(a.shape) == tuple(out.shape) and index % 2 == 0:
        target = "in1"
    elif tuple(b.shape) == tuple(out.shape) and tuple(a.shape) != tuple(out.shape):
        target = "in2"
    if target == "out":
        arrays["out"] = np.zeros(output.size, np.int8)
    setup = (
        f"{params}\n        te_dims d1 = {c_dims(a.shape)};\n        te_dims d2 = {c_dims(b.shape)};\n"
        f"        te_dims dout = {c_dims(out.shape)};"
    )
    suffix = f" in place on {target}" if target != "out" else ""
    return _case(name + suffix, arrays, f"{kernel}(&p, &d1, in1, &d2, in2, &dout, {target})", target, setup)


def pool_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """AVERAGE_POOL_2D / MAX_POOL_2D with TFLite's SAME/VALID padding."""
    inp, out, o = op.inputs[0], op.outputs[0], op.options
    kernel = "te_avgpool_s8" if op.name == "AVERAGE_POOL_2D" else "te_maxpool_s8"
    out_h, pad_h = compute_padding(inp.shape[1], o["FilterHeight"], o["StrideH"], 1, o["Padding"])
    out_w, pad_w = compute_padding(inp.shape[2], o["FilterWidth"], o["StrideW"], 1, o["Padding"])
    assert (out_h, out_w) == tuple(out.shape[1:3])
    assert (inp.scale, inp.zero_point) == (out.scale, out.zero_point)
    act_min, act_max = activation_range(o["FusedActivationFunction"], out.scale, out.zero_point)
    setup = (
        f"te_pool_params p = {{{o['StrideH']}, {o['StrideW']}, {o['FilterHeight']}, {o['FilterWidth']}, "
        f"{pad_h}, {pad_w}, {{{act_min}, {act_max}}}}};\n"
        f"        te_dims din = {c_dims(inp.shape)};\n        te_dims dout = {c_dims(out.shape)};"
    )
    arrays = {"input": inputs[0], "output": np.zeros(output.size, np.int8)}
    return _case(name, arrays, f"{kernel}(&p, &din, input, &dout, output)", "output", setup)


def mean_dims(op: OpInfo, axes: Sequence[int]) -> tuple[int, int, int, int] | None:
    """te_dims for te_mean_hw_s8 of a MEAN over ``axes``: NHWC's own (n, h, w, c) for axes 1, 2 of a
    4D tensor, else (outer, 1, reduced, inner) for any contiguous run of axes; None otherwise."""
    shape = op.inputs[0].shape
    rank = len(shape)
    axes = sorted({int(a) % rank for a in axes})
    if axes != list(range(axes[0], axes[-1] + 1)):
        return None
    if rank == 4 and axes == [1, 2]:
        return tuple(int(d) for d in shape)  # type: ignore[return-value]
    outer = int(np.prod(shape[: axes[0]]))
    reduced = int(np.prod(shape[axes[0] : axes[-1] + 1]))
    inner = int(np.prod(shape[axes[-1] + 1 :]))
    return outer, 1, reduced, inner


def mean_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """MEAN (keep_dims either way) over H, W, or over any contiguous run of axes."""
    inp, out = op.inputs[0], op.outputs[0]
    dims = mean_dims(op, inputs[1].reshape(-1))
    assert dims is not None
    m, sh = ratio_multiplier(inp.scale, out.scale)
    setup = f"te_mean_params p = {{{-inp.zero_point}, {out.zero_point}, {m}, {sh}}};\n"
    setup += f"        te_dims din = {c_dims(dims)};"
    arrays = {"input": inputs[0], "output": np.zeros(output.size, np.int8)}
    return _case(f"{name} as {dims}", arrays, "te_mean_hw_s8(&p, &din, input, output)", "output", setup)


def softmax_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """SOFTMAX / LOG_SOFTMAX over the last dimension; in place on every third case."""
    inp = op.inputs[0]
    depth, outer = inp.shape[-1], int(np.prod(inp.shape[:-1]))
    if op.name == "SOFTMAX":
        m, shift, diff_min = softmax_params(op.options.get("Beta", 1.0), inp.scale)
        setup, kernel = f"te_softmax_params p = {{{m}, {shift}, {diff_min}}};", "te_softmax_s8"
    else:
        m, shift, rev_div, rev_shift, diff_min = log_softmax_params(inp.scale)
        setup = f"te_log_softmax_params p = {{{m}, {shift}, {rev_div}, {rev_shift}, {diff_min}}};"
        kernel = "te_log_softmax_s8"
    call = f"{kernel}(&p, {outer}, {depth}, input, {{target}})"
    return _unary(name, inputs[0], output.size, call, 1 if index % 3 == 1 else 0, setup)


def activation_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """LOGISTIC (table), HARD_SWISH, LEAKY_RELU; in place on alternate cases."""
    inp, out, size = op.inputs[0], op.outputs[0], output.size
    if op.name == "LOGISTIC":
        lut = {"lut": logistic_lut(inp.scale, inp.zero_point, out.scale, out.zero_point)}
        return _unary(
            name, inputs[0], size, f"te_logistic_s8(lut, input, {size}, {{target}})", index, extra=lut
        )
    if op.name == "HARD_SWISH":
        rm, re, om, oe = hard_swish_params(inp.scale, out.scale)
        setup = f"te_hard_swish_params p = {{{-inp.zero_point}, {out.zero_point}, {rm}, {re}, {om}, {oe}}};"
        return _unary(name, inputs[0], size, f"te_hard_swish_s8(&p, input, {size}, {{target}})", index, setup)
    im, ish, am, ash = leaky_relu_params(inp.scale, out.scale, op.options["Alpha"])
    setup = f"te_leaky_relu_params p = {{{-inp.zero_point}, {out.zero_point}, {im}, {ish}, {am}, {ash}}};"
    return _unary(name, inputs[0], size, f"te_leaky_relu_s8(&p, input, {size}, {{target}})", index, setup)


def quantize_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """QUANTIZE float32 -> int8, or int8 -> int8 (requantize, in place on every fourth case)."""
    src, dst, size = op.inputs[0], op.outputs[0], output.size
    if src.dtype == np.float32:
        arrays = {"input": inputs[0].astype(np.float32), "output": np.zeros(size, np.int8)}
        call = f"te_quantize_f32_s8(input, {size}, {c_float(dst.scale)}, {dst.zero_point}, output)"
        return _case(f"{name} scale {dst.scale:.4g} zp {dst.zero_point}", arrays, call, "output")
    m, sh = ratio_multiplier(src.scale, dst.scale)
    setup = f"te_requantize_params p = {{{-src.zero_point}, {dst.zero_point}, {m}, {sh}}};"
    call = f"te_requantize_s8_s8(&p, input, {size}, {{target}})"
    return _unary(f"{name} requantize", inputs[0], size, call, 1 if index % 4 == 2 else 0, setup)


def dequantize_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """DEQUANTIZE int8 -> float32."""
    src, size = op.inputs[0], output.size
    arrays = {"input": inputs[0], "output": np.zeros(size, np.float32)}
    call = f"te_dequantize_s8_f32(input, {size}, {c_float(src.scale)}, {src.zero_point}, output)"
    return _case(f"{name} scale {src.scale:.4g} zp {src.zero_point}", arrays, call, "output")


def transpose_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """TRANSPOSE with the model's constant permutation."""
    perm = inputs[1].reshape(-1).astype(np.int32)
    arrays = {"input": inputs[0], "perm": perm, "output": np.zeros(output.size, np.int8)}
    setup = f"te_shape s = {c_shape(op.inputs[0].shape)};"
    return _case(
        f"{name} perm {list(perm)}", arrays, "te_transpose_s8(input, &s, perm, output)", "output", setup
    )


def resolve_strided_slice(op: OpInfo, begin, end, strides) -> tuple[list[int], list[int], list[int]]:
    """TFLite's StridedSlice index resolution (begin/end masks, negative indices, shrink axes)."""
    o, shape = op.options, op.inputs[0].shape
    b_mask, e_mask, s_mask = int(o["BeginMask"]), int(o["EndMask"]), int(o["ShrinkAxisMask"])
    assert int(o["EllipsisMask"]) == 0 and int(o["NewAxisMask"]) == 0
    rb, re, rs = [], [], []
    for d, dim in enumerate(shape):
        s = int(strides[d])
        lo, hi = (0, dim) if s > 0 else (-1, dim - 1)
        if b_mask >> d & 1:
            start = 0 if s > 0 else dim - 1
        else:
            start = min(max(int(begin[d]) + (dim if begin[d] < 0 else 0), lo), hi)
        if s_mask >> d & 1:
            stop = start + 1
        elif e_mask >> d & 1:
            stop = dim if s > 0 else -1
        else:
            stop = min(max(int(end[d]) + (dim if end[d] < 0 else 0), lo), hi)
        rb.append(start)
        re.append(stop)
        rs.append(s)
    return rb, re, rs


def strided_slice_case(
    name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int
) -> CCase:
    """STRIDED_SLICE with the masks resolved here, as the code generator does."""
    begin, end, stride = resolve_strided_slice(op, *(a.reshape(-1) for a in inputs[1:4]))
    setup = f"te_shape s = {c_shape(op.inputs[0].shape)};\n        te_strided_slice_params p = "
    setup += f"{{{c_ints5(begin)}, {c_ints5(end)}, {c_ints5(stride)}}};"
    arrays = {"input": inputs[0], "output": np.zeros(output.size, np.int8)}
    name = f"{name} begin {begin} end {end} stride {stride}"
    return _case(name, arrays, "te_strided_slice_s8(input, &s, &p, output)", "output", setup)


def pad_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """PAD (fill = output zero point) and PADV2 (fill = its quantized constant)."""
    pads = inputs[1].reshape(-1, 2)
    value = int(inputs[2].reshape(-1)[0]) if op.name == "PADV2" else op.outputs[0].zero_point
    setup = f"te_shape s = {c_shape(op.inputs[0].shape)};\n        te_pad_params p = "
    setup += f"{{{c_ints5(pads[:, 0])}, {c_ints5(pads[:, 1])}, {value}}};"
    arrays = {"input": inputs[0], "output": np.zeros(output.size, np.int8)}
    return _case(f"{op.name} {name}", arrays, "te_pad_s8(input, &s, &p, output)", "output", setup)


def concat_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """CONCATENATION of inputs that share the output's quantization (TFLite's int8 requirement)."""
    out = op.outputs[0]
    axis = int(op.options["Axis"]) % len(out.shape)
    for t in op.inputs:
        assert (t.scale, t.zero_point) == (out.scale, out.zero_point)
    names = [f"in{k}" for k in range(len(inputs))]
    arrays = dict(zip(names, inputs, strict=True))
    arrays["output"] = np.zeros(output.size, np.int8)
    sizes = [t.shape[axis] for t in op.inputs]
    setup = f"const int8_t *const ins[] = {{{', '.join(names)}}};\n"
    setup += f"        const int32_t sizes[] = {{{', '.join(map(str, sizes))}}};"
    outer, inner = int(np.prod(out.shape[:axis])), int(np.prod(out.shape[axis + 1 :]))
    call = f"te_concatenation_s8(ins, sizes, {len(names)}, {outer}, {inner}, NULL, output)"
    return _case(name, arrays, call, "output", setup)


def reshape_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """RESHAPE: a copy into another buffer, or (alternate cases) the aliased view that does nothing."""
    size = output.size
    if index % 2:
        return _case(name + " (view)", {"data": inputs[0]}, f"te_reshape_s8(data, data, {size})", "data")
    arrays = {"input": inputs[0], "output": np.zeros(size, np.int8)}
    return _case(name, arrays, f"te_reshape_s8(input, output, {size})", "output")


def resize_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int) -> CCase:
    """RESIZE_NEAREST_NEIGHBOR with its align_corners / half_pixel_centers flags."""
    align, half = int(bool(op.options["AlignCorners"])), int(bool(op.options["HalfPixelCenters"]))
    setup = f"te_resize_params p = {{{align}, {half}}};\n"
    setup += f"        te_dims din = {c_dims(op.inputs[0].shape)};\n"
    setup += f"        te_dims dout = {c_dims(op.outputs[0].shape)};"
    arrays = {"input": inputs[0], "output": np.zeros(output.size, np.int8)}
    name = f"{name} align_corners={align} half_pixel_centers={half}"
    return _case(name, arrays, "te_resize_nearest_s8(&p, &din, input, &dout, output)", "output", setup)


_BUILDERS: dict[str, Callable[..., CCase]] = {
    "ADD": binary_case, "SUB": binary_case, "MUL": binary_case,
    "AVERAGE_POOL_2D": pool_case, "MAX_POOL_2D": pool_case, "MEAN": mean_case,
    "SOFTMAX": softmax_case, "LOG_SOFTMAX": softmax_case,
    "LOGISTIC": activation_case, "HARD_SWISH": activation_case, "LEAKY_RELU": activation_case,
    "QUANTIZE": quantize_case, "DEQUANTIZE": dequantize_case,
    "TRANSPOSE": transpose_case, "STRIDED_SLICE": strided_slice_case, "PAD": pad_case, "PADV2": pad_case,
    "CONCATENATION": concat_case, "RESHAPE": reshape_case, "RESIZE_NEAREST_NEIGHBOR": resize_case,
}  # fmt: skip


def kernel_case(name: str, op: OpInfo, inputs: list[np.ndarray], output: np.ndarray, index: int = 0) -> CCase:
    """The CCase running this op's kernel on the op's input data (``index`` varies in-place use)."""
    return _BUILDERS[op.name](name, op, inputs, output, index)


def supported(op: OpInfo) -> bool:
    """Whether :func:`kernel_case` handles this op (int8 data, or float at a QUANTIZE/DEQUANTIZE)."""
    if op.name not in _BUILDERS:
        return False
    if op.name == "MEAN":
        axes = op.inputs[1].data
        return axes is not None and mean_dims(op, axes.reshape(-1)) is not None
    if op.name == "DEQUANTIZE":
        return op.inputs[0].dtype == np.int8
    return op.outputs[0].dtype == np.int8


def run_and_compare(
    runs: Sequence[OpRun],
    workdir: Path,
    extra: Sequence[tuple[CCase, np.ndarray]] = (),
    extra_sources: Sequence[str] = (),
) -> None:
    """Build every run's kernel call (plus ``extra`` cases and expected bytes) into one program;
    the host and the QEMU Cortex-M7 builds must both reproduce TFLite's bytes."""
    cases = [kernel_case(r.spec.name, r.op, r.inputs, r.output, i) for i, r in enumerate(runs)]
    expected = [r.output for r in runs]
    cases += [c for c, _ in extra]
    expected += [e for _, e in extra]
    sources = sorted(set(sources_for([r.op.name for r in runs])) | set(extra_sources))
    result = run_cases(cases, sources, workdir=workdir)
    assert_cases_match(cases, result, expected)
