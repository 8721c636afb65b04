"""Emitters of pooling, MEAN, softmax, (de)quantization, activations and resize."""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

from tinyengine_codegen.backend import quant
from tinyengine_codegen.backend.cwriter import c_float
from tinyengine_codegen.backend.emitter import (
    EmitContext,
    EmitError,
    emitter,
    fused_activation,
    nhwc_io,
    quant_of,
)
from tinyengine_codegen.ir.graph import Operator
from tinyengine_codegen.passes.select_kernels import conv_padding, mean_axes

SCALED_DIFF_INTEGER_BITS = 5  # kScaledDiffIntegerBits of TFLite's softmax Prepare


def _size(ctx: EmitContext, tensor: int) -> int:
    return ctx.graph.tensors[tensor].size


@emitter("te_avgpool_s8", "te_maxpool_s8", header="te_pooling.h")
def emit_pool(ctx: EmitContext, i: int, op: Operator) -> str:
    """AVERAGE_POOL_2D / MAX_POOL_2D (input and output share their quantization)."""
    pad_h, pad_w = conv_padding(ctx.graph, op)
    fields = {
        "stride_h": int(op.options.get("stride_h", 1)), "stride_w": int(op.options.get("stride_w", 1)),
        "filter_h": int(op.options["filter_height"]), "filter_w": int(op.options["filter_width"]),
        "pad_h": pad_h, "pad_w": pad_w, "activation": fused_activation(ctx, op),
    }  # fmt: skip
    params = ctx.struct(i, "params", "te_pool_params", fields)
    return f"{op.kernel}({', '.join([params, *nhwc_io(ctx, i, op)])})"


@emitter("te_mean_hw_s8", header="te_pooling.h")
def emit_mean(ctx: EmitContext, i: int, op: Operator) -> str:
    """MEAN over contiguous axes, seen as (outer, reduced, 1, inner) for the H-W kernel."""
    g = ctx.graph
    src, dst = op.inputs[0], op.outputs[0]
    axes = mean_axes(g, op)
    if axes is None:
        raise EmitError(f"operator {i} MEAN: axes are not contiguous")
    outer, reduced, inner = axes
    (s_in, z_in), (s_out, z_out) = quant_of(g, src), quant_of(g, dst)
    m, s = quant.quantize_multiplier(quant.f32(s_in) / quant.f32(s_out))
    fields = {"input_offset": -z_in, "output_offset": z_out, "multiplier": m, "shift": s}
    params = ctx.struct(i, "params", "te_mean_params", fields)
    dims = ctx.dims(i, "input_dims", (outer, reduced, 1, inner))
    return f"te_mean_hw_s8({params}, {dims}, {ctx.tensor(src)}, {ctx.tensor(dst)})"


def softmax_scaling(beta: float, input_scale: float) -> tuple[int, int, int]:
    """PreprocessSoftmaxScaling + CalculateInputRadius: (input_multiplier, left_shift, diff_min)."""
    real = min(beta * input_scale * (1 << (31 - SCALED_DIFF_INTEGER_BITS)), float((1 << 31) - 1))
    multiplier, left_shift = quant.quantize_multiplier_greater_than_one(real)
    radius = (
        ((1 << SCALED_DIFF_INTEGER_BITS) - 1) * (1 << (31 - SCALED_DIFF_INTEGER_BITS)) / (1 << left_shift)
    )
    return multiplier, left_shift, -math.floor(radius)


def _rows(ctx: EmitContext, tensor: int) -> tuple[int, int]:
    shape = ctx.graph.tensors[tensor].shape
    depth = int(shape[-1]) if shape else 1
    return _size(ctx, tensor) // depth, depth


