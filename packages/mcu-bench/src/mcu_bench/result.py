"""The bench result (format `mcu-bench-result/1`): build it from a run, write it, read it back."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from mcu_bench import __version__
from mcu_bench.boards import Board
from mcu_bench.build import Firmware
from mcu_bench.errors import InputError
from mcu_bench.firmware.protocol import CLOCK_PLL, CLOCK_RESET
from mcu_bench.project import Project
from mcu_bench.runners.base import RunResult

FORMAT = "mcu-bench-result/1"
BOARD_NOTE = (
    "DWT core cycles at the clock the firmware set up from the board's clock recipe (PLL, regulator "
    "scale, flash wait states); ms = cycles / clock.hz"
)
RESET_NOTE = (
    "DWT core cycles, clock and flash wait states as left by reset (the board file has no clock recipe: "
    "the firmware configures no PLL); ms = cycles / board clock_hz"
)
FALLBACK_NOTE = (
    "DWT core cycles at the reset clock (HSI): the clock set-up failed (see clock.error), flash wait "
    "states as far as it got; ms = cycles / clock.hz"
)
EMULATED_NOTE = "emulated instruction count (QEMU -icount), not board time: no pipeline, cache or wait states"


def make_result(project: Project, board: Board, firmware: Firmware, run: RunResult) -> dict:
    """The result document for one run (see docs/formats.md, mcu-bench-result/1)."""
    outputs = output_check(project, run.record.output)
    return {
        "format": FORMAT,
        "tool": {"name": "mcu-bench", "version": __version__},
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model": {
            "name": project.model_name,
            "api_prefix": project.api_prefix,
            "target": project.target,
            "project": str(project.root),
        },
        "board": {
            "name": board.name,
            "core": board.core,
            "fpu": board.fpu,
            "clock_hz": board.clock_hz,
            "sram_bytes": board.sram.size,
            "flash_bytes": board.flash.size,
        },
        "runner": {"name": run.runner, "device": run.device, "emulated": run.emulated},
        "clock": clock(firmware, run),
        "build": {
            "compiler": firmware.compiler,
            "compiler_version": firmware.compiler_version,
            "cflags": list(firmware.cflags),
            "ldflags": list(firmware.ldflags),
            "firmware": str(firmware.elf),
        },
        "status": _status(run),
        "invoke_rc": run.record.invoke_rc,
        "latency": latency(board, run),
        "memory": memory(project, firmware, run),
        "outputs": outputs,
    }


def _status(run: RunResult) -> str:
    """The firmware's status, or `stack exhausted` when the painted stack was used up to its end."""
    record = run.record
    if record.status_text == "ok" and record.stack_size and record.stack_used >= record.stack_size:
        return "stack exhausted"
    return record.status_text


def clock(firmware: Firmware, run: RunResult) -> dict:
    """What the firmware did to the clocks: `pll` (the recipe's clock, `hz`) or `reset` (no recipe
    built in, or the set-up failed: `error` says where, `hz` is the reset clock it fell back to)."""
    rec = run.record
    return {
        "setup": "pll" if rec.clock_status == CLOCK_PLL else "reset",
        "hz": rec.clock_hz or None,
        "error": rec.clock_error,
        "recipe": dict(firmware.clock.settings) if firmware.clock else None,
    }


def _board_time(board: Board, run: RunResult) -> tuple[float | None, str]:
    """ms per cycle on a board and the note saying which clock that is."""
    rec = run.record
    if rec.clock_status == CLOCK_RESET:
        return 1e3 / board.clock_hz, RESET_NOTE
    note = BOARD_NOTE if rec.clock_status == CLOCK_PLL else FALLBACK_NOTE
    return (1e3 / rec.clock_hz if rec.clock_hz else None), note


def latency(board: Board, run: RunResult) -> dict:
    """Per-inference figures in the unit the counter allows; `ms` only where it is real time."""
    rec = run.record
    mean = rec.ticks_total / rec.repeat if rec.repeat else None
    figures = {"min": rec.ticks_min, "max": rec.ticks_max, "mean": mean}
    scale, unit = 1.0, "cycles"
    ms_per_unit, note = _board_time(board, run)
    if rec.counter == "host_ns":
        unit, ms_per_unit, note = "ns", 1e-6, "host machine, not the board"
    elif run.emulated:
        scale, unit, ms_per_unit, note = (
            run.instructions_per_tick,
            "emulated_instructions",
            None,
            EMULATED_NOTE,
        )
    values = {k: (round(v * scale) if v is not None else None) for k, v in figures.items()}
    ms = values["mean"] * ms_per_unit if ms_per_unit is not None and values["mean"] is not None else None
    return {
        "unit": unit,
        "counter": rec.counter,
        "warmup": rec.warmup,
        "repeat": rec.repeat,
        **values,
        "ms": ms,
        "note": note,
    }


def memory(project: Project, firmware: Firmware, run: RunResult) -> dict:
    """ELF figures (Flash, static RAM, stack reserve) plus the measured stack high-water mark."""
    figures: dict = {"arena": project.arena_bytes}
    if firmware.memory is not None:
        figures.update(firmware.memory.to_dict())
        figures["stack_used"] = run.record.stack_used
        figures["sram_peak"] = firmware.memory.static_ram + run.record.stack_used
    return figures


def output_check(project: Project, output: bytes) -> dict:
    """Compare each output against its golden file: `match`, `mismatch` or `no golden`."""
    tensors, offset = [], 0
    for index, tensor in enumerate(project.outputs):
        got = output[offset : offset + tensor.bytes]
        offset += tensor.bytes
        golden = project.golden_output(index)
        differing = None if golden is None else sum(a != b for a, b in zip(got, golden, strict=False))
        if golden is not None and len(got) != len(golden):
            differing = max(len(got), len(golden))
        tensors.append(
            {"name": tensor.name, "dtype": tensor.dtype, "bytes": tensor.bytes, "differing_bytes": differing,
             "output_hex": got.hex() if tensor.bytes <= 64 else None}
        )  # fmt: skip
    checked = [t["differing_bytes"] for t in tensors if t["differing_bytes"] is not None]
    check = "no golden" if not checked else ("match" if not any(checked) else "mismatch")
    return {"check": check, "tensors": tensors}


def write_result(result: dict, path: Path) -> None:
    """Write atomically: a temp file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(result, handle, indent=2)
            handle.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_result(path: Path) -> dict:
    """Read a result file; InputError names the file when it is not mcu-bench-result/1."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read result: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise InputError(f"{path}: format is {found!r}, expected {FORMAT!r}")
    for key in ("model", "board", "runner", "latency", "memory", "outputs"):
        if not isinstance(data.get(key), dict):
            raise InputError(f"{path}: missing or malformed {key!r}")
    return data
