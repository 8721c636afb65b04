"""Patch-based inference (MCUNetV2): run the first stage of a network patch by patch.

The *stage* is a prefix of the schedule, from the graph input to a *split tensor* that
alone is read by the rest of the network. Its output is cut into a grid of spatial tiles;
for each tile every stage tensor gets the *region* its consumers need (the receptive-field
halo, recomputed by neighbouring tiles), clipped to the image, so padding only appears at the
image border. :func:`patch_graph` rewrites the graph with the stage unrolled per patch, in
patch order: ``PATCH_COPY`` gathers the patch's input region from the image, the stage's
operators run on patch-sized tensors (same weights, local padding), a ``PATCH_COPY`` crops a
region where a consumer needs less than a tensor holds (residual inputs), and a last
``PATCH_COPY`` scatters the patch's output into the split tensor, updating it in place. The
planner, the validator and the emitter then work on that graph like on any other.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tinyengine_codegen.analysis import op_macs
from tinyengine_codegen.geometry import WINDOW_OPS, explicit_padding, window_hw
from tinyengine_codegen.ir.graph import DTYPE_BYTES, Graph, Operator, Tensor
from tinyengine_codegen.passes.graph_util import consumer_map
from tinyengine_codegen.passes.select_kernels import choose_kernel

PATCH_COPY = "PATCH_COPY"
PATCH_COPY_KERNEL = "patch_copy"
ELEMENTWISE_OPS = frozenset(
    {"ADD", "SUB", "MUL", "QUANTIZE", "LOGISTIC", "HARD_SWISH", "LEAKY_RELU", "RELU", "RELU6"}
)


@dataclass(frozen=True)
class Region:
    """Rows ``[y0, y1)`` and columns ``[x0, x1)`` of a tensor."""

    y0: int
    y1: int
    x0: int
    x1: int

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    def union(self, other: Region | None) -> Region:
        if other is None:
            return self
        return Region(
            min(self.y0, other.y0), max(self.y1, other.y1), min(self.x0, other.x0), max(self.x1, other.x1)
        )


@dataclass
class PatchedGraph:
    """The rewritten graph and what the rewrite did."""

    graph: Graph
    stage: tuple[int, int]  # first and last operator of the stage in the original graph
    split_tensor: int
    grid: tuple[int, int]
    macs_before: int
    macs_after: int
    split_after: str = ""  # name of the stage's last operator

    @property
    def extra_macs(self) -> float:
        """Extra multiply-accumulates of the recomputed halos, as a fraction of the original."""
        return self.macs_after / self.macs_before - 1 if self.macs_before else 0.0


def _spatial(t: Tensor) -> bool:
    return len(t.shape) == 4 and int(t.shape[0]) == 1


def _crossing(graph: Graph, consumers: dict[int, list[int]], produced: set[int], k: int) -> list[int]:
    """Tensors of ``produced`` read by an operator after position ``k`` or by the caller."""
    return [t for t in produced if t in graph.outputs or any(c > k for c in consumers.get(t, []))]


def stages(graph: Graph, max_first: int | None = None) -> list[tuple[int, int]]:
    """(first, last) operator positions of every stage that patches can run (first <= max_first).

    A stage reads one tensor (the graph input, or the only tensor alive after its first
    operator's predecessors) and leaves one, the split tensor: the rest of the graph reads
    nothing else from it.
    """
    acts = [t for t in graph.inputs if not graph.tensors[t].is_const]
    if len(acts) != 1:
        return []
    consumers = consumer_map(graph)
    produced: set[int] = set(acts)
    starts: list[tuple[int, int]] = [(0, acts[0])]
    for k, op in enumerate(graph.operators):
        if max_first is not None and k >= max_first:
            break
        produced.update(op.outputs)
        crossing = _crossing(graph, consumers, produced, k)
        if len(crossing) == 1:
            starts.append((k + 1, crossing[0]))
    result = []
    for first, stage_input in starts:
        if not _spatial(graph.tensors[stage_input]):
            continue
        inside: set[int] = {stage_input}
        for k in range(first, len(graph.operators)):
            op = graph.operators[k]
            if not _patchable(graph, op, inside):
                break
            inside.update(op.outputs)
            split = op.outputs[0]
            tensor = graph.tensors[split]
            if _crossing(graph, consumers, inside, k) == [split] and min(tensor.shape[1:3]) >= 2:
                result.append((first, k))
    return result


def _patchable(graph: Graph, op: Operator, produced: set[int]) -> bool:
    acts = [t for t in op.inputs if t >= 0 and not graph.tensors[t].is_const]
    if len(op.outputs) != 1 or not acts or any(t not in produced for t in acts):
        return False
    out = graph.tensors[op.outputs[0]]
    if not _spatial(out) or not all(_spatial(graph.tensors[t]) for t in acts):
        return False
    if op.kind in WINDOW_OPS:
        return len(acts) == 1
    if op.kind in ELEMENTWISE_OPS:
        return all(graph.tensors[t].shape[1:3] == out.shape[1:3] for t in acts)
    return False


def _axis_need(
    o0: int, o1: int, stride: int, pad: int, kernel: int, dilation: int, size: int
) -> tuple[int, int]:
    return max(0, o0 * stride - pad), min(size, (o1 - 1) * stride - pad + (kernel - 1) * dilation + 1)


def input_need(graph: Graph, op: Operator, out: Region) -> Region:
    """The region of ``op``'s first input that its output region ``out`` reads."""
    if op.kind not in WINDOW_OPS:
        return out
    _, h, w, _ = graph.tensors[op.inputs[0]].shape
    kh, kw = window_hw(graph.tensors, op)
    top, _, left, _ = explicit_padding(op, int(h), int(w), kh, kw)
    o = op.options
    y0, y1 = _axis_need(
        out.y0, out.y1, int(o.get("stride_h", 1)), top, kh, int(o.get("dilation_h_factor", 1)), h
    )
    x0, x1 = _axis_need(
        out.x0, out.x1, int(o.get("stride_w", 1)), left, kw, int(o.get("dilation_w_factor", 1)), w
    )
    return Region(y0, y1, x0, x1)


def _cuts(size: int, parts: int) -> list[tuple[int, int]]:
    edges = [size * i // parts for i in range(parts + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def stage_input(graph: Graph, stage: tuple[int, int]) -> int:
    """The one activation tensor the stage reads from outside."""
    ops = graph.operators[stage[0] : stage[1] + 1]
    inside = {t for op in ops for t in op.outputs}
    return next(
        t for op in ops for t in op.inputs if t >= 0 and not graph.tensors[t].is_const and t not in inside
    )


def fits_grid(graph: Graph, stage: tuple[int, int], grid: tuple[int, int]) -> bool:
    """Whether every tile of ``grid`` over the stage's split tensor has at least one pixel."""
    _, h, w, _ = graph.tensors[graph.operators[stage[1]].outputs[0]].shape
    return 1 <= grid[0] <= int(h) and 1 <= grid[1] <= int(w)


def patch_regions(graph: Graph, stage: tuple[int, int], grid: tuple[int, int]) -> list[dict[int, Region]]:
    """Per patch (row-major), the region of every stage tensor (the split tensor's is the tile)."""
    split = graph.operators[stage[1]].outputs[0]
    _, h, w, _ = graph.tensors[split].shape
    if not fits_grid(graph, stage, grid):
        raise ValueError(f"a {grid[0]}x{grid[1]} grid does not fit a {h}x{w} split tensor")
    ops = graph.operators[stage[0] : stage[1] + 1]
    result = []
    for y0, y1 in _cuts(int(h), grid[0]):
        for x0, x1 in _cuts(int(w), grid[1]):
            regions: dict[int, Region] = {split: Region(y0, y1, x0, x1)}
            for op in reversed(ops):
                out = regions[op.outputs[0]]
                for t in op.inputs:
                    if t >= 0 and not graph.tensors[t].is_const:
                        need = input_need(graph, op, out) if op.kind in WINDOW_OPS else out
                        regions[t] = need.union(regions.get(t))
            result.append(regions)
    return result


def stage_macs(graph: Graph, stage: tuple[int, int], grid: tuple[int, int]) -> tuple[int, int]:
    """(MACs of the stage run once, MACs of the stage run patch by patch), from regions only."""
    ops = graph.operators[stage[0] : stage[1] + 1]
    before = sum(op_macs(graph, op) for op in ops)
    after = 0
    for regions in patch_regions(graph, stage, grid):
        for op in ops:
            macs = op_macs(graph, op)
            if macs:
                full = graph.tensors[op.outputs[0]].shape
                r = regions[op.outputs[0]]
                after += macs * r.h * r.w // (int(full[1]) * int(full[2]))
    return before, after


def patch_graph(graph: Graph, stage: tuple[int, int], grid: tuple[int, int]) -> PatchedGraph:
    """``graph`` (after the passes) with the operators of ``stage`` (first, last) run patch by patch."""
    if tuple(stage) not in stages(graph, stage[0]):
        raise ValueError(f"operators {stage[0]}..{stage[1]} are not a stage that can run patch by patch")
    builder = _Builder(graph, (stage[0], stage[1]), grid)
    new = builder.build()
    macs_before = sum(op_macs(graph, op) for op in graph.operators)
    macs_after = sum(op_macs(new, op) for op in new.operators)
    name = graph.operators[stage[1]].name
    return PatchedGraph(new, builder.stage, builder.split, grid, macs_before, macs_after, name)


class _Builder:
    """Builds the unrolled graph: a copy of the tensors plus patch tensors, new operators."""

    def __init__(self, graph: Graph, stage: tuple[int, int], grid: tuple[int, int]) -> None:
        self.old = graph
        self.stage = stage
        self.grid = grid
        self.split = graph.operators[stage[1]].outputs[0]
        self.image = stage_input(graph, stage)
        self.tensors = list(graph.tensors)
        self.patch_index = 0
        self.ops: list[Operator] = [_copy_op(op) for op in graph.operators[: stage[0]]]

    def build(self) -> Graph:
        regions = patch_regions(self.old, self.stage, self.grid)
        state: int | None = None
        for k, region in enumerate(regions):
            last = k == len(regions) - 1
            state = self._patch(k, region, state, last)
        self.ops += [_copy_op(op) for op in self.old.operators[self.stage[1] + 1 :]]
        graph = Graph(
            self.tensors, self.ops, list(self.old.inputs), list(self.old.outputs),
            name=self.old.name, source=self.old.source, metadata=dict(self.old.metadata),
        )  # fmt: skip
        readers = consumer_map(graph)
        for i, op in enumerate(graph.operators):
            if op.kind == PATCH_COPY:
                op.kernel, op.scratch_bytes, op.inplace = PATCH_COPY_KERNEL, 0, len(op.inputs) == 2
            else:
                choice = choose_kernel(graph, i, readers)
                op.kernel, op.scratch_bytes, op.inplace = choice.kernel, choice.scratch_bytes, choice.inplace
        return graph

    def _new_tensor(self, like: int, region: Region, name: str) -> int:
        t = self.old.tensors[like]
        shape = (1, region.h, region.w, int(t.shape[3]))
        self.tensors.append(Tensor(name, shape, t.dtype, t.quant))
        return len(self.tensors) - 1

    def _copy(
        self, role: str, src: int, src_region: Region, dst: int, dst_region: Region, part: Region, prev=None
    ) -> None:
        """PATCH_COPY of ``part`` from ``src`` (holding ``src_region``) into ``dst`` (``dst_region``)."""
        t = self.tensors[src]
        pixel = int(t.shape[3]) * DTYPE_BYTES[t.dtype]
        options = {
            "src_offset": ((part.y0 - src_region.y0) * src_region.w + part.x0 - src_region.x0) * pixel,
            "src_row_bytes": src_region.w * pixel,
            "dst_offset": ((part.y0 - dst_region.y0) * dst_region.w + part.x0 - dst_region.x0) * pixel,
            "dst_row_bytes": dst_region.w * pixel,
            "rows": part.h,
            "row_bytes": part.w * pixel,
            "patch": self.patch_index,
            "role": f"{role} rows {part.y0}..{part.y1 - 1}, columns {part.x0}..{part.x1 - 1}",
        }
        inputs = [src] if prev is None else [src, prev]
        self.ops.append(Operator(PATCH_COPY, inputs, [dst], options, name=f"copy {self.tensors[dst].name}"))

    def _patch(self, k: int, regions: dict[int, Region], state: int | None, last: bool) -> int:
        old = self.old
        tile = regions[self.split]
        local: dict[int, int] = {}  # stage tensor -> its patch tensor
        img = self.image
        local[img] = self._new_tensor(img, regions[img], f"{old.tensors[img].name} patch {k}")
        full = old.tensors[img].shape
        self.patch_index = k
        self._copy(
            "gather", img, Region(0, int(full[1]), 0, int(full[2])), local[img], regions[img], regions[img]
        )
        crops: dict[tuple[int, Region], int] = {}
        for op in old.operators[self.stage[0] : self.stage[1] + 1]:
            out = op.outputs[0]
            region = regions[out]
            need_of = input_need(old, op, region) if op.kind in WINDOW_OPS else region
            inputs = []
            for t in op.inputs:
                if t < 0 or old.tensors[t].is_const:
                    inputs.append(t)
                elif regions[t] == need_of:
                    inputs.append(local[t])
                else:
                    key = (t, need_of)
                    if key not in crops:
                        crops[key] = self._new_tensor(t, need_of, f"{old.tensors[t].name} patch {k} crop")
                        self._copy("crop", local[t], regions[t], crops[key], need_of, need_of)
                    inputs.append(crops[key])
            local[out] = self._new_tensor(out, region, f"{old.tensors[out].name} patch {k}")
            options = {**op.options, "patch": k}
            if op.kind in WINDOW_OPS:
                options.update(_local_padding(old, op, region))
            self.ops.append(
                dataclasses.replace(
                    op, inputs=inputs, outputs=[local[out]], options=options, name=f"{op.name} patch {k}"
                )
            )
        full = old.tensors[self.split].shape
        whole = Region(0, int(full[1]), 0, int(full[2]))
        if last:
            target = self.split
        else:
            shape = tuple(int(d) for d in full)
            split = old.tensors[self.split]
            self.tensors.append(Tensor(f"{split.name} after patch {k}", shape, split.dtype, split.quant))
            target = len(self.tensors) - 1
        self._copy("scatter", local[self.split], tile, target, whole, tile, prev=state)
        return target


def _copy_op(op: Operator) -> Operator:
    return dataclasses.replace(op, inputs=list(op.inputs), outputs=list(op.outputs), options=dict(op.options))


def _local_padding(graph: Graph, op: Operator, out: Region) -> dict[str, int]:
    """Explicit padding of a window operator computing ``out`` from exactly the region it needs."""
    _, h, w, _ = (int(d) for d in graph.tensors[op.inputs[0]].shape)
    kh, kw = window_hw(graph.tensors, op)
    top, _, left, _ = explicit_padding(op, h, w, kh, kw)
    o = op.options
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    dh, dw = int(o.get("dilation_h_factor", 1)), int(o.get("dilation_w_factor", 1))

    def axis(
        o0: int, o1: int, stride: int, pad: int, kernel: int, dilation: int, size: int
    ) -> tuple[int, int]:
        before = max(0, pad - o0 * stride)
        after = max(0, (o1 - 1) * stride - pad + (kernel - 1) * dilation + 1 - size)
        return before, after

    pt, pb = axis(out.y0, out.y1, sh, top, kh, dh, h)
    pl, pr = axis(out.x0, out.x1, sw, left, kw, dw, w)
    return {"pad_top": pt, "pad_bottom": pb, "pad_left": pl, "pad_right": pr}
