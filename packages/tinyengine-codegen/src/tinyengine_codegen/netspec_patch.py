"""Fast pricing of patch-based inference for a netspec (tinynas's search with ``--patch auto``).

Gives what ``profile_graph(netspec_to_graph(spec), patch=...)`` gives (``passes/patch_choice.py``:
the stage and grid with the smallest arena under the MAC bound), without building graphs:

- the stages, the per-patch regions (halos; per axis, since a region is a row range times a
  column range) and the extra MACs come from the netspec's layers (:mod:`netspec_fast`);
- a candidate (stage, grid) within the MAC bound gets the planner's lower bound of its unrolled
  plan, exactly and cheaply: the layer-by-layer live bytes after the stage, and per patch its own
  buffers' live bytes (computed once per tile shape) with the image held until the last gather
  and the split tensor from the first scatter on. Candidates are planned in increasing bound
  order, placements abandoned once they reach the best arena so far, and planning stops once no
  remaining bound can beat (or tie) it;
- planning one candidate builds the planner's :class:`~tinyengine_codegen.memory.problem.Problem`
  of the unrolled graph directly (tensor numbering and operator order of ``passes/patch.py``'s
  rewrite; kernel choices of patch-sized operators by the real chooser on a one-operator graph,
  cached by signature), runs the planner's own liveness, and places the buffers with the
  planner's heuristics, one patch per class standing for all (:func:`_one_patch_per_class`).

The winner is the same as the graph path's: the smallest (arena, extra MACs), the first one
in the chooser's order on ties, kept in ``auto`` mode only below the layer-by-layer arena.
``tests/codegen/test_netspec_patch_equivalence.py`` compares the two.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any

from tinyengine_codegen.analysis import code_bytes_estimate
from tinyengine_codegen.frontend.netspec import NetSpec
from tinyengine_codegen.frontend.netspec_graph import Layer, netspec_to_graph
from tinyengine_codegen.geometry import same_padding
from tinyengine_codegen.ir.graph import Graph, Operator, Tensor
from tinyengine_codegen.memory.chain import (
    _KEYS,
    _conflict_lists,
    _conflict_pairs,
    _heuristics,
    _place_arena,
    _span,
)
from tinyengine_codegen.memory.lifetimes import liveness
from tinyengine_codegen.memory.overlap import op_overlap
from tinyengine_codegen.memory.problem import Problem
from tinyengine_codegen.netspec_fast import _Layers, _tensor_indices, fast_figures, fast_profile
from tinyengine_codegen.passes.patch import PATCH_COPY, PATCH_COPY_KERNEL
from tinyengine_codegen.passes.patch_choice import GRIDS, parse_patch_mode
from tinyengine_codegen.passes.select_kernels import choose_kernel
from tinyengine_codegen.profile import ProfileReport, Totals, build_report, profile_graph

WINDOW_KINDS = ("CONV_2D", "DEPTHWISE_CONV_2D")
Span = tuple[int, int]  # [start, end) on one axis


@dataclass(frozen=True)
class Candidate:
    """A stage (operators 0..last) and a grid within the MAC bound, with its arena's lower bound."""

    order: int  # position in the chooser's loop (ties go to the first)
    last: int
    grid: tuple[int, int]
    macs_before: int  # the whole network's MACs
    macs_after: int
    bound: int

    @property
    def extra_macs(self) -> float:
        """As ``PatchedGraph.extra_macs`` computes it (the chooser's tie-break)."""
        return self.macs_after / self.macs_before - 1 if self.macs_before else 0.0


@dataclass
class Planned:
    """A candidate's unrolled problem and its plan figures."""

    candidate: Candidate
    arena_bytes: int
    lower_bound: int
    live_bytes: list[int]
    kinds: list[tuple[str, str | None]]  # (kind, kernel) of every operator: code estimate, peak kind


def stages(layers: list[Layer], shapes: list[tuple[int, ...]]) -> list[int]:
    """Last operator of every first stage (``passes.patch_choice.first_stages`` on the netspec graph):
    window operators and ADDs from the stem on, after which only their last output is read."""
    last_read = [0] * (len(layers) + 1)
    for i, layer in enumerate(layers):
        for t in layer.inputs:
            last_read[t] = i
    last_read[len(layers)] = len(layers)  # the graph output
    result = []
    for k, layer in enumerate(layers):
        if layer.kind not in WINDOW_KINDS and layer.kind != "ADD":
            break
        if len(layer.out_shape) != 4:
            break
        crossing = [t for t in range(k + 2) if last_read[t] > k]
        if crossing == [k + 1] and min(shapes[k + 1][1:3]) >= 2:
            result.append(k)
    return result


