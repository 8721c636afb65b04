"""Window geometry of convolutions and pools: output sizes and padding amounts (TFLite rules)."""

from __future__ import annotations

from tinyengine_codegen.ir.graph import Operator, Tensor

WINDOW_OPS = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D"})
PAD_KEYS = ("pad_top", "pad_bottom", "pad_left", "pad_right")


def out_size(size: int, kernel: int, stride: int, padding: str, dilation: int = 1) -> int:
    """Output length of one spatial axis for TFLite ``SAME``/``VALID`` padding."""
    effective = (kernel - 1) * dilation + 1
    if padding == "SAME":
        return (size + stride - 1) // stride
    return (size - effective + stride) // stride


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) padding of TFLite ``SAME`` on one axis: the extra pixel goes after."""
    effective = (kernel - 1) * dilation + 1
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def window_hw(tensors: list[Tensor], op: Operator) -> tuple[int, int]:
    """Filter (kh, kw) of a window operator: from the weights (OHWI / 1HWC) or the pool options."""
    if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        shape = tensors[op.inputs[1]].shape
        return int(shape[1]), int(shape[2])
    return int(op.options.get("filter_height", 1)), int(op.options.get("filter_width", 1))


def explicit_padding(op: Operator, in_h: int, in_w: int, kh: int, kw: int) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) padding of a window operator from its TFLite options."""
    if any(key in op.options for key in PAD_KEYS):
        return tuple(int(op.options.get(key, 0)) for key in PAD_KEYS)
    if op.options.get("padding") != "SAME":
        return (0, 0, 0, 0)
    sh, sw = int(op.options.get("stride_h", 1)), int(op.options.get("stride_w", 1))
    dh, dw = int(op.options.get("dilation_h_factor", 1)), int(op.options.get("dilation_w_factor", 1))
    return same_padding(in_h, kh, sh, dh) + same_padding(in_w, kw, sw, dw)
