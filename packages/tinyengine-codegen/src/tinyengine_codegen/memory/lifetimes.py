"""Buffers and their lifetimes over a schedule, grouped by shared memory.

A *buffer* is an activation tensor or an operator's scratch, alive from the schedule
position that writes it to the last one that reads it (graph inputs from 0, graph outputs
to the end). Buffers that must sit at the same offset form an *item*: a view and its
input; an in-place operator's output and the input it overwrites. An item is placed
as a whole (one base offset); its members keep their own sizes and lifetimes, so a big
float input followed by its small in-place int8 quantization only costs the big size
while the float input is alive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from tinyengine_codegen.memory.overlap import combined_footprint
from tinyengine_codegen.memory.problem import Problem


def scratch_key(op_index: int) -> int:
    """The buffer key of an operator's scratch (tensor keys are >= 0)."""
    return -(op_index + 1)


class Member(NamedTuple):
    """One buffer: ``key`` is a tensor index, or :func:`scratch_key` of an operator."""

    key: int
    size: int
    start: int
    end: int


class Item:
    """Buffers placed at one base offset (size and span computed once: the hot path reads them)."""

    __slots__ = ("members", "size", "start", "end")

    def __init__(self, members: list[Member]) -> None:
        self.members = members
        if len(members) == 1:
            _, self.size, self.start, self.end = members[0]
        else:
            self.size = max(m.size for m in members)
            self.start = min(m.start for m in members)
            self.end = max(m.end for m in members)

    def __repr__(self) -> str:
        return f"Item({self.members})"


@dataclass
class Liveness:
    """Everything the placement needs for one schedule."""

    items: list[Item]
    inplace: dict[int, int]  # op index -> input tensor its output overwrites (views included)
    lifetimes: dict[int, tuple[int, int]]  # tensor index -> (first, last) schedule position
    live_bytes: list[int]  # per schedule position, with shared memory counted once
    overlaps: dict[int, int] = field(default_factory=dict)  # op index -> input its output overlaps
    overlap_pairs: list[tuple[int, int, int]] = field(default_factory=list)  # (output item, input item, D)
    output_of: dict[int, int] = field(default_factory=dict)  # overlapped op -> its output tensor
    sizes: dict[int, int] = field(default_factory=dict)  # tensor -> bytes, for overlapped tensors


