"""Independent check of a memory plan: no two buffers alive at once share bytes.

Written apart from the planner (it recomputes lifetimes from the graph and the schedule
itself) so that a planner bug cannot hide behind its own bookkeeping. The only overlaps
allowed are the declared ones: a view and its input (the same bytes, read-only), an
in-place operator's output with the input it overwrites, alive together only at that
operator, at the same offset, the output no larger than the input, and an overlapped
operator's output with its first input, alive together only at that operator, checked
pixel by pixel against the raster-order contract of its kernel (see :func:`overlap_problem`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinyengine_codegen.geometry import explicit_padding, window_hw
from tinyengine_codegen.ir.graph import DTYPE_BYTES, Graph
from tinyengine_codegen.memory.planner import MemoryPlan

VIEW_KINDS = frozenset({"RESHAPE", "SQUEEZE", "EXPAND_DIMS"})
# Kernels whose header promises: output pixels in raster order, and after any byte of output
# pixel p is written, only input pixels of the windows of output pixels >= p are read.
RASTER_KERNELS = frozenset(
    {"te_conv_s8", "te_conv_1x1_s8", "te_conv_im2col_s8", "te_conv_im2col_rows_s8", "te_depthwise_conv_s8"}
    | {"te_avgpool_s8", "te_maxpool_s8", "te_conv_im2col_stream_s8"}
)


class PlanError(AssertionError):
    """A memory plan that breaks an invariant."""


@dataclass
class _Buffer:
    name: str
    tensor: int | None
    offset: int
    size: int
    start: int
    end: int


def check_plan(graph: Graph, plan: MemoryPlan) -> None:
    """Raise PlanError listing every violation of ``plan``."""
    problems = validate_plan(graph, plan)
    if problems:
        raise PlanError(f"{len(problems)} problem(s) in the memory plan: " + "; ".join(problems[:10]))


def validate_plan(graph: Graph, plan: MemoryPlan) -> list[str]:
    """Every violation of ``plan``, as readable strings (empty when the plan is sound)."""
    problems = _check_schedule(graph, plan.schedule)
    if problems:
        return problems
    position = {op: p for p, op in enumerate(plan.schedule)}
    spans = _spans(graph, plan.schedule)
    buffers = _buffers(graph, plan, spans, position, problems)
    views = _view_classes(graph, plan, problems)
    allowed = _inplace_pairs(graph, plan, spans, position, problems)
    overlapped = _overlap_pairs(graph, plan, spans, position, problems)
    buffers.sort(key=lambda b: b.start)
    for i, x in enumerate(buffers):
        for y in buffers[i + 1 :]:
            if y.start > x.end:
                break
            if x.offset >= y.offset + y.size or y.offset >= x.offset + x.size:
                continue
            if _may_share(x, y, views, allowed):
                continue
            key = frozenset((x.tensor, y.tensor))
            if key in overlapped and max(x.start, y.start) == min(x.end, y.end) == overlapped[key]:
                continue  # checked pixel by pixel in _overlap_pairs
            problems.append(
                f"{x.name} [{x.offset}, {x.offset + x.size}) and {y.name} [{y.offset}, {y.offset + y.size}) "
                f"overlap while both alive (steps {max(x.start, y.start)}..{min(x.end, y.end)})"
            )
    return problems


def _check_schedule(graph: Graph, schedule: list[int]) -> list[str]:
    if sorted(schedule) != list(range(len(graph.operators))):
        return ["the schedule is not a permutation of the operators"]
    available = set(graph.inputs) | {i for i, t in enumerate(graph.tensors) if t.is_const}
    for op_index in schedule:
        op = graph.operators[op_index]
        missing = [t for t in op.inputs if t >= 0 and t not in available]
        if missing:
            return [f"operator {op_index} {op.kind} runs before tensor {missing[0]} is written"]
        available.update(op.outputs)
    return []


def _spans(graph: Graph, schedule: list[int]) -> dict[int, list[int]]:
    spans: dict[int, list[int]] = {t: [0, 0] for t in graph.inputs}
    for p, op_index in enumerate(schedule):
        op = graph.operators[op_index]
        for t in op.outputs:
            spans[t] = [p, p]
        for t in op.inputs:
            if t >= 0 and not graph.tensors[t].is_const:
                spans.setdefault(t, [0, p])[1] = p
    for t in graph.outputs:
        if t in spans:
            spans[t][1] = len(schedule) - 1
    return spans


def _buffers(
    graph: Graph, plan: MemoryPlan, spans: dict[int, list[int]], position: dict[int, int], problems: list[str]
) -> list[_Buffer]:
    buffers = []
    for t, (start, end) in spans.items():
        size = graph.tensors[t].nbytes
        if size == 0:
            continue
        if t not in plan.offsets:
            problems.append(f"tensor {t} ({graph.tensors[t].name}) has no offset")
            continue
        buffers.append(_Buffer(f"tensor {t} ({graph.tensors[t].name})", t, plan.offsets[t], size, start, end))
    for op_index, op in enumerate(graph.operators):
        if op.scratch_bytes <= 0:
            continue
        if op_index not in plan.scratch_offsets:
            problems.append(f"scratch of operator {op_index} has no offset")
            continue
        p = position[op_index]
        offset = plan.scratch_offsets[op_index]
        buffers.append(_Buffer(f"scratch of op {op_index}", None, offset, op.scratch_bytes, p, p))
    for b in buffers:
        if b.offset < 0 or b.offset % plan.alignment or b.offset + b.size > plan.arena_bytes:
            problems.append(
                f"{b.name} at [{b.offset}, {b.offset + b.size}) is misaligned or outside the arena"
            )
    return buffers


def _view_classes(graph: Graph, plan: MemoryPlan, problems: list[str]) -> dict[int, int]:
    """Tensor -> representative of the tensors that are views of each other."""
    root: dict[int, int] = {}

    def find(t: int) -> int:
        while root.get(t, t) != t:
            t = root[t]
        return t

    for op_index, src in plan.inplace.items():
        op = graph.operators[op_index]
        if op.kind not in VIEW_KINDS:
            continue
        dst = op.outputs[0]
        if graph.tensors[src].nbytes != graph.tensors[dst].nbytes or plan.offsets.get(
            src
        ) != plan.offsets.get(dst):
            problems.append(f"view operator {op_index} does not alias its input")
        root[find(dst)] = find(src)
    return {t: find(t) for t in set(root) | set(root.values())}


def _inplace_pairs(
    graph: Graph, plan: MemoryPlan, spans: dict[int, list[int]], position: dict[int, int], problems: list[str]
) -> dict[frozenset, int]:
    """{input, output} of each declared in-place operator -> its schedule position."""
    pairs = {}
    for op_index, src in plan.inplace.items():
        op = graph.operators[op_index]
        if op.kind in VIEW_KINDS:
            continue
        dst = op.outputs[0]
        p = position[op_index]
        where = f"in-place operator {op_index} {op.kind}"
        if not op.inplace:
            problems.append(f"{where}: its kernel was not declared in-place capable")
        if src not in op.inputs:
            problems.append(f"{where}: tensor {src} is not one of its inputs")
        if plan.offsets.get(src) != plan.offsets.get(dst):
            problems.append(f"{where}: output not at the input's offset")
        if graph.tensors[dst].nbytes > graph.tensors[src].nbytes:
            problems.append(f"{where}: output larger than the input it overwrites")
        if spans[src][1] != p:
            problems.append(f"{where}: input {src} is still read after the operator")
        pairs[frozenset((src, dst))] = p
    return pairs


def _may_share(x: _Buffer, y: _Buffer, views: dict[int, int], pairs: dict[frozenset, int]) -> bool:
    if x.tensor is None or y.tensor is None:
        return False
    if x.tensor in views and views.get(x.tensor) == views.get(y.tensor):
        return True
    rx, ry = views.get(x.tensor, x.tensor), views.get(y.tensor, y.tensor)
    for (a, b), p in ((tuple(k), v) for k, v in pairs.items()):
        ra, rb = views.get(a, a), views.get(b, b)
        if {rx, ry} == {ra, rb} and max(x.start, y.start) == min(x.end, y.end) == p:
            return True
    return False


def _overlap_pairs(
    graph: Graph, plan: MemoryPlan, spans: dict[int, list[int]], position: dict[int, int], problems: list[str]
) -> dict[frozenset, int]:
    """{input, output} of each declared overlapped operator -> its schedule position."""
    pairs = {}
    for op_index, src in plan.overlaps.items():
        op = graph.operators[op_index]
        dst = op.outputs[0]
        p = position[op_index]
        where = f"overlapped operator {op_index} {op.kind}"
        if not op.inputs or op.inputs[0] != src or src in op.inputs[1:]:
            problems.append(f"{where}: tensor {src} is not its only activation input")
            continue
        if spans[src][1] != p or spans[dst][0] != p:
            problems.append(f"{where}: input {src} is still read after the operator")
            continue
        problem = overlap_problem(graph, op_index, plan.offsets[src], plan.offsets[dst])
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        pairs[frozenset((src, dst))] = p
    return pairs


def overlap_problem(graph: Graph, op_index: int, in_offset: int, out_offset: int) -> str | None:
    """Why the output at ``out_offset`` may clobber input still unread at ``in_offset``, or None.

    Per input pixel j: the last output pixel whose window reads it, ``last(j)``; under the
    kernel's contract output pixels ``0..last(j)`` may be written before j is read, so their
    bytes must not touch j's.
    """
    op = graph.operators[op_index]
    if op.kernel not in RASTER_KERNELS:
        return f"kernel {op.kernel} promises no raster order"
    src, dst = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if len(src.shape) != 4 or len(dst.shape) != 4 or src.shape[0] != 1 or dst.shape[0] != 1:
        return "overlap needs batch-1 NHWC tensors"
    _, ih, iw, ic = (int(d) for d in src.shape)
    _, oh, ow, oc = (int(d) for d in dst.shape)
    kh, kw = window_hw(graph.tensors, op)
    top, _, left, _ = explicit_padding(op, ih, iw, kh, kw)
    sh, sw = int(op.options.get("stride_h", 1)), int(op.options.get("stride_w", 1))
    dh, dw = int(op.options.get("dilation_h_factor", 1)), int(op.options.get("dilation_w_factor", 1))
    last = np.full(ih * iw, -1, dtype=np.int64)
    oy, ox = np.meshgrid(np.arange(oh), np.arange(ow), indexing="ij")
    pixel = (oy * ow + ox).ravel()
    for ky in range(kh):
        for kx in range(kw):
            iy = (oy * sh - top + ky * dh).ravel()
            ix = (ox * sw - left + kx * dw).ravel()
            ok = (iy >= 0) & (iy < ih) & (ix >= 0) & (ix < iw)
            np.maximum.at(last, iy[ok] * iw + ix[ok], pixel[ok])
    read = np.nonzero(last >= 0)[0]
    in_px, out_px = ic * DTYPE_BYTES[src.dtype], oc * DTYPE_BYTES[dst.dtype]
    lo, hi = in_offset + read * in_px, in_offset + (read + 1) * in_px
    written_end = out_offset + (last[read] + 1) * out_px
    clash = (out_offset < hi) & (lo < written_end)
    if clash.any():
        j = int(read[np.argmax(clash)])
        return f"output pixels up to {int(last[j])} overwrite input pixel {j} before its last read"
    return None
