"""The planner's arena for a straight-line network, computed fast (netspec pricing in a search).

:func:`chain_arena` gives exactly what :func:`~tinyengine_codegen.memory.planner.plan_problem`
gives for a chain problem in its own order (tensor ``t + 1`` written by operator ``t``, tensor
0 the graph input, the last tensor the graph output): the same in-place groups and overlaps
(``memory.lifetimes``), live bytes per step, and the smallest arena of the same placement
heuristics (``memory.placement``). It keeps only numbers in flat lists, no objects per
buffer, and abandons a heuristic as soon as it cannot beat the best arena so far (the first
one tried usually reaches the lower bound, which ends the search). :class:`Segment` and
:func:`segments_arena` do the same from runs planned once and cached (a netspec's stem,
blocks and head), leaving only the placement per candidate. The offsets themselves are not
computed: the full planner gives them when asked (same problem, same result).
``tests/codegen/test_netspec_pricing_speed_equivalence.py`` checks the equality."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tinyengine_codegen.memory.overlap import combined_footprint
from tinyengine_codegen.memory.placement import ORDERINGS, _best_fit

# the placement orderings of memory.placement.ORDERINGS as keys over (size, start, end)
_KEYS = {
    "size": lambda size, start, end: (-size, start),
    "start": lambda size, start, end: (start, -size),
    "duration": lambda size, start, end: (-(end - start), -size),
    "area": lambda size, start, end: (-(end - start + 1) * size, start),
    "reverse": lambda size, start, end: (-start, -size),
    "reverse-end": lambda size, start, end: (-end, -size),
}
# the placements that win most often on MCUNet-like netspecs, tried first
_WINNERS = ((True, "size", False), (True, "duration", False), (False, "size", False))
Members = list[tuple[int, int, int]]  # (size, start, end) of each buffer of an item


@dataclass
class ChainArena:
    """What the planner decides for a chain, without the offsets.

    ``live_bytes`` per step, ``lower_bound`` their maximum, ``peak_op`` the first step at it,
    ``arena_bytes`` the planner's arena, ``inplace`` operator -> the input tensor its output
    overwrites.
    """

    arena_bytes: int
    lower_bound: int
    live_bytes: list[int]
    peak_op: int | None
    inplace_source: dict[int, int] | Callable[[], dict[int, int]] = field(repr=False)

    @property
    def inplace(self) -> dict[int, int]:
        """Operator -> the input tensor its output overwrites (computed on first access)."""
        if callable(self.inplace_source):
            self.inplace_source = self.inplace_source()
        return self.inplace_source


class _Liveness:
    """In-place groups, items and overlaps of a chain, as ``memory.lifetimes.liveness`` makes them.

    A group's root is its first tensor and every later member joins it as a fresh output, so
    ``root`` maps each tensor straight to its root, and each root keeps the last step any
    member is read (``death``; past the end when a member is the graph output).
    """

    def __init__(self, nbytes: list[int], op_inputs: list[tuple[int, ...]], inplace_ok: list[bool]) -> None:
        n = len(op_inputs)
        self.n = n
        self.first = [0] + list(range(n))
        last = [0] + list(range(n))
        for p, ins in enumerate(op_inputs):
            for t in ins:
                last[t] = p
        last[n] = max(n - 1, 0)
        self.last = last
        self.root = root = list(range(n + 1))
        self.death = death = list(last)
        death[n] = n + 1  # the graph output never dies: nothing may overwrite it
        self.groups: dict[int, list[int]] = {}
        self.inplace: dict[int, int] = {}
        for p in range(n):
            if not inplace_ok[p]:
                continue
            src = self._inplace_source(nbytes, op_inputs[p], p)
            if src is not None:
                r, out = root[src], p + 1
                root[out] = r
                group = self.groups.get(r)
                if group is None:
                    self.groups[r] = [r, out]
                else:
                    group.append(out)
                death[r] = max(death[r], death[out])
                self.inplace[p] = src

    def members(self, r: int) -> list[int]:
        return self.groups.get(r) or [r]

    def _inplace_source(self, nbytes: list[int], ins: tuple[int, ...], p: int) -> int | None:
        out_bytes = nbytes[p + 1]
        root, death = self.root, self.death
        best = None
        for t in ins:
            if nbytes[t] < out_bytes:
                continue
            r = root[t]
            if death[r] > p or any(root[other] == r for other in ins if other != t):
                continue
            if best is None or (nbytes[t] == out_bytes and nbytes[best] != out_bytes):
                best = t
        return best

    def items(self, nbytes: list[int], alignment: int) -> tuple[list[Members], dict[int, int]]:
        """The items in ``liveness`` order (by root tensor) and the item of every tensor."""
        first, last, root, groups = self.first, self.last, self.root, self.groups
        items: list[Members] = []
        item_of: dict[int, int] = {}
        for t in range(self.n + 1):
            if root[t] != t:
                continue
            group = groups.get(t)
            if group is not None:
                members = [(-(-nbytes[m] // alignment) * alignment, first[m], last[m]) for m in group]
                if any(m[0] for m in members):
                    for m in group:
                        item_of[m] = len(items)
                    items.append(members)
            elif nbytes[t]:
                item_of[t] = len(items)
                items.append([(-(-nbytes[t] // alignment) * alignment, first[t], last[t])])
        return items, item_of


def _live_bytes(items: list[Members], steps: int) -> list[int]:
    """``memory.lifetimes.live_bytes_per_step`` over member triples."""
    diff = [0] * (steps + 1)
    for members in items:
        if len(members) == 1:
            size, start, end = members[0]
            diff[start] += size
            diff[end + 1] -= size
            continue
        low = min(m[1] for m in members)
        footprint = [0] * (max(m[2] for m in members) - low + 1)
        for size, start, end in members:
            for p in range(start - low, end - low + 1):
                if footprint[p] < size:
                    footprint[p] = size
        for p, size in enumerate(footprint, low):
            diff[p] += size
            diff[p + 1] -= size
    live, running = [], 0
    for p in range(steps):
        running += diff[p]
        live.append(running)
    return live


def _overlaps(
    live: _Liveness,
    item_of: dict[int, int],
    nbytes: list[int],
    op_inputs: list[tuple[int, ...]],
    overlap: list[int | None],
    live_bytes: list[int],
    alignment: int,
) -> list[tuple[int, int, int]]:
    """``memory.lifetimes._add_overlaps``: (output item, input item, D); lowers ``live_bytes``."""
    pairs = []
    root, death, first, inplace = live.root, live.death, live.first, live.inplace
    for p, distance in enumerate(overlap):
        ins = op_inputs[p]
        if distance is None or p in inplace or not ins:
            continue
        src, out = ins[0], p + 1
        if ins.count(src) != 1 or src not in item_of or out not in item_of:
            continue
        r = root[src]
        if root[out] == r or death[r] > p or any(root[t] == r for t in ins[1:]):
            continue
        if any(first[m] < p for m in live.members(root[out])):
            continue
        d = -(-distance // alignment) * alignment
        pairs.append((item_of[out], item_of[src], d))
        s_in = -(-nbytes[src] // alignment) * alignment
        s_out = -(-nbytes[out] // alignment) * alignment
        live_bytes[p] -= s_in + s_out - combined_footprint(s_in, s_out, d)
    return pairs


def _conflict_pairs(
    items: list[Members], overlaps: list[tuple[int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """``memory.placement.conflicts`` over member triples, as (item i, item j, A, B) with i < j.

    The same sweep over members sorted by start, with the buffers still alive filtered once
    per step instead of once per member.
    """
    members = sorted((start, end, size, i) for i, ms in enumerate(items) for size, start, end in ms)
    count = len(items)
    pairs: dict[int, list[int]] = {}
    active: list[tuple[int, int, int]] = []
    step = None
    for start, end, size, i in members:
        if start != step:
            step = start
            active = [a for a in active if a[0] >= start]
        for _, other_size, j in active:
            if j == i:
                continue
            if i < j:
                key, mine, theirs = i * count + j, size, other_size
            else:
                key, mine, theirs = j * count + i, other_size, size
            sizes = pairs.get(key)
            if sizes is None:
                pairs[key] = [mine, theirs]
            else:
                if mine > sizes[0]:
                    sizes[0] = mine
                if theirs > sizes[1]:
                    sizes[1] = theirs
        active.append((end, size, i))
    for out, src, distance in overlaps:
        sizes = pairs.get(min(out, src) * count + max(out, src))
        if sizes is not None:
            k = 0 if out < src else 1  # the output's size: how far below the input it must stay
            sizes[k] = min(sizes[k], distance)
    return [(*divmod(key, count), a, b) for key, (a, b) in pairs.items()]


def _conflict_lists(count: int, pairs: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Per item, (other item, A, B) (the shape ``memory.placement.place`` reads)."""
    result: list[list[tuple[int, int, int]]] = [[] for _ in range(count)]
    for i, j, a, b in pairs:
        result[i].append((j, a, b))
        result[j].append((i, b, a))
    return result


