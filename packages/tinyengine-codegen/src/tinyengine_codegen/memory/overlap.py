"""Overlapped buffers: how far below a dying input an operator's output may start.

The runtime's window kernels (convolutions, out-of-place depthwise, pooling) keep a contract
written in their headers: output pixels are written in raster order, and once any byte of output
pixel ``p`` is written the kernel reads only input pixels inside the windows of output pixels
``>= p``. So output pixel ``p`` may overwrite every input pixel before ``m(p)``, the first input
pixel a window of ``q >= p`` touches. The output may therefore start ``D`` bytes below the
input (and anywhere lower), with

    D = max over p of ((p + 1) * out_pixel_bytes - m(p) * in_pixel_bytes),

which the planner uses as a placement constraint (``D < 0``: the output may even start above
the input). The validator checks plans with its own per-input-pixel rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinyengine_codegen.geometry import explicit_padding, window_hw
from tinyengine_codegen.ir.graph import DTYPE_BYTES, Graph

# Kernels whose header states the raster-order overlap contract.
OVERLAP_KERNELS = frozenset(
    {"te_conv_s8", "te_conv_1x1_s8", "te_conv_im2col_s8", "te_conv_im2col_rows_s8", "te_depthwise_conv_s8"}
    | {"te_avgpool_s8", "te_maxpool_s8", "te_conv_im2col_stream_s8"}
)


@dataclass(frozen=True)
class Window:
    """The geometry of one window operator on a batch-1 NHWC tensor (pixel sizes in bytes)."""

    in_h: int
    in_w: int
    in_pixel: int
    out_h: int
    out_w: int
    out_pixel: int
    stride_h: int
    stride_w: int
    pad_top: int
    pad_left: int


def overlap_distance(win: Window) -> int:
    """The smallest ``D`` such that the output may start ``D`` bytes below the input."""
    rows = np.maximum(np.arange(win.out_h, dtype=np.int64) * win.stride_h - win.pad_top, 0)
    cols = np.maximum(np.arange(win.out_w, dtype=np.int64) * win.stride_w - win.pad_left, 0)
    rows = np.minimum(rows, win.in_h - 1)
    cols = np.minimum(cols, win.in_w - 1)
    first = rows[:, None] * win.in_w + cols[None, :]  # first input pixel of each window
    # windows start in raster order within a row, and later rows start at column 0 of a row >= this one
    later = np.append(rows[1:] * win.in_w, np.iinfo(np.int64).max)
    needed = np.minimum(first, later[:, None])
    p = np.arange(win.out_h * win.out_w, dtype=np.int64).reshape(win.out_h, win.out_w)
    return int(np.max((p + 1) * win.out_pixel - needed * win.in_pixel))


def op_window(graph: Graph, op_index: int) -> Window | None:
    """The window of an operator whose kernel keeps the overlap contract, else None."""
    op = graph.operators[op_index]
    if op.kernel not in OVERLAP_KERNELS or not op.inputs or len(op.outputs) != 1:
        return None
    src, dst = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if len(src.shape) != 4 or len(dst.shape) != 4 or src.shape[0] != 1 or dst.shape[0] != 1:
        return None
    _, in_h, in_w, in_c = (int(d) for d in src.shape)
    _, out_h, out_w, out_c = (int(d) for d in dst.shape)
    kh, kw = window_hw(graph.tensors, op)
    top, _, left, _ = explicit_padding(op, in_h, in_w, kh, kw)
    return Window(
        in_h, in_w, in_c * DTYPE_BYTES[src.dtype], out_h, out_w, out_c * DTYPE_BYTES[dst.dtype],
        int(op.options.get("stride_h", 1)), int(op.options.get("stride_w", 1)), top, left,
    )  # fmt: skip


def op_overlap(graph: Graph, op_index: int) -> int | None:
    """``D`` of an operator that may overlap its output with its first input, else None."""
    win = op_window(graph, op_index)
    return None if win is None else overlap_distance(win)


def combined_footprint(in_bytes: int, out_bytes: int, distance: int) -> int:
    """Bytes an input and its overlapped output occupy together, at best."""
    return max(in_bytes + max(distance, 0), out_bytes)
