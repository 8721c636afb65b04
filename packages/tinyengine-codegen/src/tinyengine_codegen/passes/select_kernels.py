"""Kernel selection: pick the runtime kernel of every operator, its scratch and in-place flag.

For each operator this pass sets ``op.kernel`` (the tinyengine-runtime function the
backend calls), ``op.scratch_bytes`` (the kernel's scratch buffer; equal to the
runtime's ``te_<kernel>_scratch_bytes()`` for the same shapes) and ``op.inplace``
(the output may be placed at the input's offset). The memory planner reads all three.

Rules, in the words of the design:
- CONV_2D: ``te_conv_1x1_s8`` for 1x1 unpadded convolutions (any stride),
  ``te_conv_im2col_s8`` for windows of at most 128 taps (kh * kw * in_channels: stems;
  ``te_conv_im2col_rows_s8`` when the packed kernel rows are whole words: im2col_kernel;
  ``te_conv_im2col_stream_s8`` before both where stream_applies: at most 12 taps),
  ``te_conv_s8`` otherwise.
- DEPTHWISE_CONV_2D: ``te_depthwise_conv_inplace_s8`` when the input dies at this
  operator (one consumer, not a graph input or output) and the channel count is kept
  (depth multiplier 1); on one input channel ``te_conv_im2col_s8`` / ``_rows_s8`` (the backend passes the
  filter [1, kh, kw, M] as the CONV_2D filter [M, kh, kw, 1]); ``te_depthwise_conv_s8`` otherwise.
- Elementwise operators (ADD, SUB, MUL, activations, softmax, QUANTIZE float->int8 or
  int8->int8) may write onto an input that dies at the operator, a graph input included
  (``<prefix>_invoke`` may clobber its inputs); views (RESHAPE, SQUEEZE) share memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinyengine_codegen.backend import quant
from tinyengine_codegen.errors import UnsupportedModelError
from tinyengine_codegen.geometry import explicit_padding, window_hw
from tinyengine_codegen.ir.graph import Graph, Operator
from tinyengine_codegen.passes.graph_util import consumer_map

VIEW_KINDS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")
IM2COL_MAX_TAPS = 128  # TE_CONV_IM2COL_MAX_TAPS (te_conv.h)
Readers = dict[int, list[int]]  # tensor index -> operators reading it (passes.graph_util.consumer_map)


@dataclass(frozen=True)
class KernelChoice:
    """What the backend calls for one operator, and what the planner must reserve."""

    kernel: str | None
    scratch_bytes: int = 0
    inplace: bool = False


def select_kernels(graph: Graph) -> Graph:
    """Annotate every operator of ``graph`` with its kernel, scratch bytes and in-place flag.

    Raises UnsupportedModelError naming every operator no kernel implements.
    """
    unsupported = []
    readers = consumer_map(graph)
    for index, op in enumerate(graph.operators):
        try:
            choice = choose_kernel(graph, index, readers)
        except UnsupportedModelError as exc:
            unsupported.append(f"#{index} {op.kind} ({exc})")
            continue
        op.kernel, op.scratch_bytes, op.inplace = choice.kernel, choice.scratch_bytes, choice.inplace
    if unsupported:
        raise UnsupportedModelError("unsupported operators: " + "; ".join(unsupported))
    return graph


def choose_kernel(graph: Graph, op_index: int, readers: Readers | None = None) -> KernelChoice:
    """The kernel choice for one operator; ``readers`` is the graph's consumer map (computed if absent)."""
    op = graph.operators[op_index]
    chooser = _CHOOSERS.get(op.kind)
    if chooser is None:
        raise UnsupportedModelError("no runtime kernel for this operator")
    return chooser(graph, op_index, op, readers if readers is not None else consumer_map(graph))


def input_dies_at(
    graph: Graph, op_index: int, tensor_index: int, readers: Readers, graph_input_ok: bool = False
) -> bool:
    """True when ``tensor_index`` is last read by operator ``op_index`` and may be overwritten.

    A graph input may be overwritten only when ``graph_input_ok`` (the API lets ``invoke``
    clobber its inputs; applications write them before every call).
    """
    if tensor_index in graph.outputs or (tensor_index in graph.inputs and not graph_input_ok):
        return False
    if graph.tensors[tensor_index].is_const:
        return False
    return readers.get(tensor_index, []) == [op_index]


def conv_padding(graph: Graph, op: Operator) -> tuple[int, int]:
    """(pad_top, pad_left) of a convolution or pool: its explicit padding (geometry module)."""
    top, _, left, _ = _padding(graph, op)
    return top, left


