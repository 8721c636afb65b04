"""The firmware's clock set-up: in the board build only, warning-free, and right on a register model.

No board here: the clock code runs in Unicorn against tests/bench/stm32_clock_model.py (the reference
manuals' rules as a register model), and the whole firmware runs on QEMU's netduinoplus2 (an STM32F405
whose RCC QEMU does not model: every ready flag reads 0), where the bounded waits must time out and
the bench must still finish and say so.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from stm32_clock_model import (
    F_CFGR,
    F_PLLCFGR,
    F_RCC_CR,
    H_CFGR,
    H_RCC_CR,
    ClockModel,
    bit,
    bits,
    build_clock_code,
    run_clock_setup,
)

from mcu_bench import firmware
from mcu_bench.boards import Board, find_board
from mcu_bench.build import CROSS_CC, Firmware
from mcu_bench.compiler import compile_objects
from mcu_bench.firmware.protocol import CLOCK_PLL, CLOCK_RESET, Record, parse_dump
from mcu_bench.project import load_project
from mcu_bench.result import BOARD_NOTE, FALLBACK_NOTE, RESET_NOTE, clock, latency
from mcu_bench.runners.base import BuildOptions, RunResult
from mcu_bench.runners.pyocd_runner import PyocdRunner
from mcu_bench.runners.qemu import QemuRunner

OPTIONS = BuildOptions(repeat=2, warmup=1, stack_size=4096)
RAISE = {"stm32f4": "bench_clock_raise_stm32f4f7", "stm32f7": "bench_clock_raise_stm32f4f7",
         "stm32h7": "bench_clock_raise_stm32h7"}  # fmt: skip
# What the model checks at the switch to the PLL: wait states, regulator field, over-drive.
NEEDS = {"stm32f746": (7, 3, True), "stm32f412": (3, 3, False), "stm32h743": (2, 3, False)}
HSI = {"stm32f746": 16_000_000, "stm32f412": 16_000_000, "stm32h743": 64_000_000}
QUICK_TIMEOUTS = ("-DBENCH_CLOCK_WAIT_LOOPS=1000",)


def _symbols(elf: Path) -> set[str]:
    listing = subprocess.run(
        ["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[-1] for line in listing.splitlines()}


def _model(name: str, stuck: set[str] | None = None) -> ClockModel:
    latency_, vos, overdrive = NEEDS[name]
    family = find_board(name).clock.family
    return ClockModel(family, stuck or set(), need_latency=latency_, need_vos=vos, need_overdrive=overdrive)


@pytest.mark.parametrize("name", ["stm32f746", "stm32f412", "stm32h743"])
def test_board_build_has_the_clock_code_and_compiles_with_wall_werror(
    name: str, tiny_project: Path, tmp_path: Path
) -> None:
    board, project = find_board(name), load_project(tiny_project)
    fw = PyocdRunner().build(project, board, tmp_path / "fw", OPTIONS)
    assert fw.clock == board.clock and set(board.clock.defines) <= set(fw.cflags)
    symbols = _symbols(fw.elf)
    assert RAISE[board.clock.family] in symbols
    assert not (set(RAISE.values()) - {RAISE[board.clock.family]}) & symbols
    sources = firmware.sources("cortexm", board.clock.source_file)
    includes = [
        f"-I{tmp_path / 'fw'}",
        f"-I{firmware.FIRMWARE_DIR}",
        *(f"-I{d}" for d in project.include_dirs),
    ]
    compile_objects(CROSS_CC, (*fw.cflags, "-Werror"), includes, sources, tmp_path / "werror")


def test_emulated_builds_leave_the_clock_code_out(tiny_project: Path, tmp_path: Path) -> None:
    board, project = find_board("stm32f746"), load_project(tiny_project)
    for runner in (QemuRunner(), PyocdRunner("qemu:stm32f746")):
        fw = runner.build(project, board, tmp_path / runner.name, OPTIONS)
        assert fw.clock is None and not any(flag.startswith("-DBENCH_CLOCK") for flag in fw.cflags)
        symbols = _symbols(fw.elf)
        assert "bench_clock_setup" in symbols and not set(RAISE.values()) & symbols


def test_a_board_without_a_recipe_builds_no_clock_code(tiny_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    text = find_board("stm32f412").path.read_text()
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("clock:")))
    board = find_board(str(path))
    fw = PyocdRunner().build(load_project(tiny_project), board, tmp_path / "fw", OPTIONS)
    assert board.clock is None and fw.clock is None and not set(RAISE.values()) & _symbols(fw.elf)


@pytest.mark.parametrize("name", ["stm32f746", "stm32f412", "stm32h743"])
def test_clock_setup_follows_the_reference_manual_and_survives_a_second_run(
    name: str, tmp_path: Path
) -> None:
    board = find_board(name)
    image, entry = build_clock_code(board, tmp_path)
    model = _model(name)
    assert run_clock_setup(image, entry, model) == (CLOCK_PLL, board.clock_hz)
    assert model.broken == []
    if board.clock.family == "stm32h7":
        assert bits(model.regs[H_CFGR], 0, 3) == 3 and model.regs[H_RCC_CR] & bit(24)
    else:
        pllcfgr = model.regs[F_PLLCFGR]
        assert (bits(pllcfgr, 0, 6), bits(pllcfgr, 6, 9), bits(pllcfgr, 16, 2)) == (
            board.clock.settings["pll_m"],
            board.clock.settings["pll_n"],
            0,
        )
        assert bits(pllcfgr, 24, 4) == 4  # PLLQ keeps its reset value
        assert bits(model.regs[F_CFGR], 0, 2) == 2
    writes = len(model.writes)
    assert run_clock_setup(image, entry, model) == (CLOCK_PLL, board.clock_hz)  # from the PLL, not reset
    assert model.broken == [] and len(model.writes) > writes


@pytest.mark.parametrize(
    ("name", "stuck", "status", "falls_back"),
    [
        ("stm32f746", "hsi", 16, False),
        ("stm32f746", "pll", 23, True),
        ("stm32f746", "od", 22, True),
        ("stm32f746", "sws", 25, True),
        ("stm32f412", "vos", 21, True),
        ("stm32h743", "supply", 20, True),
        ("stm32h743", "vos", 21, True),
        ("stm32h743", "pll", 23, True),
    ],
)
def test_a_ready_flag_that_never_comes_is_an_error_code_not_a_hang(
    name: str, stuck: str, status: int, falls_back: bool, tmp_path: Path
) -> None:
    board = find_board(name)
    image, entry = build_clock_code(board, tmp_path, QUICK_TIMEOUTS)
    model = _model(name, {stuck})
    assert run_clock_setup(image, entry, model) == (status, HSI[name] if falls_back else 0)
    assert model.broken == []
    if falls_back:  # back on HSI with the PLL off
        cr, sw = (H_RCC_CR, bits(model.regs[H_CFGR], 0, 3)) if name == "stm32h743" else (
            F_RCC_CR, bits(model.regs[F_CFGR], 0, 2))  # fmt: skip
        assert sw == 0 and not model.regs[cr] & bit(24)


def test_hse_recipe_starts_the_crystal_first(tmp_path: Path) -> None:
    data = yaml.safe_load(find_board("stm32f746").path.read_text())
    data["clock"].update(source="hse", hse_hz=25_000_000, pll_m=25, pll_n=432)
    path = tmp_path / "disco.yaml"
    path.write_text(yaml.safe_dump(data))
    board = find_board(str(path))
    image, entry = build_clock_code(board, tmp_path / "ok", QUICK_TIMEOUTS)
    model = _model("stm32f746")
    assert run_clock_setup(image, entry, model) == (CLOCK_PLL, 216_000_000) and model.broken == []
    assert model.regs[F_PLLCFGR] & bit(22) and bits(model.regs[F_PLLCFGR], 0, 6) == 25  # PLLSRC = HSE
    no_crystal = _model("stm32f746", {"hse"})
    assert run_clock_setup(image, entry, no_crystal) == (19, 16_000_000)


def test_firmware_on_an_stm32_without_rcc_model_times_out_and_still_benches(
    tiny_project: Path, tmp_path: Path
) -> None:
    board = find_board("stm32f412")  # SRAM 0x20000000, Flash 0x08000000, as netduinoplus2's STM32F405
    fw = PyocdRunner().build(load_project(tiny_project), board, tmp_path / "fw", OPTIONS)
    request = fw.symbols[firmware.HOST_REQUEST_SYMBOL]
    done = subprocess.run(
        ["qemu-system-arm", "-M", "netduinoplus2", "-nographic", "-monitor", "none",
         "-semihosting-config", "enable=on,target=native", "-kernel", str(fw.elf),
         "-device", f"loader,addr={request:#x},data={firmware.HOST_REQUEST_SEMIHOSTING:#x},data-len=4"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    record = parse_dump(done.stdout + done.stderr)
    assert record.status_text == "ok" and (record.clock_status, record.clock_hz) == (16, 0)
    run = RunResult("pyocd", "qemu netduinoplus2", False, 1.0, record)
    assert clock(fw, run) == {"setup": "reset", "hz": None, "error": "HSI not ready",
                              "recipe": board.clock.settings}  # fmt: skip
    figures = latency(board, run)
    assert figures["ms"] is None and figures["note"] == FALLBACK_NOTE


def _record(clock_status: int, clock_hz: int) -> Record:
    return Record(status=0, invoke_rc=0, counter="dwt_cycles", warmup=1, repeat=2, ticks_min=4_000_000,
                  ticks_max=4_000_000, ticks_total=8_000_000, stack_size=4096, stack_used=100,
                  output_checksum=0, output_addr=0, output=b"", clock_status=clock_status,
                  clock_hz=clock_hz)  # fmt: skip


def test_ms_use_the_clock_the_firmware_reports(tmp_path: Path) -> None:
    board: Board = find_board("stm32h743")
    fw = Firmware(tmp_path / "x.elf", "cortexm", CROSS_CC, "12", (), (), clock=board.clock)

    def figures(status: int, hz: int) -> tuple:
        run = RunResult("pyocd", "probe", False, 1.0, _record(status, hz))
        lat, clk = latency(board, run), clock(fw, run)
        return lat["ms"], lat["note"], clk["setup"], clk["hz"], clk["error"]

    assert figures(CLOCK_PLL, 400_000_000) == (10.0, BOARD_NOTE, "pll", 400_000_000, None)
    assert figures(23, 64_000_000) == (62.5, FALLBACK_NOTE, "reset", 64_000_000, "the PLL did not lock")
    assert figures(CLOCK_RESET, 0) == (10.0, RESET_NOTE, "reset", None, None)  # no recipe: board clock_hz
