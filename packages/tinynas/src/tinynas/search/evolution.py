"""The genetic operators and the population loop of the evolutionary search (Once-for-All style).

Each generation keeps the best ``parents`` fraction, then fills the population with mutated
parents (each gene resampled with probability ``mutate_prob``) and uniform crossovers of two
parents. A child that breaks a constraint is drawn again (rejection sampling).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tinynas.supernet.arch import SubnetArch, sample
from tinynas.supernet.config import SupernetConfig


@dataclass
class SearchOptions:
    """Evolution hyper-parameters."""

    population: int = 50
    generations: int = 20
    parents: float = 0.25
    mutate_prob: float = 0.1
    mutation_ratio: float = 0.5
    max_tries: int = 200
    seed: int = 0


def mutate(cfg: SupernetConfig, arch: SubnetArch, rng: random.Random, prob: float) -> SubnetArch:
    """Resample every gene (depth, kernel, expand) with probability ``prob``."""
    def pick(value: int, choices: tuple[int, ...]) -> int:
        return rng.choice(choices) if rng.random() < prob else value

    return SubnetArch(
        tuple(pick(d, s.depths) for d, s in zip(arch.depths, cfg.stages, strict=True)),
        tuple(pick(k, cfg.kernel_sizes) for k in arch.kernels),
        tuple(pick(e, cfg.expand_ratios) for e in arch.expands),
    )


def crossover(a: SubnetArch, b: SubnetArch, rng: random.Random) -> SubnetArch:
    """Uniform crossover: every gene from ``a`` or ``b`` with equal probability."""
    def mix(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(p if rng.random() < 0.5 else q for p, q in zip(x, y, strict=True))

    return SubnetArch(mix(a.depths, b.depths), mix(a.kernels, b.kernels), mix(a.expands, b.expands))


def draw_valid(make: Callable[[], SubnetArch], valid: Callable[[SubnetArch], bool],
               max_tries: int) -> SubnetArch | None:
    """The first ``make()`` result that is ``valid``, or None after ``max_tries`` draws."""
    for _ in range(max_tries):
        arch = make()
        if valid(arch):
            return arch
    return None


def next_generation(cfg: SupernetConfig, ranked: list[SubnetArch], opts: SearchOptions, rng: random.Random,
                    valid: Callable[[SubnetArch], bool]) -> list[SubnetArch]:
    """Parents (the best of ``ranked``) plus mutated and crossed-over children that are valid."""
    parents = ranked[: max(1, round(opts.parents * opts.population))]
    children: list[SubnetArch] = []
    n_mutate = round((opts.population - len(parents)) * opts.mutation_ratio)
    while len(parents) + len(children) < opts.population:
        if len(children) < n_mutate:
            def make() -> SubnetArch:
                return mutate(cfg, rng.choice(parents), rng, opts.mutate_prob)
        else:
            def make() -> SubnetArch:
                return crossover(rng.choice(parents), rng.choice(parents), rng)
        child = draw_valid(make, valid, opts.max_tries)
        if child is None:
            child = draw_valid(lambda: sample(cfg, rng), valid, opts.max_tries)
        if child is None:
            break
        children.append(child)
    return parents + children
