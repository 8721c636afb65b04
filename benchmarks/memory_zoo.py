"""Total SRAM of the MCUNet zoo (mcunet-in0..in4) on the emulated STM32H743, vs published engines.

Each zoo netspec is exported to int8 TFLite with random weights (tinynas's export path, a tiny
random representative dataset: memory does not depend on the weights), cached under
``--cache`` (default: a folder in the system's temp dir, not in git). For each model:

- te-gen with overlapped buffers, layer by layer (``--patch off``) and patch-based (``--patch
  auto``, the default bound of 20% extra MACs): arena, and the patch grid, stage and extra MACs;
- the patch-based project built for the STM32H743 and run by mcu-bench on its emulated board
  (QEMU): total SRAM = static RAM + stack high-water mark, and Flash, measured from the ELF;
- TF Lite Micro's smallest working arena, measured in the same run (``benchmarks/memory.py``);
- the published peak SRAM of TinyEngine, X-CUBE-AI and TF Lite Micro (TinyEngine's README), and
  issue 7's target: 0.8 x min(TinyEngine, X-CUBE-AI).

Prints a table and writes benchmarks/results/memory_zoo.json.

    .venv/bin/python benchmarks/memory_zoo.py [--models mcunet-in0,...] [--cache DIR] [--no-tflm]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import write_results  # noqa: E402 (benchmarks/_results.py)
from memory import tflm_smallest_arena  # noqa: E402 (benchmarks/memory.py: the TFLM measurement)

from tinyengine_codegen.backend.build import build_project, compile_model  # noqa: E402
from tinynas.zoo import load_zoo  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "memory_zoo.json"
CACHE = Path(tempfile.gettempdir()) / "mcunet-zoo-exports"
MODELS = ["mcunet-in0", "mcunet-in1", "mcunet-in2", "mcunet-in3", "mcunet-in4"]
KB = 1024
CALIBRATION_IMAGES = 8


def export_zoo(name: str, cache: Path) -> Path:
    """The int8 .tflite of zoo netspec ``name`` with random weights (exported once, then cached)."""
    path = cache / f"{name}.tflite"
    if path.is_file():
        return path
    import torch

    from tinynas.export import build_keras, convert_int8
    from tinynas.model import build_model

    spec = load_zoo(name)
    torch.manual_seed(0)
    model = build_model(spec).eval()
    h, w = spec.resolution
    calibration = np.random.default_rng(0).standard_normal((CALIBRATION_IMAGES, h, w, spec.in_channels))
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(convert_int8(build_keras(model), calibration.astype(np.float32)))
    tmp.replace(path)
    return path


def bench_board(project: Path) -> dict:
    """mcu-bench on the emulated STM32H743: its result JSON."""
    tool = str(Path(sys.executable).parent / "mcu-bench")
    cmd = [tool, "run", str(project), "--board", "stm32h743", "--runner", "qemu", "--repeat", "1", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"mcu-bench failed on {project}: {done.stderr.strip()[-400:]}")
    return json.loads(done.stdout)


def measure(name: str, cache: Path, work: Path, tflm: bool) -> dict:
    """Every figure of one zoo model."""
    spec = load_zoo(name)
    path = export_zoo(name, cache)
    off = compile_model(path, patch="off")
    auto = compile_model(path, patch="auto")
    assert auto.patch is not None
    patch = auto.patch.summary()
    project = work / name
    build_project(path, project, target="cortex-m7", compiled=auto, force=True)
    board = bench_board(project)
    memory = board["memory"]
    total = memory["static_ram"] + memory["stack_used"]
    published = (spec.metadata.get("published", {}) or {}).get("peak_sram_kb") or {}
    known = [published.get(k) for k in ("tinyengine", "x-cube-ai") if published.get(k)]
    target_kb = round(0.8 * min(known)) if known else None
    return {
        "name": name,
        "tflite": str(path),
        "arena_layer_by_layer_bytes": off.plan.arena_bytes,
        "arena_bytes": auto.plan.arena_bytes,
        "patch": patch,
        "static_ram_bytes": memory["static_ram"],
        "stack_bytes": memory["stack_used"],
        "total_sram_bytes": total,
        "total_sram_kb": round(total / KB, 1),
        "flash_bytes": memory["flash"],
        "output_check": board["outputs"]["check"],
        "tflm_arena_bytes": tflm_smallest_arena(path) if tflm else None,
        "published_peak_sram_kb": published,
        "target_kb": target_kb,
        "meets_target": target_kb is not None and total / KB <= target_kb,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated zoo names")
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of cached int8 exports")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    parser.add_argument("--no-tflm", action="store_true", help="skip the TF Lite Micro arena search")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="memory-zoo-") as tmp:
        rows = [measure(name, args.cache, Path(tmp), not args.no_tflm) for name in args.models.split(",")]
    doc = {"benchmark": "memory_zoo", "board": "stm32h743 (QEMU)", "unit": "1 kB = 1024 B", "models": rows}
    write_results(args.out, doc)
    _print(rows)
    print(f"wrote {args.out}")
    return 0 if all(r["meets_target"] for r in rows) else 1


def _print(rows: list[dict]) -> None:
    columns = [("model", 11), ("layer kB", 8), ("arena kB", 8), ("patches", 16), ("+MACs", 6), ("SRAM kB", 8),
               ("target", 6), ("Flash kB", 8), ("TFLM kB", 8), ("TinyEngine", 10), ("X-CUBE-AI", 9),
               ("TFLM pub", 8)]  # fmt: skip
    print(" ".join(f"{name:>{width}}" for name, width in columns))
    for r in rows:
        p, pub = r["patch"], r["published_peak_sram_kb"]
        grid = f"{p['grid'][0]}x{p['grid'][1]} to #{p['stage'][1]}" if p["enabled"] else "off"
        extra = f"{p['extra_macs_percent']:.1f}%" if p["enabled"] else "-"
        tflm = f"{r['tflm_arena_bytes'] / KB:.1f}" if r["tflm_arena_bytes"] else "-"
        kb = [r["arena_layer_by_layer_bytes"] / KB, r["arena_bytes"] / KB]
        cells = [r["name"], f"{kb[0]:.1f}", f"{kb[1]:.1f}", grid, extra, f"{r['total_sram_kb']:.1f}"]
        cells += [str(r["target_kb"] or "-"), f"{r['flash_bytes'] / KB:.1f}", tflm]
        cells += [str(pub.get(k) or "-") for k in ("tinyengine", "x-cube-ai", "tflite-micro")]
        print(" ".join(f"{cell:>{width}}" for cell, (_, width) in zip(cells, columns, strict=True)))


if __name__ == "__main__":
    raise SystemExit(main())
