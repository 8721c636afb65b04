"""The search loop: price every candidate (cheap), evaluate the ones that fit (the real cost).

Every candidate priced is recorded in the history with its figures and whether it fits; only
fitting ones are evaluated. Wall time is split into accuracy evaluation and memory pricing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tinyengine_codegen.frontend.netspec import NetSpec
from tinynas.errors import WorkError
from tinynas.search.constraints import Constraints, Pricing, price
from tinynas.search.evaluator import AccuracyEvaluator
from tinynas.search.evolution import SearchOptions, draw_valid, next_generation
from tinynas.supernet.arch import SubnetArch, sample, smallest, to_netspec
from tinynas.supernet.network import Supernet


@dataclass
class Candidate:
    """One priced sub-network (``accuracy`` is None when it broke a constraint)."""

    arch: SubnetArch
    spec: NetSpec
    pricing: Pricing
    generation: int
    accuracy: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"generation": self.generation, "arch": self.arch.to_dict(), **self.pricing.to_dict(),
                "accuracy": self.accuracy}


@dataclass
class SearchResult:
    """The best candidate, every candidate priced, and where the time went."""

    best: Candidate
    candidates: list[Candidate]
    generations: list[dict[str, Any]]
    eval_seconds: float
    pricing_seconds: float
    total_seconds: float
    options: SearchOptions
    constraints: Constraints
    extra: dict[str, Any] = field(default_factory=dict)


class _Search:
    """State of one search: caches keyed by the canonical genes, timers."""

    def __init__(self, net: Supernet, evaluator: AccuracyEvaluator, constraints: Constraints,
                 opts: SearchOptions) -> None:
        self.net, self.cfg, self.evaluator = net, net.cfg, evaluator
        self.constraints, self.opts = constraints, opts
        self.priced: dict[SubnetArch, Candidate] = {}
        self.eval_seconds = self.pricing_seconds = 0.0
        self.generation = 0

    def candidate(self, arch: SubnetArch) -> Candidate:
        arch = arch.canonical(self.cfg)
        if arch not in self.priced:
            began = time.perf_counter()
            spec = to_netspec(self.cfg, arch)
            self.priced[arch] = Candidate(arch, spec, price(spec, self.constraints), self.generation)
            self.pricing_seconds += time.perf_counter() - began
        return self.priced[arch]

    def fits(self, arch: SubnetArch) -> bool:
        return self.candidate(arch).pricing.fits

    def score(self, arch: SubnetArch) -> float:
        cand = self.candidate(arch)
        if cand.accuracy is None:
            began = time.perf_counter()
            cand.accuracy = self.evaluator(cand.arch)
            self.eval_seconds += time.perf_counter() - began
        return cand.accuracy


def run_search(net: Supernet, evaluator: AccuracyEvaluator, constraints: Constraints, opts: SearchOptions,
               on_generation: Callable[[dict[str, Any]], None] | None = None) -> SearchResult:
    """Evolve ``opts.population`` sub-networks for ``opts.generations``; the most accurate that fits wins."""
    began = time.perf_counter()
    state = _Search(net, evaluator, constraints, opts)
    cfg, rng = net.cfg, random.Random(opts.seed)
    if not state.fits(smallest(cfg)):
        small = state.candidate(smallest(cfg)).pricing
        raise WorkError(f"even the smallest sub-network does not fit: {small.sram_bytes} B SRAM, "
                        f"{small.flash_bytes} B Flash, latency {small.latency_ms} ms")
    population = []
    for _ in range(opts.population):
        arch = draw_valid(lambda: sample(cfg, rng), state.fits, opts.max_tries)
        population.append((arch or smallest(cfg)).canonical(cfg))
    log = []
    for gen in range(opts.generations + 1):
        state.generation = gen
        if gen > 0:
            population = [a.canonical(cfg) for a in next_generation(cfg, population, opts, rng, state.fits)]
        population = sorted(set(population), key=lambda a: -state.score(a))
        top = state.candidate(population[0])
        record = {"generation": gen, "best_accuracy": top.accuracy, "best_sram_bytes": top.pricing.sram_bytes,
                  "population": len(population), "priced": len(state.priced),
                  "eval_seconds": state.eval_seconds, "pricing_seconds": state.pricing_seconds}
        log.append(record)
        if on_generation:
            on_generation(record)
    evaluated = [c for c in state.priced.values() if c.accuracy is not None]
    best = max(evaluated, key=lambda c: (c.accuracy, -c.pricing.sram_bytes))
    return SearchResult(best, list(state.priced.values()), log, state.eval_seconds, state.pricing_seconds,
                        time.perf_counter() - began, opts, constraints)
