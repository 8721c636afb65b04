"""te-gen's table of kernel code bytes is what arm-none-eabi-gcc makes of the runtime sources now.

The runtime kernels are compiled again with the bench firmware's flags for the STM32F746 (no object
cache) and compared with ``tinyengine_codegen/data/kernel_code_bytes.json``; the estimate reads that
table for every runtime kernel.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tinyengine_codegen.analysis import (
    CODE_BASE_BYTES,
    CODE_PER_CALL_BYTES,
    KERNEL_CODE_BYTES_FILE,
    code_bytes_estimate,
    kernel_code_bytes,
)

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "measure_kernel_sizes.py"


@pytest.fixture(scope="module")
def measure_script():
    """scripts/measure_kernel_sizes.py as a module."""
    spec = importlib.util.spec_from_file_location("measure_kernel_sizes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kernel_code_sizes_are_current(measure_script, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MCU_BENCH_CACHE", "off")
    recorded = json.loads(KERNEL_CODE_BYTES_FILE.read_text())
    current = measure_script.measure(tmp_path)
    if recorded["compiler"] != current["compiler"]:
        pytest.skip(f"table measured with {recorded['compiler']}, this machine has {current['compiler']}")
    diff = measure_script.stale_lines(recorded, current)
    if diff:
        pytest.fail("\n".join([measure_script.STALE, *diff]), pytrace=False)


def test_a_changed_kernel_is_reported_stale(measure_script) -> None:
    recorded = json.loads(KERNEL_CODE_BYTES_FILE.read_text())
    current = json.loads(KERNEL_CODE_BYTES_FILE.read_text())
    current["kernels"]["te_conv_s8"] += 4
    del current["kernels"]["te_mul_s8"]
    before = recorded["kernels"]["te_conv_s8"]
    assert measure_script.stale_lines(recorded, current) == [
        f"te_conv_s8: {before} -> {before + 4} bytes",
        f"te_mul_s8: {recorded['kernels']['te_mul_s8']} -> absent bytes",
    ]


def test_the_estimate_counts_each_distinct_kernel_once_from_the_table() -> None:
    table = kernel_code_bytes()
    calls = [("CONV_2D", "te_conv_1x1_s8"), ("CONV_2D", "te_conv_1x1_s8"), ("ADD", "te_add_s8")]
    kernels = table["te_conv_1x1_s8"] + table["te_add_s8"]
    assert code_bytes_estimate(calls) == CODE_BASE_BYTES + kernels + 3 * CODE_PER_CALL_BYTES
    assert table["te_fully_connected_per_channel_s8"] == table["te_fully_connected_s8"]  # one source
