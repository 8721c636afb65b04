"""Peak SRAM and Flash of the MCUNet zoo as te-gen plans them, next to the published figures.

For each zoo netspec (mcunet-in0..in4, mbv2-w0.35) runs te-gen's ``profile_netspec`` (the
memory plan the generated code uses: activations + scratch in one static arena) and prints it
beside the peak SRAM published in TinyEngine's README (measured on STM32H743) for TinyEngine,
X-CUBE-AI and TF Lite Micro. Our goal: below the smallest of them. Published figures are on-board
SRAM (runtime, stack and I/O buffers included), ours is the arena alone: the on-board figure is
typically 7-10% above the scheduler's peak. Writes benchmarks/results/zoo_memory.json.

    .venv/bin/python benchmarks/zoo_memory.py [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _results import write_results

from tinyengine_codegen.profile import profile_netspec
from tinynas.model import netspec_cost
from tinynas.zoo import load_zoo, zoo_names

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "zoo_memory.json"
KB = 1024


def measure(name: str) -> dict:
    """te-gen's profile of one zoo netspec with the published figures beside it."""
    spec = load_zoo(name)
    report = profile_netspec(spec)
    published = spec.metadata.get("published", {})
    sram = published.get("peak_sram_kb") or {}
    known = [v for v in sram.values() if v is not None]
    ours_kb = report.arena_bytes / KB
    return {
        "name": name,
        "resolution": spec.resolution[0],
        "macs": report.macs,
        "macs_netspec_analysis": netspec_cost(spec).macs,
        "published_macs": published.get("macs"),
        "params": report.params,
        "arena_bytes": report.arena_bytes,
        "arena_kb": round(ours_kb, 1),
        "peak_op": report.peak_op,
        "peak_kind": report.peak_kind,
        "lower_bound_bytes": report.lower_bound,
        "weight_bytes": report.weight_bytes,
        "flash_bytes": report.flash_bytes,
        "published_peak_sram_kb": sram,
        "below_smallest_published": bool(known) and ours_kb < min(known),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    args = parser.parse_args()
    rows = [measure(name) for name in zoo_names()]
    doc = {"benchmark": "zoo_memory", "unit": "1 kB = 1024 B", "models": rows}
    write_results(args.out, doc)
    print(
        f"{'model':<12} {'MACs':>8} {'ours kB':>8} {'TinyEngine':>10} {'X-CUBE-AI':>9} {'TFLM':>6}  "
        f"{'Flash kB':>8}  below all"
    )
    for r in rows:
        pub = r["published_peak_sram_kb"]
        cells = [
            str(pub.get(k) or ("OOM" if k in pub else "-"))
            for k in ("tinyengine", "x-cube-ai", "tflite-micro")
        ]
        print(
            f"{r['name']:<12} {r['macs'] / 1e6:7.2f}M {r['arena_kb']:8.1f} {cells[0]:>10} {cells[1]:>9} "
            f"{cells[2]:>6}  {r['flash_bytes'] / KB:8.1f}  {'yes' if r['below_smallest_published'] else '-'}"
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
