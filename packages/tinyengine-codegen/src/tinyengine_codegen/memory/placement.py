"""Placement of items at offsets in one arena: several orderings, first-fit and best-fit.

Items whose lifetimes overlap must not overlap in memory. For item X against a placed
item Y at offset ``o``, the offsets X may not take form one open interval
``(o - A, o + B)``: A is the largest member of X alive together with a member of Y, B the
largest such member of Y. Placement then reduces to finding an aligned offset outside a
few intervals, which keeps it fast enough for a search loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tinyengine_codegen.memory.lifetimes import Item, align_up

Conflicts = list[list[tuple[int, int, int]]]  # per item: (other item, A, B)
Overlaps = list[tuple[int, int, int]] | tuple[()]  # (output item, input item, D)


@dataclass
class Placement:
    """Base offset of every item, the arena size and the heuristic that found it."""

    offsets: list[int]
    arena_bytes: int
    heuristic: str


def conflicts(items: list[Item], overlaps: Overlaps = ()) -> Conflicts:
    """For every item, the items it is alive together with and the sizes involved.

    A sweep over the members sorted by start: only buffers alive at the same step meet, so
    the work grows with the number of simultaneously live buffers, not with item spans.
    ``overlaps`` (output item, input item, D): the output may start down to D below the input.
    """
    members = sorted((m.start, m.end, m.size, i) for i, item in enumerate(items) for m in item.members)
    pairs: dict[tuple[int, int], list[int]] = {}
    active: list[tuple[int, int, int]] = []
    for start, end, size, i in members:
        if active:
            active = [a for a in active if a[0] >= start]
        for _, other_size, j in active:
            if j == i:
                continue
            if i < j:
                key, mine, theirs = (i, j), size, other_size
            else:
                key, mine, theirs = (j, i), other_size, size
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
        key = (min(out, src), max(out, src))
        if key in pairs:
            sizes = pairs[key]
            k = 0 if out < src else 1  # the output's size: how far below the input it must stay
            sizes[k] = min(sizes[k], distance)
    result: Conflicts = [[] for _ in items]
    for (i, j), (a, b) in pairs.items():
        result[i].append((j, a, b))
        result[j].append((i, b, a))
    return result


def _first_fit(forbidden: list[tuple[int, int]], alignment: int) -> int:
    base = 0
    for lo, hi in forbidden:
        if base <= lo:
            break
        if base < hi:
            base = align_up(hi, alignment)
    return base


def _best_fit(forbidden: list[tuple[int, int]], alignment: int) -> int:
    candidates = [0] + [align_up(hi, alignment) for _, hi in forbidden]
    best, best_room = None, None
    for base in candidates:
        room = None
        valid = True
        for lo, hi in forbidden:
            if lo < base < hi:
                valid = False
                break
            if lo >= base and (room is None or lo - base < room):
                room = lo - base
        if not valid:
            continue
        if room is not None and (
            best_room is None or room < best_room or (room == best_room and base < best)
        ):
            best, best_room = base, room
        elif room is None and best_room is None and (best is None or base < best):
            best = base
    return best if best is not None else 0


def place(
    items: list[Item],
    order: list[int],
    conf: Conflicts,
    alignment: int,
    best_fit: bool,
    overlaps: Overlaps = (),
) -> list[int]:
    """Place the items in ``order``; returns the base offset of each item.

    An item overlapping a placed partner (``overlaps``) first tries the tightest offset, D
    below its input (or D above its output), when that is free.
    """
    offsets: list[int | None] = [None] * len(items)
    fit = _best_fit if best_fit else _first_fit
    hints: dict[int, list[tuple[int, int]]] = {}
    for out, src, distance in overlaps:
        hints.setdefault(out, []).append((src, -distance))
        hints.setdefault(src, []).append((out, distance))
    for i in order:
        forbidden = []
        for j, a, b in conf[i]:
            o = offsets[j]
            if o is not None:
                forbidden.append((o - a, o + b))
        offsets[i] = _hinted(hints.get(i, ()), offsets, sorted(forbidden), alignment)
        if offsets[i] is None:
            # an input whose overlapping output comes later keeps the room D below it free too
            for partner, delta in hints.get(i, ()):
                if offsets[partner] is None and delta > 0:
                    forbidden += [(lo + delta, hi + delta) for lo, hi in forbidden]
            forbidden.sort()
            offsets[i] = fit(forbidden, alignment)
    return offsets  # type: ignore[return-value]


def _hinted(
    hints: list[tuple[int, int]] | tuple[()],
    offsets: list[int | None],
    forbidden: list[tuple[int, int]],
    alignment: int,
) -> int | None:
    for partner, delta in hints:
        o = offsets[partner]
        if o is None:
            continue
        base = align_up(o + delta, alignment)
        if base >= 0 and all(base <= lo or base >= hi for lo, hi in forbidden):
            return base
    return None


ORDERINGS: dict[str, Callable[[Item], tuple]] = {
    "size": lambda it: (-it.size, it.start),
    "start": lambda it: (it.start, -it.size),
    "duration": lambda it: (-(it.end - it.start), -it.size),
    "area": lambda it: (-(it.end - it.start + 1) * it.size, it.start),
    # latest first: an overlapped output is placed before its input, which then fits D above it
    "reverse": lambda it: (-it.start, -it.size),
    "reverse-end": lambda it: (-it.end, -it.size),
}


def best_placement(
    items: list[Item], alignment: int = 4, lower_bound: int = 0, overlaps: Overlaps = ()
) -> Placement:
    """Try every ordering with first-fit and best-fit (with overlaps: with and without the
    tightest-offset hints); keep the smallest arena.

    Stops early when an arena equals ``lower_bound`` (nothing can beat it).
    """
    conf = conflicts(items, overlaps)
    best: Placement | None = None
    for hinted in (True, False) if overlaps else (False,):
        for name, key in ORDERINGS.items():
            order = sorted(range(len(items)), key=lambda i, key=key: key(items[i]))
            for best_fit in (False, True):
                offsets = place(items, order, conf, alignment, best_fit, overlaps if hinted else ())
                arena = max((o + it.size for o, it in zip(offsets, items, strict=True)), default=0)
                if best is None or arena < best.arena_bytes:
                    label = (
                        f"{name}/{'best' if best_fit else 'first'}-fit{'/overlap-hints' if hinted else ''}"
                    )
                    best = Placement(offsets, arena, label)
                if best.arena_bytes <= lower_bound:
                    return best
    return best if best is not None else Placement([], 0, "empty")
