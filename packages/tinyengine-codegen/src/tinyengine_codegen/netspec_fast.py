"""Fast profile of a netspec, for search loops: no graph objects, cached kernel choices and runs.

The layers come from :func:`~tinyengine_codegen.frontend.netspec_graph.netspec_layers` (the
same sequence the graph frontend builds). Kernel choices (kernel, scratch bytes, in-place
flag, overlap distance) are those of the real passes: a layer whose signature (kind, shapes,
stride, activation, how its inputs are consumed) was never seen runs the whole graph pipeline
once on its netspec, and every signature seen is cached with the layer's MACs, parameters
and weight bytes. A netspec is a chain of runs (stem, blocks, head) that meet only through
one tensor: each run is keyed by what it depends on (:func:`_run_keys`) and cached with its
planner segment (``memory.chain.Segment``) and costs, so pricing a candidate whose runs were
all seen builds no layers: it joins the runs and places the buffers
(``memory.chain.segments_arena``). The result equals ``profile_graph(netspec_to_graph(spec))``
(the plan and the rows are computed on first access); the tests compare the two on random
netspecs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tinyengine_codegen.analysis import (
    ADD_TABLE_BYTES,
    CODE_PER_CALL_BYTES,
    MAC_OPS,
    REQUANT_BYTES_PER_CHANNEL,
    code_bytes_estimate,
    conv_macs,
)
from tinyengine_codegen.backend.conv_layout import packed_filter_bytes
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
        costs = _layer_costs(layer, op.kernel)
        _CHOICES[key] = (op.kernel, op.scratch_bytes, op.inplace, *costs, op_overlap(graph, i))


def _tensor_indices(layers: list[Layer]) -> list[int]:
    """Graph tensor index of every activation id, as ``netspec_to_graph`` numbers them."""
    indices, count = [0], 1
    for layer in layers:
        count += 2 if layer.weights is not None else (1 if layer.kind == "MEAN" else 0)
        indices.append(count)
        count += 1
    return indices


@dataclass(frozen=True)
class _Run:
    """A run of a netspec's operators (the stem, a block, the head), planned once per key."""

    segment: Segment | None  # None: not separable, the whole chain is planned
    kinds: tuple[str, ...]
    code: tuple[tuple[str, str | None], ...]  # (kind, kernel) of its first use of each kernel
    macs: int
    params: int
    weight_bytes: int


_RUNS: dict[tuple, _Run] = {}
MAX_CACHED_RUNS = 20_000  # about 4 kB each with their layers' choices