def align_up(value: int, alignment: int) -> int:
    return -(-value // alignment) * alignment


def tensor_lifetimes(problem: Problem, schedule: list[int]) -> dict[int, tuple[int, int]]:
    """(first, last) schedule position of every activation tensor the schedule touches."""
    first: dict[int, int] = {t: 0 for t in problem.inputs}
    last: dict[int, int] = {t: 0 for t in problem.inputs}
    op_inputs, op_outputs = problem.op_inputs, problem.op_outputs
    for p, oi in enumerate(schedule):
        for t in op_inputs[oi]:
            if t not in first:
                first[t] = 0
            last[t] = p
        for t in op_outputs[oi]:
            first[t] = p
            if last.get(t, p) <= p:
                last[t] = p
    end = max(len(schedule) - 1, 0)
    for t in problem.outputs:
        first.setdefault(t, 0)
        last[t] = end
    return {t: (first[t], last[t]) for t in first}


class _Groups:
    """Union-find over tensors that share memory (only grouped tensors cost anything)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}  # non-root tensor -> its parent
        self.groups: dict[int, list[int]] = {}  # root of a group of two or more -> members

    def find(self, t: int) -> int:
        parent = self.parent
        while t in parent:
            t = parent[t]
        return t

    def members(self, root: int) -> list[int]:
        return self.groups.get(root) or [root]

    def union(self, keep: int, other: int) -> None:
        a, b = self.find(keep), self.find(other)
        if a != b:
            self.parent[b] = a
            self.groups[a] = self.members(a) + self.members(b)
            self.groups.pop(b, None)


def liveness(problem: Problem, schedule: list[int], alignment: int = 4, overlap: bool = True) -> Liveness:
    """Group buffers into items (views, in-place operators) and measure live bytes per step.

    With ``overlap``, an operator with ``problem.overlap`` whose first input dies at it may
    place its output over that input, at least ``D`` bytes below (``memory.overlap``).
    """
    nbytes = problem.nbytes
    lifetimes = tensor_lifetimes(problem, schedule)
    groups = _Groups()
    inplace: dict[int, int] = {}
    for p, oi in enumerate(schedule):
        outs = problem.op_outputs[oi]
        if problem.view[oi]:
            groups.union(problem.op_inputs[oi][0], outs[0])
            inplace[oi] = problem.op_inputs[oi][0]
        elif problem.inplace[oi] and len(outs) == 1:
            src = _inplace_source(problem, problem.op_inputs[oi], outs[0], p, lifetimes, groups)
            if src is not None:
                groups.union(src, outs[0])
                inplace[oi] = src
    items = []
    grouped = groups.parent
    for t, (start, end) in lifetimes.items():
        if t in grouped:
            continue  # placed with its group's root
        if t in groups.groups:
            members = [
                Member(m, -(-nbytes[m] // alignment) * alignment, *lifetimes[m]) for m in groups.groups[t]
            ]
            if any(m.size for m in members):
                items.append(Item(members))
        elif nbytes[t]:
            items.append(Item([Member(t, -(-nbytes[t] // alignment) * alignment, start, end)]))
    scratch = problem.scratch
    for p, oi in enumerate(schedule):
        if scratch[oi] > 0:
            items.append(Item([Member(scratch_key(oi), -(-scratch[oi] // alignment) * alignment, p, p)]))
    steps = max(len(schedule), 1)  # a graph without operators still holds its input
    live = Liveness(items, inplace, lifetimes, live_bytes_per_step(items, steps))
    if overlap and problem.overlap:
        _add_overlaps(problem, schedule, live, groups, alignment)
    return live


def _add_overlaps(
    problem: Problem, schedule: list[int], live: Liveness, groups: _Groups, alignment: int
) -> None:
    """Record the operators whose output may overlap their dying first input, and the saving."""
    item_of = {m.key: i for i, item in enumerate(live.items) for m in item.members if m.key >= 0}
    lifetimes, nbytes = live.lifetimes, problem.nbytes
    for p, oi in enumerate(schedule):
        distance = problem.overlap[oi]
        outs, ins = problem.op_outputs[oi], problem.op_inputs[oi]
        if distance is None or oi in live.inplace or len(outs) != 1 or not ins:
            continue
        src, out = ins[0], outs[0]
        if ins.count(src) != 1 or out in problem.inputs or src not in item_of or out not in item_of:
            continue
        root = groups.find(src)
        if groups.find(out) == root or any(groups.find(t) == root for t in ins[1:]):
            continue
        if any(lifetimes[m][1] > p or m in problem.outputs for m in groups.members(root)):
            continue
        if any(lifetimes[m][0] < p for m in groups.members(groups.find(out))):
            continue
        d = align_up(distance, alignment)
        live.overlaps[oi] = src
        live.output_of[oi] = out
        live.sizes[src], live.sizes[out] = nbytes[src], nbytes[out]
        live.overlap_pairs.append((item_of[out], item_of[src], d))
        s_in, s_out = align_up(nbytes[src], alignment), align_up(nbytes[out], alignment)
        live.live_bytes[p] -= s_in + s_out - combined_footprint(s_in, s_out, d)


def _inplace_source(
    problem: Problem,
    inputs: tuple[int, ...],
    out: int,
    p: int,
    lifetimes: dict[int, tuple[int, int]],
    groups: _Groups,
) -> int | None:
    """The input an in-place operator at position ``p`` may overwrite, or None.

    The input must be at least as large as the output, and nothing sharing its bytes may be
    read after ``p`` (nor be a graph output) or be read by this operator through another input.
    """
    nbytes = problem.nbytes
    if out in problem.inputs:
        return None
    best = None
    for t in inputs:
        if nbytes[t] < nbytes[out]:
            continue
        root = groups.find(t)
        if any(groups.find(other) == root for other in inputs if other != t):
            continue
        if any(lifetimes[m][1] > p or m in problem.outputs for m in groups.members(root)):
            continue
        exact = nbytes[t] == nbytes[out]
        if best is None or (exact and nbytes[best] != nbytes[out]):
            best = t
    return best


def live_bytes_per_step(items: list[Item], steps: int) -> list[int]:
    """Bytes in use at each schedule position; an item counts its largest live member."""
    diff = [0] * (steps + 1)
    for item in items:
        if len(item.members) == 1:
            m = item.members[0]
            diff[m.start] += m.size
            diff[m.end + 1] -= m.size
            continue
        footprint: dict[int, int] = {}
        for m in item.members:
            for p in range(m.start, m.end + 1):
                if footprint.get(p, 0) < m.size:
                    footprint[p] = m.size
        for p, size in footprint.items():
            diff[p] += size
            diff[p + 1] -= size
    live, running = [], 0
    for p in range(steps):
        running += diff[p]
        live.append(running)
    return live
