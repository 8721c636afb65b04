"""te-gen inspect / profile from the command line: tables, JSON, exit codes, one-line errors.

The float model and the model with an unsupported operator are made here with TensorFlow's
own converter (a float conversion, and a full-integer one of a network with a TANH).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tinyengine_codegen.cli import app
from tinyengine_codegen.frontend.netspec import dump_netspec, parse_netspec
from tinyengine_codegen.profile import profile_netspec

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def _one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert result.stdout == ""


@pytest.fixture(scope="module")
def made_models(tmp_path_factory):
    """(float model, int8 model with a TANH) written by TensorFlow's converter."""
    tf = pytest.importorskip("tensorflow")
    folder = tmp_path_factory.mktemp("tf_models")
    inp = tf.keras.Input((8, 8, 3), batch_size=1)
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
    x = tf.keras.layers.Activation("tanh")(x)
    x = tf.keras.layers.Flatten()(x)
    model = tf.keras.Model(inp, tf.keras.layers.Dense(2)(x))

    float_path = folder / "float.tflite"
    float_path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())

    def representative():
        rng = np.random.default_rng(0)
        for _ in range(8):
            yield [rng.standard_normal((1, 8, 8, 3)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    tanh_path = folder / "tanh_int8.tflite"
    tanh_path.write_bytes(converter.convert())
    return float_path, tanh_path


def test_help_everywhere():
    for args in ([], ["inspect"], ["profile"]):
        result = run(*args, "--help")
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_profile_mcunet_vww_beats_tinyengine_and_fits(shared_models):
    result = run(
        "profile", str(shared_models / "mcunet_vww.tflite"), "--sram", "320KB", "--flash", "1MB", "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["arena_bytes"] < 92 * 1024
    assert report["fits"] and report["sram_budget"] == 320 * 1024 and report["flash_budget"] == 1024 * 1024
    assert report["ops"][report["peak_op"]]["live_bytes"] == report["lower_bound"]
    assert report["flash_bytes"] == report["weight_bytes"] + report["code_bytes_estimate"]
    assert report["weight_bytes"] > 400_000 and report["macs"] > 10_000_000


def test_profile_table_and_exit_1_when_it_does_not_fit(shared_models):
    result = run("profile", str(shared_models / "person_detect.tflite"), "--sram", "32KB")
    assert result.exit_code == 1
    assert "peak" in result.stdout and "does not fit" in result.stdout
    result = run("profile", str(shared_models / "person_detect.tflite"), "--sram", "32KB", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["fits_sram"] is False


def test_profile_of_a_netspec_file(tmp_path):
    spec = parse_netspec(
        {
            "format": "netspec/1",
            "name": "small",
            "input": {"resolution": 64, "channels": 3},
            "stem": {"out_channels": 16},
            "blocks": [{"expand_ratio": 4, "kernel_size": 5, "stride": 2, "out_channels": 24}],
            "head": {"num_classes": 10},
        }
    )
    path = tmp_path / "small.json"
    dump_netspec(spec, path)
    result = run("profile", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == profile_netspec(spec).to_dict()


def test_inspect_json_lists_operators_tensors_and_support(shared_models):
    result = run("inspect", str(shared_models / "micro_speech.tflite"), "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert [op["kind"] for op in info["operators"]] == [
        "RESHAPE",
        "DEPTHWISE_CONV_2D",
        "FULLY_CONNECTED",
        "SOFTMAX",
    ]
    assert info["supported"] and info["macs"] == 25 * 20 * 8 * 10 * 8 + 4000 * 4
    assert info["inputs"][0]["shape"] == [1, 1960] and info["inputs"][0]["quantization"]["zero_point"] == [
        -128
    ]
    result = run("inspect", str(shared_models / "person_detect.tflite"), "--tensors")
    assert result.exit_code == 0 and "per-channel axis 3" in result.stdout


def test_unsupported_operator_named_with_its_index(made_models):
    _, tanh = made_models
    info = json.loads(run("inspect", str(tanh), "--json").stdout)
    tanh_index = next(op["index"] for op in info["operators"] if op["kind"] == "TANH")
    assert not info["supported"] and info["unsupported"][0]["index"] == tanh_index
    _one_line_error(run("profile", str(tanh)), str(tanh), f"#{tanh_index} TANH")


def test_float_model_is_refused(made_models):
    float_model, _ = made_models
    assert json.loads(run("inspect", str(float_model), "--json").stdout)["float_model"] is True
    _one_line_error(run("profile", str(float_model)), str(float_model), "float model")


def test_corrupt_file(tmp_path, shared_models):
    path = tmp_path / "corrupt.tflite"
    data = bytearray((shared_models / "hello_world_int8.tflite").read_bytes())
    path.write_bytes(bytes(data[:8]) + b"\xff" * 64)
    _one_line_error(run("profile", str(path)), str(path))
    _one_line_error(run("inspect", str(path)), str(path))


def test_wrong_size_string(shared_models):
    _one_line_error(
        run("profile", str(shared_models / "hello_world_int8.tflite"), "--sram", "32OKB"), "'32OKB'"
    )


def test_missing_file_and_bad_netspec(tmp_path):
    _one_line_error(run("profile", str(tmp_path / "nope.tflite")), "no such file")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "netspec/1", "input": {}}')
    _one_line_error(run("profile", str(bad)), str(bad))
