"""CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED cases: TF graphs for the oracle, C calls for the kernels.

A :class:`ConvSpec` is drawn from a seeded generator; :func:`build_models` converts groups of specs
into multi-op TFLite models (one input and one op per spec) and can move output quantization so
that the fused clamp bites. :func:`conv_call`, :func:`depthwise_call` and
:func:`fully_connected_call` turn a converted op (from any model) into a :class:`CCase`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import tensorflow as tf

from tinyengine_codegen.backend.conv_layout import pack_conv_filter
from tinyengine_codegen.backend.ops_conv import im2col_bias
from tinyengine_codegen.passes.select_kernels import conv_im2col_scratch, depthwise_inplace_scratch

from .harness import (
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    CCase,
    activation_range,
    c_dims,
    fully_connected_multiplier,
    per_channel_multipliers,
)
from .oracle import InputSpec, OpInfo, TFLiteModel, convert, patch_quantization
from .quant import compute_padding

ACTIVATIONS = (ACT_NONE, ACT_RELU, ACT_RELU6)
# Every convolution-family kernel source and header, for tests that call several of them.
SOURCES = [
    "te_conv_s8.c",
    "te_conv_1x1_s8.c",
    "te_conv_im2col_s8.c",
    "te_conv_im2col_rows_s8.c",
    "te_im2col.c",
    "te_pair.c",
    "te_depthwise_conv_s8.c",
    "te_depthwise_conv_inplace_s8.c",
    "te_fully_connected_s8.c",
]
HEADERS = ["tinyengine/te_conv.h", "tinyengine/te_depthwise.h", "tinyengine/te_fully_connected.h"]
GROUP = 8  # ops per converted model


@dataclass(frozen=True)
class ConvSpec:
    """One random convolution: shapes, geometry, activation, ranges and float weights."""

    batch: int
    in_h: int
    in_w: int
    in_c: int
    out_c: int  # depthwise: in_c * multiplier
    kernel_h: int
    kernel_w: int
    stride: int
    dilation: int
    padding: str  # "SAME" or "VALID"
    activation: int
    low: float
    high: float
    weights: np.ndarray
    bias: np.ndarray | None
    depthwise: bool
    patch_output: bool  # move the output scale/zero point so the clamp matters

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.in_h, self.in_w, self.in_c)


def random_spec(
    rng: np.random.Generator,
    *,
    depthwise: bool = False,
    kernel: tuple[int, int] | None = None,
    in_c: int | None = None,
    stride: int | None = None,
    dilation: int | None = None,
    multiplier: int = 1,
    batch: int | None = None,
) -> ConvSpec:
    """A random spec; keyword arguments pin a dimension (e.g. ``kernel=(1, 1)``)."""
    kh, kw = kernel if kernel is not None else (int(rng.choice([1, 2, 3, 5, 7])), int(rng.choice([1, 3, 5])))
    dil = dilation if dilation is not None else int(rng.choice([1, 1, 1, 2, 3]))
    st = stride if stride is not None else (1 if dil > 1 else int(rng.choice([1, 2, 3])))
    c_in = in_c if in_c is not None else int(rng.integers(1, 20))
    c_out = c_in * multiplier if depthwise else int(rng.integers(1, 24))
    padding = str(rng.choice(["SAME", "VALID"]))
    min_h, min_w = (kh - 1) * dil + 1, (kw - 1) * dil + 1
    in_h = int(rng.integers(min_h, min_h + 10))
    in_w = int(rng.integers(min_w, min_w + 10))
    low = float(rng.uniform(-4.0, 0.5))
    high = low + float(rng.uniform(0.2, 6.0))
    # Per-channel weight magnitudes spread over two decades, to exercise per-channel requantization.
    ch_scale = np.exp(rng.uniform(np.log(0.02), np.log(2.0), size=c_out)).astype(np.float32)
    if depthwise:
        weights = rng.normal(size=(kh, kw, c_in, multiplier)).astype(np.float32)
        weights *= ch_scale.reshape(c_in, multiplier)
    else:
        weights = rng.normal(size=(kh, kw, c_in, c_out)).astype(np.float32) * ch_scale
    bias = rng.normal(scale=0.5, size=c_out).astype(np.float32) if rng.random() < 0.85 else None
    return ConvSpec(
        batch=batch if batch is not None else int(rng.choice([1, 1, 1, 2])),
        in_h=in_h,
        in_w=in_w,
        in_c=c_in,
        out_c=c_out,
        kernel_h=kh,
        kernel_w=kw,
        stride=st,
        dilation=dil,
        padding=padding,
        activation=int(rng.choice(ACTIVATIONS)),
        low=low,
        high=high,
        weights=weights,
        bias=bias,
        depthwise=depthwise,
        patch_output=bool(rng.random() < 0.4),
    )


def dead_relu(spec: ConvSpec) -> ConvSpec:
    """The spec with a ReLU whose inputs are all negative during calibration: the converter then
    picks a tiny output scale, the requantization multiplier exceeds 1 and TFLite's int32 left
    shift wraps around (see te_requantize.h)."""
    return replace(spec, bias=np.full(spec.out_c, -50.0, np.float32), activation=ACT_RELU, patch_output=False)


def bias_and_activation(y: tf.Tensor, bias: np.ndarray | None, activation: int) -> tf.Tensor:
    """Add the float bias (if any) and apply the activation the converter fuses into the op."""
    if bias is not None:
        y = y + bias
    if activation == ACT_RELU:
        y = tf.nn.relu(y)
    elif activation == ACT_RELU6:
        y = tf.nn.relu6(y)
    return y


def _tf_op(spec: ConvSpec, x: tf.Tensor) -> tf.Tensor:
    if spec.depthwise:
        y = tf.nn.depthwise_conv2d(
            x,
            spec.weights,
            strides=[1, spec.stride, spec.stride, 1],
            padding=spec.padding,
            dilations=[spec.dilation, spec.dilation],
        )
    else:
        y = tf.nn.conv2d(x, spec.weights, strides=spec.stride, padding=spec.padding, dilations=spec.dilation)
    return bias_and_activation(y, spec.bias, spec.activation)


def build_op_models(
    specs: Sequence[Any],
    tf_op: Callable[[Any, tf.Tensor], tf.Tensor],
    input_of: Callable[[Any], InputSpec],
    op_name: str,
    seed: int,
    **convert_options: Any,
) -> list[tuple[TFLiteModel, OpInfo, Any]]:
    """Convert specs GROUP per model (one input, one ``op_name`` op each); (model, op, spec) in order.

    A spec whose ``patch_output`` is true gets its output scale and zero point moved at random, so
    that the fused activation clamp cuts into the output range.
    """
    result = []
    rng = np.random.default_rng(seed)
    for start in range(0, len(specs), GROUP):
        group = list(specs[start : start + GROUP])
        graph = _graph(tf_op, group)
        content = convert(graph, [input_of(s) for s in group], seed=seed + start, **convert_options)
        ops = TFLiteModel(content).ops_named(op_name)
        if len(ops) != len(group):
            raise AssertionError(f"expected {len(group)} {op_name}, got {len(ops)}")
        for op, spec in zip(ops, group, strict=True):
            if spec.patch_output:
                out = op.outputs[0]
                scale = out.scale * float(rng.uniform(0.4, 1.6))
                content = patch_quantization(content, out.index, scale, int(rng.integers(-100, 101)))
        model = TFLiteModel(content)
        result += [(model, op, spec) for op, spec in zip(model.ops_named(op_name), group, strict=True)]
    return result


def _graph(tf_op: Callable[[Any, tf.Tensor], tf.Tensor], group: list[Any]) -> Callable[..., Any]:
    """One model input per spec, one op per input (a closure: tf.function cannot trace specs)."""

    def fn(*xs):
        return [tf_op(s, x) for s, x in zip(group, xs, strict=True)]

    return fn


def build_models(
    specs: Sequence[ConvSpec], seed: int, op_name: str
) -> list[tuple[TFLiteModel, OpInfo, ConvSpec]]:
    """Convert conv/depthwise specs; see build_op_models."""
    return build_op_models(specs, _tf_op, lambda s: InputSpec(s.input_shape, s.low, s.high), op_name, seed)


def one_channel_depthwise_models(
    shapes: Sequence[tuple], seed: int, **fixed: object
) -> list[tuple[TFLiteModel, OpInfo, ConvSpec]]:
    """DEPTHWISE_CONV_2D models on one input channel from rows of (kernel, stride, padding,
    multiplier, (h, w), activation, input from 0); ``fixed`` overrides further spec fields."""
    rng = np.random.default_rng(seed)
    specs = []
    for kernel, stride, padding, multiplier, (h, w), act, from_zero in shapes:
        spec = random_spec(rng, depthwise=True, kernel=kernel, multiplier=multiplier, stride=stride, in_c=1,
                           dilation=1)  # fmt: skip
        spec = replace(spec, in_h=h, in_w=w, padding=padding, activation=act, batch=1, **fixed)
        specs.append(replace(spec, low=0.0, high=spec.high - spec.low) if from_zero else spec)
    return build_models(specs, seed=seed, op_name="DEPTHWISE_CONV_2D")


@dataclass
class ConvGeometry:
    """Everything a C conv/depthwise call needs, taken from the converted op."""

    input_offset: int
    output_offset: int
    stride_h: int
    stride_w: int
    pad_top: int
    pad_left: int
    dilation_h: int
    dilation_w: int
    act_min: int
    act_max: int
    multiplier: np.ndarray
    shift: np.ndarray
    filter: np.ndarray
    bias: np.ndarray | None  # None: the op has no bias input (the kernel gets NULL)
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]


def geometry(op: OpInfo) -> ConvGeometry:
    """Read an op's quantization, options and constants into C kernel parameters."""
    inp, flt = op.inputs[0], op.inputs[1]
    out = op.outputs[0]
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    opts = op.options
    out_h, pad_top = compute_padding(
        inp.shape[1], flt.shape[1], opts["StrideH"], opts["DilationHFactor"], opts["Padding"]
    )
    out_w, pad_left = compute_padding(
        inp.shape[2], flt.shape[2], opts["StrideW"], opts["DilationWFactor"], opts["Padding"]
    )
    assert (out_h, out_w) == tuple(out.shape[1:3]), "padding computation disagrees with the model"
    n_out = out.shape[3]
    mult, shift = per_channel_multipliers(inp.scale, flt.scales, out.scale, n_out)
    act_min, act_max = activation_range(opts["FusedActivationFunction"], out.scale, out.zero_point)
    return ConvGeometry(
        input_offset=-inp.zero_point,
        output_offset=out.zero_point,
        stride_h=opts["StrideH"],
        stride_w=opts["StrideW"],
        pad_top=pad_top,
        pad_left=pad_left,
        dilation_h=opts["DilationHFactor"],
        dilation_w=opts["DilationWFactor"],
        act_min=act_min,
        act_max=act_max,
        multiplier=mult,
        shift=shift,
        filter=flt.data,
        # A zero bias (what the converter writes for a bias-less conv) goes to the kernel as NULL.
        bias=bias.data.astype(np.int32) if bias is not None and bias.data.any() else None,
        input_shape=inp.shape,
        output_shape=out.shape,
    )


