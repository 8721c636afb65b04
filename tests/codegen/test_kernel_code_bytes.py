"""te-gen's code-size estimate: its kernel table is current, and it holds on real generated projects.

The runtime kernels are compiled again with the bench firmware's flags for the STM32F746 (no object
cache) and compared with ``tinyengine_codegen/data/kernel_code_bytes.json``. The estimate of each
shared model is then held against the .text of its generated project (the model's code and its
kernels, not the weights) compiled with the same flags: within 10% or 1 kB, whichever is larger.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from mcu_bench.compiler import compile_objects
from tinyengine_codegen.analysis import (
    CODE_BASE_BYTES,
    CODE_PER_CALL_BYTES,
    KERNEL_CODE_BYTES_FILE,
    code_bytes_estimate,
    graph_code_bytes_estimate,
    kernel_code_bytes,
)
from tinyengine_codegen.backend.build import compile_model
from tinyengine_codegen.backend.project import write_project

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "measure_kernel_sizes.py"
SHARED = ["mcunet_vww", "person_detect", "micro_speech", "mnist_lenet_300_100", "hello_world_int8"]


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


@pytest.mark.parametrize("name", SHARED)
def test_the_estimate_matches_the_compiled_project(
    measure_script, shared_models: Path, tmp_path: Path, monkeypatch, name: str
) -> None:
    monkeypatch.setenv("MCU_BENCH_CACHE", "off")
    model = shared_models / f"{name}.tflite"
    compiled = compile_model(model)
    project = tmp_path / "p"
    manifest = write_project(compiled.graph, compiled.layout, project, "model", "cortex-m7", model, None)
    code = [project / s for s in manifest["sources"] if not s.endswith("_weights.c")]
    includes = [f"-I{project / d}" for d in manifest["include_dirs"]]
    cflags = measure_script.bench_cflags()
    measured = sum(measure_script.text_bytes(compile_objects(measure_script.CROSS_CC, cflags, includes, code,
                                                               tmp_path / "obj")).values())  # fmt: skip
    estimate = graph_code_bytes_estimate(compiled.graph)
    assert abs(estimate - measured) <= max(0.10 * measured, 1024), (estimate, measured)
