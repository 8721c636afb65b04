"""Kernel selection: pick the runtime kernel of every operator, its scratch and in-place flag.

For each operator this pass sets ``op.kernel`` (the tinyengine-runtime function the
backend calls), ``op.scratch_bytes`` (the kernel's scratch buffer; equal to the
runtime's ``te_<kernel>_scratch_bytes()`` for the same shapes) and ``op.inplace``
(the output may be placed at the input's offset). The memory planner reads all three.

Rules, in the words of the design:
- CONV_2D: ``te_conv_1x1_s8`` for 1x1 unpadded convolutions (any stride),
  ``te_conv_3x3_c3_s8`` for 3x3 convolutions on 3 input channels, ``te_conv_s8`` otherwise.
- DEPTHWISE_CONV_2D: ``te_depthwise_conv_inplace_s8`` when the input dies at this
  operator (one consumer, not a graph input or output) and the channel count is kept
  (depth multiplier 1); ``te_depthwise_conv_s8`` otherwise.
- Elementwise operators (ADD, QUANTIZE float->int8 or int8->int8) may write onto an
  input that dies at the operator; views (RESHAPE, SQUEEZE) always share memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinyengine_codegen.errors import UnsupportedModelError
from tinyengine_codegen.ir.graph import Graph, Operator

VIEW_KINDS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")


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
    for index, op in enumerate(graph.operators):
        try:
            choice = choose_kernel(graph, index)
        except UnsupportedModelError as exc:
            unsupported.append(f"#{index} {op.kind} ({exc})")
            continue
        op.kernel, op.scratch_bytes, op.inplace = choice.kernel, choice.scratch_bytes, choice.inplace
    if unsupported:
        raise UnsupportedModelError("unsupported operators: " + "; ".join(unsupported))
    return graph


def choose_kernel(graph: Graph, op_index: int) -> KernelChoice:
    """The kernel choice for one operator of the graph."""
    op = graph.operators[op_index]
    chooser = _CHOOSERS.get(op.kind)
    if chooser is None:
        raise UnsupportedModelError("no runtime kernel for this operator")
    return chooser(graph, op_index, op)


def input_dies_at(graph: Graph, op_index: int, tensor_index: int) -> bool:
    """True when ``tensor_index`` is last read by operator ``op_index`` and may be overwritten."""
    if tensor_index in graph.inputs or tensor_index in graph.outputs:
        return False
    if graph.tensors[tensor_index].is_const:
        return False
    return graph.consumers(tensor_index) == [op_index]


def conv_padding(graph: Graph, op: Operator) -> tuple[int, int]:
    """(pad_top, pad_left) of a convolution or pooling, as TFLite computes it.

    SAME padding follows tflite::ComputePaddingHeightWidth (the odd remainder goes to the
    bottom/right); explicit ``pad_top``/``pad_left`` options (a PAD folded in by the passes)
    come on top.
    """
    pads = [int(op.options.get("pad_top", 0)), int(op.options.get("pad_left", 0))]
    if op.options.get("padding", "VALID") == "SAME":
        src, dst = graph.tensors[op.inputs[0]].shape, graph.tensors[op.outputs[0]].shape
        kernel = _window_hw(graph, op)
        dilation = (int(op.options.get("dilation_h_factor", 1)), int(op.options.get("dilation_w_factor", 1)))
        for axis in (0, 1):
            effective = (kernel[axis] - 1) * dilation[axis] + 1
            total = (int(dst[1 + axis]) - 1) * _strides(op)[axis] + effective - int(src[1 + axis])
            pads[axis] += max(total, 0) // 2
    return pads[0], pads[1]


def _has_padding(graph: Graph, op: Operator) -> bool:
    if any(int(op.options.get(k, 0)) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right")):
        return True
    return op.options.get("padding", "VALID") == "SAME" and _window_hw(graph, op) != (1, 1)


def _window_hw(graph: Graph, op: Operator) -> tuple[int, int]:
    if "filter_height" in op.options:  # pooling
        return int(op.options["filter_height"]), int(op.options["filter_width"])
    return _filter_hw(graph, op)


def _filter_hw(graph: Graph, op: Operator) -> tuple[int, int]:
    shape = graph.tensors[op.inputs[1]].shape  # CONV: OHWI, DEPTHWISE: 1HWC
    return int(shape[1]), int(shape[2])


def _strides(op: Operator) -> tuple[int, int]:
    return int(op.options.get("stride_h", 1)), int(op.options.get("stride_w", 1))


def _dilated(op: Operator) -> bool:
    factors = (op.options.get("dilation_h_factor", 1), op.options.get("dilation_w_factor", 1))
    return any(int(f) != 1 for f in factors)


def _channels(graph: Graph, tensor_index: int) -> int:
    return int(graph.tensors[tensor_index].shape[-1])


def _choose_conv(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
    kh, kw = _filter_hw(graph, op)
    c_in = _channels(graph, op.inputs[0])
    if (kh, kw) == (1, 1) and not _dilated(op) and not _has_padding(graph, op):
        # te_conv_1x1_s8_scratch_bytes(): one int16 column of the input's channels.
        return KernelChoice("te_conv_1x1_s8", scratch_bytes=2 * c_in)
    if (kh, kw) == (3, 3) and c_in == 3:
        # te_conv_3x3_c3_s8_scratch_bytes(): a 27-value int16 column.
        return KernelChoice("te_conv_3x3_c3_s8", scratch_bytes=2 * 27)
    # te_conv_s8_scratch_bytes(): one int16 column of kh * kw * c_in.
    return KernelChoice("te_conv_s8", scratch_bytes=2 * kh * kw * c_in)


def _choose_depthwise(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
    if _dilated(op):
        raise UnsupportedModelError("dilated depthwise convolution")
    src, dst = op.inputs[0], op.outputs[0]
    same_channels = _channels(graph, src) == _channels(graph, dst)
    if same_channels and input_dies_at(graph, op_index, src):
        shape = graph.tensors[src].shape
        plane = int(shape[1]) * int(shape[2])
        return KernelChoice("te_depthwise_conv_inplace_s8", scratch_bytes=plane, inplace=True)
    return KernelChoice("te_depthwise_conv_s8", scratch_bytes=0)


def _choose_fully_connected(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
    return KernelChoice("te_fully_connected_s8")


def _elementwise(kernel: str, same_bytes: bool = True):
    def choose(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
        out = graph.tensors[op.outputs[0]]
        inplace = any(
            input_dies_at(graph, op_index, t)
            and graph.tensors[t].shape == out.shape
            and (graph.tensors[t].nbytes == out.nbytes or not same_bytes)
            for t in op.inputs
        )
        return KernelChoice(kernel, inplace=inplace)

    return choose


def _choose_quantize(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
    src = graph.tensors[op.inputs[0]].dtype
    dst = graph.tensors[op.outputs[0]].dtype
    if src == "float32" and dst == "int8":
        # int8 element i is written after float element i is read, at a lower address: safe.
        return _elementwise("te_quantize_f32_s8", same_bytes=False)(graph, op_index, op)
    if src == "int8" and dst == "int8":
        return _elementwise("te_requantize_s8")(graph, op_index, op)
    raise UnsupportedModelError(f"QUANTIZE from {src} to {dst}")


def _choose_dequantize(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
    src = graph.tensors[op.inputs[0]].dtype
    dst = graph.tensors[op.outputs[0]].dtype
    if (src, dst) != ("int8", "float32"):
        raise UnsupportedModelError(f"DEQUANTIZE from {src} to {dst}")
    return KernelChoice("te_dequantize_s8_f32")


def _choose_softmax(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
    dtype = graph.tensors[op.inputs[0]].dtype
    kernels = {"int8": "te_softmax_s8", "float32": "te_softmax_f32"}
    if dtype not in kernels:
        raise UnsupportedModelError(f"SOFTMAX on {dtype}")
    return KernelChoice(kernels[dtype])


def _choose_log_softmax(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
    dtype = graph.tensors[op.inputs[0]].dtype
    kernels = {"int8": "te_log_softmax_s8", "float32": "te_log_softmax_f32"}
    if dtype not in kernels:
        raise UnsupportedModelError(f"LOG_SOFTMAX on {dtype}")
    return KernelChoice(kernels[dtype])


def _choose_view(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
    # Same bytes, another shape: the output lives at the input's offset, nothing to run.
    return KernelChoice(None, inplace=True)


def _simple(kernel: str):
    def choose(graph: Graph, op_index: int, op: Operator) -> KernelChoice:
        return KernelChoice(kernel)

    return choose


_CHOOSERS = {
    "CONV_2D": _choose_conv,
    "DEPTHWISE_CONV_2D": _choose_depthwise,
    "FULLY_CONNECTED": _choose_fully_connected,
    "ADD": _elementwise("te_add_s8"),
    "QUANTIZE": _choose_quantize,
    "DEQUANTIZE": _choose_dequantize,
    "SOFTMAX": _choose_softmax,
    "LOG_SOFTMAX": _choose_log_softmax,
    "AVERAGE_POOL_2D": _simple("te_avg_pool_s8"),
    "MAX_POOL_2D": _simple("te_max_pool_s8"),
    "MEAN": _simple("te_mean_s8"),
    "TRANSPOSE": _simple("te_transpose_s8"),
    **{kind: _choose_view for kind in VIEW_KINDS},
}
