"""The pyocd runner on a real board: runs only with a probe attached and MCU_BENCH_BOARD naming the board."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mcu_bench.bench import run_bench
from mcu_bench.boards import find_board
from mcu_bench.runners.base import BuildOptions
from mcu_bench.runners.pyocd_runner import PyocdRunner, attached_probes


@pytest.mark.board
def test_real_board_runs_the_bench_and_reports_cycles(tiny_project: Path) -> None:
    probes = attached_probes()
    if not probes:
        pytest.skip("no debug probe attached")
    board_name = os.environ.get("MCU_BENCH_BOARD")
    if not board_name:
        pytest.skip("set MCU_BENCH_BOARD to the attached board's name (e.g. stm32f746)")
    runner = PyocdRunner(probes[0]["unique_id"])
    result = run_bench(tiny_project, find_board(board_name), runner, BuildOptions(repeat=3, stack_size=4096))
    assert result["status"] == "ok" and result["outputs"]["check"] == "match"
    assert result["runner"]["emulated"] is False
    assert result["latency"]["unit"] == "cycles" and result["latency"]["ms"] > 0
    assert 0 < result["memory"]["stack_used"] < 4096