def _cuts(size: int, parts: int) -> list[Span]:
    edges = [size * i // parts for i in range(parts + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _need(layer: Layer, out: Span, size: int) -> Span:
    """The input span a window layer's output span reads on one axis (``passes.patch.input_need``)."""
    if layer.kind not in WINDOW_KINDS:
        return out
    k, s = layer.weights[1], layer.stride  # type: ignore[index]
    pad = same_padding(size, k, s)[0]
    return max(0, out[0] * s - pad), min(size, (out[1] - 1) * s - pad + k)


def _local_pad(layer: Layer, out: Span, size: int) -> tuple[int, int]:
    """(before, after) padding of a window layer computing ``out`` (``passes.patch._local_padding``)."""
    k, s = layer.weights[1], layer.stride  # type: ignore[index]
    pad = same_padding(size, k, s)[0]
    return max(0, pad - out[0] * s), max(0, (out[1] - 1) * s - pad + k - size)


# one stage operator on one axis: activation inputs, kernel (0: not a window), stride, the
# padding before the input (TFLite SAME), the input's length
Geometry = tuple[tuple[tuple[int, ...], int, int, int, int], ...]


class AxisTiles:
    """One axis of a grid over a stage: per tile, the span of every stage activation, and per
    activation the sum of its spans' lengths (the MAC count is separable: rows times columns)."""

    def __init__(self, spans: tuple[dict[int, Span], ...], geometry: Geometry) -> None:
        self.spans = spans
        self.lengths = {a: sum(s[a][1] - s[a][0] for s in spans) for a in spans[0]}
        self.geometry = geometry
        self._shapes: tuple[int, ...] | None = None

    @property
    def shapes(self) -> tuple[int, ...]:
        """Per tile: what its unrolled operators depend on, translation-free and interned (its
        operators' output lengths, local paddings, input lengths and the parts they read)."""
        if self._shapes is None:
            self._shapes = tuple(_intern(_tile_shape(self.geometry, spans)) for spans in self.spans)
        return self._shapes


_AXES: dict[tuple, AxisTiles] = {}
MAX_CACHED = 50_000  # entries per cache (a long scan over many spaces starts again rather than grow)


def stage_geometry(layers: list[Layer], shapes: list[tuple[int, ...]], last: int, axis: int) -> Geometry:
    """The :data:`Geometry` of the stage's operators 0..``last`` along ``axis`` (1: rows, 2: columns)."""
    result = []
    for layer in layers[: last + 1]:
        size = int(shapes[layer.inputs[0]][axis])
        k = layer.weights[1] if layer.kind in WINDOW_KINDS else 0  # type: ignore[index]
        pad = same_padding(size, k, layer.stride)[0] if k else 0
        result.append((layer.inputs, k, layer.stride, pad, size))
    return tuple(result)


def axis_tiles(geometry: Geometry, split: int, parts: int) -> AxisTiles:
    """The tiles of ``parts`` cuts of a ``split``-long split tensor, back through ``geometry``."""
    key = (geometry, split, parts)
    found = _AXES.get(key)
    if found is not None:
        return found
    result = []
    top = len(geometry)
    for cut in _cuts(split, parts):
        spans: dict[int, Span] = {top: cut}
        for j in range(top - 1, -1, -1):
            inputs, k, stride, pad, size = geometry[j]
            o0, o1 = spans[j + 1]
            need = (max(0, o0 * stride - pad), min(size, (o1 - 1) * stride - pad + k)) if k else (o0, o1)
            for t in inputs:
                old = spans.get(t)
                spans[t] = need if old is None else (min(old[0], need[0]), max(old[1], need[1]))
        result.append(spans)
    found = _AXES[key] = AxisTiles(tuple(result), geometry)
    return found


_INTERNED: dict[tuple, int] = {}


def _intern(value: tuple) -> int:
    """A small integer standing for ``value`` (cache keys hash it once)."""
    found = _INTERNED.get(value)
    if found is None:
        found = _INTERNED[value] = len(_INTERNED)
    return found


def _tile_shape(geometry: Geometry, spans: dict) -> tuple:
    """Per stage operator on one axis: its output's length, its local padding, and for each input
    the input region's length and where the part it reads starts and ends in it (crops)."""
    result = []
    for j, (inputs, k, stride, pad, size) in enumerate(geometry):
        o0, o1 = spans[j + 1]
        if k:
            need = (max(0, o0 * stride - pad), min(size, (o1 - 1) * stride - pad + k))
            pads: tuple = (max(0, pad - o0 * stride), max(0, (o1 - 1) * stride - pad + k - size))
        else:
            need, pads = (o0, o1), ()
        ins = tuple((spans[t][1] - spans[t][0], need[0] - spans[t][0], need[1] - spans[t][0]) for t in inputs)
        result.append((o1 - o0, pads, ins))
    return tuple(result)


def stage_macs(
    layer_macs: list[int], shapes: list[tuple[int, ...]], last: int, rows: AxisTiles, cols: AxisTiles
) -> tuple[int, int]:
    """(the stage's MACs run once, patch by patch) as ``passes.patch.stage_macs`` counts them: a
    patch's share of a layer is exact (MACs are per output pixel), so the sum splits by axis."""
    before = sum(layer_macs[: last + 1])
    after = 0
    for j in range(last + 1):
        if layer_macs[j]:
            per_pixel = layer_macs[j] // (int(shapes[j + 1][1]) * int(shapes[j + 1][2]))
            after += per_pixel * rows.lengths[j + 1] * cols.lengths[j + 1]
    return before, after


# kernel choice of a patch-sized operator: (kernel, scratch bytes, in place, overlap distance)
PatchChoiceKey = tuple
_PATCH_CHOICES: dict[PatchChoiceKey, tuple[str | None, int, bool, int | None]] = {}


def _patch_op_choice(
    layer: Layer, in_shapes: list[tuple[int, ...]], out_shape: tuple[int, ...], pads: tuple, alone: list[bool]
) -> tuple[str | None, int, bool, int | None]:
    """The real chooser's decision for a patch-sized operator (``alone``: each input read only here)."""
    key = (layer.kind, tuple(in_shapes), out_shape, layer.weights, layer.stride, layer.act, pads)
    key += tuple(alone)
    found = _PATCH_CHOICES.get(key)
    if found is not None:
        return found
    tensors = [Tensor(f"in{i}", shape) for i, shape in enumerate(in_shapes)]
    inputs = list(range(len(in_shapes)))
    options: dict = {}
    if layer.weights is not None:
        tensors.append(Tensor("weights", layer.weights, is_const=True))
        tensors.append(Tensor("bias", (out_shape[-1],), "int32", is_const=True))
        inputs += [len(tensors) - 2, len(tensors) - 1]
        options["fused_activation"] = "RELU6" if layer.act else "NONE"
    if layer.kind in WINDOW_KINDS:
        options.update(padding="SAME", stride_h=layer.stride, stride_w=layer.stride)
        options.update(dilation_h_factor=1, dilation_w_factor=1)
        options.update(zip(("pad_top", "pad_bottom", "pad_left", "pad_right"), pads, strict=True))
        if layer.kind == "DEPTHWISE_CONV_2D":
            options["depth_multiplier"] = 1
    elif layer.kind == "ADD":
        options["fused_activation"] = "NONE"
    tensors.append(Tensor("out", out_shape))
    op = Operator(layer.kind, inputs, [len(tensors) - 1], options, layer.name)
    graph = Graph(tensors, [op], [], [])
    readers = {i: [0] if alone[i] else [0, 1] for i in range(len(in_shapes))}
    choice = choose_kernel(graph, 0, readers)
    op.kernel = choice.kernel
    found = (choice.kernel, choice.scratch_bytes, choice.inplace, op_overlap(graph, 0))
    _PATCH_CHOICES[key] = found
    return found


class _Problem:
    """A planner problem under construction: tensors by size, operators with their choices."""

    def __init__(self, net: _Net, nbytes: list[int]) -> None:
        self.layers: list[Layer] = net.layers
        self.shapes: list[tuple[int, ...]] = net.shapes
        self.nbytes = nbytes
        self.op_inputs: list[tuple[int, ...]] = []
        self.op_outputs: list[tuple[int, ...]] = []
        self.scratch: list[int] = []
        self.inplace: list[bool] = []
        self.overlap: list[int | None] = []
        self.kinds: list[tuple[str, str | None]] = []

    def _tensor(self, nbytes: int) -> int:
        self.nbytes.append(nbytes)
        return len(self.nbytes) - 1

    def _op(self, ins, out, scratch, inplace, overlap, kind) -> None:
        self.op_inputs.append(ins)
        self.op_outputs.append((out,))
        self.scratch.append(scratch)
        self.inplace.append(inplace)
        self.overlap.append(overlap)
        self.kinds.append(kind)

    def _copy(self, ins: tuple[int, ...], out: int) -> None:
        self._op(ins, out, 0, len(ins) == 2, None, (PATCH_COPY, PATCH_COPY_KERNEL))

    def _patch(
        self, rows: dict, cols: dict, last: int, image: int, state: int | None, target: int | None
    ) -> int:
        """One patch as ``passes.patch._Builder._patch`` unrolls it: gather from ``image``, the
        stage's operators (with crops), scatter into ``target`` (a new tensor the size of
        ``image``'s split tensor when None) updating ``state``; returns the scatter's output."""
        layers, shapes = self.layers, self.shapes

        def area(a: int, r: Span, c: Span) -> int:
            return (r[1] - r[0]) * (c[1] - c[0]) * int(shapes[a][3])

        local = {0: self._tensor(area(0, rows[0], cols[0]))}
        self._copy((image,), local[0])
        # readers of each patch tensor within the patch (for the in-place choices)
        plan = []
        crops: dict[tuple, int] = {}
        for j in range(last + 1):
            layer = layers[j]
            out = j + 1
            r, c = rows[out], cols[out]
            need_r = _need(layer, r, int(shapes[layer.inputs[0]][1]))
            need_c = _need(layer, c, int(shapes[layer.inputs[0]][2]))
            ins = []
            for t in layer.inputs:
                if rows[t] == need_r and cols[t] == need_c:
                    ins.append((local[t], t, rows[t], cols[t]))
                    continue
                key = (t, need_r, need_c)
                if key not in crops:
                    crops[key] = self._tensor(area(t, need_r, need_c))
                    plan.append(("crop", local[t], crops[key]))
                ins.append((crops[key], t, need_r, need_c))
            local[out] = self._tensor(area(out, r, c))
            plan.append(("op", j, ins, local[out], r, c))
        readers: dict[int, int] = {}
        for step in plan:
            for t in [step[1]] if step[0] == "crop" else [x[0] for x in step[2]]:
                readers[t] = readers.get(t, 0) + 1
        for step in plan:
            if step[0] == "crop":
                self._copy((step[1],), step[2])
                continue
            _, j, ins, out, r, c = step
            layer = layers[j]
            in_shapes = [(1, rr[1] - rr[0], cc[1] - cc[0], int(shapes[t][3])) for _, t, rr, cc in ins]
            out_shape = (1, r[1] - r[0], c[1] - c[0], int(shapes[j + 1][3]))
            pads: tuple = ()
            if layer.kind in WINDOW_KINDS:
                pads = _local_pad(layer, r, int(shapes[layer.inputs[0]][1])) + _local_pad(
                    layer, c, int(shapes[layer.inputs[0]][2])
                )
            alone = [readers.get(x[0], 0) == 1 for x in ins]
            kernel, scratch, inplace, overlap = _patch_op_choice(layer, in_shapes, out_shape, pads, alone)
            ids = tuple(x[0] for x in ins)
            self._op(ids, out, scratch, inplace, overlap, (layer.kind, kernel))
        if target is None:
            target = self._tensor(math.prod(shapes[last + 1]))
        self._copy((local[last + 1],) if state is None else (local[last + 1], state), target)
        return target


class _Unrolled(_Problem):
    """The planner's problem of the graph ``passes.patch.patch_graph`` builds (numbers only)."""

    def __init__(self, net: _Net, last: int, rows: AxisTiles, cols: AxisTiles) -> None:
        index = net.index
        nbytes = [0] * (index[-1] + 1)
        for a, size in enumerate(net.nbytes):
            nbytes[index[a]] = size
        super().__init__(net, nbytes)
        patches = [(r, c) for r in rows.spans for c in cols.spans]
        # a patch's class: its role (first, last or between, which says how it meets the image and
        # the split tensor) and its tile shapes; every patch of a class is planned alike
        count, width = len(patches), len(cols.spans)
        self.classes = [(min(k, 1) if k < count - 1 else 2, rows.shapes[k // width], cols.shapes[k % width])
                        for k in range(count)]  # fmt: skip
        self.patch_of_tensor: dict[int, int] = {}
        self.patch_of_op: dict[int, int] = {}
        state = None
        for k in range(count):
            final = index[last + 1] if k == count - 1 else None
            tensors, ops = len(self.nbytes), len(self.op_inputs)
            template = _template(net, last, rows, k // width, cols, k % width)
            state = self._instantiate(template, index[0], state, final, net.nbytes[last + 1])
            self.patch_of_tensor.update((t, k) for t in range(tensors, len(self.nbytes)) if t != state)
            self.patch_of_op.update((i, k) for i in range(ops, len(self.op_inputs)))
        choices = net.choices
        for j in range(last + 1, len(self.layers)):
            choice = choices[j]
            ins = tuple(index[t] for t in self.layers[j].inputs)
            self._op(ins, index[j + 1], choice[1], choice[2], choice[6], (self.layers[j].kind, choice[0]))
        self.output = index[len(self.layers)]

    def _instantiate(
        self, template: _LocalPatch, image: int, state: int | None, final: int | None, split_bytes: int
    ) -> int:
        """Append one patch from its template (tensor numbers shifted; the gather reads ``image``,
        the scatter updates ``state`` into ``final``, or a new ``split_bytes`` tensor when None)."""
        base = len(self.nbytes) - 2  # the template's tensor 2 on: the patch's own, in order
        self.nbytes.extend(template.nbytes[2:])
        out = final if final is not None else self._tensor(split_bytes)
        ops = len(template.op_inputs) - 1
        for i in range(ops):
            ins = tuple(image if t == 0 else base + t for t in template.op_inputs[i])
            self._op(ins, base + template.op_outputs[i][0], template.scratch[i], template.inplace[i],
                     template.overlap[i], template.kinds[i])  # fmt: skip
        split = base + template.op_inputs[ops][0]
        self._copy((split,) if state is None else (split, state), out)
        return out

    def problem(self) -> Problem:
        n = len(self.op_inputs)
        return Problem(
            nbytes=self.nbytes, op_inputs=self.op_inputs, op_outputs=self.op_outputs, scratch=self.scratch,
            inplace=self.inplace, view=[False] * n, inputs=[0], outputs=[self.output], overlap=self.overlap,
        )  # fmt: skip


class _LocalPatch(_Problem):
    """One patch's operators alone, gather to scatter (the first patch's: no split tensor state):
    the template :class:`_Unrolled` copies for each patch. Tensor 0 stands for the image, 1 for the
    scatter's output (no bytes here: neither depends on the tile), the patch's own from 2 on."""

    def __init__(self, net: _Net, last: int, rows: dict, cols: dict) -> None:
        super().__init__(net, [0])  # tensor 0 stands for the image
        self._patch(rows, cols, last, 0, None, self._tensor(0))  # tensor 1: the scatter's output

    def live_bytes(self, alignment: int = 4) -> list[int]:
        """Live bytes per step of the patch's own buffers (the image and the split tensor left out)."""
        n = len(self.op_inputs)
        problem = Problem(
            nbytes=self.nbytes, op_inputs=self.op_inputs, op_outputs=self.op_outputs, scratch=self.scratch,
            inplace=self.inplace, view=[False] * n, inputs=[0], outputs=[], overlap=self.overlap,
        )  # fmt: skip
        return liveness(problem, list(range(n)), alignment, True).live_bytes


_TEMPLATES: dict[tuple, _LocalPatch] = {}
_LOCAL: dict[tuple, tuple[int, int, int, int, int]] = {}


def _template(net: _Net, last: int, rows: AxisTiles, i: int, cols: AxisTiles, j: int) -> _LocalPatch:
    """The patch of tile (``i``, ``j``), cached by what it depends on (stage, tile shapes)."""
    key = (net.stage_key(last), rows.shapes[i], cols.shapes[j])
    found = _TEMPLATES.get(key)
    if found is None:
        found = _TEMPLATES[key] = _LocalPatch(net, last, rows.spans[i], cols.spans[j])
    return found


def _local_figures(net: _Net, last: int, rows: AxisTiles, i: int, cols: AxisTiles, j: int) -> tuple:
    """(max, max before the scatter, at the scatter, at the gather, max after the gather) of one
    patch's own live bytes, cached by what they depend on."""
    key = (net.stage_key(last), rows.shapes[i], cols.shapes[j])
    found = _LOCAL.get(key)
    if found is None:
        live = _template(net, last, rows, i, cols, j).live_bytes()
        found = (max(live), max(live[:-1]), live[-1], live[0], max(live[1:]))
        _LOCAL[key] = found
    return found


def patch_lower_bound(net: _Net, last: int, rows: AxisTiles, cols: AxisTiles, alignment: int = 4) -> int:
    """The largest live bytes of the unrolled stage (the planner's lower bound there): a patch's
    own buffers, with the image until the last gather and the split tensor from the first scatter."""
    image = -(-net.nbytes[0] // alignment) * alignment
    split = -(-net.nbytes[last + 1] // alignment) * alignment
    r, c = len(rows.spans), len(cols.spans)
    first = _local_figures(net, last, rows, 0, cols, 0)
    final = _local_figures(net, last, rows, r - 1, cols, c - 1)
    best = max(first[1] + image, first[2] + image + split, final[3] + image + split, final[4] + split)
    inner = {(rows.shapes[k // c], cols.shapes[k % c]): k for k in range(1, r * c - 1)}
    for k in inner.values():
        best = max(best, _local_figures(net, last, rows, k // c, cols, k % c)[0] + image + split)
    return best


def plan_unrolled(
    unrolled: _Unrolled, limit: int | None = None, alignment: int = 4
) -> tuple[int | None, int, list[int]]:
    """(arena, lower bound, live bytes) the planner gives the unrolled problem in its own order;
    the arena is None when it is ``limit`` or more (placements are abandoned once they reach it)."""
    problem = unrolled.problem()
    order = list(range(len(problem.op_inputs)))
    live = liveness(problem, order, alignment, True)
    lower = max(live.live_bytes, default=0)
    if limit is not None and lower >= limit:
        return None, lower, live.live_bytes
    kept, overlaps = _one_patch_per_class(unrolled, live.items, live.overlap_pairs)
    items = [[(m.size, m.start, m.end) for m in live.items[i].members] for i in kept]
    conf = _conflict_lists(len(items), _conflict_pairs(items, overlaps))
    arena = _arena_below([_span(ms) for ms in items], overlaps, alignment, lower, conf, limit)
    return arena, lower, live.live_bytes


def _one_patch_per_class(
    unrolled: _Unrolled, items: list, overlap_pairs: list[tuple[int, int, int]]
) -> tuple[list[int], list[tuple[int, int, int]]]:
    """The items a placement needs: the image, the split tensor, the rest's, and the buffers of the
    first patch of each class (the overlap pairs renumbered).

    Buffers of different patches are never alive together, so a patch's buffer meets only the image,
    the split tensor and its own patch's buffers. Every placement orders buffers by size and
    lifetime: two patches of one class (same shapes, same role) put theirs in the same order
    relative to each other and to the image and the split tensor, so each lands where the
    corresponding buffer of the first one does, and the arena (the highest end) is the same
    without them. ``tests/codegen/test_netspec_patch_equivalence.py`` checks it on real plans.
    """
    first_of: dict[tuple, int] = {}
    for k, cls in enumerate(unrolled.classes):
        first_of.setdefault(cls, k)
    keep_patch = set(first_of.values())
    kept = []
    for i, item in enumerate(items):
        key = item.members[0].key
        patch = unrolled.patch_of_tensor.get(key) if key >= 0 else unrolled.patch_of_op.get(-key - 1)
        if patch is None or patch in keep_patch:
            kept.append(i)
    if len(kept) == len(items):
        return kept, overlap_pairs
    new = {old: i for i, old in enumerate(kept)}
    overlaps = [(new[o], new[i], d) for o, i, d in overlap_pairs if o in new and i in new]
    return kept, overlaps


def _arena_below(
    spans: list[tuple[int, int, int]],
    overlaps: list[tuple[int, int, int]],
    alignment: int,
    lower: int,
    conf: list[list[tuple[int, int, int]]],
    limit: int | None,
) -> int | None:
    """``memory.chain._best_arena`` (the planner's smallest arena over its placements), or None
    when every placement reaches ``limit``."""
    hints: list[tuple[tuple[int, int], ...]] = [()] * len(spans)
    for out, src, distance in overlaps:
        hints[out] += ((src, -distance),)
        hints[src] += ((out, distance),)
    no_hints: list[tuple[tuple[int, int], ...]] = [()] * len(spans)
    sizes = [span[0] for span in spans]
    orders: dict[str, list[int]] = {}
    best = None
    for hinted, name, best_fit in _unrolled_heuristics(bool(overlaps)):
        order = orders.get(name)
        if order is None:
            keys = [_KEYS[name](*span) for span in spans]
            order = orders[name] = sorted(range(len(spans)), key=keys.__getitem__)
        arena = _place_arena(sizes, order, conf, hints if hinted else no_hints, alignment, best_fit,
                             best if best is not None else limit)  # fmt: skip
        if arena is not None and (best is None or arena < best):
            best = arena
            if best <= lower:
                break
    return best


class _Net:
    """A netspec's layers with their shapes, sizes, graph tensor numbers and kernel choices."""

    def __init__(self, spec: NetSpec) -> None:
        view = _Layers(spec)
        self.layers = view.layers
        h, w = spec.resolution
        self.shapes = [(1, h, w, spec.in_channels)] + [layer.out_shape for layer in view.layers]
        self.nbytes = view.nbytes
        self.choices = view.choices
        self.index = _tensor_indices(view.layers)
        self.macs = [c[3] for c in view.choices]
        self.in_channels = spec.in_channels

        self._stage_keys: dict[int, int] = {}
        self._tiles: dict[tuple[int, int, int], AxisTiles] = {}
        self._geometry: dict[tuple[int, int], Geometry] = {}

    def tiles(self, last: int, parts: int, axis: int) -> AxisTiles:
        """:func:`axis_tiles` of this network (kept per network: its key costs a pass over the stage)."""
        key = (last, parts, axis)
        found = self._tiles.get(key)
        if found is None:
            geometry = self._geometry.get((last, axis))
            if geometry is None:
                geometry = self._geometry[last, axis] = stage_geometry(self.layers, self.shapes, last, axis)
            found = self._tiles[key] = axis_tiles(geometry, int(self.shapes[last + 1][axis]), parts)
        return found

    def stage_key(self, last: int) -> int:
        """What the stage's operators are, shapes aside (interned)."""
        found = self._stage_keys.get(last)
        if found is None:
            ops = tuple((la.kind, la.inputs, la.weights, la.stride, la.act, la.out_shape[-1])
                        for la in self.layers[: last + 1])  # fmt: skip
            found = self._stage_keys[last] = _intern((self.in_channels, ops))
        return found


def candidates(
    net: _Net, mode: str | tuple[int, int], max_extra_macs: float, base_live: list[int]
) -> list[tuple[Candidate, AxisTiles, AxisTiles]]:
    """Every (stage, grid) the chooser plans, in its order, within the MAC bound, with a cheap
    lower bound on its arena (the image and the split tensor, both alive at the last gather; the
    layer-by-layer peak after the stage); :func:`exact_bound` is the planner's own."""
    layers, shapes = net.layers, net.shapes
    total = sum(net.macs)
    grids = GRIDS if mode == "auto" else (mode,)
    result = []
    image = -(-net.nbytes[0] // 4) * 4
    for last in stages(layers, shapes):
        h, w = int(shapes[last + 1][1]), int(shapes[last + 1][2])
        split = -(-net.nbytes[last + 1] // 4) * 4
        cheap = max(base_live[last + 1 :] + [image + split])
        for grid in grids:
            if not (1 <= grid[0] <= h and 1 <= grid[1] <= w):
                continue
            rows, cols = net.tiles(last, grid[0], 1), net.tiles(last, grid[1], 2)
            before, after = stage_macs(net.macs, shapes, last, rows, cols)
            extra = (after - before) / total if total else 0.0
            if extra > max_extra_macs:
                continue
            cand = Candidate(len(result), last, grid, total, total - before + after, cheap)
            result.append((cand, rows, cols))
    return result


def choose(
    net: _Net, mode: str | tuple[int, int], max_extra_macs: float, base_arena: int, base_live: list[int]
) -> tuple[Planned | None, int, int]:
    """The chooser's pick (None: patches off), the candidates within the MAC bound, and how many
    were planned (in increasing bound order, until no bound can beat or tie the best)."""
    found = candidates(net, mode, max_extra_macs, base_live)
    best: Planned | None = None
    planned = 0
    # increasing (bound, extra MACs, position); a cheap bound is made exact when it comes first
    heap = [(cand.bound, cand.extra_macs, cand.order, False) for cand, _, _ in found]
    heapq.heapify(heap)
    while heap:
        bound, extra, order, exact = heapq.heappop(heap)
        if mode == "auto" and bound >= base_arena:
            break
        if best is not None and (bound, extra, order) > _key(best):
            break
        cand, rows, cols = found[order]
        if not exact:
            heapq.heappush(heap, (exact_bound(net, cand, rows, cols), extra, order, True))
            continue
        limit = base_arena if mode == "auto" else None
        if best is not None:  # a tie on the arena wins when its extra MACs or position are smaller
            tie = (cand.extra_macs, cand.order) < _key(best)[1:]
            limit = best.arena_bytes + 1 if tie else best.arena_bytes
        unrolled = _Unrolled(net, cand.last, rows, cols)
        arena, lower, live = plan_unrolled(unrolled, limit)
        planned += 1
        if arena is None:
            continue
        result = Planned(cand, arena, lower, live, unrolled.kinds)
        if best is None or _key(result) < _key(best):
            best = result
    return best, len(found), planned


def exact_bound(net: _Net, cand: Candidate, rows: AxisTiles, cols: AxisTiles) -> int:
    """The planner's lower bound (largest live bytes) of the candidate's unrolled plan."""
    return max(cand.bound, patch_lower_bound(net, cand.last, rows, cols))


def _unrolled_heuristics(overlaps: bool) -> list[tuple[bool, str, bool]]:
    """``memory.chain._heuristics``, the one that most often wins on unrolled stages first (hinted
    duration first-fit: 53 of 90 sampled candidates); the smallest arena does not depend on it."""
    every = _heuristics(overlaps)
    first = [h for h in every if h == (True, "duration", False)]
    return first + [h for h in every if h not in first]


def _key(p: Planned) -> tuple[int, float, int]:
    return p.arena_bytes, p.candidate.extra_macs, p.candidate.order


def _trim_caches() -> None:
    """Empty every cache when one is full (together: the interned ids key the others)."""
    caches = (_AXES, _LOCAL, _TEMPLATES, _INTERNED, _PATCH_CHOICES)
    if any(len(cache) > MAX_CACHED for cache in caches):
        for cache in caches:
            cache.clear()


def patch_profile(
    spec: NetSpec, sram: int | None, flash: int | None, patch: str, max_extra_macs: float
) -> ProfileReport:
    """``profile_graph(netspec_to_graph(spec), sram, flash, patch=patch, max_extra_macs=...)``
    without the graphs (the plan and the per-operator rows, when read, come from the graph path)."""
    mode = parse_patch_mode(patch)
    runs, figures = fast_figures(spec)
    base = fast_profile(spec, sram, flash, (runs, figures))
    if mode == "off":
        return base
    label = mode if isinstance(mode, str) else f"{mode[0]}x{mode[1]}"
    summary: dict[str, Any] = {"mode": label, "enabled": False, "arena_without_patches": base.arena_bytes,
                               "arena_with_patches": None}  # fmt: skip
    _trim_caches()
    net = _Net(spec)
    best, within, planned = choose(net, mode, max_extra_macs, base.arena_bytes, figures.live_bytes)
    summary["candidates_planned"] = planned
    if best is None:
        why = "layer by layer is smaller" if within else (
            "no first stage fits the extra-MAC bound (or none can run patch by patch)")  # fmt: skip
        base.patch = {**summary, "why_off": why}
        return base
    cand = best.candidate
    name = net.layers[cand.last].name
    summary.update({
        "enabled": True, "arena_with_patches": best.arena_bytes, "why_off": None, "grid": list(cand.grid),
        "stage": [0, cand.last], "split_after": name, "split_tensor": name,
        "macs_without_patches": cand.macs_before, "macs_with_patches": cand.macs_after,
        "extra_macs_percent": round(100 * cand.extra_macs, 2),
    })  # fmt: skip
    graph_path: list[ProfileReport] = []

    def full() -> ProfileReport:
        if not graph_path:
            graph = netspec_to_graph(spec)
            graph_path.append(profile_graph(graph, sram, flash, patch=patch, max_extra_macs=max_extra_macs))
        return graph_path[0]

    peak = best.live_bytes.index(best.lower_bound) if best.live_bytes else None
    totals = Totals(cand.macs_after, base.params, base.weight_bytes, code_bytes_estimate(best.kinds))
    figures_ = _Figures(best.arena_bytes, best.lower_bound, peak)
    kind = None if peak is None else best.kinds[peak][0]
    report = build_report(
        spec.name, lambda: full().plan, totals, kind, lambda: full().ops, sram, flash, figures_
    )
    report.patch = summary
    return report


@dataclass
class _Figures:
    arena_bytes: int
    lower_bound: int
    peak_op: int | None
