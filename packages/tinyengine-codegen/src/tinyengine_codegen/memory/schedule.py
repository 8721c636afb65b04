"""Execution orders: the graph's own order, or for branched graphs a search for a lower peak.

A chain (one ready operator at every step) has a single order. A branched graph gets a
bounded search: greedy orders (least memory after each step; finish a branch first) and a
depth-first enumeration of topological orders, stopped after ``max_orders``. Every
candidate is scored by its peak live bytes; the caller places the best ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tinyengine_codegen.ir.graph import Graph


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
    seen, result = set(), []
    generators: list[Iterator[list[int]]] = [
        iter([own, _greedy(graph, deps, _least_memory), _greedy(graph, deps, _newest_input)]),
        _enumerate(deps, max_orders),
    ]
    for gen in generators:
        for order in gen:
            key = tuple(order)
            if key not in seen:
                seen.add(key)
                result.append(order)
    return result


def _ready(deps: list[set[int]], done: set[int]) -> list[int]:
    return [i for i in range(len(deps)) if i not in done and deps[i] <= done]


def _greedy(graph: Graph, deps: list[set[int]], score: Callable[[Graph, int, list[int]], float]) -> list[int]:
    order: list[int] = []
    done: set[int] = set()
    while len(order) < len(deps):
        ready = _ready(deps, done)
        pick = min(ready, key=lambda i: (score(graph, i, order), i))
        order.append(pick)
        done.add(pick)
    return order


def _least_memory(graph: Graph, op_index: int, order: list[int]) -> float:
    """Bytes this operator adds minus the bytes of inputs it is the last reader of."""
    op = graph.operators[op_index]
    pending = {i for i in range(len(graph.operators)) if i not in order and i != op_index}
    freed = 0
    for t in set(op.inputs):
        if t < 0 or graph.tensors[t].is_const or t in graph.outputs:
            continue
        if not any(t in graph.operators[j].inputs for j in pending):
            freed += graph.tensors[t].nbytes
    added = sum(graph.tensors[t].nbytes for t in op.outputs)
    return added - freed


def _newest_input(graph: Graph, op_index: int, order: list[int]) -> float:
    """Prefer the operator reading the most recently produced tensor (depth first)."""
    produced_at = {t: p for p, i in enumerate(order) for t in graph.operators[i].outputs}
    return -max((produced_at.get(t, -1) for t in graph.operators[op_index].inputs), default=-1)


def _enumerate(deps: list[set[int]], limit: int) -> Iterator[list[int]]:
    """Depth-first enumeration of topological orders, at most ``limit`` of them."""
    n = len(deps)
    order: list[int] = []
    done: set[int] = set()
    count = 0

    def walk() -> Iterator[list[int]]:
        nonlocal count
        if count >= limit:
            return
        if len(order) == n:
            count += 1
            yield list(order)
            return
        for i in _ready(deps, done):
            order.append(i)
            done.add(i)
            yield from walk()
            done.discard(i)
            order.pop()
            if count >= limit:
                return

    yield from walk()
