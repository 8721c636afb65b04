"""Run every benchmark of the suite in turn (``make bench``); each prints its table and writes JSON.

    .venv/bin/python benchmarks/run_all.py [--only NAME[,NAME...]] [--list]

Results land in benchmarks/results/<name>.json. A benchmark that fails does not stop the others;
the exit code is 1 if any failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# In order: cheap planner-only figures first, then the ones that build and run firmware.
BENCHMARKS = {
    "planner_speed": "netspec candidates priced per second by te-gen's planner",
    "space_speed": "tinynas space: candidates per second",
    "patch_pricing_speed": "netspec pricing with --patch auto: fast path vs graph path, same answers",
    "zoo_memory": "te-gen's planned peak SRAM of the MCUNet zoo vs published engines",
    "memory": "te-gen arena vs TF Lite Micro's smallest arena on the shared models",
    "memory_zoo": "total SRAM on the emulated STM32H743 for the zoo (overlap + patches) vs published",
    "latency": "MACs per emulated instruction on Cortex-M7, per model and per operator type",
}


def main(argv: list[str]) -> int:
    """Run the selected benchmarks; return 0 when all succeeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, what in BENCHMARKS.items():
            print(f"{name:15s} {what}")
        return 0
    names = [n for n in args.only.split(",") if n] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"run_all: unknown benchmark {unknown[0]!r} (see --list)", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        script = HERE / f"{name}.py"
        if not script.is_file():
            print(f"== {name}: missing {script.name}", flush=True)
            failed.append(name)
            continue
        print(f"== {name}: {BENCHMARKS[name]}", flush=True)
        began = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)]).returncode
        print(f"== {name}: exit {code} in {time.perf_counter() - began:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
