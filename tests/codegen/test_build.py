"""te-gen build: the generated project's layout and manifest, refusals, atomicity, and that it
compiles with -Wall -Wextra -Werror on the host and with arm-none-eabi-gcc for Cortex-M."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import tinyengine_runtime
from tinyengine_codegen.backend.build import build_project

TE_GEN = str(Path(sys.executable).parent / "te-gen")
STRICT = "WARNINGS=-Wall -Wextra -Werror"


def te_gen(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([TE_GEN, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def vww_project(shared_models, tmp_path_factory) -> Path:
    """mcunet_vww (conv, depthwise in place, add, transpose, mean, FC, (de)quantize) for cortex-m7."""
    out = tmp_path_factory.mktemp("vww") / "project"
    result = te_gen("build", str(shared_models / "mcunet_vww.tflite"), "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    return out


def test_project_layout_and_manifest(vww_project, shared_models):
    manifest = json.loads((vww_project / "te-project.json").read_text())
    assert manifest["format"] == "te-project/1"
    assert manifest["generator"]["name"] == "te-gen"
    assert manifest["target"] == "cortex-m7"
    prefix = manifest["api_prefix"]
    assert prefix == "mcunet_vww"
    assert manifest["model"]["file"] == "mcunet_vww.tflite"
    for relative in [f"include/{prefix}.h", f"src/{prefix}.c", f"src/{prefix}_weights.c", "Makefile",
                     "CMakeLists.txt", "runtime/include/tinyengine/te_types.h"]:  # fmt: skip
        assert (vww_project / relative).is_file(), relative
    for source in manifest["sources"]:
        assert (vww_project / source).is_file(), source
    # Only the kernels the model uses are copied.
    kernels = {op["kernel"] for op in manifest["ops"]}
    assert "te_depthwise_conv_inplace_s8" in kernels and "te_conv_1x1_s8" in kernels
    runtime_files = {p.name for p in (vww_project / "runtime" / "src").glob("*.c")}
    assert runtime_files < {p.name for p in tinyengine_runtime.sources()}
    assert "te_pad_s8.c" not in runtime_files  # the PADs were folded into the convolutions
    # Golden vectors: sizes from the manifest, the input in its dtype.
    (inp,), (out,) = manifest["inputs"], manifest["outputs"]
    assert inp["dtype"] == "float32" and inp["shape"] == [1, 80, 80, 3] and inp["bytes"] == 76800
    assert (vww_project / inp["golden"]).stat().st_size == 76800
    assert (vww_project / out["golden"]).stat().st_size == out["bytes"]
    assert 0 < manifest["arena_bytes"] < 94 * 1024 and manifest["weight_bytes"] > 0
    # The API of docs/formats.md, and one call per operator.
    header = (vww_project / "include" / f"{prefix}.h").read_text()
    for decl in (f"int {prefix}_invoke(void);", f"void *{prefix}_input(int index);",
                 f"const void *{prefix}_output(int index);"):  # fmt: skip
        assert decl in header
    source = (vww_project / "src" / f"{prefix}.c").read_text()
    assert source.count("TE_RUN(") == len(manifest["ops"]) + 1  # + the macro definition
    # the stem's 16 x 27 weights, packed for te_conv_im2col_s8: per channel pair two biases, two rows
    # of 28 weights (four per int32 word), two multipliers and two shifts: 8 x 20 words
    assert "const int32_t op1_filter[160]" in (vww_project / "src" / f"{prefix}_weights.c").read_text()


def test_compiles_for_the_host_with_werror(vww_project, tmp_path):
    result = subprocess.run(["make", "-s", "-C", str(vww_project), "TARGET=host", STRICT, f"BUILD={tmp_path}",
                             "-j2"], capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "libmcunet_vww.a").stat().st_size > 0


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="arm-none-eabi-gcc not installed")
@pytest.mark.parametrize("cpu", ["cortex-m7", "cortex-m4"])
def test_compiles_with_arm_none_eabi_gcc(vww_project, tmp_path, cpu):
    cmd = ["make", "-s", "-C", str(vww_project), f"TARGET={cpu}", STRICT, f"BUILD={tmp_path}", "-j2"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    objects = list(tmp_path.rglob("*.o"))
    readelf = ["arm-none-eabi-readelf", "-A", str(objects[0])]
    attributes = subprocess.run(readelf, capture_output=True, text=True)
    assert "v7E-M" in attributes.stdout  # Armv7E-M: both Cortex-M4 and Cortex-M7, Thumb-2 with DSP


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake not installed")
def test_cmake_builds_a_static_library(shared_models, tmp_path):
    project = tmp_path / "hello"
    build_project(shared_models / "hello_world_int8.tflite", project, target="host")
    build = tmp_path / "build"
    for cmd in (["cmake", "-S", str(project), "-B", str(build), "-DCMAKE_C_FLAGS=-Werror"],
                ["cmake", "--build", str(build)]):  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    assert (build / "libhello_world_int8.a").is_file()
    # The usage example of the project's README compiles against its header.
    readme = (project / "README.md").read_text()
    example = tmp_path / "example.c"
    example.write_text(readme.split("```c\n", 1)[1].split("```", 1)[0])
    cc = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", f"-I{project / 'include'}", "-c", str(example),
          "-o", str(tmp_path / "example.o")]  # fmt: skip
    result = subprocess.run(cc, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_refuses_a_non_empty_folder_unless_forced(shared_models, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    model = str(shared_models / "hello_world_int8.tflite")
    result = te_gen("build", model, "-o", str(out))
    assert result.returncode == 2
    assert "not empty" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (out / "keep.txt").read_text() == "mine"
    result = te_gen("build", model, "-o", str(out), "--force", "--target", "host", "--name", "hello")
    assert result.returncode == 0, result.stderr
    assert not (out / "keep.txt").exists()
    assert json.loads((out / "te-project.json").read_text())["api_prefix"] == "hello"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left behind


def test_bad_input_gets_one_line_and_no_folder(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 64)
    out = tmp_path / "out"
    result = te_gen("build", str(bad), "-o", str(out))
    assert result.returncode == 2
    assert str(bad) in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    result = te_gen("build", str(bad), "-o", str(out), "--target", "cortex-m99")
    assert result.returncode == 2 and "cortex-m99" in result.stderr


def test_never_leaves_a_half_written_project(shared_models, tmp_path):
    """Kill the build at several moments: the folder is either absent or complete."""
    model = str(shared_models / "person_detect.tflite")
    for delay in (1.0, 2.0, 3.0):
        out = tmp_path / f"out{delay}"
        proc = subprocess.Popen([TE_GEN, "build", model, "-o", str(out)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if out.exists():
            manifest = json.loads((out / "te-project.json").read_text())
            assert all((out / s).is_file() for s in manifest["sources"])
    assert not any(p.name == "out" for p in tmp_path.iterdir())


def test_golden_input_is_seeded(shared_models, tmp_path):
    model = shared_models / "micro_speech.tflite"
    a = build_project(model, tmp_path / "a", target="host", seed=7)
    b = build_project(model, tmp_path / "b", target="host", seed=7)
    c = build_project(model, tmp_path / "c", target="host", seed=8)
    read = lambda d, m: (d / m["inputs"][0]["golden"]).read_bytes()  # noqa: E731
    assert read(tmp_path / "a", a) == read(tmp_path / "b", b) != read(tmp_path / "c", c)
    values = np.frombuffer(read(tmp_path / "a", a), np.int8)
    assert values.min() < -100 and values.max() > 100  # covers the int8 range


def test_without_tensorflow_build_writes_no_golden_output_and_verify_says_what_to_install(
    shared_models, tmp_path
):
    """TensorFlow is an optional extra: hide it (an import that fails, as when not installed)."""
    hidden = tmp_path / "no_tf" / "tensorflow"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('No module named tensorflow')\n")
    env = {**os.environ, "PYTHONPATH": str(hidden.parent)}
    model = str(shared_models / "hello_world_int8.tflite")
    out = tmp_path / "project"
    result = subprocess.run([TE_GEN, "build", model, "-o", str(out)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "te-project.json").read_text())
    assert manifest["outputs"][0]["golden"] is None
    assert (out / manifest["inputs"][0]["golden"]).stat().st_size == manifest["inputs"][0]["bytes"]
    result = subprocess.run([TE_GEN, "verify", model], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert "pip install tensorflow" in result.stderr and len(result.stderr.strip().splitlines()) == 1