def _padding(graph: Graph, op: Operator) -> tuple[int, int, int, int]:
    shape = graph.tensors[op.inputs[0]].shape
    kh, kw = window_hw(graph.tensors, op)
    return explicit_padding(op, int(shape[1]), int(shape[2]), kh, kw)


def _has_padding(graph: Graph, op: Operator) -> bool:
    return any(_padding(graph, op))


def _dilated(op: Operator) -> bool:
    factors = (op.options.get("dilation_h_factor", 1), op.options.get("dilation_w_factor", 1))
    return any(int(f) != 1 for f in factors)


def _channels(graph: Graph, tensor_index: int) -> int:
    return int(graph.tensors[tensor_index].shape[-1])


def _bias_packs(graph: Graph, op: Operator) -> bool:
    """True when |bias| < 2^30: the packed filter of te_conv_1x1_s8 / te_conv_im2col_s8 holds it doubled.

    A bias without values (a netspec being priced) counts as fitting.
    """
    bias = op.inputs[2] if len(op.inputs) > 2 else -1
    data = graph.tensors[bias].data if bias >= 0 else None
    return data is None or not np.any(np.abs(np.asarray(data, np.int64)) >= 2**30)


def _choose_conv(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    kh, kw = window_hw(graph.tensors, op)
    c_in = _channels(graph, op.inputs[0])
    if not _bias_packs(graph, op):
        return KernelChoice("te_conv_s8", scratch_bytes=2 * kh * kw * c_in)
    if (kh, kw) == (1, 1) and not _dilated(op) and not _has_padding(graph, op):
        # te_conv_1x1_s8_scratch_bytes(): 1..4 sub-blocks (as many as fit in 512 bytes), each an
        # int16 column of three pixels' channels (rounded up to a multiple of four) and a 12-byte end mark.
        column = 6 * ((c_in + 3) // 4 * 4) + 12
        return KernelChoice("te_conv_1x1_s8", scratch_bytes=min(4, max(1, 512 // column)) * column)
    if stream_applies(graph, op, kh * kw * c_in):
        return KernelChoice("te_conv_im2col_stream_s8", scratch_bytes=0)
    if kh * kw * c_in <= IM2COL_MAX_TAPS and _im2col_bias_fits(graph, op):
        scratch = conv_im2col_scratch(kh * kw * c_in)
        return KernelChoice(im2col_kernel(kh, kw, c_in, _dilated(op)), scratch_bytes=scratch)
    # te_conv_s8_scratch_bytes(): one int16 column of kh * kw * c_in.
    return KernelChoice("te_conv_s8", scratch_bytes=2 * kh * kw * c_in)


def _choose_depthwise(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    src, dst = op.inputs[0], op.outputs[0]
    same_channels = _channels(graph, src) == _channels(graph, dst)
    batch_one = int(graph.tensors[src].shape[0]) == 1
    if same_channels and batch_one and not _dilated(op) and input_dies_at(graph, op_index, src, readers):
        kh, kw = window_hw(graph.tensors, op)
        strides = (int(op.options.get("stride_h", 1)), int(op.options.get("stride_w", 1)))
        shapes = graph.tensors[src].shape, graph.tensors[dst].shape
        plane = depthwise_inplace_scratch(*shapes, (kh, kw), strides, pads=conv_padding(graph, op))
        return KernelChoice("te_depthwise_conv_inplace_s8", scratch_bytes=plane, inplace=True)
    kh, kw = window_hw(graph.tensors, op)
    if _channels(graph, src) == 1 and stream_applies(graph, op, kh * kw):
        return KernelChoice("te_conv_im2col_stream_s8", scratch_bytes=0)
    if _channels(graph, src) == 1 and kh * kw <= IM2COL_MAX_TAPS and _im2col_bias_fits(graph, op):
        scratch = conv_im2col_scratch(kh * kw)
        return KernelChoice(im2col_kernel(kh, kw, 1, _dilated(op)), scratch_bytes=scratch)
    return KernelChoice("te_depthwise_conv_s8", scratch_bytes=0)


def _im2col_bias_fits(graph: Graph, op: Operator) -> bool:
    """True when te_conv_im2col_s8's packed biases (backend.ops_conv.im2col_bias: the bias plus
    (input offset - 128) times the channel's weight sum) stay under 2^29 in magnitude (its Cortex-M
    accumulators). Weights or quantization without values (a netspec being priced) count as fitting.
    """
    weights = graph.tensors[op.inputs[1]]
    quant = graph.tensors[op.inputs[0]].quant
    if weights.data is None or quant is None:
        return True
    bias = op.inputs[2] if len(op.inputs) > 2 else -1
    data = np.asarray(weights.data, np.int64)
    sums = data.sum(axis=(1, 2, 3)) if op.kind == "CONV_2D" else data.sum(axis=(0, 1, 2))
    folded = (-int(quant.zero_point[0]) - 128) * sums
    if bias >= 0 and graph.tensors[bias].data is not None:
        folded = folded + np.asarray(graph.tensors[bias].data, np.int64)
    return not np.any(np.abs(folded) >= 2**29)


STREAM_MAX_TAPS = 12  # TE_CONV_STREAM_MAX_TAPS (te_conv.h)


def stream_applies(graph: Graph, op: Operator, taps: int) -> bool:
    """True when te_conv_im2col_stream_s8 runs the layer (its records, backend.ops_conv.pack_conv_stream):
    a window of at most 12 taps, no dilation, an even count of at least 8 output channels, the whole
    int8 activation range, per channel multiplier >= 0 and right shift 1..22 (te_requant2), |bias| < 2^29.
    Weights or quantization without values (a netspec being priced) count as fitting."""
    out_c = _channels(graph, op.outputs[0])
    if taps > STREAM_MAX_TAPS or _dilated(op) or out_c < 8 or out_c % 2:
        return False
    weights = graph.tensors[op.inputs[1]]
    in_q, out_q = graph.tensors[op.inputs[0]].quant, graph.tensors[op.outputs[0]].quant
    if weights.quant is None or in_q is None or out_q is None:
        return True
    fused = op.options.get("fused_activation", "NONE")
    if tuple(quant.activation_range(fused, out_q.scale[0], out_q.zero_point[0])) != (-128, 127):
        return False
    mults, shifts = quant.conv_per_channel(in_q.scale[0], weights.quant.scale, out_q.scale[0], out_c)
    if any(m < 0 or not -22 <= s <= -1 for m, s in zip(mults, shifts, strict=True)):
        return False
    bias = op.inputs[2] if len(op.inputs) > 2 else -1
    data = graph.tensors[bias].data if bias >= 0 else None
    return data is None or not np.any(np.abs(np.asarray(data, np.int64)) >= 2**29)


def im2col_width(kh: int, kw: int, c: int) -> int:
    """The kernel width te-gen packs a te_conv_im2col_s8 filter with (backend.ops_conv.im2col_filter):
    kw widened by zero columns until kw * c is a multiple of four when that adds no group of four
    taps (3x3 on one channel: 4), else kw."""
    wide = kw
    while (wide * c) % 4:
        wide += 1
    return wide if kh * wide * c == -(-(kh * kw * c) // 4) * 4 else kw


def im2col_kernel(kh: int, kw: int, c: int, dilated: bool) -> str:
    """``te_conv_im2col_rows_s8`` when the packed kernel rows are whole words (im2col_width(...) * c
    a multiple of four, no dilation), else ``te_conv_im2col_s8``."""
    rows = not dilated and im2col_width(kh, kw, c) * c % 4 == 0
    return "te_conv_im2col_rows_s8" if rows else "te_conv_im2col_s8"


def conv_im2col_scratch(taps: int) -> int:
    """te_conv_im2col_s8_scratch_bytes() for a window of ``taps`` = kh * kw * in_channels.

    An int16 column of three pixels' taps (rounded up to a multiple of four), a 12-byte end mark
    and three byte patches: 9 * round4(taps) + 12.
    """
    return 9 * ((taps + 3) // 4 * 4) + 12


def depthwise_inplace_scratch(
    in_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    kernel: tuple[int, int],
    strides: tuple[int, int],
    dilations: tuple[int, int] = (1, 1),
    pads: tuple[int, int] | None = None,
) -> int:
    """te_depthwise_conv_inplace_s8_scratch_bytes() for NHWC shapes, a kernel (kh, kw) and the
    operator's (pad_top, pad_left) (None: TFLite's SAME / VALID padding for these shapes).

    Square 3/5/7 kernels without dilation: the padded plane of the fast path, ((out_h - 1) *
    stride_h + k) * ((out_w - 1) * stride_w + k), or four channels of the input (4 * in_h * in_w)
    on small maps (at most 64 bytes, or no more than the plane, or at most 400 bytes under stride
    2 x 2) plus 8 bytes per output pixel window (every pixel's up to 36 output pixels, else 9);
    other kernels: one input channel, in_h * in_w.
    """
    kh, kw = kernel
    pixels = int(in_shape[1]) * int(in_shape[2])
    if kh == kw and kh in (3, 5, 7) and tuple(dilations) == (1, 1):
        plane = ((int(out_shape[1]) - 1) * strides[0] + kh) * ((int(out_shape[2]) - 1) * strides[1] + kw)
        small = 400 if tuple(strides) == (2, 2) else 64
        if 4 * pixels <= max(plane, small):
            outputs = int(out_shape[1]) * int(out_shape[2])
            return 4 * pixels + 8 * (outputs if outputs <= 36 else 9)
        direct = depthwise_s2_direct_rows(in_shape, out_shape, kh, strides, pads)
        if direct is not None:
            ytop, ybot = direct
            oh, pw = int(out_shape[1]), (int(out_shape[2]) - 1) * 2 + kh
            bottom = 2 * (oh - 1 - ybot) + kh if ybot < oh else 0
            return (2 * (ytop - 1) + kh + bottom) * pw
        return plane
    return pixels


def depthwise_s2_direct_rows(
    in_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    k: int,
    strides: tuple[int, int],
    pads: tuple[int, int] | None = None,
) -> tuple[int, int] | None:
    """te_dw_s2_direct(): (ytop, ybot) of a 3x3 stride-2 in-place depthwise read straight from its
    buffer (rows [0, ytop) and [ybot, out_h) from padded copies of their input rows), else None.

    ``pads``: (pad_top, pad_left), the operator's explicit padding (patches have their own); None:
    TFLite's (SAME or VALID: the same formula for both given the output size).
    """
    in_h, in_w, oh, ow = int(in_shape[1]), int(in_shape[2]), int(out_shape[1]), int(out_shape[2])
    if k != 3 or tuple(strides) != (2, 2) or ow < 12:
        return None
    if pads is None:
        pads = (max((oh - 1) * 2 + k - in_h, 0) // 2, max((ow - 1) * 2 + k - in_w, 0) // 2)
    pt, pl = int(pads[0]), int(pads[1])
    pr = (ow - 1) * 2 + k - pl - in_w
    if pl > 1 or pr > 1:
        return None
    need = 2 * ow + pt * in_w + pl  # (y + 2) * ow <= (2y - pt) * in_w - pl: y * (2 in_w - ow) >= need
    y = max(-(-need // (2 * in_w - ow)), (pt + 2) // 2 if pl > 0 else 1)
    last = in_h - 1 - (pr > 0) + pt - k + 1
    ybot = min(last // 2 + 1 if last >= 0 else 0, oh)
    return (y, ybot) if ybot - y >= 2 else None


def _choose_fully_connected(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    weights = graph.tensors[op.inputs[1]]
    quant = weights.quant
    # int8 weights (zero point 0; a netspec's shapes-only graph has no quantization yet), a
    # multiple of four inputs and two outputs or more: packed weights, rows in pairs
    # (backend/ops_fully_connected.py). One output: the row-major kernel (the same dot product,
    # less set-up).
    symmetric = quant is None or all(int(z) == 0 for z in quant.zero_point)
    out_features, in_features = int(weights.shape[0]), int(weights.shape[-1])
    if weights.dtype == "int8" and symmetric and in_features % 4 == 0 and out_features >= 2:
        return KernelChoice("te_fully_connected_packed_s8")
    if quant is not None and quant.per_channel:
        return KernelChoice("te_fully_connected_per_channel_s8")
    return KernelChoice("te_fully_connected_s8")


def _elementwise(kernel: str, same_bytes: bool = True):
    def choose(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
        out = graph.tensors[op.outputs[0]]
        inplace = any(
            input_dies_at(graph, op_index, t, readers, graph_input_ok=True)
            and graph.tensors[t].shape == out.shape
            and (graph.tensors[t].nbytes == out.nbytes or not same_bytes)
            for t in op.inputs
        )
        return KernelChoice(kernel, inplace=inplace)

    return choose


def _choose_add(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    # Same shapes (residual ADDs): one table input and one shifted input per element, the table
    # precomputed by te-gen (backend/add_table.py); broadcasting takes the general kernel.
    out = graph.tensors[op.outputs[0]]
    same = all(graph.tensors[t].shape == out.shape for t in op.inputs)
    return _elementwise("te_add_table_s8" if same and out.dtype == "int8" else "te_add_s8")(
        graph, op_index, op, readers
    )


def _choose_quantize(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    src = graph.tensors[op.inputs[0]].dtype
    dst = graph.tensors[op.outputs[0]].dtype
    if src == "float32" and dst == "int8":
        # int8 element i is written after float element i is read, at a lower address: safe.
        return _elementwise("te_quantize_f32_s8", same_bytes=False)(graph, op_index, op, readers)
    if src == "int8" and dst == "int8":
        return _elementwise("te_requantize_s8_s8")(graph, op_index, op, readers)
    raise UnsupportedModelError(f"QUANTIZE from {src} to {dst}")


def _choose_dequantize(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    src = graph.tensors[op.inputs[0]].dtype
    dst = graph.tensors[op.outputs[0]].dtype
    if (src, dst) != ("int8", "float32"):
        raise UnsupportedModelError(f"DEQUANTIZE from {src} to {dst}")
    return KernelChoice("te_dequantize_s8_f32")


def _choose_softmax(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    kernels = {"SOFTMAX": "te_softmax_s8", "LOG_SOFTMAX": "te_log_softmax_s8"}
    dtype = graph.tensors[op.inputs[0]].dtype
    if dtype == "float32" and op.kind == "LOG_SOFTMAX":
        return _elementwise("te_log_softmax_f32")(graph, op_index, op, readers)
    if dtype != "int8":
        raise UnsupportedModelError(f"{op.kind} on {dtype}")
    return _elementwise(kernels[op.kind])(graph, op_index, op, readers)


def _choose_mean(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    if mean_axes(graph, op) is None:
        raise UnsupportedModelError("MEAN over axes that are not contiguous")
    return KernelChoice("te_mean_hw_s8")


def mean_axes(graph: Graph, op: Operator) -> tuple[int, int, int] | None:
    """(outer, reduced, inner) element counts of a MEAN over contiguous axes, else None."""
    shape = graph.tensors[op.inputs[0]].shape
    data = graph.tensors[op.inputs[1]].data if len(op.inputs) > 1 and op.inputs[1] >= 0 else None
    if data is None:
        return None
    axes = sorted({int(a) % len(shape) for a in data.reshape(-1)})
    if axes != list(range(axes[0], axes[-1] + 1)):
        return None

    def count(dims: tuple[int, ...]) -> int:
        n = 1
        for d in dims:
            n *= int(d)
        return n

    return count(shape[: axes[0]]), count(shape[axes[0] : axes[-1] + 1]), count(shape[axes[-1] + 1 :])


def _choose_view(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
    # Same bytes, another shape: the planner puts the output at the input's offset, and
    # te_reshape_s8 copies nothing then (it only moves bytes between distinct buffers).
    return KernelChoice("te_reshape_s8", inplace=True)


def _simple(kernel: str):
    def choose(graph: Graph, op_index: int, op: Operator, readers: Readers) -> KernelChoice:
        return KernelChoice(kernel)

    return choose


_CHOOSERS = {
    "CONV_2D": _choose_conv,
    "DEPTHWISE_CONV_2D": _choose_depthwise,
    "FULLY_CONNECTED": _choose_fully_connected,
    "ADD": _choose_add,
    "SUB": _elementwise("te_sub_s8"),
    "MUL": _elementwise("te_mul_s8"),
    "QUANTIZE": _choose_quantize,
    "DEQUANTIZE": _choose_dequantize,
    "SOFTMAX": _choose_softmax,
    "LOG_SOFTMAX": _choose_softmax,
    "LOGISTIC": _elementwise("te_logistic_s8"),
    "HARD_SWISH": _elementwise("te_hard_swish_s8"),
    "LEAKY_RELU": _elementwise("te_leaky_relu_s8"),
    "AVERAGE_POOL_2D": _simple("te_avgpool_s8"),
    "MAX_POOL_2D": _simple("te_maxpool_s8"),
    "MEAN": _choose_mean,
    "TRANSPOSE": _simple("te_transpose_s8"),
    "PAD": _simple("te_pad_s8"),
    "PADV2": _simple("te_pad_s8"),
    "CONCATENATION": _simple("te_concatenation_s8"),
    "STRIDED_SLICE": _simple("te_strided_slice_s8"),
    "RESIZE_NEAREST_NEIGHBOR": _simple("te_resize_nearest_s8"),
    **{kind: _choose_view for kind in VIEW_KINDS},
}
