"""int8 export: Keras rebuild equals torch, formats.md op sequence, te-gen verify, accuracy kept."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from nas_nets import mbconv_doc
from typer.testing import CliRunner

from tinyengine_codegen.frontend.netspec import dump_netspec, parse_netspec
from tinynas.cli import app
from tinynas.data import load_data
from tinynas.export import build_keras, expected_ops
from tinynas.model import build_model
from tinynas.train import TrainConfig, fit

runner = CliRunner()
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated")]
NET = mbconv_doc("fm-export", 28, 1, [(1, 3, 1, 8), (3, 5, 2, 16), (3, 3, 1, 16), (4, 7, 2, 24)])


@pytest.mark.parametrize("resolution", [28, 31])
def test_keras_rebuild_computes_what_torch_computes(resolution):
    torch.manual_seed(1)
    head = {**NET["head"], "mix_channels": 32}
    doc = {**NET, "input": {"resolution": resolution, "channels": 3}, "head": head}
    model = build_model(parse_netspec(doc))
    for m in model.modules():  # non-trivial BN statistics, so folding matters
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    x = torch.randn(1, 3, resolution, resolution)
    with torch.no_grad():
        expected = model(x).numpy()
    got = np.asarray(build_keras(model)(x.permute(0, 2, 3, 1).numpy()))
    assert np.abs(got - expected).max() < 1e-4


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A small net trained briefly on built-in Fashion-MNIST, with its netspec and checkpoint."""
    folder = tmp_path_factory.mktemp("export")
    spec = parse_netspec(NET)
    dump_netspec(spec, folder / "net.json")
    splits = load_data("builtin:fashion-mnist", (28, 28), 1, train_subset=3072, val_subset=1000)
    fit(spec, splits, TrainConfig(epochs=3, batch_size=64, lr=0.2), folder / "ckpt.pt")
    return folder


@pytest.fixture(scope="module")
def exported(trained):
    out = trained / "model.tflite"
    result = runner.invoke(app, ["export", str(trained / "net.json"), "--ckpt", str(trained / "ckpt.pt"),
                                 "--data", "builtin:fashion-mnist", "-o", str(out), "--val-subset", "1000",
                                 "--calibration", "200", "--json"])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_export_has_the_formats_md_operator_sequence(exported):
    out, doc = exported
    assert doc["ops"] == expected_ops(parse_netspec(NET))
    assert out.is_file() and out.stat().st_size == doc["size_bytes"]


def test_int8_accuracy_within_two_points_of_float(exported):
    _, doc = exported
    assert doc["float"]["count"] == doc["int8"]["count"] == 1000
    assert doc["float"]["top1"] > 50.0  # trained, so the comparison means something
    assert abs(doc["float"]["top1"] - doc["int8"]["top1"]) <= 2.0
    assert doc["agreement"] > 90.0


def test_int8_model_is_full_integer_per_channel(exported):
    import tensorflow as tf

    out, _ = exported
    interp = tf.lite.Interpreter(model_path=str(out))
    assert interp.get_input_details()[0]["dtype"] == np.int8
    assert interp.get_output_details()[0]["dtype"] == np.int8
    conv_weights = [t for t in interp.get_tensor_details() if t["dtype"] == np.int8 and len(t["shape"]) == 4
                    and len(t["quantization_parameters"]["scales"]) > 1]
    assert conv_weights, "no per-channel quantized convolution weights"


def _te_gen() -> list[str]:
    exe = Path(sys.executable).with_name("te-gen")
    return [str(exe)] if exe.exists() else [shutil.which("te-gen") or "te-gen"]


def test_te_gen_verify_is_bit_exact_on_the_export(exported):
    out, _ = exported
    proc = subprocess.run([*_te_gen(), "verify", str(out), "--cases", "2", "--json"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["passed"] is True


def test_export_with_a_checkpoint_of_another_net_is_exit_2(trained, tmp_path):
    other = parse_netspec({**NET, "stem": {"out_channels": 16, "kernel_size": 3, "stride": 2}})
    dump_netspec(other, tmp_path / "other.json")
    result = runner.invoke(app, ["export", str(tmp_path / "other.json"), "--ckpt", str(trained / "ckpt.pt"),
                                 "-o", str(tmp_path / "m.tflite")])
    assert result.exit_code == 2 and "another architecture" in result.output
    assert not (tmp_path / "m.tflite").exists()


def test_te_gen_plans_the_export_exactly_as_it_priced_the_netspec(exported):
    """The memory a search prices (netspec) is the memory the generated code uses (.tflite)."""
    from tinyengine_codegen.frontend.tflite_reader import load_tflite
    from tinyengine_codegen.profile import profile_graph, profile_netspec

    out, _ = exported
    priced, compiled = profile_netspec(parse_netspec(NET)), profile_graph(load_tflite(out))
    assert compiled.arena_bytes == priced.arena_bytes
    assert (compiled.macs, compiled.weight_bytes) == (priced.macs, priced.weight_bytes)