@emitter("te_softmax_s8", "te_log_softmax_s8", header="te_softmax.h")
def emit_softmax(ctx: EmitContext, i: int, op: Operator) -> str:
    """SOFTMAX / LOG_SOFTMAX on int8 over the last dimension."""
    src, dst = op.inputs[0], op.outputs[0]
    s_in, _ = quant_of(ctx.graph, src)
    beta = float(np.float32(op.options.get("beta", 1.0))) if op.kind == "SOFTMAX" else 1.0
    multiplier, left_shift, diff_min = softmax_scaling(beta, quant.f32(s_in))
    if op.kind == "SOFTMAX":
        fields = {"input_multiplier": multiplier, "input_left_shift": left_shift, "diff_min": diff_min}
        params = ctx.struct(i, "params", "te_softmax_params", fields)
    else:
        divisor, divisor_shift = quant.quantize_multiplier((1 << (31 - left_shift)) / float(multiplier))
        fields = {"input_multiplier": multiplier, "input_left_shift": left_shift,
                  "reverse_scaling_divisor": divisor, "reverse_scaling_right_shift": -divisor_shift,
                  "diff_min": diff_min}  # fmt: skip
        params = ctx.struct(i, "params", "te_log_softmax_params", fields)
    outer, depth = _rows(ctx, src)
    return f"{op.kernel}({params}, {outer}, {depth}, {ctx.tensor(src)}, {ctx.tensor(dst)})"


@emitter("te_quantize_f32_s8", header="te_quantize.h")
def emit_quantize(ctx: EmitContext, i: int, op: Operator) -> str:
    """QUANTIZE float32 -> int8."""
    src, dst = op.inputs[0], op.outputs[0]
    scale, zp = quant_of(ctx.graph, dst)
    return (
        f"te_quantize_f32_s8({ctx.tensor(src)}, {_size(ctx, src)}, {c_float(scale)}, {zp}, {ctx.tensor(dst)})"
    )


@emitter("te_requantize_s8_s8", header="te_quantize.h")
def emit_requantize(ctx: EmitContext, i: int, op: Operator) -> str:
    """QUANTIZE int8 -> int8 (requantize)."""
    src, dst = op.inputs[0], op.outputs[0]
    (s_in, z_in), (s_out, z_out) = quant_of(ctx.graph, src), quant_of(ctx.graph, dst)
    m, s = quant.quantize_multiplier(quant.f32(s_in) / quant.f32(s_out))
    fields = {"input_offset": -z_in, "output_offset": z_out, "multiplier": m, "shift": s}
    params = ctx.struct(i, "params", "te_requantize_params", fields)
    return f"te_requantize_s8_s8({params}, {ctx.tensor(src)}, {_size(ctx, src)}, {ctx.tensor(dst)})"


@emitter("te_dequantize_s8_f32", header="te_quantize.h")
def emit_dequantize(ctx: EmitContext, i: int, op: Operator) -> str:
    """DEQUANTIZE int8 -> float32."""
    src, dst = op.inputs[0], op.outputs[0]
    scale, zp = quant_of(ctx.graph, src)
    args = [ctx.tensor(src), str(_size(ctx, src)), c_float(scale), str(zp), ctx.tensor(dst)]
    return f"te_dequantize_s8_f32({', '.join(args)})"


def _libm_expf():
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    fn = ctypes.CDLL(name).expf
    fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
    return fn


def logistic_table(s_in: float, z_in: int, s_out: float, z_out: int) -> np.ndarray:
    """TFLite's LUTPopulate for int8 LOGISTIC, in float32 with libm's expf, indexed by (uint8)q."""
    expf = _libm_expf()
    f32 = np.float32
    inverse = f32(1.0) / f32(s_out)
    table = np.zeros(256, np.int8)
    for q in range(-128, 128):
        x = f32(s_in) * f32(q - z_in)
        e = f32(expf(float(-x))) if expf else np.exp(-x, dtype=np.float32)
        y = f32(1.0) / (f32(1.0) + e)
        rescaled = quant.round_half_away(float(f32(y * inverse)))
        table[q & 0xFF] = max(-128, min(127, rescaled + z_out))
    return table


@emitter("te_logistic_s8", header="te_activations.h")
def emit_logistic(ctx: EmitContext, i: int, op: Operator) -> str:
    """LOGISTIC through a 256-entry table computed here."""
    src, dst = op.inputs[0], op.outputs[0]
    table = logistic_table(*quant_of(ctx.graph, src), *quant_of(ctx.graph, dst))
    lut = ctx.array(i, "lut", "int8_t", table, "sigmoid lookup table, indexed by (uint8_t)q")
    return f"te_logistic_s8({lut}, {ctx.tensor(src)}, {_size(ctx, src)}, {ctx.tensor(dst)})"


