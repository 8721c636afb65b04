"""The three runners on the hand-made project: same outputs, real memory figures, emulated labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_fixture_project import golden_output, make_project

from mcu_bench.bench import run_bench
from mcu_bench.boards import find_board
from mcu_bench.errors import DoesNotFitError, RunError
from mcu_bench.runners import make_runner
from mcu_bench.runners.base import BuildOptions

OPTIONS = BuildOptions(repeat=2, warmup=1, stack_size=4096)


@pytest.mark.parametrize("board", ["stm32f746", "stm32f412"])
def test_qemu_runner_outputs_match_golden_with_real_memory_figures(tiny_project: Path, board: str) -> None:
    result = run_bench(tiny_project, find_board(board), make_runner("qemu"), OPTIONS)
    assert result["status"] == "ok"
    assert result["outputs"]["check"] == "match"
    assert result["outputs"]["tensors"][0]["output_hex"] == golden_output().hex()
    lat, mem = result["latency"], result["memory"]
    assert lat["unit"] == "emulated_instructions" and lat["ms"] is None and "not board time" in lat["note"]
    assert result["clock"] == {"setup": "reset", "hz": None, "error": None, "recipe": None}  # no RCC in QEMU
    assert lat["repeat"] == 2 and 0 < lat["min"] <= lat["mean"] <= lat["max"]
    assert mem["stack_reserved"] == 4096 and 0 < mem["stack_used"] < 4096
    assert mem["flash"] == mem["text"] + mem["rodata"] + mem["data"] > 1000
    assert mem["static_ram"] >= mem["arena"] == 64
    assert mem["sram_peak"] == mem["static_ram"] + mem["stack_used"]


def test_qemu_instruction_counts_repeat_exactly(tiny_project: Path) -> None:
    board, runner = find_board("stm32f746"), make_runner("qemu")
    first = run_bench(tiny_project, board, runner, OPTIONS)["latency"]
    second = run_bench(tiny_project, board, runner, OPTIONS)["latency"]
    assert (first["min"], first["max"]) == (second["min"], second["max"])


def test_host_runner_gives_the_same_outputs(tiny_project: Path) -> None:
    result = run_bench(tiny_project, find_board("stm32f746"), make_runner("host"), OPTIONS)
    assert result["outputs"]["check"] == "match"
    assert result["latency"]["unit"] == "ns" and result["memory"] == {"arena": 64}


def test_pyocd_runner_through_the_qemu_probe_agrees_with_the_qemu_runner(tiny_project: Path) -> None:
    board = find_board("stm32f412")
    via_qemu = run_bench(tiny_project, board, make_runner("qemu"), OPTIONS)
    via_pyocd = run_bench(tiny_project, board, make_runner("pyocd", "qemu:stm32f412"), OPTIONS)
    assert via_pyocd["runner"]["name"] == "pyocd" and via_pyocd["runner"]["device"].startswith("probe qemu:")
    assert via_pyocd["outputs"] == via_qemu["outputs"]
    assert via_pyocd["latency"] == via_qemu["latency"]
    assert via_pyocd["memory"] == via_qemu["memory"]


def test_model_too_large_for_the_sram_is_refused_with_numbers(tmp_path: Path) -> None:
    project = make_project(tmp_path / "big", arena_bytes=300 * 1024)
    with pytest.raises(DoesNotFitError) as caught:
        run_bench(project, find_board("stm32f412"), make_runner("qemu"), OPTIONS)
    message = str(caught.value)
    assert "needs 304." in message and "SRAM" in message and "board stm32f412 has 256.0 kB" in message


def test_model_too_large_for_the_flash_is_refused_with_numbers(tmp_path: Path) -> None:
    project = make_project(tmp_path / "heavy", flash_padding=1100 * 1024)
    with pytest.raises(DoesNotFitError, match=r"needs 110\d\.\d kB Flash, board stm32f746 has 1024.0 kB"):
        run_bench(project, find_board("stm32f746"), make_runner("qemu"), OPTIONS)


def test_failing_invoke_is_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path / "failing", invoke_rc=7)
    result = run_bench(project, find_board("stm32f746"), make_runner("qemu"), OPTIONS)
    assert result["status"] == "invoke failed" and result["invoke_rc"] == 7


def test_a_fault_in_the_model_is_reported_with_its_exception(tmp_path: Path) -> None:
    project = make_project(tmp_path / "trap", misbehave="trap")
    result = run_bench(project, find_board("stm32f746"), make_runner("qemu"), OPTIONS)
    assert result["status"] == "fault" and result["invoke_rc"] == 3  # HardFault (escalated UsageFault)


def test_a_model_that_never_returns_times_out(tmp_path: Path) -> None:
    project = make_project(tmp_path / "hang", misbehave="hang")
    with pytest.raises(RunError, match="did not finish within 2 s"):
        run_bench(project, find_board("stm32f412"), make_runner("qemu"), OPTIONS, timeout_s=2)


def test_a_stack_too_small_for_the_model_is_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path / "deep", misbehave="deep_stack")
    board, runner = find_board("stm32f746"), make_runner("qemu")
    assert run_bench(project, board, runner, OPTIONS)["status"] == "stack exhausted"
    roomy = run_bench(project, board, runner, BuildOptions(repeat=1, stack_size=12 * 1024))
    assert roomy["status"] == "ok" and 8192 < roomy["memory"]["stack_used"] < 12 * 1024
