"""Per-candidate time of te-gen's netspec pricing with ``--patch auto``: the fast path
(``netspec_patch``, what ``tinynas search --patch auto`` calls) against the graph path
(``netspec_to_graph`` + ``choose_patches`` + the planner), on tinynas's own samples of MCUNet
spaces, with the same answers checked. Also the layer-by-layer fast path for reference.

    .venv/bin/python benchmarks/patch_pricing_speed.py [--per-space 10] [--graph 3] [--json] [--out F]

Writes benchmarks/results/patch_pricing_speed.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from _results import write_results

from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.profile import profile_graph, profile_netspec
from tinynas.supernet.arch import sample, to_netspec
from tinynas.supernet.space import mcunet_space

SPACES = ((0.3, 96), (0.5, 96), (0.5, 128), (0.5, 160), (0.5, 176), (0.7, 144), (1.0, 160))
OUT = Path(__file__).resolve().parent / "results" / "patch_pricing_speed.json"
FIELDS = ("enabled", "arena_with_patches", "grid", "split_after", "extra_macs_percent")


def _ms(fn) -> tuple[float, object]:
    began = time.perf_counter()
    result = fn()
    return 1000 * (time.perf_counter() - began), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-space", type=int, default=10, help="candidates priced per space")
    parser.add_argument("--graph", type=int, default=3, help="of which also priced by the graph path")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    args = parser.parse_args()
    rows = []
    for width, resolution in SPACES:
        cfg = mcunet_space(width, resolution, 3, 1000)
        rng = random.Random(0)
        specs = [to_netspec(cfg, sample(cfg, rng)) for _ in range(args.per_space)]
        first, _ = _ms(lambda s=specs[0]: profile_netspec(s, patch="auto"))  # kernel choices learned
        fast, off, graph, enabled = [], [], [], 0
        for i, spec in enumerate(specs):
            ms, report = _ms(lambda s=spec: profile_netspec(s, patch="auto"))
            fast.append(ms)
            off.append(_ms(lambda s=spec: profile_netspec(s))[0])
            enabled += report.patch["enabled"]
            if i < args.graph:
                ms, full = _ms(lambda s=spec: profile_graph(netspec_to_graph(s), patch="auto"))
                graph.append(ms)
                same = [report.patch.get(f) for f in FIELDS] == [full.patch.get(f) for f in FIELDS]
                assert same and report.arena_bytes == full.arena_bytes, spec.name
        rows.append({"space": f"w{width:g}-r{resolution}", "candidates": len(specs), "patches_on": enabled,
                     "fast_ms_median": statistics.median(fast), "fast_ms_max": max(fast),
                     "first_ms": first, "layer_by_layer_ms_median": statistics.median(off),
                     "graph_ms_median": statistics.median(graph) if graph else None})
    write_results(args.out, {"benchmark": "patch_pricing_speed", "unit": "ms per candidate", "spaces": rows})
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'space':12} {'on':>5} {'fast median':>12} {'fast max':>9} {'first':>8} {'off':>6} {'graph':>8}")
    for r in rows:
        graph_ms = f"{r['graph_ms_median']:.0f}" if r["graph_ms_median"] is not None else "-"
        print(f"{r['space']:12} {r['patches_on']:>2}/{r['candidates']:<2} {r['fast_ms_median']:>10.1f}ms "
              f"{r['fast_ms_max']:>7.0f}ms {r['first_ms']:>6.0f}ms {r['layer_by_layer_ms_median']:>5.1f}ms "
              f"{graph_ms:>6}ms")


if __name__ == "__main__":
    main()
