"""Execution orders: the graph's own order, or for branched graphs a search for a lower peak.

A chain (every operator reads the previous one's output) has a single order. A branched
graph gets a bounded search: greedy orders (least memory after each step; finish a branch
first), seeded random topological orders, and for small graphs a depth-first enumeration of
topological orders stopped after ``max_orders``. Every candidate is scored by its peak live
bytes; the planner places the best ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from tinyengine_codegen.ir.graph import Graph

ENUMERATE_UP_TO_OPS = 40  # depth-first enumeration only for graphs this small
RANDOM_ORDERS = 16

Chooser = Callable[[list[int], list[int]], int]  # (ready operators, order so far) -> pick


def dependencies(graph: Graph) -> list[set[int]]:
    """For every operator, the operators producing the tensors it reads."""
    producer = {t: i for i, op in enumerate(graph.operators) for t in op.outputs}
    return [{producer[t] for t in op.inputs if t in producer} for op in graph.operators]


def is_chain(graph: Graph) -> bool:
    """Whether the graph's own order is its only topological order."""
    deps = dependencies(graph)
    return all(i == 0 or (i - 1) in deps[i] for i in range(len(deps)))


def candidate_orders(graph: Graph, max_orders: int = 256) -> list[list[int]]:
    """Topological orders worth scoring, the graph's own order first, without duplicates."""
    n = len(graph.operators)
    own = list(range(n))
    if n < 2 or is_chain(graph):
        return [own]
    deps = dependencies(graph)
    rng = random.Random(0)
    choosers: list[Chooser] = [_least_memory(graph), _newest_input(graph)]
    choosers += [lambda ready, order: rng.choice(ready)] * RANDOM_ORDERS
    orders: list[list[int]] = [own] + [_kahn(deps, choose) for choose in choosers]
    if n <= ENUMERATE_UP_TO_OPS:
        orders += list(_enumerate(deps, max_orders))
    seen, result = set(), []
    for order in orders:
        if tuple(order) not in seen:
            seen.add(tuple(order))
            result.append(order)
    return result


def _kahn(deps: list[set[int]], choose: Chooser) -> list[int]:
    """A topological order, ``choose`` picking among the ready operators at each step."""
    n = len(deps)
    waiting = [len(d) for d in deps]
    users: list[list[int]] = [[] for _ in range(n)]
    for i, d in enumerate(deps):
        for j in d:
            users[j].append(i)
    ready = [i for i in range(n) if waiting[i] == 0]
    order: list[int] = []
    while ready:
        pick = choose(ready, order)
        ready.remove(pick)
        order.append(pick)
        for user in users[pick]:
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)
    return order


def _least_memory(graph: Graph) -> Chooser:
    """Pick the operator that adds the fewest bytes net of the inputs it is the last reader of."""
    readers: dict[int, int] = {}
    for op in graph.operators:
        for t in set(op.inputs):
            readers[t] = readers.get(t, 0) + 1
    done_reads: dict[int, int] = {}
    keep = set(graph.outputs)

    def net(i: int) -> int:
        op = graph.operators[i]
        freed = sum(
            graph.tensors[t].nbytes
            for t in set(op.inputs)
            if t >= 0
            and not graph.tensors[t].is_const
            and t not in keep
            and done_reads.get(t, 0) + 1 == readers[t]
        )
        return sum(graph.tensors[t].nbytes for t in op.outputs) - freed

    def choose(ready: list[int], order: list[int]) -> int:
        pick = min(ready, key=lambda i: (net(i), i))
        for t in set(graph.operators[pick].inputs):
            done_reads[t] = done_reads.get(t, 0) + 1
        return pick

    return choose


def _newest_input(graph: Graph) -> Chooser:
    """Pick the operator reading the most recently produced tensor (finish a branch first)."""
    produced_at: dict[int, int] = {}

    def choose(ready: list[int], order: list[int]) -> int:
        pick = max(
            ready,
            key=lambda i: (max((produced_at.get(t, -1) for t in graph.operators[i].inputs), default=-1), -i),
        )
        for t in graph.operators[pick].outputs:
            produced_at[t] = len(order)
        return pick

    return choose


def _enumerate(deps: list[set[int]], limit: int) -> Iterator[list[int]]:
    """Depth-first enumeration of topological orders, at most ``limit`` of them."""
    n = len(deps)
    order: list[int] = []
    done: set[int] = set()
    count = 0

    def walk() -> Iterator[list[int]]:
        nonlocal count
        if len(order) == n:
            count += 1
            yield list(order)
            return
        for i in [i for i in range(n) if i not in done and deps[i] <= done]:
            order.append(i)
            done.add(i)
            yield from walk()
            done.discard(i)
            order.pop()
            if count >= limit:
                return

    yield from walk()
