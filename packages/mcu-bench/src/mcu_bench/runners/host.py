"""The host runner: the bench compiled with this machine's own compiler, for quick functional checks."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

from mcu_bench.boards import Board
from mcu_bench.build import Firmware, build_host
from mcu_bench.errors import RunError
from mcu_bench.firmware.protocol import parse_dump
from mcu_bench.project import Project
from mcu_bench.runners.base import BuildOptions, Runner, RunResult


class HostRunner(Runner):
    """Runs the bench as a native process; latency in host nanoseconds, no stack figure."""

    name = "host"

    def build(self, project: Project, board: Board, out_dir: Path, options: BuildOptions) -> Firmware:
        return build_host(project, out_dir, repeat=options.repeat, warmup=options.warmup)

    def run(self, firmware_: Firmware, board: Board, *, timeout_s: float) -> RunResult:
        try:
            done = subprocess.run([str(firmware_.elf)], capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise RunError(f"{firmware_.elf}: did not finish within {timeout_s:g} s") from None
        if done.returncode != 0:
            raise RunError(f"{firmware_.elf} exited with {done.returncode}: {done.stderr.strip()[-500:]}")
        return RunResult(self.name, f"host {platform.machine()}", False, 1.0, parse_dump(done.stdout))
