"""Fast profile of a netspec, for search loops: no graph objects, cached kernel choices.

The layers come from :func:`~tinyengine_codegen.frontend.netspec_graph.netspec_layers` (the
same sequence the graph frontend builds), the planner problem is built directly, and the
planner's lifetimes and placement code does the rest. Kernel choices (kernel, scratch bytes,
in-place flag) are those of the real passes: a layer whose signature (kind, shapes, stride,
activation, how its inputs are consumed) was never seen runs the whole graph pipeline once
on its netspec, and every signature seen is cached with the layer's MACs, parameters and
weight bytes. The result equals
``profile_graph(netspec_to_graph(spec))``; the tests compare the two on random netspecs.
"""

from __future__ import annotations

import math

from tinyengine_codegen.analysis import MAC_OPS, REQUANT_BYTES_PER_CHANNEL, code_bytes_estimate, conv_macs
from tinyengine_codegen.frontend.netspec import NetSpec
from tinyengine_codegen.frontend.netspec_graph import MEAN_AXES, Layer, netspec_layers, netspec_to_graph
from tinyengine_codegen.memory.chain import ChainArena, Segment, chain_arena, segment, segments_arena
from tinyengine_codegen.memory.overlap import op_overlap
from tinyengine_codegen.memory.planner import MemoryPlan, plan_problem
from tinyengine_codegen.memory.problem import Problem
from tinyengine_codegen.passes import run_passes
from tinyengine_codegen.profile import OpRow, ProfileReport, Totals, build_report

# kernel, scratch bytes, in-place capable, the layer's MACs, parameters and weight bytes, and
# how far below its input its output may start (memory.overlap; None: no overlap)
Choice = tuple[str | None, int, bool, int, int, int, int | None]
_CHOICES: dict[tuple, Choice] = {}
_MISSING = object()


def _signatures(layers: list[Layer], shapes: list[tuple[int, ...]]) -> list[tuple]:
    """Everything the kernel choice of each layer can depend on."""
    readers = [0] * (len(layers) + 1)
    for layer in layers:
        for i in layer.inputs:
            readers[i] += 1
    last = len(layers)
    keys = []
    for layer in layers:
        context = tuple((shapes[i], i == 0, i == last, readers[i]) for i in layer.inputs)
        keys.append((layer.kind, layer.out_shape, layer.weights, layer.stride, layer.act, context))
    return keys


def _learn(spec: NetSpec, layers: list[Layer], keys: list[tuple]) -> None:
    """Run the real passes on the netspec's graph and cache every operator's kernel choice."""
    graph = run_passes(netspec_to_graph(spec))
    kinds = [op.kind for op in graph.operators]
    if kinds != [layer.kind for layer in layers]:
        raise AssertionError(f"the passes changed the netspec graph of {spec.name}: {kinds}")
    for i, (key, op, layer) in enumerate(zip(keys, graph.operators, layers, strict=True)):
        _CHOICES[key] = (op.kernel, op.scratch_bytes, op.inplace, *_layer_costs(layer), op_overlap(graph, i))


def _tensor_indices(layers: list[Layer]) -> list[int]:
    """Graph tensor index of every activation id, as ``netspec_to_graph`` numbers them."""
    indices, count = [0], 1
    for layer in layers:
        count += 2 if layer.weights is not None else (1 if layer.kind == "MEAN" else 0)
        indices.append(count)
        count += 1
    return indices


_SEGMENTS: dict[tuple, Segment | None] = {}


def _segment_starts(layers: list[Layer]) -> list[int]:
    """First operator of each run planned on its own: the stem, every block, the head."""
    starts, previous = [], None
    for i, layer in enumerate(layers):
        name = layer.name
        run = name.rsplit(".", 1)[0] if name.startswith("blocks.") else ("stem" if name == "stem" else "head")
        if run != previous:
            starts.append(i)
            previous = run
    return starts


