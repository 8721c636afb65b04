"""The QEMU-backed pyOCD probe under pyOCD's own session API: discovery, load, run, halt, step, registers."""

from __future__ import annotations

import time
from pathlib import Path

from mcu_bench import firmware
from mcu_bench.boards import find_board
from mcu_bench.project import load_project
from mcu_bench.runners.base import BuildOptions
from mcu_bench.runners.pyocd_runner import PyocdRunner


def test_pyocd_session_controls_the_emulated_core(tiny_project: Path, tmp_path: Path) -> None:
    from pyocd.core.helpers import ConnectHelper
    from pyocd.core.target import Target
    from pyocd.flash.file_programmer import FileProgrammer

    board = find_board("stm32f746")
    runner = PyocdRunner("qemu:stm32f746")
    fw = runner.build(load_project(tiny_project), board, tmp_path / "build", BuildOptions(repeat=1))
    session = ConnectHelper.session_with_chosen_probe(unique_id="qemu:stm32f746", blocking=False)
    with session:
        target = session.target
        assert session.board.target_type == "qemu_mps2_an500"
        assert target.cores[0].name == "Cortex-M7" and target.cores[0].has_fpu
        FileProgrammer(session, progress=lambda fraction: None).program(str(fw.elf), file_format="elf")
        target.reset_and_halt()
        assert target.get_state() == Target.State.HALTED
        vectors = target.read_memory_block32(0, 2)
        assert target.read_core_register("pc") == vectors[1] & ~1
        assert target.read_core_register("sp") == vectors[0]

        target.resume()  # runs past mcu_bench_done into the final idle loop
        time.sleep(0.3)
        assert target.get_state() == Target.State.RUNNING
        target.halt()
        assert target.get_state() == Target.State.HALTED
        assert target.get_halt_reason() == Target.HaltReason.DEBUG
        record = bytes(target.read_memory_block8(fw.symbols[firmware.RESULT_SYMBOL], 4))
        assert record == b"MCUB"

        target.write_core_register("r7", 0x1234_5678)
        assert target.read_core_register("r7") == 0x1234_5678
        pc = target.read_core_register("pc")
        target.step()
        assert target.get_state() == Target.State.HALTED
        assert abs(target.read_core_register("pc") - pc) <= 4