def _int16_multiplier(m32: int) -> int:
    """DownScaleInt32ToInt16Multiplier."""
    if m32 >= (1 << 31) - 1 - (1 << 15):
        return (1 << 15) - 1
    return (m32 + (1 << 15)) >> 16


@emitter("te_hard_swish_s8", header="te_activations.h")
def emit_hard_swish(ctx: EmitContext, i: int, op: Operator) -> str:
    """HARD_SWISH with HardSwishPrepare's float32 constants."""
    src, dst = op.inputs[0], op.outputs[0]
    (s_in, z_in), (s_out, z_out) = quant_of(ctx.graph, src), quant_of(ctx.graph, dst)
    f32 = np.float32
    hires = f32(1.0 / 128.0) * f32(s_in)
    out_m, out_e = quant.quantize_multiplier(float(hires / f32(s_out)))
    relu_m, relu_e = quant.quantize_multiplier(float(hires / f32(3.0 / 32768.0)))
    fields = {"input_offset": -z_in, "output_offset": z_out,
              "reluish_multiplier": _int16_multiplier(relu_m), "reluish_exponent": relu_e,
              "output_multiplier": _int16_multiplier(out_m), "output_exponent": out_e}  # fmt: skip
    params = ctx.struct(i, "params", "te_hard_swish_params", fields)
    return f"te_hard_swish_s8({params}, {ctx.tensor(src)}, {_size(ctx, src)}, {ctx.tensor(dst)})"


@emitter("te_leaky_relu_s8", header="te_activations.h")
def emit_leaky_relu(ctx: EmitContext, i: int, op: Operator) -> str:
    """LEAKY_RELU with LeakyReluPrepare's float32 multipliers."""
    src, dst = op.inputs[0], op.outputs[0]
    (s_in, z_in), (s_out, z_out) = quant_of(ctx.graph, src), quant_of(ctx.graph, dst)
    f32 = np.float32
    alpha = f32(op.options.get("alpha", 0.2))
    alpha_m, alpha_s = quant.quantize_multiplier(float(f32(s_in) * alpha / f32(s_out)))
    ident_m, ident_s = quant.quantize_multiplier(float(f32(s_in) / f32(s_out)))
    fields = {"input_offset": -z_in, "output_offset": z_out, "identity_multiplier": ident_m,
              "identity_shift": ident_s, "alpha_multiplier": alpha_m, "alpha_shift": alpha_s}  # fmt: skip
    params = ctx.struct(i, "params", "te_leaky_relu_params", fields)
    return f"te_leaky_relu_s8({params}, {ctx.tensor(src)}, {_size(ctx, src)}, {ctx.tensor(dst)})"


@emitter("te_resize_nearest_s8", header="te_resize.h")
def emit_resize_nearest(ctx: EmitContext, i: int, op: Operator) -> str:
    """RESIZE_NEAREST_NEIGHBOR (output size from the output tensor's shape)."""
    fields = {"align_corners": int(bool(op.options.get("align_corners", False))),
              "half_pixel_centers": int(bool(op.options.get("half_pixel_centers", False)))}  # fmt: skip
    params = ctx.struct(i, "params", "te_resize_params", fields)
    return f"te_resize_nearest_s8({', '.join([params, *nhwc_io(ctx, i, op)])})"


@emitter("te_log_softmax_f32", header="te_softmax_f32.h")
def emit_log_softmax_f32(ctx: EmitContext, i: int, op: Operator) -> str:
    """LOG_SOFTMAX on float32 over the last dimension (a float tail after DEQUANTIZE)."""
    src, dst = op.inputs[0], op.outputs[0]
    outer, depth = _rows(ctx, src)
    return f"te_log_softmax_f32({outer}, {depth}, {ctx.tensor(src)}, {ctx.tensor(dst)})"
