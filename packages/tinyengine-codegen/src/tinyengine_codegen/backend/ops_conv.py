"""Emitters of the convolution family: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED."""

from __future__ import annotations

import numpy as np

from tinyengine_codegen.backend import quant
from tinyengine_codegen.backend.conv_layout import pack_conv_1x1_filter, pack_conv_filter
from tinyengine_codegen.backend.emitter import EmitContext, EmitError, emitter, fused_activation, quant_of
from tinyengine_codegen.ir.graph import Operator
from tinyengine_codegen.passes.select_kernels import conv_padding, im2col_width


def _scales(ctx: EmitContext, op_index: int, op: Operator, channels: int) -> tuple[list[int], list[int], str]:
    """Per-output-channel multipliers and shifts, and a key naming the scales they come from."""
    in_scale, _ = quant_of(ctx.graph, op.inputs[0])
    out_scale, _ = quant_of(ctx.graph, op.outputs[0])
    filter_q = ctx.graph.tensors[op.inputs[1]].quant
    if filter_q is None:
        raise EmitError(f"operator {op_index} {op.kind}: weights are not quantized")
    mults, shifts = quant.conv_per_channel(in_scale, filter_q.scale, out_scale, channels)
    return mults, shifts, f"{in_scale!r}/{out_scale!r}"


def _per_channel_quant(ctx: EmitContext, op_index: int, op: Operator, channels: int) -> str:
    """Per-output-channel multipliers and shifts as Flash arrays and their te_per_channel_quant."""
    mults, shifts, same = _scales(ctx, op_index, op, channels)
    # shared by operators with the same weights and scales (the patches of patch-based inference)
    m = ctx.array(
        op_index,
        "multiplier",
        "int32_t",
        np.array(mults),
        "per-channel Q31 multipliers",
        key=(op.inputs[1], f"multiplier/{same}"),
    )
    s = ctx.array(op_index, "shift", "int32_t", np.array(shifts), "per-channel shifts (> 0: left)",
                  key=(op.inputs[1], f"shift/{same}"))  # fmt: skip
    return ctx.struct(op_index, "quant", "te_per_channel_quant", {"multiplier": m, "shift": s})


IM2COL = ("te_conv_im2col_s8", "te_conv_im2col_rows_s8")  # the same packed filter and bias
STREAM = "te_conv_im2col_stream_s8"  # its own records: pack_conv_stream
PACKED_CONV = ("te_conv_1x1_s8", *IM2COL, STREAM)


def _operands(ctx: EmitContext, i: int, op: Operator) -> list[str]:
    """``input_dims, input, filter_dims, filter, bias, output_dims`` of a convolution."""
    g = ctx.graph
    src, weights, dst = op.inputs[0], op.inputs[1], op.outputs[0]
    bias = op.inputs[2] if len(op.inputs) > 2 else -1
    return [
        ctx.dims(i, "input_dims", g.tensors[src].shape), ctx.tensor(src),
        ctx.dims(i, "filter_dims", g.tensors[weights].shape), ctx.const_tensor(i, "filter", weights),
        ctx.const_tensor(i, "bias", bias),
        ctx.dims(i, "output_dims", g.tensors[dst].shape),
    ]  # fmt: skip


