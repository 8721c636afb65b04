"""Measure the code bytes of every runtime kernel for te-gen's code-size estimate.

Compiles each ``tinyengine_runtime`` C source alone with arm-none-eabi-gcc and the flags mcu-bench's
firmware uses for the STM32F746 (Cortex-M7, the MCUNet paper's board), reads each object's .text
with arm-none-eabi-size, and writes ``tinyengine_codegen/data/kernel_code_bytes.json``: per kernel
(every public function but the ``*_bytes`` size companions), the .text of the sources it needs.
Run it again after changing a kernel; ``tests/codegen/test_kernel_code_bytes.py`` fails until then.

    .venv/bin/python scripts/measure_kernel_sizes.py [--check]

--check writes nothing and exits 1 when the recorded table differs from the sources.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import tinyengine_runtime
from mcu_bench.boards import find_board
from mcu_bench.build import CROSS_CC, compiler_version, cortexm_cflags
from mcu_bench.compiler import compile_objects
from tinyengine_codegen.analysis import KERNEL_CODE_BYTES_FILE
from tinyengine_codegen.backend.runtime_files import kernel_sources

BOARD = "stm32f746"
FORMAT = "te-kernel-code-bytes/1"
STALE = "kernel code sizes are stale: run scripts/measure_kernel_sizes.py"


def bench_cflags() -> tuple[str, ...]:
    """The flags mcu-bench's firmware is compiled with for ``BOARD``."""
    return cortexm_cflags(find_board(BOARD))


def measure(obj_dir: Path) -> dict:
    """The table for the runtime sources as they are now (objects compiled into ``obj_dir``)."""
    cflags = bench_cflags()
    sources = tinyengine_runtime.sources()
    include = [f"-I{tinyengine_runtime.include_dir()}"]
    objects = compile_objects(CROSS_CC, cflags, include, sources, obj_dir)
    source_of = {str(obj): src.name for src, obj in zip(sources, objects, strict=True)}
    text = {source_of[obj]: size for obj, size in text_bytes(objects).items()}
    kernels = {
        name: sum(text[path.name] for path in kernel_sources({name}))
        for name in sorted(_public_functions(objects))
        if not name.endswith("_bytes")  # the *_scratch_bytes / *_filter_bytes size companions
    }
    return {
        "format": FORMAT,
        "board": BOARD,
        "compiler": f"{CROSS_CC} {compiler_version(CROSS_CC)}",
        "cflags": list(cflags),
        "kernels": kernels,
        "sources": dict(sorted(text.items())),
    }


def stale_lines(recorded: dict, current: dict) -> list[str]:
    """What differs between two tables, a line per kernel or setting (empty when they agree)."""
    lines = [f"{key}: {recorded.get(key)} -> {current[key]}" for key in ("compiler", "cflags")
             if recorded.get(key) != current[key]]  # fmt: skip
    old, new = recorded.get("kernels", {}), current["kernels"]
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            lines.append(f"{name}: {old.get(name, 'absent')} -> {new.get(name, 'absent')} bytes")
    return lines


def text_bytes(objects: list[Path]) -> dict[str, int]:
    """Berkeley .text (code and read-only data) of each object, from arm-none-eabi-size."""
    out = _tool("arm-none-eabi-size", "-B", *map(str, objects))
    rows = [line.split() for line in out.splitlines()[1:] if line.strip()]
    return {row[5]: int(row[0]) for row in rows}


def _public_functions(objects: list[Path]) -> set[str]:
    """Global functions defined by the objects (arm-none-eabi-nm)."""
    out = _tool("arm-none-eabi-nm", "-g", "--defined-only", *map(str, objects))
    return {fields[2] for fields in map(str.split, out.splitlines()) if len(fields) == 3 and fields[1] == "T"}


def _tool(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _write(table: dict) -> None:
    KERNEL_CODE_BYTES_FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = KERNEL_CODE_BYTES_FILE.with_name(KERNEL_CODE_BYTES_FILE.name + ".tmp")
    tmp.write_text(json.dumps(table, indent=2) + "\n")
    tmp.replace(KERNEL_CODE_BYTES_FILE)


def main(argv: list[str]) -> int:
    """Measure; write the table (or, with --check, compare it); return the exit code."""
    if "--help" in argv or "-h" in argv:
        print(__doc__.strip())
        return 0
    if any(arg != "--check" for arg in argv):
        print(f"usage: {Path(__file__).name} [--check]", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="kernel-sizes-") as tmp:
        table = measure(Path(tmp))
    if "--check" in argv:
        recorded = json.loads(KERNEL_CODE_BYTES_FILE.read_text()) if KERNEL_CODE_BYTES_FILE.is_file() else {}
        diff = stale_lines(recorded, table)
        print("\n".join([STALE, *diff]) if diff else "kernel code sizes are current", file=sys.stderr)
        return 1 if diff else 0
    _write(table)
    for name, size in table["kernels"].items():
        print(f"{name:<40} {size:>6} B")
    print(f"wrote {KERNEL_CODE_BYTES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
