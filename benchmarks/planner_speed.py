"""How many netspec candidates per second the planner prices on one core (tinynas's search loop).

Samples candidates from MCUNet-like search spaces (MobileNetV2 backbone, kernel 3/5/7, expand
3/4/6, depth 2-4 per stage) and times ``profile_netspec`` with ``time.process_time`` (CPU time
of this process: one core), in the ways tinynas uses it:

- ``search``: candidates of one space (width 0.5, resolution 160), as the evolutionary search
  prices them, after 100 warm-up candidates of that space;
- ``space_scan``: 100 candidates in each of 12 (width, resolution) spaces, cold start, as the
  search-space optimisation prices them (the first candidates of a space also teach the fast
  path the kernel choices of its layers and plan its blocks); ``space_scan_warm``: the same
  candidates again, every block known (the steady state of a 1000-sample scan);
- ``tinynas_sampler_search``: as ``search``, with candidates drawn by tinynas's own sampler.

Also times the full graph pipeline (``profile_graph(netspec_to_graph(spec))``) and the planner
on the real .tflite models. Writes benchmarks/results/planner_speed.json.

    .venv/bin/python benchmarks/planner_speed.py [--candidates N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _results import write_results

from tinyengine_codegen.frontend.netspec import Block, NetSpec
from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.memory import plan_memory
from tinyengine_codegen.passes import run_passes
from tinyengine_codegen.profile import profile_graph, profile_netspec

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT.parent / "shared" / "models"
OUT = ROOT / "benchmarks" / "results" / "planner_speed.json"
STAGES = ((24, 2), (40, 2), (80, 2), (96, 1), (192, 2), (320, 1))  # base width, stride


def _round8(x: float) -> int:
    return max(8, int(x + 4) // 8 * 8)


def sample(rng: random.Random, width: float, side: int) -> NetSpec:
    """A random candidate of the MCUNet-like space (``width``, ``side``)."""
    blocks = [Block(1, 3, 1, _round8(16 * width))]
    for i, (base, stride) in enumerate(STAGES):
        depth = 1 if i == len(STAGES) - 1 else rng.choice([2, 3, 4])
        for d in range(depth):
            blocks.append(
                Block(
                    rng.choice([3, 4, 6]),
                    rng.choice([3, 5, 7]),
                    stride if d == 0 else 1,
                    _round8(base * width),
                )
            )
    stem = _round8(32 * width)
    return NetSpec("candidate", (side, side), 3, stem, tuple(blocks), num_classes=1000)


def rate(func: Callable[[Any], Any], items: list, repeats: int = 1) -> tuple[float, float]:
    """(items per second, seconds) of CPU time for ``func`` over ``items``, best of ``repeats``."""
    best = None
    for _ in range(repeats):
        start = time.process_time()
        for item in items:
            func(item)
        seconds = time.process_time() - start
        best = seconds if best is None else min(best, seconds)
    return len(items) / best, best


def tinynas_search_rate(price: Callable[[NetSpec], None], count: int) -> float | None:
    """Candidates per second drawn by tinynas's own sampler (MCUNet space w0.5-r160), best of 3;
    None without tinynas."""
    try:
        from tinynas.supernet.arch import sample as sample_arch
        from tinynas.supernet.arch import to_netspec
        from tinynas.supernet.space import mcunet_space
    except ImportError:
        return None
    cfg, rng = mcunet_space(0.5, 160, 3, 1000), random.Random(1)
    specs = [to_netspec(cfg, sample_arch(cfg, rng)) for _ in range(count + 100)]
    rate(price, specs[:100])
    return round(rate(price, specs[100:], repeats=3)[0], 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=2000, help="candidates to time")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    args = parser.parse_args()
    rng = random.Random(0)

    def price(spec: NetSpec) -> None:
        profile_netspec(spec, sram=320 * 1024, flash=1024 * 1024)

    spaces = [(w, r) for w in (0.3, 0.6, 0.9) for r in (96, 128, 144, 176)]
    scan = [sample(rng, w, r) for w, r in spaces for _ in range(100)]
    scan_rate, scan_s = rate(price, scan)
    warm_scan_rate, _ = rate(price, scan)  # the same candidates again: every block already seen
    rate(price, [sample(rng, 0.5, 160) for _ in range(100)])
    candidates = [sample(rng, 0.5, 160) for _ in range(args.candidates)]
    fast, fast_s = rate(price, candidates, repeats=3)
    tinynas = tinynas_search_rate(price, args.candidates)
    subset = candidates[: max(50, args.candidates // 20)]
    full, _ = rate(lambda s: profile_graph(netspec_to_graph(s), sram=320 * 1024), subset)
    ops = sum(len(netspec_to_graph(s).operators) for s in subset) / len(subset)
    models = {}
    for path in sorted(MODELS.glob("*.tflite")):
        graph = run_passes(load_tflite(path))
        per_s, _ = rate(plan_memory, [graph] * 20, repeats=3)
        models[path.stem] = {"plans_per_second": round(per_s, 1), "ms_per_plan": round(1000 / per_s, 3)}
    doc = {
        "benchmark": "planner_speed",
        "clock": "time.process_time (one core), best of 3 for search and tflite",
        "load_average": os.getloadavg()[0],
        "candidates": args.candidates,
        "mean_operators_per_candidate": round(ops, 1),
        "search_per_second": round(fast, 1),
        "search_seconds": round(fast_s, 3),
        "space_scan_candidates": len(scan),
        "space_scan_per_second": round(scan_rate, 1),
        "space_scan_seconds": round(scan_s, 3),
        "space_scan_warm_per_second": round(warm_scan_rate, 1),
        "tinynas_sampler_search_per_second": tinynas,
        "netspec_graph_pipeline_per_second": round(full, 1),
        "tflite_plan_memory": models,
    }
    print(json.dumps(doc, indent=2))
    write_results(args.out, doc)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