def _packed_operands(ctx: EmitContext, i: int, op: Operator, channels: int, fields: dict) -> list[str]:
    """``input_dims, input, filter_dims, filter, output_dims`` of te_conv_1x1_s8 / te_conv_im2col_s8.

    The filter is packed with the bias and the requantization constants (conv_layout), as words:
    4-byte aligned. A DEPTHWISE_CONV_2D on one input channel (te_conv_im2col_s8) passes its filter
    [1, kh, kw, M] as the CONV_2D filter [M, kh, kw, 1] (the same per-channel sums).
    """
    g = ctx.graph
    src, weights, dst = op.inputs[0], op.inputs[1], op.outputs[0]
    bias = op.inputs[2] if len(op.inputs) > 2 else -1
    tensor = g.tensors[weights]
    for t in (weights, bias):
        if t >= 0 and g.tensors[t].data is None:
            raise EmitError(f"constant tensor {t} {g.tensors[t].name!r} has no values")
    mults, shifts, same = _scales(ctx, i, op, channels)
    bias_values = g.tensors[bias].data if bias >= 0 else None
    data, shape = np.asarray(tensor.data), tuple(tensor.shape)
    if op.kind == "DEPTHWISE_CONV_2D":
        data, shape = data.transpose(3, 1, 2, 0), (shape[3], shape[1], shape[2], shape[0])
    if op.kernel in IM2COL:  # the input offset's part in the bias (te_conv.h)
        data = im2col_filter(data)
        shape = data.shape
        bias_values = im2col_bias(data, bias_values, int(fields["input_offset"]))
        same = f"{same}/in{fields['input_offset']}"
    if op.kernel == STREAM:
        offset = int(fields["output_offset"])
        packed = pack_conv_stream(data, bias_values, np.array(mults), np.array(shifts), offset)
        same = f"{same}/stream{fields['output_offset']}"
    elif op.kernel == "te_conv_1x1_s8":  # 8 or 16 input channels may get the small-K stream
        act = (fields["activation"]["min"], fields["activation"]["max"])
        packed = pack_conv_1x1_filter(data, bias_values, np.array(mults), np.array(shifts),
                                      fields["output_offset"], act)  # fmt: skip
    else:
        packed = pack_conv_filter(data, bias_values, np.array(mults), np.array(shifts))
    words = packed.view("<i4")
    small = f"/small/{fields['output_offset']}" if words[0] & 1 else ""  # rounds hold the offset
    text = (f"{tensor.name}: {'x'.join(map(str, tensor.shape))} int8 packed with bias, multipliers and right "
            "shifts per channel pair (te_conv.h)")  # fmt: skip
    key = (weights, f"filter_packed/{bias}/{same}{small}")
    name = ctx.array(i, "filter", "int32_t", words, text, key=key)
    return [
        ctx.dims(i, "input_dims", g.tensors[src].shape), ctx.tensor(src),
        ctx.dims(i, "filter_dims", shape), f"(const int8_t *){name}",
        ctx.dims(i, "output_dims", g.tensors[dst].shape),
    ]  # fmt: skip


def im2col_filter(filter_ohwi: np.ndarray) -> np.ndarray:
    """te_conv_im2col_s8's OHWI filter, its kernel rows widened with zero columns to whole words
    (kw * c a multiple of four) when that adds no group of four taps (3x3 on one channel: 3x4): the
    kernel then reads windows inside the input straight from its rows. Else the filter as it is."""
    n, kh, kw, c = (int(d) for d in filter_ohwi.shape)
    wide = im2col_width(kh, kw, c)
    if wide == kw:
        return np.asarray(filter_ohwi)
    out = np.zeros((n, kh, wide, c), np.int8)
    out[:, :, :kw, :] = filter_ohwi
    return out


def stream_pairs(kh: int, kw: int, c: int) -> list[tuple[int, int]]:
    """te_conv_im2col_stream_s8's tap pair order: flat OHWI tap indices (low, high), -1 for none.

    Kernel rows (span = kw * c taps) two at a time, rows a, b giving (a[j], b[j]) for every j; an
    odd last row r gives (r[0], r[1]), (r[2], r[3]), ... (r[span - 1], -1 when span is odd)."""
    span = kw * c
    pairs = []
    for ky in range(0, kh - 1, 2):
        pairs += [(ky * span + j, (ky + 1) * span + j) for j in range(span)]
    if kh % 2:
        base = (kh - 1) * span
        pairs += [(base + j, base + j + 1 if j + 1 < span else -1) for j in range(0, span, 2)]
    return pairs