def _bias_array(g: ConvGeometry) -> dict[str, np.ndarray]:
    return {"bias": g.bias} if g.bias is not None else {}


def _bias_arg(g: ConvGeometry) -> str:
    return "bias" if g.bias is not None else "NULL"


def conv_1x1_scratch(cin: int) -> int:
    """te_conv_1x1_s8_scratch_bytes(): 1..4 three-pixel columns of 6 * round4(cin) + 12 bytes in 512."""
    column = 6 * ((cin + 3) // 4 * 4) + 12
    return min(4, max(1, 512 // column)) * column


def conv_call(name: str, g: ConvGeometry, x: np.ndarray, kernel: str) -> CCase:
    """A CCase calling ``te_conv_s8`` / ``te_conv_1x1_s8`` / ``te_conv_im2col_s8`` / ``_rows_s8`` on x."""
    scratch_expr = {
        "te_conv_s8": "te_conv_s8_scratch_bytes(&f_d)",
        "te_conv_1x1_s8": "te_conv_1x1_s8_scratch_bytes(&in_d)",
        "te_conv_im2col_s8": "te_conv_im2col_s8_scratch_bytes(&f_d)",
        "te_conv_im2col_rows_s8": "te_conv_im2col_rows_s8_scratch_bytes(&f_d)",
    }[kernel]
    kh, kw, cin = g.filter.shape[1:]
    scratch = {
        "te_conv_s8": 2 * kh * kw * cin,
        "te_conv_1x1_s8": conv_1x1_scratch(cin),
        "te_conv_im2col_s8": conv_im2col_scratch(kh * kw * cin),
        "te_conv_im2col_rows_s8": conv_im2col_scratch(kh * kw * cin),
    }[kernel]
    # the 1x1 and im2col kernels read the packed layout te-gen emits (te_conv.h): weights, bias and
    # scales; im2col's bias holds the input offset's part
    packed = kernel != "te_conv_s8"
    bias = im2col_bias(g.filter, g.bias, g.input_offset) if "im2col" in kernel else g.bias
    setup = (
        f"te_conv_params p = {{{g.input_offset}, {g.output_offset}, {g.stride_h}, {g.stride_w}, {g.pad_top}, "
        f"{g.pad_left}, {g.dilation_h}, {g.dilation_w}, {{{g.act_min}, {g.act_max}}}}};\n"
        + ("" if packed else "        te_per_channel_quant q = {mult, shift};\n")
        + f"        te_dims in_d = {c_dims(g.input_shape)};\n"
        f"        te_dims f_d = {c_dims(g.filter.shape)};\n"
        f"        te_dims out_d = {c_dims(g.output_shape)};"
    )
    args = (
        "&in_d, input, &f_d, filter, &out_d"
        if packed
        else f"&q, &in_d, input, &f_d, filter, {_bias_arg(g)}, &out_d"
    )
    call = f"{scratch_expr} != {scratch}u ? -100 : {kernel}(&p, {args}, output, scratch)"
    arrays = (
        {"filter": pack_conv_filter(g.filter, bias, g.multiplier, g.shift)}
        if packed
        else {"filter": g.filter, **_bias_array(g), "mult": g.multiplier, "shift": g.shift}
    )
    return CCase(
        name=name,
        arrays={
            "input": x,
            **arrays,
            "output": np.zeros(int(np.prod(g.output_shape)), np.int8),
        },
        setup=setup,
        call=call,
        out="output",
        scratch_bytes=scratch,
    )


def describe(spec: ConvSpec) -> str:
    """A short case name: shape, kernel, stride, dilation, padding, activation."""
    act = {ACT_NONE: "none", ACT_RELU: "relu", ACT_RELU6: "relu6"}[spec.activation]
    return (
        f"{spec.batch}x{spec.in_h}x{spec.in_w}x{spec.in_c}->{spec.out_c} k{spec.kernel_h}x{spec.kernel_w} "
        f"s{spec.stride} d{spec.dilation} {spec.padding} {act}{' patched' if spec.patch_output else ''}"
        f"{' no-bias' if spec.bias is None else ''}"
    )


def inplace_expected(x: np.ndarray, output: np.ndarray) -> np.ndarray:
    """The whole buffer after an in-place depthwise: the output, then the input's untouched tail."""
    out = np.ascontiguousarray(output).reshape(-1)
    return np.concatenate([out, np.ascontiguousarray(x).reshape(-1)[out.size :]])


def depthwise_call(name: str, g: ConvGeometry, multiplier: int, x: np.ndarray, in_place: bool) -> CCase:
    """A CCase calling ``te_depthwise_conv_s8`` or, on one shared buffer, the in-place variant."""
    setup = (
        f"te_depthwise_params p = {{{g.input_offset}, {g.output_offset}, {g.stride_h}, {g.stride_w}, "
        f"{g.pad_top}, {g.pad_left}, {g.dilation_h}, {g.dilation_w}, {multiplier}, "
        f"{{{g.act_min}, {g.act_max}}}}};\n"
        "        te_per_channel_quant q = {mult, shift};\n"
        f"        te_dims in_d = {c_dims(g.input_shape)};\n"
        f"        te_dims f_d = {c_dims(g.filter.shape)};\n"
        f"        te_dims out_d = {c_dims(g.output_shape)};"
    )
    arrays = {
        "filter": g.filter,
        **_bias_array(g),
        "mult": g.multiplier,
        "shift": g.shift,
    }
    out_size = int(np.prod(g.output_shape))
    if in_place:
        kernel = (g.filter.shape[1], g.filter.shape[2])
        strides = (g.stride_h, g.stride_w)
        dilations = (g.dilation_h, g.dilation_w)
        scratch = depthwise_inplace_scratch(g.input_shape, g.output_shape, kernel, strides, dilations)
        arrays["buffer"] = np.ascontiguousarray(x)
        call = (
            f"te_depthwise_conv_inplace_s8_scratch_bytes(&p, &in_d, &f_d, &out_d) != {scratch}u ? -100 : "
            "te_depthwise_conv_inplace_s8(&p, &q, &in_d, buffer, &f_d, filter, "
            f"{_bias_arg(g)}, &out_d, scratch)"
        )
        return CCase(name, arrays, call, out="buffer", setup=setup, scratch_bytes=scratch)
    arrays["input"] = x
    arrays["output"] = np.zeros(out_size, np.int8)
    call = f"te_depthwise_conv_s8(&p, &q, &in_d, input, &f_d, filter, {_bias_arg(g)}, &out_d, output)"
    return CCase(name, arrays, call, out="output", setup=setup)


def fully_connected_call(name: str, op: OpInfo, x: np.ndarray) -> CCase:
    """A CCase calling the per-tensor or per-channel FULLY_CONNECTED kernel, as the weights are."""
    inp, flt, out = op.inputs[0], op.inputs[1], op.outputs[0]
    bias = op.inputs[2] if len(op.inputs) > 2 else None
    out_features, in_features = flt.shape
    batches = int(np.prod(inp.shape)) // in_features
    act_min, act_max = activation_range(op.options["FusedActivationFunction"], out.scale, out.zero_point)
    arrays = {"input": x, "filter": flt.data, "output": np.zeros(batches * out_features, np.int8)}
    setup = (
        f"te_fully_connected_params p = {{{-inp.zero_point}, {-int(flt.zero_points[0])}, {out.zero_point}, "
        f"{{{act_min}, {act_max}}}}};\n"
        f"        te_fully_connected_dims d = {{{batches}, {in_features}, {out_features}}};\n"
    )
    if len(flt.scales) > 1:
        arrays["mult"], arrays["shift"] = per_channel_multipliers(inp.scale, flt.scales, out.scale)
        setup += "        te_per_channel_quant q = {mult, shift};"
        kernel = "te_fully_connected_per_channel_s8"
    else:
        m, s = fully_connected_multiplier(inp.scale, flt.scale, out.scale)
        setup += f"        te_per_tensor_quant q = {{{m}, {s}}};"
        kernel = "te_fully_connected_s8"
    if bias is not None:
        arrays["bias"] = bias.data
    call = f"{kernel}(&p, &q, &d, input, filter, {'bias' if bias is not None else 'NULL'}, output)"
    label = "per-channel" if len(flt.scales) > 1 else "per-tensor"
    return CCase(f"{name} {label}", arrays, call, out="output", setup=setup)