def _arena(
    layers: list[Layer],
    keys: list[tuple],
    nbytes: list[int],
    scratch: list[int],
    inplace: list[bool],
    overlap: list[int | None],
) -> ChainArena:
    """The planner's arena, from the cached :class:`Segment` of every run (stem, blocks, head)."""
    starts = _segment_starts(layers)
    bounds = list(zip(starts, starts[1:] + [len(layers)], strict=True))
    segments = []
    for start, end in bounds:
        key = tuple((keys[i], tuple(t - start for t in layers[i].inputs)) for i in range(start, end))
        seg = _SEGMENTS.get(key, _MISSING)
        if seg is _MISSING:
            inputs = [tuple(t - start for t in layers[i].inputs) for i in range(start, end)]
            alone = all(0 <= t <= i for i, ins in enumerate(inputs) for t in ins)
            seg = _SEGMENTS[key] = (
                segment(
                    nbytes[start : end + 1],
                    inputs,
                    scratch[start:end],
                    inplace[start:end],
                    overlap[start:end],
                )
                if alone
                else None
            )
        if seg is None:
            op_inputs = [layer.inputs for layer in layers]
            return chain_arena(nbytes, op_inputs, scratch, inplace, overlap)
        segments.append(seg)
    return segments_arena(segments)


def fast_profile(spec: NetSpec, sram: int | None, flash: int | None) -> ProfileReport:
    """``profile_graph(netspec_to_graph(spec), sram, flash)``, computed without a graph.

    The arena comes from :func:`~tinyengine_codegen.memory.chain.chain_arena`; the plan
    itself (offsets) is computed by the full planner when ``report.plan`` is first read.
    """
    layers = netspec_layers(spec)
    h, w = spec.resolution
    shapes = [(1, h, w, spec.in_channels)] + [layer.out_shape for layer in layers]
    keys = _signatures(layers, shapes)
    if any(key not in _CHOICES for key in keys):
        _learn(spec, layers, keys)
    choices = [_CHOICES[key] for key in keys]
    nbytes = [math.prod(shape) for shape in shapes]
    op_inputs = [layer.inputs for layer in layers]
    scratch = [c[1] for c in choices]
    inplace = [c[2] for c in choices]
    overlap = [c[6] for c in choices]
    figures = _arena(layers, keys, nbytes, scratch, inplace, overlap)
    code = code_bytes_estimate([(layer.kind, c[0]) for layer, c in zip(layers, choices, strict=True)])
    totals = Totals(
        macs=sum(c[3] for c in choices),
        params=sum(c[4] for c in choices),
        weight_bytes=sum(c[5] for c in choices),
        code_bytes=code,
    )
    peak = figures.peak_op

    def plan() -> MemoryPlan:
        index = _tensor_indices(layers)
        graph_bytes = [0] * (index[-1] + 1)
        for i, size in enumerate(nbytes):
            graph_bytes[index[i]] = size
        n = len(layers)
        problem = Problem(
            nbytes=graph_bytes,
            op_inputs=[tuple(index[i] for i in ins) for ins in op_inputs],
            op_outputs=[(index[i + 1],) for i in range(n)],
            scratch=scratch,
            inplace=inplace,
            view=[False] * n,
            inputs=[0],
            outputs=[index[n]],
            overlap=overlap,
        )
        return plan_problem(problem, [list(range(n))])

    def rows() -> list[OpRow]:
        return [_row(i, layer, choices[i], figures) for i, layer in enumerate(layers)]

    peak_kind = layers[peak].kind if peak is not None else None
    return build_report(spec.name, plan, totals, peak_kind, rows, sram, flash, figures)


def _layer_costs(layer: Layer) -> tuple[int, int, int]:
    """MACs, parameters and weight Flash bytes of one layer (as ``analysis`` counts a graph)."""
    if layer.kind in MAC_OPS:
        out_c = layer.out_shape[-1]
        weights = math.prod(layer.weights)
        macs = conv_macs(layer.kind, layer.out_shape, layer.weights)
        return macs, weights + out_c, weights + 4 * out_c + REQUANT_BYTES_PER_CHANNEL * out_c
    if layer.kind == "MEAN":
        return 0, 0, MEAN_AXES.nbytes
    return 0, 0, 0


def _row(i: int, layer: Layer, choice: Choice, plan: ChainArena) -> OpRow:
    _, _, _, macs, params, weight_bytes, _ = choice
    return OpRow(
        index=i,
        name=layer.name,
        kind=layer.kind,
        kernel=choice[0],
        output_shape=layer.out_shape,
        live_bytes=plan.live_bytes[i],
        scratch_bytes=choice[1],
        inplace=i in plan.inplace,
        macs=macs,
        params=params,
        weight_bytes=weight_bytes,
    )
