"""The pyocd runner: flash, reset, run to `mcu_bench_done`, read the result record over a debug probe.

A thin adapter: everything else (build, record format, result) is shared with the qemu runner. With
`--probe qemu:BOARD` the probe is QEMU (runners/qemu_probe.py), so this same code runs in CI.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from mcu_bench import firmware
from mcu_bench.boards import Board
from mcu_bench.build import Firmware, board_layout, build_cortexm, target_clock
from mcu_bench.errors import InputError, RunError
from mcu_bench.firmware.protocol import RECORD_BYTES, parse_header, parse_record
from mcu_bench.project import Project
from mcu_bench.runners.base import BuildOptions, Runner, RunResult
from mcu_bench.runners.qemu import PROBE_PREFIX as QEMU_PREFIX
from mcu_bench.runners.qemu import instructions_per_tick
from mcu_bench.runners.qemu import pyocd_target_name as qemu_target_name

POLL_S = 0.02


def attached_probes() -> list[dict]:
    """Debug probes pyOCD sees (emulated ones excluded): unique id and description."""
    try:
        from pyocd.core.helpers import ConnectHelper

        probes = ConnectHelper.get_all_connected_probes(blocking=False, print_wait_message=False)
    except Exception:  # no USB backend, permissions: no probe usable
        return []
    return [{"unique_id": p.unique_id, "description": p.description} for p in probes
            if not p.unique_id.startswith(QEMU_PREFIX)]  # fmt: skip


def check_target(board: Board) -> str:
    """The board's pyOCD target type; InputError with the fix when pyOCD does not know it."""
    from pyocd.target import TARGET

    name = board.pyocd_target
    if not name:
        raise InputError(f"{board.path}: board {board.name} names no pyOCD target (pyocd: target: ...)")
    if name.lower() in TARGET or name.lower() in _pack_targets():
        return name
    pack = board.pyocd_pack or name
    raise InputError(
        f"pyOCD has no target type {name!r} for board {board.name}: install its CMSIS pack with "
        f"`pyocd pack install {pack}` (needs internet; it exits 0 even when it fails, so check with "
        f"`pyocd list --targets | grep {name}`), then run again"
    )


def _pack_targets() -> set[str]:
    try:
        from pyocd.target.pack.pack_target import ManagedPacks

        return {device.part_number.lower() for device in ManagedPacks.get_installed_targets()}
    except Exception:  # no pack index yet
        return set()


class PyocdRunner(Runner):
    """Runs the firmware on a board through a debug probe (or on QEMU through the QEMU probe)."""

    name = "pyocd"

    def __init__(self, probe: str | None = None) -> None:
        self.probe = probe
        self.emulated = bool(probe and probe.startswith(QEMU_PREFIX))

    def build(self, project: Project, board: Board, out_dir: Path, options: BuildOptions) -> Firmware:
        layout = board_layout(board, emulated=self.emulated, stack_size=options.stack_size)
        clock = target_clock(board, emulated=self.emulated)
        return build_cortexm(
            project, board, layout, out_dir, repeat=options.repeat, warmup=options.warmup, clock=clock
        )

    def run(self, firmware_: Firmware, board: Board, *, timeout_s: float) -> RunResult:
        from pyocd.core.helpers import ConnectHelper

        if self.emulated:
            if board.machine is None:
                raise InputError(f"board {board.name} names no QEMU machine for probe {self.probe}")
            target = qemu_target_name(board.machine.name)
        else:
            target = check_target(board)
        probe = self.probe or _the_only_probe()
        logging.getLogger("pyocd").setLevel(logging.ERROR)
        session = ConnectHelper.session_with_chosen_probe(
            blocking=False,
            return_first=True,
            unique_id=probe,
            target_override=target,
            options={"resume_on_disconnect": False, "connect_mode": "halt"},
        )
        if session is None:
            raise RunError(f"probe {probe} not found (mcu-bench boards lists attached probes)")
        with session:
            raw = _run_to_done(session, firmware_, timeout_s)
            device = f"probe {session.probe.unique_id} ({session.probe.description})"
        per_tick = instructions_per_tick(board.machine) if self.emulated else 1.0
        return RunResult(self.name, device, self.emulated, per_tick, parse_record(raw))


def _the_only_probe() -> str:
    """The unique id of the one attached probe; an error naming them when there are none or several."""
    probes = attached_probes()
    if not probes:
        raise RunError(
            "no debug probe attached (use --runner qemu, or --probe qemu:BOARD for the emulated one)"
        )
    if len(probes) > 1:
        ids = ", ".join(p["unique_id"] for p in probes)
        raise InputError(f"several debug probes attached ({ids}): choose one with --probe ID")
    return probes[0]["unique_id"]


def _run_to_done(session, firmware_: Firmware, timeout_s: float) -> bytes:
    """Flash, reset, run to the done breakpoint; the record and output bytes."""
    from pyocd.core.target import Target
    from pyocd.flash.file_programmer import FileProgrammer

    target = session.target
    FileProgrammer(session, progress=lambda fraction: None).program(str(firmware_.elf), file_format="elf")
    target.reset_and_halt()
    done = firmware_.symbols[firmware.DONE_SYMBOL]
    if not target.set_breakpoint(done, Target.BreakpointType.HW):
        raise RunError(f"cannot set a breakpoint at {firmware.DONE_SYMBOL} ({done:#010x})")
    target.resume()
    deadline = time.monotonic() + timeout_s
    while target.get_state() != Target.State.HALTED:
        if time.monotonic() > deadline:
            target.halt()
            raise RunError(f"the firmware did not reach {firmware.DONE_SYMBOL} within {timeout_s:g} s")
        time.sleep(POLL_S)
    pc = target.read_core_register("pc")
    if pc != done:
        raise RunError(f"the core stopped at {pc:#010x}, not at {firmware.DONE_SYMBOL} ({done:#010x})")
    target.remove_breakpoint(done)
    address = firmware_.symbols[firmware.RESULT_SYMBOL]
    header = bytes(target.read_memory_block8(address, RECORD_BYTES))
    n_out = parse_header(header)["output_bytes"]
    output = (
        bytes(target.read_memory_block8(firmware_.symbols[firmware.OUTPUT_SYMBOL], n_out)) if n_out else b""
    )
    return header + output
