"""te-gen verify: bit-exact with TFLite's reference interpreter on every shared model, and a planted
fault is detected and located at the operator it was planted in."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinyengine_codegen import oracle
from tinyengine_codegen.backend.build import compile_model
from tinyengine_codegen.backend.verify import verify_model

TE_GEN = str(Path(sys.executable).parent / "te-gen")
MODELS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "models"
MODELS = sorted(p.name for p in MODELS_DIR.glob("*.tflite"))


def test_the_shared_models_are_there():
    assert len(MODELS) >= 5, f"expected the shared models in {MODELS_DIR}"


@pytest.mark.parametrize("model", MODELS)
def test_verify_is_bit_exact(model, shared_models):
    report = verify_model(shared_models / model, cases=3, intermediates=True)
    assert report.passed, (report.mismatches, report.first_difference)
    assert report.cases == 3 and report.mismatches == [] and report.arena_bytes > 0
    # Every operator's output, not only the model's, equals the interpreter's.
    assert report.tensors_compared == len(compile_model(shared_models / model).graph.operators)


def test_verify_command_json(shared_models):
    model = shared_models / "micro_speech.tflite"
    result = subprocess.run([TE_GEN, "verify", str(model), "--cases", "2", "--seed", "5", "--json"],
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True and report["cases"] == 2 and report["seed"] == 5
    assert report["first_difference"] is None and report["outputs_bytes"] == 4


def _plant_fault(op_index: int):
    """Flip one weight byte of operator ``op_index`` in the generated project."""

    def patch(project: Path) -> None:
        weights = next((project / "src").glob("*_weights.c"))
        text = weights.read_text()
        # int32_t: te_conv_1x1_s8's packed filter, whose second word is a doubled bias (the pair layout:
        # two biases first; the small-K stream: a header, then a bias): bit 22 moves that channel's
        # bias by 2^21, every output pixel of the channel changes
        bytes_match = re.search(rf"const int8_t op{op_index}_filter\[\d+\] = {{\n    (-?\d+)", text)
        words = rf"const int32_t op{op_index}_filter\[\d+\] = {{\n    -?\d+, (-?\d+)"
        match = bytes_match or re.search(words, text)
        assert match, f"no filter array for operator {op_index}"
        value = int(match.group(1))
        byte_flip = value + 1 if value < 127 else value - 1
        flipped = byte_flip if bytes_match else value ^ (1 << 22)
        weights.write_text(text[: match.start(1)] + str(flipped) + text[match.end(1) :])

    return patch


def test_a_planted_fault_is_located(shared_models, tmp_path):
    model = shared_models / "person_detect.tflite"
    report = verify_model(model, cases=2, patch_project=_plant_fault(4), work_dir=tmp_path)
    assert not report.passed
    first = report.first_difference
    assert first is not None
    assert (first.op_index, first.kind) == (4, "CONV_2D")
    assert first.differing_bytes > 0 and 0 <= first.first_byte < first.total_bytes
    assert list(tmp_path.iterdir()) == []  # the work folder is cleaned up


def test_verify_exit_code_and_json_on_a_bad_file(tmp_path):
    bad = tmp_path / "model.tflite"
    bad.write_text("not a model")
    result = subprocess.run([TE_GEN, "verify", str(bad)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "Traceback" not in result.stderr


def test_oracle_patches_stale_quantized_dimension(shared_models):
    data = (shared_models / "person_detect.tflite").read_bytes()
    patched, count = oracle.patch_quantized_dimension(data)
    assert count == 14 and len(patched) == len(data)
    assert oracle.patch_quantized_dimension(patched)[1] == 0
    # Only the 4-byte field changed, in 14 places.
    changed = sum(1 for a, b in zip(data, patched, strict=True) if a != b)
    assert 0 < changed <= 14 * 4