def _run_keys(spec: NetSpec) -> list[tuple]:
    """What each run's operators, shapes and kernel choices depend on: stem, blocks, head."""
    h, w = spec.resolution
    c, s = spec.stem_channels, spec.stem_stride
    keys = [("stem", h, w, spec.in_channels, c, spec.stem_kernel_size, s)]
    h, w = -(-h // s), -(-w // s)
    for b in spec.blocks:
        keys.append(("block", h, w, c, b.expand_ratio, b.kernel_size, b.stride, b.out_channels))
        h, w, c = -(-h // b.stride), -(-w // b.stride), b.out_channels
    keys.append(("head", h, w, c, spec.mix_channels, spec.num_classes, spec.pool))
    return keys


def _run_starts(layers: list[Layer]) -> list[int]:
    """First operator of each run: the stem, every block, the head."""
    starts, previous = [], None
    for i, layer in enumerate(layers):
        name = layer.name
        run = name.rsplit(".", 1)[0] if name.startswith("blocks.") else ("stem" if name == "stem" else "head")
        if run != previous:
            starts.append(i)
            previous = run
    return starts


class _Layers:
    """A netspec's layers with their kernel choices (learned on first sight) and planner arrays."""

    def __init__(self, spec: NetSpec) -> None:
        self.layers = layers = netspec_layers(spec)
        h, w = spec.resolution
        shapes = [(1, h, w, spec.in_channels)] + [layer.out_shape for layer in layers]
        keys = _signatures(layers, shapes)
        if any(key not in _CHOICES for key in keys):
            _learn(spec, layers, keys)
        self.choices = choices = [_CHOICES[key] for key in keys]
        self.nbytes = [math.prod(shape) for shape in shapes]
        self.op_inputs = [layer.inputs for layer in layers]
        self.scratch = [c[1] for c in choices]
        self.inplace = [c[2] for c in choices]
        self.overlap = [c[6] for c in choices]

    def run(self, start: int, end: int) -> _Run:
        """The :class:`_Run` of operators ``start..end - 1`` (their only outside input: ``start``)."""
        inputs = [tuple(t - start for t in self.op_inputs[i]) for i in range(start, end)]
        alone = all(0 <= t <= i for i, ins in enumerate(inputs) for t in ins)
        seg = None
        if alone:
            seg = segment(
                self.nbytes[start : end + 1],
                inputs,
                self.scratch[start:end],
                self.inplace[start:end],
                self.overlap[start:end],
            )
        layers, choices = self.layers[start:end], self.choices[start:end]
        code: dict[str | None, tuple[str, str | None]] = {}
        for layer, c in zip(layers, choices, strict=True):
            code.setdefault(c[0] or layer.kind, (layer.kind, c[0]))
        return _Run(
            seg,
            tuple(layer.kind for layer in layers),
            tuple(code.values()),
            sum(c[3] for c in choices),
            sum(c[4] for c in choices),
            sum(c[5] for c in choices),
        )

    def arena(self) -> ChainArena:
        return chain_arena(self.nbytes, self.op_inputs, self.scratch, self.inplace, self.overlap)

    def problem(self) -> Problem:
        """The planner's problem in the graph's tensor numbering (``netspec_to_graph``)."""
        index = _tensor_indices(self.layers)
        graph_bytes = [0] * (index[-1] + 1)
        for i, size in enumerate(self.nbytes):
            graph_bytes[index[i]] = size
        n = len(self.layers)
        return Problem(
            nbytes=graph_bytes,
            op_inputs=[tuple(index[i] for i in ins) for ins in self.op_inputs],
            op_outputs=[(index[i + 1],) for i in range(n)],
            scratch=self.scratch,
            inplace=self.inplace,
            view=[False] * n,
            inputs=[0],
            outputs=[index[n]],
            overlap=self.overlap,
        )


def _runs(spec: NetSpec) -> list[_Run]:
    """The runs of ``spec``, from the cache, learning the ones never seen."""
    keys = _run_keys(spec)
    runs = [_RUNS.get(key) for key in keys]
    if any(run is None for run in runs):
        if len(_RUNS) > MAX_CACHED_RUNS:
            _RUNS.clear()  # a long scan over many spaces: start again rather than grow
        view = _Layers(spec)
        starts = _run_starts(view.layers)
        if len(starts) != len(keys):
            raise AssertionError(f"{spec.name}: {len(starts)} runs of layers for {len(keys)} keys")
        for key, start, end in zip(keys, starts, starts[1:] + [len(view.layers)], strict=True):
            _RUNS.setdefault(key, view.run(start, end))
        runs = [_RUNS[key] for key in keys]
    return runs  # type: ignore[return-value]


def fast_figures(spec: NetSpec) -> tuple[list[_Run], ChainArena]:
    """The runs of ``spec`` and the planner's figures (arena, live bytes per step) for them."""
    runs = _runs(spec)
    segments = [run.segment for run in runs]
    separable = all(seg is not None for seg in segments)
    return runs, segments_arena(segments) if separable else _Layers(spec).arena()  # type: ignore[arg-type]


def fast_profile(
    spec: NetSpec, sram: int | None, flash: int | None, figured: tuple[list[_Run], ChainArena] | None = None
) -> ProfileReport:
    """``profile_graph(netspec_to_graph(spec), sram, flash)``, computed without a graph.

    Each run (stem, block, head) is planned once per key (:func:`_run_keys`); a candidate
    joins its runs' cached parts and only places them
    (:func:`~tinyengine_codegen.memory.chain.segments_arena`). The plan itself (offsets) and
    the per-operator rows are computed when first read. ``figured``: :func:`fast_figures`
    of ``spec`` when the caller has it.
    """
    runs, figures = figured if figured is not None else fast_figures(spec)
    view: list[_Layers] = []

    def layers() -> _Layers:
        if not view:
            view.append(_Layers(spec))
        return view[0]

    code = [pair for run in runs for pair in run.code]
    operators = sum(len(run.kinds) for run in runs)
    totals = Totals(
        macs=sum(run.macs for run in runs),
        params=sum(run.params for run in runs),
        weight_bytes=sum(run.weight_bytes for run in runs),
        code_bytes=code_bytes_estimate(code) + CODE_PER_CALL_BYTES * (operators - len(code)),
    )

    def plan() -> MemoryPlan:
        return plan_problem(layers().problem(), [list(range(operators))])

    def rows() -> list[OpRow]:
        view = layers()
        return [_row(i, layer, view.choices[i], figures) for i, layer in enumerate(view.layers)]

    peak_kind = None
    if figures.peak_op is not None:
        peak_kind = [kind for run in runs for kind in run.kinds][figures.peak_op]
    return build_report(spec.name, plan, totals, peak_kind, rows, sram, flash, figures)


def _layer_costs(layer: Layer, kernel: str | None) -> tuple[int, int, int]:
    """MACs, parameters and weight Flash bytes of one layer run by ``kernel`` (as ``analysis``
    counts a graph)."""
    if layer.kind in MAC_OPS:
        out_c = layer.out_shape[-1]
        weights = math.prod(layer.weights)
        macs = conv_macs(layer.kind, layer.out_shape, layer.weights)
        packed = packed_filter_bytes(kernel, out_c, weights // max(out_c, 1))
        if packed is not None:
            return macs, weights + out_c, packed
        return macs, weights + out_c, weights + 4 * out_c + REQUANT_BYTES_PER_CHANNEL * out_c
    if layer.kind == "MEAN":
        return 0, 0, MEAN_AXES.nbytes
    if layer.kind == "ADD":  # residual ADDs: same shapes, te_add_table_s8 and its table
        return 0, 0, ADD_TABLE_BYTES
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