def pack_conv_stream(filter_ohwi: np.ndarray, bias: np.ndarray | None, multiplier: np.ndarray,
                     shift: np.ndarray, output_offset: int) -> np.ndarray:  # fmt: skip
    """The records of ``te_conv_im2col_stream_s8`` (int8 bytes of little-endian int32 words; te_conv.h).

    Per output channel W + 4 words (W = 5 for at most 10 taps, else 6): ``2 * bias``, W words of
    doubled weights as int16 pairs in stream_pairs order (low half first, zero past the last pair),
    the multiplier, the rounding term ``(2 * output_offset + 1) << (e - 1)`` and the right shift
    ``e = -shift``. ValueError outside the kernel's range (stream_applies): multiplier < 0, e not in
    1..22, |bias| >= 2^29 or more than 12 taps."""
    n, kh, kw, c = (int(d) for d in filter_ohwi.shape)
    taps = kh * kw * c
    words = 5 if taps <= 10 else 6
    base = np.zeros(n, np.int64) if bias is None else np.asarray(bias, np.int64)
    mult, e = np.asarray(multiplier, np.int64), -np.asarray(shift, np.int64)
    if taps > 12 or np.any(mult < 0) or np.any((e < 1) | (e > 22)) or np.any(np.abs(base) >= 2**29):
        raise ValueError("te_conv_im2col_stream_s8: filter, bias or scales out of the stream's range")
    flat = np.asarray(filter_ohwi, np.int64).reshape(n, taps)
    doubled = np.concatenate([2 * flat, np.zeros((n, 1), np.int64)], axis=1)  # index -1: no tap
    out = np.zeros((n, words + 4), np.int64)
    out[:, 0] = 2 * base
    for i, (lo, hi) in enumerate(stream_pairs(kh, kw, c)):
        out[:, 1 + i] = (doubled[:, lo] & 0xFFFF) | (doubled[:, hi] << 16)
    out[:, words + 1] = mult
    out[:, words + 2] = (2 * int(output_offset) + 1) << (e - 1)
    out[:, words + 3] = e
    return ((out + 2**31) % 2**32 - 2**31).astype("<i4").view(np.int8).reshape(-1)


def im2col_bias(filter_ohwi: np.ndarray, bias: np.ndarray | None, input_offset: int) -> np.ndarray:
    """te_conv_im2col_s8's packed bias: bias + (input_offset - 128) * the sum of each output channel's
    weights (the kernel counts every input byte x as x + 128; te_conv.h). int64 per channel."""
    w = np.asarray(filter_ohwi, np.int64).reshape(len(filter_ohwi), -1)
    base = np.zeros(len(w), np.int64) if bias is None else np.asarray(bias, np.int64)
    return base + (int(input_offset) - 128) * w.sum(axis=1)


def _geometry(ctx: EmitContext, op: Operator) -> dict[str, object]:
    _, in_zp = quant_of(ctx.graph, op.inputs[0])
    _, out_zp = quant_of(ctx.graph, op.outputs[0])
    pad_top, pad_left = conv_padding(ctx.graph, op)
    return {
        "input_offset": -in_zp,
        "output_offset": out_zp,
        "stride_h": int(op.options.get("stride_h", 1)),
        "stride_w": int(op.options.get("stride_w", 1)),
        "pad_top": pad_top,
        "pad_left": pad_left,
        "dilation_h": int(op.options.get("dilation_h_factor", 1)),
        "dilation_w": int(op.options.get("dilation_w_factor", 1)),
    }


