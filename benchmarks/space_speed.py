"""Speed of ``tinynas space``: candidates priced per second of CPU time (one core).

Runs the search-space optimisation of the STM32F746 budget (320 kB SRAM, 1 MB Flash) over the
full grid (widths 0.2..1.0, resolutions 48..224: 108 spaces) with N samples per space, timed
with ``time.process_time`` (CPU time of this process, so other jobs on the machine do not
count), twice: with the lower-bound pre-filter (the default) and pricing every candidate with
te-gen. Checks that both rank the spaces identically. Writes benchmarks/results/space_speed.json.

    .venv/bin/python benchmarks/space_speed.py [--samples N] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _results import write_results

from tinynas.space import DEFAULT_RESOLUTIONS, DEFAULT_WIDTHS, optimize_spaces

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "space_speed.json"
SRAM, FLASH = 320 * 1024, 1024 * 1024


def run(samples: int, use_bounds: bool) -> dict:
    """One full grid run: CPU seconds, candidates per CPU second, the ranking."""
    cpu, wall = time.process_time(), time.perf_counter()
    report = optimize_spaces(
        DEFAULT_WIDTHS, DEFAULT_RESOLUTIONS, SRAM, FLASH, samples=samples, use_bounds=use_bounds
    )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    priced = sum(s.priced for s in report.spaces)
    return {
        "use_bounds": use_bounds,
        "candidates": report.candidates,
        "priced_by_te_gen": priced,
        "cpu_seconds": round(cpu, 2),
        "wall_seconds": round(wall, 2),
        "candidates_per_cpu_second": round(report.candidates / cpu, 1),
        "ranking": [s.config.name for s in report.spaces[:10]],
        "best": report.best.config.name if report.best else None,
        "best_mean_macs": report.best.score("mean") if report.best else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="samples per space")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    args = parser.parse_args()
    runs = [run(args.samples, True), run(args.samples, False)]
    doc = {
        "benchmark": "space_speed",
        "sram_bytes": SRAM,
        "flash_bytes": FLASH,
        "spaces": 108,
        "samples_per_space": args.samples,
        "runs": runs,
        "same_ranking": runs[0]["ranking"] == runs[1]["ranking"],
    }
    write_results(args.out, doc)
    for r in runs:
        mode = "bounds + te-gen" if r["use_bounds"] else "te-gen for all"
        print(
            f"{mode:<16} {r['candidates']} candidates ({r['priced_by_te_gen']} priced by te-gen) in "
            f"{r['cpu_seconds']:.1f} CPU s: {r['candidates_per_cpu_second']:.0f}/s; best {r['best']}"
        )
    print(f"same ranking: {doc['same_ranking']}; wrote {args.out}")
    return 0 if doc["same_ranking"] else 1


if __name__ == "__main__":
    sys.exit(main())
