"""Arena of te-gen's memory plan vs TF Lite Micro's smallest working arena, per shared model.

TF Lite Micro's arena is measured in the same run with the ``tflite_micro`` package: a
binary search (16-byte resolution) for the smallest ``arena_size`` with which its interpreter
allocates and runs one inference. Prints a table and writes benchmarks/results/memory.json.

    .venv/bin/python benchmarks/memory.py [--models DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

import numpy as np
from _results import write_results
from rich.console import Console
from rich.table import Table

from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.profile import profile_graph

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT.parent / "shared" / "models"
OUT = ROOT / "benchmarks" / "results" / "memory.json"
RESOLUTION = 16


@contextlib.contextmanager
def _quiet_stderr():
    """TF Lite Micro reports every failed allocation on the C stderr: silence it while probing."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def tflm_runs(path: Path, arena: int) -> bool:
    """Whether TF Lite Micro allocates and invokes ``path`` with an ``arena``-byte arena.

    Each probe runs in a forked child: for some too-small arenas the interpreter crashes
    (segmentation fault) instead of reporting the failure, which then counts as "does not run".
    """
    from tflite_micro.python.tflite_micro import runtime

    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            with _quiet_stderr():
                interp = runtime.Interpreter.from_file(str(path), arena_size=arena)
                d = interp.get_input_details(0)
                interp.set_input(np.zeros(d["shape"], d["dtype"]), 0)
                interp.invoke()
            code = 0
        except Exception:  # noqa: BLE001 (any failure means: this arena is too small)
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def tflm_smallest_arena(path: Path) -> int:
    """Smallest working TF Lite Micro arena (to ``RESOLUTION`` bytes)."""
    high = 4096
    while not tflm_runs(path, high):
        high *= 2
        if high > 64 * 1024 * 1024:
            raise RuntimeError(f"{path}: TF Lite Micro does not run it even with 64 MB")
    low = high // 2 if high > 4096 else 0
    while high - low > RESOLUTION:
        mid = (low + high) // 2 // RESOLUTION * RESOLUTION
        if tflm_runs(path, mid):
            high = mid
        else:
            low = mid
    return high


def measure(path: Path) -> dict:
    """te-gen and TF Lite Micro figures for one model."""
    start = time.perf_counter()
    report = profile_graph(load_tflite(path))
    plan_s = time.perf_counter() - start
    tflm = tflm_smallest_arena(path)
    return {
        "model": path.stem,
        "te_gen_arena_bytes": report.arena_bytes,
        "te_gen_lower_bound_bytes": report.lower_bound,
        "tflm_arena_bytes": tflm,
        "ratio": round(report.arena_bytes / tflm, 4),
        "peak_op": report.peak_op,
        "peak_kind": report.peak_kind,
        "weight_bytes": report.weight_bytes,
        "code_bytes_estimate": report.code_bytes_estimate,
        "flash_bytes": report.flash_bytes,
        "model_file_bytes": path.stat().st_size,
        "plan_seconds": round(plan_s, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=MODELS, help="folder of .tflite models")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    args = parser.parse_args()
    paths = sorted(args.models.glob("*.tflite"))
    if not paths:
        print(f"error: {args.models}: no .tflite models", file=sys.stderr)
        return 2
    rows = [measure(p) for p in paths]
    table = Table(title="Arena: te-gen vs TF Lite Micro (1 kB = 1024 B)")
    for column in (
        "model",
        "te-gen arena",
        "TFLM arena",
        "ratio",
        "peak at",
        "Flash weights",
        "Flash code est.",
    ):
        table.add_column(column, justify="left" if column in ("model", "peak at") else "right")
    for r in rows:
        ours, tflm = r["te_gen_arena_bytes"], r["tflm_arena_bytes"]
        table.add_row(
            r["model"],
            f"{ours:,} B = {ours / 1024:.1f} kB",
            f"{tflm / 1024:.1f} kB",
            f"{r['ratio']:.2f}",
            f"#{r['peak_op']} {r['peak_kind']}",
            f"{r['weight_bytes'] / 1024:.1f} kB",
            f"{r['code_bytes_estimate'] / 1024:.1f} kB",
        )
    console = Console()
    if not console.is_terminal:
        console.width = 130
    console.print(table)
    doc = {"benchmark": "memory", "resolution_bytes": RESOLUTION, "models": rows}
    write_results(args.out, doc)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