def _place_arena(
    sizes: list[int],
    order: list[int],
    conf: list[list[tuple[int, int, int]]],
    hints: list[tuple[tuple[int, int], ...]],
    alignment: int,
    best_fit: bool,
    limit: int | None,
) -> int | None:
    """The arena of ``memory.placement.place``; None as soon as it reaches ``limit``."""
    offsets: list[int | None] = [None] * len(sizes)
    top = 0
    for i in order:
        forbidden = [(o - a, o + b) for j, a, b in conf[i] if (o := offsets[j]) is not None]
        base = None
        hint = hints[i]
        if hint:
            for partner, delta in hint:
                o = offsets[partner]
                if o is None:
                    continue
                hinted = -(-(o + delta) // alignment) * alignment
                if hinted >= 0 and all(hinted <= lo or hinted >= hi for lo, hi in forbidden):
                    base = hinted
                    break
        if base is None:
            for partner, delta in hint:
                if offsets[partner] is None and delta > 0:
                    forbidden += [(lo + delta, hi + delta) for lo, hi in forbidden]
            forbidden.sort()
            if best_fit:
                base = _best_fit(forbidden, alignment)
            else:  # memory.placement._first_fit, inline
                base = 0
                for lo, hi in forbidden:
                    if base <= lo:
                        break
                    if base < hi:
                        base = -(-hi // alignment) * alignment
        offsets[i] = base
        end = base + sizes[i]
        if end > top:
            top = end
            if limit is not None and top >= limit:
                return None
    return top


def _span(members: Members) -> tuple[int, int, int]:
    """(size, start, end) of an item: its largest buffer, its first and last step."""
    if len(members) == 1:
        return members[0]
    return max(m[0] for m in members), min(m[1] for m in members), max(m[2] for m in members)


def _best_arena(
    spans: list[tuple[int, int, int]],
    overlaps: list[tuple[int, int, int]],
    alignment: int,
    lower: int,
    conf: list[list[tuple[int, int, int]]],
) -> int:
    """The arena of ``memory.placement.best_placement`` over items of ``spans`` (heuristics
    that cannot beat the best arena so far are abandoned as soon as they reach it)."""
    n = len(spans)
    sizes = [span[0] for span in spans]
    hinted_hints: list[tuple[tuple[int, int], ...]] = [()] * n
    for out, src, distance in overlaps:
        hinted_hints[out] += ((src, -distance),)
        hinted_hints[src] += ((out, distance),)
    no_hints: list[tuple[tuple[int, int], ...]] = [()] * n
    orders: dict[str, list[int]] = {}
    best = None
    for hinted, name, best_fit in _heuristics(bool(overlaps)):
        order = orders.get(name)
        if order is None:
            key = _KEYS[name]
            keys = [key(*span) for span in spans]
            order = orders[name] = sorted(range(n), key=keys.__getitem__)
        hints = hinted_hints if hinted else no_hints
        arena = _place_arena(sizes, order, conf, hints, alignment, best_fit, best)
        if arena is not None and (best is None or arena < best):
            best = arena
            if best <= lower:
                break
    return best if best is not None else 0


def _heuristics(overlaps: bool) -> list[tuple[bool, str, bool]]:
    """(hints, ordering, best-fit) of every placement ``best_placement`` tries, the ones that
    most often win on netspecs first (the smallest arena does not depend on the order tried)."""
    every = [
        (hinted, name, best_fit)
        for hinted in ((True, False) if overlaps else (False,))
        for name in ORDERINGS
        for best_fit in (False, True)
    ]
    first = [h for h in _WINNERS if h in every]
    return first + [h for h in every if h not in first]


class _Parts:
    """Everything but the placement, for a chain (arguments as :func:`chain_arena`)."""

    def __init__(
        self,
        nbytes: list[int],
        op_inputs: list[tuple[int, ...]],
        scratch: list[int],
        inplace: list[bool],
        overlap: list[int | None],
        alignment: int,
    ) -> None:
        n = len(op_inputs)
        self.live = live = _Liveness(nbytes, op_inputs, inplace)
        self.items, self.item_of = items, item_of = live.items(nbytes, alignment)
        self.tensor_items = len(items)
        for p, size in enumerate(scratch):
            if size > 0:
                items.append([(-(-size // alignment) * alignment, p, p)])
        self.live_bytes = _live_bytes(items, max(n, 1))
        self.overlaps = (
            _overlaps(live, item_of, nbytes, op_inputs, overlap, self.live_bytes, alignment)
            if overlap
            else []
        )

    def conflicts(self) -> list[list[tuple[int, int, int]]]:
        return _conflict_lists(len(self.items), _conflict_pairs(self.items, self.overlaps))


def chain_arena(
    nbytes: list[int],
    op_inputs: list[tuple[int, ...]],
    scratch: list[int],
    inplace: list[bool],
    overlap: list[int | None],
    alignment: int = 4,
) -> ChainArena:
    """The planner's arena for a chain: operator ``i`` reads tensors ``op_inputs[i]`` and writes
    tensor ``i + 1`` (``nbytes`` per tensor; 0 the graph input, the last one the graph output)."""
    parts = _Parts(nbytes, op_inputs, scratch, inplace, overlap, alignment)
    live_bytes = parts.live_bytes
    lower = max(live_bytes, default=0)
    spans = [_span(ms) for ms in parts.items]
    arena = _best_arena(spans, parts.overlaps, alignment, lower, parts.conflicts())
    peak = live_bytes.index(lower) if op_inputs else None
    return ChainArena(arena, lower, live_bytes, peak, parts.live.inplace)


@dataclass(frozen=True)
class Segment:
    """A run of operators whose only outside input is the tensor before it, planned alone.

    Built by :func:`segment` from a chain whose tensor 0 is that input (``x``) and whose last
    tensor is the run's output. In a longer chain nothing else crosses the run's borders (in
    a netspec: the stem, each block, the head), so every step's live bytes and every conflict
    between two items belong to one run, and a candidate's runs join cheaply
    (:func:`segments_arena`). Times count from the run's first step.

    - ``spans``: (size, start, end) of the tensor items, ``x``'s item first (``x`` and the
      buffers of the run that share its memory); ``scratch``: the scratch items' spans.
    - ``conflicts``: per item of ``spans + scratch``, (other item, A, B) as
      ``memory.placement.conflicts`` gives them; ``overlaps``: (output item, input item, D).
    - ``output``: the item holding the run's output; ``inplace``: operator -> the tensor its
      output overwrites.
    """

    spans: tuple[tuple[int, int, int], ...]
    scratch: tuple[tuple[int, int, int], ...]
    live_bytes: tuple[int, ...]
    conflicts: tuple[tuple[tuple[int, int, int], ...], ...]
    overlaps: tuple[tuple[int, int, int], ...]
    output: int
    inplace: tuple[tuple[int, int], ...]


def segment(
    nbytes: list[int],
    op_inputs: list[tuple[int, ...]],
    scratch: list[int],
    inplace: list[bool],
    overlap: list[int | None],
    alignment: int = 4,
) -> Segment | None:
    """The :class:`Segment` of a chain (arguments as :func:`chain_arena`); None when its input
    has no bytes."""
    parts = _Parts(nbytes, op_inputs, scratch, inplace, overlap, alignment)
    if parts.item_of.get(0) != 0:
        return None
    items, tensor_items = parts.items, parts.tensor_items
    return Segment(
        spans=tuple(_span(ms) for ms in items[:tensor_items]),
        scratch=tuple(ms[0] for ms in items[tensor_items:]),
        live_bytes=tuple(parts.live_bytes),
        conflicts=tuple(map(tuple, parts.conflicts())),
        overlaps=tuple(parts.overlaps),
        output=parts.item_of[len(op_inputs)],
        inplace=tuple(parts.live.inplace.items()),
    )


def segments_arena(segments: list[Segment], alignment: int = 4) -> ChainArena:
    """:func:`chain_arena` of the chain made of ``segments`` one after the other (each one's
    output the next one's input), from their cached parts."""
    spans: list[tuple[int, int, int]] = []  # (size, start, end) of every tensor item, then scratch
    maps: list[list[int]] = []
    live_bytes: list[int] = []
    step, held = 0, -1
    for seg in segments:
        own = seg.spans[0]
        if held < 0:
            held = len(spans)
            spans.append((own[0], own[1] + step, own[2] + step))
        else:  # the previous run's output, alive until its last reader here, with its new members
            size, start, _ = spans[held]
            spans[held] = (max(size, own[0]), start, own[2] + step)
        index = [held, *range(len(spans), len(spans) + len(seg.spans) - 1)]
        spans += [(size, start + step, end + step) for size, start, end in seg.spans[1:]]
        maps.append(index)
        live_bytes += seg.live_bytes
        held = index[seg.output]
        step += len(seg.live_bytes)
    step = 0
    for seg, index in zip(segments, maps, strict=True):
        index += range(len(spans), len(spans) + len(seg.scratch))
        spans += [(size, start + step, end + step) for size, start, end in seg.scratch]
        step += len(seg.live_bytes)
    conf: list[list[tuple[int, int, int]]] = [[] for _ in spans]
    overlaps = []
    for seg, index in zip(segments, maps, strict=True):
        for i, entries in zip(index, seg.conflicts, strict=True):
            conf[i] += [(index[j], a, b) for j, a, b in entries]
        overlaps += [(index[out], index[src], d) for out, src, d in seg.overlaps]
    lower = max(live_bytes, default=0)
    arena = _best_arena(spans, overlaps, alignment, lower, conf)
    peak = live_bytes.index(lower) if segments else None

    def inplace() -> dict[int, int]:
        result, step = {}, 0
        for seg in segments:
            result.update((op + step, src + step) for op, src in seg.inplace)
            step += len(seg.live_bytes)
        return result

    return ChainArena(arena, lower, live_bytes, peak, inplace)
