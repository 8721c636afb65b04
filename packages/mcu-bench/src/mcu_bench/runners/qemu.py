"""The qemu runner: the firmware on the board's emulated core (QEMU's MPS2 machines).

Timing uses `-icount shift=6`: every instruction advances virtual time by 64 ns, so SysTick (25 MHz
on MPS2, one tick per 40 ns) counts 1.6 ticks per instruction and ticks * 40 / 64 is the instruction
count to within one (plus the few instructions of a SysTick wrap interrupt every 10.5 M), the same
on every run (with shift=0 it would only resolve 40 instructions).
It is labelled emulated instructions, never board time.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from mcu_bench import firmware
from mcu_bench.boards import Board
from mcu_bench.boards.machines import Machine
from mcu_bench.build import Firmware, board_layout, build_cortexm, target_clock
from mcu_bench.errors import RunError
from mcu_bench.firmware.protocol import parse_dump
from mcu_bench.project import Project
from mcu_bench.runners.base import BuildOptions, Runner, RunResult

QEMU = "qemu-system-arm"
ICOUNT_SHIFT = 6
ICOUNT = f"shift={ICOUNT_SHIFT},align=off,sleep=off"
PROBE_PREFIX = "qemu:"  # pyOCD unique id of the emulated probe: qemu:BOARD (runners/qemu_probe.py)


def pyocd_target_name(machine_name: str) -> str:
    """pyOCD target type for a QEMU machine (`mps2-an500` -> `qemu_mps2_an500`)."""
    return "qemu_" + machine_name.replace("-", "_")


def qemu_binary() -> str:
    """Path of qemu-system-arm; RunError with the install hint when absent."""
    path = shutil.which(QEMU)
    if path is None:
        raise RunError(f"{QEMU} not found (Debian: apt-get install --no-install-recommends qemu-system-arm)")
    return path


def qemu_base_command(machine: Machine) -> list[str]:
    """QEMU for `machine` with deterministic instruction counting, no display, no monitor."""
    return [qemu_binary(), "-M", machine.name, "-nographic", "-monitor", "none", "-icount", ICOUNT]


def instructions_per_tick(machine: Machine) -> float:
    """Emulated instructions per SysTick tick under ICOUNT."""
    return 1e9 / machine.systick_hz / (1 << ICOUNT_SHIFT)


class QemuRunner(Runner):
    """Runs the firmware under QEMU; the result comes back over semihosting."""

    name = "qemu"

    def build(self, project: Project, board: Board, out_dir: Path, options: BuildOptions) -> Firmware:
        layout = board_layout(board, emulated=True, stack_size=options.stack_size)
        clock = target_clock(board, emulated=True)
        return build_cortexm(
            project, board, layout, out_dir, repeat=options.repeat, warmup=options.warmup, clock=clock
        )

    def run(self, firmware_: Firmware, board: Board, *, timeout_s: float) -> RunResult:
        machine = board.machine
        if machine is None:
            raise RunError(f"board {board.name} names no QEMU machine to stand in for it")
        request = firmware_.symbols[firmware.HOST_REQUEST_SYMBOL]
        command = [
            *qemu_base_command(machine),
            "-semihosting-config", "enable=on,target=native",
            "-kernel", str(firmware_.elf),
            "-device", f"loader,addr={request:#x},data={firmware.HOST_REQUEST_SEMIHOSTING:#x},data-len=4",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise RunError(f"{machine.name}: the firmware did not finish within {timeout_s:g} s") from None
        if done.returncode != 0:
            raise RunError(f"{QEMU} exited with {done.returncode}: {done.stderr.strip()[-500:]}")
        return RunResult(
            runner=self.name,
            device=f"qemu {machine.name}",
            emulated=True,
            instructions_per_tick=instructions_per_tick(machine),
            record=parse_dump(done.stdout + done.stderr),
        )
