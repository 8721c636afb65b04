"""The runner interface: build a project for a board, run it, hand back the firmware's record."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from mcu_bench.boards import Board
from mcu_bench.build import DEFAULT_STACK, Firmware
from mcu_bench.firmware.protocol import Record
from mcu_bench.project import Project


@dataclass(frozen=True)
class BuildOptions:
    """What every runner's build takes besides the project and board."""

    repeat: int = 10
    warmup: int = 1
    stack_size: int = DEFAULT_STACK


@dataclass(frozen=True)
class RunResult:
    """What a run produced: the firmware's record and how to read its tick counts."""

    runner: str
    device: str  # "qemu mps2-an500", "probe 0672FF...", "host"
    emulated: bool  # True: ticks are emulated instructions, never board time
    instructions_per_tick: float  # emulated runs: how many instructions one timer tick stands for
    record: Record


class Runner(ABC):
    """One way to run the bench: qemu, pyocd or host."""

    name: str

    @abstractmethod
    def build(self, project: Project, board: Board, out_dir: Path, options: BuildOptions) -> Firmware:
        """Compile the project and the bench firmware for this runner."""

    @abstractmethod
    def run(self, firmware: Firmware, board: Board, *, timeout_s: float) -> RunResult:
        """Run the firmware to completion and read its result record."""