@emitter("te_conv_s8", "te_conv_1x1_s8", *IM2COL, STREAM, header="te_conv.h")
def emit_conv(ctx: EmitContext, i: int, op: Operator) -> str:
    """CONV_2D (and DEPTHWISE_CONV_2D on one input channel): params, per-channel quantization, OHWI
    weights, int32 bias (packed together for te_conv_1x1_s8 / te_conv_im2col_s8)."""
    out_channels = int(ctx.graph.tensors[op.outputs[0]].shape[-1])
    fields = {**_geometry(ctx, op), "activation": fused_activation(ctx, op)}
    params = ctx.struct(i, "params", "te_conv_params", fields)
    if op.kernel in PACKED_CONV:
        operands = _packed_operands(ctx, i, op, out_channels, fields)
    else:
        operands = [_per_channel_quant(ctx, i, op, out_channels), *_operands(ctx, i, op)]
    args = [params, *operands, ctx.tensor(op.outputs[0]), ctx.scratch(i, op.scratch_bytes)]
    return f"{op.kernel}({', '.join(args)})"


@emitter("te_depthwise_conv_s8", "te_depthwise_conv_inplace_s8", header="te_depthwise.h")
def emit_depthwise(ctx: EmitContext, i: int, op: Operator) -> str:
    """DEPTHWISE_CONV_2D; the in-place variant reads and writes one buffer."""
    g = ctx.graph
    src, dst = op.inputs[0], op.outputs[0]
    in_channels = int(g.tensors[src].shape[-1])
    out_channels = int(g.tensors[dst].shape[-1])
    fields = {**_geometry(ctx, op), "depth_multiplier": out_channels // in_channels,
              "activation": fused_activation(ctx, op)}  # fmt: skip
    params = ctx.struct(i, "params", "te_depthwise_params", fields)
    q = _per_channel_quant(ctx, i, op, out_channels)
    inplace = op.kernel == "te_depthwise_conv_inplace_s8"
    if inplace and ctx.offset(src) != ctx.offset(dst):
        # The planner kept the input alive (or placed the output apart): run out of place.
        op.kernel, inplace = "te_depthwise_conv_s8", False
    last = ctx.scratch(i, op.scratch_bytes) if inplace else ctx.tensor(dst)
    ctx.tensor(dst)  # the output's macro is defined either way (dumps, accessors)
    args = [params, q, *_operands(ctx, i, op), last]
    return f"{op.kernel}({', '.join(args)})"


@emitter("te_fully_connected_s8", "te_fully_connected_per_channel_s8", header="te_fully_connected.h")
def emit_fully_connected(ctx: EmitContext, i: int, op: Operator) -> str:
    """FULLY_CONNECTED: [batches][in] x [out][in]^T + bias."""
    g = ctx.graph
    src, weights, dst = op.inputs[0], op.inputs[1], op.outputs[0]
    bias = op.inputs[2] if len(op.inputs) > 2 else -1
    out_features, in_features = (int(d) for d in g.tensors[weights].shape)
    batches = g.tensors[src].size // in_features
    in_scale, in_zp = quant_of(g, src)
    out_scale, out_zp = quant_of(g, dst)
    filter_q = g.tensors[weights].quant
    if filter_q is None:
        raise EmitError(f"operator {i} FULLY_CONNECTED: weights are not quantized")
    params = ctx.struct(i, "params", "te_fully_connected_params", {
        "input_offset": -in_zp, "filter_offset": -filter_q.zero_point[0], "output_offset": out_zp,
        "activation": fused_activation(ctx, op),
    })  # fmt: skip
    if op.kernel == "te_fully_connected_per_channel_s8":
        q = _per_channel_quant(ctx, i, op, out_features)
    else:
        m, s = quant.fully_connected_per_tensor(in_scale, filter_q.scale[0], out_scale)
        q = ctx.struct(i, "quant", "te_per_tensor_quant", {"multiplier": m, "shift": s})
    dims = ctx.struct(
        i,
        "dims",
        "te_fully_connected_dims",
        {"batches": batches, "in_features": in_features, "out_features": out_features},
    )
    args = [params, q, dims, ctx.tensor(src), ctx.const_tensor(i, "filter", weights),
            ctx.const_tensor(i, "bias", bias), ctx.tensor(dst)]  # fmt: skip
    return f"{op.kernel}({', '.join(args)})"
